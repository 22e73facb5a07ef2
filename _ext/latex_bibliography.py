"""Keep the PDF's bibliography in the "Sources" chapter.

Sphinx's LaTeX builder gathers every citation into one ``thebibliography`` node at the very
end of the document (``sphinx.builders.latex.transforms.BibliographyTransform``), which leaves
the chapter that held the ``{bibliography}`` directive empty and adds an unnumbered
"Bibliography" chapter after it. This post-transform marks where the first citation stood
before that transform runs, and moves the gathered node back there afterwards. The preamble in
conf.py stops ``sphinxthebibliography`` from opening a chapter of its own.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform


class bibliography_marker(nodes.Element):  # noqa: N801 (docutils node naming)
    """Where the bibliography stood; never written out."""


class MarkBibliography(SphinxPostTransform):
    default_priority = 749  # just before Sphinx's BibliographyTransform (750)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        first = next(iter(self.document.findall(nodes.citation)), None)
        if first is not None:
            first.parent.insert(first.parent.index(first), bibliography_marker())


class PlaceBibliography(SphinxPostTransform):
    default_priority = 751  # just after Sphinx's BibliographyTransform
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        marker = next(iter(self.document.findall(bibliography_marker)), None)
        gathered = next(iter(self.document.findall(thebibliography)), None)
        if marker is None:
            return
        if gathered is not None:
            gathered.parent.remove(gathered)
            marker.replace_self(gathered)
        else:
            marker.parent.remove(marker)


def setup(app):
    app.add_node(bibliography_marker)
    app.add_post_transform(MarkBibliography)
    app.add_post_transform(PlaceBibliography)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
