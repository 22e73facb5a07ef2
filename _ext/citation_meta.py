"""Machine-readable citation metadata in the head of every page of the website.

Reference managers and Google Scholar read a page's head, not its text. Each page's tags are
made from the same CSL-JSON item as its "Cite this" box (cite_work.csl_item), so that "Save to
Zotero" creates the item whose APA and Chicago strings the page shows.

The markup follows what Zotero's translators do (zotero/translators: "Embedded Metadata.js",
"RDF.js", "COinS.js"; Zotero picks the one with the best priority):

* Highwire Press tags (``citation_*``), which "Embedded Metadata" (priority 320) and Google
  Scholar read. Embedded Metadata passes every ``citation_author`` through
  ``ZU.cleanAuthor(name, "author", name.includes(","))``. Without a comma the name is split
  at its last space (a group author becomes first name "Contributors to the Forced
  Repatriation", last name "Handbook"); with a comma it is read as "Family, Given", and a name
  with nothing after its comma keeps the whole name as the family name with no given name,
  which Zotero stores as a single-field (institutional) name. So a group author is written
  ``Name,``: the inverted "Family, Given" form with an empty given part (Google Scholar's
  documented form is "Family, Given" too). Persons are written "Family, Given".
* ``citation_book_title`` (Embedded Metadata maps it to bookTitle and types the item as a book
  section) and ``citation_inbook_title`` (Google Scholar's name for the same) on every page
  but the home page; the home page is typed a book by ``og:type`` "book" (RDF.js: og:type book).
* ``prism.edition``: Highwire has no edition tag; Embedded Metadata hands ``prism.*`` tags to
  the RDF translator, which reads ``prism:edition`` as the edition.
* ``citation_abstract``, the full abstract: Embedded Metadata prefers it to og:description
  (which link previews cut); ``citation_publication_date`` with the day; ``citation_language``;
  ``citation_abstract_html_url``, the page's canonical address; ``citation_pdf_url``, the
  page's own PDF beside it where there is one (Google Scholar's rule), else the book's.
* No COinS span: the COinS translator has the better priority (310) and would win, and
  OpenURL carries no abstract and no language, so the item would lose them.
* No ``citation_publisher``: the authors are not their own publisher (cite_work.py).

JSON-LD (schema.org): a ``Book`` on the home page; a ``Chapter`` (with its ``position``) for the
numbered chapters of the home page's numbered toctree; every other page (the brief and the
reference pages) a ``CreativeWork`` that ``isPartOf`` the Book. OpenGraph tags for link
previews. sphinxext-opengraph is not used: it sets one og:type for the whole site (a page
can only override it by a field in its source), writes ``index.html`` as the home page's
og:url, and cuts og:description with "...", where the handbook needs the type from the
toctree, one canonical address and the same description as the other tags.

Pages that are not part of the text (search, the general index) get none: they are not works
to cite. Only the website's builder adds them; the EPUB has its own metadata.
"""

from __future__ import annotations

import html
import json
import posixpath

from chapter_pdfs import page_pdf
from cite_work import WEB_BUILDERS, csl_item, is_person, page_for, work_for
from page_meta import page_abstract


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
        "bookEdition": work.edition,
        "version": work.edition,
        "datePublished": work.released.isoformat(),
        "inLanguage": work.language,
        "license": work.licence_url,
        "isAccessibleForFree": True,
        "abstract": work.abstract,
        "keywords": list(work.keywords),
    }
    if work.publisher:
        book["publisher"] = {"@type": "Organization", "name": work.publisher}
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
        # a chapter of the numbered toctree; the brief and the reference pages are parts
        "@type": "Chapter" if page.chapter else "CreativeWork",
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


def highwire_author(author: dict) -> str:
    """A name as Zotero's Embedded Metadata translator and Google Scholar read it (see the
    module's doc): "Family, Given" for a person, "Name," for a group."""
    if is_person(author):
        return f"{author['family-names']}, {author['given-names']}".rstrip(", ")
    return f"{author['name']},"


def head_tags(work, page, description: str = "", pdf_url: str = "") -> str:
    """pdf_url: the page's own PDF (a chapter's, beside it: Google Scholar wants the PDF of
    the page, in the page's folder); other pages name the whole book's. description: the
    page's short description for link previews (the full abstract goes to citation_abstract)."""
    item = csl_item(work, page)
    year, month, day = item["issued"]["date-parts"][0]
    meta: list[tuple[str, str, str]] = [("name", "citation_title", item["title"])]  # (attribute, name, content)
    if "container-title" in item:
        meta += [("name", "citation_book_title", item["container-title"]),
                 ("name", "citation_inbook_title", item["container-title"])]
    meta += [("name", "citation_author", highwire_author(a)) for a in work.authors]
    meta += [
        ("name", "citation_publication_date", f"{year:04d}/{month:02d}/{day:02d}"),
        ("name", "prism.edition", item["edition"]),
        ("name", "citation_language", item["language"]),
        ("name", "citation_abstract_html_url", item["URL"]),
    ]
    if item.get("abstract"):
        meta.append(("name", "citation_abstract", item["abstract"]))
    if item.get("publisher"):
        meta.append(("name", "citation_publisher", item["publisher"]))
    if pdf_url or work.pdf_url:
        meta.append(("name", "citation_pdf_url", pdf_url or work.pdf_url))
    if work.doi:
        meta.append(("name", "citation_doi", work.doi))
    meta += [("name", "citation_keywords", "; ".join(work.keywords))] if work.keywords else []
    meta += [
        ("property", "og:type", "book" if page.whole else "article"),
        ("property", "og:title", work.title if page.whole else page.title),
        ("property", "og:site_name", work.title),
        ("property", "og:url", item["URL"]),
    ]
    description = description or item.get("abstract", "")
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
    own = page_pdf(app, pagename)
    pdf_url = posixpath.join(app.config.html_baseurl, own) if own else ""
    page = page_for(app, pagename, page_abstract(app, doctree))
    tags = head_tags(work, page, page.description, pdf_url)
    context["metatags"] = context.get("metatags", "") + tags


def setup(app):
    app.connect("html-page-context", add_head_metadata)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
