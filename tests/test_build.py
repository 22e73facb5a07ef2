"""The strict HTML build: clean, complete, and every page in the table of contents."""

from __future__ import annotations

import re

from conftest import CHAPTERS, ROOT


def test_html_build_has_no_warnings(html_build):
    assert html_build.warnings.strip() == "", html_build.warnings


def test_every_chapter_is_rendered(html_dir):
    for chapter in CHAPTERS:
        page = html_dir / "chapters" / f"{chapter.stem}.html"
        assert page.is_file(), f"{chapter.relative_to(ROOT)} was not rendered"


def test_every_chapter_is_in_the_table_of_contents(pages):
    nav = pages["index.html"].select("nav.bd-links a[href], .toctree-wrapper a[href]")
    linked = {a["href"].split("#")[0].removeprefix("./") for a in nav}
    for chapter in CHAPTERS:
        assert f"chapters/{chapter.stem}.html" in linked, f"{chapter.name} is not in the toctree"


def test_every_chapter_has_a_label_and_one_title():
    for chapter in CHAPTERS:
        text = chapter.read_text(encoding="utf-8")
        assert re.match(r"\(\S+\)=\n# ", text), f"{chapter.name}: start with a '(label)=' line, then the '# Title'"
        assert len(re.findall(r"^# ", text, re.M)) == 1, f"{chapter.name}: exactly one '# ' title"
