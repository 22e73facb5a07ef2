"""The download menu: the whole-book PDF and EPUB, with edition and file size, on every page,
and on a chapter's page (and the brief's) that chapter's own PDF, after the book's.

conf.py lists the files (`handbook_downloads`); this extension puts them in every HTML page's
context as `downloads`, for _templates/downloads.html. A file's size can only be known once the
file exists, so the build session builds the PDF and the EPUB first and copies them into the
HTML output folder before the HTML build (see noxfile.py); this extension reads them there.
A download that is not there yet (an HTML-only build, `nox -s html` or `preview`) is still
linked, without a size, so no page is ever built without its download menu.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.locale import get_translation

from chapter_pdfs import page_pdf

_ = get_translation("handbook")  # the interface strings' catalogue (_ext/translations.py)
CHAPTER_LABEL = _("PDF of this chapter")


def human_size(size: int) -> str:
    """Decimal units, as phones and browsers show file sizes: 2_431_000 -> '2.4 MB'."""
    for unit, factor in (("MB", 10**6), ("kB", 10**3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def add_downloads(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or app.builder.name == "epub":
        return
    items = []
    for item in app.config.handbook_downloads:
        path = Path(app.outdir) / item["file"]
        items.append({**item,
                      "href": context["pathto"](item["file"], 1),
                      "size": human_size(path.stat().st_size) if path.is_file() else None})
    # a chapter's own PDF (chapter_pdfs.py), beside its page, after the whole book's
    own = page_pdf(app, pagename)
    if own:
        path = Path(app.outdir) / own
        at = 1 if items and items[0]["type"] == "application/pdf" else 0
        items.insert(at, {"label": CHAPTER_LABEL, "file": own, "type": "application/pdf",
                          "href": context["pathto"](own, 1),
                          "size": human_size(path.stat().st_size) if path.is_file() else None})
    context["downloads"] = items
    context["edition"] = app.config.release
    context["downloads_text"] = {"menu": _("Downloads"), "download": _("Download"),
                                 "edition": _("edition")}


def setup(app: Sphinx):
    # each: {"label": "PDF", "file": "name.pdf", "type": "application/pdf"}
    app.add_config_value("handbook_downloads", [], "html", types=[list])
    app.connect("html-page-context", add_downloads)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
