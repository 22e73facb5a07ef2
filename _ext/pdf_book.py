"""The PDF as a report: front matter in a report's order, the website's chapter numbers, and
tables and code blocks that fit the page.

Sphinx's LaTeX builder joins every page into one document tree. Before it is written, this
extension reshapes that tree with commands defined in ``_latex/handbook.sty`` (which holds
every LaTeX setting; nothing here is layout):

* **Front matter.** Title page and its back (conf.py, cite_this.py), then the documents that
  come before the first numbered chapter (the brief), then the home page's own text (what the
  handbook is, at a glance, how to read it) as an unnumbered chapter "About this handbook",
  then the contents page (chapters, and the lists of tables and figures when there are any).
  All of it is numbered i, ii, ...; chapter 1 opens page 1.
* **Chapter numbers.** Only the chapters of the numbered table of contents carry a number,
  exactly as on the website (``env.toc_secnumbers``): the brief and the reference pages are
  unnumbered chapters. Without this, LaTeX numbers every top-level page, and the PDF's
  chapter 2 would be the website's chapter 1.
* **Chapter starts.** A mark after each chapter's heading records its first page, from which
  chapter_pdfs.py cuts the chapter PDFs.
* **Tables.** Every table of the running text is set as a longtable, which breaks across
  pages above the running foot (a tabular cannot, and prints over it), with the column widths
  the source gives or, failing that, the ones docutils measured.
* **Code blocks.** Each block is told the length of its longest line, so that the style can
  shrink the type until the line fits (the BibTeX and RIS that readers copy).
* **Short captions.** The lists of figures and tables give each caption's first sentence only.

It also writes the PDF/A metadata file (``<name>.xmpdata``, read by the pdfx package) from
CITATION.cff, so that the XMP metadata and the document information agree with the website.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from cite_this import chapter_number, work_for

ABOUT_TITLE = "About this handbook"
ABOUT_ID = "handbook-about"
# blocks inside which a table cannot be a longtable (LaTeX cannot break those across pages)
NOT_LONG = (nodes.Admonition, nodes.table, nodes.footnote, nodes.list_item, nodes.sidebar,
            nodes.topic, nodes.block_quote)


def raw(tex: str) -> nodes.raw:
    return nodes.raw("", tex + "\n", format="latex")


def reading_order(env, root: str) -> list[str]:
    """The documents of the root's table of contents, in reading order."""
    return list(env.toctree_includes.get(root, []))


def front_matter(env, root: str) -> list[str]:
    """The documents before the first numbered chapter (the brief)."""
    front = []
    for doc in reading_order(env, root):
        if chapter_number(env, doc) is not None:
            break
        front.append(doc)
    return front


def top_level_files(root_section: nodes.section) -> list[addnodes.start_of_file]:
    """Each page that the root's table of contents includes, as the LaTeX builder inlined it."""
    found = []
    for node in root_section.findall(addnodes.start_of_file):
        parent = node.parent
        while parent is not None and not isinstance(parent, nodes.section):
            parent = parent.parent
        if parent is root_section:
            found.append(node)
    return found


def chapter_section(start: addnodes.start_of_file) -> nodes.section | None:
    return next((c for c in start.children if isinstance(c, nodes.section)), None)


def mark_chapter(section: nodes.section, docname: str, numbered: bool) -> None:
    """Before the heading: numbered or not; after it: where the chapter starts. Both go inside
    the section: between a label's target and its section, a node would make LaTeX write the
    label twice."""
    title = section.next_node(nodes.title)
    at = section.index(title) + 1 if title is not None and title.parent is section else 0
    section.insert(at, raw(rf"\handbookchapterpage{{{docname}}}"))
    section.insert(0, raw(r"\handbooknumbered" if numbered else r"\handbookunnumbered"))


def shape_front_matter(app: Sphinx, doctree: nodes.document) -> None:
    env, root = app.env, app.config.root_doc
    root_section = doctree.next_node(nodes.section)
    if root_section is None:
        return
    files = top_level_files(root_section)
    for start in files:
        section = chapter_section(start)
        if section is not None:
            mark_chapter(section, start["docname"], chapter_number(env, start["docname"]) is not None)

    # the home page's text, which LaTeX would print before the first chapter, becomes a chapter
    first_toc = next((i for i, c in enumerate(root_section.children)
                      if c.next_node(addnodes.start_of_file) is not None), len(root_section.children))
    own = [c for c in root_section.children[:first_toc] if not isinstance(c, nodes.title)]
    about = None
    if any(isinstance(c, (nodes.paragraph, nodes.rubric, nodes.bullet_list, nodes.section))
           for c in own):
        for child in own:
            root_section.remove(child)
        about = nodes.section(ids=[ABOUT_ID], names=[ABOUT_TITLE.lower()])
        about["docname"] = root
        about += nodes.title(ABOUT_TITLE, ABOUT_TITLE)
        about.extend(own)

    # the home page's text and the contents go just before the first numbered chapter
    front = set(front_matter(env, root))
    first = next((f for f in files if f["docname"] not in front), None)
    tables = any(t.next_node(nodes.title) is not None for t in doctree.findall(nodes.table))
    figures = any(f.next_node(nodes.caption) is not None for f in doctree.findall(nodes.figure))
    block = []
    if about is not None:
        mark_chapter(about, root, numbered=False)
        block.append(about)
    # the contents come last in the front matter: nothing after them depends on their length,
    # so LaTeX needs two runs, not three
    block.append(raw(rf"\handbookcontents{{{int(tables)}}}{{{int(figures)}}}"))
    if first is None:  # no numbered chapter: contents after the title page
        root_section[1:1] = block
        return
    numbered = chapter_number(env, first["docname"]) is not None
    parent = first.parent
    at = parent.index(first)
    parent[at:at] = [*block, raw(r"\handbookmainmatter" if numbered else "")]


def fit_tables(doctree: nodes.document) -> None:
    for table in list(doctree.findall(nodes.table)):  # a list: the loop inserts siblings
        ancestor, nested = table.parent, False
        while ancestor is not None:
            if isinstance(ancestor, NOT_LONG):
                nested = True
                break
            ancestor = ancestor.parent
        if nested:
            continue
        classes = table["classes"]
        if "longtable" not in classes:
            classes.append("longtable")
        if table.next_node(nodes.title) is None or table.next_node(nodes.title).parent is not table:
            # no caption, no number: the continuation line must not borrow the last one's
            parent = table.parent
            at = parent.index(table)
            parent.insert(at + 1, raw(r"\endgroup"))
            parent.insert(at, raw(r"\begingroup\handbookuncaptioned"))
        if "colwidths-auto" in classes:
            classes.remove("colwidths-auto")
        if "colwidths-given" not in classes:
            # no widths in the source: share the width by content, as tabulary would (Sphinx
            # would otherwise set a longtable's columns as l, which never wrap)
            natural_widths(table)
            classes.append("colwidths-given")
        widen_narrow_columns(table)


def _unbreakable(text: str) -> int:
    """The longest run of characters in a cell that TeX cannot break: words break at spaces,
    slashes and hyphens (_latex/handbook.sty), and long words hyphenate (counted as 7)."""
    runs = [r for r in re.split(r"[\s/\-\u2010-\u2014]+", text) if r]
    return max((min(len(r), 7) if r.isalpha() else len(r) for r in runs), default=0)


def _cells(tgroup: nodes.tgroup):
    """(part, column, text) of every cell that spans one column."""
    for part in tgroup.children:
        if not isinstance(part, (nodes.thead, nodes.tbody)):
            continue
        for row in part.findall(nodes.row):
            col = 0
            for entry in row.children:
                span = entry.get("morecols", 0)
                if span == 0:
                    yield part, col, " ".join(entry.astext().split())
                col += 1 + span


def natural_widths(table: nodes.table) -> None:
    """Widths from the text: a column whose longest cell fits in a fair share keeps that width;
    the rest is shared by the other columns in proportion to how much text they hold."""
    tgroup = table.next_node(nodes.tgroup)
    specs = [c for c in tgroup.children if isinstance(c, nodes.colspec)] if tgroup else []
    if not specs:
        return
    n = len(specs)
    longest, amount = [1] * n, [1] * n
    for _part, col, text in _cells(tgroup):
        if col < n:
            longest[col] = max(longest[col], len(text))
            amount[col] += len(text)
    natural = [1.25 * chars + 2 for chars in longest]  # percent of the width, as below
    fixed = {i for i in range(n) if natural[i] <= 100 / n}
    room = 100 - sum(natural[i] for i in fixed)
    flexible = sum(amount[i] for i in range(n) if i not in fixed)
    for i, spec in enumerate(specs):
        width = natural[i] if i in fixed or not flexible else room * amount[i] / flexible
        spec["colwidth"] = max(1, round(width * 10))


def widen_narrow_columns(table: nodes.table) -> None:
    """Give a column at least the width of its longest unbreakable word ("Rank" in a 6 % column
    runs into the next), taking the difference from the wider columns."""
    tgroup = table.next_node(nodes.tgroup)
    if tgroup is None:
        return
    specs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
    if not specs or any("colwidth" not in c for c in specs):
        return
    total = sum(c["colwidth"] for c in specs) or 1
    share = [100 * c["colwidth"] / total for c in specs]
    need = [0.0] * len(specs)
    for part, col, text in _cells(tgroup):
        # a character of the tables' small type is about 1.25 % of the text width, 1.45 % in
        # the bold headings; 2 % is the cell's padding
        per_char = 1.45 if isinstance(part, nodes.thead) else 1.25
        if col < len(need):
            need[col] = max(need[col], min(_unbreakable(text) * per_char + 2, 40))
    short = sum(max(n - s, 0) for s, n in zip(share, need, strict=True))
    if short <= 0:
        return
    spare = sum(max(s - n, 0) for s, n in zip(share, need, strict=True))
    if spare <= short:
        return  # nothing to take from: leave the widths as written
    new = [n if n > s else s - (s - n) * short / spare for s, n in zip(share, need, strict=True)]
    for spec, width in zip(specs, new, strict=True):
        spec["colwidth"] = max(1, round(width * 10))


def fit_code(doctree: nodes.document) -> None:
    for block in list(doctree.findall(nodes.literal_block)):
        longest = max((len(line.expandtabs(4)) for line in block.astext().splitlines()), default=1)
        parent = block.parent
        at = parent.index(block)
        parent.insert(at + 1, raw(r"\endgroup"))
        parent.insert(at, raw(rf"\begingroup\handbookcodefits{{{max(longest, 1)}}}"))


# The end of a caption's first sentence: a full stop, question or exclamation mark before a
# capital, unless it ends an initial or a common abbreviation, or a colon ("Votes, 2003-2025:
# the vote and China's position").
SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\u201c\"(])|:(?=\s)")
ABBREVIATIONS = {"al", "art", "cf", "dr", "e.g", "i.e", "mr", "no", "para", "paras", "st", "vol", "vs"}


def first_sentence_end(text: str) -> int | None:
    """Where the first sentence of a caption's text ends (after its full stop), or None."""
    for match in SENTENCE_END.finditer(text):
        if match.group() == ":":
            return match.start()
        word = text[:match.start()].split()[-1:] or [""]
        if len(word[0]) == 1 or word[0].lower().lstrip("(") in ABBREVIATIONS:
            continue  # "J. Smith", "para. 3"
        return match.end()
    return None


def short_captions(doctree: nodes.document) -> None:
    """The lists of figures and tables name each by its caption's first sentence: the rest
    of the caption goes into \\handbookrest{...}, which prints it under the figure or table
    and is left out of the lists (_latex/handbook.sty, section 7), as LaTeX's
    \\caption[short]{long} would; Sphinx's LaTeX writer has no short caption of its own."""
    captions = [c for c in doctree.findall(nodes.caption) if isinstance(c.parent, nodes.figure)]
    captions += [t for t in doctree.findall(nodes.title) if isinstance(t.parent, nodes.table)]
    for caption in captions:
        for index, child in enumerate(caption.children):
            if not isinstance(child, nodes.Text):
                continue  # a sentence ends in the caption's own text, not inside a link
            end = first_sentence_end(str(child))
            if end is None:
                continue
            head, rest = str(child)[:end], str(child)[end:]
            if not rest.strip() and index == len(caption.children) - 1:
                break  # the caption is one sentence
            tail = caption.children[index + 1:]
            for node in tail:
                caption.remove(node)
            caption.replace(child, nodes.Text(head))
            caption += [nodes.raw("", r"\handbookrest{", format="latex"), nodes.Text(rest), *tail,
                        nodes.raw("", "}", format="latex")]
            break


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.name != "latex" or docname != app.config.root_doc:
        return
    shape_front_matter(app, doctree)
    fit_tables(doctree)
    fit_code(doctree)
    short_captions(doctree)


# -- PDF/A metadata --------------------------------------------------------------------------

def _xmp_escape(text: str) -> str:
    """pdfx reads the .xmpdata file as TeX: escape what TeX would take as markup."""
    for char, escaped in (("\\", r"\textbackslash "), ("{", r"\{"), ("}", r"\}"), ("%", r"\%"),
                          ("#", r"\#"), ("&", r"\&"), ("_", r"\_"), ("$", r"\$"), ("~", r"\~{}"),
                          ("^", r"\^{}")):
        text = text.replace(char, escaped)
    return text


def xmpdata(work, subject: str | None = None, title: str | None = None) -> str:
    sep = r"\sep "
    keywords = sep.join(_xmp_escape(k) for k in work.keywords)
    authors = sep.join(_xmp_escape(a.get("name") or f"{a['given-names']} {a['family-names']}")
                            for a in work.authors)
    lines = [
        rf"\Title{{{_xmp_escape(title or work.title)}}}",
        rf"\Author{{{authors}}}",
        rf"\Language{{{work.language}}}",
        rf"\Subject{{{_xmp_escape(subject or work.abstract)}}}",
        rf"\Keywords{{{keywords}}}",
        rf"\Publisher{{{_xmp_escape(work.publisher)}}}",
        rf"\Date{{{work.released.isoformat()}}}",
        rf"\Copyright{{Text: {_xmp_escape(work.licence_name)}. Edition {_xmp_escape(work.edition)}.}}",
        rf"\CopyrightURL{{{work.licence_url}}}",
        r"\Copyrighted{True}",
        rf"\URLlink{{{work.url}}}",
        r"\PublicationType{book}",
    ]
    if work.doi:
        lines.append(rf"\Doi{{{work.doi}}}")
    return "% Generated from CITATION.cff by _ext/pdf_book.py; read by the pdfx package.\n" + \
        "\n".join(lines) + "\n"


def write_xmpdata(app: Sphinx, exception) -> None:
    if exception or app.builder.name != "latex":
        return
    work = work_for(app)
    if work is None:
        return
    for _doc, target, *_ in app.config.latex_documents:
        Path(app.outdir, Path(target).with_suffix(".xmpdata")).write_text(xmpdata(work), encoding="utf-8")


def setup(app: Sphinx):
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("build-finished", write_xmpdata)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
