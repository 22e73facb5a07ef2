"""Citable: CITATION.cff, the generated citations, the pages' head metadata, editions.

The citations are read back with real parsers: pybtex for BibTeX, rispy for RIS, extruct for
JSON-LD and OpenGraph (as metadata consumers read them). extruct has no reader for Highwire
Press tags (``citation_*``), so those are read from the parsed head and checked against
Google Scholar's rules.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import date
from urllib.parse import urlsplit

import extruct
import pytest
import rispy
import yaml
from bs4 import BeautifulSoup
from cffconvert import Citation
from pybtex.database import parse_string

from conftest import NUMBERED, ROOT  # also puts _ext/ on the import path

import cite_formats  # noqa: E402  (from _ext/)
import cite_work  # noqa: E402

CFF_TEXT = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
META = yaml.safe_load(CFF_TEXT)
RELEASED = date.fromisoformat(str(META["date-released"]))
DATE_TEXT = f"{RELEASED.day} {RELEASED:%B %Y}"
BASE = META["url"]
# Pages that are tools, not text: they carry no citation and no citation metadata.
TOOL_PAGES = {"genindex.html", "search.html"}


def content_pages(pages) -> dict[str, BeautifulSoup]:
    """The pages of the handbook's text (no tool pages, no redirect stubs)."""
    return {name: soup for name, soup in pages.items()
            if name not in TOOL_PAGES and soup.select_one("link[rel=canonical]")}


def squash(text: str) -> str:
    return " ".join(text.split())


# -- CITATION.cff ------------------------------------------------------------------------------

def test_citation_cff_is_valid_cff_1_2_0():
    citation = Citation(CFF_TEXT)
    assert citation.cffversion == "1.2.0"
    citation.validate()  # raises on any schema violation


def test_cff_validation_rejects_a_broken_file():
    broken = CFF_TEXT.replace("license: CC-BY-4.0", "license: CC-BY-4.O", 1)
    assert broken != CFF_TEXT
    with pytest.raises(Exception, match="CC-BY-4.O"):
        Citation(broken).validate()
    no_authors = re.sub(r"(?m)^authors:\n  - name: .*\n", "", CFF_TEXT, count=1)
    with pytest.raises(Exception, match="authors"):
        Citation(no_authors).validate()


def test_preferred_citation_agrees_with_the_top_level():
    """CITATION.cff writes the edition twice (see its header); the two must agree."""
    pref = META["preferred-citation"]
    assert pref["type"] == "book"
    assert pref["title"] == cite_work.sentence_case(META["title"], cite_work.proper_nouns(WORK_META))
    assert pref["authors"] == META["authors"]
    assert str(pref["edition"]) == f"Edition {META['version']}"
    assert "publisher" not in pref, "the authors are not their own publisher: every style prints it twice"
    assert str(pref["date-published"]) == str(META["date-released"])
    assert pref["year"] == RELEASED.year
    assert pref["url"] == META["url"] and pref["license"] == META["license"]
    assert "doi" not in META or META["doi"] == pref.get("doi")


def test_changelog_lists_the_current_edition_with_corrections_first():
    log = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    editions = re.findall(r"^## Edition (\S+) \((.+?)\)$", log, re.M)
    assert editions, "CHANGELOG.md lists no edition ('## Edition X.Y.Z (D Month YYYY)')"
    assert editions[0] == (str(META["version"]), DATE_TEXT), \
        f"CHANGELOG.md's newest edition is {editions[0]}, CITATION.cff's is {META['version']}, {DATE_TEXT}"
    for block in re.split(r"^## ", log, flags=re.M)[1:]:
        if not block.startswith("Edition "):
            continue  # e.g. the errata policy
        subheads = re.findall(r"^### (.+)$", block, re.M)
        assert subheads and subheads[0] == "Corrections", f"corrections must come first: ## {block[:40]}"


WORK_META = cite_work.work_from_metadata(META)


# -- The generated citations -------------------------------------------------------------------

WORK = cite_work.work_from_metadata(META, BASE + "handbook.pdf")
PAGE = cite_work.Page(title="The UN trajectory: from caution to censure", chapter=4,
                      url=BASE + "chapters/04-un-trajectory.html", docname="chapters/04-un-trajectory")


def test_title_case_rules():
    assert cite_formats.headline_case("The UN trajectory: from caution to censure") == \
        "The UN Trajectory: From Caution to Censure"
    assert cite_formats.headline_case("Background: flight, the border and what awaits those returned") == \
        "Background: Flight, the Border and What Awaits Those Returned"
    assert cite_work.sentence_case(WORK.title, cite_work.proper_nouns(WORK)) == \
        "Forced repatriation of North Korean refugees from China: A policy handbook"


def test_bibtex_parses_and_carries_the_edition():
    for page, kind in ((None, "book"), (PAGE, "incollection")):
        data = parse_string(cite_formats.bibtex(WORK, page), "bibtex")
        (key, entry), = data.entries.items()
        assert entry.type == kind
        assert entry.fields["edition"] == f"Edition {META['version']}"
        assert entry.fields["date"] == RELEASED.isoformat() and entry.fields["day"] == str(RELEASED.day)
        assert "publisher" not in entry.fields
        assert entry.fields["year"] == str(RELEASED.year)
        assert entry.fields["url"] == (page.url if page else BASE)
        assert [str(p) for p in entry.persons["author"]] == [f"{{{a['name']}}}" for a in META["authors"]]
    assert parse_string(cite_formats.bibtex(WORK, PAGE), "bibtex").entries["forcedrepatriation2026ch4"] \
        .fields["chapter"] == "4"


def test_ris_parses_and_carries_the_edition():
    book, = rispy.loads(cite_formats.ris(WORK))
    chapter, = rispy.loads(cite_formats.ris(WORK, PAGE))
    assert book["type_of_reference"] == "BOOK" and chapter["type_of_reference"] == "CHAP"
    sentence = cite_work.sentence_case(META["title"], cite_work.proper_nouns(WORK))
    assert book["title"] == sentence and chapter["secondary_title"] == sentence
    assert chapter["title"] == "The UN trajectory: From caution to censure" and chapter["urls"] == [PAGE.url]
    assert chapter["section"] == "4" and "publisher" not in chapter
    for entry in (book, chapter):
        assert entry["edition"] == f"Edition {META['version']}"
        assert entry["date"] == f"{RELEASED:%Y/%m/%d}"
        assert entry["authors"] == [a["name"] for a in META["authors"]]


# -- "Cite this" on every page -----------------------------------------------------------------

def check_cite_box(name: str, soup: BeautifulSoup) -> list[str]:
    """Problems with one page's "Cite this" box: four formats, edition, stable URL."""
    box = soup.select_one("details.cite-this")
    if box is None:
        return [f"{name}: no 'Cite this' box"]
    problems = []
    canonical = soup.select_one("link[rel=canonical]")["href"]
    url = BASE if name == "index.html" else canonical
    chicago = squash(box.select_one(".cite-chicago").get_text()) if box.select_one(".cite-chicago") else ""
    apa = squash(box.select_one(".cite-apa").get_text()) if box.select_one(".cite-apa") else ""
    for style, text in (("Chicago", chicago), ("APA", apa)):
        if f"Edition {META['version']}" not in text or url not in text:
            problems.append(f"{name}: {style} citation lacks the edition or the URL {url}: {text!r}")
    bib, ris_block = box.select_one("pre.cite-bibtex"), box.select_one("pre.cite-ris")
    if bib is None or ris_block is None:
        return problems + [f"{name}: BibTeX or RIS missing"]
    entries = parse_string(bib.get_text(), "bibtex").entries
    if len(entries) != 1 or next(iter(entries.values())).fields.get("url") != url:
        problems.append(f"{name}: BibTeX entry does not parse to one entry with url {url}")
    refs = rispy.loads(ris_block.get_text())
    if len(refs) != 1 or refs[0].get("urls") != [url] or refs[0].get("edition") != f"Edition {META['version']}":
        problems.append(f"{name}: RIS entry lacks the URL or the edition")
    for link, block in zip(box.select("a.cite-download"), (bib, ris_block), strict=False):
        data = urllib.parse.unquote(link["href"].split(",", 1)[1])
        if data != block.get_text():
            problems.append(f"{name}: the {link['download']} download differs from the text shown")
    if "DOI: not yet assigned" not in box.get_text() and "DOI: " not in box.get_text():
        problems.append(f"{name}: the box says nothing about a DOI")
    return problems


def test_every_page_has_a_cite_this_box(pages):
    content = content_pages(pages)
    assert len(content) >= 10
    problems = [p for name, soup in content.items() for p in check_cite_box(name, soup)]
    assert not problems, "\n".join(problems)


def test_cite_box_check_finds_a_broken_box(pages):
    page = str(pages["chapters/03-china-position.html"])
    broken = BeautifulSoup(page.replace(f"Edition {META['version']}", "Edition 9.9", 1), "html.parser")
    broken.select_one("pre.cite-ris").string = "TY  - CHAP\nER  -\n"
    problems = check_cite_box("x.html", broken)
    assert any("RIS" in p for p in problems), problems
    gone = BeautifulSoup(page, "html.parser")
    gone.select_one("details.cite-this").decompose()
    assert check_cite_box("x.html", gone) == ["x.html: no 'Cite this' box"]


def test_chapter_citation_names_its_chapter(pages):
    box = pages["chapters/03-china-position.html"].select_one("details.cite-this")
    assert "Chap. 3 in" in box.select_one(".cite-chicago").get_text()
    assert "Chapter 3)" in box.select_one(".cite-apa").get_text()
    assert "\u201cChina\u2019s Position and Its Assessment.\u201d" in box.select_one(".cite-chicago").get_text()
    # an English page names itself once: the English title in brackets is for translated pages
    page = pages["chapters/03-china-position.html"]
    names = [page.title.get_text(), box.get_text(" "),
             *(page.select_one(f'meta[{a}="{n}"]')["content"]
               for a, n in (("name", "citation_title"), ("property", "og:title")))]
    for text in names:
        assert "assessment [" not in text.lower(), text


def test_how_to_cite_page_gives_the_handbook_citation(pages):
    page = pages["chapters/how-to-cite.html"]
    text = squash(page.select_one("article").get_text(" "))
    whole = squash(cite_formats.as_text(cite_formats.chicago(WORK)))
    assert whole in text.replace(" .", "."), whole
    assert "@book{forcedrepatriation2026," in page.get_text()
    assert "TY  - BOOK" in page.get_text()
    assert "DOI: not yet assigned" in text


def test_how_to_cite_comes_before_sources_in_the_back_matter(pages):
    index = pages["index.html"]
    links = [a["href"] for a in index.select(".toctree-wrapper a.reference.internal")]
    pages_order = [h.split("#")[0] for h in links if "#" not in h]
    assert pages_order[-1] == "chapters/09-sources.html", pages_order
    assert pages_order[-2] == "chapters/how-to-cite.html", pages_order


def test_edition_and_date_on_every_page(pages):
    for name, soup in pages.items():
        if name.startswith("_static/"):
            continue  # the theme's template fragments, copied as they are
        footer = squash(" ".join(f.get_text(" ") for f in soup.select("footer")))
        assert f"Edition {META['version']}, {DATE_TEXT}" in footer, f"{name}: no edition in the footer"


# -- Head metadata -----------------------------------------------------------------------------

def check_head(name: str, html: str) -> list[str]:
    """Problems with one page's Highwire tags, JSON-LD and OpenGraph."""
    soup = BeautifulSoup(html, "html.parser")
    canonical = soup.select_one("link[rel=canonical]")["href"]
    problems = []
    # Highwire Press (Google Scholar's inclusion guidelines)
    tags: dict[str, list[str]] = {}
    for meta in soup.select('head meta[name^="citation_"], head meta[name^="prism."]'):
        tags.setdefault(meta["name"], []).append(meta["content"])
    for required in ("citation_title", "citation_author", "citation_publication_date",
                     "citation_pdf_url", "citation_language", "prism.edition"):
        if not tags.get(required):
            problems.append(f"{name}: no {required}")
    if tags.get("citation_author") and len(tags["citation_author"]) != len(META["authors"]):
        problems.append(f"{name}: {len(tags['citation_author'])} citation_author for {len(META['authors'])} authors")
    if tags.get("citation_publication_date") != [f"{RELEASED:%Y/%m/%d}"]:
        problems.append(f"{name}: citation_publication_date {tags.get('citation_publication_date')}")
    for pdf in tags.get("citation_pdf_url", []):
        if urlsplit(pdf).netloc != urlsplit(canonical).netloc or not pdf.endswith(".pdf"):
            problems.append(f"{name}: citation_pdf_url {pdf} is not a PDF on the page's own host")
    # JSON-LD and OpenGraph, read as a consumer reads them
    data = extruct.extract(html, base_url=canonical, syntaxes=["json-ld", "opengraph"], uniform=True)
    items = data["json-ld"]
    if len(items) != 1:
        return problems + [f"{name}: {len(items)} JSON-LD items, expected 1"]
    item = items[0]
    book = item if name == "index.html" else item.get("isPartOf", {})
    if name == "index.html" and item.get("@type") != "Book":
        problems.append(f"{name}: JSON-LD is a {item.get('@type')}, not a Book")
    if name != "index.html" and (item.get("@type") not in ("Chapter", "CreativeWork") or item.get("url") != canonical):
        problems.append(f"{name}: JSON-LD is not a Chapter or CreativeWork at {canonical}")
    if tags.get("citation_abstract_html_url") != [canonical]:
        problems.append(f"{name}: citation_abstract_html_url {tags.get('citation_abstract_html_url')} is not {canonical}")
    if any("," not in a for a in tags.get("citation_author", [])):
        problems.append(f"{name}: a citation_author without a comma, which Zotero splits at its last space")
    if book.get("@type") != "Book" or book.get("name") != META["title"] \
            or book.get("bookEdition") != str(META["version"]) \
            or book.get("datePublished") != RELEASED.isoformat():
        problems.append(f"{name}: the JSON-LD Book lacks the title, edition or date")
    og = data["opengraph"][0] if data["opengraph"] else {}
    # extruct's uniform output turns og:type into @type
    if og.get("og:url") != canonical or not og.get("og:title") or not og.get("@type"):
        problems.append(f"{name}: OpenGraph lacks og:url={canonical}, og:title or og:type")
    return problems


def test_every_page_has_citation_metadata(html_dir, pages):
    content = content_pages(pages)
    problems = []
    for name in content:
        problems += check_head(name, (html_dir / name).read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_numbered_chapters_give_their_position(html_dir):
    for n, doc in enumerate(NUMBERED, 1):
        html = (html_dir / f"{doc}.html").read_text(encoding="utf-8")
        item, = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
        assert item["position"] == n and item["isPartOf"]["@type"] == "Book"


def test_head_check_finds_missing_metadata(html_dir):
    html = (html_dir / "chapters" / "03-china-position.html").read_text(encoding="utf-8")
    assert check_head("p.html", html) == []
    broken = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    broken = re.sub(r'<meta name="citation_pdf_url"[^>]*>', "", broken)
    problems = check_head("p.html", broken)
    assert "p.html: no citation_pdf_url" in problems and "p.html: 0 JSON-LD items, expected 1" in problems


# -- The PDF -----------------------------------------------------------------------------------

def test_pdf_title_page_back_has_edition_licence_and_citation(pdf_path):
    import subprocess

    back = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-enc", "UTF-8", str(pdf_path), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = squash(back)
    assert f"Edition {META['version']}, {DATE_TEXT}." in text
    assert "Suggested citation: " + squash(cite_formats.as_text(cite_formats.chicago(WORK))) in text, text
    assert "CC BY 4.0" in text and "creativecommons.org/licenses/by/4.0" in text
    assert "DOI: not yet assigned" in text
    front = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", str(pdf_path), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert f"Edition {META['version']}" in front and DATE_TEXT in squash(front)
