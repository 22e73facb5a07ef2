"""Figures and tables drawn from data/ at build time.

``{handbook-figure} NAME`` (arrivals, votes, returns, map) places a numbered figure ("Figure
1.1": numfig, by chapter) made of

* the picture: SVG on the website and in the EPUB, PDF in the PDF (Sphinx picks the file
  NAME-HASH.* that suits the builder);
* alt text that states the finding, computed from the data;
* a caption: the directive's content if it has any, else the default below, which names the
  source in plain words (a citation in a caption breaks the LaTeX build), then a link to the
  data file;
* on the website and in the EPUB, the data as a table in a <details> element, which screen
  readers and readers without JavaScript get too; the PDF has the figure alone.

Options: ``:name:`` the label for {numref} (default ``figure-NAME``).

``{votes-table}`` places the table of every row of data/resolutions.csv: each resolution and
procedural vote, its vote and China's position, with its source (``:name:`` default
``votes-table``). ``{data-columns} NAME`` describes one table of datapackage.json for the Data
page: its rows and years, and each column with how many rows leave it empty.

Drawing (_ext/data_charts.py, matplotlib) happens once per build, in a second process while
the pages are read, and only when needed: the files are cached in _build/figures/ under a name
that carries a hash of the figure's data file and of the drawing code, so a build that changes
neither draws nothing.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import handbook_data as hd

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent
CODE = [HERE / "data_charts.py", HERE / "handbook_data.py"]  # what the drawings depend on
CACHE = "_build/figures"  # in the source folder, so that every build of it shares the cache

FIGURES = {  # name: (data file, table read, default caption)
    "arrivals": ("arrivals.csv", "arrivals",
                 "North Koreans arriving in the Republic of Korea, {arrivals_first_year}–"
                 "{arrivals_latest_year}. Per year, and how many of them were women. Source: South Korean "
                 "government figures, mostly the Ministry of Unification's, as cited row by row in "
                 "the data (see {{ref}}`data`); where sources differ, the first figure listed."),
    "votes": ("resolutions.csv", "resolutions",
              "UN votes on human rights in the DPRK, and China's position. The resolutions of "
              "the Commission on Human Rights, the Human Rights Council and the General Assembly, "
              "and the Security Council's procedural votes on the subject. Source: the "
              "resolutions, meeting records and reports cited row by row in the data (see "
              "{{ref}}`data`)."),
    "returns": ("returns.csv", "returns",
                "Forced returns of North Koreans from China, as reported. By how certain each "
                "report is; numbers are as reported; reports overlap and are not added up. Source: the "
                "reports cited row by row in the data (see {{ref}}`data`)."),
    "map": ("border-map.geojson", None,
            "The China-North Korea border region. Boundaries: Natural Earth 4.1.0, 1:10m (public "
            "domain); places: GeoNames (CC BY 4.0). The Yalu and Tumen rivers, which form most of "
            "the border, and the provinces are labelled, not drawn (see {{ref}}`data`)."),
}
CHINA_WORDS = {"yes": "in favour", "no": "against", "abstain": "abstained", "dissociated": "dissociated itself",
               "not a member": "not a member", "did not vote": "did not vote", None: "not known"}
BODY_NAMES = {"CHR": "Commission on Human Rights", "HRC": "Human Rights Council",
              "GA": "General Assembly", "SC": "Security Council"}


def stem(app, name: str) -> Path:
    """The cached drawing's path without suffix: NAME-HASH, HASH over its data and the code."""
    digest = hashlib.sha256()
    for path in [hd.data_dir(app) / FIGURES[name][0], *CODE]:
        digest.update(path.read_bytes())
    return Path(app.srcdir, CACHE, f"{name}-{digest.hexdigest()[:12]}")


def available(app) -> list[str]:
    data = hd.tables(app)
    return [name for name, (file, table, _) in FIGURES.items()
            if (hd.data_dir(app) / file).is_file() and (table is None or data.get(table))]


def formats(app) -> tuple[str, ...]:
    """The drawings this build needs: PDF for LaTeX, SVG for the rest (the website, the EPUB,
    and the checking builders, which need one file to find). Drawing is most of a cold HTML
    build's own cost, so a build draws only its own format."""
    return (".pdf",) if app.builder.format == "latex" else (".svg",)


DRAWING: dict = {}  # the worker ("pool") and the drawings it has yet to deliver ("pending")


def draw_figures(app) -> None:
    """Start drawing each figure whose cached drawing is missing, in a second process.

    Drawing (importing matplotlib, then four figures) was the largest single cost of a cold
    HTML build, about two seconds, and it needs nothing from the pages. So the build forks one
    worker that draws while this process reads the sources; a page that places a figure waits
    for it (HandbookFigure.run, `finish`), and the build waits for all of them before writing.
    Forking (not spawning) keeps the worker's start-up free: it already has the data loaded.
    The pages that place figures are read last (`read_figures_last`)."""
    pending = {}
    for name in available(app):
        target = stem(app, name)
        missing = tuple(s for s in formats(app) if not target.with_suffix(s).is_file())
        if not missing:
            continue
        if "pool" not in DRAWING:
            DRAWING["pool"] = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork"))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}")  # builds may run side by side
        future = DRAWING["pool"].submit(_draw, name, hd.tables(app),
                                        geojson(app) if name == "map" else None, str(partial), missing)
        pending[name] = (future, target, partial, missing)
    DRAWING["pending"] = pending


def read_figures_last(app, env, docnames: list[str]) -> None:
    """Read the pages that place a figure last, so that the worker has drawn it by then
    (Sphinx reads in this list's order; the event exists to let extensions reorder it)."""
    if DRAWING.get("pending"):
        places = {doc for doc in docnames
                  if "{handbook-figure}" in Path(env.doc2path(doc)).read_text(encoding="utf-8")}
        docnames.sort(key=lambda doc: doc in places)  # stable: otherwise Sphinx's order


def stop_drawing(app, exception) -> None:
    """After the build: deliver what is left, or, if the build failed, stop the worker."""
    if exception is None:
        finish()
    elif "pool" in DRAWING:
        DRAWING.pop("pool").shutdown(cancel_futures=True)
        DRAWING["pending"] = {}


def _draw(name, tables, geojson_data, partial, missing) -> None:
    import data_charts  # in the worker: matplotlib takes a second to import

    data_charts.save(name, tables, geojson_data, partial, missing)


def finish(name: str | None = None) -> None:
    """Wait for figure NAME (or all figures) and put the drawing in its place in the cache."""
    pending = DRAWING.get("pending", {})
    for figure in [name] if name else list(pending):
        if figure not in pending:
            continue
        future, target, partial, missing = pending.pop(figure)
        future.result()  # a failed drawing raises here, as it did when drawn in this process
        for suffix in missing:
            os.replace(f"{partial}{suffix}", target.with_suffix(suffix))
        for old in target.parent.glob(f"{figure}-*.*"):
            if old.stem != target.name:
                old.unlink(missing_ok=True)
        logger.info("drew figure %s", target.name)
    if not pending and "pool" in DRAWING:
        DRAWING.pop("pool").shutdown()


def geojson(app) -> dict:
    return json.loads((hd.data_dir(app) / FIGURES["map"][0]).read_text(encoding="utf-8"))


# -- Findings (alt text) and data tables -----------------------------------------------------

def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def alt_arrivals(app) -> str:
    s = hd.substitutions(hd.tables(app))
    text = (f"Bar chart of North Koreans arriving in the Republic of Korea each year from "
            f"{s['arrivals_first_year']} to {s['arrivals_latest_year']}. Arrivals peaked at "
            f"{s['arrivals_peak_total']} in {s['arrivals_peak_year']} and fell to "
            f"{s['arrivals_low_total']} in {s['arrivals_low_year']}")
    if int(s["arrivals_low_year"]) >= hd.BORDER_CLOSED:
        text += f", after North Korea closed its border with China in January {hd.BORDER_CLOSED}"
    text += f"; in {s['arrivals_latest_year']} there were {s['arrivals_latest_total']}"
    if "arrivals_latest_women" in s:
        text += f", of whom {s['arrivals_latest_women']} ({s['arrivals_latest_women_share']} per cent) were women"
    return text + "."


def alt_votes(app) -> str:
    rows = hd.resolutions(hd.tables(app)["resolutions"])
    adopted = [r for r in rows if r["body"] != "SC"]
    years = sorted(r["date"].year for r in rows if r["date"])
    voted = [r for r in adopted if r["adopted"] == "vote"]
    known = [r for r in voted if r["china_vote"] in ("yes", "no", "abstain")]
    against = sum(r["china_vote"] == "no" for r in known)
    text = (f"Bar charts of the votes on {len(adopted)} resolutions of the Commission on Human "
            f"Rights, the Human Rights Council and the General Assembly on human rights in the "
            f"DPRK, {years[0]} to {years[-1]}: {len(voted)} adopted by a recorded vote and "
            f"{sum(r['adopted'] == 'without vote' for r in adopted)} without a vote. Of the "
            f"{plural(len(known), 'recorded vote')} in which China's vote is known, it voted "
            f"against {'all' if against == len(known) else against}")
    dissociated = sum(r["china_vote"] == "dissociated" for r in adopted)
    if dissociated:
        text += f"; it dissociated itself from {dissociated} adopted without a vote"
    council = [r for r in rows if r["body"] == "SC"]
    if council:
        votes = [r for r in council if r["adopted"] == "vote"]
        against = sum(r["china_vote"] == "no" for r in votes)
        text += (f". The Security Council took {plural(len(votes), 'procedural vote')} on the DPRK item; "
                 f"China voted against {'all' if against == len(votes) else against} of them")
    undated = len(rows) - sum(1 for r in rows if r["date"])
    return text + "." + (f" {plural(undated, 'resolution')} without a known date are in the table only." if undated else "")


def alt_returns(app) -> str:
    s = hd.substitutions(hd.tables(app))
    rows = hd.dated_returns(hd.tables(app)["returns"])
    last = max((r["end"] or r["start"])[:4] for r in rows)
    text = (f"Time line of {plural(len(rows), 'report')} of forced returns of North Koreans from China, "
            f"{s['returns_first_year']} to {last}, one line each.")
    if "returns_most_reported_day" in s:
        text += (f" The day most reports name is {s['returns_most_reported_day']}: "
                 f"{s['returns_most_reported_day_reports']} reports, with the numbers "
                 f"{s['returns_most_reported_day_numbers']}.")
    return text


def alt_map(app) -> str:
    places = [f["properties"] for f in geojson(app)["features"] if f["properties"]["kind"] == "place"]
    marked = ", ".join(f"{p['name']} ({'China' if p['country'] == 'CN' else 'North Korea'})" for p in places)
    return ("Map of the border between China and North Korea, which runs from the mouth of the "
            "Yalu River in the south-west to the Tumen River in the north-east, where it meets "
            "Russia. Liaoning province lies along the lower Yalu; Jilin province, with the Yanbian "
            f"Korean Autonomous Prefecture, along the upper Yalu and the Tumen. Marked, from west to east: {marked}.")


def escape(value) -> str:
    """A data value as Markdown text: None is empty; markup characters are escaped."""
    return "" if value is None else re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", str(value))


def count(value) -> str | None:
    return None if value is None else hd.number(value)


def cite(row: dict) -> str:
    keys = [k for k in re.split(r"[;,\s]+", row["source"]) if k]
    pin = f"{{{row['pinpoint']}}}" if row.get("pinpoint") and len(keys) == 1 else ""
    return "{cite:p}`" + ",".join(keys) + pin + "`"


def rows_arrivals(app):
    header = ["Year", "Arrivals", "Women", "Women (per cent)", "Source"]
    body = [[r["year"], count(r["total"]), count(r["women"]),
             round(100 * r["women"] / r["total"]) if r["women"] is not None and r["total"] else None, cite(r)]
            for r in hd.series(hd.tables(app)["arrivals"]).values()]
    return header, body


def vote(row: dict) -> str:
    if row["adopted"] == "without vote":
        return "without a vote"
    numbers = [row["yes"], row["no"], row["abstain"]]
    if row["adopted"] is None or numbers == [None] * 3:
        return "not known"
    return "–".join("?" if n is None else f"{n:,}" for n in numbers)


def rows_votes(app):
    header = ["Date", "Body", "Resolution or record", "Vote", "China", "Paragraph on refoulement",
              "Source"]
    body = [[hd.day(r["date"]) if r["date"] else "not known", BODY_NAMES[r["body"]],
             r["symbol"] or ("not known" if r["session"] is None else f"session {r['session']}; symbol not known"), vote(r),
             CHINA_WORDS[r["china_vote"]], r["refoulement_paragraph"], cite(r)]
            for r in hd.tables(app)["resolutions"]]  # in the file's order: by body, then date
    return header, body


def rows_returns(app):
    header = ["When", "Number reported", "Reported by", "Certainty", "Source"]
    body = [[hd.period(r["start"], r["end"]),
             hd.count_text(r), r["reported_by"], r["certainty"], cite(r)]
            for r in hd.dated_returns(hd.tables(app)["returns"])]
    return header, body


def rows_map(app):
    header = ["Place", "Country", "Latitude", "Longitude", "GeoNames id"]
    body = []
    for f in geojson(app)["features"]:
        p = f["properties"]
        if p["kind"] == "place":
            lon, lat = f["geometry"]["coordinates"]
            body.append([p["name"], "China" if p["country"] == "CN" else "North Korea",
                         f"{lat:.4f}", f"{lon:.4f}", str(p["geonames_id"])])
    return header, body


def list_table(header: list, body: list, title: str = "", name: str = "") -> list[str]:
    """A MyST list-table; cells are escaped, except the generated {cite} roles. A column that
    is empty in every row is left out."""
    kept = [i for i in range(len(header)) if any(row[i] not in (None, "") for row in body)]
    header, body = [header[i] for i in kept], [[row[i] for i in kept] for row in body]
    lines = [f"```{{list-table}} {title}".rstrip(), ":header-rows: 1"]
    lines += [f":name: {name}"] if name else []
    lines.append("")
    for row in [header, *body]:
        cells = [c if isinstance(c, str) and c.startswith("{cite:p}") else escape(c) for c in row]
        lines += [f"* - {cells[0]}", *(f"  - {c}" for c in cells[1:])]
    return [*lines, "```"]


# -- Directives ------------------------------------------------------------------------------

class DataDirective(SphinxDirective):
    option_spec = {"name": directives.unchanged}

    def depend_on(self, filename: str) -> None:
        """Re-read the page when the data or the drawing code changes."""
        for path in [hd.data_dir(self.env) / filename, *CODE]:
            self.env.note_dependency(str(path))

    def parse_markdown(self, lines: list[str]) -> list[nodes.Node]:
        return self.parse_text_to_nodes("\n".join(lines))

    def problem(self, text: str) -> list[nodes.Node]:
        logger.error(text, location=self.get_location())
        return []


class HandbookFigure(DataDirective):
    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        app = self.env  # as good as the application for the helpers (see handbook_data)
        if name not in FIGURES:
            return self.problem(f"unknown figure '{name}': use one of {', '.join(FIGURES)}")
        if name not in available(app):
            return self.problem(f"figure '{name}' has no data: {FIGURES[name][0]} is missing or empty")
        filename = FIGURES[name][0]
        self.depend_on(filename)
        finish(name)  # Sphinx looks for the image file as soon as the page is read
        uri = "/" + stem(app, name).relative_to(app.srcdir).as_posix() + ".*"
        image = nodes.image(uri=uri, alt=globals()[f"alt_{name}"](app))
        text = "\n".join(self.content) or FIGURES[name][2].format(**hd.substitutions(hd.tables(app)))
        paragraph = self.parse_text_to_nodes(text)[0]
        caption = nodes.caption("", "", *paragraph.children, nodes.Text(" Data: "),
                                hd.data_link(self.env, filename, nodes.Text(filename)), nodes.Text("."))
        figure = nodes.figure("", image, caption, classes=["handbook-figure"])
        self.set_source_info(figure)
        self.options.setdefault("name", f"figure-{name}")
        self.add_name(figure)
        header, body = globals()[f"rows_{name}"](app)
        details = addnodes.only(expr="html")
        details += nodes.raw("", f'<details class="handbook-figure-data"><summary>The data of this figure '
                                 f'as a table ({filename})</summary>', format="html")
        details += self.parse_markdown(list_table(header, body))
        details += nodes.raw("", "</details>", format="html")
        return [figure, details]


class VotesTable(DataDirective):
    def run(self) -> list[nodes.Node]:
        rows = hd.tables(self.env).get("resolutions")
        if not rows:
            return self.problem("the votes table has no data: resolutions.csv is missing or empty")
        self.depend_on("resolutions.csv")
        years = sorted(r["date"].year for r in rows if r["date"])
        header, body = rows_votes(self.env)
        title = (f"Resolutions on human rights in the DPRK and the Security Council's procedural "
                 f"votes, {years[0]}–{years[-1]}: the vote (in favour–against–abstaining; ? not known) "
                 f"and China's position")
        return self.parse_markdown(list_table(header, body, title, self.options.get("name", "votes-table")))


TYPE_WORDS = {"integer": "whole number", "date": "date, YYYY-MM-DD", "string": "text"}


class DataColumns(DataDirective):
    """The columns of one table as datapackage.json describes them, with how many rows leave
    each empty, after a line giving the table's rows and years."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        package = json.loads((hd.data_dir(self.env) / "datapackage.json").read_text(encoding="utf-8"))
        resource = next((r for r in package["resources"] if r["name"] == name and "schema" in r), None)
        rows = hd.tables(self.env).get(name, [])
        if resource is None:
            return self.problem(f"no table '{name}' in datapackage.json")
        self.depend_on(resource["path"])
        self.depend_on("datapackage.json")
        body = []
        for field in resource["schema"]["fields"]:
            kind = TYPE_WORDS.get(field["type"], field["type"]) + (f", {field['unit']}" if "unit" in field else "")
            allowed = field.get("constraints", {}).get("enum")
            text = field.get("description", "") + (f" Allowed: {', '.join(allowed)}." if allowed else "")
            body.append([field["name"], kind, text, str(sum(r[field["name"]] in (None, "") for r in rows))])
        years = sorted(str(r[c])[:4] for r in rows for c in ("year", "date", "start", "end") if r.get(c))
        span = f", {years[0]}–{years[-1]}" if years else ""
        summary = [f"{{data-file}}`{resource['path']}`: {len(rows)} rows{span}.", ""]
        return self.parse_markdown(summary + list_table(["Column", "Type", "What it holds", "Empty cells"], body))


def setup(app):
    app.setup_extension("handbook_data")
    app.add_directive("handbook-figure", HandbookFigure)
    app.add_directive("votes-table", VotesTable)
    app.add_directive("data-columns", DataColumns)
    app.connect("builder-inited", draw_figures)
    app.connect("env-before-read-docs", read_figures_last)
    app.connect("env-updated", lambda app, env: finish())
    app.connect("build-finished", stop_drawing)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
