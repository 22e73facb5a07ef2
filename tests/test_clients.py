"""The citations as real clients read them: citation-js (BibTeX, RIS, CITATION.cff) with the
handbook's own CSL styles, biblatex/biber and natbib/BibTeX under LuaLaTeX.

citation-js (pinned in tests/package.json) parses the "Cite this" box's BibTeX and RIS and
renders APA and Chicago with the vendored styles (_ext/csl/); the result must equal the
handbook's own strings, which citeproc-py renders from the same styles. A difference in the
author, title, edition, date, container, chapter or URL fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import NUMBERED, ROOT

STYLES = {"apa": ROOT / "_ext" / "csl" / "apa.csl",
          "chicago": ROOT / "_ext" / "csl" / "chicago-author-date.csl"}
CLIENT = ROOT / "tests" / "citation_client.js"
HOME, CHAPTER = "index.html", f"{NUMBERED[2]}.html"  # the whole, and a numbered chapter


def citation_js(inputs: list[dict]) -> list[dict]:
    node_modules = ROOT / "tests" / "node_modules"
    assert (node_modules / "@citation-js" / "core").is_dir(), \
        "citation-js is not installed: npm ci --prefix tests --ignore-scripts"
    job = {"styles": {k: str(v) for k, v in STYLES.items()}, "inputs": inputs}
    proc = subprocess.run(["node", str(CLIENT)], input=json.dumps(job), capture_output=True, text=True,
                          env={**os.environ, "NODE_PATH": str(node_modules)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def squash(text: str) -> str:
    return " ".join(text.split())


def box_of(pages, name):
    box = pages[name].select_one("details.cite-this")
    return {"apa": squash(box.select_one(".cite-apa").get_text()),
            "chicago": squash(box.select_one(".cite-chicago").get_text()),
            "bib": box.select_one("pre.cite-bibtex").get_text(),
            "ris": box.select_one("pre.cite-ris").get_text()}


def differences(own: dict, client: dict, where: str) -> list[str]:
    """Each style's string from the client against the handbook's own."""
    return [f"{where} {style}:\n  handbook:    {own[style]}\n  citation-js: {client[style][0]}"
            for style in STYLES if client[style] != [own[style]]]


@pytest.mark.parametrize("name", [HOME, CHAPTER])
def test_citation_js_reads_the_downloads_as_the_page_prints_them(pages, name):
    own = box_of(pages, name)
    results = citation_js([{"name": "bib", "text": own["bib"]}, {"name": "ris", "text": own["ris"]}])
    problems = []
    for result in results:
        assert len(result["items"]) == 1, f"{name} {result['name']}: {len(result['items'])} records"
        problems += differences(own, result["rendered"], f"{name} {result['name']}")
        item = result["items"][0]
        if item.get("author") and item["author"][0].get("given"):
            problems.append(f"{name} {result['name']}: the group author was split: {item['author']}")
        if item.get("publisher"):
            problems.append(f"{name} {result['name']}: publisher {item['publisher']!r} repeats the author")
        # citation-js reads RIS's PY (the year) and not DA (the full date, which Zotero reads)
        if result["name"] == "bib" and item["issued"]["date-parts"][0][2:] == []:
            problems.append(f"{name} {result['name']}: the date has no day: {item['issued']}")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_changed_citation(pages):
    own = box_of(pages, CHAPTER)
    broken = own["ris"].replace("SE  - 3", "SE  - 9")
    result, = citation_js([{"name": "ris", "text": broken}])
    assert differences(own, result["rendered"], "x"), "a wrong chapter number went unnoticed"


def test_citation_cff_gives_the_handbook_as_its_preferred_citation(pages):
    """citation-js's CFF reader always returns the file's root record first, and the
    preferred citation after it (plugin-cff 0.7.3, ``parse``); the root's type can only be
    software or dataset. GitHub's "Cite this repository" shows the preferred citation, which
    must print as the home page does."""
    own = box_of(pages, HOME)
    result, = citation_js([{"name": "cff", "text": (ROOT / "CITATION.cff").read_text(encoding="utf-8")}])
    preferred = [i for i, item in enumerate(result["items"]) if not item.get("_cff_mainReference")]
    assert len(preferred) == 1, result["items"]
    client = {style: [texts[preferred[0]]] for style, texts in result["rendered"].items()}
    assert not differences(own, client, "CITATION.cff"), differences(own, client, "CITATION.cff")


# -- LaTeX: biblatex with biber, natbib with BibTeX ------------------------------------------------

LATEX = {
    "biblatex": (r"\usepackage[style=authoryear]{biblatex}\addbibresource{handbook.bib}",
                 r"\printbibliography", "biber"),
    "natbib": (r"\usepackage{natbib}\usepackage{url}", r"\bibliographystyle{plainnat}\bibliography{handbook}",
               "bibtex"),
}
# plainnat requires a publisher on every book; the handbook has none besides its authors, and
# naming them again is what prints the group twice (cite_work.py). This one message is expected.
NATBIB_EXPECTED = re.compile(r"^Warning--empty publisher in \S+$")


def compile_with(tmp_path: Path, package: str, bib: str) -> list[str]:
    """Warnings from LuaLaTeX and the bibliography tool for a document citing ``bib``."""
    preamble, printing, tool = LATEX[package]
    keys = ",".join(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    (tmp_path / "handbook.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n" + preamble + "\n\\begin{document}\n"
        f"\\cite{{{keys}}}\n{printing}\n\\end{{document}}\n", encoding="utf-8")
    run = {"cwd": tmp_path, "capture_output": True, "text": True}
    lualatex = ["lualatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    subprocess.run(lualatex, **run)
    tool_out = subprocess.run([tool, "doc"], **run).stdout
    for _ in range(2):
        subprocess.run(lualatex, **run)
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    warnings = [line for line in log.splitlines() if re.search(r"Warning|undefined", line)
                and "infwarerr" not in line]
    warnings += [line for line in tool_out.splitlines() if re.search(r"WARN|ERROR|^Warning--|error message", line)
                 and not (package == "natbib" and NATBIB_EXPECTED.match(line))]
    return warnings


@pytest.mark.parametrize("package", sorted(LATEX))
def test_latex_cites_the_bibtex_without_a_warning(pages, tmp_path, package, tex):
    bib = box_of(pages, HOME)["bib"] + "\n" + box_of(pages, CHAPTER)["bib"]
    assert compile_with(tmp_path, package, bib) == []


def test_the_latex_check_finds_a_warning(tmp_path, tex):
    bad = "@book{x,\n    title = {T},\n    year = {2026},\n    date = {2026-13-40}\n}\n"
    assert compile_with(tmp_path, "biblatex", bad)
