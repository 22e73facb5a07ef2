"""Keep one GitHub issue, "Broken links", in step with the weekly link check.

Reads the output.json that Sphinx's linkcheck builder writes (one JSON object a line) and,
with the gh CLI that GitHub's runners provide (GH_TOKEN and GH_REPO set by the workflow):
opens the issue when links are broken and none is open, updates its body when one is open,
and closes it with a comment when every link works again. Standard library only.

    python3 .github/scripts/linkrot_issue.py _build/linkcheck/output.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TITLE = "Broken links"


def broken(output_json: Path) -> list[dict]:
    rows = [json.loads(line) for line in output_json.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted((r for r in rows if r.get("status") == "broken"),
                  key=lambda r: (r.get("filename", ""), r.get("lineno") or 0))


def code(text: str, limit: int = 200) -> str:
    """Text from elsewhere (a server's error message, an address) as a Markdown code span in a
    table cell: GitHub then renders no link, HTML, image or @mention from it. Backticks and
    line breaks cannot occur inside the span; a pipe must be escaped even there (GFM tables)."""
    text = " ".join(str(text).split()).replace("`", "'")[:limit]
    return "`" + text.replace("|", "\\|") + "`" if text else ""


def body(rows: list[dict], run_url: str = "") -> str:
    lines = [
        f"The weekly link check found {len(rows)} broken link(s). Each source in "
        "`references.bib` should keep an `archiveurl` (an archived copy), so a reader can still "
        "reach it; fix or replace the address, or cite the archived copy.",
        "",
        "| page and line | address | what the check saw |",
        "|---|---|---|",
    ]
    for r in rows:
        where = code(f"{r.get('filename', '?')}:{r.get('lineno', '?')}")
        lines.append(f"| {where} | {code(r.get('uri', ''), 500)} | {code(r.get('info', ''))} |")
    if run_url:
        lines += ["", f"Run: {run_url}"]
    lines += ["", "This issue is updated by `.github/workflows/linkcheck.yml`; it closes itself "
              "when every link works."]
    return "\n".join(lines)


def gh(*args: str) -> str:
    return subprocess.run(["gh", *args], check=True, capture_output=True, text=True).stdout


def open_issue() -> int | None:
    found = json.loads(gh("issue", "list", "--state", "open", "--search", f'in:title "{TITLE}"',
                          "--json", "number,title"))
    numbers = [i["number"] for i in found if i["title"] == TITLE]
    return min(numbers) if numbers else None


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else Path("_build/linkcheck/output.json")
    if not output.is_file():
        print(f"{output}: no link check output; did the linkcheck session run?", file=sys.stderr)
        return 1
    rows, number = broken(output), open_issue()
    if not rows:
        if number is not None:
            gh("issue", "close", str(number), "--comment", "Every link works again.")
        print("no broken links")
        return 0
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as f:
        f.write(body(rows, os.environ.get("RUN_URL", "")))
    if number is None:
        gh("issue", "create", "--title", TITLE, "--body-file", f.name)
    else:
        gh("issue", "edit", str(number), "--body-file", f.name)
    print(f"{len(rows)} broken link(s) reported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
