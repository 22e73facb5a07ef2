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
from datetime import date
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, SOURCES, hb

import translation_status  # noqa: E402
import translations  # noqa: E402

TAGS = {"ko": "ko", "zh_CN": "zh-Hans"}
TRANSLATED = [f"{doc}.html" for doc in hb.TRANSLATED_DOCS]
BRIEF = "chapters/brief.html"
META = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
RELEASED = date.fromisoformat(str(META["date-released"]))
# the edition's date as each language writes it (written out here, not by the build's Babel)
DATES = {"ko": f"{RELEASED.year}년 {RELEASED.month}월 {RELEASED.day}일",
         "zh_CN": f"{RELEASED.year}年{RELEASED.month}月{RELEASED.day}日"}
SCRIPTS = {"ko": re.compile(r"[\uac00-\ud7a3]"), "zh_CN": re.compile(r"[\u4e00-\u9fff]")}


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

def language_problems(site: Path, name: str, tag: str) -> list[str]:
    """A translated page's lang, switcher and hreflang links (one line per problem)."""
    page = parse(site / name)
    problems = []
    if page.html.get("lang") != tag:
        problems.append(f"{name}: <html lang> is {page.html.get('lang')!r}, not {tag!r}")
    switcher = page.select(".handbook-languages a")
    if {a.get("lang") for a in switcher} != {"en", *TAGS.values()}:
        problems.append(f"{name}: the switcher offers {[a.get('lang') for a in switcher]}")
    for a in switcher:  # each link leads to a built page
        if not (site / name).parent.joinpath(a["href"]).resolve().is_file():
            problems.append(f"{name}: the switcher links {a['href']}, which is not built")
    links = {link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"][hreflang]')}
    if set(links) != {"en", "x-default", *TAGS.values()}:
        problems.append(f"{name}: hreflang links for {sorted(links)}")
    elif links["x-default"] != links["en"]:
        problems.append(f"{name}: x-default is not the English page")
    return problems


def test_translated_pages_have_lang_switcher_and_hreflang(translated_sites):
    english = next(iter(translated_sites.values())).parent
    sites = {"en": english, **translated_sites}
    tags = {"en": "en", **TAGS}
    problems = [p for language, site in sites.items() for name in TRANSLATED
                for p in language_problems(site, name, tags[language])]
    assert not problems, "\n".join(problems)


def test_language_check_fails_on_a_page_without_lang_or_switcher(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / BRIEF).write_text('<html><head><link rel="alternate" hreflang="en" href="x" />'
                                  '</head><body><p>정책 브리프</p></body></html>', encoding="utf-8")
    problems = language_problems(tmp_path, BRIEF, "ko")
    assert any("<html lang> is None" in p for p in problems), problems
    assert any("switcher offers []" in p for p in problems), problems
    assert any("hreflang links for ['en']" in p for p in problems), problems


def test_english_site_has_no_translation_folders(translated_sites, html_dir):
    """The tests of the English site read every page of html_dir: the translations live in a
    copy of it (see translated_sites)."""
    for folder in hb.TRANSLATIONS.values():
        assert not (html_dir / folder).exists(), folder


def test_localised_dates_language_tags_and_titles(translated_sites):
    """{{ released }}, the cite box and the footer in the language's own date format; RIS's LA
    the page's language; the citation title the translated one with the English alongside,
    only on a translated page; the page's own script not wrapped in lang spans of its own."""
    for language, site in translated_sites.items():
        tag = TAGS[language]
        brief = parse(site / BRIEF)
        text = brief.select_one("article").get_text(" ")
        assert DATES[language] in text, language
        assert "December" not in text and "December" not in brief.select_one("footer").get_text(), language
        assert DATES[language] in brief.select_one(".cite-this-edition").get_text(), language
        assert f"LA  - {tag.split('-')[0]}" in brief.select_one(".cite-ris").get_text(), language
        title = brief.select_one('meta[name="citation_title"]')["content"]
        assert title.endswith("[Brief]") and SCRIPTS[language].search(title), title
        own = [span for span in brief.select(f'article [lang="{tag.split("-")[0]}"]')
               if not span.find_parent(class_="handbook-languages")]
        assert not own, f"{language}: the page's own script is marked again: {own[:3]}"
        other = parse(site / "chapters/03-china-position.html")  # English text, English date
        assert f"As of {RELEASED.day} {RELEASED:%B %Y}" in other.select_one("article").get_text(), language
        assert "[" not in other.select_one('meta[name="citation_title"]')["content"], language
        assert "LA  - en" in other.select_one(".cite-ris").get_text(), language
        for meta in brief.select('meta[name="citation_pdf_url"]'):  # its own PDF, in its site
            assert meta["content"].endswith(f"/{hb.TRANSLATIONS[language]}/{hb.translated_pdf_name(language)}")
    # Chinese terms in the Korean brief keep their own lang
    assert parse(translated_sites["ko"] / BRIEF).select('article [lang="zh"]')


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


def test_translated_pages_in_the_browser(browser_tools, translated_sites):
    """axe finds nothing on the Korean and Chinese home page and brief (light and dark), and
    they load nothing from another host: tests/test_browser.py's helpers and rules (its own
    tests show each check failing on a broken page)."""
    from chromium import chromium, guard
    from site_server import serve
    from test_browser import describe, run_axe

    root = next(iter(translated_sites.values())).parent
    names = [f"{folder}/{name}" for folder in hb.TRANSLATIONS.values() for name in ("index.html", BRIEF)]
    problems = []
    with serve(root, gzip=True) as (base, _requests), chromium() as browser:
        for name in names:
            for scheme in ("light", "dark"):
                foreign: list[str] = []
                context = browser.new_context(color_scheme=scheme)
                guard(context, foreign)
                page = context.new_page()
                page.goto(base + name, wait_until="load")
                page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
                found = run_axe(page) if scheme == "light" else run_axe(page, runOnly=["color-contrast"])
                context.close()
                problems += [f"{name} ({scheme}): {describe(found)}"] if found else []
                problems += [f"{name}: requested {url}" for url in foreign]
    assert not problems, "\n".join(problems)


# -- catalogues and terminology --------------------------------------------------------------------

def test_status_checker_counts(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "a"\nmsgstr "가"\n\n#, fuzzy\nmsgid "b"\nmsgstr "나"\n\n'
                  'msgid "c"\nmsgstr ""\n', encoding="utf-8")
    result = translation_status.status(po)
    assert (result.total, result.fuzzy, result.untranslated) == (3, 1, 1)
    assert result.line(tmp_path) == "x.po: 1 fuzzy, 1 untranslated (of 3)"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "translation_status.py")],
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
    does not contain the recorded translation (the part before any parenthesis, ASCII or
    full-width). A translator's comment `# terminology: TERM ...` on an entry exempts TERM there,
    with its reason: in a quotation of China's own words the translation renders China's
    wording, not the glossary's."""
    from babel.messages.pofile import read_po

    path = ROOT / "locales" / language / "terminology.csv"
    with path.open(encoding="utf-8") as handle:
        recorded = [(row["term"], re.split(r"\s*[(\uff08]", row["translation"])[0].strip())
                    for row in csv.DictReader(handle) if row["term"] and row["translation"]]
    found = []
    for doc in hb.TRANSLATED_DOCS:
        po = translation_status.document_catalogue(language, doc)
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            exempt = {word for comment in message.user_comments if comment.startswith("terminology:")
                      for word, _ in recorded if word in comment}
            for term, translation in recorded:
                if term not in exempt and re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", message.id, re.I) \
                        and translation not in message.string:
                    found.append(f"{po.relative_to(ROOT)}: '{term}' should be '{translation}' in: "
                                 f"{message.string[:60]}")
    return found


@pytest.mark.parametrize("language", list(hb.TRANSLATIONS))
def test_translations_use_the_recorded_terms(language):
    problems = terminology_mismatches(language)
    assert not problems, f"{len(problems)} strings:\n" + "\n".join(problems)


# -- the PDFs of the brief --------------------------------------------------------------------------

def pdf_problems(pdf: Path, language: str) -> list[str]:
    """The translated brief's PDF: its text (extractable, in the language, with the English
    paragraph numbers), its log (no missing glyph, no overfull box), its fonts (embedded), its
    metadata (title in the language, /Lang), and its title page (the brief's own: the
    translated and the English title, the date, the status, and a PDF address that exists)."""
    problems = []
    log = pdf.with_suffix(".log")
    problems += [f"missing glyph: {line}" for line in hb.missing_glyphs(log)[:5]]
    problems += [f"overfull: {line}" for line in hb.overfull_boxes(log)[:5]]
    problems += [f"a link to nowhere: {line.strip()}" for line in  # a page outside the brief
                 log.read_text(encoding="utf-8", errors="replace").splitlines()
                 if "unreferenced destination" in line][:5]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    if len(SCRIPTS[language].findall(text)) < 200:
        problems.append(f"the text layer has {len(SCRIPTS[language].findall(text))} characters of the language")
    numbers = re.findall(r"^B\.(\d+)\b", text, re.M)
    if numbers != [str(n) for n in range(1, 15)]:
        problems.append(f"paragraph numbers B.{', B.'.join(numbers)}, not B.1 to B.14")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    problems += [f"font not embedded: {row}" for row in rows if row.split()[-5] != "yes"]
    reader = PdfReader(pdf)
    title = (reader.metadata or {}).get("/Title", "") or ""
    if not SCRIPTS[language].search(title):
        problems.append(f"the PDF's title {title!r} is not in the language")
    lang = reader.trailer["/Root"].get("/Lang")
    if lang != TAGS[language]:
        problems.append(f"the PDF's /Lang is {lang!r}, not {TAGS[language]!r}")
    first = subprocess.run(["pdftotext", "-enc", "UTF-8", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    squashed = "".join(first.split())
    for expected in (DATES[language], "Brief", f"{hb.TRANSLATIONS[language]}/chapters/brief.html"):
        if "".join(expected.split()) not in squashed:
            problems.append(f"the title page lacks {expected!r}")
    own = f"/{hb.TRANSLATIONS[language]}/{hb.translated_pdf_name(language)}"
    links = [a["/A"].get("/URI", "") for page in reader.pages[:1] for a in
             (x.get_object() for x in page.get("/Annots", [])) if "/A" in a]
    problems += [f"the title page links {uri}, not this PDF's address" for uri in links
                 if uri.endswith(".pdf") and not uri.endswith(own)]
    sources = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
    for label in re.findall(r"^\(([\w-]*-[\w-]*)\)=$", sources, re.M):  # a {ref} left as its label
        if re.search(rf"(?<![/#\w-]){re.escape(label)}(?![\w-]|\.html)", text):
            problems.append(f"a reference printed as its label: {label}")
    if "About this handbook" in text or len(reader.pages) > 12:
        problems.append(f"not the brief alone: {len(reader.pages)} pages")
    return problems


def test_pdfs_have_text_glyphs_fonts_metadata_and_their_own_title_page(translated_pdfs):
    problems = [f"{language}: {p}" for language, pdf in translated_pdfs.items()
                for p in pdf_problems(pdf, language)]
    assert not problems, "\n".join(problems)


BAD_BRIEF = r"""\documentclass{article}
\usepackage{fontspec}
\setmainfont{FreeSerif}
\usepackage[pdflang=en]{hyperref}
\hypersetup{pdftitle={Brief}}
\tracinglostchars=1
\begin{document}
\hbox to 3cm{B.1 정책 브리프: a line far too long for its box}
\href{https://example.org/forced-repatriation-handbook/ko/forced-repatriation-handbook.pdf}{PDF}
see since-2014 \hyperlink{cite.chapters/09-sources:cite-x}{[X 2020]}.
\end{document}
"""


def test_pdf_checks_fail_on_a_bad_pdf(tmp_path, tex):
    """A brief in a font without Hangul, with an overfull line, an English title, the wrong
    /Lang and a link to a PDF that the Korean site does not have."""
    pdf = tmp_path / hb.translated_pdf_name("ko")
    pdf.with_suffix(".tex").write_text(BAD_BRIEF, encoding="utf-8")
    subprocess.run(["lualatex", "-interaction=nonstopmode", pdf.with_suffix(".tex").name],
                   cwd=tmp_path, capture_output=True, check=False)
    problems = "\n".join(pdf_problems(pdf, "ko"))
    for expected in ("missing glyph: Missing character", "overfull: Overfull \\hbox",
                     "characters of the language", "paragraph numbers B.1, not",
                     "title 'Brief' is not in the language", "/Lang is 'en'",
                     "the title page lacks", "forced-repatriation-handbook.pdf, not this PDF",
                     "printed as its label: since-2014", "a link to nowhere"):
        assert expected in problems, (expected, problems)
