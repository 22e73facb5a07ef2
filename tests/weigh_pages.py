"""What a first-time reader downloads per page, against the same pages with the theme's defaults.

`nox -s bench` calls `report()`; `python tests/weigh_pages.py` runs it alone. It builds a second
copy of the site with the theme's defaults (no template overrides from _templates/, none of the
handbook's page-weight cuts: _ext/page_weight.py, _static/icons.css), serves both on 127.0.0.1,
loads each page cold in Debian's Chromium and adds up every response, served gzip-compressed as
static hosts serve it and served raw. It prints the figures; it asserts nothing (the budget is
checked by tests/test_browser.py).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from chromium import chromium, hb, transferred_bytes  # noqa: E402
from site_server import serve  # noqa: E402

PAGES = ["index.html", "chapters/02-legal-basis.html", "chapters/09-sources.html", "search.html"]

# conf.py, then the theme's defaults put back. The confdir is a temporary folder, so the
# templates_path ("_templates") finds nothing there: the theme's own templates are used.
DEFAULT_CONF = """
import runpy
globals().update({{k: v for k, v in runpy.run_path({conf!r}).items() if not k.startswith("__")}})
extensions = [e for e in extensions if e != "page_weight"]
html_css_files = [f for f in html_css_files if f != "icons.css"]
html_static_path = [{static!r}]
html_favicon = {favicon!r}
templates_path = []
html_theme_options = {{k: v for k, v in html_theme_options.items() if k != "article_header_end"}}
"""


def build_default(outdir: Path) -> Path:
    confdir = outdir.parent / "default-conf"
    confdir.mkdir(parents=True, exist_ok=True)
    (confdir / "conf.py").write_text(DEFAULT_CONF.format(
        conf=str(ROOT / "conf.py"), static=str(ROOT / "_static"), favicon=str(ROOT / "_static" / "favicon.svg")))
    cmd = hb.sphinx_command("html", outdir=outdir, confdir=confdir)
    cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
    cmd.remove("-W")  # a reference build: the theme's defaults may warn where ours do not
    subprocess.run(cmd, check=True, capture_output=True)
    return outdir


def measure(site: Path, gzip: bool) -> dict[str, tuple[int, int]]:
    with serve(site, gzip=gzip) as (base, _), chromium() as browser:
        return {page: transferred_bytes(browser, base + page) for page in PAGES}


def report(html: Path, default_html: Path) -> None:
    print("\nPage weight: bytes transferred on a first visit (Chromium, empty cache)")
    print(f"  {'page':32} {'served':10} {'handbook':>18} {'theme defaults':>20} {'ratio':>6}")
    for gzip in (True, False):
        ours, theirs = measure(html, gzip), measure(default_html, gzip)
        for page in PAGES:
            (b, n), (db, dn) = ours[page], theirs[page]
            print(f"  {page:32} {'gzip' if gzip else 'raw':10} {b:>10,} in {n:>2} req {db:>12,} in {dn:>2} req "
                  f"{b / db:>6.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "html"
        cmd = hb.sphinx_command("html", outdir=html)
        cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
        subprocess.run(cmd, check=True, capture_output=True)
        report(html, build_default(Path(tmp) / "default" / "html"))


if __name__ == "__main__":
    main()
