"""How sources are labelled, cited and listed.

Diplomats cite UN documents by symbol and other works by author and year, so a citation reads
[A/HRC/25/63, para. 43] or [Cohen 2014, p. 61]:

* ``handbook`` label style: an entry's ``shorthand`` field when it has one (UN documents,
  treaties, organisations), otherwise "Surname Year" ("Haggard and Noland 2011",
  "Smith et al. 2012"); equal labels get a, b, c in key order.
* ``handbook`` referencing style: square brackets, several sources separated by semicolons
  (a comma already separates a label from its pinpoint).
* ``handbook`` formatting style: pybtex's ``unsrt`` entries, but titles keep their case,
  dates show the day when known, a UN document shows its symbol, an ``archiveurl`` shows as
  an "archived copy" link, and the list is sorted by
  label so a reader can find [A/HRC/25/63] or [Cohen 2014] at a glance.

pybtex styles and sphinxcontrib-bibtex referencing styles are plugins looked up by name, so
registering them here (each in its own registry) and naming them in conf.py is all the wiring.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.formatting import toplevel
from pybtex.style.template import (FieldIsMissing, field, href, join, optional, optional_field,
                                   sentence, words)
from sphinx.util import logging
from sphinxcontrib.bibtex.plugin import register_plugin as register_referencing_style
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.label import LabelReferenceStyle

STYLE = "handbook"
logger = logging.getLogger(__name__)


def _surnames(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(p.prelast_names + p.last_names) for p in people]
    names = [n.replace("{", "").replace("}", "") for n in names]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def base_label(entry) -> str:
    """The label before any a/b/c suffix."""
    shorthand = entry.fields.get("shorthand")
    if shorthand:
        return str(shorthand).replace("{", "").replace("}", "")
    year = entry.fields.get("year", "n.d.")
    who = _surnames(entry) or str(entry.fields.get("title", entry.key))[:30]
    return f"{who} {year}"


class LabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        bases = [base_label(e) for e in entries]
        counts = Counter(bases)
        # a/b/c follow key order, so a label does not change when the list is re-sorted
        order = defaultdict(list)
        for base, entry in zip(bases, entries, strict=True):
            if counts[base] > 1:
                order[base].append(entry.key)
        for key_list in order.values():
            key_list.sort()
        for base, entry in zip(bases, entries, strict=True):
            if counts[base] > 1:
                yield base + "abcdefghijklmnopqrstuvwxyz"[order[base].index(entry.key)]
            else:
                yield base


class SortingStyle(BaseSortingStyle):
    def sorting_key(self, entry):
        return (base_label(entry).casefold(), entry.key)

    def sort(self, entries):
        return sorted(entries, key=self.sorting_key)


# unsrt's date shows month and year; UN documents are cited by day as well
date = words[optional_field("day"), optional_field("month"), field("year")]


# Formatted entries, by (label, entry key, the entry's fields and names). sphinxcontrib-bibtex
# 2.7 formats every cited entry again at each build, twice (the entry and its tooltip), once per
# bibliography that lists it (domain.py, env_updated): about 640 formattings, 40 % of a
# rebuild after a one-chapter edit, most of it pybtex decoding LaTeX (latexcodec). The result
# depends only on the entry and its label, so it is kept in the build environment (pickled
# with it, see setup below) and a rebuild formats only what changed.
FORMATTED: dict[tuple, object] = {}


def _fingerprint(entry) -> tuple:
    return (entry.type, tuple(sorted((k, str(v)) for k, v in entry.fields.items())),
            tuple((role, tuple(str(p) for p in people)) for role, people in sorted(entry.persons.items())))


def report_missing_field(entry, field_name: str) -> None:
    """A missing field at the entry's line in the .bib (bibcheck.py), once per entry."""
    from bibcheck import ENTRY_LINES

    if entry.key in _REPORTED:
        return
    _REPORTED.add(entry.key)
    path, line = ENTRY_LINES.get(entry.key, ("references.bib", 0))
    logger.warning("@%s{%s} lacks its %s, which the reference list prints; add "
                   "`%s = {...}` to the entry", entry.type, entry.key, field_name, field_name,
                   location=f"{path}:{line}" if line else path, type="handbook", subtype="bib_field")


_REPORTED: set[str] = set()


class FormattingStyle(UnsrtStyle):
    default_label_style = LabelStyle
    default_sorting_style = SortingStyle

    def format_entry(self, label, entry, bib_data=None):
        key = (label, entry.key, _fingerprint(entry))
        if key not in FORMATTED:
            try:
                FORMATTED[key] = super().format_entry(label, entry, bib_data=bib_data)
            except FieldIsMissing as err:
                report_missing_field(entry, err.field_name)
                raise  # sphinxcontrib-bibtex prints the entry as an error; its own warning,
                # at the bibliography directive's line, is suppressed in conf.py
        return FORMATTED[key]

    def format_title(self, e, which, as_sentence=True):
        # unsrt lower-cases titles; policy titles are full of proper nouns, so keep them as written
        formatted = field(which)
        return sentence[formatted] if as_sentence else formatted

    def format_symbol(self, e):
        return optional[sentence[join["UN Doc. ", field("symbol", raw=True)]]]

    def get_misc_template(self, e):
        return toplevel[
            optional[sentence[self.format_names("author")]],
            optional[self.format_title(e, "title")],
            self.format_symbol(e),
            sentence[optional[field("howpublished")], optional[date]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_dataset_template(self, e):
        # biblatex's @dataset (references.bib: map data, a gazetteer): listed like a @misc
        return self.get_misc_template(e)

    def get_techreport_template(self, e):
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            self.format_symbol(e),
            sentence[field("institution"), optional_field("address"), date],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def format_web_refs(self, e):
        return sentence[
            # a link, not text: the PDF breaks a link's long address anywhere (xurl), text not
            optional[join["Available at ", href(field("url", raw=True))[field("url", raw=True)]]],
            optional[join["accessed ", field("urldate")]],
            # an archived copy (archiveurl, filled by the weekly link check) keeps a source
            # readable when its address dies; the link text is short, the address is in the link
            optional[href(field("archiveurl", raw=True))["archived copy"]],
        ]


@dataclasses.dataclass
class ReferenceStyle(LabelReferenceStyle):
    bracket_parenthetical: BracketStyle = dataclasses.field(
        default_factory=lambda: BracketStyle(sep="; ")
    )
    bracket_textual: BracketStyle = dataclasses.field(
        default_factory=lambda: BracketStyle(sep="; ")
    )


def cache_pybtex_plugins() -> None:
    """Make pybtex's plugin look-ups dictionary hits.

    pybtex.plugin.find_plugin() looks a plugin up in its runtime registry first, then scans
    every installed distribution's entry points (importlib.metadata.entry_points), which costs
    about 8 ms. sphinxcontrib-bibtex 2.7 asks for the "plaintext" backend once per citation
    (domain.py, resolve_xref), nearly 800 times a build: profiled, that was about half of the
    HTML build's time. Registering the plugins it asks for, once, at start-up puts them in the
    runtime registry, which find_plugin() checks first. force=True because they are already
    registered as entry points (register_plugin() would otherwise decline). The upstream
    report is .github/upstream/pybtex-find-plugin.md.
    """
    from pybtex.backends.plaintext import Backend as PlaintextBackend
    from pybtex.style.names.lastfirst import NameStyle as LastFirst
    from pybtex.style.names.plain import NameStyle as Plain
    from pybtex_docutils import Backend as DocutilsBackend

    for group, name, klass in (("pybtex.backends", "plaintext", PlaintextBackend),
                               ("pybtex.backends", "docutils", DocutilsBackend),
                               ("pybtex.style.names", "plain", Plain),
                               ("pybtex.style.names", "lastfirst", LastFirst)):
        register_plugin(group, name, klass, force=True)


def _keep_formatted(app, env, docnames) -> None:
    """Carry FORMATTED over between builds in the environment Sphinx pickles."""
    FORMATTED.update(getattr(env, "handbook_formatted_entries", {}))
    env.handbook_formatted_entries = FORMATTED


# pybtex reads every field through Text.from_latex, which runs latexcodec's decoder, a
# character-by-character lexer: in a profile of a cold HTML build, latexcodec was the second
# largest cost of all (about 1 s of 11). Most fields are plain text, with nothing latexcodec
# would change (no backslash, brace, TeX special character, quote or dash ligature); for those
# the result is the same Text (checked on every field of references.bib), made directly.
_NOT_PLAIN = re.compile(r"[\\{}$&%#_^~`']|--|!`|\?`")


def fast_from_latex() -> None:
    from pybtex.richtext import Text

    slow = Text.from_latex.__func__
    if getattr(Text.from_latex, "handbook_fast", False):
        return

    def from_latex(cls, latex):
        return cls(latex) if not _NOT_PLAIN.search(latex) else slow(cls, latex)

    from_latex.handbook_fast = True
    Text.from_latex = classmethod(from_latex)


def setup(app):
    cache_pybtex_plugins()
    fast_from_latex()
    app.connect("env-before-read-docs", _keep_formatted)
    register_plugin("pybtex.style.labels", STYLE, LabelStyle)
    register_plugin("pybtex.style.sorting", STYLE, SortingStyle)
    register_plugin("pybtex.style.formatting", STYLE, FormattingStyle)
    register_referencing_style("sphinxcontrib.bibtex.style.referencing", STYLE, ReferenceStyle)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

