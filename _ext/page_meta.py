"""A meta description for every HTML page: what a search engine or a shared link shows.

Each page's description is its first paragraph of prose, cut at a word to about 155
characters (what search engines display); pages without a text of their own (search, index)
get the handbook's abstract (`handbook_description` in conf.py, from CITATION.cff).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

LIMIT = 155


def first_paragraph(doctree: nodes.document) -> str:
    for para in doctree.findall(nodes.paragraph):
        text = " ".join(para.astext().split())
        if len(text) >= 40:  # skip stubs such as a one-line rubric or a label
            return text
    return ""


def shorten(text: str) -> str:
    if len(text) <= LIMIT:
        return text
    return text[:LIMIT].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def add_description(app: Sphinx, pagename, templatename, context, doctree) -> None:
    text = first_paragraph(doctree) if doctree is not None else ""
    context["page_description"] = shorten(text or app.config.handbook_description)


def setup(app: Sphinx):
    app.add_config_value("handbook_description", "", "html", types=[str])
    app.connect("html-page-context", add_description)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
