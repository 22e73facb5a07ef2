"""Errata: a corrected passage says so on its page, in HTML and in the PDF.

    ```{correction} 2026-12-01
    The figure for 2023 read 6,000; the source gives about 600.
    ```

renders as a note headed "Corrected on 1 December 2026" with the text below it, and an
anchor (#correction-2026-12-01) that CHANGELOG.md can link to. The note is a plain docutils
admonition, so every builder renders it (LaTeX as a framed sphinxadmonition). CHANGELOG.md
lists each correction under the edition that makes it; tests/test_corrections.py checks that
every correction in the chapters is listed there (sources() below finds them).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parent.parent
OPENING = re.compile(r"^[ \t]*(?:`{3,}|:{3,})\{correction\}\s*(\S*)", re.MULTILINE)


def heading(day: date) -> str:
    return f"Corrected on {day.day} {day:%B %Y}"


class Correction(SphinxDirective):
    required_arguments = 1  # the date, YYYY-MM-DD
    final_argument_whitespace = True  # so "1 Dec 2026" gets the message below, not a count
    has_content = True
    option_spec = {"class": directives.class_option}

    def run(self):
        try:
            day = date.fromisoformat(self.arguments[0])
        except ValueError:
            raise self.error(f"correction date '{self.arguments[0]}' is not a date in the form "
                             "YYYY-MM-DD (e.g. 2026-12-01)") from None
        if not self.content:
            raise self.error("a correction needs a short note saying what was corrected")
        note = nodes.admonition("", classes=["correction", *self.options.get("class", [])],
                                ids=[f"correction-{day.isoformat()}"])
        note += nodes.title("", heading(day))
        self.state.nested_parse(self.content, self.content_offset, note)
        self.set_source_info(note)
        return [note]


def sources(paths: list[Path] | None = None) -> list[tuple[Path, int, str]]:
    """(file, line, date) of every correction in the handbook's MyST sources."""
    paths = paths or [ROOT / "index.md", *sorted((ROOT / "chapters").glob("*.md"))]
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for match in OPENING.finditer(text):
            found.append((path, text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def setup(app):
    app.add_directive("correction", Correction)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
