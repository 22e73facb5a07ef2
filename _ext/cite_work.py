"""The work being cited: the handbook (from CITATION.cff) and its pages, as one CSL-JSON item.

Every citation the handbook gives, and every piece of metadata a client reads, is made from
the one item :func:`csl_item` returns for a page: the Chicago and APA strings (rendered by a CSL
processor, cite_formats.py), the BibTeX and RIS downloads, the Highwire Press and JSON-LD tags
in the page's head (citation_meta.py). What the page shows is therefore what a reference
manager makes of the downloads.

Which pages are chapters comes from the numbered toctree of the home page (Sphinx's
``toc_secnumbers``), never from a list here. The other pages (the brief, the timeline, the
glossary, key documents, data, correspondence, how to cite, sources) are parts of the book
without a chapter number.

The data are chosen so that the official CSL styles print them well:

* **Author.** A group author is one literal name, never split into given and family names.
* **No publisher.** The handbook has none besides its authors; repeating the group name as
  publisher makes every style print it twice. (Add ``publisher`` under ``preferred-citation``
  in CITATION.cff if a real publisher ever takes the handbook on.)
* **Edition.** CSL's ``edition`` holds "Edition 0.2.0": a number such as "0.2.0" is printed
  bare by APA ("(0.2.0)") and Chicago ("0.2.0."), which a reader cannot decode, and Zotero's
  book and book-section items have an edition field but no version field, so the label has
  to travel inside the value for every client to print the handbook's own wording.
* **Titles** are stored in sentence case, as CSL expects: APA prints them as stored, Chicago
  capitalises them headline-style (``text-case="title"``). Proper nouns and acronyms keep
  their capitals; the BibTeX writer protects exactly those words with braces.
* **Date** with the day; the URL is the page's one canonical address (the home page's is the
  site's root, never ``index.html``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import date

WEB_BUILDERS = ("html", "dirhtml")  # the website; the EPUB (also HTML) gets no box
# Licence pages for the SPDX identifiers the handbook may use; others link to SPDX's page.
LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
EDITION_LABEL = "Edition {}"  # the handbook's word for a release, in every citation


@dataclass(frozen=True)
class Work:
    """The handbook as CITATION.cff describes it."""

    title: str
    authors: tuple[dict, ...]
    edition: str
    released: date
    licence: str
    url: str
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    language: str = "en"
    pdf_url: str = ""
    doi: str = ""
    publisher: str = ""  # only a publisher other than the authors (none so far)

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, f"https://spdx.org/licenses/{self.licence}.html")

    @property
    def licence_name(self) -> str:
        # SPDX "CC-BY-4.0" is written "CC BY 4.0" by Creative Commons
        return self.licence.replace("-", " ") if self.licence.startswith("CC") else self.licence

    @property
    def date_text(self) -> str:
        return f"{self.released.day} {self.released:%B %Y}"

    @property
    def edition_text(self) -> str:
        return EDITION_LABEL.format(self.edition)

    @property
    def key(self) -> str:
        """A BibTeX key: the title's first two words and the year."""
        words = re.findall(r"[a-z]+", self.title.lower())[:2]
        return "".join(words) + str(self.released.year)


@dataclass(frozen=True)
class Page:
    """One page of the handbook: a chapter (with its number), another part, or the whole."""

    title: str
    url: str
    docname: str
    chapter: int | None = None
    whole: bool = False  # the home page stands for the whole handbook
    description: str = ""  # the page's own abstract: its first paragraph, in full
    language: str = ""  # a translated page's language (ko, zh); empty: the work's (English)

    @property
    def key_suffix(self) -> str:
        if self.chapter:
            return f"ch{self.chapter}"
        return re.sub(r"[^a-z]", "", posixpath.basename(self.docname).lower())


def work_from_metadata(meta: dict, pdf_url: str = "") -> Work:
    preferred = meta.get("preferred-citation", {})
    publisher = (preferred.get("publisher") or {}).get("name", "")
    if publisher == author_list(meta["authors"]):
        publisher = ""  # the authors are not their own publisher (see the module's doc)
    return Work(
        title=meta["title"],
        authors=tuple(meta["authors"]),
        edition=str(meta["version"]),
        released=date.fromisoformat(str(meta["date-released"])),
        licence=meta.get("license", ""),
        url=meta.get("url", ""),
        abstract=" ".join(str(meta.get("abstract", "")).split()),
        keywords=tuple(meta.get("keywords", [])),
        language=(preferred.get("languages") or ["en"])[0],
        pdf_url=pdf_url,
        doi=str(meta.get("doi", "")),
        publisher=publisher,
    )


def is_person(author: dict) -> bool:
    return "family-names" in author


def author_list(authors) -> str:
    return "; ".join(a.get("name") or f"{a['given-names']} {a['family-names']}".strip() for a in authors)


# -- Capitalisation ----------------------------------------------------------------------------

def proper_nouns(work: Work) -> set[str]:
    """Words that CITATION.cff's abstract and keywords capitalise where a sentence does not
    start: names, which sentence case keeps and BibTeX protects."""
    found = set()
    for sentence in re.split(r"[.:;]\s+", work.abstract):
        for word in sentence.split()[1:]:
            word = _bare(word)
            if word[:1].isupper():
                found.add(word)
    for keyword in work.keywords:
        found.update(w for w in keyword.split() if w[:1].isupper())
    return found


def _bare(word: str) -> str:
    return re.sub(r"(['\u2019]s|\W)+$", "", re.sub(r"^\W+", "", word))


def keeps_capitals(word: str, names: set[str]) -> bool:
    """A name or an acronym (UN, DPRK, A/HRC/25/63): capitals that no style may lower."""
    bare = _bare(word)
    return bare in names or (len(bare) > 1 and bare.isupper())


def sentence_case(title: str, names: set[str]) -> str:
    """APA sentence case: capitals only for the first word, the first after a colon, and
    names and acronyms (``names``, and words a title capitalises past its start)."""
    names = names | {_bare(w) for w in title.split()[1:] if w[:1].isupper() and _starts_nothing(title, w)}
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        if i == 0 or words[i - 1].endswith(":") or word.startswith("["):
            # a title's start; "[" opens the English title of a translated page (page_for)
            out.append(word[:1].upper() + word[1:])
        elif keeps_capitals(word, names):
            out.append(word)
        else:
            out.append(word.lower())
    return " ".join(out)


def _starts_nothing(title: str, word: str) -> bool:
    """True for a capitalised word of a sentence-case title that is not the start of a phrase
    (after a colon): such a word is a name. A headline-style title gives no such evidence."""
    words = [w for w in title.split() if w[:1].isalpha()]
    headline = sum(w[:1].isupper() for w in words) > len(words) / 2
    return not headline


# -- The item ----------------------------------------------------------------------------------

def csl_names(authors) -> list[dict]:
    return [{"literal": a["name"]} if not is_person(a)
            else {"family": a["family-names"], **({"given": a["given-names"]} if a.get("given-names") else {})}
            for a in authors]


def csl_item(work: Work, page: Page | None = None) -> dict:
    """The one CSL-JSON item for the whole handbook (``page`` None or the home page) or a page."""
    whole = page is None or page.whole
    names = proper_nouns(work)
    # typographic apostrophes, as citeproc-js prints them (citeproc-py prints what it gets)
    typo = str.maketrans({"'": "\u2019"})
    book = sentence_case(work.title, names).translate(str.maketrans({"'": "\u2019"}))
    item = {
        "id": work.key if whole else f"{work.key}{page.key_suffix}",
        "type": "book" if whole else "chapter",
        "title": (book if whole else sentence_case(page.title, names)).translate(typo),
        "author": csl_names(work.authors),
        "edition": work.edition_text,
        "issued": {"date-parts": [[work.released.year, work.released.month, work.released.day]]},
        "URL": work.url if whole else page.url,
        "language": (page.language if page is not None and page.language else work.language),
    }
    if not whole:
        item["container-title"] = book
        if page.chapter:
            item["chapter-number"] = str(page.chapter)
    abstract = work.abstract if whole else (page.description or "")
    if abstract:
        item["abstract"] = abstract
    if work.publisher:
        item["publisher"] = work.publisher
    if work.doi:
        item["DOI"] = work.doi
    return item


# -- Reading the build's state -----------------------------------------------------------------

def work_for(app) -> Work | None:
    meta = app.config.handbook_metadata
    if not meta:
        return None
    pdf = (app.config.html_context or {}).get("pdf_name", "")
    base = app.config.html_baseurl or meta.get("url", "")
    return work_from_metadata(meta, posixpath.join(base, pdf) if pdf and base else "")


def chapter_number(env, docname: str) -> int | None:
    """The chapter's number as the numbered toctree gives it, or None for unnumbered pages."""
    numbers = env.toc_secnumbers.get(docname, {}).get("")
    return numbers[0] if numbers and len(numbers) == 1 else None


def page_url(app, docname: str) -> str:
    """The page's one canonical address: the site's root for the home page, else the root plus
    the page's path (an EPUB's pages point to the website too)."""
    base = app.config.html_baseurl
    if docname == app.config.root_doc:
        return base
    target = (app.builder.get_target_uri(docname) if app.builder.name in WEB_BUILDERS
              else f"{docname}.html")
    return posixpath.join(base, target)


def page_for(app, docname: str, description: str = "") -> Page:
    env = app.env
    title = env.titles[docname].astext() if docname in env.titles else docname
    # a translated page: its title, then the English one in brackets (_ext/translations.py).
    # Only in a build in another language: the English title is recorded before smart quotes
    # turn "China's" into "China’s", so on an English page the two always differ.
    english = env.metadata.get(docname, {}).get("english-title")
    if english and (app.config.language or "en") != "en":
        english = english.replace("'", "\u2019")  # as smart quotes print the title
        if english != title:
            title = f"{title} [{english}]"
    return Page(title=title, url=page_url(app, docname), docname=docname,
                chapter=chapter_number(env, docname), whole=docname == app.config.root_doc,
                description=description, language=page_language(app, docname))


def page_language(app, docname: str) -> str:
    """The language of a translated page in the /ko/ or /zh/ site (the primary subtag of its
    BCP 47 tag: RIS's LA and CSL's language), or "" for a page in English."""
    here = (getattr(app.config, "handbook_translations", None) or {}).get(app.config.language)
    if here and docname in getattr(app.config, "handbook_translated_docs", ()):
        return here["tag"].split("-")[0]
    return ""
