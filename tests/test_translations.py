"""The Korean and Chinese editions (_ext/translations.py): the /ko/ and /zh/ sites build strict,
say their language, link their alternates, keep the brief's paragraph numbers, and their PDFs
of the brief hold real text in embedded fonts. The catalogues are whatever the translators have
done so far: these tests check structure, never how much is translated.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, hb

import translation_status  # noqa: E402
import translations  # noqa: E402

TAGS = {"ko": "ko", "zh_CN": "zh-Hans"}
TRANSLATED = [f"{doc}.html" for doc in hb.TRANSLATED_DOCS]
BRIEF = "chapters/brief.html"


def build(builder: str, language: str, outdir: Path, workdir: Path) -> subprocess.CompletedProcess:
    cmd = hb.translation_command(builder, language, outdir=outdir, workdir=workdir, extra=["-N"])
    cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
    return subprocess.run(cmd, capture_output=True, text=True)


@pytest.fixture(scope="session")
def translated_sites(tmp_path_factory, html_dir) -> dict[str, Path]:
    """Each translation's site, built into the English site's folder as `nox -s build` does."""
    work = tmp_path_factory.mktemp("translations")
    sites = {}
    for language, folder in hb.TRANSLATIONS.items():
        outdir = html_dir / folder
        proc = build("html", language, outdir, work)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
        warnings = (work / f"html-{folder}-warnings.txt").read_text(encoding="utf-8")
        assert not warnings.strip(), warnings
        sites[language] = outdir
    return sites


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def anchors(page: BeautifulSoup) -> list[str]:
    return [a["id"] for a in page.select("a.para-num")]


# -- configuration ------------------------------------------------------------------------------

def test_one_list_of_languages_and_pages():
    """conf.py, the build commands and the BCP 47 tags agree."""
    import conf  # noqa: PLC0415

    assert {k: v["folder"] for k, v in conf.handbook_translations.items()} == hb.TRANSLATIONS
    assert {k: v["tag"] for k, v in conf.handbook_translations.items()} == TAGS
    assert conf.handbook_translated_docs == hb.TRANSLATED_DOCS
    for language in hb.TRANSLATIONS:
        for doc in hb.TRANSLATED_DOCS:
            assert translation_status.document_catalogue(language, doc).is_file(), (language, doc)
        assert (ROOT / "locales" / language / "LC_MESSAGES" / "handbook.po").is_file()


# -- the three sites ----------------------------------------------------------------------------

def test_translated_pages_have_lang_switcher_and_hreflang(translated_sites, html_dir):
    sites = {"en": html_dir, **translated_sites}
    tags = {"en": "en", **TAGS}
    for language, site in sites.items():
        for name in TRANSLATED:
            page = parse(site / name)
            assert page.html["lang"] == tags[language], (language, name)
            switcher = page.select(".handbook-languages a")
            assert {a["lang"] for a in switcher} == {"en", *TAGS.values()}, (language, name)
            for a in switcher:  # each link leads to a built page
                assert (site / name).parent.joinpath(a["href"]).resolve().is_file(), (language, a)
            links = {link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"][hreflang]')}
            assert set(links) == {"en", "x-default", *TAGS.values()}, (language, name)
            assert links["x-default"] == links["en"]


def test_untranslated_pages_say_so_and_have_no_hreflang(translated_sites):
    for language, site in translated_sites.items():
        page = parse(site / "chapters/01-background.html")
        assert page.html["lang"] == TAGS[language]
        assert not page.select('link[rel="alternate"][hreflang]')
        assert not page.select(".handbook-languages")
        assert page.select_one("section[lang=en]") is not None, "the English text is not marked"
        note = page.select_one(".translation-status")
        assert note is not None and note.find("a", href=re.compile(r"^https?://")), language
        canonical = page.select_one('link[rel="canonical"]')["href"]
        assert f"/{hb.TRANSLATIONS[language]}/" not in canonical, canonical


def test_status_note_on_translated_pages(translated_sites):
    for language, site in translated_sites.items():
        for name in TRANSLATED:
            doc = name.removesuffix(".html")
            note = parse(site / name).select_one(".translation-status")
            assert note is not None, (language, name)
            assert note.find("a"), "no link to the English page"
            behind = translation_status.status(translation_status.document_catalogue(language, doc))
            assert ("translation-outdated" in note["class"]) == (not behind.complete), (language, name)


def test_brief_paragraph_anchors_identical(translated_sites, html_dir):
    english = anchors(parse(html_dir / BRIEF))
    assert english == [f"para-b-{n}" for n in range(1, 15)], english
    for language, site in translated_sites.items():
        assert anchors(parse(site / BRIEF)) == english, language


def test_download_links_resolve(translated_sites):
    """Every download link of a translated page leads to a file in the built sites (the English
    PDF and EPUB are absent from an HTML-only build, so only the page's own PDFs are checked)."""
    for language, site in translated_sites.items():
        page = parse(site / BRIEF)
        hrefs = [a["href"] for a in page.select(".handbook-downloads a")]
        assert hb.translated_pdf_name(language) in " ".join(hrefs), hrefs


# -- catalogues and terminology --------------------------------------------------------------------

def test_status_checker_counts(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "a"\nmsgstr "가"\n\n#, fuzzy\nmsgid "b"\nmsgstr "나"\n\n'
                  'msgid "c"\nmsgstr ""\n', encoding="utf-8")
    result = translation_status.status(po)
    assert (result.total, result.fuzzy, result.untranslated) == (3, 1, 1)
    assert result.line(tmp_path) == "x.po: 1 fuzzy, 1 untranslated (of 3)"
    proc = subprocess.run([sys.executable, str(ROOT / "_ext" / "translation_status.py")],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "locales/ko/LC_MESSAGES/chapters/brief.po:" in proc.stdout


def test_terminology_csv_errors_name_the_line(tmp_path):
    terms, keys = {"non-refoulement"}, {"refugeeconvention1951"}
    path = tmp_path / "terminology.csv"
    path.write_text("term,translation,source,pinpoint,note\n"
                    "non-refoulement,강제송환 금지,refugeeconvention1951,art. 33,\n"
                    "refoulment,x,refugeeconvention1951,,\n"
                    "non-refoulement,y,nosuchkey,,\n", encoding="utf-8")
    rows, problems = translations.read_terms(path, terms, keys)
    assert len(rows) == 3
    assert problems[0].startswith(f"{path}:3: unknown term 'refoulment'")
    assert problems[1].startswith(f"{path}:4: unknown citation key 'nosuchkey'")


def test_recorded_terminology_files_are_valid():
    terms = translations.glossary_terms(ROOT)
    keys = {m.group(2) for m in translations.BIB_KEY.finditer((ROOT / "references.bib").read_text("utf-8"))}
    for language in hb.TRANSLATIONS:
        path = ROOT / "locales" / language / "terminology.csv"
        assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(translations.TERM_COLUMNS)
        _rows, problems = translations.read_terms(path, terms, keys)
        assert not problems, "\n".join(problems)


def terminology_mismatches(language: str) -> list[str]:
    """Each translated string whose English contains a recorded term but whose translation
    does not contain the recorded translation (the part before any parenthesis)."""
    from babel.messages.pofile import read_po

    path = ROOT / "locales" / language / "terminology.csv"
    with path.open(encoding="utf-8") as handle:
        recorded = [(row["term"], row["translation"].split(" (")[0].strip())
                    for row in csv.DictReader(handle) if row["term"] and row["translation"]]
    found = []
    for doc in hb.TRANSLATED_DOCS:
        po = translation_status.document_catalogue(language, doc)
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            for term, translation in recorded:
                if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", message.id, re.I) \
                        and translation not in message.string:
                    found.append(f"{po.relative_to(ROOT)}: '{term}' should be '{translation}' in: "
                                 f"{message.string[:60]}")
    return found


@pytest.mark.parametrize("language", list(hb.TRANSLATIONS))
def test_translations_use_the_recorded_terms(language):
    problems = terminology_mismatches(language)
    assert not problems, f"{len(problems)} strings:\n" + "\n".join(problems)


# -- the PDFs of the brief --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def translated_pdfs(tmp_path_factory) -> dict[str, Path]:
    missing = hb.missing_tex()
    assert not missing, f"the PDF toolchain is incomplete: {missing}; run: {' '.join(hb.APT_INSTALL)}"
    work = tmp_path_factory.mktemp("translated-pdf")
    pdfs = {}
    for language, folder in hb.TRANSLATIONS.items():
        latexdir = work / f"latex-{folder}"
        proc = build("latex", language, latexdir, work)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
        proc = subprocess.run(hb.latexmk_command(latexdir), capture_output=True, text=True)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
        pdfs[language] = latexdir / hb.translated_pdf_name(language)
    return pdfs


def test_pdfs_have_text_glyphs_fonts_and_metadata(translated_pdfs):
    for language, pdf in translated_pdfs.items():
        log = pdf.with_suffix(".log")
        assert not hb.missing_glyphs(log), hb.missing_glyphs(log)[:5]
        assert not hb.overfull_boxes(log), hb.overfull_boxes(log)[:5]
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "B.1" in text and "B.14" in text, language
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), fonts
        assert any("CJK" in row for row in rows), fonts
        info = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True).stdout
        assert f"<dc:language><rdf:Bag><rdf:li>{TAGS[language]}" in info.replace("\n", "").replace(" ", "") \
            or f">{TAGS[language]}<" in info, info[:2000]
