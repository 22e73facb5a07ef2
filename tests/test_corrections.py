"""Errata: a {correction} note shows on its page in HTML and PDF, a bad one fails the build,
and every correction in the chapters is listed in CHANGELOG.md."""

from __future__ import annotations

import shutil

from bs4 import BeautifulSoup

import corrections
from conftest import ROOT, run_sphinx

GOOD = ROOT / "tests" / "fixtures" / "good"
NOTE = """
```{correction} 2026-12-01
The figure read 6,000; the source gives about 600.
```
"""


def book_with(tmp_path, note: str):
    src = tmp_path / "src"
    shutil.copytree(GOOD, src)
    page = src / "page.md"
    page.write_text(page.read_text(encoding="utf-8") + note, encoding="utf-8")
    return src


def test_correction_note_in_html_and_latex(tmp_path):
    src = book_with(tmp_path, NOTE)
    html = run_sphinx("html", tmp_path / "out" / "html", srcdir=src, confdir=ROOT)
    assert html.returncode == 0 and html.warnings == "", html.output[-3000:]
    soup = BeautifulSoup((tmp_path / "out" / "html" / "page.html").read_text(encoding="utf-8"),
                         "html.parser")
    note = soup.select_one("div.admonition.correction#correction-2026-12-01")
    assert note is not None, "no correction note on the page"
    assert note.select_one(".admonition-title").get_text() == "Corrected on 1 December 2026"
    assert "the source gives about 600" in note.get_text()

    latex = run_sphinx("latex", tmp_path / "out" / "latex", srcdir=src, confdir=ROOT)
    assert latex.returncode == 0, latex.output[-3000:]
    tex = next(p for p in (tmp_path / "out" / "latex").glob("*.tex")
               if p.stem != "handbook-chapter-titles").read_text(encoding="utf-8")  # the book, not the chapter PDFs' title pages
    assert "Corrected on 1 December 2026" in tex and "the source gives about 600" in tex


def test_a_correction_without_a_valid_date_fails_the_build(tmp_path):
    src = book_with(tmp_path, NOTE.replace("2026-12-01", "1 Dec 2026"))
    build = run_sphinx("html", tmp_path / "out" / "html", srcdir=src, confdir=ROOT)
    assert build.returncode != 0
    assert "page.md" in build.output and "YYYY-MM-DD" in build.output, build.output[-3000:]


def changelog_problems(found) -> list[str]:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return [f"{path.relative_to(ROOT)}:{line}: the correction of {day} is not listed in "
            f"CHANGELOG.md (add '- {day}, {path.relative_to(ROOT)} ...' under the next edition)"
            for path, line, day in found
            if f"- {day}, {path.relative_to(ROOT).as_posix()}" not in changelog]


def test_every_correction_is_listed_in_the_changelog():
    problems = changelog_problems(corrections.sources())
    assert not problems, "\n".join(problems)


def test_an_unlisted_correction_is_reported(tmp_path):
    page = ROOT / "chapters" / "01-background.md"  # a real path; the date is in no edition
    problems = changelog_problems([(page, 12, "1999-01-01")])
    assert problems and problems[0].startswith("chapters/01-background.md:12: the correction of 1999-01-01")
    fake = tmp_path / "x.md"
    fake.write_text("text\n\n```{correction} 2026-12-01\nnote\n```\n")
    assert corrections.sources([fake]) == [(fake, 3, "2026-12-01")]
