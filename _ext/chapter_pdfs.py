"""Each chapter as its own PDF, cut from the book PDF: for readers who forward one chapter, for
reference managers that attach a page's PDF, and for Google Scholar, which wants a page's own
PDF in the page's folder (its inclusion guidelines).

Which pages: the front matter (the brief) and the numbered chapters, that is every page up to
the last numbered chapter in reading order; the reference pages (timeline, glossary, key
documents, how to cite, sources) are parts of the whole, not chapters, and have none. The PDF
of ``chapters/01-background`` is ``chapters/01-background.pdf``, beside its HTML page.

How (no second typesetting of the text):

1. During the LaTeX build, _ext/pdf_book.py marks each chapter's first page and LaTeX writes
   the page numbers into ``<name>.pages``; this extension writes ``chapters.json`` (document,
   number, title, file) and ``handbook-chapter-titles.tex``: the book's own preamble and, for
   each chapter, the book's title page with one more line, "Chapter 3 of <book title>". Sphinx's
   LaTeX Makefile typesets it beside the book (one page per chapter, about two seconds, in
   parallel with the book with ``make -j2``). A title page typeset by the same macro with the
   same fonts is identical to the book's, and its text is real, searchable text, which a stamp
   drawn onto a copy of the page with pypdf could not give without a font of its own.
2. ``python _ext/chapter_pdfs.py LATEXDIR OUTDIR`` (nox's ``pdf`` session, the tests' build
   fixture) cuts with pypdf: the chapter's title page, then the chapter's pages of the book,
   with the chapter's own metadata (title, book title, edition, date) and bookmarks; links
   inside the chapter keep working, links to the rest of the book become links to the same
   place on the website (a citation leads to its entry on the Sources page), so no link is
   dead. The book PDF stays the main download.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from pathlib import Path

MANIFEST = "chapters.json"
TITLES = "handbook-chapter-titles"  # .tex, .pdf: the chapter title pages


def own_pdf_docs(env, root: str) -> list[str]:
    """The pages that get their own PDF: every page up to the last numbered chapter."""
    from cite_this import chapter_number

    order = list(env.toctree_includes.get(root, []))
    numbered = [i for i, doc in enumerate(order) if chapter_number(env, doc) is not None]
    return order[:numbered[-1] + 1] if numbered else []


def pdf_file(docname: str) -> str:
    """The chapter PDF's path in the website, beside the chapter's page."""
    return f"{docname}.pdf"


def page_pdf(app, docname: str) -> str | None:
    """The chapter PDF's path for a page that has one (for downloads.py, citation_meta.py)."""
    return pdf_file(docname) if docname in own_pdf_docs(app.env, app.config.root_doc) else None


# -- During the LaTeX build ------------------------------------------------------------------

def chapter_line(number: int | None, title: str, book: str) -> str:
    from sphinx.util.texescape import escape

    if number:
        return (rf"Chapter {number} of \emph{{{escape(book, 'lualatex')}}}:\\[3pt]"
                rf"\textbf{{{escape(title, 'lualatex')}}}")
    return rf"\textbf{{{escape(title, 'lualatex')}}}, from \emph{{{escape(book, 'lualatex')}}}"


def write_chapter_files(app, exception) -> None:
    if exception or app.builder.name != "latex":
        return
    from cite_this import chapter_number, page_url, work_for

    env, root = app.env, app.config.root_doc
    work = work_for(app)
    base = app.config.html_baseurl or ""
    chapters = []
    for doc in own_pdf_docs(env, root):
        chapters.append({
            "docname": doc,
            "number": chapter_number(env, doc),
            "title": env.titles[doc].astext(),
            "file": pdf_file(doc),
            "page_url": page_url(app, doc),
            "pdf_url": posixpath.join(base, pdf_file(doc)) if base else "",
        })
    target = Path(app.config.latex_documents[0][1]).stem
    manifest = {
        "book": target,
        "root": root,
        "title": work.title if work else app.config.project,
        "edition": work.edition if work else app.config.release,
        "date": work.released.isoformat() if work else "",
        "author": "; ".join(a.get("name") or f"{a['given-names']} {a['family-names']}"
                            for a in work.authors) if work else app.config.author,
        "keywords": list(work.keywords) if work else [],
        "language": work.language if work else app.config.language,
        "base_url": base,
        "pages": {doc: page_url(app, doc) for doc in env.found_docs},
        "chapters": chapters,
    }
    outdir = Path(app.outdir)
    (outdir / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")

    # the title pages: the book's own preamble, then one title page per chapter
    tex = (outdir / f"{target}.tex").read_text(encoding="utf-8")
    preamble = tex[:tex.index(r"\begin{document}")]
    pages = "\n".join(rf"\handbooktitlepage[{{{chapter_line(c['number'], c['title'], manifest['title'])}}}]"
                      for c in chapters)
    (outdir / f"{TITLES}.tex").write_text(
        "%% Generated by _ext/chapter_pdfs.py: the title page of each chapter's own PDF.\n"
        "\\def\\handbooknopdfa{}% see _latex/handbook.sty, section 1\n"
        # \nofiles: no .aux and no bookmarks file, which a title page does not need and
        # whose first writing made latexmk typeset it a second and third time
        f"{preamble}\\nofiles\n\\begin{{document}}\n\\pagenumbering{{gobble}}\n{pages or 'x'}\n\\end{{document}}\n",
        encoding="utf-8")


def setup(app):
    app.connect("build-finished", write_chapter_files)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


# -- After LaTeX: cutting ----------------------------------------------------------------------

def page_starts(pages_file: Path) -> dict[str, int]:
    """docname -> first physical page (1-based), from LaTeX's \\jobname.pages."""
    starts: dict[str, int] = {}
    for line in pages_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc, page = line.rsplit(" ", 1)
            starts.setdefault(doc, int(page))
    return starts


def chapter_ranges(starts: dict[str, int], total: int) -> dict[str, tuple[int, int]]:
    """docname -> (first, last) 0-based page indexes: a chapter runs to the next start."""
    ordered = sorted(starts.items(), key=lambda item: item[1])
    ranges = {}
    for i, (doc, first) in enumerate(ordered):
        last = ordered[i + 1][1] - 1 if i + 1 < len(ordered) else total
        ranges[doc] = (first - 1, last - 1)
    return ranges


def _outline_items(reader, items, level=0):
    """(title, page index, level) of every bookmark of the book."""
    out = []
    for item in items:
        if isinstance(item, list):
            out += _outline_items(reader, item, level + 1)
        else:
            try:
                page = reader.get_destination_page_number(item)
            except Exception:  # a bookmark without a page
                continue
            out.append((item.title, page, level))
    return out


def _web_target(manifest: dict, ranges: dict, page: int, dest_name: str | None) -> str | None:
    """The website's address for a link into a part of the book not in this chapter's PDF."""
    # Sphinx's named destinations for citations read "cite.<docname>:<id>"
    if dest_name:
        m = re.match(r"^cite\.(?P<doc>[^:]+):(?P<id>.+)$", dest_name)
        if m and m["doc"] in manifest["pages"]:
            return f"{manifest['pages'][m['doc']]}#{m['id']}"
    for doc, (first, last) in ranges.items():
        if first <= page <= last and doc in manifest["pages"]:
            return manifest["pages"][doc]
    return manifest["base_url"] or None


def cut(latexdir: Path, outdir: Path) -> list[Path]:
    """Write each chapter's PDF into outdir (the website's folder); return their paths."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (ArrayObject, DictionaryObject, NameObject, NumberObject,
                               TextStringObject)

    manifest = json.loads((latexdir / MANIFEST).read_text(encoding="utf-8"))
    book = PdfReader(latexdir / f"{manifest['book']}.pdf")
    titles = PdfReader(latexdir / f"{TITLES}.pdf")
    starts = page_starts(latexdir / f"{manifest['book']}.pages")
    ranges = chapter_ranges(starts, len(book.pages))
    outline = _outline_items(book, book.outline)
    # named destinations by the page object they point to, to resolve links by name
    named_pages = {}
    for name, dest in book.named_destinations.items():
        try:
            named_pages[str(name)] = book.get_destination_page_number(dest)
        except Exception:
            pass
    written = []
    for index, chapter in enumerate(manifest["chapters"]):
        doc = chapter["docname"]
        if doc not in ranges:
            raise SystemExit(f"{doc}: no start page in {manifest['book']}.pages; "
                             "is it in the PDF's table of contents?")
        first, last = ranges[doc]
        writer = PdfWriter()
        writer.add_page(titles.pages[index])
        page_map = {}
        for i in range(first, last + 1):
            page_map[i] = len(writer.pages)
            writer.add_page(book.pages[i])
        # links: inside the chapter they point to the copied pages; elsewhere, to the website
        for new_index in range(1, len(writer.pages)):
            page = writer.pages[new_index]
            for annot_ref in page.get("/Annots") or []:
                annot = annot_ref.get_object()
                if annot.get("/Subtype") != "/Link":
                    continue
                dest, name = annot.get("/Dest"), None
                action = annot.get("/A")
                if dest is None and action is not None and action.get("/S") == "/GoTo":
                    dest = action.get("/D")
                if dest is None:
                    continue  # a web link: unchanged
                if isinstance(dest, (str, bytes)) or hasattr(dest, "original_bytes"):
                    name = str(dest)
                    target_page = named_pages.get(name)
                else:
                    dest = dest.get_object() if hasattr(dest, "get_object") else dest
                    try:
                        target_page = book.get_page_number(dest[0].get_object() if hasattr(dest[0], "get_object") else dest[0])
                    except Exception:
                        target_page = None
                if target_page is not None and target_page in page_map:
                    target = writer.pages[page_map[target_page]].indirect_reference
                    annot[NameObject("/Dest")] = ArrayObject([target, NameObject("/Fit")])
                    if "/A" in annot:
                        del annot["/A"]
                    continue
                url = _web_target(manifest, ranges, target_page if target_page is not None else -1, name)
                if "/Dest" in annot:
                    del annot["/Dest"]
                if url:
                    annot[NameObject("/A")] = DictionaryObject({
                        NameObject("/S"): NameObject("/URI"),
                        NameObject("/URI"): TextStringObject(url)})
                else:
                    annot[NameObject("/F")] = NumberObject(4)
        # bookmarks: the title page, then the book's bookmarks that fall in the chapter
        writer.add_outline_item(title="Title page", page_number=0)
        parents: dict[int, object] = {}
        for title, page, level in outline:
            if page in page_map:
                parent = parents.get(level - 1) if level else None
                parents[level] = writer.add_outline_item(title=title, page_number=page_map[page], parent=parent)
        number = chapter["number"]
        what = f"Chapter {number} of " if number else "From "
        subject = (f"{what}{manifest['title']}, edition {manifest['edition']}, "
                   f"{manifest['date']}")
        creator = "Sphinx and LuaLaTeX; cut from the book PDF by _ext/chapter_pdfs.py (pypdf)"
        producer = f"{book.metadata.get('/Producer', 'LuaTeX')}; pypdf"
        # No /Keywords: the keywords are in the XMP (dc:subject), as in the book, and PDF/A
        # wants the document information to agree with the XMP, which has no pdf:Keywords.
        writer.add_metadata({
            "/Title": chapter["title"],
            "/Author": manifest["author"],
            "/Subject": subject,
            "/Creator": creator,
            "/Producer": producer,
            **{key: book.metadata[key] for key in ("/CreationDate", "/ModDate", "/Trapped")
               if key in book.metadata},
        })
        writer._root_object[NameObject("/Lang")] = TextStringObject(manifest["language"])
        writer._root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
        pdf_a(book, writer, title=chapter["title"], description=subject, creator=creator,
              producer=producer)
        path = outdir / chapter["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            writer.write(fh)
        written.append(path)
    return written


def _xmp_set(xmp: str, element: str, value: str) -> str:
    """The XMP with `element`'s text (inside its rdf:li, if it has one) set to `value`."""
    from xml.sax.saxutils import escape

    value = escape(value).replace("\\", "\\\\")
    with_li = re.compile(rf"(<{element}>\s*<rdf:(?:Alt|Seq|Bag)>\s*<rdf:li[^>]*>).*?(</rdf:li>)", re.S)
    if with_li.search(xmp):
        return with_li.sub(rf"\g<1>{value}\g<2>", xmp, count=1)
    return re.sub(rf"(<{element}>).*?(</{element}>)", rf"\g<1>{value}\g<2>", xmp, count=1, flags=re.S)


def pdf_a(book, writer, *, title: str, description: str, creator: str, producer: str) -> None:
    """Keep the chapter PDF a PDF/A-2b file, as the book is (_latex/handbook.sty, section 1):
    the book's output intent (its sRGB profile) and its XMP metadata, with the chapter's own
    title and description and the producer and creator of the cut, so that the XMP agrees with
    the document information; every annotation printable. pypdf copies pages, not the
    document's catalogue, so without this the chapter PDFs would lose both."""
    from pypdf.generic import NameObject, NumberObject, StreamObject

    root = book.trailer["/Root"]
    if "/OutputIntents" in root:
        writer._root_object[NameObject("/OutputIntents")] = root["/OutputIntents"].clone(writer)
    if "/Metadata" in root:
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        for element, value in (("dc:title", title), ("dc:description", description),
                               ("xmp:CreatorTool", creator), ("pdf:Producer", producer)):
            xmp = _xmp_set(xmp, element, value)
        stream = StreamObject()  # not compressed: PDF/A wants metadata readable as it is
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        stream.set_data(xmp.encode("utf-8"))
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    # the title page comes from a document typeset without pdfx, whose links hyperref leaves
    # without the "print" flag
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            annot[NameObject("/F")] = NumberObject((int(annot.get("/F", 0)) | 4) & ~2 & ~1 & ~32)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python _ext/chapter_pdfs.py LATEXDIR OUTDIR\n"
              "  cuts each chapter's PDF from the book PDF in LATEXDIR into OUTDIR/<page>.pdf",
              file=sys.stderr)
        return 2
    for path in cut(Path(argv[0]), Path(argv[1])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
