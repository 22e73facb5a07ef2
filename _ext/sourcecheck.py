"""A contributor's mistakes in a chapter, reported at the exact line, with the fix.

Sphinx and sphinxcontrib-bibtex catch the same mistakes, but late and vaguely: a pinpoint
written ``{cite:p}`coi2014report, para. 17``` crashes the build with a traceback
(``ValueError: malformed citation target``); an unknown key or label is reported at the first
line of its paragraph, without a suggestion; a citation in Pandoc's form (``[@key, p. 3]``)
passes silently as text. This extension reads each source as Sphinx reads it and says, for
each such mistake, ``file:line: culprit — what to do``:

- a malformed citation: the role is replaced by its plain text so the build goes on to report
  every other mistake, and the message shows the corrected role;
- an unknown citation key, with the nearest keys of references.bib;
- a Pandoc citation, with the MyST role to use instead;
- an undefined label ({ref}) or glossary term ({term}), with the nearest existing ones, at the
  line where the role stands (Sphinx's own message, which names the paragraph's first line,
  is replaced by this one);
- a page outside every table of contents, naming index.md (the root page) as the file to edit.

sphinxcontrib-bibtex's "could not find bibtex key", Sphinx's "undefined label" and "document
isn't included in any toctree" warnings are then redundant and are silenced in conf.py (``suppress_warnings``).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from sphinx.util import logging
from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from bibcheck import ENTRY_START  # the same reading of an entry's type and key

logger = logging.getLogger(__name__)

ROLE = re.compile(r"\{(?P<role>(?:foot)?cite(?::[a-z]+)?)\}`(?P<target>[^`]*)`")
# Pandoc's citation syntax: [@key], [@key, p. 3], [see @key]
PANDOC = re.compile(r"\[[^\]\n`]*?(?<![\w.])@(?P<key>[A-Za-z][\w:-]*)[^\]\n]*\]")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
# a pinpoint written after a comma instead of in braces: "key, para. 17"
LOOSE_PINPOINT = re.compile(r"^\s*(?P<key>[^{}\s,]+)\s*,\s*(?P<post>[^{},]+?)\s*$")


def _bib_keys(app) -> list[str]:
    keys = getattr(app, "_sourcecheck_keys", None)
    if keys is None:
        keys = []
        for name in app.config.bibtex_bibfiles or []:
            path = Path(app.srcdir, name)
            try:
                text = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            keys += [m.group(2) for m in ENTRY_START.finditer(text)
                     if m.group(1).lower() not in {"comment", "preamble", "string"}]
        app._sourcecheck_keys = keys
    return keys


def _suggest(word: str, options, n: int = 3) -> str:
    close = difflib.get_close_matches(word, list(options), n=n, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def code_lines(lines: list[str]) -> set[int]:
    """Indices of lines inside literal code fences (```text, ```{code-block}), where a citation
    is an example, not a citation; a directive's content (```{admonition}) is text. Fences
    nest: a directive's closing fence closes the directive, it does not open a code block."""
    stack: list[tuple[str, bool]] = []  # the open fences: (fence, holds literal code)
    found: set[int] = set()
    for i, line in enumerate(lines):
        match = FENCE.match(line)
        fence, info = (match.group(2), match.group(3).strip()) if match else ("", "")
        closes = bool(match and stack and not info and fence[0] == stack[-1][0][0]
                      and len(fence) >= len(stack[-1][0]))
        if stack and stack[-1][1]:  # inside literal code: only its closing fence counts
            if closes:
                stack.pop()
            else:
                found.add(i)
            continue
        if closes:
            stack.pop()
        elif match:
            stack.append((fence, not info.startswith("{") or info.startswith(("{code", "{literalinclude"))))
    return found


def check_citations(app, docname: str, text: str) -> str:
    """Warn about each citation mistake in one source; return the source with malformed
    citations turned into plain text, so that the build can go on."""
    keys = _bib_keys(app)
    key_set = set(keys)
    lines = text.split("\n")
    skip = code_lines(lines)
    for i, line in enumerate(lines):
        if i in skip:
            continue
        where = (docname, i + 1)

        def fix(match: re.Match, where: tuple[str, int] = where) -> str:
            role, target = match.group("role"), match.group("target")
            try:
                targets = list(parse_citation_targets(target))
            except ValueError:
                loose = LOOSE_PINPOINT.match(target)
                hint = (f"write {{{role}}}`{loose.group('key')}{{{loose.group('post')}}}`"
                        if loose else "write the keys separated by commas, each pinpoint in "
                        "braces right after its key, as in {cite:p}`key{para. 17}`")
                logger.warning("malformed citation %s \u2014 %s", match.group(0), hint,
                               location=where, type="handbook", subtype="citation")
                return f"`` {match.group(0)} ``"  # shown as code, not parsed as a role
            for item in targets:
                if keys and item.key not in key_set:
                    logger.warning("unknown citation key '%s'%s \u2014 add it to references.bib "
                                   "or correct the key", item.key, _suggest(item.key, keys),
                                   location=where, type="handbook", subtype="citation")
            return match.group(0)

        lines[i] = ROLE.sub(fix, line)
        for match in PANDOC.finditer(ROLE.sub("", line)):
            if "](" in line[match.end() - 1:match.end() + 1]:
                continue  # a Markdown link whose text holds an @
            logger.warning("Pandoc citation %s is not read here \u2014 write {cite:p}`%s` (a "
                           "pinpoint goes in braces: {cite:p}`%s{p. 3}`)", match.group(0),
                           match.group("key"), match.group("key"),
                           location=where, type="handbook", subtype="citation")
    return "\n".join(lines)


def on_source_read(app, docname: str, source: list[str]) -> None:
    source[0] = check_citations(app, docname, source[0])


def _role_line(app, docname: str, start: int | None, pattern: re.Pattern) -> int | None:
    """The line, at or after the paragraph's first line, where the role stands."""
    try:
        lines = Path(app.env.doc2path(docname)).read_text(encoding="utf-8").splitlines()
    except OSError:
        return start
    for number in range((start or 1), len(lines) + 1):
        if pattern.search(lines[number - 1]):
            return number
    return start


def on_missing_reference(app, domain, node) -> bool | None:
    """Undefined labels and glossary terms: the exact line and the nearest existing names."""
    # the domain is None when a page is resolved a second time (another extension asking for
    # its doctree); Sphinx's own handler treats that as the standard domain too
    if (domain is not None and domain.name != "std") or node["reftype"] not in ("ref", "term"):
        return None
    domain = app.env.domains.standard_domain
    target, docname = node["reftarget"], node.get("refdoc", app.env.docname)
    if node["reftype"] == "ref" and target in domain.data["anonlabels"]:
        what, fix, options = ("label without a title", "give the reference its own text: "
                              f"{{ref}}`text <{target}>`", ())
    elif node["reftype"] == "ref":
        options = domain.data["labels"].keys() | domain.data["anonlabels"].keys()
        what, fix = "undefined label", "add the label line (name)= above the heading, or correct it"
    else:
        options = {name for (kind, name) in domain.data["objects"] if kind == "term"}
        what, fix = "term not in the glossary", "define it in chapters/07-glossary.md, or correct it"
    raw = node.get("reftarget")
    pattern = re.compile(r"\{" + node["reftype"] + r"\}`[^`]*" + re.escape(raw), re.I)
    line = _role_line(app, docname, node.line, pattern)
    logger.warning("%s '%s'%s \u2014 %s", what, target, _suggest(target, options), fix,
                   location=(docname, line), type="handbook", subtype=node["reftype"])
    # True stops Sphinx's generic "term not in glossary"; its handler for labels runs anyway
    # (every handler of this event runs), so conf.py silences "ref.ref", which this replaces
    return True


def check_toctree(app, env) -> None:
    """A page outside every table of contents, at its first line, naming the file to edit.
    (Sphinx's own "document isn't included in any toctree", silenced in conf.py, names neither.)
    The same rule as Sphinx's (BuildEnvironment.check_consistency)."""
    included = set().union(*env.included.values())
    root = Path(env.doc2path(app.config.root_doc)).relative_to(app.srcdir).as_posix()
    for docname in sorted(env.all_docs):
        if (docname in env.files_to_rebuild or docname == app.config.root_doc
                or docname in included or "orphan" in env.metadata[docname]):
            continue
        logger.warning("page '%s' is in no table of contents — add the line '%s' to a "
                       "toctree in %s (or put 'orphan: true' in the page's front matter)",
                       docname, docname, root, location=(docname, 1), type="handbook",
                       subtype="toctree")


def setup(app):
    app.connect("source-read", on_source_read)
    app.connect("env-check-consistency", check_toctree)
    # before Sphinx's own handler (priority 500), which would otherwise report first
    app.connect("warn-missing-reference", on_missing_reference, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
