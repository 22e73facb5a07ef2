"""How the handbook is built: flags, output folders and the PDF toolchain, in one place.

Not a Sphinx extension. noxfile.py (which runs outside the build's virtual environment) and
tests/conftest.py both import it, so a contributor's build and the tests' build are the same
build. It uses the standard library only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
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
    # biber and biblatex: references.bib's data-model check (tools/bibermodel.py, nox -s lint)
    # and the tests that compile the handbook's BibTeX with biblatex
    "biber",
    "texlive-bibtex-extra",
    "fonts-freefont-otf",
    "fonts-wqy-microhei",
    "poppler-utils",
    # the Korean and Chinese PDFs of the brief (_latex/handbook-cjk.sty): Nanum Myeongjo and
    # Gothic (10 MB), AR PL UMing CN (8 MB), each in its language's glyph forms; Noto CJK
    # (57 MB) made each LuaLaTeX run of the brief take 2.6 GB and several times as long
    "fonts-nanum",
    "fonts-arphic-uming",
]
TEX_COMMANDS = ["lualatex", "latexmk", "pdftotext", "pdffonts", "biber"]
APT_INSTALL = ["apt-get", "install", "-y", "--no-install-recommends", *TEX_PACKAGES]


@dataclass(frozen=True)
class Problem:
    """One finding of a checker (biblint.py, prose.py): `file:line: [key: ]message [rule]`."""
    path: Path
    line: int
    rule: str
    message: str
    key: str = ""

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        return f"{shown(self.path)}:{self.line}: {key}{self.message} [{self.rule}]"


def shown(path: Path) -> str:
    """A path as messages show it: relative to the repository when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


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


# The fast test tier's pytest arguments (`nox -s fast`; tests/bench.py times the same): the
# tests that need neither TeX nor a browser, on every core (pytest-xdist), the tests that share
# a build together on one worker (tests/conftest.py, shared_build, gives them one group).
FAST_TIER = ["-m", "not pdf and not browser", "-n", "auto", "--dist", "loadgroup"]


# The Korean and Chinese editions (_ext/translations.py): catalogue language -> the folder of
# the site (_build/html/ko) and of the brief's PDF (forced-repatriation-handbook-brief-ko.pdf).
TRANSLATIONS = {"ko": "ko", "zh_CN": "zh"}


def translation_command(builder: str, language: str, outdir: Path | None = None,
                        workdir: Path | None = None, extra: list[str] | None = None) -> list[str]:
    """The sphinx-build command line for one builder in one translation: `html` into
    _build/html/ko (beside the English site), `latex` (the brief alone) into _build/latex-ko.
    Its doctrees and warnings file go in `workdir` (default _build), never into the site."""
    folder = TRANSLATIONS[language]
    workdir = workdir or BUILD
    outdir = outdir or (BUILD / "html" / folder if builder == "html" else BUILD / f"{builder}-{folder}")
    return ["sphinx-build", "-b", builder, *SPHINX_FLAGS, "-D", f"language={language}",
            "-d", str(workdir / "doctrees" / f"{builder}-{folder}"),
            "-w", str(workdir / f"{builder}-{folder}-warnings.txt"), *(extra or []), str(ROOT), str(outdir)]


def translated_pdf_name(language: str) -> str:
    return f"{PDF_NAME}-brief-{TRANSLATIONS[language]}.pdf"


# The pages that have a catalogue (conf.py's handbook_translated_docs is this list).
TRANSLATED_DOCS = ["index", "chapters/brief", "chapters/07-glossary"]
LOCALES = ROOT / "locales"


def update_catalogues(run, python: str = "python") -> None:
    """After the English changes: new .pot files for the translated pages, merged into each
    language's .po by sphinx-intl (msgmerge's rules: translations kept, changed strings marked
    fuzzy, new ones empty), and the same for the interface strings (babel.cfg ->
    locales/handbook.pot -> locales/<lang>/LC_MESSAGES/handbook.po). `run` runs one command
    (nox's session.run, or subprocess.run with check=True)."""
    pot = BUILD / "gettext"
    shutil.rmtree(pot, ignore_errors=True)  # a page no longer translated must not come back
    run([python, "-m", "sphinx", "-b", "gettext", "-E", "-q", "-d", str(BUILD / "doctrees" / "gettext"),
         str(ROOT), str(pot), *[str(ROOT / f"{doc}.md") for doc in TRANSLATED_DOCS]])
    (pot / "sphinx.pot").unlink(missing_ok=True)  # the theme's strings: Sphinx translates them
    languages = [arg for language in TRANSLATIONS for arg in ("-l", language)]
    run(["sphinx-intl", "update", "-p", str(pot), "-d", str(LOCALES), *languages])
    ui_pot = LOCALES / "handbook.pot"
    run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-location", "--sort-output",
         "--project", "handbook", "-o", str(ui_pot), str(ROOT / "_ext")])
    for language in TRANSLATIONS:
        run(["pybabel", "-q", "update", "--init-missing", "-D", "handbook",
             "-i", str(ui_pot), "-d", str(LOCALES), "-l", language])


# -- Checks that passed stay passed ------------------------------------------------------------
# A build checks its inputs (CITATION.cff against the CFF schema, references.bib with pybtex,
# data/ with frictionless) before it reads a page: about 1.7 s of a rebuild after a one-chapter
# edit, for inputs that rarely change. A check that passed leaves a stamp named by the SHA-256
# of everything it read and of its own code, in _build/checked/ of the source folder; while the
# stamp is there, the build trusts the result (and reuses what the check produced).

def fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(Path(path).name).encode() + b"\0")
        digest.update(Path(path).read_bytes() if Path(path).is_file() else b"(missing)")
    return digest.hexdigest()[:20]


def passed_check(srcdir: Path, check: str, *paths: Path) -> Path:
    """The stamp of `check` over `paths`: exists when that check passed on these very files."""
    return Path(srcdir) / "_build" / "checked" / f"{check}-{fingerprint(*paths)}"


def record_pass(stamp: Path, content: bytes = b"") -> None:
    """Leave the stamp (with what the check produced), removing the check's older stamps."""
    stamp.parent.mkdir(parents=True, exist_ok=True)
    check = stamp.name.rsplit("-", 1)[0]
    for old in stamp.parent.glob(f"{check}-*"):
        old.unlink(missing_ok=True)
    partial = stamp.with_name(f"{stamp.name}.{os.getpid()}")  # builds may run side by side
    partial.write_bytes(content)
    partial.replace(stamp)


def check_command(outdir: Path | None = None) -> list[str]:
    """`nox -s check` and the tests' first step: Sphinx's dummy builder with the strict flags.
    It reads and resolves every page as the real builds do, so every citation, pinpoint,
    label, term, toctree and .bib mistake is reported, and writes nothing: seconds when warm."""
    return sphinx_command("dummy", outdir=outdir or BUILD / "check")


def source_date_epoch(released=None) -> str:
    """The edition's release date as seconds since 1970, UTC: `released` (a date; conf.py
    passes CITATION.cff's, as it has read it), or CITATION.cff's date-released read here
    (for the LaTeX run, outside Sphinx)."""
    import re
    from datetime import UTC, datetime

    if released is not None:
        day = datetime(released.year, released.month, released.day, tzinfo=UTC)
    else:
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
        missing += [f for f in ("FreeSerif", "WenQuanYi Micro Hei", "NanumMyeongjo", "AR PL UMing CN")
                    if f not in fonts]
    return missing


# System packages are installed only when asked: in CI (CI=true, which GitHub Actions and
# .ci/run set) or with HANDBOOK_SYSTEM_PACKAGES=install (README.md's commands for a fresh
# machine). Otherwise a session that lacks them stops with the command to run.
SYSTEM_PACKAGES_ASKED = ("CI", "true"), ("HANDBOOK_SYSTEM_PACKAGES", "install")


def system_packages_asked() -> bool:
    return any(os.environ.get(name, "").lower() == value for name, value in SYSTEM_PACKAGES_ASKED)


def apt_install_or_explain(what: str, missing, packages: list[str]) -> str | None:
    """Install `packages` with apt-get when running as root and asked to (see above); otherwise
    return the exact command a user must run. `missing()` lists what is absent; None means
    everything is there."""
    absent = missing()
    if not absent:
        return None
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if shutil.which("apt-get") is None or os.geteuid() != 0 or not system_packages_asked():
        return (f"{what} need {', '.join(absent)}. On Debian or Ubuntu run:\n"
                "  sudo apt-get update && sudo " + " ".join(command) + "\n"
                "or, as root, set HANDBOOK_SYSTEM_PACKAGES=install to let the session do it.")
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


# -- Requirements by role, hash-locked ---------------------------------------------------------

REQUIREMENTS = ROOT / "requirements"
ROLES = ("build", "test", "lint")


def _name(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def pins(path: Path) -> dict[str, str]:
    """name -> version of a requirements file: its own exact pins and those of the files it
    includes with -r (requirements/*.in), or every package of a lock file (*.txt)."""
    import re

    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif match := re.match(r"^([A-Za-z0-9_.-]+)==([^\s\\;]+)", line):
            found[_name(match.group(1))] = match.group(2)
    return found


def lock_problems() -> list[str]:
    """Each role's lock file (requirements/ROLE.txt) must hold every exact pin of its .in file,
    at the same version: the .in is what the editors choose, the lock what pip installs."""
    problems = []
    for role in ROLES:
        source, lock = REQUIREMENTS / f"{role}.in", REQUIREMENTS / f"{role}.txt"
        if not lock.is_file():
            problems.append(f"{lock.relative_to(ROOT)}: missing")
            continue
        locked = pins(lock)
        for name, version in pins(source).items():
            if locked.get(name) != version:
                problems.append(f"{source.relative_to(ROOT)}: {name}=={version}, but "
                                f"{lock.relative_to(ROOT)} has {locked.get(name, 'nothing')}")
    fix = ("uv pip compile --generate-hashes --python-version 3.11 requirements/ROLE.in "
           "-o requirements/ROLE.txt")
    return [f"{p} \u2014 run: {fix}" for p in problems]


def encoding_problems(paths: list[Path]) -> list[str]:
    """Text files must be UTF-8 without a byte-order mark: `file:line: what` for each that is
    not (pre-commit's hook; the build reports the same for references.bib, _ext/bibcheck.py)."""
    problems = []
    for path in paths:
        if not path.is_file():  # a file deleted in the change being committed
            continue
        raw = path.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            problems.append(f"{path}:1: starts with a byte-order mark; save it as UTF-8 without BOM")
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            problems.append(f"{path}:{line}: byte 0x{raw[err.start]:02x} is not UTF-8; save the "
                            "file as UTF-8")
    return problems


if __name__ == "__main__":
    # `python3 tools/handbook_build.py apt-packages` prints the Debian packages, for CI files
    # that install them with sudo (GitHub's runners) rather than as root; `browser-packages`
    # those of the browser tests (Debian names: Ubuntu ships Chromium as a snap), without Node
    # and npm, which CI images bring and Debian's would replace.
    import sys

    if sys.argv[1:] == ["apt-packages"]:
        print(" ".join(TEX_PACKAGES))
    elif sys.argv[1:] == ["browser-packages"]:
        print(" ".join(p for p in BROWSER_PACKAGES if p not in ("nodejs", "npm")))
    elif sys.argv[1:2] == ["check-encoding"]:  # pre-commit, with the files to check
        found = encoding_problems([Path(a) for a in sys.argv[2:]])
        print("\n".join(found), end="\n" if found else "")
        sys.exit(1 if found else 0)
    elif sys.argv[1:] == ["check-locks"]:  # nox -s lint
        found = lock_problems()
        print("\n".join(found) or f"requirements: the {len(ROLES)} lock files match their .in files")
        sys.exit(1 if found else 0)
    else:
        sys.exit("usage: handbook_build.py apt-packages | browser-packages | check-locks | "
                 "check-encoding FILE...")
