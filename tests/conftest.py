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

Parallel. `nox -s fast` runs on every core (pytest-xdist, `--dist loadgroup`): the tests that
share a build (the website's, the EPUB's, a module's fixture book) form one group each, so one
worker makes that build once and runs them (`shared_build`); the other tests go to any worker.

A broken build is reported once. Before any test runs, the strict check build
(`nox -s check`'s) runs when a selected test needs the book; if it fails, its own messages
(file:line: what) are printed, the tests that need the book are skipped with one line saying
why, and the run fails. Run in parallel, the controller runs the check once and tells the workers.
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


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(session, config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & PDF_FIXTURES:
            item.add_marker(pytest.mark.pdf)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        group = shared_build(item, used)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def shared_build(item, used: set[str]) -> str | None:
    """The group of a test run in parallel (`nox -s fast`, pytest-xdist's --dist loadgroup):
    the tests that share a build run on one worker, which makes it once. The website's tests
    form one group, the EPUB's another (in the full tiers the website needs the EPUB, so one
    group would do), and the tests of a module-scoped fixture (a small fixture book) one each;
    the other tests go wherever a worker is free."""
    if used & (BOOK_FIXTURES - {"epub_path"}):
        return "site"
    if "epub_path" in used:
        return "epub"
    # pytest has no public way to ask a fixture's scope; _fixtureinfo is what plugins read
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for name in sorted(used):
        defs = definitions.get(name)
        if defs and defs[-1].scope == "module" and defs[-1].baseid:
            return f"{defs[-1].baseid}::{name}"
    return None


def check_build() -> str:
    """Run the strict check build; return its messages if it fails, else ''."""
    with tempfile.TemporaryDirectory() as tmp:
        check = run_sphinx("dummy", Path(tmp) / "check")
    return "" if check.returncode == 0 else (check.warnings.strip() or check.output.strip())


def report_broken_build(config, messages: str, needing: int | None = None) -> None:
    config.stash[BUILD_BROKEN] = messages
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_sep("=", "the handbook does not build")
        reporter.write_line(messages)
        reporter.write_line(f"({needing if needing is not None else 'The'} tests that need the book are "
                            "skipped; fix the lines above, or run `nox -s check` to see them again)")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Run in parallel (pytest-xdist), the controller runs the check build once, before the
    workers start, and tells each worker its outcome (the workers do not run it again)."""
    config = node.config
    if CHECKED not in config.stash:
        config.stash[CHECKED] = check_build()
        if config.stash[CHECKED]:
            report_broken_build(config, config.stash[CHECKED])
    node.workerinput["handbook_check_failed"] = config.stash[CHECKED]


def pytest_collection_finish(session):
    """The check build before any test, when a test needs the book (see the docstring)."""
    config = session.config
    config.stash[NEEDS_PDF] = any("pdf" in (m.name for m in i.iter_markers()) for i in session.items)
    needing = [i for i in session.items if set(getattr(i, "fixturenames", ())) & BOOK_FIXTURES]
    if not needing or config.getoption("collectonly"):
        return
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller has checked
        messages = config.workerinput.get("handbook_check_failed", "")
    else:
        messages = check_build()
        if messages:
            report_broken_build(config, messages, len(needing))
    if not messages:
        return
    skip = pytest.mark.skip(reason="the handbook does not build: see its messages above")
    for item in needing:
        item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    if session.config.stash.get(BUILD_BROKEN, None) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


CHECKED = pytest.StashKey[str]()
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
def html_build(request, tmp_path_factory) -> Build:
    # as in `nox -s build`: the PDF, the chapter PDFs and the EPUB go in first, since every
    # page shows their sizes; the fast tier (no PDF test selected) builds without them
    outdir = tmp_path_factory.mktemp("site") / "html"
    outdir.mkdir()
    if request.config.stash.get(NEEDS_PDF, True):
        epub_path = request.getfixturevalue("epub_path")
        shutil.copy2(epub_path, outdir / epub_path.name)
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


def build_translations(builder: str, outdirs: dict[str, Path], workdir: Path) -> None:
    """One builder in each translation, side by side (the builds share nothing but the sources),
    as `nox -s build` runs them (handbook_build.translation_command); fails on any error or warning."""
    running = {}
    for language, outdir in outdirs.items():
        cmd = hb.translation_command(builder, language, outdir=outdir, workdir=workdir, extra=["-N"])
        cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
        running[language] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for language, proc in running.items():
        output = proc.communicate()[0]
        assert proc.returncode == 0, output[-5000:]
        folder = hb.TRANSLATIONS[language]
        warnings = (workdir / f"{builder}-{folder}-warnings.txt").read_text(encoding="utf-8")
        assert not warnings.strip(), warnings


@pytest.fixture(scope="session")
def translated_sites(request, tmp_path_factory, html_dir) -> dict[str, Path]:
    """Each translation's site, built into a copy of the English site as `nox -s build` does
    (_build/html/ko beside _build/html): a copy, so that the English site's tests, which read
    every page of html_dir, never meet the /ko/ and /zh/ pages. The copy is the whole
    published site: its root is the parent of each translation's folder."""
    work = tmp_path_factory.mktemp("translations")
    root = work / "html"
    shutil.copytree(html_dir, root)
    sites = {language: root / folder for language, folder in hb.TRANSLATIONS.items()}
    build_translations("html", sites, work)
    if request.config.stash.get(NEEDS_PDF, True):  # as `nox -s build`: each brief's PDF in its site
        for language, pdf in request.getfixturevalue("translated_pdfs").items():
            shutil.copy2(pdf, sites[language] / pdf.name)
    return sites


@pytest.fixture(scope="session")
def translated_pdfs(tmp_path_factory, tex) -> dict[str, Path]:
    """The Korean and Chinese PDFs of the brief, as `nox -s build` makes them."""
    work = tmp_path_factory.mktemp("translated-pdf")
    latexdirs = {language: work / f"latex-{folder}" for language, folder in hb.TRANSLATIONS.items()}
    build_translations("latex", latexdirs, work)
    running = {language: subprocess.Popen(hb.latexmk_command(latexdir), stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True)
               for language, latexdir in latexdirs.items()}
    for proc in running.values():
        output = proc.communicate()[0]
        assert proc.returncode == 0, output[-5000:]
    return {language: latexdir / hb.translated_pdf_name(language) for language, latexdir in latexdirs.items()}


@pytest.fixture(scope="session")
def downloads_built(request) -> bool:
    """Whether the site was built with its PDFs beside it (not in the fast tier)."""
    return request.config.stash.get(NEEDS_PDF, True)


@pytest.fixture(scope="session")
def pdf_text(pdf_path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
                          capture_output=True, text=True, check=True).stdout
