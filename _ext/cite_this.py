"""Citations of the handbook and of each page, generated from CITATION.cff (the Sphinx extension).

conf.py passes the parsed CITATION.cff as ``handbook_metadata``; nothing here repeats a title,
a name, an edition or a date. The work is split by job:

* cite_work.py: the work and its pages, and the one CSL-JSON item per page;
* cite_formats.py: Chicago and APA (citeproc-py with the vendored CSL styles in ``_ext/csl/``),
  BibTeX (pybtex's writer), RIS (rispy's writer);
* cite_box.py: the "Cite this" box, the ``{handbook-citation}`` directive, the PDF's title page
  back, and the paragraph citation;
* citation_meta.py (its own extension): the same item as Highwire Press tags and JSON-LD.

This module registers them with Sphinx and gives the other extensions the names they use.
"""

from __future__ import annotations

from cite_box import HandbookCitation, add_cite_box, add_title_page_back, paragraph_citation
from cite_work import WEB_BUILDERS, chapter_number, page_for, page_url, work_for

__all__ = ["WEB_BUILDERS", "chapter_number", "page_for", "page_url", "paragraph_citation", "work_for"]


def setup(app):
    app.add_config_value("handbook_metadata", {}, "env", types=[dict])
    app.add_directive("handbook-citation", HandbookCitation)
    app.add_css_file("citable.css")  # also styles paragraph_numbers.py's numbers
    app.connect("config-inited", add_title_page_back)
    app.connect("html-page-context", add_cite_box)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
