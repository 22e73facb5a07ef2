"""The paragraph correspondence table: where each paragraph of an earlier edition went.

A diplomat who cited "edition 0.1.0, para. 3.14" must be able to follow the citation in the
current text. ``editions/<old>-paragraphs.tsv`` keeps the full text of every numbered paragraph
of the old edition (taken from its published HTML); ``editions/<old>-to-<new>.csv`` maps each
old number to its successor, or to nothing when the paragraph was removed. The map is made
once, when an edition is cut, by this module run as a script on the new edition's built HTML::

    python _ext/correspondence.py 0.1.0 0.2.0 _build/html

and then read by the build, which draws the table with the ``{paragraph-correspondence}``
directive (chapters/correspondence.md). The map is committed, so that the table a reader sees
does not change when later editing moves words about; the tests check that every old number
appears exactly once and that every successor exists.

How a successor is chosen: the old and new paragraphs are compared as bags of words weighted
by rarity (tf-idf, cosine similarity). The most similar new paragraph is the successor when the
similarity reaches ``REVISED`` (the same point, rewritten); at ``KEPT`` or above the paragraph
is kept with light edits. Below ``REVISED`` the point was cut or spread over several
paragraphs, and the table says "removed". A hand-written line in the CSV always wins: the
script keeps rows whose ``note`` starts with "editor:".
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections import Counter
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = ROOT / "editions"
KEPT, REVISED = 0.8, 0.38
FIELDS = ["old", "new", "status", "note"]
WORD = re.compile(r"[^\W\d_]{3,}|\d{4}", re.UNICODE)

logger = logging.getLogger(__name__)


# -- Making the map (run once per edition) -----------------------------------------------------

def read_paragraphs(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["number"], row["text"]) for row in csv.DictReader(f, delimiter="\t")]


def built_paragraphs(html_dir: Path) -> list[tuple[str, str]]:
    """(number, text) for every numbered paragraph of a built site, in reading order."""
    from bs4 import BeautifulSoup  # only the script needs it, not the build

    out = []
    for page in sorted(html_dir.rglob("*.html")):
        if page.relative_to(html_dir).parts[0] == "editions":  # earlier editions (tools/editions.py)
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for anchor in soup.select("article a.para-num"):
            block = anchor.parent if anchor.parent.name == "p" else anchor.find_next_sibling()
            text = " ".join(block.get_text(" ").split()) if block is not None else ""
            out.append((anchor.get_text(), text.removeprefix(anchor.get_text()).strip()))
    return out


def _vectors(texts: list[str]) -> list[dict[str, float]]:
    bags = [Counter(w.lower() for w in WORD.findall(t)) for t in texts]
    df = Counter(w for bag in bags for w in bag)
    n = len(bags)
    vectors = []
    for bag in bags:
        vec = {w: c * math.log(n / df[w]) for w, c in bag.items() if df[w] < n}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def correspond(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[dict[str, str]]:
    vectors = _vectors([t for _, t in old] + [t for _, t in new])
    old_v, new_v = vectors[:len(old)], vectors[len(old):]
    rows = []
    for (number, _), vec in zip(old, old_v, strict=True):
        score, best = max(((_cosine(vec, nv), n) for (n, _), nv in zip(new, new_v, strict=True)),
                          default=(0.0, ""))
        if score >= KEPT:
            rows.append({"old": number, "new": best, "status": "kept", "note": ""})
        elif score >= REVISED:
            rows.append({"old": number, "new": best, "status": "revised", "note": ""})
        else:
            rows.append({"old": number, "new": "", "status": "removed", "note": ""})
    return rows


def make_map(old_edition: str, new_edition: str, html_dir: Path) -> Path:
    old = read_paragraphs(EDITIONS / f"{old_edition}-paragraphs.tsv")
    rows = correspond(old, built_paragraphs(html_dir))
    target = EDITIONS / f"{old_edition}-to-{new_edition}.csv"
    if target.exists():  # an editor's decision outlives a re-run
        kept = {r["old"]: r for r in read_map(target) if r["note"].startswith("editor:")}
        rows = [kept.get(r["old"], r) for r in rows]
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


def read_map(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# -- Drawing the table (every build) -----------------------------------------------------------

class correspondence_link(nodes.Inline, nodes.TextElement):
    """A paragraph number of the current edition, linked to its paragraph in the HTML."""


class ParagraphCorrespondence(SphinxDirective):
    """``{paragraph-correspondence} editions/0.1.0-to-0.2.0.csv``: the table of one map."""

    required_arguments = 1
    option_spec = {"caption": directives.unchanged}

    def run(self):
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        try:
            rows = read_map(Path(path))
        except OSError as err:
            raise self.error(f"{rel}: cannot read the paragraph map ({err.strerror})") from None
        old_edition, new_edition = Path(rel).stem.split("-to-")
        texts = dict(read_paragraphs(EDITIONS / f"{old_edition}-paragraphs.tsv"))
        table = nodes.table(classes=["paragraph-correspondence"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (12, 14, 74):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row([nodes.Text(f"Edition {old_edition}")], [nodes.Text(f"Edition {new_edition}")],
                          [nodes.Text(f"Beginning of the paragraph in edition {old_edition}")])
        body = nodes.tbody()
        group += body
        for row in rows:
            new = ([correspondence_link(row["new"], row["new"])] if row["new"]
                   else [nodes.emphasis(text=row["status"])])
            start = " ".join(texts.get(row["old"], "").split()[:14])
            body += self._row([nodes.Text(row["old"])], new, [nodes.Text(start + " \u2026")])
        if "caption" in self.options:
            table.insert(0, nodes.title(text=self.options["caption"]))
        return [table]

    @staticmethod
    def _row(*cells) -> nodes.row:
        row = nodes.row()
        for content in cells:
            entry = nodes.entry()
            entry += nodes.paragraph("", "", *content)
            row += entry
        return row


def _pages_by_prefix(app) -> dict[str, str]:
    """Which page holds the paragraphs that start with "3." or "B."."""
    from paragraph_numbers import paragraph_prefix

    return {str(paragraph_prefix(app, doc)): doc for doc in app.env.found_docs
            if paragraph_prefix(app, doc) is not None}


def resolve_links(app, doctree, docname) -> None:
    pages = _pages_by_prefix(app) if app.builder.format == "html" else {}
    for node in list(doctree.findall(correspondence_link)):
        number = node.astext()
        prefix, _, count = number.partition(".")
        target = pages.get(prefix)
        if target is None:
            node.replace_self(nodes.Text(number))
            continue
        uri = app.builder.get_relative_uri(docname, target) + f"#para-{prefix.lower()}-{count}"
        node.replace_self(nodes.reference(number, number, refuri=uri, internal=True))


def setup(app):
    app.add_node(correspondence_link)
    app.add_directive("paragraph-correspondence", ParagraphCorrespondence)
    app.connect("doctree-resolved", resolve_links)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python _ext/correspondence.py OLD_EDITION NEW_EDITION BUILT_HTML_DIR")
    print(make_map(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
