"""Number the paragraphs of the chapters, so that a reader can cite "para. 3.14".

Diplomats cite UN reports and the UNHCR Handbook by paragraph number; this handbook numbers
its paragraphs the same way. The rule:

* **Which pages.** The chapters of the numbered table of contents, and the brief. A number
  is the chapter's number, as the table of contents gives it, then a count that runs through
  the whole chapter without restarting at each section: 3.14 is the fourteenth numbered block
  of chapter 3. The brief's paragraphs are B.1, B.2, ... (``paragraph_prefixes`` in conf.py).
  Sections are not numbered (the toctree numbers chapters only), so a number with a dot is
  always a paragraph: "para. 3.14" can never be mistaken for a section.
* **What is numbered.** Each paragraph of the chapter's running text, and each list in the
  running text as one block under one number, as a UN report numbers a paragraph once and
  letters its sub-paragraphs: a list is one point made in parts, cited as "para. 3.14, second
  item". A list that a paragraph introduces (the paragraph ends with a colon) shares that
  paragraph's number, as a UN report's lead-in and its sub-paragraphs do; a list that stands
  on its own (a chapter's "Key points") takes a number of its own.
* **What is not.** Headings; the dateline under the title ("*As of 3 December 2026.*"); the "In brief" box and other admonitions, which summarise
  numbered text (cite the paragraph they summarise); tables, cited by their caption; block
  quotes, which belong to the paragraph that introduces them (cite that paragraph, or better
  the source quoted); footnotes; the home page; and the back matter (timeline, glossary, key
  documents, how to cite, sources), whose entries are cited by name or date and would
  renumber each other whenever an entry was added.

The same numbers appear in the HTML (a permalink in the left margin, ``#para-3-14``) and in
the PDF (in the left margin, with a PDF destination of the same name). They are counted after
reading, from the resolved document, so both outputs count the same blocks. Numbers are stable
while the text is: tests/snapshots/paragraphs.txt records them, and a test shows any change.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.locale import get_translation
from sphinx.util import logging

from cite_this import chapter_number, paragraph_citation

logger = logging.getLogger(__name__)
_ = get_translation("handbook")  # the interface strings' catalogue (_ext/translations.py)

# the blocks that take a number when they sit directly in a section of a chapter
NUMBERED = (nodes.paragraph, nodes.bullet_list, nodes.enumerated_list, nodes.definition_list)
CSS_CLASS = "para-numbered"

# LaTeX: \handbookparanum (defined in _latex/handbook.sty) hangs the number in the left margin.


class para_number(nodes.Inline, nodes.Element):
    """A paragraph's number: attributes ``number`` (3.14), ``anchor`` (para-3-14), ``title``."""


def visit_para_number_html(self, node: para_number) -> None:
    title = f' title="{self.attval(node["title"])}"' if node.get("title") else ""
    # an e-reader's page has no margin to hang the number in: show it at the line's start
    classes = "para-num para-num-inline" if self.builder.name == "epub" else "para-num"
    label = _("Paragraph")
    self.body.append(
        f'<a class="{classes}" href="#{node["anchor"]}" id="{node["anchor"]}"{title}'
        f' aria-label="{label} {node["number"]}">{node["number"]}</a>'
    )
    raise nodes.SkipNode


def visit_para_number_latex(self, node: para_number) -> None:
    self.body.append(rf"\handbookparanum{{{node['number']}}}{{{node['anchor']}}}")
    raise nodes.SkipNode


def english(block: nodes.Element) -> str:
    """The block's English text: a translated page (Sphinx's Locale transform) replaces a
    paragraph's children but keeps its source in ``rawsource``, so the Korean and Chinese pages
    number exactly the blocks the English one does."""
    return block.rawsource if block.get("translated") and block.rawsource else block.astext()


def dateline(block: nodes.Element) -> bool:
    """The "*As of 3 December 2026.*" line under a page's title: it dates the text, it is not
    a paragraph of it."""
    return (isinstance(block, nodes.paragraph) and len(block.children) == 1
            and isinstance(block[0], nodes.emphasis)
            and english(block).lstrip("*_").startswith("As of "))


def introduced(block: nodes.Element) -> bool:
    """A list whose preceding paragraph leads into it (ends with a colon): the two are one
    numbered paragraph."""
    if isinstance(block, nodes.paragraph):
        return False
    index = block.parent.index(block)
    before = block.parent[index - 1] if index > 0 else None
    return isinstance(before, nodes.paragraph) and english(before).rstrip().endswith(":")


def paragraph_prefix(app, docname: str) -> int | str | None:
    """What a page's paragraph numbers start with: the chapter's number, or the letter that
    ``paragraph_prefixes`` in conf.py gives an unnumbered page (the brief's "B"), or None for a
    page whose paragraphs are not numbered."""
    chapter = chapter_number(app.env, docname)
    return chapter if chapter is not None else app.config.paragraph_prefixes.get(docname)


def number_blocks(app, doctree: nodes.Element, docname: str) -> dict[str, int]:
    """Number the blocks of every chapter in the tree; return the count per chapter.

    The PDF is one tree holding every page: Sphinx marks each page's sections with the page's
    ``docname`` when it assembles it (sphinx.util.nodes.inline_all_toctrees), and that says
    which chapter a block belongs to. A page built on its own is ``docname`` throughout.
    """
    html = app.builder.format == "html"
    counts: dict[str, int] = {}
    blocks = [n for n in doctree.findall(lambda n: isinstance(n, NUMBERED)
                                         and isinstance(n.parent, nodes.section))]
    for block in blocks:
        page = block.parent.get("docname", docname)
        chapter = paragraph_prefix(app, page)
        if chapter is None or introduced(block):
            continue
        if dateline(block):
            block["classes"].append("dateline")
            continue
        counts[page] = count = counts.get(page, 0) + 1
        number, anchor = f"{chapter}.{count}", f"para-{str(chapter).lower()}-{count}"
        first = block if isinstance(block, nodes.paragraph) else block.next_node(nodes.paragraph)
        if first is None:
            logger.warning("cannot number a list that has no paragraph (para. %s)", number,
                           location=block)
            continue
        title = paragraph_citation(app, page, number, anchor) if html else ""
        marker = para_number(number=number, anchor=anchor, title=title)
        if html and not isinstance(block, nodes.paragraph):
            # HTML: a list's number goes just before the list, where the CSS hangs it in the
            # margin level with the first item (inside the item it would sit by the bullet)
            block.parent.insert(block.parent.index(block), marker)
        else:
            first.insert(0, marker)
        if html:
            block["classes"].append(CSS_CLASS)
    return counts


def on_doctree_resolved(app, doctree, docname) -> None:
    if app.builder.format in ("html", "latex"):
        number_blocks(app, doctree, docname)


def setup(app):
    app.add_node(para_number, html=(visit_para_number_html, None),
                 latex=(visit_para_number_latex, None))
    # unnumbered pages whose paragraphs are numbered all the same, with a letter: {"chapters/brief": "B"}
    app.add_config_value("paragraph_prefixes", {}, "env", types=[dict])
    app.connect("doctree-resolved", on_doctree_resolved)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
