"""How the handbook is built: flags, output folders and the PDF toolchain, in one place.

Not a Sphinx extension. noxfile.py (which runs outside the build's virtual environment) and
tests/conftest.py both import it, so a contributor's build and the tests' build are the same
build. It uses the standard library only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
PDF_NAME = "forced-repatriation-handbook"

# Strict: every warning is an error, every cross-reference must resolve (-n), and all errors
# are reported before the build fails (--keep-going), so a contributor sees them at once.
SPHINX_FLAGS = ["-W", "-n", "--keep-going"]

# The minimal Debian packages for the PDF: LuaLaTeX with the LaTeX packages Sphinx's template
# loads, latexmk to run it, GNU FreeFont (Sphinx's default Unicode fonts), WenQuanYi Micro Hei
# for Hangul and Han, and poppler's tools, with which the tests read the PDF.
TEX_PACKAGES = [
    "latexmk",
    "texlive-luatex",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "fonts-freefont-otf",
    "fonts-wqy-microhei",
    "poppler-utils",
]
TEX_COMMANDS = ["lualatex", "latexmk", "pdftotext", "pdffonts"]
APT_INSTALL = ["apt-get", "install", "-y", "--no-install-recommends", *TEX_PACKAGES]


def sphinx_command(builder: str, srcdir: Path = ROOT, outdir: Path | None = None,
                   confdir: Path | None = None, extra: list[str] | None = None) -> list[str]:
    """The sphinx-build command line for one builder. Each builder keeps its own doctrees:
    a shared doctree cache can hide an error that only one builder raises."""
    outdir = outdir or BUILD / builder
    cmd = ["sphinx-build", "-b", builder, *SPHINX_FLAGS,
           "-d", str(outdir.parent / "doctrees" / builder), "-w", str(outdir.parent / f"{builder}-warnings.txt")]
    if confdir:
        cmd += ["-c", str(confdir)]
    return [*cmd, *(extra or []), str(srcdir), str(outdir)]


def source_date_epoch() -> str:
    """The edition's release date (CITATION.cff's date-released) as seconds since 1970, UTC."""
    import re
    from datetime import UTC, datetime

    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    found = re.search(r"^date-released:\s*[\"']?(\d{4})-(\d{2})-(\d{2})", cff, re.M)
    day = datetime(*map(int, found.groups()), tzinfo=UTC) if found else datetime.now(UTC)
    return str(int(day.timestamp()))


def latexmk_command(latexdir: Path) -> list[str]:
    """Run the LaTeX that Sphinx wrote through latexmk, with Sphinx's latexmkrc (lualatex).
    Two jobs at once: the book and the chapter PDFs' title pages (_ext/chapter_pdfs.py).
    The PDF's dates are the edition's release date (SOURCE_DATE_EPOCH, which make passes to
    LuaTeX): the same sources give the same PDF, and the PDF/A metadata that pdfx writes no
    longer changes at every run, which made latexmk run LuaLaTeX a third time. For the same
    reason latexmk ignores the physical page count that LaTeX records in the .aux file: the
    contents pages, roman-numbered, grow from the first run to the second and shift it, but no
    page number that the text prints. ($$ is make's $.)"""
    keep_runs = "-e '$$hash_calc_ignore_pattern{q/aux/}=q/^.gdef .@abspage@last/'"
    return ["make", "-C", str(latexdir), "-j2", "all-pdf",
            f"LATEXMKOPTS=-silent -interaction=nonstopmode -halt-on-error {keep_runs}",
            f"SOURCE_DATE_EPOCH={source_date_epoch()}", "FORCE_SOURCE_DATE=1"]


def chapter_pdfs_command(python: str, latexdir: Path, outdir: Path) -> list[str]:
    """Cut each chapter's own PDF from the book PDF into outdir, the website's folder
    (_ext/chapter_pdfs.py; needs pypdf, so it runs in the build's virtual environment)."""
    return [python, str(ROOT / "_ext" / "chapter_pdfs.py"), str(latexdir), str(outdir)]


def overfull_boxes(log: Path, tolerance: float = 1.0) -> list[str]:
    """The final LaTeX run's overfull boxes wider (or taller) than `tolerance` points: text
    or a table that runs into the margin or the running foot. (latexmk leaves the last run's
    log, so these are the final run's.)"""
    import re

    text = log.read_text(encoding="utf-8", errors="replace")
    found = []
    for match in re.finditer(r"^Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)\).*$", text, re.M):
        if float(match.group(1)) > tolerance:
            found.append(match.group(0))
    return found


def missing_tex() -> list[str]:
    """The PDF tools that are not on PATH, or the fonts fontconfig cannot find."""
    missing = [c for c in TEX_COMMANDS if shutil.which(c) is None]
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
        missing += [f for f in ("FreeSerif", "WenQuanYi Micro Hei") if f not in fonts]
    return missing


def apt_install_or_explain(what: str, missing, packages: list[str]) -> str | None:
    """Install `packages` with apt-get when running as root; otherwise return the exact command
    a user must run. `missing()` lists what is absent; None means everything is there."""
    absent = missing()
    if not absent:
        return None
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return (f"{what} need {', '.join(absent)}. On Debian or Ubuntu run:\n"
                "  sudo apt-get update && sudo " + " ".join(command))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*command, "-qq"], check=True, env=env)
    still = missing()
    return f"Installed {' '.join(packages)}, but these are still missing: {still}" if still else None


def install_tex_or_explain() -> str | None:
    """The TeX packages for the PDF (see apt_install_or_explain)."""
    return apt_install_or_explain("The PDF and its tests", missing_tex, TEX_PACKAGES)


def missing_glyphs(log: Path) -> list[str]:
    """LaTeX only logs a missing glyph; it does not fail. Return those log lines."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if "Missing character" in line]


# -- EPUB --------------------------------------------------------------------------------------

def epub_path(outdir: Path | None = None) -> Path:
    return (outdir or BUILD / "epub") / f"{PDF_NAME}.epub"


# -- The browser tests -------------------------------------------------------------------------
# Debian's Chromium, driven by the playwright Python package (which must never download a
# browser of its own: nothing here runs `playwright install`); epubcheck for the EPUB; a Java
# runtime for epubcheck and the Nu HTML validator; Node and npm for axe-core, Lighthouse and the
# validator, pinned in tests/package-lock.json.
CHROMIUM = "/usr/bin/chromium"
EPUBCHECK_JAR = "/usr/share/java/epubcheck.jar"  # Debian's /usr/bin/epubcheck needs binfmt
NODE_DIR = ROOT / "tests"  # package.json, package-lock.json and node_modules/
BROWSER_PACKAGES = ["chromium", "epubcheck", "default-jre-headless", "nodejs", "npm"]
# Chromium without these tries Google's hosts at start (updates, sync, field trials).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing_browser_tools() -> list[str]:
    missing = [] if Path(CHROMIUM).is_file() else [CHROMIUM]
    missing += [] if Path(EPUBCHECK_JAR).is_file() else [EPUBCHECK_JAR]
    missing += [c for c in ("java", "node", "npm") if shutil.which(c) is None]
    return missing


def install_browser_tools_or_explain() -> str | None:
    """Chromium, epubcheck, Java and npm (npm only where the machine has no Node of its own:
    Debian's nodejs would replace it); see apt_install_or_explain."""
    packages = [p for p in BROWSER_PACKAGES
                if p not in ("nodejs", "npm") or shutil.which("npm") is None]
    return apt_install_or_explain("The browser tests", missing_browser_tools, packages)


def npm_ci_command() -> list[str] | None:
    """`npm ci` for tests/package-lock.json, or None when node_modules already matches it.
    --ignore-scripts: vnu-jar's install script would download a Java runtime; Debian's is used."""
    installed = NODE_DIR / "node_modules" / ".package-lock.json"  # npm writes it on install
    lock = NODE_DIR / "package-lock.json"
    if installed.is_file() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return None
    return ["npm", "ci", "--prefix", str(NODE_DIR), "--ignore-scripts", "--no-audit", "--no-fund"]


def node_tool(*parts: str) -> Path:
    """A file of an npm package in tests/node_modules (axe-core/axe.min.js, .bin/lighthouse)."""
    return NODE_DIR / "node_modules" / Path(*parts)


if __name__ == "__main__":
    # `python3 _ext/handbook_build.py apt-packages` prints the Debian packages, for CI files
    # that install them with sudo (GitHub's runners) rather than as root; `browser-packages`
    # those of the browser tests (Debian names: Ubuntu ships Chromium as a snap), without Node
    # and npm, which CI images bring and Debian's would replace.
    import sys

    if sys.argv[1:] == ["apt-packages"]:
        print(" ".join(TEX_PACKAGES))
    elif sys.argv[1:] == ["browser-packages"]:
        print(" ".join(p for p in BROWSER_PACKAGES if p not in ("nodejs", "npm")))
    else:
        sys.exit("usage: handbook_build.py apt-packages | browser-packages")
