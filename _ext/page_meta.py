"""Each page's description and canonical address, for search engines, link previews and clients.

* ``<meta name="description">``: the page's first paragraph of prose, cut at a word to about
  155 characters (what search engines display); pages without a text of their own (search,
  index) get the handbook's abstract (``handbook_description`` in conf.py, from CITATION.cff).
* :func:`page_abstract`: the same paragraph in full, never cut, for the metadata that
  reference managers store as the abstract (citation_meta.py, cite_box.py import it).
* The canonical link: one address per page. Sphinx writes ``<root>/index.html`` for the home
  page; the handbook's address is the root itself, which every citation, the JSON-LD, og:url
  and search engines should agree on, so the home page's ``pageurl`` is the
  root (cite_work.page_url).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from cite_work import WEB_BUILDERS, page_url

LIMIT = 155


def first_paragraph(doctree: nodes.document) -> str:
    for para in doctree.findall(nodes.paragraph):
        text = " ".join(para.astext().split())
        if len(text) >= 40:  # skip stubs such as a one-line rubric or a label
            return text
    return ""


def page_abstract(app: Sphinx, doctree) -> str:
    """The page's first paragraph, in full (the home page's citation uses the handbook's
    abstract from CITATION.cff instead: cite_work.csl_item)."""
    return first_paragraph(doctree) if doctree is not None else ""


def shorten(text: str) -> str:
    if len(text) <= LIMIT:
        return text
    return text[:LIMIT].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def add_description(app: Sphinx, pagename, templatename, context, doctree) -> None:
    text = first_paragraph(doctree) if doctree is not None else ""
    context["page_description"] = shorten(text or app.config.handbook_description)
    if app.builder.name in WEB_BUILDERS and app.config.html_baseurl and doctree is not None:
        context["pageurl"] = page_url(app, pagename)


def setup(app: Sphinx):
    app.add_config_value("handbook_description", "", "html", types=[str])
    app.connect("html-page-context", add_description)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
