"""The handbook's menu of tasks. Run `nox -l` to list them, `nox -s NAME` to run one.

Each session installs the pinned dependencies (requirements.txt) into its own virtual
environment, so the only thing a machine needs first is Python 3.11+ and nox.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "_ext"))
import handbook_build as hb  # noqa: E402  (shared with the tests)

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True


def _install(session: nox.Session) -> None:
    session.install("-r", "requirements.txt")


def _html(session: nox.Session) -> None:
    session.run(*hb.sphinx_command("html"))


def _ensure_tex(session: nox.Session) -> None:
    problem = hb.install_tex_or_explain()
    if problem:
        session.error(problem)


def _pdf(session: nox.Session) -> None:
    _ensure_tex(session)
    latexdir = hb.BUILD / "latex"
    session.run(*hb.sphinx_command("latex", outdir=latexdir))
    session.run(*hb.latexmk_command(latexdir), external=True)
    pdf = latexdir / f"{hb.PDF_NAME}.pdf"
    glyphs = hb.missing_glyphs(latexdir / f"{hb.PDF_NAME}.log")
    if glyphs:
        session.error("The PDF lacks glyphs (add a font that has them):\n" + "\n".join(glyphs[:20]))
    overfull = hb.overfull_boxes(latexdir / f"{hb.PDF_NAME}.log")
    if overfull:  # tests/test_pdf_layout.py fails on these; the build only warns
        session.warn("Text runs out of the text area (widen a table's column with :widths:, "
                     "or see _latex/handbook.sty):\n" + "\n".join(overfull[:20]))
    html = hb.BUILD / "html"
    # the site links the PDF and shows its size (_ext/downloads.py), so the PDF goes into the
    # HTML folder before `build` builds the HTML; a later `html` build keeps it. Each chapter's
    # own PDF, cut from it, goes beside the chapter's page (chapters/01-background.pdf).
    html.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pdf, html / pdf.name)
    session.run(*hb.chapter_pdfs_command("python", latexdir, html))
    session.log(f"PDF: {pdf}")


def _epub(session: nox.Session) -> None:
    session.run(*hb.sphinx_command("epub"))
    epub = hb.epub_path()
    html = hb.BUILD / "html"
    html.mkdir(parents=True, exist_ok=True)
    shutil.copy2(epub, html / epub.name)  # linked from every page, like the PDF
    session.log(f"EPUB: {epub}")


def _ensure_browser(session: nox.Session) -> None:
    """Chromium, epubcheck and Java from Debian; axe-core, Lighthouse and vnu from npm."""
    problem = hb.install_browser_tools_or_explain()
    if problem:
        session.error(problem)
    npm_ci = hb.npm_ci_command()
    if npm_ci:
        session.run(*npm_ci, external=True)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def build(session: nox.Session) -> None:
    """Build the whole handbook: HTML into _build/html, with the PDF and EPUB beside it."""
    _install(session)
    _pdf(session)  # first: each page shows the PDF's and the EPUB's file sizes
    _epub(session)
    _html(session)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def html(session: nox.Session) -> None:
    """Build the HTML site only (strict: warnings are errors) into _build/html."""
    _install(session)
    _html(session)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def pdf(session: nox.Session) -> None:
    """Build the PDF into _build/latex and the chapter PDFs into _build/html (installs TeX)."""
    _install(session)
    _pdf(session)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def tests(session: nox.Session) -> None:
    """Run the test suite: it builds the real HTML and PDF and inspects them."""
    _install(session)
    _ensure_tex(session)
    _ensure_browser(session)
    session.run("pytest", *(session.posargs or ["tests"]))


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def preview(session: nox.Session) -> None:
    """Serve the HTML on http://127.0.0.1:8000, rebuilding as you edit."""
    _install(session)
    cmd = hb.sphinx_command("html")
    cmd[0] = "sphinx-autobuild"
    session.run(*cmd, "--host", "127.0.0.1", "--port", "8000", "--ignore", "*/_build/*",
                "--ignore", "*/.nox/*", "--ignore", "*/tests/*")


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def linkcheck(session: nox.Session) -> None:
    """Check every external link (needs the network; LINKCHECK_OFFLINE=1 checks none)."""
    _install(session)
    session.run(*hb.sphinx_command("linkcheck"))


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def lint(session: nox.Session) -> None:
    """Check the Python code (ruff), references.bib's house rules, spelling and terms, and data/."""
    _install(session)
    session.run("ruff", "check", ".")
    session.run("python", "_ext/biblint.py")
    session.run("python", "_ext/prose.py")
    session.run("frictionless", "validate", "data/datapackage.json")


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def bench(session: nox.Session) -> None:
    """Print build timings (cold HTML, one-chapter rebuild, PDF), output sizes and page weights."""
    _install(session)
    _ensure_tex(session)
    _ensure_browser(session)  # the page weights are measured in Chromium
    session.run("python", "tests/bench.py", *session.posargs)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def snapshots(session: nox.Session) -> None:
    """Record the paragraph numbers anew (tests/snapshots/paragraphs.txt) after a renumbering."""
    _install(session)
    session.run("pytest", "tests/test_paragraphs.py", "-k", "snapshot", env={"UPDATE_SNAPSHOTS": "1"})
    session.log("Recorded. Say in CHANGELOG.md which paragraphs were renumbered.")
