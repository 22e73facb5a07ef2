"""Editions stay citable: a tagged earlier edition is built at editions/<version>/, its pages
carry a banner that names the current edition, and a paragraph address resolves there.

The fixture is a git repository made here: a two-page Sphinx book with numbered paragraph
anchors (#para-1-2), tagged v0.1.0 and v0.2.0, and a paragraph map from one to the other, built
with the same tool (tools/editions.py) that publishes the handbook's editions. HTML only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
import editions  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

CONF = '''
import re
from pathlib import Path
from docutils import nodes
cff = (Path(__file__).parent / "CITATION.cff").read_text()
project = "Fixture handbook"
release = version = re.search(r'^version: "(.+)"', cff, re.M).group(1)
extensions = []
exclude_patterns = ["_build", "editions", ".*"]
html_theme = "basic"

def number(app, doctree, docname):  # para-<chapter>-<n>, as the handbook numbers paragraphs
    if docname != "chapter":
        return
    for n, para in enumerate(doctree.findall(nodes.paragraph), 1):
        para["ids"].append(f"para-1-{n}")

def setup(app):
    app.connect("doctree-resolved", number)
'''

CHAPTER_1 = """# Chapter one

First point of the first edition.

Second point, on the border, in the first edition.

Third point, later removed.
"""

CHAPTER_2 = """# Chapter one

A new opening paragraph.

First point of the second edition.

Second point, on the border, rewritten for the second edition.
"""

TABLE = """# Paragraphs of earlier editions

```{list-table}
:class: paragraph-correspondence

* - 0.1.0
  - 0.2.0
```
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Editors", "-c", "user.email=e@example.org",
                    *args], check=True, capture_output=True)


def write_edition(repo: Path, version: str, date: str, chapter: str) -> None:
    (repo / "CITATION.cff").write_text(
        f'cff-version: 1.2.0\ntitle: Fixture\nversion: "{version}"\ndate-released: "{date}"\n'
        'url: "https://example.org/fixture/"\n', encoding="utf-8")
    (repo / "conf.py").write_text(CONF.replace('extensions = []', 'extensions = ["myst_parser"]'),
                                  encoding="utf-8")
    (repo / "index.md").write_text("# Fixture\n\n```{toctree}\nchapter\ncorrespondence\n```\n",
                                   encoding="utf-8")
    (repo / "chapter.md").write_text(chapter, encoding="utf-8")
    (repo / "correspondence.md").write_text(TABLE, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("fixture-repo")
    git(repo, "init", "-q", "-b", "main")
    write_edition(repo, "0.1.0", "2026-01-10", CHAPTER_1)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Edition 0.1.0")
    git(repo, "tag", "-a", "v0.1.0", "-m", "Edition 0.1.0")
    write_edition(repo, "0.2.0", "2026-06-20", CHAPTER_2)
    (repo / "editions").mkdir()
    (repo / "editions" / "0.1.0-to-0.2.0.csv").write_text(
        "old,new,status,note\n1.1,1.2,kept,\n1.2,1.3,revised,\n1.3,,removed,\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Edition 0.2.0")
    git(repo, "tag", "-a", "v0.2.0", "-m", "Edition 0.2.0")
    out = repo / "_build" / "html"  # the current edition at the root, as `nox -s build` makes it
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", str(repo), str(out),
                    "-d", str(repo / "_build" / "doctrees")], check=True)
    assert editions.main(["--repo", str(repo), "--formats", "html"]) == 0
    return out


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_old_paragraph_address_resolves_with_banner(site):
    old = site / "editions" / "0.1.0" / "chapter.html"
    soup = page(old)
    assert soup.find(id="para-1-2") is not None, "editions/0.1.0/chapter.html#para-1-2 does not resolve"
    assert "Second point, on the border, in the first edition." in soup.find(id="para-1-2").get_text()
    banner = soup.select_one("div.edition-banner")
    assert banner is not None, "no banner on the earlier edition's page"
    assert "edition 0.2.0" in banner.get_text() and "edition 0.1.0" in banner.get_text().lower()
    links = {a["href"] for a in banner.select("a")}
    assert "../../chapter.html" in links, "the banner does not link the same page in the current edition"
    assert "../../correspondence.html" in links, "the banner does not link the correspondence table"
    for href in links:
        assert (old.parent / href).resolve().is_file(), f"the banner links {href}, which does not exist"


def test_old_paragraph_leads_to_its_successor(site):
    banner = page(site / "editions" / "0.1.0" / "chapter.html").select_one("div.edition-banner")
    successors = json.loads(banner["data-successors"])
    number, href = successors["para-1-2"]
    assert number == "1.3" and href == "../../chapter.html#para-1-3"
    target = page(site / "chapter.html").find(id="para-1-3")
    assert target is not None and "rewritten for the second edition" in target.get_text()
    assert successors["para-1-3"] == "", "a removed paragraph must say it has no successor"


def test_current_edition_at_root_and_at_its_address_without_banner(site):
    assert page(site / "chapter.html").select_one("div.edition-banner") is None
    copy = site / "editions" / "0.2.0" / "chapter.html"
    assert copy.is_file(), "the current edition is not at editions/0.2.0/"
    assert page(copy).select_one("div.edition-banner") is None
    assert not (site / "editions" / "0.2.0" / "editions").exists()
    listing = page(site / "editions" / "index.html").get_text()
    assert "Edition 0.2.0" in listing and "Edition 0.1.0" in listing


def test_old_edition_gives_its_own_address(site):
    canonical = page(site / "editions" / "0.1.0" / "chapter.html").find("link", rel="canonical")
    assert canonical["href"] == "https://example.org/fixture/editions/0.1.0/chapter.html"


def test_missing_current_build_is_one_line(tmp_path, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "CITATION.cff").write_text('version: "0.1.0"\n', encoding="utf-8")
    assert editions.main(["--repo", str(tmp_path), "--formats", "html"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "build the current edition first" in err
