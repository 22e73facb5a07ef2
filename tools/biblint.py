"""The house rules for references.bib, checked entry by entry.

bibcheck.py stops the build on a .bib that cannot be read at all; this linter checks that a
readable entry is also a good one: the fields its type needs, a key that follows the
convention, https addresses with an access date, UN documents with their symbol, a citation
label (``shorthand``) for every organisational or authorless work, and one entry per work.
Every message names the file, the line, the entry key and what to do.

It needs only pybtex, so the `lint` nox session, the tests and the pre-commit hook all run
the same code:

    python tools/biblint.py [references.bib ...]

Exit status 1 when a rule fails. Online sources without an archived copy (``archiveurl``) are
counted, not failed: an archived copy can only be looked up with the network (the weekly link
check does that); ``--archives`` prints the count, which says how much is left to do.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from handbook_build import Problem  # beside this file: one kind of finding for every checker
from urllib.parse import urlsplit

from pybtex.database import Entry
from pybtex.database.input import bibtex

ROOT = Path(__file__).resolve().parent.parent

# -- The rules' data -------------------------------------------------------------------------

# Fields each entry type needs; a tuple means "one of these". pybtex's own styles need the
# same fields to print an entry (see pybtex/style/formatting/unsrt.py), and a reader needs a
# year or an address to find the work.
REQUIRED: dict[str, list[str | tuple[str, ...]]] = {
    "article": ["author", "title", "journal", "year"],
    "book": [("author", "editor"), "title", "publisher", "year"],
    "incollection": ["author", "title", "booktitle", "publisher", "year"],
    "techreport": ["author", "title", "institution", "year"],
    "misc": ["title", ("year", "url")],
    # biblatex's @dataset: a collection of data (map boundaries, a gazetteer, a portal's records)
    "dataset": ["title", ("year", "url")],
}

# cohen2014, coi2014report, mfa2014huachunying, china-dprk1964protocol: lower-case name, the
# year, an optional lower-case word. Undated works (no year field) have no year in the key.
KEY = re.compile(r"^(?P<name>[a-z][a-z-]*?)(?:(?P<year>\d{4})(?P<word>[a-z0-9-]*))?$")

# Hosts whose addresses are given over plain http, each with its reason. These are archived
# news and advocacy pages recorded at an http address; whether the host serves the same page
# over https has not been confirmed, and a guessed https address could be a broken one.
# tests/test_links.py applies the same list to the URLs in the chapters.
_RECORDED_OVER_HTTP = "page recorded at an http address; https service not confirmed for this host"
HTTP_EXCEPTIONS: dict[str, str] = {host: _RECORDED_OVER_HTTP for host in (
    "edms.org.uk", "fsou.com", "korea.stripes.com", "nkd.or.kr", "seoultrain.com",
    "staugustine.com", "theasian.asia", "www.atimes.com", "www.northkoreanrefugees.com",
    "www.tealeafnation.com",
    # China's own transcripts and reports of them, where the copy seen was served over http
    "big5.cctv.com", "english.ahram.org.eg", "ph.china-embassy.org",
)}

# A UN document symbol: series symbols such as A/HRC/25/63, S/PV.7353, CRC/C/CHN/CO/3-4,
# CCPR/C/21/Rev.1/Add.9, HCR/IP/4/Eng/REV.1, E/CN.4/2006/35 (the series prefixes of the
# Official Document System).
UN_SYMBOL = re.compile(
    r"\b(?:A|S|E|E/CN\.\d+|CRC|CEDAW|CAT|CCPR|CERD|CESCR|CMW|CED|CRPD|HCR|ST)"
    r"/(?:[A-Za-z0-9.-]+/)*[A-Za-z0-9.-]*[A-Za-z0-9]"
)
# Where an entry names its own symbol (a note may name other documents: "requested by letter
# S/2014/872").
SYMBOL_FIELDS = ("shorthand", "number", "howpublished")

# Rules that may not apply to an entry, each exception with its reason. An exception that is
# no longer needed is reported too, so the list cannot outlive its reasons.
_NO_ACCESS_DATE = ("the date on which this address was consulted was not recorded when the "
                   "entry was added; add urldate when the address is next verified")
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("key", "gc27"): "cited in the chapters under this key since the first edition; the work is "
                     "General Comment No. 27 (1999)",
    ("key", "unhcrhandbook"): "cited in the chapters under this key since the first edition; the "
                              "UNHCR Handbook is known by name, not year",
    # the year was recorded after the key was first cited; a key never changes once cited
    ("key", "song-fmr"): "cited under this key since the first edition; the article is in Forced "
                         "Migration Review 65 (2020)",
    ("key", "dailynk-returns"): "cited under this key since the first edition; the year (2024) "
                                "was recorded later",
    ("symbol", "cedaw2023china"): "symbol CEDAW/C/CHN/CO/9 recalled, not yet checked against the "
                                  "Official Document System (see howpublished)",
    **{("urldate", key): _NO_ACCESS_DATE for key in (
        "cohen2010legal", "cohen2014brookings", "ohchr2023experts", "unhcr2006guterres",
        "song-fmr", "china-dprk1964protocol", "hrw2023letter", "cecc2014", "mfa2012honglei",
    )},
}


@dataclass
class Report:
    problems: list[Problem]
    online: int  # entries with a url
    archived: int  # of those, entries with an archiveurl

    @property
    def not_archived(self) -> int:
        return self.online - self.archived


# -- Helpers ---------------------------------------------------------------------------------

ENTRY_START = re.compile(r"^[ \t]*@(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)


def _lines(text: str) -> dict[str, tuple[int, int]]:
    """Each entry key's first line and the offset where the entry starts."""
    out = {}
    for match in ENTRY_START.finditer(text):
        if match.group(1).lower() not in {"comment", "preamble", "string"}:
            out[match.group(2)] = (text.count("\n", 0, match.start()) + 1, match.start())
    return out


def _field_line(text: str, start: int, entry_line: int, field: str) -> int:
    """The line of `field = ...` inside the entry that starts at `start` (else the entry's)."""
    nxt = ENTRY_START.search(text, start + 1)
    body = text[start:nxt.start() if nxt else len(text)]
    match = re.search(rf"^\s*{re.escape(field)}\s*=", body, re.MULTILINE | re.IGNORECASE)
    return entry_line + body.count("\n", 0, match.start()) if match else entry_line


def plain(value) -> str:
    return re.sub(r"[{}]", "", str(value)).strip()


def is_corporate(entry: Entry) -> bool:
    """True for an author such as {{Human Rights Watch}}: a name kept whole in braces, which
    pybtex reads as a surname with no first names."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return any(not p.first_names and not p.middle_names and " " in plain(" ".join(p.last_names))
               for p in people)


def un_symbols_mentioned(entry: Entry) -> list[str]:
    found = []
    for name in SYMBOL_FIELDS:
        found += UN_SYMBOL.findall(plain(entry.fields.get(name, "")))
    return found


def normalised_title(entry: Entry) -> str:
    return re.sub(r"[^a-z0-9]+", " ", plain(entry.fields.get("title", "")).casefold()).strip()


def related_keys(entry: Entry) -> set[str]:
    """biblatex's `related` field: the keys of other versions of the same work."""
    return {k.strip() for k in plain(entry.fields.get("related", "")).split(",") if k.strip()}


# -- The rules -------------------------------------------------------------------------------

def _check_entry(key: str, entry: Entry):
    """(rule, field, message) for each problem of one entry on its own."""
    fields = entry.fields
    has = lambda name: bool(plain(fields.get(name, ""))) or name in entry.persons  # noqa: E731

    needs = REQUIRED.get(entry.type.lower())
    if needs is None:
        yield ("type", None, f"entry type @{entry.type} is not one the handbook uses; use one of "
               f"{', '.join('@' + t for t in REQUIRED)}")
        needs = []
    for need in needs:
        options = need if isinstance(need, tuple) else (need,)
        if not any(has(o) for o in options):
            yield ("required", None, f"@{entry.type} needs {' or '.join(options)}")

    match = KEY.match(key)
    year = plain(fields.get("year", ""))
    if year and not re.fullmatch(r"\d{4}", year):
        yield ("year", "year", f"year '{year}' is not four digits (letter O for zero?)")
    if not match:
        yield ("key", None, f"key '{key}' does not follow the convention: lower-case author or "
               "body, year, optional word (cohen2014, coi2014report)")
    elif year and not match.group("year"):
        yield ("key", None, f"key '{key}' lacks the year {year}: name it like {key}{year} or "
               f"{key}{year}word")
    elif match.group("year") and match.group("year") != year and \
            match.group("year") not in " ".join(plain(v) for v in fields.values()):
        yield ("key", None, f"the year in key '{key}' is not the entry's year ({year or 'none'}) "
               "nor a year the entry states")

    for name in ("url", "archiveurl"):
        if name not in fields:
            continue
        url = plain(fields[name])
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in url:
            yield ("url", name, f"malformed {name} {url}")
        elif parts.scheme == "http" and (name == "archiveurl" or parts.netloc not in HTTP_EXCEPTIONS):
            yield ("https", name, f"{name} uses http: give the https address {url} "
                   "(or list the host with a reason in HTTP_EXCEPTIONS)")
    if "url" in fields:
        if "urldate" not in fields:
            yield ("urldate", "url", "an online source needs urldate (the date you consulted "
                   "it, YYYY-MM-DD)")
        elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}", plain(fields["urldate"])):
            yield ("urldate", "urldate", f"urldate '{plain(fields['urldate'])}' is not YYYY-MM-DD")

    mentioned = un_symbols_mentioned(entry)
    symbol = plain(fields.get("symbol", ""))
    if mentioned and not symbol:
        yield ("symbol", None, f"a UN document needs a symbol field (the entry mentions "
               f"{mentioned[0]}): add symbol = {{{mentioned[0]}}}")
    elif symbol and not UN_SYMBOL.fullmatch(symbol):
        yield ("symbol", "symbol", f"symbol '{symbol}' does not look like a UN document symbol")
    shorthand = plain(fields.get("shorthand", ""))
    if symbol and UN_SYMBOL.fullmatch(shorthand) and shorthand != symbol:
        yield ("symbol", "shorthand", f"shorthand '{shorthand}' and symbol '{symbol}' differ")

    authorless = not entry.persons.get("author") and not entry.persons.get("editor")
    if (authorless or is_corporate(entry)) and not shorthand:
        who = "no author" if authorless else "an organisation as author"
        yield ("shorthand", None, f"an entry with {who} needs a shorthand field, the label "
               "readers see in brackets (e.g. shorthand = {HRW 2023})")


def _duplicates(entries: dict[str, Entry]):
    """(key, message) for each entry that repeats an earlier one: the same author, title and
    year (resolutions of different bodies share titles), the same url or the same symbol. Two versions of one work (an article and its web
    version) are allowed when one names the other in its `related` field."""
    seen: dict[tuple[str, str], str] = {}
    for key, entry in entries.items():
        signatures = []
        title = normalised_title(entry)
        if title:
            authors = plain(" and ".join(map(str, entry.persons.get("author", [])))).casefold()
            signatures.append(("author, title and year",
                               f"{authors}|{title}|{plain(entry.fields.get('year', ''))}"))
        for name in ("url", "symbol"):
            if plain(entry.fields.get(name, "")):
                signatures.append((name, plain(entry.fields[name]).rstrip("/").casefold()))
        for signature in signatures:
            other = seen.get(signature)
            if other is None:
                seen[signature] = key
            elif other not in related_keys(entry) and key not in related_keys(entries[other]):
                yield (key, f"same {signature[0]} as '{other}': merge the two entries, or, if "
                       f"this is another version of that work, say so and add related = {{{other}}}")


def lint(path: Path, exceptions: dict[tuple[str, str], str] | None = None) -> Report:
    """Every problem in one .bib file (which bibcheck.py has already found readable).
    EXCEPTIONS name entries of the handbook's references.bib, so by default they apply to
    that file only."""
    if exceptions is None:
        exceptions = EXCEPTIONS if path.resolve() == ROOT / "references.bib" else {}
    text = path.read_text(encoding="utf-8-sig")
    entries = bibtex.Parser(encoding="utf-8-sig").parse_string(text).entries
    lines = _lines(text)
    problems: list[Problem] = []
    fired: set[tuple[str, str]] = set()

    def add(key, rule, field, message):
        if (rule, key) in exceptions:
            fired.add((rule, key))
            return
        line, start = lines.get(key, (0, 0))
        if field:
            line = _field_line(text, start, line, field)
        problems.append(Problem(path, line, rule, message, key=key))

    for key, entry in entries.items():
        for rule, field, message in _check_entry(key, entry):
            add(key, rule, field, message)
    for key, entry in entries.items():
        for other in sorted(related_keys(entry) - set(entries)):
            add(key, "related", "related", f"related names '{other}', which is not in the file")
    for key, message in _duplicates(entries):
        add(key, "duplicate", None, message)
    for rule, key in sorted(set(exceptions) - fired):
        if key in entries:
            problems.append(Problem(path, lines[key][0], "exception", key=key, message=
                                    f"the '{rule}' rule now passes: remove the exception "
                                    f"for {key} from EXCEPTIONS in tools/biblint.py"))
    online = [e for e in entries.values() if "url" in e.fields]
    problems.sort(key=lambda p: (p.line, p.rule))
    return Report(problems, len(online), sum("archiveurl" in e.fields for e in online))


def main(argv: list[str]) -> int:
    archives = "--archives" in argv
    paths = [Path(a) for a in argv if a != "--archives"] or [ROOT / "references.bib"]
    failed = False
    for path in paths:
        report = lint(path)
        for problem in report.problems:
            print(problem)
        failed = failed or bool(report.problems)
        print(f"{path.name}: {len(report.problems)} problem(s)" + (
            f"; {report.not_archived} of {report.online} online sources have no archived copy "
            "(archiveurl)" if archives else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
