"""The Korean and Chinese editions: /ko/ and /zh/ beside the English site, built with Sphinx's
own gettext workflow (CONTRIBUTING.md, "Translations").

conf.py names the languages (``handbook_translations``: catalogue language -> public folder,
BCP 47 tag, name) and the translated pages (``handbook_translated_docs``: the home page, the
brief and the glossary). A build with ``-D language=ko`` (tools/handbook_build.py,
``translation_command``) is the whole site: the translated pages from locales/ko/, every other
page in English with a note, in the reader's language, that it is available in English only.
Building every page keeps every cross-reference of the brief working and the build strict.
This extension adds:

* a language switcher (_templates/language-switcher.html, in the theme's documented
  ``article_header_end`` slot) and ``<link rel="alternate" hreflang>`` links, with x-default
  the English page, on every page that has a translation, in all three sites; untranslated
  pages have neither, and their canonical link is the English page;
* ``lang`` on ``<html>``: ``ko``, or ``zh-Hans`` (the script, not a country: the translation is
  Simplified Chinese, read in China, Singapore and beyond); the English text of an untranslated
  page carries ``lang="en"``;
* on each translated page a status note: which edition it translates, that the editors made
  the translation, that the English text prevails (with a link), and, when the page's catalogue
  has fuzzy or untranslated strings, that parts are out of date and shown in English;
* the interface strings of the handbook's extensions in the "handbook" message catalogue
  (locales/handbook.pot, extracted with babel.cfg; locales/<lang>/LC_MESSAGES/handbook.po);
* the ``{translation-terms}`` directive: the glossary's table of the Korean and Chinese terms
  recorded in locales/<lang>/terminology.csv, each with its source; a row naming a term the
  glossary lacks, or a citation key references.bib lacks, stops the build at the CSV's line;
* in a translated build, the LaTeX output is the brief alone (``<pdf>-brief-ko.pdf``): its own
  title page (the translated title, the English one, the date, the status note, the addresses
  of the page and of this PDF), then the brief's sections with the paragraph numbers B.1 ...;
  _latex/handbook-cjk.sty sets the fonts; the download menu of the translated site links it;
  PDF metadata (title, language) in the language;
* dates in the language's own form (Babel's CLDR data): ``{{ released }}``, ``|today|``, the
  cite box and the footer read 2026년 12월 3일 or 2026年12月3日;
* in the head of a translated site's pages, PDF addresses that exist: the English site's book
  and chapter PDFs, and the translated brief's own PDF for the brief.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import translation_status

_ = get_translation("handbook")
logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
GLOSSARY = "chapters/07-glossary"
BRIEF = "chapters/brief"
TERM_COLUMNS = ["term", "translation", "source", "pinpoint", "note"]
ENGLISH = {"folder": "", "tag": "en", "name": "English"}
BIB_KEY = re.compile(r"^[ \t]*@(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)  # as bibcheck.py


def language_names() -> dict[str, str]:
    """The languages' names in English, for the status note and the terms table. Functions,
    not constants: the lazy translations resolve at use, in the build's language."""
    return {"ko": _("Korean"), "zh_CN": _("Chinese")}


# -- Which site, which page ---------------------------------------------------------------------

def translations(config) -> dict[str, dict]:
    return config.handbook_translations or {}


def current(config) -> dict | None:
    """This build's entry of handbook_translations, or None for the English site."""
    return translations(config).get(config.language)


def english_base(app) -> str:
    return getattr(app, "handbook_english_baseurl", None) or app.config.html_baseurl


def site_url(app, language: str | None, pagename: str) -> str:
    """The absolute URL of a page in one language's site (None: English)."""
    base = english_base(app).rstrip("/") + "/"
    folder = translations(app.config)[language]["folder"] + "/" if language else ""
    return base + folder + app.builder.get_target_uri(pagename)


def relative_url(app, pagename: str, language: str | None) -> str:
    """From this page to the same page in another language's site (None: English)."""
    here = current(app.config)
    depth = pagename.count("/") + (1 if here else 0)  # a translated site is one folder down
    folder = translations(app.config)[language]["folder"] + "/" if language else ""
    return "../" * depth + folder + app.builder.get_target_uri(pagename)


def alternates(app, pagename: str) -> list[dict]:
    """The page in each language (English first), for the switcher and the hreflang links."""
    out = [{**ENGLISH, "language": None, "current": current(app.config) is None}]
    for language, info in translations(app.config).items():
        out.append({**info, "language": language, "current": app.config.language == language})
    for entry in out:
        entry["href"] = relative_url(app, pagename, entry["language"])
        entry["url"] = site_url(app, entry["language"], pagename)
    return out


def outdated(app, docname: str) -> int:
    """The fuzzy and untranslated strings of the page's catalogue in this build's language."""
    path = translation_status.document_catalogue(app.config.language, docname,
                                                 Path(app.srcdir) / "locales")
    if not path.is_file():
        return 0
    result = translation_status.status(path)
    return result.fuzzy + result.untranslated


# -- Configuration -------------------------------------------------------------------------------

def configure(app, config) -> None:
    """A translated build: its own base URL (/ko/), its download menu, its PDF (the brief),
    and the interface strings' catalogue."""
    here = current(config)
    if here is None:
        return
    app.handbook_english_baseurl = config.html_baseurl
    config.html_baseurl = config.html_baseurl.rstrip("/") + f"/{here['folder']}/"
    # the edition's date as the language writes it ({{ released }}, |today|, the cite box)
    local_date = localised_date(config)
    if local_date:
        english_date, config.today = config.today, local_date
        config.myst_substitutions = {**config.myst_substitutions, "released": LocalisedDate(
            english_date, local_date, config.handbook_translated_docs)}
        options = dict(config.html_theme_options)  # conf.py's footer: "Edition 0.2.0, <date>."
        if english_date and "extra_footer" in options:
            options["extra_footer"] = options["extra_footer"].replace(english_date, local_date)
            config.html_theme_options = options
    pdf = config.html_context.get("pdf_name", "handbook.pdf")
    stem = pdf.removesuffix(".pdf")
    brief_pdf = f"{stem}-brief-{here['folder']}.pdf"
    app.handbook_brief_pdf = brief_pdf
    # the whole book exists in English only: the translated site links the English files
    in_english = _("English")
    config.handbook_downloads = [
        {"label": _("PDF of the brief"), "file": brief_pdf, "type": "application/pdf"},
        *[{**item, "label": f"{item['label']} ({in_english})", "file": f"../{item['file']}"}
          for item in config.handbook_downloads],
    ]
    # LaTeX: docutils knows no Babel/polyglossia name for Korean, and Sphinx warns (which the
    # strict build makes an error); polyglossia has one (gloss-korean), so name it
    from docutils.writers.latex2e import Babel

    Babel.language_codes.setdefault("ko", "korean")
    # LaTeX: the brief alone, with the CJK style after the handbook's own. Its headings are
    # sections (the brief's parts), not the book's chapters; its own title page (the translated
    # title, the English one, the date, the status, its addresses) is put in by status_note,
    # which knows the page's title and catalogue; no contents page, no back of a title page.
    title = config.project
    config.latex_documents = [(BRIEF, brief_pdf.replace(".pdf", ".tex"), title, config.author,
                               "manual", False)]
    config.latex_toplevel_sectioning = "section"
    config.latex_additional_files = [*config.latex_additional_files, "_latex/handbook-cjk.sty"]
    elements = dict(config.latex_elements)
    extra = elements.get("extrapackages", "")
    if local_date:
        extra = re.sub(r"\\newcommand\{\\handbookdate\}\{[^}]*\}",
                       lambda _m: "\\newcommand{\\handbookdate}{" + local_date + "}", extra)
    elements["extrapackages"] = extra + f"\n\\usepackage[{here['tag']}]{{handbook-cjk}}"
    elements["maketitle"] = ""
    elements["tableofcontents"] = ""
    config.latex_elements = elements


_READING: list[str] = [""]  # the page being read (source-read): LocalisedDate's page


def reading(app, docname, source) -> None:
    _READING[0] = docname


class LocalisedDate(str):
    """{{ released }} in a translated build: the language's date on a translated page, the
    English one in the English text of the other pages ("As of 3 December 2026"). A MyST
    substitution is one value for the whole build, which MyST prints with str()."""

    def __new__(cls, english: str, local: str, docs) -> LocalisedDate:
        date_text = super().__new__(cls, local)
        date_text.english, date_text.docs = english, tuple(docs)
        return date_text

    def __getnewargs__(self):  # pickled with the environment
        return (self.english, str.__str__(self), self.docs)

    def __str__(self) -> str:
        return str.__str__(self) if _READING[0] in self.docs or not self.english else self.english


def localised_date(config) -> str:
    """CITATION.cff's date-released in the build's language, by Babel's CLDR data (which
    Sphinx itself uses for dates): 2026년 12월 3일, 2026年12月3日. Empty without a date."""
    from datetime import date

    from babel.dates import format_date

    released = (getattr(config, "handbook_metadata", None) or {}).get("date-released")
    if not released:
        return ""
    return format_date(date.fromisoformat(str(released)), format="long", locale=config.language)


def load_interface_catalogue(app, config) -> None:
    """Compile locales/<lang>/LC_MESSAGES/handbook.po now: Sphinx compiles the catalogues only
    when the build starts, after the extensions have loaded theirs."""
    if current(config) is None:
        return
    from sphinx.util.i18n import CatalogRepository

    repo = CatalogRepository(app.srcdir, config.locale_dirs, config.language, config.source_encoding)
    for catalogue in repo.catalogs:
        if catalogue.domain == translation_status.UI_DOMAIN and catalogue.is_outdated():
            catalogue.write_mo(config.language)
    for locale_dir in repo.locale_dirs:
        app.add_message_catalog(translation_status.UI_DOMAIN, locale_dir)


# -- Reading: the English title, for citations that give it alongside ------------------------------

class RecordEnglishTitle(SphinxTransform):
    """Before Sphinx translates the page (its Locale transform, priority 20), keep the English
    title in the page's metadata: the citation of a translated page gives both."""

    default_priority = 15

    def apply(self, **kwargs) -> None:
        docname = self.env.current_document.docname
        if current(self.config) is None or docname not in self.config.handbook_translated_docs:
            return  # an English page: its title is the only one (cite_work.py, page_for)
        title = next(iter(self.document.findall(nodes.title)), None)
        if title is not None:
            self.env.metadata[docname]["english-title"] = title.astext()


# -- The brief's PDF: references to the rest of the book ------------------------------------------

class BriefOnly(SphinxPostTransform):
    """A transform of the brief's PDF in a translation: what it needs to know of the build."""

    builders = ("latex",)

    def context(self) -> tuple[dict, tuple, str] | None:
        """(this translation, the documents in the PDF, the translated site's address), or
        None in the English build."""
        here = current(self.config)
        if here is None:
            return None
        inside = getattr(self.app.builder, "docnames", ())
        return here, inside, english_base(self.app).rstrip("/") + f"/{here['folder']}/"


class DistantReferences(BriefOnly):
    """The brief's PDF holds the brief alone: a {ref} to a chapter would print its bare label
    ("since-2014"), since Sphinx's LaTeX builder cannot link a page outside the document. Give
    it the section's title and a link to that page in this translation's site instead."""

    default_priority = 5  # before Sphinx's ReferencesResolver (10)

    def run(self, **kwargs) -> None:
        if (found := self.context()) is None:
            return
        _here, inside, base = found
        labels = self.env.domains.standard_domain.labels
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("refdomain") != "std" or node.get("reftype") != "ref":
                continue
            docname, labelid, section = labels.get(node["reftarget"], ("", "", ""))
            if not docname or docname in inside:
                continue
            text = node.astext() if node.get("refexplicit") else section
            node.replace_self(nodes.reference("", text, refuri=f"{base}{docname}.html#{labelid}"))


class DistantLinks(BriefOnly):
    """The brief's citations ([MOU 2020]) and other links lead to the Sources page or another
    chapter, which are not in the brief's PDF: LaTeX would write links to nowhere. Point each
    at that page in this translation's site. After Sphinx's ShowUrlsTransform (400), so that
    no footnote repeats the address of every citation."""

    default_priority = 450

    def run(self, **kwargs) -> None:
        if (found := self.context()) is None:
            return
        _here, inside, base = found
        for node in self.document.findall(nodes.reference):
            uri = node.get("refuri", "")
            docname, _sep, anchor = uri[1:].partition("#")
            if uri.startswith("%") and docname not in inside:
                node["refuri"] = f"{base}{docname}.html" + (f"#{anchor}" if anchor else "")
        # sphinxcontrib-bibtex writes its citation links as its own raw LaTeX node
        # (sphinxcontrib/bibtex/style/template.py, nodes.py)
        cite = re.compile(r"\\hyperlink\{cite\.([^:}]+):([^}]+)\}\{")

        def link(match: re.Match) -> str:
            if match.group(1) in inside:
                return match.group(0)
            return "\\sphinxhref{" + f"{base}{match.group(1)}.html\\#{match.group(2)}" + "}{"

        from sphinxcontrib.bibtex.nodes import raw_latex

        for node in list(self.document.findall(raw_latex)):
            if cite.search(node.rawsource):
                node.replace_self(raw_latex(cite.sub(link, node.rawsource)))


# -- The status note -----------------------------------------------------------------------------

def status_note(app, doctree, docname) -> None:
    here = current(app.config)
    if here is None or app.builder.format not in ("html", "latex"):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    if app.builder.format == "latex":
        if docname == BRIEF:  # the brief's PDF: the note is on its title page
            section.insert(1, nodes.raw("", brief_title_page(app), format="latex"))
        return
    english = site_url(app, None, docname)
    box = nodes.container(classes=["translation-status"])
    para = nodes.paragraph()
    if docname in app.config.handbook_translated_docs:
        name = language_names().get(app.config.language, here["name"])
        para += nodes.Text(_("{language} translation of edition {edition}, made by the editors. "
                             "The English text prevails: ").format(
                                 language=name, edition=app.config.release))
        para += nodes.reference("", _("the English page"), refuri=english)
        para += nodes.Text(".")
        box += para
        missing = outdated(app, docname)
        if missing:
            box["classes"].append("translation-outdated")
            box += nodes.paragraph("", _("This translation is behind the English text: {count} "
                                         "passages are not yet translated or have changed since, "
                                         "and are shown in English.").format(count=missing))
    else:
        para += nodes.Text(_("This chapter is available in English only: "))
        para += nodes.reference("", _("the English page"), refuri=english)
        para += nodes.Text(".")
        box += para
        section["classes"].append("language-en")  # docutils writes lang="en" on the section
        box["classes"].append(f"language-{here['tag']}")  # ... and the note is in the site's
    section.insert(1, box)


def brief_title_page(app) -> str:
    """The title page of the brief's PDF (\\handbookbrieftitlepage, _latex/handbook-cjk.sty):
    the translated title, the English one and the handbook's, the date, the status note, and
    the addresses of this translation's page and PDF (the PDF lies in the translated site's
    folder, as `nox -s build` copies it there)."""
    from sphinx.util.texescape import escape

    def tex(text: str) -> str:
        return escape(text, "lualatex")

    here = current(app.config)
    title = app.env.titles[BRIEF].astext() if BRIEF in app.env.titles else BRIEF
    english = app.env.metadata.get(BRIEF, {}).get("english-title", "").replace("'", "\u2019")
    base = english_base(app).rstrip("/")
    english_page = f"{base}/{BRIEF}.html"
    page = f"{base}/{here['folder']}/{BRIEF}.html"
    pdf = f"{base}/{here['folder']}/{app.handbook_brief_pdf}"
    name = language_names().get(app.config.language, here["name"])
    note = tex(_("{language} translation of edition {edition}, made by the editors. "
                 "The English text prevails: ").format(language=name, edition=app.config.release))
    note += rf"\url{{{english_page}}}"
    missing = outdated(app, BRIEF)
    if missing:
        note += r"\par " + tex(_("This translation is behind the English text: {count} "
                                 "passages are not yet translated or have changed since, "
                                 "and are shown in English.").format(count=missing))
    addresses = rf"\url{{{page}}}\\ PDF: \url{{{pdf}}}"
    args = [tex(title), tex(english if english != title else ""), tex(app.config.project),
            tex(app.config.today), note, addresses]
    return r"\handbookbrieftitlepage" + "".join("{" + a + "}" for a in args) + "\n"


# -- The page context: lang, switcher, hreflang ------------------------------------------------------

def page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or app.builder.name == "epub":
        return
    here = current(app.config)
    if here is not None:
        context["language"] = here["tag"]
        english_downloads(app, pagename, context)
        context["metatags"] = pdf_addresses(app, pagename, context.get("metatags", ""))
    if doctree is None:
        return
    if pagename not in app.config.handbook_translated_docs:
        if here is not None:  # the English text is the original: say so to search engines
            context["pageurl"] = site_url(app, None, pagename)
        return
    entries = alternates(app, pagename)
    links = [f'<link rel="alternate" hreflang="{e["tag"]}" href="{e["url"]}" />' for e in entries]
    links.append(f'<link rel="alternate" hreflang="x-default" href="{entries[0]["url"]}" />')
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(links)
    context["language_switcher"] = entries
    context["language_switcher_label"] = _("Languages")


def pdf_addresses(app, pagename: str, tags: str) -> str:
    """citation_meta.py gives each page the PDF of the book (or of its chapter) under the
    site's address, which for /ko/ and /zh/ names files that exist only in the English site:
    point those there, and give the translated brief its own PDF."""
    site = app.config.html_baseurl.rstrip("/") + "/"
    english = english_base(app).rstrip("/") + "/"
    own = site + app.handbook_brief_pdf

    def address(match: re.Match) -> str:
        url = match.group(0)
        return url if url == own else english + url[len(site):]

    tags = re.sub(re.escape(site) + r"[^\"'\s<>]*?\.pdf", address, tags)
    if pagename == BRIEF:
        tags = re.sub(r'(name="citation_pdf_url" content=")[^"]*', lambda m: m.group(1) + own, tags)
    return tags


def english_downloads(app, pagename: str, context) -> None:
    """A chapter's own PDF (downloads.py) exists in the English site only: link it there."""
    from chapter_pdfs import page_pdf

    own = page_pdf(app, pagename)
    for item in context.get("downloads", []):
        if own and item.get("file") == own:
            item["href"] = "../" * (pagename.count("/") + 1) + own
            item["label"] = f"{item['label']} ({_('English')})"
            path = Path(app.outdir).parent / own
            if path.is_file():
                from downloads import human_size

                item["size"] = human_size(path.stat().st_size)


# -- Terminology ---------------------------------------------------------------------------------------

def glossary_terms(srcdir: Path) -> set[str]:
    """The terms of chapters/07-glossary.md's glossary, as written there."""
    path = Path(srcdir) / f"{GLOSSARY}.md"
    if not path.is_file():
        return set()
    terms = set()
    for block in re.findall(r"```\{glossary\}\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        terms.update(line.strip() for line in block.splitlines()
                     if line.strip() and not line[0].isspace() and not line.startswith(":"))
    return terms


def bib_keys(app) -> set[str]:
    keys = set()
    for name in app.config.bibtex_bibfiles:
        text = Path(app.srcdir, name).read_text(encoding="utf-8-sig")
        keys.update(m.group(2) for m in BIB_KEY.finditer(text))
    return keys


def read_terms(path: Path, terms: set[str], keys: set[str]) -> tuple[list[dict], list[str]]:
    """The rows of one terminology.csv (each with its line number) and its problems, as
    'file:line: message' strings."""
    rows, problems = [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != TERM_COLUMNS:
            return [], [f"{path}:1: the columns are {reader.fieldnames}; write exactly "
                        + ",".join(TERM_COLUMNS)]
        for row in reader:
            line = reader.line_num
            row = {k: (v or "").strip() for k, v in row.items() if k in TERM_COLUMNS}
            if not any(row.values()):
                continue
            if row["term"] not in terms:
                near = [t for t in terms if t.lower() == row["term"].lower()]
                hint = f"; did you mean '{near[0]}'?" if near else \
                    f" — use a term exactly as {GLOSSARY}.md's glossary writes it"
                problems.append(f"{path}:{line}: unknown term '{row['term']}'{hint}")
            if not row["translation"]:
                problems.append(f"{path}:{line}: no translation for '{row['term']}' — fill the "
                                "translation column")
            if row["source"] and row["source"] not in keys:
                problems.append(f"{path}:{line}: unknown citation key '{row['source']}' — use a "
                                "key of references.bib")
            elif not row["source"]:
                problems.append(f"{path}:{line}: no source for '{row['term']}' — give the "
                                "references.bib key of the text that uses this translation")
            rows.append({**row, "line": line})
    return rows, problems


def terminology_files(app) -> dict[str, Path]:
    return {language: Path(app.srcdir) / "locales" / language / "terminology.csv"
            for language in translations(app.config)}


def check_terminology(app) -> None:
    """Stop the build, at the CSV's line, on a term the glossary lacks or an unknown key."""
    terms, keys = glossary_terms(Path(app.srcdir)), bib_keys(app)
    messages: list[str] = []
    app.handbook_terms = {}
    for language, path in terminology_files(app).items():
        if path.is_file():
            rows, problems = read_terms(path, terms, keys)
            app.handbook_terms[language] = rows
            messages += problems
    for message in messages:
        location, _sep, text = message.partition(": ")
        logger.error(text, location=location)
    if messages:
        raise SystemExit(2)  # as bibcheck.py: a contributor's mistake, not a crash


class TranslationTerms(SphinxDirective):
    """``{translation-terms}``: a table of the recorded Korean and Chinese terms."""

    has_content = False

    def cell(self, row: dict | None) -> nodes.entry:
        entry = nodes.entry()
        para = nodes.paragraph(translatable=False)  # the terms are translations already
        if row:
            pinpoint = "{" + row["pinpoint"] + "}" if row["pinpoint"] else ""
            text = f"{row['translation']} {{cite:p}}`{row['source']}{pinpoint}`"
            if row["note"]:
                text += f" ({row['note']})"
            inline, messages = self.parse_inline(text, lineno=self.lineno)
            para += inline
            para += messages
        entry += para
        return entry

    def run(self):
        recorded = getattr(self.env.app, "handbook_terms", {})
        languages = [lang for lang in translations(self.config) if recorded.get(lang)]
        by_term: dict[str, dict[str, dict]] = {}
        for language in languages:
            for row in recorded[language]:
                by_term.setdefault(row["term"], {})[language] = row
        if not by_term:
            text = _("No Korean or Chinese terms are recorded yet.")
            return [nodes.paragraph("", text, translatable=False)]
        names = language_names()
        table = nodes.table(classes=["translation-terms"])
        group = nodes.tgroup(cols=1 + len(languages))
        table += group
        for _lang in range(1 + len(languages)):
            group += nodes.colspec(colwidth=1)
        head = nodes.thead()
        row = nodes.row()
        for label in [_("Term"), *[names.get(lang, lang) for lang in languages]]:
            row += nodes.entry("", nodes.paragraph("", str(label)))
        head += row
        group += head
        body = nodes.tbody()
        for term in sorted(by_term, key=str.lower):
            row = nodes.row()
            first = nodes.entry()
            para = nodes.paragraph()
            inline, messages = self.parse_inline(f"{{term}}`{term}`", lineno=self.lineno)
            para += inline
            para += messages
            first += para
            row += first
            for language in languages:
                row += self.cell(by_term[term].get(language))
            body += row
        group += body
        return [table]


# -- The PDF's metadata in the language ------------------------------------------------------

def pdf_metadata(app, exception) -> None:
    """pdf_book.py writes the PDF/A metadata (read by pdfx) in English; the translated brief's
    PDF gets its title in the language, the English title alongside, and its language tag."""
    here = current(app.config)
    if exception or here is None or app.builder.name != "latex":
        return
    title = app.env.titles[BRIEF].astext() if BRIEF in app.env.titles else BRIEF
    english = app.env.metadata.get(BRIEF, {}).get("english-title", "")
    full = f"{title} [{english}], {app.config.project}" if english and english != title else title
    full = re.sub(r"([\\{}%#&$_^~])", r"\\\1", full)  # as pdf_book.py: pdfx reads it as TeX
    # the chapter PDFs' title pages (chapter_pdfs.py) belong to the English book; as a second
    # LaTeX job here they would race the brief for pdfx's pdfa.xmpi
    for name in ("handbook-chapter-titles.tex", "chapters.json"):
        Path(app.outdir, name).unlink(missing_ok=True)
    for _doc, target, *_rest in app.config.latex_documents:
        path = Path(app.outdir, Path(target).with_suffix(".xmpdata"))
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"^\\Title\{.*\}$", lambda _m: "\\Title{" + full + "}", text, flags=re.M)
            text = re.sub(r"^\\Language\{.*\}$", lambda _m: "\\Language{" + here["tag"] + "}", text, flags=re.M)
            path.write_text(text, encoding="utf-8")


def setup(app):
    app.add_config_value("handbook_translations", {}, "env", types=[dict])
    app.add_config_value("handbook_translated_docs", [], "env", types=[list])
    # the interface catalogue first: configure() translates the download labels with it
    app.connect("config-inited", load_interface_catalogue, priority=390)
    app.connect("config-inited", configure, priority=400)  # before cite_this reads the base URL
    app.connect("source-read", reading)
    app.connect("builder-inited", check_terminology)
    app.add_transform(RecordEnglishTitle)
    app.add_post_transform(DistantReferences)
    app.add_post_transform(DistantLinks)
    app.add_directive("translation-terms", TranslationTerms)
    app.connect("doctree-resolved", status_note)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", pdf_metadata)  # after pdf_book.py's (registered earlier)
    app.add_css_file("translations.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
