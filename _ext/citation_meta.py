"""Machine-readable citation metadata in the head of every page of the website.

Reference managers (Zotero, Mendeley) and scholarly indexes (Google Scholar) read a page's
head, not its text. Each page gets, from CITATION.cff (through cite_this.py):

* Highwire Press tags, which Google Scholar and Zotero read: ``citation_title``, one
  ``citation_author`` per author, ``citation_publication_date``, ``citation_pdf_url`` (the
  whole handbook's PDF, on the site's own host), ``citation_language``,
  ``citation_publisher``, and for a chapter ``citation_inbook_title``;
* JSON-LD (schema.org): a ``Book`` on the home page, a ``Chapter`` with ``isPartOf`` the Book
  on every other page;
* OpenGraph tags, which link previews read.

Pages that are not part of the text (search, the general index) get none: they are not works
to cite. Only the website's builder adds them; the EPUB has its own metadata.
"""

from __future__ import annotations

import html
import json
import posixpath

from chapter_pdfs import page_pdf
from cite_this import WEB_BUILDERS, page_for, work_for


def _person(author: dict) -> dict:
    if "family-names" in author:
        return {"@type": "Person", "givenName": author["given-names"],
                "familyName": author["family-names"],
                "name": f"{author['given-names']} {author['family-names']}".strip()}
    return {"@type": "Organization", "name": author["name"]}


def book_jsonld(work) -> dict:
    book = {
        "@type": "Book",
        "@id": work.url,
        "name": work.title,
        "url": work.url,
        "author": [_person(a) for a in work.authors],
        "publisher": {"@type": "Organization", "name": work.publisher},
        "bookEdition": work.edition,
        "version": work.edition,
        "datePublished": work.released.isoformat(),
        "inLanguage": work.language,
        "license": work.licence_url,
        "isAccessibleForFree": True,
        "abstract": work.abstract,
        "keywords": list(work.keywords),
    }
    if work.pdf_url:
        book["encoding"] = {"@type": "MediaObject", "contentUrl": work.pdf_url,
                            "encodingFormat": "application/pdf"}
    if work.doi:
        book["identifier"] = f"https://doi.org/{work.doi}"
    return book


def page_jsonld(work, page) -> dict:
    if page.whole:
        return {"@context": "https://schema.org", **book_jsonld(work)}
    chapter = {
        "@context": "https://schema.org",
        "@type": "Chapter",
        "@id": page.url,
        "name": page.title,
        "url": page.url,
        "author": [_person(a) for a in work.authors],
        "datePublished": work.released.isoformat(),
        "version": work.edition,
        "inLanguage": work.language,
        "license": work.licence_url,
        "isPartOf": book_jsonld(work),
    }
    if page.chapter:
        chapter["position"] = page.chapter
    return chapter


def head_tags(work, page, description: str = "", pdf_url: str = "") -> str:
    """pdf_url: the page's own PDF (a chapter's, beside it: Google Scholar wants the PDF of
    the page, in the page's folder); other pages name the whole book's."""
    meta: list[tuple[str, str, str]] = []  # (attribute, name, content)
    if page.whole:
        meta.append(("name", "citation_title", work.title))
    else:
        meta += [("name", "citation_title", page.title),
                 ("name", "citation_inbook_title", work.title)]
    meta += [("name", "citation_author", a.get("name") or f"{a['family-names']}, {a['given-names']}".rstrip(", "))
             for a in work.authors]
    meta += [
        ("name", "citation_publication_date", f"{work.released:%Y/%m/%d}"),
        ("name", "citation_publisher", work.publisher),
        ("name", "citation_language", work.language),
        ("name", "citation_abstract_html_url", page.url),
    ]
    if pdf_url or work.pdf_url:
        meta.append(("name", "citation_pdf_url", pdf_url or work.pdf_url))
    if work.doi:
        meta.append(("name", "citation_doi", work.doi))
    meta += [("name", "citation_keywords", "; ".join(work.keywords))] if work.keywords else []
    meta += [
        ("property", "og:type", "book" if page.whole else "article"),
        ("property", "og:title", work.title if page.whole else page.title),
        ("property", "og:site_name", work.title),
        ("property", "og:url", page.url),
    ]
    description = description or (work.abstract if page.whole else "")
    if description:
        meta.append(("property", "og:description", description))
    if page.whole:
        meta.append(("property", "book:release_date", work.released.isoformat()))
    tags = [f'<meta {attr}="{name}" content="{html.escape(content)}" />' for attr, name, content in meta]
    # "</" cannot end the script early: json.dumps escapes no "/", so escape it here
    data = json.dumps(page_jsonld(work, page), ensure_ascii=False, indent=1).replace("</", "<\\/")
    tags.append(f'<script type="application/ld+json">\n{data}\n</script>')
    return "\n".join(tags) + "\n"


def add_head_metadata(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or app.builder.name not in WEB_BUILDERS:
        return
    work = work_for(app)
    if work is None or not app.config.html_baseurl:
        return
    # page_meta.py, when loaded first, has put the page's description in the context
    own = page_pdf(app, pagename)
    pdf_url = posixpath.join(app.config.html_baseurl, own) if own else ""
    tags = head_tags(work, page_for(app, pagename), context.get("page_description", ""), pdf_url)
    context["metatags"] = context.get("metatags", "") + tags


def setup(app):
    app.connect("html-page-context", add_head_metadata)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
