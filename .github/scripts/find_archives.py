"""Find archived copies for the online sources in references.bib that have none.

For each entry with a `url` and no `archiveurl`, ask the Internet Archive's Wayback Machine
availability API for its closest snapshot and, with --write, add that snapshot's address as
`archiveurl` right after the entry's `url` line. Only snapshots the API reports as available
(HTTP 200) are used; nothing is guessed. It needs the network, so it runs in the weekly link-check
workflow, which publishes the resulting diff for a maintainer to review and commit.

Usage: python3 .github/scripts/find_archives.py [--write] [references.bib]
The API's address can be replaced (ARCHIVE_API) so the tests can use a local server.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

API = os.environ.get("ARCHIVE_API", "https://archive.org/wayback/available")
ENTRY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,(.*?)^\}", re.M | re.S)
URL_LINE = re.compile(r"^(\s*)url\s*=\s*\{([^}]*)\},?[ \t]*$", re.M)


def closest_snapshot(url: str) -> str | None:
    query = f"{API}?{urllib.parse.urlencode({'url': url})}"
    with urllib.request.urlopen(query, timeout=30) as response:  # noqa: S310 (fixed https API)
        data = json.load(response)
    snap = (data.get("archived_snapshots") or {}).get("closest") or {}
    if snap.get("available") and str(snap.get("status")) == "200" and snap.get("url"):
        return snap["url"].replace("http://web.archive.org/", "https://web.archive.org/")
    return None


def add_archives(text: str) -> tuple[str, list[str]]:
    """The .bib text with archiveurl fields added, and one line per entry changed."""
    found = []

    def visit(entry: re.Match) -> str:
        body = entry.group(0)
        url = URL_LINE.search(body)
        if not url or re.search(r"^\s*archiveurl\s*=", body, re.M):
            return body
        snapshot = closest_snapshot(url.group(2))
        if not snapshot:
            return body
        found.append(f"{entry.group(1)}: {snapshot}")
        line = url.group(0).rstrip()
        new = (line if line.endswith(",") else line + ",") + f"\n{url.group(1)}archiveurl = {{{snapshot}}},"
        return body.replace(url.group(0), new, 1)

    return ENTRY.sub(visit, text), found


def main(argv: list[str]) -> int:
    write = "--write" in argv
    paths = [a for a in argv if a != "--write"]
    bib = Path(paths[0] if paths else "references.bib")
    text, found = add_archives(bib.read_text(encoding="utf-8"))
    print("\n".join(found) or "no new archived copies found")
    if write and found:
        bib.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
