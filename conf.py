"""Sphinx configuration for the handbook.

Sections follow the order of Sphinx's configuration reference. The handbook's metadata (title,
authors, version, date, licence) lives in CITATION.cff and is read from there; nothing here
repeats it. Behaviour that needs code lives in _ext/, one small extension per behaviour.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "_ext"))

# -- Project information ---------------------------------------------------------------------

META = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
project = META["title"]
author = "; ".join(a.get("name") or f"{a['given-names']} {a['family-names']}"
                   for a in META["authors"])
release = str(META["version"])
version = release
released = date.fromisoformat(str(META["date-released"]))
copyright = f"{released.year}, {author}. Text: CC BY 4.0"  # noqa: A001 (Sphinx's name)
SHORT_TITLE = "Forced Repatriation of North Korean Refugees from China"
PDF_NAME = "forced-repatriation-handbook"

# -- General configuration -------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "sphinx_book_theme",  # registers the theme's directives for every builder, not just HTML
    # local extensions (_ext/)
    "bibcheck",
    "bibstyle",
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
today_fmt = "%d %B %Y"
today = released.strftime(today_fmt).lstrip("0")
numfig = False

# MyST
myst_enable_extensions = ["colon_fence", "deflist"]
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
html_css_files = ["handbook.css"]
html_last_updated_fmt = None
html_copy_source = False  # the sources are in the repository; no need to publish them twice
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,  # the theme's button prints one page; the real PDF is linked
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "extra_footer": f"Edition {release}, {today}. Text under CC BY 4.0.",
}
html_context = {"pdf_name": f"{PDF_NAME}.pdf"}

# -- Options for LaTeX output ----------------------------------------------------------------

# lualatex: Unicode input with a fallback font for Hangul and Han (fewest Debian packages).
latex_engine = "lualatex"
latex_use_xindy = False  # xindy is not installed; the handbook has no index
latex_documents = [(root_doc, f"{PDF_NAME}.tex", project, author, "manual", False)]
latex_show_urls = "footnote"  # a printed page cannot be clicked
latex_show_pagerefs = False
_pdf_keywords = ", ".join(META.get("keywords", []))
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    # GNU FreeFont (Sphinx's default for lualatex) covers Latin, Greek and Cyrillic; Hangul and
    # Han come from WenQuanYi Micro Hei through a luaotfload fallback chain. mode=node, not
    # harf: in harf mode the PDF's text layer maps 不 to the compatibility ideograph U+F967
    # (the font gives both code points one glyph), so copying or searching the PDF fails.
    "fontpkg": r"""
\directlua{luaotfload.add_fallback("handbookfallback", {"WenQuanYi Micro Hei:mode=node;"})}
\setmainfont{FreeSerif}[RawFeature={fallback=handbookfallback}]
\setsansfont{FreeSans}[RawFeature={fallback=handbookfallback}]
\setmonofont{FreeMono}[RawFeature={fallback=handbookfallback}]
""",
    "preamble": rf"""
\hypersetup{{
  pdftitle={{{project}}},
  pdfauthor={{{author}}},
  pdfsubject={{{META["abstract"].split(":")[0].strip()}}},
  pdfkeywords={{{_pdf_keywords}}},
  pdflang={{en}},
  bookmarksnumbered=true,
}}
% Sphinx gathers every citation into one bibliography at the end of the document, which is
% the Sources chapter (the last in the table of contents; a test keeps it so): do not open
% a chapter of its own there.
\makeatletter
\renewenvironment{{sphinxthebibliography}}[1]
  {{\begingroup\let\chapter\@gobbletwo\renewcommand{{\bibname}}{{Sources}}% running heads
   \begin{{thebibliography}}{{#1}}}}
  {{\end{{thebibliography}}\endgroup}}
\makeatother
""",
    "releasename": "Edition",
    "printindex": "",  # no index
    "sphinxsetup": "hmargin={2.5cm,2.5cm}, vmargin={2.5cm,2.5cm}",
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
if __import__("os").environ.get("LINKCHECK_OFFLINE"):
    linkcheck_ignore.append(r"^https?://(?!127\.0\.0\.1|localhost)")
