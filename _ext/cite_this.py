"""Citations of the handbook and of each page, generated from CITATION.cff.

conf.py passes the parsed CITATION.cff as ``handbook_metadata``; nothing here repeats a title,
a name, an edition or a date. From it this extension makes:

* a "Cite this page" box at the top of every HTML page: Chicago author-date, APA, BibTeX and
  RIS, with the edition, the date and the page's stable URL (``html_baseurl`` plus the page's
  path). Plain HTML (a ``<details>`` element, download links as ``data:`` URIs), so it works
  without JavaScript and loads nothing from anywhere;
* the ``{handbook-citation}`` directive, which prints the whole handbook's citation in the four
  formats (the "How to cite" page uses it, in the HTML and in the PDF);
* the back of the PDF's title page: edition, date, licence, suggested citation and the stable
  URL, through the ``\\sphinxbackoftitlepage`` hook of Sphinx's LaTeX title page;
* ``paragraph_citation()``, the citation text that paragraph_numbers.py puts on each
  paragraph number.

Titles follow each style: Chicago capitalises titles headline-style; APA uses sentence case.
Chapter titles are written in sentence case in the sources, so Chicago's form is derived by
capitalising (which is mechanical). The book's title is written headline-style, so APA's form
lower-cases its words except the first, the first after a colon, acronyms, and the proper nouns
that CITATION.cff's abstract and keywords capitalise (North, Korean, China, ...).
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from datetime import date

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx.util.texescape import escape as tex_escape

NO_DOI = "DOI: not yet assigned"
WEB_BUILDERS = ("html", "dirhtml")  # the website; the EPUB (also HTML) gets no box
# Licence pages for the SPDX identifiers the handbook may use; others link to SPDX's page.
LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# Chicago Manual of Style 8.159: articles, prepositions and these conjunctions stay lower case
MINOR_WORDS = set(
    "a an the and but or nor for so yet as at by in into of off on onto out over per to up via "
    "with from than upon within without about across after against along among around before "
    "behind below beneath beside between beyond during except inside near since through toward "
    "towards under until".split()
)


# -- The work and its pages -------------------------------------------------------------------

@dataclass(frozen=True)
class Work:
    """The handbook as CITATION.cff describes it."""

    title: str
    authors: tuple[dict, ...]
    edition: str
    released: date
    licence: str
    url: str
    publisher: str
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    language: str = "en"
    pdf_url: str = ""
    doi: str = ""

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
    def key(self) -> str:
        """A BibTeX key: the title's first two words and the year."""
        words = re.findall(r"[a-z]+", self.title.lower())[:2]
        return "".join(words) + str(self.released.year)


@dataclass(frozen=True)
class Page:
    """One page of the handbook: a chapter (with its number), back matter, or the whole."""

    title: str
    url: str
    docname: str
    chapter: int | None = None
    whole: bool = False  # the home page stands for the whole handbook

    @property
    def key_suffix(self) -> str:
        if self.chapter:
            return f"ch{self.chapter}"
        return re.sub(r"[^a-z]", "", posixpath.basename(self.docname).lower())


def work_from_metadata(meta: dict, pdf_url: str = "") -> Work:
    preferred = meta.get("preferred-citation", {})
    publisher = (preferred.get("publisher") or {}).get("name") or _author_list(meta["authors"])
    return Work(
        title=meta["title"],
        authors=tuple(meta["authors"]),
        edition=str(preferred.get("edition", meta["version"])),
        released=date.fromisoformat(str(meta["date-released"])),
        licence=meta.get("license", ""),
        url=meta.get("url", ""),
        publisher=publisher,
        abstract=" ".join(str(meta.get("abstract", "")).split()),
        keywords=tuple(meta.get("keywords", [])),
        language=(preferred.get("languages") or ["en"])[0],
        pdf_url=pdf_url,
        doi=str(meta.get("doi", "")),
    )


def _is_person(author: dict) -> bool:
    return "family-names" in author


def _author_list(authors) -> str:
    return "; ".join(a.get("name") or f"{a['given-names']} {a['family-names']}".strip() for a in authors)


# -- Capitalisation ----------------------------------------------------------------------------

def headline_case(title: str) -> str:
    """Chicago headline style from a sentence-case title: capitalise all but minor words."""
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        after_colon = i > 0 and words[i - 1].endswith(":")
        first_or_last = i == 0 or i == len(words) - 1
        if word.lower() in MINOR_WORDS and not (first_or_last or after_colon):
            out.append(word.lower() if word[:1].islower() or word.lower() == word else word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def proper_nouns(work: Work) -> set[str]:
    """Words that CITATION.cff's abstract and keywords capitalise where a sentence does not
    start: names, which sentence case keeps."""
    found = set()
    for sentence in re.split(r"[.:;]\s+", work.abstract):
        for word in sentence.split()[1:]:
            word = re.sub(r"('s|\W)+$", "", word)
            if word[:1].isupper():
                found.add(word)
    for keyword in work.keywords:
        found.update(w for w in keyword.split() if w[:1].isupper())
    return found


def sentence_case(title: str, keep: set[str]) -> str:
    """APA sentence case: capitals only for the first word, the first after a colon, acronyms
    and the words in ``keep``."""
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        bare = re.sub(r"('s|\W)+$", "", word)
        starts = i == 0 or words[i - 1].endswith(":")
        if starts:
            out.append(word[:1].upper() + word[1:])
        elif bare in keep or (len(bare) > 1 and bare.isupper()):
            out.append(word)
        else:
            out.append(word.lower())
    return " ".join(out)


# -- Names -------------------------------------------------------------------------------------

def _chicago_names(authors) -> str:
    names = []
    for i, a in enumerate(authors):
        if not _is_person(a):
            names.append(a["name"])
        elif i == 0:
            names.append(f"{a['family-names']}, {a['given-names']}".rstrip(", "))
        else:
            names.append(f"{a['given-names']} {a['family-names']}".strip())
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]


def _apa_names(authors) -> str:
    def one(a):
        if not _is_person(a):
            return a["name"]
        initials = " ".join(f"{g[0]}." for g in a["given-names"].split())
        return f"{a['family-names']}, {initials}".rstrip(", ")
    names = [one(a) for a in authors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]


def _bibtex_names(authors) -> str:
    return " and ".join(f"{{{a['name']}}}" if not _is_person(a)
                        else f"{a['family-names']}, {a['given-names']}".rstrip(", ") for a in authors)


def _end(text: str, mark: str = ".") -> str:
    return text if text.endswith((".", "?", "!")) else text + mark


# -- The four formats --------------------------------------------------------------------------
# A citation in running text is a list of (text, italic) pieces, so that the same citation
# renders as plain text, HTML and LaTeX.

Pieces = list[tuple[str, bool]]


def chicago(work: Work, page: Page | None = None) -> Pieces:
    head = f"{_end(_chicago_names(work.authors))} {work.released.year}. "
    tail = f". Edition {work.edition}, {work.date_text}. {page.url if page and not page.whole else work.url}."
    if page is None or page.whole:
        return [(head, False), (work.title, True), (tail, False)]
    where = f"Chap. {page.chapter} in " if page.chapter else "In "
    return [(f'{head}\u201c{_end(headline_case(page.title))}\u201d {where}', False),
            (work.title, True), (tail, False)]


def apa(work: Work, page: Page | None = None) -> Pieces:
    head = f"{_end(_apa_names(work.authors))} ({work.released.year}). "
    book = sentence_case(work.title, proper_nouns(work))
    if page is None or page.whole:
        return [(head, False), (book, True), (f" (Edition {work.edition}). {work.url}", False)]
    chapter = f", Chapter {page.chapter}" if page.chapter else ""
    own = sentence_case(page.title, proper_nouns(work) | _capitalised(page.title))
    return [(f"{head}{_end(own)} In ", False), (book, True),
            (f" (Edition {work.edition}{chapter}). {page.url}", False)]


def _capitalised(title: str) -> set[str]:
    """Words a sentence-case title already capitalises past its first: names, kept as written."""
    return {re.sub(r"('s|\W)+$", "", w) for w in title.split()[1:] if w[:1].isupper()}


def _bib_value(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text)


def bibtex(work: Work, page: Page | None = None) -> str:
    fields: list[tuple[str, str]] = [("author", f"{{{_bibtex_names(work.authors)}}}")]
    if page is None or page.whole:
        kind, key = "book", work.key
        fields.append(("title", f"{{{{{_bib_value(work.title)}}}}}"))
    else:
        kind, key = "incollection", f"{work.key}{page.key_suffix}"
        fields += [("title", f"{{{{{_bib_value(page.title)}}}}}"),
                   ("booktitle", f"{{{{{_bib_value(work.title)}}}}}")]
        if page.chapter:
            fields.append(("chapter", f"{{{page.chapter}}}"))
    fields += [
        ("edition", f"{{{work.edition}}}"),
        ("year", f"{{{work.released.year}}}"),
        ("month", MONTHS[work.released.month - 1]),
        ("publisher", f"{{{_bib_value(work.publisher)}}}"),
        ("url", f"{{{page.url if page and not page.whole else work.url}}}"),
    ]
    if work.doi:
        fields.append(("doi", f"{{{work.doi}}}"))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name:<{width}} = {value}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


def ris(work: Work, page: Page | None = None) -> str:
    whole = page is None or page.whole
    lines = [("TY", "BOOK" if whole else "CHAP")]
    lines += [("AU", a["name"] if not _is_person(a) else f"{a['family-names']}, {a['given-names']}".rstrip(", "))
              for a in work.authors]
    if whole:
        lines.append(("TI", work.title))
    else:
        lines += [("TI", page.title), ("T2", work.title)]
    lines += [
        ("ET", work.edition),
        ("PY", str(work.released.year)),
        ("DA", f"{work.released:%Y/%m/%d}"),
        ("PB", work.publisher),
        ("LA", work.language),
        ("UR", work.url if whole else page.url),
    ]
    if work.doi:
        lines.append(("DO", work.doi))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}".rstrip() for tag, value in lines) + "\n"


def as_text(pieces: Pieces) -> str:
    return "".join(text for text, _ in pieces)


def as_html(pieces: Pieces) -> str:
    return "".join(f"<em>{html.escape(t)}</em>" if italic else html.escape(t) for t, italic in pieces)


def as_latex(pieces: Pieces) -> str:
    out = []
    for text, italic in pieces:
        # URLs break at slashes in \url; elsewhere escape TeX's special characters
        parts = re.split(r"(https?://\S+?)(?=\.?$|\.?\s)", text)
        escaped = "".join(rf"\url{{{p}}}" if p.startswith("http") else tex_escape(p, "lualatex")
                          for p in parts)
        out.append(rf"\emph{{{escaped}}}" if italic else escaped)
    return "".join(out)


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
    base = app.config.html_baseurl
    # the website's path for the page, the same one Sphinx puts in rel=canonical; an EPUB's
    # pages point to the website too
    target = (app.builder.get_target_uri(docname) if app.builder.name in WEB_BUILDERS
              else f"{docname}.html")
    return posixpath.join(base, target)


def page_for(app, docname: str) -> Page:
    env = app.env
    title = env.titles[docname].astext() if docname in env.titles else docname
    return Page(title=title, url=page_url(app, docname), docname=docname,
                chapter=chapter_number(env, docname), whole=docname == app.config.root_doc)


def paragraph_citation(app, docname: str, number: str, anchor: str) -> str:
    """The citation of one numbered paragraph, as plain text (a note-style reference)."""
    work = work_for(app)
    if work is None:
        return ""
    page = page_for(app, docname)
    return (f"{_chicago_names(work.authors)}, \u201c{_end(page.title, ',')}\u201d in {work.title}, "
            f"edition {work.edition} ({work.released.year}), para. {number}, {page.url}#{anchor}")


# -- HTML: the "Cite this page" box ------------------------------------------------------------

def _data_uri(text: str, mime: str) -> str:
    return f"data:{mime};charset=utf-8," + urllib.parse.quote(text)


def cite_box(app, docname: str) -> str:
    work = work_for(app)
    page = page_for(app, docname)
    slug = f"{work.key}{'' if page.whole else page.key_suffix}"
    bib, ris_text = bibtex(work, page), ris(work, page)
    what = "the handbook" if page.whole else "this page"
    stable = work.url if page.whole else page.url
    link = ""
    if "chapters/how-to-cite" in app.env.found_docs and docname != "chapters/how-to-cite":
        link = (f'<a href="{app.builder.get_relative_uri(docname, "chapters/how-to-cite")}">'
                "How to cite the handbook</a>: the rules, and citations of the whole.")
    prefix = page.chapter or getattr(app.config, "paragraph_prefixes", {}).get(docname)
    para = ("" if not prefix else
            f"<p>To cite a paragraph, add its number: \u201c\u2026, para. {prefix}.14\u201d. "
            "Each number in the margin links to its paragraph and carries its citation.</p>")
    return f"""<details class="cite-this">
<summary>Cite {what}</summary>
<div class="cite-this-body">
<p class="cite-this-edition">Edition {html.escape(work.edition)}, {work.date_text}.
Stable URL: <a href="{html.escape(stable)}">{html.escape(stable)}</a>. {NO_DOI if not work.doi else "DOI: " + html.escape(work.doi)}.</p>
<dl>
<dt>Chicago (author-date)</dt><dd class="cite-chicago">{as_html(chicago(work, page))}</dd>
<dt>APA</dt><dd class="cite-apa">{as_html(apa(work, page))}</dd>
<dt>BibTeX <a class="cite-download" download="{slug}.bib" href="{_data_uri(bib, 'application/x-bibtex')}">download .bib</a></dt>
<dd><pre class="cite-bibtex" tabindex="0">{html.escape(bib)}</pre></dd>
<dt>RIS <a class="cite-download" download="{slug}.ris" href="{_data_uri(ris_text, 'application/x-research-info-systems')}">download .ris</a></dt>
<dd><pre class="cite-ris" tabindex="0">{html.escape(ris_text)}</pre></dd>
</dl>
{para}{f"<p>{link}</p>" if link else ""}
</div>
</details>
"""


def add_cite_box(app, pagename, templatename, context, doctree) -> None:
    # Added to the rendered body, not to the document: Sphinx's search index reads the
    # document, and every page would otherwise match "BibTeX" or "APA".
    if doctree is None or app.builder.name not in WEB_BUILDERS or work_for(app) is None \
            or not app.config.html_baseurl or "</h1>" not in context.get("body", ""):
        return
    context["body"] = context["body"].replace("</h1>", "</h1>\n" + cite_box(app, pagename), 1)


# -- Docutils nodes: the How to cite page ------------------------------------------------------

def _pieces_node(pieces: Pieces) -> nodes.paragraph:
    para = nodes.paragraph()
    for text, italic in pieces:
        para += nodes.emphasis(text, text) if italic else nodes.Text(text)
    return para


class HandbookCitation(SphinxDirective):
    """``{handbook-citation}``: the whole handbook's citation in the four formats."""

    has_content = False

    def run(self):
        work = work_for(self.env.app)
        if work is None:
            return [self.state.document.reporter.error(
                "handbook-citation: conf.py sets no handbook_metadata (read from CITATION.cff)",
                line=self.lineno)]
        out = []
        for name, pieces in (("Chicago (author-date)", chicago(work)), ("APA", apa(work))):
            out.append(nodes.rubric(name, name))
            node = _pieces_node(pieces)
            node["classes"].append("handbook-citation")
            out.append(node)
        for name, text, lang in (("BibTeX", bibtex(work), "bibtex"), ("RIS", ris(work), "text")):
            out.append(nodes.rubric(name, name))
            block = nodes.literal_block(text, text, language="text")
            block["classes"].append(f"handbook-citation-{lang}")
            out.append(block)
        edition = (f"Edition {work.edition}, {work.date_text}. Licence: {work.licence_name}. "
                   f"{NO_DOI if not work.doi else 'DOI: ' + work.doi}.")
        out.insert(0, nodes.paragraph(edition, edition))
        return out


# -- LaTeX: the back of the title page ---------------------------------------------------------

def title_page_back(work: Work) -> str:
    doi = NO_DOI if not work.doi else f"DOI: {work.doi}"
    pdf = rf"PDF: \url{{{work.pdf_url}}}\\" if work.pdf_url else ""
    return rf"""
% the back of the title page (generated from CITATION.cff by _ext/cite_this.py)
\def\sphinxbackoftitlepage{{%
  \begingroup\small\raggedright\parindent\z@\parskip.8\baselineskip
  \null\vfill
  \textbf{{Edition {tex_escape(work.edition, "lualatex")}, {work.date_text}.}}\par
  \textbf{{Suggested citation:}} {as_latex(chicago(work))}\par
  To cite a paragraph, add the number printed in its margin, for example “para.~3.14”.
  The page “How to cite” gives the citation in other formats (APA, BibTeX, RIS).\par
  Online edition: \url{{{work.url}}}\\
  {pdf}
  {tex_escape(doi, "lualatex")}\par
  Text licence: {tex_escape(work.licence_name, "lualatex")}, \url{{{work.licence_url}}}\par
  \endgroup}}
"""


def add_title_page_back(app, config) -> None:
    meta = config.handbook_metadata
    if not meta:
        return
    pdf = (config.html_context or {}).get("pdf_name", "")
    base = config.html_baseurl or meta.get("url", "")
    work = work_from_metadata(meta, posixpath.join(base, pdf) if pdf and base else base)
    elements = dict(config.latex_elements)
    elements["preamble"] = (elements.get("preamble", "") + "\\makeatletter"
                            + title_page_back(work) + "\\makeatother\n")
    config.latex_elements = elements


def setup(app):
    app.add_config_value("handbook_metadata", {}, "env", types=[dict])
    app.add_directive("handbook-citation", HandbookCitation)
    app.add_css_file("citable.css")  # also styles paragraph_numbers.py's numbers
    app.connect("config-inited", add_title_page_back)
    app.connect("html-page-context", add_cite_box)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
