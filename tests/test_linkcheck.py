"""The external link check works: proven offline against a server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import shutil
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, run_sphinx
from site_server import serve

FIXTURE = ROOT / "tests" / "fixtures" / "linkcheck"


@pytest.fixture
def local_server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "good.html").write_text('<html><body><h1 id="here">Good</h1></body></html>')
    with serve(site) as (base, _requests):
        yield urlsplit(base).port


def test_linkcheck_reports_broken_links(tmp_path, local_server):
    src = tmp_path / "src"
    shutil.copytree(FIXTURE, src)
    page = src / "index.md"
    page.write_text(page.read_text().replace("PORT", str(local_server)))
    (src / "references.bib").write_text("")
    # LINKCHECK_OFFLINE ignores every host but 127.0.0.1, as in CI without the network
    env = {**os.environ, "LINKCHECK_OFFLINE": "1"}
    build = run_sphinx("linkcheck", tmp_path / "out" / "linkcheck", srcdir=src, confdir=ROOT, env=env)
    results = {r["uri"].rsplit("/", 1)[-1]: r for r in map(json.loads,
               (tmp_path / "out" / "linkcheck" / "output.json").read_text().splitlines())}
    assert results["good.html"]["status"] == "working"
    assert results["missing.html"]["status"] == "broken"
    assert "404" in results["missing.html"]["info"]
    assert results["good.html#no-such-anchor"]["status"] == "broken"
    assert "no-such-anchor" in results["good.html#no-such-anchor"]["info"]
    assert build.returncode != 0, "a broken link must fail the link check"
    # the report names the page (docname) and line of each broken link
    assert re.search(r"index: line\s+4\) broken\s+\S+/missing\.html", build.output), build.output
