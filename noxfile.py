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
    html = hb.BUILD / "html"
    if html.is_dir():  # the site links the PDF, so it travels with the HTML
        shutil.copy2(pdf, html / pdf.name)
    session.log(f"PDF: {pdf}")


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def build(session: nox.Session) -> None:
    """Build the whole handbook: HTML into _build/html, with the PDF copied beside it."""
    _install(session)
    _html(session)
    _pdf(session)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def html(session: nox.Session) -> None:
    """Build the HTML site only (strict: warnings are errors) into _build/html."""
    _install(session)
    _html(session)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def pdf(session: nox.Session) -> None:
    """Build the PDF only, into _build/latex (installs the TeX packages as root)."""
    _install(session)
    _pdf(session)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def tests(session: nox.Session) -> None:
    """Run the test suite: it builds the real HTML and PDF and inspects them."""
    _install(session)
    _ensure_tex(session)
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
def bench(session: nox.Session) -> None:
    """Print build timings (cold HTML, one-chapter rebuild, PDF) and output sizes."""
    _install(session)
    _ensure_tex(session)
    session.run("python", "tests/bench.py", *session.posargs)
