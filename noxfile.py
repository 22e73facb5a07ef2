"""The handbook's menu of tasks. Run `nox -l` to list them, `nox -s NAME` to run one.

Environments by role, each made once in .nox/ and reused by every session of its role:

- build (requirements/build.txt): `build`, `html`, `pdf`, `preview`, `check`, `linkcheck`,
  `editions`, `catalogues`;
- test (requirements/test.txt, the build's packages and the test tools): `tests`, `fast`,
  `snapshots`, `bench`;
- lint (requirements/lint.txt, no Sphinx): `lint`.

Each is installed from its hash-locked file (pip --require-hashes) and updated in place when
that file changes. nox itself makes no environment (venv_backend "none"): nox makes one per
session and cannot share one between sessions, which cost 400 MB a session.

Debian packages (TeX for the PDF; Chromium, Java and Node's tools for the browser tests) are
installed by the sessions that need them only when asked: in CI (CI=true) or with
HANDBOOK_SYSTEM_PACKAGES=install, as root; otherwise the session stops with the command to run.
The only thing a machine needs first is Python 3.11+ and nox.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "tools"))  # nox runs this file outside the environments
import handbook_build as hb  # noqa: E402  (tools/: shared with conf.py and the tests)

nox.options.default_venv_backend = "none"


class _WithoutUvNotice(logging.Filter):
    """nox looks for uv at the start of every session, to offer it as a backend, and says
    "uv binary not found." when there is none. The project's environments are made with venv
    and pip from hash-locked files (`_env`), so the notice is noise above the lines that
    matter; this drops that one message and nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "uv binary not found."


logging.getLogger("nox").addFilter(_WithoutUvNotice())
ENVS = ROOT / ".nox"
LOCKS = ROOT / "requirements"


def _env(session: nox.Session, role: str) -> dict[str, str]:
    """The environment of `role` (see the docstring): made if missing, brought up to date if
    its lock file changed since it was last installed; returns the variables that put it first
    on PATH for session.run."""
    venv, lock = ENVS / role, LOCKS / f"{role}.txt"
    python = venv / "bin" / "python"
    stamp = venv / "installed-lock.sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not python.exists():
        session.log(f"Making the {role} environment in {venv.relative_to(ROOT)} (once)")
        session.run(sys.executable, "-m", "venv", str(venv), external=True, silent=True)
    if not stamp.is_file() or stamp.read_text() != digest:
        session.log(f"Installing {lock.relative_to(ROOT)}")
        session.run(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--require-hashes", "-r", str(lock), external=True, silent=True)
        stamp.write_text(digest)
    return {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "VIRTUAL_ENV": str(venv)}


def _runner(session: nox.Session, role: str):
    """session.run in the role's environment. nox looks a program up on its own PATH, not on
    the one passed in env, so a program of the environment is named by its full path."""
    env = _env(session, role)
    bindir = ENVS / role / "bin"

    def run(*args, **kwargs):
        program = bindir / str(args[0])
        if program.is_file():
            args = (str(program), *args[1:])
        return session.run(*args, env={**env, **kwargs.pop("env", {})}, external=True, **kwargs)
    return run


def _sphinx(session: nox.Session, run, cmd: list[str]) -> None:
    """Run a sphinx-build command line quietly (-q: only the messages that matter); when it
    fails, end the session by repeating its messages (the warnings file, `file:line: what`),
    so the last lines a contributor reads are the ones to fix."""
    try:
        run(*cmd[:1], "-q", *cmd[1:])
    except nox.command.CommandFailed:
        warnings = Path(cmd[cmd.index("-w") + 1]) if "-w" in cmd else None
        text = warnings.read_text(encoding="utf-8").strip() if warnings and warnings.is_file() else ""
        session.error(f"The build failed. Fix these lines:\n{text}" if text else "The build failed (see above).")


def _ensure_tex(session: nox.Session) -> None:
    problem = hb.install_tex_or_explain()
    if problem:
        session.error(problem)


def _ensure_browser(session: nox.Session, run) -> None:
    """Chromium, epubcheck and Java from Debian; axe-core, Lighthouse, vnu and citation-js
    from npm."""
    problem = hb.install_browser_tools_or_explain()
    if problem:
        session.error(problem)
    _ensure_node_tools(run)


def _ensure_node_tools(run) -> None:
    npm_ci = hb.npm_ci_command()
    if npm_ci:
        run(*npm_ci, silent=True)


def _html(session: nox.Session, run) -> None:
    _sphinx(session, run, hb.sphinx_command("html"))


def _pdf(session: nox.Session, run) -> None:
    _ensure_tex(session)
    latexdir = hb.BUILD / "latex"
    _sphinx(session, run, hb.sphinx_command("latex", outdir=latexdir))
    run(*hb.latexmk_command(latexdir))
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
    run(*hb.chapter_pdfs_command("python", latexdir, html))
    session.log(f"PDF: {pdf}")


def _epub(session: nox.Session, run) -> None:
    _sphinx(session, run, hb.sphinx_command("epub"))
    epub = hb.epub_path()
    html = hb.BUILD / "html"
    html.mkdir(parents=True, exist_ok=True)
    shutil.copy2(epub, html / epub.name)  # linked from every page, like the PDF
    session.log(f"EPUB: {epub}")


def _translations(session: nox.Session, run, pdf: bool = True) -> None:
    """The Korean and Chinese sites beside the English one (_build/html/ko, _build/html/zh),
    each with its PDF of the brief; see CONTRIBUTING.md, "Translations"."""
    if pdf:
        _ensure_tex(session)
    for language, folder in hb.TRANSLATIONS.items():
        site = hb.BUILD / "html" / folder
        site.mkdir(parents=True, exist_ok=True)
        if pdf:
            latexdir = hb.BUILD / f"latex-{folder}"
            _sphinx(session, run, hb.translation_command("latex", language, outdir=latexdir))
            run(*hb.latexmk_command(latexdir))
            shutil.copy2(latexdir / hb.translated_pdf_name(language), site)
        _sphinx(session, run, hb.translation_command("html", language, outdir=site))


# -- The build environment ---------------------------------------------------------------------

@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def build(session: nox.Session) -> None:
    """Build the whole handbook: HTML into _build/html, with the PDF and EPUB beside it."""
    run = _runner(session, "build")
    _pdf(session, run)  # first: each page shows the PDF's and the EPUB's file sizes
    _epub(session, run)
    _html(session, run)
    _translations(session, run)  # /ko/ and /zh/, after the English files they link to


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def html(session: nox.Session) -> None:
    """Build the HTML site only (strict: warnings are errors) into _build/html; with
    `-- --translations`, the Korean and Chinese sites too (without their PDFs)."""
    run = _runner(session, "build")
    _html(session, run)
    if "--translations" in session.posargs:
        _translations(session, run, pdf=False)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def pdf(session: nox.Session) -> None:
    """Build the PDF into _build/latex and the chapter PDFs into _build/html (installs TeX)."""
    _pdf(session, _runner(session, "build"))


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def check(session: nox.Session) -> None:
    """The quick check: everything a text change can break (citations and their pinpoints,
    labels, glossary terms, the table of contents, references.bib, spelling), in seconds."""
    run = _runner(session, "build")
    spelling_failed = False
    try:
        run("python", "tools/prose.py")
    except nox.command.CommandFailed:
        spelling_failed = True
    _sphinx(session, run, hb.check_command())  # ends the session with its messages if it fails
    if spelling_failed:
        session.error("Fix the spelling and terms above.")


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def preview(session: nox.Session) -> None:
    """Serve the HTML on http://127.0.0.1:8000, rebuilding as you edit (Ctrl-C stops it)."""
    run = _runner(session, "build")
    cmd = hb.sphinx_command("html")
    cmd[0] = "sphinx-autobuild"
    run(*cmd, "--host", "127.0.0.1", "--port", "8000", "--ignore", "*/_build/*",
        "--ignore", "*/.nox/*", "--ignore", "*/tests/*", "--ignore", "*.mo",
        # stop the server with the session (nox's interrupt_timeout), not leave it on port 8000
        interrupt_timeout=5)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def linkcheck(session: nox.Session) -> None:
    """Check every external link (needs the network; LINKCHECK_OFFLINE=1 checks none)."""
    _runner(session, "build")(*hb.sphinx_command("linkcheck"))


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def editions(session: nox.Session) -> None:
    """Build each earlier edition from its git tag into _build/html/editions/VERSION/ (after build)."""
    run = _runner(session, "build")
    _ensure_tex(session)
    run("python", "tools/editions.py", *session.posargs)


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def catalogues(session: nox.Session) -> None:
    """After the English changes: update the translation catalogues (locales/), keeping every
    translation; changed strings become fuzzy (CONTRIBUTING.md, "Translations")."""
    run = _runner(session, "build")
    hb.update_catalogues(lambda cmd: run(*cmd), python="python")


# -- The lint environment ----------------------------------------------------------------------

@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def lint(session: nox.Session) -> None:
    """Check the Python code (ruff), references.bib (house rules; biber's data model), spelling
    and terms, the translations' catalogues, the lock files and the workflows (schema; zizmor).
    Runs every check, then names those that failed. (data/ is checked by every build.)"""
    run = _runner(session, "lint")
    checks = [
        ("ruff", ["ruff", "check", "."]),
        ("references.bib", ["python", "tools/biblint.py"]),
        ("biber's data model", ["python", "tools/bibermodel.py"]),
        ("spelling and terms", ["python", "tools/prose.py"]),
        ("translations", ["python", "tools/translation_status.py"]),  # counts; never fails
        ("lock files", ["python", "tools/handbook_build.py", "check-locks"]),
        ("workflows' schema", ["check-jsonschema", "--builtin-schema", "vendor.github-workflows",
                               *map(str, sorted((ROOT / ".github" / "workflows").glob("*.yml")))]),
        ("workflows' security", ["zizmor", "--offline", "--quiet", ".github/workflows"]),
    ]
    failed = []
    for name, cmd in checks:
        try:
            run(*cmd)
        except nox.command.CommandFailed:
            failed.append(name)
    if failed:
        session.error(f"Failed: {', '.join(failed)} (messages above).")


# -- The test environment ----------------------------------------------------------------------

@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def tests(session: nox.Session) -> None:
    """Run every test, as CI does: it builds the real HTML and PDF and inspects them (with
    TeX, Chromium and Java). `nox -s tests -- tests/test_x.py` runs one file."""
    run = _runner(session, "test")
    _ensure_tex(session)
    _ensure_browser(session, run)
    run("pytest", *(session.posargs or ["tests"]))


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def fast(session: nox.Session) -> None:
    """The tests that need neither TeX nor a browser (the site without its PDF): about a minute.
    They run on every core (pytest-xdist): the tests that share a build together on one
    worker (tests/conftest.py, shared_build), the others on any worker."""
    run = _runner(session, "test")
    _ensure_node_tools(run)  # citation-js, for the citation clients' tests (Node, not a browser)
    run("pytest", *hb.FAST_TIER, *(session.posargs or ["tests"]))


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def snapshots(session: nox.Session) -> None:
    """Record the paragraph numbers (tests/snapshots/paragraphs.txt) and the published pages
    (tests/published-pages.txt) anew, and say exactly what changed; run when an edition is cut
    or after an intended renumbering."""
    run = _runner(session, "test")
    run("pytest", "-q", "-s", "-p", "no:cacheprovider", "tests/test_paragraphs.py::test_paragraph_numbers_match_the_snapshot",
        "tests/test_addresses.py::test_published_pages_are_recorded_when_an_edition_is_cut",
        "-m", "not pdf and not browser", env={"UPDATE_SNAPSHOTS": "1"})
    session.log("Say in CHANGELOG.md which paragraphs were renumbered, if any.")


@nox.session(default=False)  # a bare `nox` starts nothing slow by accident
def bench(session: nox.Session) -> None:
    """Print build timings and their ratios (cold HTML against a bare build, one-chapter
    rebuild against cold, PDF), a profile's top five, output sizes and page weights.
    `nox -s bench -- --html-only` needs neither TeX nor a browser; `-- --fast-tier` times the
    fast test tier."""
    run = _runner(session, "test")
    if not {"--html-only", "--fast-tier"} & set(session.posargs):
        _ensure_tex(session)
        _ensure_browser(session, run)  # the page weights are measured in Chromium
    run("python", "tests/bench.py", *session.posargs)
