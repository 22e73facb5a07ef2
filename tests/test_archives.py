"""The archived-copy finder adds only snapshots the Wayback API reports, proven offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ROOT
from site_server import running

SCRIPT = ROOT / ".github" / "scripts" / "find_archives.py"
SNAPSHOT = "http://web.archive.org/web/20140219000000/https://example.org/kept"

BIB = """@misc{kept2014,
  title = {{Kept}},
  year = {2014},
  url = {https://example.org/kept},
  urldate = {2026-11-28}
}

@misc{lost2014,
  title = {{Lost}},
  year = {2014},
  url = {https://example.org/lost}
}

@misc{done2014,
  title = {{Done}},
  year = {2014},
  url = {https://example.org/kept},
  archiveurl = {https://web.archive.org/web/2015/https://example.org/kept}
}
"""


class FakeWayback(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        url = parse_qs(urlsplit(self.path).query)["url"][0]
        closest = {"available": True, "status": "200", "url": SNAPSHOT} if url.endswith("/kept") else None
        body = json.dumps({"url": url, "archived_snapshots": {"closest": closest} if closest else {}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    with running(FakeWayback) as base:
        yield f"{base}wayback/available"


def test_find_archives_adds_only_reported_snapshots(tmp_path, api):
    bib = tmp_path / "references.bib"
    bib.write_text(BIB)
    result = subprocess.run([sys.executable, str(SCRIPT), "--write", str(bib)], capture_output=True,
                            text=True, env={**os.environ, "ARCHIVE_API": api})
    assert result.returncode == 0, result.stderr
    text = bib.read_text()
    https_snapshot = SNAPSHOT.replace("http://", "https://")
    assert f"  url = {{https://example.org/kept}},\n  archiveurl = {{{https_snapshot}}}," in text
    assert text.count("archiveurl") == 2, "an entry without a snapshot, or one already archived, changed"
    assert result.stdout.strip() == f"kept2014: {https_snapshot}"
