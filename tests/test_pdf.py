"""The PDF: metadata, bookmarks, fonts, Korean and Chinese text, and one bibliography."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml
from pypdf import PdfReader

from conftest import CHAPTERS, ROOT, SOURCES, hb

META = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
HANGUL = re.compile(r"[\uac00-\ud7a3]+")
HAN = re.compile(r"[\u4e00-\u9fff]+")


def plain(text: str) -> str:
    """Fold typographic quotes and dashes (Sphinx's smartquotes) to their ASCII forms."""
    return text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                                         "\u2013": "-", "\u2014": "-"}))


def chapter_titles() -> list[str]:
    titles = []
    for chapter in CHAPTERS:
        title = re.search(r"^# (.+)$", chapter.read_text(encoding="utf-8"), re.M).group(1)
        titles.append(re.sub(r"[*_`]", "", title).strip())
    return titles


def flat_outline(items) -> list[str]:
    out = []
    for item in items:
        out += flat_outline(item) if isinstance(item, list) else [item.title]
    return out


@pytest.fixture(scope="module")
def reader(pdf_path) -> PdfReader:
    return PdfReader(pdf_path)


def test_pdf_metadata(reader):
    info = reader.metadata
    assert info.title == META["title"]
    assert info.author == META["authors"][0]["name"]
    assert info.subject and "North Korean refugees" in info.subject
    # PDF/A: the keywords are in the XMP metadata (dc:subject), one by one; pdfx leaves the
    # legacy /Keywords entry out, which would have to repeat them as one string
    assert "non-refoulement" in (reader.xmp_metadata.dc_subject or [])
    assert reader.trailer["/Root"]["/Lang"] == "en"
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842), "the PDF is not A4"


def test_pdf_outline_has_every_chapter(reader):
    outline = [plain(re.sub(r"^\d+\s+", "", t).strip()) for t in flat_outline(reader.outline)]
    for title in chapter_titles():
        assert plain(title) in outline, f"no bookmark for chapter {title!r}"


def test_pdf_fonts_are_embedded(pdf_path):
    rows = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    fonts = rows.splitlines()[2:]
    assert fonts, "pdffonts found no fonts"
    not_embedded = [r for r in fonts if r.split()[-5] != "yes"]
    assert not not_embedded, not_embedded


def test_pdf_has_korean_and_chinese_text(pdf_path, latex_build):
    sources = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    hangul, han = set(HANGUL.findall(sources)), set(HAN.findall(sources))
    assert hangul and han, "the handbook should carry at least one Korean and one Chinese term"
    # the text area only: Chinese breaks between any two characters, also across pages, and
    # the running foot and head would come between the halves of a term
    from test_pdf_layout import text_area

    area = text_area(latex_build.outdir / f"{hb.PDF_NAME}.log")
    height = float(PdfReader(pdf_path).pages[0].mediabox[3])
    crop = ["-x", f"{area.left - 1:.0f}", "-y", f"{height - area.top - 2:.0f}",
            "-W", f"{area.right - area.left + 2:.0f}", "-H", f"{area.top - area.bottom + 6:.0f}"]
    body = subprocess.run(["pdftotext", "-enc", "UTF-8", *crop, str(pdf_path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", body)
    missing = sorted(t for t in hangul | han if t not in flat)
    assert not missing, f"not extractable from the PDF: {missing}"


def test_latex_log_has_no_missing_glyphs(latex_build):
    log = latex_build.outdir / f"{hb.PDF_NAME}.log"
    assert hb.missing_glyphs(log) == []


def test_bibliography_is_in_the_sources_chapter_only(latex_build, pdf_text):
    tex = (latex_build.outdir / f"{hb.PDF_NAME}.tex").read_text(encoding="utf-8")
    assert tex.count(r"\begin{sphinxthebibliography}") == 1
    sources = tex.index(r"\chapter{Sources}")  # the Sources page is a chapter of its own
    bib = tex.index(r"\begin{sphinxthebibliography}")
    assert sources < bib and r"\chapter" not in tex[sources + 10:bib], "the bibliography left its chapter"
    assert "Bibliography" not in pdf_text, "an extra Bibliography chapter was added"
    intro = re.sub(r"\s+", " ", pdf_text).index("This list holds every source")
    assert "[A/HRC/25/63] Commission of Inquiry" in re.sub(r"\s+", " ", pdf_text)[intro:], \
        "the bibliography entries are not rendered after the Sources chapter's introduction"


def section_titles() -> list[str]:
    titles = []
    for chapter in CHAPTERS:
        titles += [re.sub(r"[*_`]", "", t).strip()
                   for t in re.findall(r"^## (.+)$", chapter.read_text(encoding="utf-8"), re.M)]
    return titles


def test_pdf_outline_has_every_section(reader):
    # only chapters carry a number ("3 China's position"); "2013: the turn" is a title
    outline = {plain(re.sub(r"^\d+\s+", "", t).strip()) for t in flat_outline(reader.outline)}
    missing = [t for t in section_titles() if plain(t) not in outline]
    assert not missing, f"no bookmark for these sections: {missing}"


def test_pdf_citations_and_references_are_links(reader):
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and ("/Dest" in annot or annot.get("/A", {}).get("/S") == "/GoTo"):
                internal += 1
    # every citation links to its entry in Sources, so there are hundreds
    assert internal > 500, f"only {internal} internal links in the PDF"
