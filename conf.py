"""Sphinx configuration for the handbook.

Sections follow the order of Sphinx's configuration reference. The handbook's metadata (title,
authors, version, date, licence) lives in CITATION.cff and is read from there; nothing here
repeats it. Behaviour that needs code lives in _ext/, one small extension per behaviour.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path


ROOT = Path(__file__).parent
# Sphinx's way to load local extensions (its documentation, "conf.py"): the extensions in _ext/,
# the build helpers they share with noxfile.py and the tests in tools/
sys.path[:0] = [str(ROOT / "_ext"), str(ROOT / "tools")]
from handbook_build import PDF_NAME, TRANSLATED_DOCS, source_date_epoch  # noqa: E402  (one name for the PDF and EPUB files)
from handbook_metadata import load_or_defer  # noqa: E402

# -- Project information ---------------------------------------------------------------------

# checked once here; a defect is reported by the handbook_metadata extension as
# "CITATION.cff:LINE: what" and stops the build, without a traceback
handbook_metadata_file = str(ROOT / "CITATION.cff")
META, handbook_metadata_problems = load_or_defer(ROOT / "CITATION.cff")
project = META["title"]
author = "; ".join(a.get("name") or f"{a['given-names']} {a['family-names']}".strip()
                   for a in META["authors"])
release = str(META["version"])
version = release
released = date.fromisoformat(str(META["date-released"]))
# Every date a build writes (the EPUB's package date, Sphinx's "last updated") is the edition's
# release date unless the caller sets another, so two builds of one commit give the same files.
os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(released))
# "CC-BY-4.0" -> "CC BY 4.0", the licence's own short name (the code's licence, MIT, is the
# repository's LICENSE file and not part of the citation record)
LICENCE = str(META["license"]).replace("-", " ").replace("CC BY SA", "CC BY-SA").replace("CC BY NC", "CC BY-NC")
copyright = f"{released.year}, {author}. Text: {LICENCE}"  # noqa: A001 (Sphinx's name)
SHORT_TITLE = project.partition(": ")[0]  # the title without its subtitle

# -- General configuration -------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "sphinx_book_theme",  # registers the theme's directives for every builder, not just HTML
    # local extensions (_ext/)
    "handbook_metadata",  # reports a defective CITATION.cff (read above) as file:line
    "bibcheck",
    "sourcecheck",  # a contributor's mistakes (keys, pinpoints, labels, terms) at the exact line
    "bibstyle",
    "accessible_html",  # ARIA roles docutils gets wrong (the bibliography's list)
    "downloads",  # the PDF and EPUB download menu on every page
    "page_meta",  # a meta description for every page
    "page_weight",  # scripts that need not block the first paint are deferred
    "script_lang",  # lang="ko"/"zh" on Korean and Chinese words, for fonts and screen readers
    "sphinx_reredirects",  # redirect stubs for moved pages (`redirects` below)
    "cite_this",  # "Cite this" box, How to cite page, PDF title page back (from CITATION.cff)
    "paragraph_numbers",  # para. 3.14: numbered paragraphs in the HTML and PDF margins
    "citation_meta",  # Highwire Press tags, JSON-LD and OpenGraph in every page's head
    "corrections",  # {correction} notes: errata marked on the corrected page
    "correspondence",  # where each paragraph of an earlier edition went (chapters/correspondence.md)
    "handbook_data",  # data/: validated, published, and its numbers put into the text
    "data_figures",  # figures and the votes table drawn from data/ at build time
    "pdf_book",  # the PDF as a report: front matter, the website's chapter numbers, tables that fit
    "chapter_pdfs",  # each chapter's own PDF, cut from the book PDF, beside its page
    "reproducible",  # the same sources give the same EPUB, byte for byte
    "template_cache",  # compiled page templates kept between builds (rebuilds)
    "translations",  # the Korean and Chinese editions (/ko/, /zh/): switcher, status, terms, PDFs
]
root_doc = "index"
language = "en"
source_suffix = {".md": "markdown"}
exclude_patterns = [
    # the source root is the repository root, so keep everything that is not a page out
    "_build", ".*", "**/.*", "venv", ".github", ".ci",  # .* : .nox, .venv, .pytest_cache, ...
    "tests", "README.md", "CONTRIBUTING.md", "CHANGELOG.md", "LICENSE*",
]
templates_path = ["_templates"]
nitpicky = True  # every cross-reference must resolve
# _ext/sourcecheck.py reports an unknown key or label at its exact line with the nearest
# existing ones, and a page outside the toctree naming index.md; these messages (the
# paragraph's first line, no suggestion, no file to edit) would repeat it
# _ext/bibstyle.py reports a .bib entry's missing field at the entry's line in references.bib,
# not at the bibliography directive's line
suppress_warnings = ["bibtex.key_not_found", "ref.ref", "bibtex.missing_field", "toc.not_included"]
today_fmt = "%d %B %Y"
today = released.strftime(today_fmt).lstrip("0")
numfig = True  # "Figure 1.1", "Table 5.2": figures and tables numbered by chapter
numfig_secnum_depth = 1  # by chapter only (sections are not numbered), in the HTML and the PDF
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s",
                 "section": "Section %s"}
# the brief is not a numbered chapter, but its paragraphs are cited like the chapters' (B.3)
paragraph_prefixes = {"chapters/brief": "B"}

# Translations (_ext/translations.py; CONTRIBUTING.md, "Translations"). One catalogue per
# page (gettext_compact off), for the pages in handbook_translated_docs only; the other pages of
# the /ko/ and /zh/ sites are the English text with a note saying so. No source locations in
# the catalogues: they would name the folder the .pot was built in, and every line added to the
# English would rewrite every later comment of every .po, burying the translators' changes in
# noise; with one catalogue per page, in the page's order, the entry is easy to find without.
locale_dirs = ["locales/"]
gettext_compact = False
gettext_location = False
gettext_uuid = False
# language (catalogue folder) -> public folder, BCP 47 tag for lang/hreflang, name in itself
handbook_translations = {
    "ko": {"folder": "ko", "tag": "ko", "name": "한국어"},
    "zh_CN": {"folder": "zh", "tag": "zh-Hans", "name": "中文"},
}
handbook_translated_docs = TRANSLATED_DOCS  # index, the brief, the glossary

# MyST
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
# {{ edition }} and {{ released }} in the sources come from CITATION.cff, never typed by hand
myst_substitutions = {"edition": release, "released": today}
myst_heading_anchors = 0  # anchors come from explicit labels, which survive heading edits

# sphinxcontrib-bibtex (styles registered by _ext/bibstyle.py)
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "handbook"
bibtex_reference_style = "handbook"
# stable anchors: #cite-<key> does not change when citations are added or reordered
bibtex_cite_id = "cite-{key}"
bibtex_bibliography_id = "bibliography-{bibliography_count}"

# -- Options for HTML output -----------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = SHORT_TITLE
html_static_path = ["_static"]
html_css_files = ["handbook.css", "icons.css"]  # icons.css replaces the icon font's JavaScript
html_last_updated_fmt = None
html_copy_source = False  # the sources are in the repository; no need to publish them twice
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,  # the theme's button prints one page; the real PDF is linked
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "extra_footer": f"Edition {release}, {today}. Text under {LICENCE}; code under the MIT licence.",
    # the download menu (_templates/downloads.html) first, then the theme's own buttons
    "article_header_end": ["downloads.html", "language-switcher.html", "article-header-buttons.html"],
}
html_context = {
    "pdf_name": f"{PDF_NAME}.pdf",
    # the theme reads its colour mode from here; left unset, its script logs an error on
    # every page ("invalid theme mode") and follows the reader's system setting anyway
    "default_mode": "auto",
}
# The site's public address (CITATION.cff's url): the canonical link of every page, and the
# stable URL in every generated citation.
html_baseurl = META["url"]
# Citations and head metadata (_ext/cite_this.py, _ext/citation_meta.py) come from here.
handbook_metadata = META
# A page that moves keeps its old address: map the old page name to the new page, e.g.
# {"chapters/03-china": "03-china-position.html"} (sphinx-reredirects writes a stub there).
# tests/published-pages.txt lists every address ever published; a test fails when one of them
# is neither a page nor a redirect.
redirects: dict[str, str] = {}
html_favicon = "_static/favicon.svg"  # without one, browsers request /favicon.ico and log a 404
# _ext/downloads.py: the files the build session copies into the HTML output before building it
handbook_downloads = [
    {"label": "PDF", "file": f"{PDF_NAME}.pdf", "type": "application/pdf"},
    {"label": "EPUB", "file": f"{PDF_NAME}.epub", "type": "application/epub+zip"},
]
handbook_description = " ".join(META["abstract"].split())  # _ext/page_meta.py, pages without text

# -- Options for EPUB output -----------------------------------------------------------------

epub_basename = PDF_NAME  # forced-repatriation-handbook.epub, beside the PDF
epub_title = project
epub_author = author
epub_publisher = author
epub_copyright = copyright
# Sphinx writes epub_uid (the identifier element's XML id) where the NCX wants the identifier
# itself (templates/epub3/toc.ncx.jinja), and epubcheck rejects the mismatch (NCX-001): so the
# identifier is an XML name and both are the same. No DOI yet; stable per edition.
epub_identifier = epub_uid = f"{PDF_NAME}-{release}"
epub_show_urls = "footnote"  # an e-reader's links are hard to follow; show where they go
epub_exclude_files = ["search.html", "genindex.html"]  # both need a web server's JavaScript
epub_description = handbook_description

# -- Options for LaTeX output ----------------------------------------------------------------

# lualatex: Unicode input; Hangul and Han in their own font (_latex/handbook.sty, section 2).
latex_engine = "lualatex"
latex_use_xindy = False  # xindy is not installed; the handbook has no index
latex_documents = [(root_doc, f"{PDF_NAME}.tex", project, author, "manual", False)]
latex_show_urls = "footnote"  # a printed page cannot be clicked
latex_show_pagerefs = False
latex_table_style = ["booktabs", "colorrows"]  # rules above and below, shaded rows; no grid
# Every LaTeX setting is in this one file; _ext/pdf_book.py puts its commands in the document.
latex_additional_files = ["_latex/handbook.sty"]
_TITLE, _, _SUBTITLE = project.partition(": ")  # "Forced Repatriation ...", "A Policy Handbook"


def _tex(text: str) -> str:
    from sphinx.util.texescape import escape

    return escape(text, "lualatex")


latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "classoptions": ",oneside,openany",  # screen-first: no blank pages before chapters
    "fontpkg": "",  # fonts: _latex/handbook.sty
    "fncychap": "",  # chapter openers: _latex/handbook.sty ("Chapter 3", not "CHAPTER THREE")
    # the handbook's metadata for the title page and running feet, then the style; loaded
    # before hyperref because the style loads pdfx (PDF/A), which must load hyperref itself
    "extrapackages": "\n".join([
        rf"\newcommand{{\handbooktitle}}{{{_tex(_TITLE)}}}",
        rf"\newcommand{{\handbooksubtitle}}{{{_tex(_SUBTITLE)}}}",
        rf"\newcommand{{\handbookshorttitle}}{{{_tex(SHORT_TITLE)}}}",
        rf"\newcommand{{\handbookedition}}{{{_tex(release)}}}",
        rf"\newcommand{{\handbookdate}}{{{_tex(today)}}}",
        rf"\newcommand{{\handbookauthor}}{{{_tex(author)}}}",
        rf"\newcommand{{\handbookurl}}{{\url{{{META['url']}}}}}",
        r"\usepackage{handbook}",
    ]),
    "maketitle": r"\handbookmaketitle",  # title page, and its back from _ext/cite_this.py
    "tableofcontents": "",  # after the brief: _ext/pdf_book.py places \handbookcontents
    "makeindex": "",  # no index
    "printindex": "",
    "releasename": "Edition",
    "sphinxsetup": "hmargin={2.5cm,2.5cm}, vmargin={2.5cm,2.5cm}",
    # A colophon on the last page: the title page back names the text's licence; the code's
    # licence belongs to the record too (README.md, LICENSE, LICENSE-text.md say the same).
    "atendofbody": r"\handbookcolophon",
}

# -- Options for the linkcheck builder -------------------------------------------------------

linkcheck_timeout = 30
linkcheck_retries = 3
linkcheck_rate_limit_timeout = 120
linkcheck_report_timeouts_as_broken = False
# Each entry needs a reason. Offline runs (LINKCHECK_OFFLINE=1, see noxfile.py) ignore every
# host but the loopback interface, so the machinery can be tested without the network.
linkcheck_ignore: list[str] = []
linkcheck_anchors_ignore_for_url: list[str] = []
if os.environ.get("LINKCHECK_OFFLINE"):
    linkcheck_ignore.append(r"^https?://(?!127\.0\.0\.1|localhost)")
