"""Prose checks for the handbook's MyST sources: spelling and terminology.

Spelling uses pyspellchecker: it ships its English word list inside the Python package, so it
works offline, installs from requirements.txt like everything else (no Debian dictionary, no
system library as pyspelling or pyenchant need) and runs unchanged in CI, nox and pre-commit.
Its English list holds both British and American forms, so the terminology rules below keep
the handbook's British spelling. Words the dictionary lacks but the handbook uses rightly
(names, romanised Korean and Chinese, UN jargon) go in tools/wordlist.txt.

    python tools/prose.py [file.md ...]      (default: index.md and chapters/*.md)

Exit status 1 when a check fails; each message names the file, the line and the word.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from handbook_build import Problem  # beside this file: one kind of finding for every checker

ROOT = Path(__file__).resolve().parent.parent
WORDLIST = ROOT / "tools" / "wordlist.txt"


# -- From MyST to the words a reader sees ----------------------------------------------------

NOT_PROSE = {"toctree", "bibliography", "code", "code-block", "code-cell", "math", "raw",
             "literalinclude", "csv-table", "mermaid", "graphviz", "paragraph-correspondence"}
FENCE = re.compile(r"^\s*(`{3,}|:{3,})")
DIRECTIVE_OPTION = re.compile(r"^\s*:[\w-]+:")
LABEL = re.compile(r"^\s*\([\w-]+\)=\s*$")
# roles whose content is a key or a label, not prose: {cite:p}`coi2014report{para. 43}`
# (a reference with its own text, {ref}`the question <legal-basis-question>`, keeps the text)
KEY_ROLE = re.compile(r"\{(?:foot)?cite(?::\w+)?\}`[^`]*`"
                      r"|\{(?:ref|numref|doc|eq|download)\}`(?:([^`<]*?)\s*<[^`]*>|[^`]*)`")
# roles whose text is prose: {term}`refugees <refugee>` shows "refugees"
TEXT_ROLE = re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<[^`]*>)?`")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
CODE = re.compile(r"`[^`]*`")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# MyST substitutions: {{ arrivals_latest_total }} is a number from data/, not a word
SUBSTITUTION = re.compile(r"\{\{[^{}]*\}\}")


def visible_lines(text: str) -> list[tuple[int, str]]:
    """(line number, prose) for each line of a MyST file, without markup, keys, labels, URLs,
    directive names and options. Fenced directives keep their content (admonitions, tables,
    the glossary are prose); a fence's first line (its directive and argument) keeps only
    the argument, which is a title readers see."""
    text = HTML_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    out = []
    skipping = None  # the fence that closes a directive whose content is not prose
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if skipping:
            if fence and fence.group(1) == skipping and not line.strip()[len(skipping):]:
                skipping = None
            continue
        if LABEL.match(line) or DIRECTIVE_OPTION.match(line):
            continue
        if fence:
            directive = re.match(r"\s*[`:]+\s*\{([\w:-]+)\}", line)
            if directive and directive.group(1) in NOT_PROSE or not directive and line.strip("`: \t"):
                skipping = fence.group(1)  # a toctree, or a code block with a language
                continue
            line = re.sub(r"^\s*[`:]+\s*(\{[^}]*\})?", "", line)
        line = SUBSTITUTION.sub(" ", line)
        line = KEY_ROLE.sub(lambda m: m.group(1) or " ", line)
        line = TEXT_ROLE.sub(lambda m: m.group(1), line)
        line = LINK.sub(lambda m: m.group(1) or " ", line)
        line = CODE.sub(" ", line)
        out.append((number, line))
    return out


# quotations are the source's words, spelt as the source spelt them
QUOTATION = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")


def without_quotations(line: str) -> str:
    return QUOTATION.sub(lambda m: " " * len(m.group()), line)


# -- Spelling --------------------------------------------------------------------------------

# a word, with its hyphens (Kim Jong-un): a compound is looked up whole, then part by part
WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:[-'\u2019][A-Za-z\u00c0-\u024f]+)*")


def load_wordlist(path: Path = WORDLIST) -> set[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line.casefold())
    return words


# pyspellchecker's English list is American. The handbook spells British, so a word is also
# accepted when its American form is known; the terminology check below then rejects the
# American forms in the text. Each pair: British ending, American ending.
BRITISH_TO_AMERICAN = [
    (r"is(e|es|ed|ing|er|ers|ation|ations)$", r"iz\1"),  # recognised, organisations
    (r"ys(e|es|ed|ing)$", r"yz\1"),  # analysed
    (r"our(s|ed|ing|able|ite|ites|hood|ly)?$", r"or\1"),  # labour, neighbourhood, harbouring
    (r"tre(s)?$", r"ter\1"), (r"tred$", "tered"),  # centre, centred
    (r"ence(s)?$", r"ense\1"),  # offence, defence
    (r"^scep", "skep"),  # sceptical
    (r"ll(ed|ing|er|ers)$", r"l\1"),  # travelled, labelled
    (r"ement$", "ment"),  # judgement
    (r"amme(s)?$", r"am\1"),  # programme
]


def _candidates(token: str) -> list[str]:
    """The forms to look up: the word and its American form(s), then the same without a
    possessive; the last one is the bare word."""
    bare = re.sub(r"['\u2019]s$", "", token).casefold()
    forms = []
    for word in dict.fromkeys([token.casefold(), bare]):
        forms.append(word)
        forms += [re.sub(b, a, word) for b, a in BRITISH_TO_AMERICAN if re.search(b, word)]
    return [*forms, bare]


def spelling(path: Path, checker=None, words: set[str] | None = None) -> list[Problem]:
    words = load_wordlist() if words is None else words
    checker = checker or _checker(words)
    problems = []
    for number, line in visible_lines(path.read_text(encoding="utf-8")):
        for compound in WORD.findall(line):
            if re.sub(r"['\u2019]s$", "", compound).casefold() in words:
                continue
            for token in compound.split("-"):
                problem = _spell(token, checker, words)
                if problem:
                    problems.append(Problem(path, number, "spelling", problem))
    return problems


def _spell(token: str, checker, words: set[str]) -> str | None:
    """None if the word is known, else the message."""
    bare = re.sub(r"['\u2019]s$", "", token)
    if bare.isupper() and len(bare) > 1:
        return None  # acronyms (DPRK, UNHCR, CEDAW) are defined in the glossary
    forms = _candidates(token)
    if any(f in words for f in forms) or checker.known(forms):
        return None
    guess = checker.correction(forms[-1])
    hint = f" (did you mean '{guess}'?)" if guess and guess != forms[-1] else ""
    return (f"unknown word '{token}'{hint}: correct it, or if it is right add it to "
            "tools/wordlist.txt")


def _checker(words: set[str]):
    from spellchecker import SpellChecker  # pinned in requirements.txt

    # distance 1: suggestions for a typo in a fraction of a second (2 takes minutes here)
    checker = SpellChecker(language="en", distance=1)
    checker.word_frequency.load_words(words)  # so that 'refoulment' suggests 'refoulement'
    return checker


# -- Terminology -----------------------------------------------------------------------------

# Variants the handbook does not use, with the form it does. Quotations are exempt.
PREFERRED: list[tuple[str, str, str]] = [
    # (pattern, preferred form, why)
    (r"\bCOI\b", "the Commission", "the handbook names the Commission of Inquiry in full once "
     "per chapter, then 'the Commission'"),
    (r"\bU\.N\.", "UN", "house style for the United Nations"),
    (r"\b[Nn]on[ -]?refoulment\b|\b[Nn]onrefoulement\b|\b[Nn]on refoulement\b",
     "non-refoulement", "the legal term's one spelling"),
    # British spelling (the handbook's): the American forms pyspellchecker also accepts
    (r"\b(?:[Rr]ecogni|[Oo]rgani|[Ss]ummari|[Cc]riti|[Cc]haracteri|[Aa]uthori|"
     r"[Ee]mphasi|[Pp]riori|[Rr]eali|[Nn]ormali|[Ss]tandardi|[Mm]obili|[Ll]egali|[Cc]riminali|"
     r"[Rr]omani|[Aa]pologi|[Mm]inimi|[Mm]aximi|[Uu]tili|[Ff]amiliari|[Ii]nternationali)"
     r"z(?:e|es|ed|ing|ation|ations)\b", "-ise/-isation", "the handbook uses British spelling"),
    (r"\b(?:[Ff]avor|[Hh]onor|[Ll]abor|[Bb]ehavior|[Nn]eighbor|[Cc]olor|[Rr]umor)(?:s|ed|ing|able)?\b",
     "-our", "the handbook uses British spelling"),
    (r"\b[Dd]efense\b|\b[Oo]ffense\b", "defence/offence", "the handbook uses British spelling"),
]

# Proper names that keep their own spelling (the Korean government's "Revised Romanization").
PROPER_NAMES = re.compile(r"Revised Romanization")

# Pages where the first-mention rule for "the Commission" does not apply, each with its
# reason. A stale entry is reported, so the list cannot outlive its reasons.
SHORT_FORM_EXCEPTIONS: dict[str, str] = {
    "chapters/07-glossary.md": "the glossary defines the short form in its 'commission of "
                               "inquiry' entry, and its entries are in alphabetical order",
    "chapters/08-key-documents.md": "the Rome Statute entry speaks of 'the Commission's caution' "
                                    "before the Commission of Inquiry's own section; to be "
                                    "reworded in the text",
}

# "the Commission" meaning the Commission of Inquiry, not "the Commission on Human Rights"
SHORT_FORM = re.compile(r"\b[Tt]he Commission(?!\s+(?:of|on|for)\b)(?!['\u2019]s\s+on)")
SHORT_FORM_MESSAGE = ("'the Commission' before this page names the Commission of Inquiry: write "
                      "'the Commission of Inquiry' at its first mention, then 'the Commission'")
LONG_FORM = re.compile(r"Commission of Inquiry", re.IGNORECASE)


def _page(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.name


def terminology(path: Path, short_form_exceptions: dict[str, str] | None = None) -> list[Problem]:
    exempt = _page(path) in (SHORT_FORM_EXCEPTIONS if short_form_exceptions is None
                             else short_form_exceptions)
    problems = []
    lines = visible_lines(path.read_text(encoding="utf-8"))
    defined = exempt
    for number, line in lines:
        prose = PROPER_NAMES.sub(lambda m: " " * len(m.group()), without_quotations(line))
        for pattern, preferred, why in PREFERRED:
            for match in re.finditer(pattern, prose):
                problems.append(Problem(path, number, "terminology",
                                        f"'{match.group()}': write {preferred} ({why})"))
        long_at = LONG_FORM.search(prose)
        for match in SHORT_FORM.finditer(prose):
            if not defined and not (long_at and long_at.start() < match.start()):
                problems.append(Problem(path, number, "terminology", SHORT_FORM_MESSAGE))
                defined = True  # one message per page is enough
        defined = defined or bool(long_at)
    if exempt and not any(SHORT_FORM_MESSAGE in p.message
                          for p in terminology(path, short_form_exceptions={})):
        problems.append(Problem(path, 1, "terminology", "the first-mention rule for 'the "
                                "Commission' now passes here: remove this page from "
                                "SHORT_FORM_EXCEPTIONS in tools/prose.py"))
    return problems


# -- Entry point -----------------------------------------------------------------------------

def sources() -> list[Path]:
    return [ROOT / "index.md", *sorted((ROOT / "chapters").glob("*.md"))]


def check(paths: list[Path]) -> list[Problem]:
    words = load_wordlist()
    checker = _checker(words)
    problems = []
    for path in paths:
        problems += spelling(path, checker, words) + terminology(path)
    return sorted(problems, key=lambda p: (str(p.path), p.line))


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv if a.endswith(".md")] or sources()
    problems = check(paths)
    for problem in problems:
        print(problem)
    print(f"prose: {len(problems)} problem(s) in {len(paths)} file(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
