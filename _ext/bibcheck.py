"""Check the .bib files before sphinxcontrib-bibtex reads them.

sphinxcontrib-bibtex stops on a malformed .bib with a bare pybtex traceback, and pybtex only
warns about a repeated key (then keeps one of the two entries). Both deserve a message that
names the file, the line and the culprit, so this extension parses each file first and stops
the build with exactly that.
"""

from __future__ import annotations

import re
from pathlib import Path

from pybtex.database.input import bibtex
from pybtex.scanner import PybtexSyntaxError
from sphinx.util import logging

import handbook_build as hb

logger = logging.getLogger(__name__)
ENTRY_START = re.compile(r"^[ \t]*@(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)
YEAR = re.compile(r"^[ \t]*(year)\s*=\s*[{\"]?([^}\",\n]*)", re.MULTILINE | re.IGNORECASE)


# where each entry starts, by key: {"coi2014report": ("/…/references.bib", 120)}; filled when
# the files are checked, read by bibstyle.py to report a missing field at its entry's line
ENTRY_LINES: dict[str, tuple[str, int]] = {}


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def problems(path: Path) -> list[str]:
    """Every problem found in one .bib file, as 'file:line: message' strings."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        return [f"{path}:{line}: byte 0x{raw[err.start]:02x} is not UTF-8; save the file as "
                "UTF-8 (an accented letter typed in another encoding, most often)"]
    found: list[str] = []
    first_seen: dict[str, int] = {}
    for match in ENTRY_START.finditer(text):
        if match.group(1).lower() in {"comment", "preamble", "string"}:
            continue
        key, line = match.group(2), _line_of(text, match.start())
        ENTRY_LINES.setdefault(key, (str(path), line))
        folded = key.casefold()  # BibTeX keys are case-insensitive
        if folded in first_seen:
            found.append(
                f"{path}:{line}: duplicate citation key '{key}' "
                f"(first defined at line {first_seen[folded]}); give one of them a new key"
            )
        else:
            first_seen[folded] = line
    for match in YEAR.finditer(text):
        if not re.fullmatch(r"\d{4}", match.group(2).strip()):
            found.append(f"{path}:{_line_of(text, match.start())}: year '{match.group(2).strip()}' "
                         "is not four digits (letter O for zero?); write it like 2003")
    if found:
        return found
    stamp = hb.passed_check(path.parent, "bib", path, Path(__file__))  # parsed before, unchanged
    if stamp.is_file():
        return found
    try:
        bibtex.Parser(encoding="utf-8-sig").parse_string(text)
        hb.record_pass(stamp)
    except PybtexSyntaxError as err:
        starts = [(_line_of(text, m.start()), m.group(2)) for m in ENTRY_START.finditer(text)]
        culprit = [s for s in starts if s[0] <= err.lineno][-1:]  # the entry the parser was in
        where = f" in entry '{culprit[0][1]}' (line {culprit[0][0]})" if culprit else ""
        found.append(f"{path}:{err.lineno}: malformed BibTeX{where}: {err.error_type}; "
                     f"look for a missing comma, brace or quote")
    except Exception as err:  # pybtex raises plain errors for some defects
        found.append(f"{path}: malformed BibTeX: {err}")
    return found


def check_bibfiles(app, config) -> None:
    # The .bib belongs to the sources. sphinxcontrib-bibtex resolves bibtex_bibfiles against
    # the configuration directory; make them absolute paths in the source directory, so that a
    # book built with `-c` (the tests' fixture books) reads its own .bib. For the handbook
    # itself both directories are the repository root and nothing changes.
    config.bibtex_bibfiles = [str(Path(app.srcdir, name)) for name in config.bibtex_bibfiles or []]
    messages: list[str] = []
    for name in config.bibtex_bibfiles:
        messages += problems(Path(name))
    for message in messages:
        location, _, text = message.partition(": ")
        logger.error(text, location=location)
    if messages:
        # Sphinx 9 reports any exception raised in an event handler as a crash, with a
        # traceback and a plea to report a Sphinx bug. A broken .bib is the contributor's
        # mistake, so stop with the messages above and Sphinx's exit status for errors.
        raise SystemExit(2)


def setup(app):
    # config-inited runs before sphinxcontrib-bibtex parses the files at builder-inited
    app.connect("config-inited", check_bibfiles)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
