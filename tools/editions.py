"""Every edition of the handbook at a stable address: ``editions/<version>/``.

A diplomat who cited "edition 0.1.0, para. 3.14" must still find that paragraph, as it was,
after 0.2.0 is out. So each edition's site, PDF and EPUB is built from its git tag
(``v0.1.0``) into ``_build/html/editions/0.1.0/``, beside the current edition, which stays at the
root. An earlier edition's pages carry a banner that names the current edition, links the same
page in it and the paragraph correspondence table (chapters/correspondence.md), and, for a
paragraph address such as ``#para-3-14``, names the paragraph that carries it on now (from the
committed maps ``editions/<old>-to-<new>.csv``, chained across editions). The current edition
is copied to ``editions/<version>/`` as well when its tag is the commit being built, so that its
own stable address exists from the day it is published. ``editions/index.html`` lists them all.

Run it after the current edition is built (``nox -s build``, or CI's release workflow)::

    python tools/editions.py                  # all tags v*, HTML, PDF and EPUB
    python tools/editions.py --formats html   # HTML only (a quick look)
    python tools/editions.py --record-paragraphs   # when cutting an edition: its paragraphs' text

Each tag is built in a clean copy of its own tree (``git archive``) with its own conf.py and
extensions, and with the current Python environment: 0.1.0's requirements are a subset of the
current pins and it builds with them without a warning. Should an old tag one day no longer
build with the current pins, install its own requirements.txt into a separate environment and
run this script with that environment's Python (``--python``).

The banner is added to the built HTML afterwards, not by the old tree's conf.py: a tag never
changes, and 0.1.0's extensions know nothing of later editions. Only ``html_baseurl`` is set
from the command line (``-D``), so that an old page's canonical link and citation metadata give
the edition's own address instead of the current edition's.

Why not sphinx-multiversion or sphinx-polyversion (both read before writing this):
sphinx-multiversion 0.2.4 (2020, unmaintained) builds every tag with the *current* conf.py
(``sphinx-build -c <current confdir>``), which is wrong for a tag whose extensions and chapter
order differ, and it builds HTML only. sphinx-polyversion 3.0.0 (pre-alpha) passes version data
to each build through its own ``load(globals())`` call in conf.py, which an old tag does not
have; it puts every version, the current one too, under ``<out>/<tag>/``; and a failed build
is only logged (``DefaultDriver.build_failed``), so a release could silently lack an edition.
What it would do for us is the ``git archive`` and a subprocess per tag, which is the few lines
below. The banner, the PDF and the paragraph links would be ours either way.
"""

from __future__ import annotations

import argparse
import csv
import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
from handbook_build import SPHINX_FLAGS  # noqa: E402  (beside this script; the same strict flags as every build)

TAG = re.compile(r"^v(\d+(?:\.\d+)*)$")
PARA_ID = re.compile(r'\bid="(para-([a-z0-9]+)-(\d+))"', re.I)
BODY = re.compile(r"<body\b[^>]*>", re.I)
BANNER_CLASS = "edition-banner"


class EditionError(Exception):
    """One line for the user: what failed and what to do."""


def key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        raise EditionError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def tagged_versions(repo: Path) -> dict[str, str]:
    """{version: tag} for every tag v<digits>[.<digits>...]."""
    found = {}
    for tag in git(repo, "tag", "--list", "v*").split():
        match = TAG.match(tag)
        if match:
            found[match.group(1)] = tag
    return dict(sorted(found.items(), key=lambda item: key(item[0])))


def cff_value(text: str, name: str) -> str:
    found = re.search(rf"^{name}:\s*[\"']?([^\"'\n]+)", text, re.M)
    return found.group(1).strip() if found else ""


# -- Building one edition from its tag -----------------------------------------------------------

def sphinx(python: str, builder: str, src: Path, out: Path, doctrees: Path, extra: list[str]) -> None:
    cmd = [python, "-m", "sphinx", "-b", builder, *SPHINX_FLAGS, "-q", "-d", str(doctrees),
           *extra, str(src), str(out)]
    if subprocess.run(cmd, cwd=src).returncode:
        raise EditionError(f"{src.name}: sphinx-build -b {builder} failed (messages above)")


def own_build_module(src: Path):
    """The tag's own handbook_build.py (stdlib only), for its LaTeX command and PDF name: in
    tools/ from 0.3.0 on, in _ext/ before."""
    path = next((p for p in (src / "tools" / "handbook_build.py", src / "_ext" / "handbook_build.py")
                 if p.is_file()), None)
    if path is None:
        return None
    spec = importlib.util.spec_from_file_location(f"handbook_build_{src.name.replace('.', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_tag(repo: Path, tag: str, version: str, dest: Path, formats: set[str], base_url: str,
              python: str) -> dict:
    """Build one tag's site (and PDF, EPUB) into dest. Returns its CITATION.cff facts."""
    with tempfile.TemporaryDirectory(prefix=f"edition-{version}-") as tmp:
        work = Path(tmp)
        src = work / version
        src.mkdir()
        archive = work / "src.tar"
        git(repo, "archive", "--format=tar", "-o", str(archive), tag)
        with tarfile.open(archive) as tar:
            tar.extractall(src, filter="data")
        cff = (src / "CITATION.cff").read_text(encoding="utf-8") if (src / "CITATION.cff").is_file() else ""
        out = work / "out"
        site = out / "html"
        site.mkdir(parents=True)
        extra = ["-D", f"html_baseurl={base_url}editions/{version}/"] if base_url else []
        own = own_build_module(src)
        if "pdf" in formats:
            latex = out / "latex"
            sphinx(python, "latex", src, latex, out / "doctrees-latex", [])
            make = (own.latexmk_command(latex) if own and hasattr(own, "latexmk_command")
                    else ["make", "-C", str(latex), "all-pdf"])
            if subprocess.run(make, cwd=src).returncode:
                raise EditionError(f"{tag}: the PDF did not build (LaTeX log in {latex})")
            for pdf in latex.glob("*.pdf"):
                if own is None or pdf.stem == getattr(own, "PDF_NAME", pdf.stem):
                    shutil.copy2(pdf, site / pdf.name)
            cutter = src / "_ext" / "chapter_pdfs.py"  # each chapter's own PDF, from 0.2.0 on
            if cutter.is_file() and subprocess.run([python, str(cutter), str(latex), str(site)]).returncode:
                raise EditionError(f"{tag}: the chapter PDFs could not be cut")
        if "epub" in formats:
            epub = out / "epub"
            sphinx(python, "epub", src, epub, out / "doctrees-epub", [])
            for book in epub.glob("*.epub"):
                shutil.copy2(book, site / book.name)
        # last, as `nox -s build` does: the pages show the PDF's and the EPUB's sizes
        sphinx(python, "html", src, site, out / "doctrees-html", extra)
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(site, dest)
    return {"version": version, "released": cff_value(cff, "date-released")}


def copy_current(site: Path, dest: Path) -> None:
    """The current edition, already built at the root, at its own stable address too."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(site, dest, ignore=lambda folder, names: ["editions"] if Path(folder) == site else [])


# -- Where each paragraph went -------------------------------------------------------------------

def read_map(path: Path) -> dict[str, str]:
    """old number -> new number ('' when removed)."""
    with path.open(encoding="utf-8", newline="") as f:
        return {row["old"]: row["new"] for row in csv.DictReader(f)}


def successors(maps_dir: Path, versions: list[str], old: str, current: str) -> dict[str, str] | None:
    """Each numbered paragraph of `old` -> its number in `current` ('' when removed), following
    the maps from one edition to the next; None when a map on the way is missing."""
    chain = [v for v in versions if key(old) <= key(v) <= key(current)]
    result: dict[str, str] | None = None
    for a, b in zip(chain, chain[1:], strict=False):
        path = maps_dir / f"{a}-to-{b}.csv"
        if not path.is_file():
            return None
        step = read_map(path)
        result = step if result is None else {k: (step.get(v, "") if v else "") for k, v in result.items()}
    return result


def number_of(anchor_part: str, count: str) -> str:
    return f"{anchor_part.upper() if anchor_part.isalpha() else anchor_part}.{count}"


def anchor_of(number: str) -> str:
    prefix, _, count = number.partition(".")
    return f"para-{prefix.lower()}-{count}"


def current_anchors(site: Path) -> tuple[dict[str, str], str | None]:
    """{para anchor: page} in the current site, and the correspondence table's page."""
    anchors, table = {}, None
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site)
        if rel.parts[0] == "editions":
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in PARA_ID.finditer(text):
            anchors.setdefault(match.group(1).lower(), rel.as_posix())
        if table is None and "paragraph-correspondence" in text:
            table = rel.as_posix()
    return anchors, table


# -- The banner ----------------------------------------------------------------------------------

STYLE = f"""<style>
/* fixed at the foot of the window: a reader who follows "#para-3-14" lands mid-page and
   must still see which edition this is and where the paragraph went */
.{BANNER_CLASS} {{ background: #fff4ce; color: #1f1f1f; border-top: 2px solid #b7791f;
  padding: .6rem 1rem; font: 1rem/1.45 system-ui, sans-serif; position: fixed; left: 0;
  right: 0; bottom: 0; max-height: 40vh; overflow: auto; z-index: 2000; }}
body {{ padding-bottom: 7rem; }}
.{BANNER_CLASS} p {{ margin: 0; max-width: 60rem; }}
.{BANNER_CLASS} p + p {{ margin-top: .3rem; }}
.{BANNER_CLASS} a {{ color: #0b4f8a; text-decoration: underline; }}
</style>"""

# On a paragraph address (#para-3-14), the banner names the paragraph that carries it on.
SCRIPT = """<script>
(function () {
  var banner = document.querySelector(".edition-banner");
  var map = JSON.parse(banner.getAttribute("data-successors"));
  var line = banner.querySelector(".edition-paragraph");
  function show() {
    var id = decodeURIComponent(location.hash.slice(1)).toLowerCase();
    if (!(id in map)) { line.hidden = true; return; }
    var old = id.replace(/^para-/, "").replace("-", ".").toUpperCase();
    var next = map[id];
    line.textContent = "";
    if (next) {
      line.append("Paragraph " + old + " of this edition is ");
      var a = document.createElement("a");
      a.href = next[1];
      a.textContent = "paragraph " + next[0] + " of edition " + banner.dataset.current;
      line.append(a, ".");
    } else {
      line.append("Paragraph " + old + " of this edition has no successor in edition "
                  + banner.dataset.current + " (see the table).");
    }
    line.hidden = false;
    document.body.style.paddingBottom = banner.offsetHeight + "px";
  }
  window.addEventListener("hashchange", show);
  show();
  document.body.style.paddingBottom = banner.offsetHeight + "px";  // nothing stays hidden
})();
</script>"""


def long_date(iso: str) -> str:
    """2026-11-28 -> 28 November 2026, as the handbook writes dates."""
    from datetime import date

    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def banner_html(rel_page: str, depth: int, old: dict, current: dict, anchors: dict[str, str],
                table: str | None, paragraphs: dict[str, str] | None, page_ids: list[tuple[str, str, str]],
                site: Path) -> str:
    up = "../" * depth  # from the old page to the site's root
    same = rel_page if (site / rel_page).is_file() else "index.html"
    mapping = {}
    for anchor, prefix, count in page_ids:
        if paragraphs is None:
            continue
        new = paragraphs.get(number_of(prefix, count), None)
        if new is None:
            continue
        target = anchors.get(anchor_of(new)) if new else None
        if not new:
            mapping[anchor.lower()] = ""
        else:  # a successor on a page this build does not have would be a defect: show the table
            mapping[anchor.lower()] = [new, f"{up}{target}#{anchor_of(new)}" if target
                                       else f"{up}{table or 'index.html'}"]
    released = f" ({long_date(old['released'])})" if old.get("released") else ""
    links = [f'<a class="edition-current" href="{up}{same}">this page in edition {current["version"]}</a>']
    if table:
        links.append(f'<a class="edition-table" href="{up}{table}">where each paragraph of edition '
                     f'{old["version"]} went</a>')
    return (
        f'<div class="{BANNER_CLASS}" role="note" aria-label="Earlier edition" '
        f'data-edition="{old["version"]}" data-current="{current["version"]}" '
        f"data-successors='{html.escape(json.dumps(mapping), quote=True)}'>"
        f'<p>This is edition {old["version"]}{released} of the handbook, kept unchanged so that '
        f'citations of it lead to the text cited. The current edition is '
        f'<a href="{up}index.html">edition {current["version"]}</a>: '
        + " · ".join(links) + ".</p>"
        '<p class="edition-paragraph" hidden></p></div>' + SCRIPT
    )


def add_banners(edition_dir: Path, site: Path, old: dict, current: dict,
                paragraphs: dict[str, str] | None) -> int:
    """Put the banner at the top of every page of an earlier edition. Returns the page count."""
    anchors, table = current_anchors(site)
    count = 0
    for page in sorted(edition_dir.rglob("*.html")):
        rel = page.relative_to(edition_dir)
        if rel.parts[0] in ("_static", "_sources", "_images"):
            continue
        text = page.read_text(encoding="utf-8")
        if f'class="{BANNER_CLASS}"' in text or not BODY.search(text):
            continue  # already done, or a redirect stub without a body
        ids = [(m.group(1), m.group(2), m.group(3)) for m in PARA_ID.finditer(text)]
        depth = len(rel.parts) - 1 + len(edition_dir.relative_to(site).parts)
        banner = banner_html(rel.as_posix(), depth, old, current, anchors, table, paragraphs, ids, site)
        body = BODY.search(text)
        text = text[:body.end()] + banner + text[body.end():]
        text = text.replace("</head>", STYLE + "</head>", 1)
        page.write_text(text, encoding="utf-8")
        count += 1
    return count


def write_index(site: Path, editions: list[dict], current: str) -> None:
    """editions/index.html: every edition with its site and downloads."""
    rows = []
    for ed in sorted(editions, key=lambda e: key(e["version"]), reverse=True):
        folder = site / "editions" / ed["version"]
        files = sorted(p.name for p in folder.glob("*") if p.suffix in (".pdf", ".epub"))
        downloads = "".join(f' · <a href="{ed["version"]}/{f}">{f.rsplit(".", 1)[1].upper()}</a>' for f in files)
        note = " (current)" if ed["version"] == current else ""
        date = f', {long_date(ed["released"])}' if ed.get("released") else ""
        rows.append(f'<li><a href="{ed["version"]}/index.html">Edition {ed["version"]}</a>'
                    f"{date}{note}{downloads}</li>")
    (site / "editions" / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Editions of the handbook</title></head><body><main><h1>Editions of the handbook</h1>"
        "<p>Each edition stays at its own address, unchanged; the current edition is also at the "
        '<a href="../index.html">site\'s root</a>.</p><ul>' + "".join(rows) + "</ul></main></body></html>\n",
        encoding="utf-8")


# -- The command ---------------------------------------------------------------------------------

def run(repo: Path, site: Path, formats: set[str], python: str) -> list[str]:
    if not (site / "index.html").is_file():
        raise EditionError(f"{site}/index.html: build the current edition first (nox -s build)")
    cff = (repo / "CITATION.cff").read_text(encoding="utf-8")
    current = {"version": cff_value(cff, "version"), "released": cff_value(cff, "date-released")}
    if not current["version"]:
        raise EditionError(f"{repo}/CITATION.cff: no version")
    base_url = cff_value(cff, "url")
    base_url = base_url if not base_url or base_url.endswith("/") else base_url + "/"
    tags = tagged_versions(repo)
    versions = sorted(set(tags) | {current["version"]}, key=key)
    head = git(repo, "rev-parse", "HEAD").strip()
    done, report = [], []
    for version, tag in tags.items():
        dest = site / "editions" / version
        if key(version) > key(current["version"]):
            report.append(f"{tag}: skipped, newer than CITATION.cff's version {current['version']}")
            continue
        if version == current["version"] and git(repo, "rev-parse", f"{tag}^{{commit}}").strip() == head:
            copy_current(site, dest)
            done.append(current)
            report.append(f"{tag}: the current edition, copied to {dest}")
            continue
        facts = build_tag(repo, tag, version, dest, formats, base_url, python)
        done.append(facts)
        if key(version) < key(current["version"]):
            paragraphs = successors(repo / "editions", versions, version, current["version"])
            pages = add_banners(dest, site, facts, current, paragraphs)
            how = "with paragraph successors" if paragraphs is not None else "no paragraph map"
            report.append(f"{tag}: built into {dest}, banner on {pages} pages ({how})")
        else:
            report.append(f"{tag}: built into {dest}")
    if done:
        write_index(site, done, current["version"])
    return report


def record_paragraphs(repo: Path, site: Path) -> Path:
    """editions/<version>-paragraphs.tsv: the text of every numbered paragraph of the edition
    being cut, from its built site, from which the next edition's map is computed."""
    from correspondence import built_paragraphs

    version = cff_value((repo / "CITATION.cff").read_text(encoding="utf-8"), "version")
    if not (site / "index.html").is_file():
        raise EditionError(f"{site}/index.html: build the edition first (nox -s html)")
    target = repo / "editions" / f"{version}-paragraphs.tsv"
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(["number", "text"])
        writer.writerows(built_paragraphs(site))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the git repository (default: this one)")
    parser.add_argument("--site", type=Path, help="the current edition's built site (default: REPO/_build/html)")
    parser.add_argument("--formats", default="html,pdf,epub", help="comma-separated: html, pdf, epub")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs Sphinx for the tags")
    parser.add_argument("--record-paragraphs", action="store_true",
                        help="write editions/VERSION-paragraphs.tsv from the built site (when cutting an edition)")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    site = (args.site or repo / "_build" / "html").resolve()
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    if not formats <= {"html", "pdf", "epub"}:
        parser.error(f"--formats: unknown {', '.join(sorted(formats - {'html', 'pdf', 'epub'}))}")
    try:
        if args.record_paragraphs:
            print(record_paragraphs(repo, site))
            return 0
        for line in run(repo, site, formats, args.python):
            print(line)
    except EditionError as err:
        print(f"editions: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
