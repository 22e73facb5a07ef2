"""Where the citations are shown: the "Cite this" box, the How to cite page, the PDF's title page.

* a "Cite this page" box at the top of every HTML page: Chicago, APA, BibTeX and RIS
  (cite_formats.py), with the edition, the date and the page's canonical address. Plain HTML
  (a ``<details>`` element, downloads as ``data:`` URIs): it works without JavaScript and loads
  nothing from anywhere;
* the ``{handbook-citation}`` directive: the whole handbook's citation in the four formats
  (the How to cite page, in the HTML and the PDF);
* the back of the PDF's title page: edition, date, licence, suggested citation and address,
  through the ``\\sphinxbackoftitlepage`` hook of Sphinx's LaTeX title page;
* :func:`paragraph_citation`: the text paragraph_numbers.py puts on each paragraph number.
"""

from __future__ import annotations

import html
import posixpath
import urllib.parse

from docutils import nodes
from sphinx.locale import get_translation
from sphinx.util.docutils import SphinxDirective
from sphinx.util.texescape import escape as tex_escape

from cite_formats import APA, CHICAGO, Pieces, apa, as_html, as_latex, bibtex, chicago, ris
from cite_work import WEB_BUILDERS, is_person, page_for, work_for, work_from_metadata
from page_meta import page_abstract

NO_DOI = "DOI: not yet assigned"
_ = get_translation("handbook")  # the interface strings' catalogue (_ext/translations.py)


def _names(authors) -> str:
    names = [a["name"] if not is_person(a) else f"{a['given-names']} {a['family-names']}".strip()
             for a in authors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]


def paragraph_citation(app, docname: str, number: str, anchor: str) -> str:
    """The citation of one numbered paragraph, as plain text (a note-style reference)."""
    work = work_for(app)
    if work is None:
        return ""
    page = page_for(app, docname)
    title = page.title if page.title.endswith((".", "?", "!")) else page.title + ","
    return (f"{_names(work.authors)}, \u201c{title}\u201d in {work.title}, "
            f"edition {work.edition} ({work.released.year}), para. {number}, {page.url}#{anchor}")


# -- HTML: the "Cite this page" box ------------------------------------------------------------

def date_text(app, work) -> str:
    """The edition's date as the page's language writes it: conf.py's ``today`` is the
    English "3 December 2026", and a Korean or Chinese build's (_ext/translations.py) its own."""
    if (app.config.language or "en") != "en" and app.config.today:
        return app.config.today
    return work.date_text


def _data_uri(text: str, mime: str) -> str:
    return f"data:{mime};charset=utf-8," + urllib.parse.quote(text)


def cite_box(app, docname: str, description: str = "") -> str:
    work = work_for(app)
    page = page_for(app, docname, description)
    slug = f"{work.key}{'' if page.whole else page.key_suffix}"
    bib, ris_text = bibtex(work, page), ris(work, page)
    what = _("Cite the handbook") if page.whole else _("Cite this page")
    link = ""
    if "chapters/how-to-cite" in app.env.found_docs and docname != "chapters/how-to-cite":
        link = (f'<a href="{app.builder.get_relative_uri(docname, "chapters/how-to-cite")}">'
                + _("How to cite the handbook") + "</a>" + _(": the rules, and citations of the whole."))
    prefix = page.chapter or getattr(app.config, "paragraph_prefixes", {}).get(docname)
    para = ("" if not prefix else
            "<p>" + _("To cite a paragraph, add its number: \u201c\u2026, para. {example}\u201d. "
                      "Each number in the margin links to its paragraph and carries its citation."
                      ).format(example=f"{prefix}.14") + "</p>")
    # the box's words in the page's language (babel reads no f-string: plain calls here)
    stable_label, download_bib, download_ris = _("Stable URL:"), _("download .bib"), _("download .ris")
    return f"""<details class="cite-this">
<summary>{what}</summary>
<div class="cite-this-body">
<p class="cite-this-edition">{html.escape(work.edition_text)}, {html.escape(date_text(app, work))}.
{stable_label} <a href="{html.escape(page.url)}">{html.escape(page.url)}</a>. {NO_DOI if not work.doi else "DOI: " + html.escape(work.doi)}.</p>
<dl>
<dt>{CHICAGO}</dt><dd class="cite-chicago">{as_html(chicago(work, page))}</dd>
<dt>{APA}</dt><dd class="cite-apa">{as_html(apa(work, page))}</dd>
<dt>BibTeX <a class="cite-download" download="{slug}.bib" href="{_data_uri(bib, 'application/x-bibtex')}">{download_bib}</a></dt>
<dd><pre class="cite-bibtex" tabindex="0">{html.escape(bib)}</pre></dd>
<dt>RIS <a class="cite-download" download="{slug}.ris" href="{_data_uri(ris_text, 'application/x-research-info-systems')}">{download_ris}</a></dt>
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
    box = cite_box(app, pagename, page_abstract(app, doctree))
    context["body"] = context["body"].replace("</h1>", "</h1>\n" + box, 1)


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
        for name, pieces in ((CHICAGO, chicago(work)), (APA, apa(work))):
            out.append(nodes.rubric(name, name))
            node = _pieces_node(pieces)
            node["classes"].append("handbook-citation")
            out.append(node)
        for name, text, lang in (("BibTeX", bibtex(work), "bibtex"), ("RIS", ris(work), "text")):
            out.append(nodes.rubric(name, name))
            block = nodes.literal_block(text, text, language="text")
            block["classes"].append(f"handbook-citation-{lang}")
            out.append(block)
        edition = (f"{work.edition_text}, {work.date_text}. Licence: {work.licence_name}. "
                   f"{NO_DOI if not work.doi else 'DOI: ' + work.doi}.")
        out.insert(0, nodes.paragraph(edition, edition))
        return out


# -- LaTeX: the back of the title page ---------------------------------------------------------

def title_page_back(work) -> str:
    doi = NO_DOI if not work.doi else f"DOI: {work.doi}"
    pdf = rf"PDF: \url{{{work.pdf_url}}}\\" if work.pdf_url else ""
    return rf"""
% the back of the title page (generated from CITATION.cff by _ext/cite_box.py)
\def\sphinxbackoftitlepage{{%
  \begingroup\small\raggedright\parindent\z@\parskip.8\baselineskip
  \null\vfill
  \textbf{{{tex_escape(work.edition_text, "lualatex")}, {work.date_text}.}}\par
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
