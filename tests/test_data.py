"""The numbers as data (data/): validated, drawn, published, and the same in the text.

Fixture books (tests/fixtures/data-good, built with the handbook's conf.py and the real
data/datapackage.json) test the machinery on tiny tables; the handbook's own build (the session
fixtures in conftest.py) tests the real figures in the HTML, the PDF and the EPUB. Expected
numbers are computed here from the CSV files with the csv module, not with the extension's code.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, run_sphinx

DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures"
FIGURES = ["arrivals", "votes", "returns", "map"]


def series(path: Path) -> dict[int, dict]:
    """Arrivals: the first row of each year that has a total (the series the handbook uses)."""
    years: dict[int, dict] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["total"]:
                years.setdefault(int(row["year"]), row)
    return years


def fixture_book(tmp_path: Path, arrivals: Path | None = None) -> Path:
    """A copy of the data fixture book with the handbook's datapackage.json and map data, and
    optionally another arrivals.csv."""
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "data-good", book)
    for name in ("datapackage.json", "border-map.geojson"):
        shutil.copy2(DATA / name, book / "data" / name)
    if arrivals:
        shutil.copy2(arrivals, book / "data" / "arrivals.csv")
    return book


def build_html(book: Path, tmp_path: Path):
    return run_sphinx("html", tmp_path / "out" / "html", srcdir=book, confdir=ROOT)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("data-book")
    book = fixture_book(tmp)
    first = build_html(book, tmp)
    assert first.returncode == 0, first.output[-3000:]
    assert first.warnings == "", first.warnings
    rebuild = run_sphinx("html", tmp / "again" / "html", srcdir=book, confdir=ROOT)
    return book, first, rebuild


# -- Validation --------------------------------------------------------------------------------

def test_frictionless_validates_the_data_package():
    cli = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(cli), "validate", str(DATA / "datapackage.json")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


@pytest.mark.parametrize("case, where, culprit", [
    ("unknown-key", "data/arrivals.csv:5", "nosuchkey2099"),
    ("wrong-type", "data/arrivals.csv:4", "9x50"),
])
def test_bad_data_fails_the_build_naming_file_row_and_culprit(case, where, culprit, tmp_path):
    result = build_html(fixture_book(tmp_path, FIXTURES / "data-bad" / f"{case}.arrivals.csv"), tmp_path)
    assert result.returncode != 0, f"{case}: the build should have failed"
    lines = [line for line in result.output.splitlines() if where in line]
    assert len(lines) == 1 and culprit in lines[0] and "—" in lines[0], result.output[-3000:]
    assert "Traceback" not in result.output, result.output[-3000:]


# -- The fixture book: figures, links, numbers, cache ------------------------------------------

def test_fixture_figures_have_alt_text_caption_data_table_and_csv_link(fixture_site):
    book, build, _ = fixture_site
    page = BeautifulSoup((build.outdir / "page.html").read_text(encoding="utf-8"), "html.parser")
    figures = page.select("figure.handbook-figure")
    assert [f["id"] for f in figures] == [f"figure-{name}" for name in FIGURES]
    for number, figure in enumerate(figures, start=1):
        assert figure.img["alt"].strip(), f"{figure['id']}: no alt text"
        assert (build.outdir / figure.img["src"]).is_file(), figure.img["src"]
        assert figure.img["src"].endswith(".svg")
        assert f"Figure 1.{number}" in figure.figcaption.get_text()
        link = figure.figcaption.find("a", href=re.compile(r"^data/"))
        assert link and (build.outdir / link["href"]).is_file(), f"{figure['id']}: no working data link"
        details = figure.find_next_sibling()
        assert details.name == "details" and details.summary and len(details.select("tbody tr")) > 0


def test_fixture_alt_text_states_the_finding_from_the_data(fixture_site):
    book, build, _ = fixture_site
    years = series(book / "data" / "arrivals.csv")
    peak = max(years, key=lambda y: int(years[y]["total"]))
    page = BeautifulSoup((build.outdir / "page.html").read_text(encoding="utf-8"), "html.parser")
    alt = page.select_one("#figure-arrivals img")["alt"]
    assert f"peaked at {int(years[peak]['total']):,} in {peak}" in alt, alt


def test_fixture_numbers_in_the_text_equal_the_data(fixture_site):
    book, build, _ = fixture_site
    years = series(book / "data" / "arrivals.csv")
    latest = max(years)
    peak = max(years, key=lambda y: int(years[y]["total"]))
    page = BeautifulSoup((build.outdir / "page.html").read_text(encoding="utf-8"), "html.parser")
    text = " ".join(page.select_one("main").get_text(" ").split())
    assert f"{int(years[latest]['total']):,} in {latest}" in text
    assert f"{int(years[peak]['total']):,} in {peak}" in text
    with (book / "data" / "resolutions.csv").open(encoding="utf-8", newline="") as f:
        ga = max((r for r in csv.DictReader(f) if r["body"] == "GA"), key=lambda r: r["date"])
    assert f"{ga['yes']} in favour, {ga['no']} against, {ga['abstain']} abstentions" in text


def test_fixture_votes_table_lists_every_resolution(fixture_site):
    book, build, _ = fixture_site
    page = BeautifulSoup((build.outdir / "page.html").read_text(encoding="utf-8"), "html.parser")
    table = page.select_one("#votes-table")
    with (book / "data" / "resolutions.csv").open(encoding="utf-8", newline="") as f:
        symbols = [r["symbol"] for r in csv.DictReader(f)]
    assert [tr.select("td")[2].get_text(strip=True) for tr in table.select("tbody tr")] == symbols
    assert "Table 1.1" in table.caption.get_text()


def test_figures_are_drawn_once_and_reused(fixture_site):
    _, first, rebuild = fixture_site
    assert first.output.count("drew figure") == len(FIGURES), first.output[-3000:]
    assert rebuild.returncode == 0 and "drew figure" not in rebuild.output, rebuild.output[-3000:]


# -- The handbook's own build ------------------------------------------------------------------

def handbook_figures(pages) -> dict[str, tuple[str, BeautifulSoup]]:
    return {figure["id"]: (name, figure) for name, soup in pages.items()
            for figure in soup.select("figure.handbook-figure")}


def test_every_figure_is_in_the_html_with_alt_text_data_table_and_csv_link(pages, html_dir):
    found = handbook_figures(pages)
    assert {f"figure-{name}" for name in FIGURES} <= set(found), sorted(found)
    for ident, (name, figure) in found.items():
        here = (html_dir / name).parent
        assert figure.img["alt"].strip(), f"{ident}: no alt text"
        assert (here / figure.img["src"]).is_file(), f"{ident}: missing {figure.img['src']}"
        assert re.match(r"Figure \d+\.\d+", figure.figcaption.get_text(strip=True)), ident
        links = [a["href"] for a in figure.figcaption.select("a[href]") if "data/" in a["href"]]
        assert links and all((here / href).resolve().is_file() for href in links), f"{ident}: {links}"
        details = figure.find_next_sibling()
        assert details.name == "details" and details.select("tbody tr"), f"{ident}: no data table"


def test_data_page_links_every_published_file(pages, html_dir):
    page = pages["chapters/data.html"]
    hrefs = {a["href"] for a in page.select("a.handbook-data-file")}
    for name in ["datapackage.json", "arrivals.csv", "resolutions.csv", "returns.csv", "upr.csv", "border-map.geojson"]:
        assert f"../data/{name}" in hrefs, name
        assert (html_dir / "data" / name).read_bytes() == (DATA / name).read_bytes(), name


def test_numbers_in_the_text_equal_the_data(pages):
    years = series(DATA / "arrivals.csv")
    latest = max(years)
    peak = max(years, key=lambda y: int(years[y]["total"]))
    expected = {"arrivals_latest_year": str(latest), "arrivals_latest_total": f"{int(years[latest]['total']):,}",
                "arrivals_peak_year": str(peak), "arrivals_peak_total": f"{int(years[peak]['total']):,}",
                "arrivals_2009": f"{int(years[2009]['total']):,}"}
    items = pages["chapters/data.html"].select_one("#data-in-text")
    text = " ".join(items.get_text(" ").split())
    for name, value in expected.items():
        assert f"{name} ({value}" in text, f"{name}: {value} not shown"


def test_every_figure_is_in_the_pdf_with_its_caption(latex_build, pdf_text, pdf_path):
    source = "\n".join(p.read_text(encoding="utf-8") for p in latex_build.outdir.glob("*.tex"))
    flat = " ".join(pdf_text.split())
    for name in FIGURES:
        assert re.search(rf"\\sphinxincludegraphics\{{\{{{name}-[0-9a-f]+\}}\.pdf\}}", source), f"{name}: not in the LaTeX"
    assert len(re.findall(r"Figure \d+\.\d+: ", flat)) >= len(FIGURES), "figure captions missing from the PDF"
    forms = sum(1 for page in PdfReader(pdf_path).pages
                for obj in (page.get("/Resources") or {}).get("/XObject", {}).values()
                if obj.get_object().get("/Subtype") == "/Form")
    assert forms >= len(FIGURES), f"only {forms} embedded graphics in the PDF"


def test_every_figure_is_in_the_epub(epub_path):
    with zipfile.ZipFile(epub_path) as book:
        names = book.namelist()
        pages = [BeautifulSoup(book.read(n), "html.parser") for n in names if n.endswith(".xhtml")]
    images = [img for page in pages for img in page.select("figure.handbook-figure img")]
    for name in FIGURES:
        found = [img for img in images if re.search(rf"{name}-[0-9a-f]+\.svg$", img["src"])]
        assert found and found[0]["alt"].strip(), f"{name}: not in the EPUB"
        assert any(n.endswith(found[0]["src"].split("/")[-1]) for n in names), f"{name}: image file missing"
