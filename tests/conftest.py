"""Build the real handbook once per test session, with the same commands as `nox -s build`.

The builds go into a temporary folder, never into _build/, so the tests do not depend on (or
disturb) a contributor's own build. A tool the tests need that is missing is a failure, not a
skip: CI must never pass by skipping the PDF.

Tiers. A test's cost follows from the fixtures it uses, so the tier is derived from them and
cannot be forgotten: a test that uses the PDF (or asks for `tex`) is marked `pdf`, one that
uses Chromium or the Java validators (or asks for `browser_tools`) is marked `browser`; the
rest is the fast tier, which needs neither TeX nor a browser (`nox -s fast`, or
`pytest -m "not pdf and not browser"`). In the fast tier the site is built without the PDF and
EPUB beside it, so its download menu shows no sizes. `nox -s tests` and CI run every tier.

A broken build is reported once. Before any test runs, the strict check build
(`nox -s check`'s) runs when a selected test needs the book; if it fails, its own messages
(file:line: what) are printed, the tests that need the book are skipped with one line saying
why, and the run fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
import handbook_build as hb  # noqa: E402  (_ext/ is on the path: pyproject.toml)

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
# every page's source: the tests that read the sources (citations, links) read these
SOURCES = [ROOT / "index.md", *CHAPTERS]
from sourcecheck import ROLE as CITE  # noqa: E402, F401  (the one citation-role pattern: group "target")


def toctrees(index: Path = ROOT / "index.md") -> list[tuple[bool, list[str]]]:
    """(numbered, [docname, ...]) for each toctree of the home page, in reading order: the
    one list of pages that the tests derive every other list from (chapters, numbered pages)."""
    trees = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", index.read_text(encoding="utf-8"), re.S):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        numbered = any(line.startswith(":numbered:") for line in lines)
        trees.append((numbered, [line for line in lines if not line.startswith(":")]))
    return trees


# the numbered chapters in order, e.g. ["chapters/01-background", ...]; chapter n is NUMBERED[n-1]
NUMBERED = [doc for numbered, docs in toctrees() if numbered for doc in docs]
# pages whose paragraphs carry a letter instead of a chapter number (conf.py paragraph_prefixes)
LETTERED = {"chapters/brief": "B"}


# the fixtures that need TeX, and those that need Chromium or Java; see the docstring
PDF_FIXTURES = {"tex", "latex_build", "pdf_path", "pdf_text", "chapter_pdfs", "translated_pdfs"}
BROWSER_FIXTURES = {"browser_tools", "browser", "chromium_browser"}
# the fixtures that build the real handbook (and everything that depends on them)
BOOK_FIXTURES = PDF_FIXTURES | {"html_build", "epub_path", "html_dir", "pages", "translated_sites"}


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & PDF_FIXTURES:
            item.add_marker(pytest.mark.pdf)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


def pytest_collection_finish(session):
    """The check build before any test, when a test needs the book (see the docstring)."""
    config = session.config
    config.stash[NEEDS_PDF] = any("pdf" in (m.name for m in i.iter_markers()) for i in session.items)
    needing = [i for i in session.items if set(getattr(i, "fixturenames", ())) & BOOK_FIXTURES]
    if not needing or config.getoption("collectonly"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        check = run_sphinx("dummy", Path(tmp) / "check")
    if check.returncode == 0:
        return
    messages = check.warnings.strip() or check.output.strip()
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_sep("=", "the handbook does not build")
        reporter.write_line(messages)
        reporter.write_line(f"({len(needing)} tests that need the book are skipped; fix the lines "
                            "above, or run `nox -s check` to see them again)")
    config.stash[BUILD_BROKEN] = messages
    skip = pytest.mark.skip(reason="the handbook does not build: see its messages above")
    for item in needing:
        item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    if session.config.stash.get(BUILD_BROKEN, None) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


NEEDS_PDF = pytest.StashKey[bool]()
BUILD_BROKEN = pytest.StashKey[str]()


@dataclass
class Build:
    outdir: Path
    returncode: int
    output: str  # stdout and stderr together
    warnings: str  # what Sphinx wrote to its warning file


def run_sphinx(builder: str, outdir: Path, srcdir: Path = ROOT, confdir: Path | None = None,
               env: dict | None = None) -> Build:
    # -N: no colour codes, whatever the terminal or CI says, since the tests read the messages
    cmd = hb.sphinx_command(builder, srcdir=srcdir, outdir=outdir, confdir=confdir, extra=["-N"])
    cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    warnfile = outdir.parent / f"{builder}-warnings.txt"
    warnings = warnfile.read_text(encoding="utf-8") if warnfile.exists() else ""
    return Build(outdir, proc.returncode, proc.stdout + proc.stderr, warnings)


@pytest.fixture(scope="session")
def tex() -> None:
    """Ask for this in a test that runs LaTeX itself: it puts the test in the pdf tier."""
    missing = hb.missing_tex()
    assert not missing, f"the PDF toolchain is incomplete: {missing}; run: {' '.join(hb.APT_INSTALL)}"


@pytest.fixture(scope="session")
def browser_tools() -> None:
    """Ask for this in a test that needs Chromium, Node's tools or Java: it puts the test in
    the browser tier."""
    from chromium import missing_tools_message

    problem = missing_tools_message()
    assert problem is None, problem


@pytest.fixture(scope="session")
def html_build(request, tmp_path_factory, epub_path) -> Build:
    # as in `nox -s build`: the PDF, the chapter PDFs and the EPUB go in first, since every
    # page shows their sizes; the fast tier (no PDF test selected) builds without the PDFs
    outdir = tmp_path_factory.mktemp("site") / "html"
    outdir.mkdir()
    shutil.copy2(epub_path, outdir / epub_path.name)
    if request.config.stash.get(NEEDS_PDF, True):
        pdf_path, chapter_pdfs = request.getfixturevalue("pdf_path"), request.getfixturevalue("chapter_pdfs")
        shutil.copy2(pdf_path, outdir / pdf_path.name)
        for path in chapter_pdfs.rglob("*.pdf"):
            target = outdir / path.relative_to(chapter_pdfs)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    build = run_sphinx("html", outdir)
    assert build.returncode == 0, build.output[-5000:]
    return build


@pytest.fixture(scope="session")
def epub_path(tmp_path_factory) -> Path:
    build = run_sphinx("epub", tmp_path_factory.mktemp("ebook") / "epub")
    assert build.returncode == 0, build.output[-5000:]
    path = hb.epub_path(build.outdir)
    assert path.is_file(), f"no {path.name} in {build.outdir}"
    return path


@pytest.fixture(scope="session")
def html_dir(html_build) -> Path:
    return html_build.outdir


@pytest.fixture(scope="session")
def pages(html_dir) -> dict[str, BeautifulSoup]:
    """Every built HTML page, parsed, by path relative to the site root."""
    return {str(p.relative_to(html_dir)): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in html_dir.rglob("*.html")}


@pytest.fixture(scope="session")
def latex_build(tmp_path_factory, tex) -> Build:
    build = run_sphinx("latex", tmp_path_factory.mktemp("pdf") / "latex")
    assert build.returncode == 0, build.output[-5000:]
    proc = subprocess.run(hb.latexmk_command(build.outdir), capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    return build


@pytest.fixture(scope="session")
def pdf_path(latex_build) -> Path:
    path = latex_build.outdir / f"{hb.PDF_NAME}.pdf"
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def chapter_pdfs(tmp_path_factory, latex_build) -> Path:
    """A folder with each chapter's own PDF where the website has it (chapters/<page>.pdf),
    cut from the book PDF as `nox -s pdf` does."""
    outdir = tmp_path_factory.mktemp("chapter-pdfs")
    proc = subprocess.run(hb.chapter_pdfs_command(sys.executable, latex_build.outdir, outdir),
                          capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    return outdir


def build_translation(builder: str, language: str, outdir: Path, workdir: Path) -> subprocess.CompletedProcess:
    """One builder in one translation, as `nox -s build` runs it (handbook_build.translation_command)."""
    cmd = hb.translation_command(builder, language, outdir=outdir, workdir=workdir, extra=["-N"])
    cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
    return subprocess.run(cmd, capture_output=True, text=True)


@pytest.fixture(scope="session")
def translated_sites(request, tmp_path_factory, html_dir) -> dict[str, Path]:
    """Each translation's site, built into a copy of the English site as `nox -s build` does
    (_build/html/ko beside _build/html): a copy, so that the English site's tests, which read
    every page of html_dir, never meet the /ko/ and /zh/ pages. The copy is the whole
    published site: its root is the parent of each translation's folder."""
    work = tmp_path_factory.mktemp("translations")
    root = work / "html"
    shutil.copytree(html_dir, root)
    sites = {}
    for language, folder in hb.TRANSLATIONS.items():
        outdir = root / folder
        proc = build_translation("html", language, outdir, work)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
        warnings = (work / f"html-{folder}-warnings.txt").read_text(encoding="utf-8")
        assert not warnings.strip(), warnings
        sites[language] = outdir
    if request.config.stash.get(NEEDS_PDF, True):  # as `nox -s build`: each brief's PDF in its site
        for language, pdf in request.getfixturevalue("translated_pdfs").items():
            shutil.copy2(pdf, sites[language] / pdf.name)
    return sites


@pytest.fixture(scope="session")
def translated_pdfs(tmp_path_factory, tex) -> dict[str, Path]:
    """The Korean and Chinese PDFs of the brief, as `nox -s build` makes them."""
    work = tmp_path_factory.mktemp("translated-pdf")
    pdfs = {}
    for language, folder in hb.TRANSLATIONS.items():
        latexdir = work / f"latex-{folder}"
        proc = build_translation("latex", language, latexdir, work)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
        proc = subprocess.run(hb.latexmk_command(latexdir), capture_output=True, text=True)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
        pdfs[language] = latexdir / hb.translated_pdf_name(language)
    return pdfs


@pytest.fixture(scope="session")
def downloads_built(request) -> bool:
    """Whether the site was built with its PDFs beside it (not in the fast tier)."""
    return request.config.stash.get(NEEDS_PDF, True)


@pytest.fixture(scope="session")
def pdf_text(pdf_path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
                          capture_output=True, text=True, check=True).stdout
