"""Accessible markup where docutils' HTML writer falls short.

Citations: docutils wraps each run of citations in <div role="list"> and marks every entry
role="doc-biblioentry". That role is deprecated in DPUB-ARIA 1.1, is not allowed on a <div>,
and is not a list item, so a screen reader is told of a list with no items (axe-core:
aria-required-children, critical; aria-deprecated-role; aria-allowed-role). Each entry
becomes role="listitem", which DPUB-ARIA 1.1 names as the replacement. Only the role changes:
the ids that citations link to stay as they are.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator


def visit_citation(self: HTML5Translator, node: nodes.citation) -> None:
    HTML5Translator.visit_citation(self, node)
    self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')


def depart_citation(self: HTML5Translator, node: nodes.citation) -> None:
    HTML5Translator.depart_citation(self, node)


def setup(app: Sphinx):
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
