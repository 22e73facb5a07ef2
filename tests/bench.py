"""Build and page benchmark: prints timings, sizes and scores; asserts nothing (`nox -s bench`).

Figures: a cold HTML build, an incremental rebuild after touching one chapter, the PDF
(Sphinx's LaTeX writer, then latexmk with LuaLaTeX, then the chapter PDFs cut from it), the
size of what readers download (per page, against the theme's defaults) and Lighthouse's performance score.
Each timing is the best of --repeat runs (default 1; the cold build dominates the total).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import handbook_build as hb  # noqa: E402


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def sphinx(builder: str, src: Path, out: Path) -> list[str]:
    cmd = hb.sphinx_command(builder, srcdir=src, outdir=out)
    cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
    return cmd


def kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # work on a copy, so touching a chapter leaves the real tree alone
        src = Path(tmp) / "src"
        shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("_build", ".nox", ".git", ".*cache*"))
        out = Path(tmp) / "out"
        rows = []
        cold = []
        figures = src / "_build" / "figures"  # the drawings from data/, cached (_ext/data_figures.py)
        for _ in range(args.repeat):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(figures, ignore_errors=True)  # a cold build draws the figures too
            cold.append(timed(sphinx("html", src, out / "html")))
        rows.append(("HTML, cold build", min(cold)))
        drawn = {p: p.stat().st_mtime_ns for p in figures.glob("*")}
        rebuild = []
        for _ in range(args.repeat):
            (src / "chapters" / "03-china-position.md").touch()
            rebuild.append(timed(sphinx("html", src, out / "html")))
        rows.append(("HTML, rebuild after touching one chapter", min(rebuild)))
        redrawn = [p for p in figures.glob("*") if drawn.get(p) != p.stat().st_mtime_ns]
        rows.append(("LaTeX sources (Sphinx)", timed(sphinx("latex", src, out / "latex"))))
        rows.append(("PDF (latexmk, LuaLaTeX)", timed(hb.latexmk_command(out / "latex"))))
        rows.append(("Chapter PDFs (cut with pypdf)",
                     timed(hb.chapter_pdfs_command(sys.executable, out / "latex", out / "html"))))
        width = max(len(r[0]) for r in rows)
        print("Build timings (seconds)")
        for name, seconds in rows:
            print(f"  {name:<{width}}  {seconds:7.1f}")
        print(f"  Figures: {len(drawn)} files drawn in the cold build, {len(redrawn)} redrawn in the rebuild")

        html = out / "html"
        pdf = out / "latex" / f"{hb.PDF_NAME}.pdf"
        pages = sorted(html.rglob("*.html"))
        print("\nSizes")
        print(f"  HTML site, all files        {kib(sum(p.stat().st_size for p in html.rglob('*') if p.is_file()))}")
        print(f"  HTML pages ({len(pages)})             {kib(sum(p.stat().st_size for p in pages))}")
        print(f"  PDF                         {kib(pdf.stat().st_size)}")
        pdfinfo = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        page_count = next((line.split()[-1] for line in pdfinfo.splitlines() if line.startswith("Pages:")), "?")
        print(f"  PDF pages                   {page_count}")
        chapter_pdfs = sorted((out / "html").rglob("*.pdf"))
        print(f"  Chapter PDFs ({len(chapter_pdfs)})            "
              f"{kib(sum(p.stat().st_size for p in chapter_pdfs))}")
        print("\nLargest HTML pages")
        for page in sorted(pages, key=lambda p: p.stat().st_size, reverse=True)[:5]:
            print(f"  {str(page.relative_to(html)):40} {kib(page.stat().st_size)}")

        # what readers download per page, against the theme's defaults (in Chromium)
        import weigh_pages

        weigh_pages.report(html, weigh_pages.build_default(out / "default" / "html"))

        # Lighthouse's performance score (mobile, gzip-served): a timing, so measured here
        from test_lighthouse import performance_scores

        print("\nLighthouse performance (mobile profile; three runs, median)")
        for page, runs in performance_scores(html).items():
            print(f"  {page:40} {statistics.median(runs):.2f}  (runs: {', '.join(f'{r:.2f}' for r in runs)})")


if __name__ == "__main__":
    main()
