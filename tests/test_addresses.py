"""Stable addresses: every published page address still leads to a page.

tests/published-pages.txt lists the addresses; a page that moves gets a redirect (conf.py's
`redirects`, written by sphinx-reredirects). Chapters and sections carry explicit labels, so
their anchors do not change when a heading is reworded (tests/test_build.py checks chapters).
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ROOT, hb

PUBLISHED = ROOT / "tests" / "published-pages.txt"
TOOL_PAGES = {"genindex.html", "search.html"}


def published() -> list[str]:
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def redirect_target(page: Path) -> str | None:
    """Where a redirect stub sends the reader (its meta refresh), or None for a real page."""
    refresh = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
        'meta[http-equiv="refresh"]')
    if refresh is None:
        return None
    return refresh["content"].split("url=", 1)[1].strip()


def address_problems(html_dir: Path, addresses: list[str]) -> list[str]:
    problems = []
    for address in addresses:
        page = html_dir / address
        if not page.is_file():
            problems.append(f"{PUBLISHED.name}: {address} is gone; add a redirect for it to conf.py's "
                            f"`redirects` (old page name -> new page)")
            continue
        target = redirect_target(page)
        if target is not None:
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(address), target.split("#")[0]))
            if not (html_dir / resolved).is_file() or redirect_target(html_dir / resolved) is not None:
                problems.append(f"{PUBLISHED.name}: {address} redirects to {target}, which is not a page")
    return problems


def whole_site(translated_sites) -> Path:
    """The published site: the English pages with /ko/ and /zh/ beside them."""
    return next(iter(translated_sites.values())).parent


def test_published_addresses_still_work(translated_sites):
    site = whole_site(translated_sites)
    problems = address_problems(site, published())
    assert not problems, "\n".join(problems)


def test_published_pages_are_recorded_when_an_edition_is_cut(translated_sites):
    """A new page needs no list entry while it is written; `nox -s snapshots`, run when an
    edition is cut (CONTRIBUTING.md), adds every page of the site (the translations' too) to
    the list, so that it too is kept once published. The list only grows."""
    html_dir = whole_site(translated_sites)
    listed = published()
    pages = sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                   if not any(part.startswith("_") for part in p.relative_to(html_dir).parts)
                   and p.relative_to(html_dir).parts[0] != "editions" and redirect_target(p) is None
                   and p.name not in TOOL_PAGES)
    new = [page for page in pages if page not in listed]
    if os.environ.get("UPDATE_SNAPSHOTS") and new:
        with PUBLISHED.open("a", encoding="utf-8") as out:
            out.writelines(f"{page}\n" for page in new)
        print(f"\nRecorded {len(new)} new published pages in {PUBLISHED.relative_to(ROOT)}: {', '.join(new)}")
    assert len(set(listed)) == len(listed), f"{PUBLISHED.name}: a page is listed twice"


def test_a_moved_page_needs_a_redirect(tmp_path):
    """On the fixture book: a page renamed with a redirect passes; without one it fails."""
    import subprocess

    out = tmp_path / "html"
    cmd = hb.sphinx_command("html", srcdir=ROOT / "tests" / "fixtures" / "good", outdir=out,
                            confdir=ROOT, extra=["-D", "redirects.old-name=page.html"])
    cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert redirect_target(out / "old-name.html") == "page.html"
    assert address_problems(out, ["index.html", "page.html", "old-name.html"]) == []
    (out / "old-name.html").unlink()  # as if the page had moved without a redirect
    (out / "page.html").rename(out / "moved.html")
    assert address_problems(out, ["index.html", "page.html", "old-name.html"]) == [
        f"{PUBLISHED.name}: page.html is gone; add a redirect for it to conf.py's `redirects` "
        "(old page name -> new page)",
        f"{PUBLISHED.name}: old-name.html is gone; add a redirect for it to conf.py's `redirects` "
        "(old page name -> new page)",
    ]
    (out / "old-name.html").write_text('<meta http-equiv="refresh" content="0; url=nowhere.html">')
    assert address_problems(out, ["old-name.html"]) == [
        f"{PUBLISHED.name}: old-name.html redirects to nowhere.html, which is not a page"]
