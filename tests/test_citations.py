"""Citations: every key resolves, the bibliography renders, and every source is used."""

from __future__ import annotations

import csv
import re

from pybtex.database import parse_file

from conftest import CITE, ROOT, SOURCES

BIB = parse_file(str(ROOT / "references.bib"))

# Entries kept in references.bib without being cited in the text, each with its reason.
DELIBERATELY_UNCITED: dict[str, str] = {}


def cited_keys() -> set[str]:
    keys: set[str] = set()
    for source in SOURCES:
        for match in CITE.finditer(source.read_text(encoding="utf-8")):
            bare = re.sub(r"\{[^{}]*\}", "", match.group("target"))
            keys.update(k.strip() for k in bare.split(",") if k.strip())
    return keys


def data_keys() -> set[str]:
    """The sources of the rows of data/*.csv: the data cite them as the chapters do, and the
    Sources page lists every entry (``:all:``), so a reader of the data finds them there."""
    keys: set[str] = set()
    for table in (ROOT / "data").glob("*.csv"):
        with table.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                keys.add(row.get("source") or "")
                # a note names the other sources of a figure where they disagree
                keys.update(set(re.findall(r"[a-z][\w-]*\d{4}[\w-]*|[a-z]+-[a-z-]+", row.get("note") or ""))
                            & set(BIB.entries))
    return keys - {""}


def test_every_cited_key_is_in_the_bibliography():
    unknown = cited_keys() - set(BIB.entries)
    assert not unknown, f"cited but not in references.bib: {sorted(unknown)}"


def test_every_bibliography_entry_is_cited():
    uncited = set(BIB.entries) - cited_keys() - data_keys() - set(DELIBERATELY_UNCITED)
    assert not uncited, f"in references.bib but never cited (cite or list with a reason): {sorted(uncited)}"


def test_bibliography_renders_every_entry(pages):
    sources = pages["chapters/09-sources.html"]
    rendered = {el["id"].removeprefix("cite-") for el in sources.select('[id^="cite-"]')}
    assert rendered == set(BIB.entries)


def test_every_citation_links_to_its_entry(pages):
    targets = {el["id"] for el in pages["chapters/09-sources.html"].select('[id^="cite-"]')}
    count = 0
    for name, soup in pages.items():
        for link in soup.select("span.bibtex-citation a[href]"):
            count += 1
            anchor = link["href"].split("#")[1]
            assert link["href"].startswith("09-sources.html#") or name == "chapters/09-sources.html"
            assert anchor in targets, f"{name}: citation link to missing entry #{anchor}"
    assert count > 0


def test_un_documents_show_their_symbol(pages):
    sources = pages["chapters/09-sources.html"]
    for key, entry in BIB.entries.items():
        symbol = entry.fields.get("symbol")
        if symbol:
            text = sources.select_one(f'[id="cite-{key}"]').get_text()
            assert str(symbol) in text, f"{key}: symbol {symbol} not shown in the rendered reference"


def test_no_citation_renders_empty(pages):
    """An unknown key that escaped the checks renders as "[]" (sphinxcontrib-bibtex's own
    warning is silenced in favour of _ext/sourcecheck.py's): none may reach a reader."""
    empty = [f"{name}: {span.find_parent('p').get_text(' ')[:80] if span.find_parent('p') else ''}"
             for name, soup in pages.items() for span in soup.select("span.bibtex-citation")
             if span.get_text(strip=True) in ("[]", "")]
    assert not empty, "citations without a source:\n" + "\n".join(empty)
