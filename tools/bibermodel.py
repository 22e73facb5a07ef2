"""references.bib under biber's data-model check: every entry valid biblatex, 0 warnings.

biblatex users (and Zotero, citation-js, pandoc, which follow its data model) read
references.bib too, so its entry types and fields must be biblatex's: a field biblatex does not
know is dropped by biber, and an entry without a date sorts and prints wrongly. The check is
biber's own (``biber --tool --validate-datamodel``), with one addition to the data model,
``symbol`` (biber.conf). biber reports problems as WARN lines and still exits 0, so this script
counts them and fails on any, each as ``references.bib:LINE: KEY: what``::

    python tools/bibermodel.py [FILE.bib]

Needs Debian's ``biber`` (installed as root when missing, like the TeX packages).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = ROOT / "biber.conf"
WARN = re.compile(r"(?:WARN|ERROR) - (?:Datamodel: )?(?:Entry '(?P<key>[^']+)' \([^)]*\): )?(?P<what>.+)$")


def entry_lines(bib: Path) -> dict[str, int]:
    lines = {}
    for number, line in enumerate(bib.read_text(encoding="utf-8").splitlines(), 1):
        found = re.match(r"\s*@\w+\s*\{\s*([^,\s]+)\s*,", line)
        if found:
            lines.setdefault(found.group(1), number)
    return lines


def check(bib: Path) -> list[str]:
    """One line per warning or error biber reports for `bib`; [] when it is valid."""
    bib = bib.resolve()
    with tempfile.TemporaryDirectory(prefix="bibermodel-") as tmp:
        # biber writes its log (.blg) beside the input and a converted copy: both into tmp
        copy = Path(tmp) / bib.name
        shutil.copy2(bib, copy)
        done = subprocess.run(
            ["biber", "--tool", "--validate-datamodel", f"--configfile={CONFIG}",
             f"--output-file={Path(tmp) / 'out.bib'}", "--nolog", copy.name],
            cwd=tmp, capture_output=True, text=True)
    lines = entry_lines(bib)
    problems = []
    for text in (done.stdout + done.stderr).splitlines():
        match = WARN.search(text)
        if match:
            key = match.group("key") or ""
            where = f"{bib.name}:{lines.get(key, 1)}"
            problems.append(f"{where}: {key + ': ' if key else ''}{match.group('what').strip()}")
    if done.returncode and not problems:
        problems.append(f"{bib.name}:1: biber failed: {(done.stderr or done.stdout).strip()[-300:]}")
    return problems


def main(argv: list[str]) -> int:
    from handbook_build import apt_install_or_explain  # beside this script

    problem = apt_install_or_explain("The data-model check of references.bib",
                                     lambda: [] if shutil.which("biber") else ["biber"], ["biber"])
    if problem:
        print(problem, file=sys.stderr)
        return 1
    bib = Path(argv[0]) if argv else ROOT / "references.bib"
    problems = check(bib)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"{len(problems)} data-model warnings (biblatex's entry types and fields: see "
              "CONTRIBUTING.md)", file=sys.stderr)
        return 1
    print(f"{bib.name}: biber's data-model check passed (0 warnings)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
