"""The four citation formats of a page, all made from its one CSL-JSON item (cite_work.py).

* **Chicago (author-date, 18th edition) and APA (7th edition)**: rendered by citeproc-py with
  the official CSL styles, vendored in ``_ext/csl/`` with their licence. The same style files
  render the client tests' citation-js output, so what the page prints is what a reference
  manager prints.
* **BibTeX**: written by pybtex's BibTeX writer (subclassed only to leave ``url`` and ``doi``
  unescaped, as BibTeX reads them verbatim). Titles in headline style with each proper noun
  and acronym protected by its own braces ({North} {Korean} {UN}), so that styles which
  sentence-case titles (APA, biblatex-apa) can, and the names survive; the date with its day
  in biblatex's ``date`` and in BibTeX's ``year``/``month``/``day``.
* **RIS**: written by rispy, with the chapter number in ``SE`` and the date with its day.

Corrections to citeproc-py 0.11.1, the smallest that make its output equal the style's
intended output (citation-js renders the same items correctly):

* ``punctuation-in-quote``: citeproc-py reads the locale option but never applies it
  (``citeproc/model.py``, ``Quoted.quote``: the code that would is commented out), so
  Chicago's ``“Title”.`` comes out instead of ``“Title.”``; :func:`_punctuation_in_quote`
  moves the period or comma inside the closing quotation mark when the style's locale says so.
"""

from __future__ import annotations

import html
import io
import re
from functools import cache
from pathlib import Path

import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer

from cite_work import Page, Work, csl_item, keeps_capitals, proper_nouns

CSL_DIR = Path(__file__).parent / "csl"
# name shown on the page -> the vendored style file
STYLES = {"Chicago (author-date, 18th ed.)": "chicago-author-date.csl", "APA (7th ed.)": "apa.csl"}
CHICAGO, APA = STYLES
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MINOR_WORDS = set(  # Chicago Manual of Style 8.159: these stay lower case inside a headline
    "a an the and but or nor for so yet as at by in into of off on onto out over per to up via "
    "with from than upon within without about across after against along among around before "
    "behind below beneath beside between beyond during except inside near since through toward "
    "towards under until".split()
)

# A citation in running text is a list of (text, italic) pieces, so that the same citation
# renders as plain text, HTML and LaTeX.
Pieces = list[tuple[str, bool]]


# -- Chicago and APA: citeproc-py with the vendored styles ---------------------------------------

@cache
def _style(name: str) -> CitationStylesStyle:
    return CitationStylesStyle(str(CSL_DIR / STYLES[name]), validate=False)


def _punctuation_in_quote(text: str) -> str:
    return re.sub("\u201d([.,])", "\\1\u201d", text)


def render(item: dict, style: str) -> Pieces:
    """One bibliography entry of ``item`` in ``style`` (a key of STYLES), as pieces."""
    bib = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.html)
    bib.register(Citation([CitationItem(item["id"])]))
    out = str(bib.bibliography()[0])
    if _style(style).root.get_locale_option("punctuation-in-quote").lower() == "true":
        out = _punctuation_in_quote(out)
    pieces = []
    for i, part in enumerate(re.split(r"</?i>", out)):
        if part:
            pieces.append((html.unescape(part), i % 2 == 1))
    return pieces


def chicago(work: Work, page: Page | None = None) -> Pieces:
    return render(csl_item(work, page), CHICAGO)


def apa(work: Work, page: Page | None = None) -> Pieces:
    return render(csl_item(work, page), APA)


def as_text(pieces: Pieces) -> str:
    return "".join(text for text, _ in pieces)


def as_html(pieces: Pieces) -> str:
    return "".join(f"<em>{html.escape(t)}</em>" if italic else html.escape(t) for t, italic in pieces)


def as_latex(pieces: Pieces) -> str:
    from sphinx.util.texescape import escape

    out = []
    for text, italic in pieces:
        # URLs break at slashes in \url; elsewhere escape TeX's special characters
        parts = re.split(r"(https?://\S+?)(?=\.?$|\.?\s)", text)
        escaped = "".join(rf"\url{{{p}}}" if p.startswith("http") else escape(p, "lualatex") for p in parts)
        out.append(rf"\emph{{{escaped}}}" if italic else escaped)
    return "".join(out)


# -- BibTeX: pybtex's writer ---------------------------------------------------------------------

class _Writer(Writer):
    """pybtex's writer encodes every field as LaTeX (``_`` becomes ``\\_``); BibTeX and biber
    read ``url`` and ``doi`` verbatim, so those are written as they are."""

    VERBATIM = ("url", "doi")

    def _write_field(self, stream, type, value):  # noqa: A002 (pybtex's signature)
        if type.lower() == "month":  # BibTeX's own macro (dec): styles print the month's name
            stream.write(f",\n    {type} = {MONTHS[int(value) - 1]}")
        elif type.lower() in self.VERBATIM:
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)


def headline_case(title: str) -> str:
    """Chicago headline style from a sentence-case title: capitalise all but minor words."""
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        after_colon = i > 0 and words[i - 1].endswith(":")
        if word.lower() in MINOR_WORDS and not (i == 0 or i == len(words) - 1 or after_colon):
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def protect(title: str, names: set[str]) -> str:
    """Braces around each name and acronym, one word at a time: a style may change the case of
    the rest of the title, never of these (whole-title braces would lock every word)."""
    words = []
    for word in title.split(" "):
        if keeps_capitals(word, names):
            word = re.sub(r"^(\W*)(.*?)((?:['\u2019]s)?\W*)$", r"\1{\2}\3", word)
        words.append(word)
    return " ".join(words)


def _bib_person(author: dict) -> Person:
    if "family-names" not in author:
        return Person(f"{{{author['name']}}}")  # one name: braces keep BibTeX from splitting it
    return Person(last=author["family-names"], first=author.get("given-names", ""))


def bibtex(work: Work, page: Page | None = None) -> str:
    item = csl_item(work, page)
    # the names in a sentence-case title: its capitalised words that start no phrase
    words = item["title"].split()
    names = proper_nouns(work) | {w for i, w in enumerate(words)
                                  if i and w[:1].isupper() and not words[i - 1].endswith(":")}
    title = protect(headline_case(item["title"]), {re.sub(r"(['\u2019]s|\W)+$", "", w) for w in names})
    fields = [("title", title)]
    if "container-title" in item:
        fields.append(("booktitle", protect(headline_case(item["container-title"]), proper_nouns(work))))
    if item.get("chapter-number"):
        fields.append(("chapter", item["chapter-number"]))
    year, month, day = item["issued"]["date-parts"][0]
    fields += [
        ("edition", item["edition"]),
        ("date", f"{year:04d}-{month:02d}-{day:02d}"),  # biblatex (biber)
        ("year", str(year)), ("month", str(month)), ("day", str(day)),  # BibTeX (natbib)
        ("url", item["URL"]),
        ("langid", {"en": "english", "ko": "korean", "zh": "chinese"}.get(item["language"], item["language"])),
    ]
    if item.get("publisher"):
        fields.append(("publisher", item["publisher"]))
    if item.get("DOI"):
        fields.append(("doi", item["DOI"]))
    entry = Entry("book" if item["type"] == "book" else "incollection", fields=fields,
                  persons={"author": [_bib_person(a) for a in work.authors]})
    stream = io.StringIO()
    _Writer().write_stream(BibliographyData({item["id"]: entry}), stream)
    return stream.getvalue().strip() + "\n"


# -- RIS: rispy's writer ---------------------------------------------------------------------

def ris(work: Work, page: Page | None = None) -> str:
    item = csl_item(work, page)
    year, month, day = item["issued"]["date-parts"][0]
    entry = {
        "type_of_reference": "BOOK" if item["type"] == "book" else "CHAP",
        "authors": [a.get("literal") or f"{a['family']}, {a.get('given', '')}".rstrip(", ")
                    for a in item["author"]],
        "title": item["title"],
        "edition": item["edition"],
        "year": str(year),  # PY; citation-js reads only this
        "date": f"{year:04d}/{month:02d}/{day:02d}",  # DA, with the day: Zotero reads it
        "language": item["language"],
        "urls": [item["URL"]],
    }
    if "container-title" in item:
        entry["secondary_title"] = item["container-title"]
    if item.get("chapter-number"):
        entry["section"] = item["chapter-number"]  # SE: the chapter, as Zotero and EndNote read it
    if item.get("abstract"):
        entry["abstract"] = item["abstract"]
    if item.get("publisher"):
        entry["publisher"] = item["publisher"]
    if item.get("DOI"):
        entry["doi"] = item["DOI"]
    return rispy.dumps([entry], implementation=_RisWriter).strip("\n") + "\n"


class _RisWriter(rispy.RisWriter):
    """rispy's writer, without the record counter ("1.") it puts before each record: RIS has
    no such line, and a single record needs none (``set_header`` returning "" is rispy's way)."""

    def set_header(self, count):
        return ""
