"""Build and page benchmark: prints timings, sizes and scores; asserts nothing (`nox -s bench`).

Figures: a cold HTML build against a bare Sphinx + MyST build of the same sources (goal 1.3 or
less), an incremental rebuild after touching one chapter against the cold build (goal 0.2 or
less), each beside a yardstick: the bare build with the handbook's theme, which shows what
Sphinx and the theme cost before any of the handbook's extensions (measured here, the theme
alone took 1.2 to 1.3 times the bare build, and its rebuild 0.4 of its cold build); the five
functions a profile of the cold build spends most time in, the PDF
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
sys.path[:0] = [str(ROOT / "_ext"), str(ROOT / "tools")]  # a script: the extensions and the build helpers
import handbook_build as hb  # noqa: E402


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{' '.join(cmd[:3])} failed; fix the build first:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return time.perf_counter() - start


def sphinx(builder: str, src: Path, out: Path) -> list[str]:
    cmd = hb.sphinx_command(builder, srcdir=src, outdir=out)
    cmd[0] = str(Path(sys.executable).with_name("sphinx-build"))
    return cmd


# A bare build: Sphinx and MyST with the MyST syntax the sources use, Sphinx's default theme, no
# citations, none of the handbook's extensions, not strict (its roles are unknown there).
BARE_CONF = """
extensions = ["myst_parser"]
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
exclude_patterns = ["_build", ".*", "**/.*", "tests", "README.md", "CONTRIBUTING.md",
                    "CHANGELOG.md", "LICENSE*", "locales", "editions"]
suppress_warnings = ["myst", "ref", "toc"]
"""


# The same with the handbook's theme: what Sphinx and the theme cost before any extension of
# the handbook's (a yardstick for the two goals, which Sphinx and the theme alone come close to)
THEMED_CONF = BARE_CONF + 'html_theme = "sphinx_book_theme"\n'


def bare(src: Path, out: Path, confdir: Path, conf: str = BARE_CONF) -> list[str]:
    confdir.mkdir(parents=True, exist_ok=True)
    (confdir / "conf.py").write_text(conf, encoding="utf-8")
    cmd = [str(Path(sys.executable).with_name("sphinx-build")), "-b", "html", "-q",
           "-d", str(out.parent / f"doctrees-{out.name}"), "-c", str(confdir), str(src), str(out)]
    return cmd


def profile_top(src: Path, out: Path, n: int = 5) -> list[tuple[str, float, float]]:
    """The n functions a cold HTML build spends most time in (own time; cProfile)."""
    import pstats

    prof = out.parent / "cold.prof"
    cmd = sphinx("html", src, out)
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "sphinx", *cmd[1:]],
                   check=True, capture_output=True)
    stats = pstats.Stats(str(prof)).stats
    # waiting (for the figure worker, _ext/data_figures.py) is not work: left out
    rows = sorted(((f"{Path(file).name}:{line}({name})", tt, ct)
                   for (file, line, name), (_, _, tt, ct, _) in stats.items()
                   if "_thread.lock" not in name),
                  key=lambda r: r[1], reverse=True)
    return rows[:n]


def pdf_build(src: Path, out: Path) -> None:
    """The PDF from cold, step by step as `nox -s pdf` runs it: wall and CPU seconds (user +
    system, of the step's processes: the machine is shared, CPU time varies less) and the
    PDF's size. Goal: under 30 s in all on a two-core machine."""
    import resource

    latex = out / "latex"
    steps = [("LaTeX sources (Sphinx)", sphinx("latex", src, latex)),
             ("PDF (latexmk, LuaLaTeX, two jobs)", hb.latexmk_command(latex)),
             ("Chapter PDFs (cut with pypdf)", hb.chapter_pdfs_command(sys.executable, latex, out / "html"))]
    print("PDF build from cold (seconds)       wall     CPU")
    total = [0.0, 0.0]
    for name, cmd in steps:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = timed(cmd)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        total = [total[0] + wall, total[1] + cpu]
        print(f"  {name:<33} {wall:6.1f}  {cpu:6.1f}")
    print(f"  {'total (goal: under 30 s)':<33} {total[0]:6.1f}  {total[1]:6.1f}")
    pdf = latex / f"{hb.PDF_NAME}.pdf"
    print(f"  PDF: {kib(pdf.stat().st_size)}\n")


def kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def fast_tier() -> None:
    """The fast test tier's time (no TeX, no browser, every core: `nox -s fast`); a figure, not a test."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *hb.FAST_TIER, str(ROOT / "tests")],
                          capture_output=True, text=True, cwd=ROOT)
    summary = (proc.stdout.strip().splitlines() or ["?"])[-1].strip("= ")
    print(f"\nFast test tier (no TeX, no browser; target under 60 s): "
          f"{time.perf_counter() - start:.0f} s ({summary})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--source", type=Path, default=ROOT, help="the sources (default: this tree)")
    parser.add_argument("--fast-tier", action="store_true",
                        help="time the fast test tier (nox -s fast) and stop")
    parser.add_argument("--html-only", action="store_true",
                        help="the HTML timings, ratios and profile only (no TeX, no browser)")
    args = parser.parse_args()
    if args.fast_tier:
        return fast_tier()
    with tempfile.TemporaryDirectory() as tmp:
        # work on a copy, so touching a chapter leaves the real tree alone
        src = Path(tmp) / "src"
        shutil.copytree(args.source, src, ignore=shutil.ignore_patterns("_build", ".nox", ".git", ".*cache*", "node_modules"))
        out = Path(tmp) / "out"
        rows = []
        cold, bare_cold, themed_cold = [], [], []
        figures = src / "_build" / "figures"  # the drawings from data/, cached (_ext/data_figures.py)
        for _ in range(args.repeat):  # the builds alternate, so a busy machine slows them all
            shutil.rmtree(out, ignore_errors=True)
            # a cold build draws the figures and runs every input check (_build/figures,
            # _build/checked: the source folder's caches) too
            shutil.rmtree(src / "_build", ignore_errors=True)
            cold.append(timed(sphinx("html", src, out / "html")))
            bare_cold.append(timed(bare(src, out / "bare", out / "bare-conf")))
            themed_cold.append(timed(bare(src, out / "themed", out / "themed-conf", THEMED_CONF)))
        rows.append(("HTML, cold build", min(cold)))
        rows.append(("HTML, bare Sphinx + MyST build of the same sources", min(bare_cold)))
        rows.append(("HTML, the same bare build with the handbook's theme", min(themed_cold)))
        drawn = {p: p.stat().st_mtime_ns for p in figures.glob("*")}
        def best_rebuild(cmd: list[str]) -> float:
            """The best of --repeat rebuilds after touching one chapter."""
            times = []
            for _ in range(args.repeat):
                (src / "chapters" / "03-china-position.md").touch()
                times.append(timed(cmd))
            return min(times)

        rebuild = best_rebuild(sphinx("html", src, out / "html"))
        rows.append(("HTML, rebuild after touching one chapter", rebuild))
        themed_rebuild = best_rebuild(bare(src, out / "themed", out / "themed-conf", THEMED_CONF))
        rows.append(("HTML, the themed bare build's rebuild", themed_rebuild))
        ratios = [("cold build / bare build (goal 1.3 or less)", min(cold) / min(bare_cold)),
                  ("  yardstick: themed bare build / bare build", min(themed_cold) / min(bare_cold)),
                  ("  cold build / themed bare build (the extensions' cost)", min(cold) / min(themed_cold)),
                  ("rebuild / cold build (goal 0.2 or less)", rebuild / min(cold)),
                  ("  yardstick: themed bare rebuild / its cold build", themed_rebuild / min(themed_cold)),
                  ("  rebuild / themed bare rebuild (the extensions' cost)", rebuild / themed_rebuild)]
        redrawn = [p for p in figures.glob("*") if drawn.get(p) != p.stat().st_mtime_ns]
        if not args.html_only:
            pdf_build(src, out)
        width = max(len(r[0]) for r in [*rows, *ratios])
        print("Build timings (seconds)")
        for name, seconds in rows:
            print(f"  {name:<{width}}  {seconds:7.1f}")
        print(f"  Figures: {len(drawn)} files drawn in the cold build, {len(redrawn)} redrawn in the rebuild")
        print("\nRatios (one run, same machine)")
        for name, ratio in ratios:
            print(f"  {name:<{width}}  {ratio:7.2f}")
        print("\nCold HTML build: the five functions with the most own time (cProfile)")
        shutil.rmtree(out / "profiled", ignore_errors=True)
        shutil.rmtree(src / "_build", ignore_errors=True)
        for where, own, cumulative in profile_top(src, out / "profiled" / "html"):
            print(f"  {where:<60} {own:6.2f} s own, {cumulative:6.2f} s with callees")
        if args.html_only:
            return

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
