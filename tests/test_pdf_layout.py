"""The PDF as a printed report: nothing outside the text area, no blank page, unique table and
figure numbers, the front matter in order, each chapter's own PDF, and PDF/A.

The layout checks read the final LaTeX run's log (overfull boxes) and every character's
position in the PDF (pdfplumber), against the text area that _latex/handbook.sty writes into
the log. tests/fixtures/pdf-layout is a book with a too-wide, too-tall table and a long line of
Chinese: built with Sphinx's LaTeX defaults, both checks must find the defects; built with the
handbook's settings, neither may.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import ROOT, hb, run_sphinx

FIXTURE = ROOT / "tests" / "fixtures" / "pdf-layout"
TOLERANCE = 1.0  # points
AREA_LINE = re.compile(r"handbook-text-area:\s*" + r"\s+".join([r"(-?[\d.]+)"] * 6))
# a paragraph number in the left margin: 3.14, or B.3 in the brief
PARA_NUMBER = re.compile(r"^(?:[A-Z]|\d+)\.\d+$")
CAPTION = re.compile(r"^(Table|Figure) ([A-Z]?\d+(?:\.\d+)?): ", re.M)


# -- The checks ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TextArea:
    """In PDF points from the page's lower left corner (_latex/handbook.sty, section 4)."""

    left: float
    right: float
    bottom: float
    top: float
    foot: float  # baseline of the running foot
    head: float  # baseline of the running head


def text_area(log: Path) -> TextArea:
    match = AREA_LINE.search(log.read_text(encoding="utf-8", errors="replace"))
    assert match, f"{log.name} does not report the text area (see _latex/handbook.sty)"
    return TextArea(*(float(v) for v in match.groups()))


def layout_problems(pdf: Path, area: TextArea, tol: float = TOLERANCE) -> list[str]:
    """Every character outside the text area or over the running head or foot, every picture
    wider than the text, and every overprinted head or foot, as 'p. N: ...'."""
    problems = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            margin = defaultdict(list)
            bands = {"head": [], "foot": []}
            for char in page.chars:
                if not char["text"].strip():
                    continue
                base = char["matrix"][5]
                where = f"p. {number}: {char['text']!r} (x {char['x0']:.0f}-{char['x1']:.0f}, baseline {base:.0f})"
                if abs(base - area.foot) <= tol or abs(base - area.head) <= tol:
                    bands["foot" if abs(base - area.foot) <= tol else "head"].append(char)
                    if char["x0"] < area.left - tol or char["x1"] > area.right + tol:
                        problems.append(f"{where} sticks out of the running head or foot")
                    continue
                if base < area.bottom - tol:
                    problems.append(f"{where} is below the text area, over the running foot")
                elif char["y1"] > area.top + tol:
                    problems.append(f"{where} is above the text area")
                elif char["x1"] > area.right + tol:
                    problems.append(f"{where} is in the right margin")
                elif char["x0"] < area.left - tol:
                    margin[round(base)].append(char)
            # the left margin holds paragraph numbers and nothing else
            for chars in margin.values():
                text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"]))
                if not PARA_NUMBER.match(text):
                    problems.append(f"p. {number}: {text!r} is in the left margin")
            # running head and foot: one line each, nothing printed over it
            for name, chars in bands.items():
                chars.sort(key=lambda c: c["x0"])
                for a, b in zip(chars, chars[1:], strict=False):
                    if b["x0"] < a["x1"] - tol:
                        problems.append(f"p. {number}: {a['text']!r} and {b['text']!r} overprint "
                                        f"each other in the running {name}")
            # pictures; a drawing (a vector figure) wider than the text is an overfull box in
            # the log, and its paths may reach beyond what its clipping shows
            for obj in page.images:
                if obj["x0"] < area.left - tol or obj["x1"] > area.right + tol:
                    problems.append(f"p. {number}: a picture is wider than the text "
                                    f"(x {obj['x0']:.0f}-{obj['x1']:.0f})")
    return problems


def list_entries(latexdir: Path) -> list[str]:
    """Each entry of the lists of figures and tables (the .lof and .lot files), as plain text
    and as the contents page prints it: without what \\handbookrest holds (_latex/handbook.sty)."""
    entries = []
    for path in sorted([*latexdir.glob("*.lof"), *latexdir.glob("*.lot")]):
        for line in path.read_text(encoding="utf-8").splitlines():
            start = line.find(r"\numberline ")
            if not line.startswith(r"\contentsline ") or start < 0:
                continue
            # without the page number and link target: "}{26}{table.4.1}%"
            line = re.sub(r"\}\{[^{}]*\}\{[^{}]*\}%?$", "", line).replace(r"\sphinxhyphen {}", "-")
            text, depth, skip = "", 0, None
            for i, char in enumerate(line[start:], start):
                if skip is None and line.startswith(r"\handbookrest {", i):
                    skip = depth  # the rest of the caption: not in the list
                if char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                    if skip is not None and depth == skip:
                        skip = None
                        continue
                if skip is None:
                    text += char
            text = re.sub(r"\\numberline \{[^}]*\}|\\[A-Za-z]+ ?|[{}]", "", text)
            entries.append(" ".join(text.split()))
    return entries


def longer_than_first_sentence(entries: list[str]) -> list[str]:
    """List entries that go on after their first sentence (_ext/pdf_book.py's rule)."""
    from pdf_book import first_sentence_end

    long = []
    for entry in entries:
        end = first_sentence_end(entry)
        if end is not None and entry[end:].strip(" .:}"):
            long.append(entry)
    return long


def blank_pages(pdf: Path, area: TextArea, tol: float = TOLERANCE) -> list[int]:
    """Pages with nothing in the text area but perhaps a running head and foot."""
    blank = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            body = [c for c in page.chars if c["text"].strip()
                    and abs(c["matrix"][5] - area.foot) > tol and abs(c["matrix"][5] - area.head) > tol]
            if not body and not page.images and not page.curves:
                blank.append(number)
    return blank


# -- The handbook ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def log(latex_build) -> Path:
    return latex_build.outdir / f"{hb.PDF_NAME}.log"


@pytest.fixture(scope="module")
def area(log) -> TextArea:
    return text_area(log)


def test_no_overfull_box_in_the_final_latex_run(log):
    overfull = hb.overfull_boxes(log)
    assert not overfull, ("text or a table runs into the margin (lines of the .tex file; widen "
                          "the column with :widths:):\n" + "\n".join(overfull[:20]))


def test_every_character_inside_the_text_area(pdf_path, area):
    problems = layout_problems(pdf_path, area)
    assert not problems, f"{len(problems)} problems, the first:\n" + "\n".join(problems[:20])


def test_no_blank_page(pdf_path, area):
    assert blank_pages(pdf_path, area) == []


def test_table_and_figure_numbers_unique(pdf_text):
    seen = defaultdict(int)
    for kind, number in CAPTION.findall(pdf_text):
        seen[(kind, number)] += 1
    assert seen, "no numbered table or figure in the PDF"
    duplicates = {f"{kind} {number}": n for (kind, number), n in seen.items() if n > 1}
    assert not duplicates, f"numbers used more than once: {duplicates}"
    chapters = {number.split(".")[0] for kind, number in seen if "." in number}
    assert len(chapters) > 1, "tables and figures are numbered by chapter (numfig_secnum_depth = 1)"


def test_lists_of_figures_and_tables_give_first_sentences(latex_build, pdf_text):
    """The lists on the contents page name each figure and table by its caption's first
    sentence; the caption under it is whole."""
    entries = list_entries(latex_build.outdir)
    assert len(entries) >= 5, entries
    assert longer_than_first_sentence(entries) == []
    flat = " ".join(pdf_text.split())
    assert "The China-North Korea border region. Boundaries:" in flat.replace("\u2011", "-"), \
        "the figure's caption lost its second sentence"


def test_front_matter_in_report_order(pdf_path):
    """Title page, its back, the brief, the contents; no "CHAPTER ONE"; chapter 1 on page 1."""
    reader = PdfReader(pdf_path)
    text = [page.extract_text() or "" for page in reader.pages[:12]]
    assert "A Policy Handbook" in text[0] and "Edition" in text[0]
    assert "Suggested citation" in text[1]
    brief = next(i for i, t in enumerate(text) if t.lstrip().startswith("Brief"))
    contents = next(i for i, t in enumerate(text) if t.lstrip().startswith("Contents"))
    assert 1 < brief < contents, "the brief comes before the contents"
    assert not re.search(r"CHAPTER [A-Z]+", "\n".join(text))
    labels = reader.page_labels
    first = next(i for i, t in enumerate(text) if re.match(r"\s*Chapter 1\b", t))
    assert labels[first] == "1" and labels[brief] in ("iii", "iv"), labels[:first + 1]


def test_sections_are_not_numbered(pdf_path):
    """Only chapters carry numbers (0.2.0): no bookmark reads like "3.2 Section"."""
    reader = PdfReader(pdf_path)

    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [item.title]

    numbered = [t for t in titles(reader.outline) if re.match(r"^\d+\.\d+\s", t)]
    assert not numbered, numbered[:5]


def test_pdf_is_pdf_a_2b(pdf_path):
    """What a PDF/A-2b validator checks first, read with pypdf (veraPDF is not packaged for
    Debian, PyPI or npm): the XMP identification, the output intent with its ICC profile,
    embedded fonts (test_pdf.py), printable annotations, no encryption, no JavaScript, and
    document information that agrees with the XMP."""
    reader = PdfReader(pdf_path)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", xmp), "no PDF/A-2 identification in the XMP"
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    assert any(i["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents)
    assert "/Encrypt" not in reader.trailer and "/ID" in reader.trailer
    assert "/JavaScript" not in (root.get("/Names") or {}) and "/AA" not in root
    opening = root.get("/OpenAction")
    assert opening is None or not hasattr(opening.get_object(), "get") \
        or opening.get_object().get("/S") != "/JavaScript"
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            flags = annot.get_object().get("/F", 0)
            assert flags & 4 and not flags & 2, "an annotation that is not printed (PDF/A 6.3.2)"
    title = re.search(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", xmp, re.S).group(1)
    assert title == reader.metadata.title


def test_pdf_dates_are_the_release_date(pdf_path):
    """SOURCE_DATE_EPOCH: the same sources give the same PDF, dated the edition's release."""
    released = str(__import__("yaml").safe_load((ROOT / "CITATION.cff").read_text())["date-released"])
    assert PdfReader(pdf_path).metadata["/CreationDate"].startswith("D:" + released.replace("-", ""))


# -- Each chapter's own PDF ------------------------------------------------------------------

@pytest.fixture(scope="module")
def manifest(latex_build) -> dict:
    return json.loads((latex_build.outdir / "chapters.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def starts(latex_build) -> dict[str, int]:
    pages = (latex_build.outdir / f"{hb.PDF_NAME}.pages").read_text(encoding="utf-8").split("\n")
    return {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1]) for line in pages if line.strip()}


def test_chapter_pdfs_are_the_brief_and_the_chapters(manifest):
    docs = [c["docname"] for c in manifest["chapters"]]
    assert docs[0] == "chapters/brief"
    numbers = [c["number"] for c in manifest["chapters"] if c["number"]]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 6
    assert not any(d.endswith(("timeline", "glossary", "sources")) for d in docs)


def test_each_chapter_pdf(manifest, starts, chapter_pdfs, pdf_path):
    book = PdfReader(pdf_path)
    order = sorted(starts.values())
    for chapter in manifest["chapters"]:
        path = chapter_pdfs / chapter["file"]
        assert path.is_file(), f"no {chapter['file']}"
        reader = PdfReader(path)
        first = starts[chapter["docname"]]
        last = order[order.index(first) + 1] - 1
        assert len(reader.pages) == 1 + last - first + 1, f"{chapter['file']}: wrong page count"
        # the same pages as the book's, after the title page
        assert reader.pages[1].extract_text()[:200] == book.pages[first - 1].extract_text()[:200]
        info = reader.metadata
        assert info.title == chapter["title"]
        assert manifest["title"] in info.subject and manifest["edition"] in info.subject \
            and manifest["date"] in info.subject
        assert info.author == manifest["author"]
        cover = " ".join(reader.pages[0].extract_text().split())
        line = f"Chapter {chapter['number']} of" if chapter["number"] else "from"
        assert line in cover and "A Policy Handbook" in cover, cover[:300]
        outline = [o.title for o in reader.outline if not isinstance(o, list)]
        assert outline[0] == "Title page" and chapter["title"] in outline[1], outline[:3]
        assert len(reader.outline) > 2, f"{chapter['file']}: no bookmarks for the sections"
        # every internal link lands on one of this PDF's own pages
        own = {page.indirect_reference.idnum for page in reader.pages}
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                annot = annot.get_object()
                if "/Dest" in annot:
                    assert annot["/Dest"][0].idnum in own, f"{chapter['file']}: a dead link"


def pdf_a_problems(reader: PdfReader) -> list[str]:
    """What keeps a chapter PDF from being PDF/A-2b as its book is: no PDF/A identification or
    output intent, XMP that disagrees with the document information, an unprinted link."""
    root = reader.trailer["/Root"]
    if "/Metadata" not in root:
        return ["no XMP metadata"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    problems = [] if re.search(r"<pdfaid:part>2</pdfaid:part>\s*<pdfaid:conformance>B<", xmp) \
        else ["no PDF/A-2b identification in the XMP"]
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    if not any(i["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
        problems.append("no PDF/A output intent")
    info = reader.metadata
    for element, key in (("dc:title", "/Title"), ("dc:description", "/Subject"),
                         ("pdf:Producer", "/Producer"), ("xmp:CreatorTool", "/Creator")):
        found = re.search(rf"<{element}>(?:\s*<rdf:\w+>\s*<rdf:li[^>]*>)?(.*?)<", xmp, re.S)
        value = __import__("html").unescape(found.group(1)) if found else None
        if value != info.get(key):
            problems.append(f"XMP {element} {value!r} is not the document information's {info.get(key)!r}")
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            if not annot.get_object().get("/F", 0) & 4:
                problems.append("an annotation that is not printed")
                break
    return problems


def test_chapter_pdfs_are_pdf_a(manifest, chapter_pdfs, pdf_path):
    """Each chapter PDF keeps the book's PDF/A identification and output intent, with its own
    title in the XMP; a page cut by pypdf alone has neither (the check's bad fixture)."""
    for chapter in manifest["chapters"]:
        reader = PdfReader(chapter_pdfs / chapter["file"])
        assert pdf_a_problems(reader) == [], chapter["file"]
        assert reader.xmp_metadata.dc_title["x-default"] == chapter["title"]
    import io

    from pypdf import PdfWriter

    bare, out = PdfWriter(), io.BytesIO()
    bare.add_page(PdfReader(pdf_path).pages[0])
    bare.add_metadata({"/Title": "x"})
    bare.write(out)
    assert len(pdf_a_problems(PdfReader(out))) >= 1


def test_chapter_pdf_links_lead_to_the_website(manifest, chapter_pdfs):
    """A citation in a chapter PDF leads to its entry on the Sources page of the website."""
    chapter = next(c for c in manifest["chapters"] if c["number"] == 1)
    uris = [annot.get_object()["/A"]["/URI"] for page in PdfReader(chapter_pdfs / chapter["file"]).pages
            for annot in page.get("/Annots") or [] if "/A" in annot.get_object()
            and annot.get_object()["/A"].get("/S") == "/URI"]
    sources = manifest["pages"]["chapters/09-sources"]
    assert any(u.startswith(sources + "#cite-") for u in uris), uris[:10]


def test_every_chapter_page_links_its_own_pdf(manifest, pages, html_dir):
    for chapter in manifest["chapters"]:
        page = pages[f"{chapter['docname']}.html"]
        own = Path(chapter["file"]).name
        links = [a["href"] for a in page.select("nav.handbook-downloads a")]
        assert own in links, f"{chapter['docname']}: no link to {own} in {links}"
        assert links.index(own) == 1, "the whole book's PDF stays the first download"
        assert (html_dir / chapter["file"]).is_file()
        meta = page.find("meta", attrs={"name": "citation_pdf_url"})
        assert meta and meta["content"] == chapter["pdf_url"], (chapter["docname"], meta)


# -- The fixture book: the checks catch the defects ---------------------------------------------

def build_fixture(tmp_path: Path, confdir: Path) -> tuple[Path, Path]:
    latex = run_sphinx("latex", tmp_path / "latex", srcdir=FIXTURE, confdir=confdir)
    assert latex.returncode == 0, latex.output[-3000:]
    proc = subprocess.run(hb.latexmk_command(latex.outdir), capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    tex = next(p for p in latex.outdir.glob("*.tex") if p.stem != "handbook-chapter-titles")
    return tex.with_suffix(".pdf"), tex.with_suffix(".log")


def test_checks_catch_a_wide_table_and_a_long_chinese_line(tmp_path, tex):
    pdf, log = build_fixture(tmp_path / "before", FIXTURE)  # Sphinx's LaTeX defaults
    overfull = hb.overfull_boxes(log)
    problems = layout_problems(pdf, text_area(log))
    assert overfull, "the overfull-box check missed the defects"
    assert any("right margin" in p for p in problems), problems[:5]
    assert any("\u4e2d" in p or "\u8bb0" in p or "\u5f55" in p for p in problems), \
        "the character check missed the Chinese line"
    assert any("below the text area" in p for p in problems), "the table over the foot was missed"
    # Sphinx's defaults print no list of tables: the list entry LaTeX would write for the caption
    caption = re.search(r"\\(?:sphinx)?caption\{(.*?)\}\\label", log.with_suffix(".tex").read_text(encoding="utf-8"))
    (tmp_path / "whole.lot").write_text(rf"\contentsline {{table}}{{\numberline {{1}}{{{caption.group(1)}"
                                        r"\strut }}{1}{table.1}%" "\n", encoding="utf-8")
    assert longer_than_first_sentence(list_entries(tmp_path)), "the whole caption in the list was missed"


def test_handbook_settings_fix_the_fixture(tmp_path, tex):
    pdf, log = build_fixture(tmp_path / "after", ROOT)  # the handbook's conf.py
    assert hb.overfull_boxes(log) == []
    assert layout_problems(pdf, text_area(log)) == []
    assert blank_pages(pdf, text_area(log)) == []
    assert list_entries(log.parent) and longer_than_first_sentence(list_entries(log.parent)) == []
