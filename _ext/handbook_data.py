"""The handbook's numbers (data/): checked before the build reads a page, and put into the text.

data/datapackage.json describes the CSV tables as a Frictionless Data Package. At the start of
every build this extension

* validates the package with frictionless (every cell has its column's type and allowed
  values) and checks that every row's ``source`` is a key of references.bib. A problem stops
  the build with one line each, ``data/FILE.csv:ROW: culprit — what to do`` (ROW as a
  spreadsheet counts it: the header is row 1);
* fills MyST substitutions from the tables, so that a number in the text is the number in the
  data (below);
* publishes data/ with the HTML site (``data/arrivals.csv``) and gives the role
  ``{data-file}`arrivals.csv```: a link to a published file, relative on the website and
  absolute in the PDF and EPUB, which do not carry the files.

Other extensions read the typed rows with ``tables(app)``. A book without data/datapackage.json
(the test fixtures) has no tables and no substitutions.

Substitutions (write ``{{ name }}``; numbers come with thousands separators, dates as
"9 October 2023"). A value that no source gives has no substitution, so using it fails the build.

* Arrivals (the first row of each year, the series): ``arrivals_first_year``,
  ``arrivals_latest_year``, ``arrivals_latest_total``, ``arrivals_latest_women``,
  ``arrivals_latest_women_share`` (per cent of that year's arrivals), ``arrivals_peak_year``,
  ``arrivals_peak_total``, ``arrivals_low_year``, ``arrivals_low_total`` (the lowest year after
  the peak),
  and for each year ``arrivals_YEAR`` and ``arrivals_women_YEAR`` (``arrivals_2009``).
* Resolutions (the first row of each symbol), by symbol in lower case with ``_`` for every
  other character (A/RES/69/188 is ``a_res_69_188``): ``SYMBOL_date``, ``SYMBOL_adopted``, ``SYMBOL_yes``, ``SYMBOL_no``,
  ``SYMBOL_abstain``, ``SYMBOL_votes`` ("116 in favour, 20 against, 53 abstentions" or
  "without a vote") and ``SYMBOL_china`` (China's vote). The latest of each body (``chr``,
  ``hrc``, ``ga``, ``sc``; the latest with a date): ``BODY_latest_symbol`` (empty where not
  found) and ``BODY_latest_`` + each of the above (``ga_latest_votes``), and ``BODY_count``,
  the number of resolutions (or votes) of that body.
* Returns (the rows with a date): ``returns_reports`` (how many), ``returns_first_year``,
  ``returns_latest_date`` (its period in words) and ``returns_latest_number`` (the report with
  the latest start),
  ``returns_most_reported_day`` (the day that most reports name), with
  ``returns_most_reported_day_reports`` (how many) and ``returns_most_reported_day_numbers``
  (their numbers, "more than 500; about 600; ..."). Numbers are in the reports' own words.
* UPR: ``upr_recommendations`` (rows) and ``upr_latest_year``.
"""

from __future__ import annotations

import calendar
import json
import pickle
import re
import shutil
from datetime import date
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

import handbook_build as hb
from bibcheck import ENTRY_START

logger = logging.getLogger(__name__)
LINK_CLASS = "handbook-data-file"
# North Korea closed its border with China in January 2020 (the COVID-19 pandemic); the
# arrivals figure and its text mark it, as data/arrivals.csv's row for 2020 notes.
BORDER_CLOSED = 2020

# What to write instead of a cell that does not fit its column, by field type
TYPE_HINTS = {
    "integer": "a whole number without separators (2914), or an empty cell where no source gives one",
    "date": "an ISO date, YYYY-MM-DD (2023-10-09)",
    "string": "text",
}
_TABLES: dict[str, dict[str, list[dict]]] = {}


# The helpers below take the Sphinx application or the build environment ("app"): both carry
# the srcdir and the config they read, and directives have the environment only.

def data_dir(app) -> Path:
    return Path(app.srcdir, app.config.handbook_data_dir)


def tables(app) -> dict[str, list[dict]]:
    """The tables by resource name: typed rows (int, date, str or None), each with ``_row``."""
    return _TABLES.get(str(app.srcdir), {})


def bib_keys(app) -> set[str]:
    keys: set[str] = set()
    for name in app.config.bibtex_bibfiles or []:
        text = Path(app.srcdir, name).read_text(encoding="utf-8-sig")
        keys |= {m.group(2).casefold() for m in ENTRY_START.finditer(text)}
    return keys


def explain(error, schema) -> tuple[str, str]:
    """A frictionless error as (culprit, what to do)."""
    field = schema.get_field(error.field_name) if getattr(error, "field_name", None) else None
    if error.type == "type-error":
        return (f"'{error.cell}' in column {field.name} is not {field.type}",
                f"write {TYPE_HINTS.get(field.type, field.type)}")
    if error.type == "constraint-error":
        rule = re.search(r'constraint "(\w+)"', error.note).group(1)
        if rule == "required":
            return f"column {field.name} is empty", f"fill in {field.name}: every row needs one"
        limits = field.constraints
        todo = {"enum": "use one of: " + ", ".join(limits.get("enum", [])),
                "pattern": "write an ISO date: YYYY-MM-DD, or YYYY-MM or YYYY where only that is reported",
                "minimum": f"write a number of at least {limits.get('minimum')}",
                "maximum": f"write a number of at most {limits.get('maximum')}"}.get(rule, error.note)
        return f"'{error.cell}' in column {field.name} breaks the rule '{rule}'", todo
    header = ",".join(schema.field_names)
    if "label" in error.type:
        return error.message, f"make the header row exactly: {header}"
    if error.type in ("scheme-error", "source-error", "encoding-error"):
        return (f"cannot be read ({error.note})",
                f"save it as UTF-8 CSV with the header row {header}, or remove it from datapackage.json")
    return error.message, "compare the line with the schema in datapackage.json"


def check_and_load(app, config) -> None:
    folder = data_dir(app)
    package_file = folder / "datapackage.json"
    if not package_file.is_file():
        return
    # data/ as checked and read by an earlier build, while nothing it read has changed
    stamp = hb.passed_check(app.srcdir, "data", *sorted(folder.iterdir()), Path(__file__),
                            *(Path(app.srcdir, name) for name in app.config.bibtex_bibfiles or []))
    if stamp.is_file():
        loaded = pickle.loads(stamp.read_bytes())
    else:
        loaded = validated(app, folder, package_file)
        hb.record_pass(stamp, pickle.dumps(loaded))
    _TABLES[str(app.srcdir)] = loaded
    config.myst_substitutions = {**config.myst_substitutions, **substitutions(loaded)}


def validated(app, folder: Path, package_file: Path) -> dict[str, list[dict]]:
    """data/ checked against datapackage.json (frictionless) and read, typed; or the build
    stops with each defect at its file and row."""
    from frictionless import FrictionlessException, Package  # only for a book that has data

    try:
        package = Package(str(package_file))
    except FrictionlessException as err:
        logger.error(f"{folder.name}/datapackage.json: cannot be read ({err.error.note}) — fix the JSON")
        raise SystemExit(2) from None
    report = package.validate()

    def where(resource, row=None) -> str:
        return f"{folder.name}/{resource.path}" + (f":{row}" if row else "")

    problems = [(f"{folder.name}/datapackage.json", f"{e.message} — fix the package description")
                for e in report.errors]
    for task in report.tasks:
        resource = package.get_resource(task.name)
        for error in task.errors:
            culprit, todo = explain(error, resource.schema) if resource.schema else (error.message, "")
            problems.append((where(resource, getattr(error, "row_number", None)), f"{culprit} — {todo}"))
    loaded: dict[str, list[dict]] = {}
    keys = bib_keys(app)
    for resource in package.resources:
        if problems or resource.type != "table":
            continue
        rows = loaded[resource.name] = []
        for row in resource.read_rows():
            rows.append({**row.to_dict(), "_row": row.row_number})
            for key in re.split(r"[;,\s]+", row["source"] or ""):
                if key and key.casefold() not in keys:
                    problems.append((where(resource, row.row_number),
                                     f"source '{key}' is not a key in references.bib — add the "
                                     "source to references.bib or correct the key"))
    for location, text in problems:
        # Sphinx reads a location without a line as a page name: name the file in the text
        if ":" in location:
            logger.error(text, location=location)
        else:
            logger.error(f"{location}: {text}")
    if problems:
        # as _ext/bibcheck.py: the contributor's mistake, not a crash, so no traceback
        raise SystemExit(2)
    return loaded


# -- Substitutions ---------------------------------------------------------------------------

def number(value) -> str:
    return f"{value:,}"


def day(value) -> str:
    """9 October 2023 from a date or an ISO date string; April 2024 from 2024-04; 2024 from 2024."""
    text = str(value)
    if len(text) == 4:
        return text
    d = date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    return f"{d.day} {d:%B %Y}" if len(text) == 10 else f"{d:%B %Y}"


def slug(symbol: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", symbol.lower()).strip("_")


def first_of(rows: list[dict], key) -> dict:
    """The first row for each key(row): where sources differ, the first row is the one the
    figures and the text use, and later rows record the other sources' figures."""
    first: dict = {}
    for row in rows:
        first.setdefault(key(row), row)
    return first


def series(rows: list[dict]) -> dict[int, dict]:
    """Arrivals: the first row of each year that has a total, by year."""
    return dict(sorted(first_of([r for r in rows if r["total"] is not None], lambda r: r["year"]).items()))


def resolutions(rows: list[dict]) -> list[dict]:
    """Resolutions: the first row of each, known by its symbol, else by its body and session."""
    return list(first_of(rows, lambda r: r["symbol"] or (r["body"], r["session"], r["date"])).values())


def votes_text(row: dict) -> str | None:
    if row["adopted"] == "without vote":
        return "without a vote"
    if row["adopted"] is None or None in (row["yes"], row["no"], row["abstain"]):
        return None
    abstentions = "abstention" if row["abstain"] == 1 else "abstentions"
    return f"{number(row['yes'])} in favour, {number(row['no'])} against, {number(row['abstain'])} {abstentions}"


def resolution_values(row: dict) -> dict[str, str]:
    """A resolution's values as text, without those that no source gives."""
    values = {"date": row["date"] and day(row["date"]), "adopted": row["adopted"], "votes": votes_text(row),
              "china": row["china_vote"],
              **{k: number(row[k]) for k in ("yes", "no", "abstain") if row[k] is not None}}
    return {k: v for k, v in values.items() if v}


def period(start: str | None, end: str | None) -> str:
    """A report's period in words: 9 October 2023; September 2025 (a whole month); 2024 (a whole
    year); 1 July 2016 to 30 June 2017; from 1 January 2020; up to 16 August 2023."""
    if not (start and end):
        return f"from {day(start)}" if start else f"up to {day(end)}"
    if end == start:
        return day(start)
    if len(start) == len(end) == 10 and start.endswith("-01-01") and end == f"{start[:4]}-12-31":
        return start[:4]
    if len(start) == len(end) == 10 and start.endswith("-01") and end[:7] == start[:7]:
        if int(end[8:]) == calendar.monthrange(int(start[:4]), int(start[5:7]))[1]:
            return day(start[:7])
    return f"{day(start)} to {day(end)}"


def dated_returns(rows: list[dict]) -> list[dict]:
    """The reports of returns that give a date (a start or an end), earliest first."""
    return sorted((r for r in rows if r["start"] or r["end"]), key=lambda r: r["start"] or r["end"])


def count_text(row: dict) -> str | None:
    """A reported number in the report's own words, else as a number."""
    return row["number_text"] or (number(row["number"]) if row["number"] is not None else None)


def substitutions(data: dict[str, list[dict]]) -> dict[str, str]:
    subs: dict[str, str] = {}
    years = series(data.get("arrivals", []))
    if years:
        latest, peak = max(years), max(years, key=lambda y: years[y]["total"])
        low = min((y for y in years if y > peak), key=lambda y: years[y]["total"], default=peak)
        subs |= {"arrivals_first_year": str(min(years)), "arrivals_latest_year": str(latest),
                 "arrivals_latest_total": number(years[latest]["total"]),
                 "arrivals_peak_year": str(peak), "arrivals_peak_total": number(years[peak]["total"]),
                 "arrivals_low_year": str(low), "arrivals_low_total": number(years[low]["total"])}
        for year, row in years.items():
            subs[f"arrivals_{year}"] = number(row["total"])
            if row["women"] is not None:
                subs[f"arrivals_women_{year}"] = number(row["women"])
        if years[latest]["women"] is not None:
            subs["arrivals_latest_women"] = number(years[latest]["women"])
            subs["arrivals_latest_women_share"] = str(round(100 * years[latest]["women"] / years[latest]["total"]))
    latest: dict[str, dict] = {}
    for row in resolutions(data.get("resolutions", [])):
        body = row["body"].lower()
        if row["symbol"]:
            subs |= {f"{slug(row['symbol'])}_{k}": v for k, v in resolution_values(row).items()}
        subs[f"{body}_count"] = str(int(subs.get(f"{body}_count", "0")) + 1)
        if row["date"] and (body not in latest or row["date"] > latest[body]["date"]):
            latest[body] = row
    for body, row in latest.items():
        subs |= {f"{body}_latest_{k}": v for k, v in resolution_values(row).items()}
        subs[f"{body}_latest_symbol"] = row["symbol"]
    returns = dated_returns(data.get("returns", []))
    if returns:
        latest = max(returns, key=lambda r: r["start"] or "")
        subs |= {"returns_reports": str(len(returns)),
                 "returns_first_year": (returns[0]["start"] or returns[0]["end"])[:4],
                 "returns_latest_date": period(latest["start"], latest["end"])}
        if count_text(latest):
            subs["returns_latest_number"] = count_text(latest)
        one_day = [r for r in returns if r["start"] and len(r["start"]) == 10 and r["end"] in (None, r["start"])]
        if one_day:
            busiest = max(one_day, key=lambda r: sum(o["start"] == r["start"] for o in one_day))["start"]
            reports = [r for r in one_day if r["start"] == busiest]
            subs |= {"returns_most_reported_day": day(busiest),
                     "returns_most_reported_day_reports": str(len(reports)),
                     "returns_most_reported_day_numbers": "; ".join(count_text(r) or "no number" for r in reports)}
    upr = data.get("upr", [])
    if upr:
        subs["upr_recommendations"] = str(len(upr))
        recorded = [r["year"] for r in upr if r["year"]]
        if recorded:
            subs["upr_latest_year"] = str(max(recorded))
    return subs


# -- Publishing and linking ------------------------------------------------------------------

def published(app) -> list[Path]:
    """The files published with the site: the package description and its resources."""
    folder = data_dir(app)
    if not (folder / "datapackage.json").is_file():
        return []
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return [folder / "datapackage.json", *(folder / r["path"] for r in package["resources"])]


def on_site(app) -> bool:
    return app.builder.format == "html" and app.builder.name != "epub"


def data_file_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{data-file}`arrivals.csv`: a link to data/arrivals.csv as published with the site."""
    env = inliner.document.settings.env
    if not (data_dir(env) / text).is_file():
        msg = inliner.reporter.error(f"data file not found: {text} (in {env.config.handbook_data_dir}/)", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [data_link(env, text, nodes.literal(text, text))], []


def data_link(env, filename: str, child: nodes.Node) -> nodes.reference:
    """A link from the current page to a published data file (see absolute_data_links)."""
    depth = env.docname.count("/")
    path = f"{env.config.handbook_data_dir}/{filename}"
    ref = nodes.reference("", "", child, refuri="../" * depth + path, classes=[LINK_CLASS])
    ref["handbook_data_path"] = path
    return ref


def absolute_data_links(app, doctree, docname) -> None:
    """The PDF and the EPUB carry no data folder: their links go to the website."""
    if on_site(app):
        return
    for ref in doctree.findall(nodes.reference):
        if LINK_CLASS in ref["classes"]:
            ref["refuri"] = app.config.html_baseurl.rstrip("/") + "/" + ref["handbook_data_path"]


def publish(app, exception) -> None:
    if exception or not on_site(app):
        return
    target = Path(app.outdir, app.config.handbook_data_dir)
    target.mkdir(parents=True, exist_ok=True)
    for path in published(app):
        shutil.copy2(path, target / path.name)


def setup(app):
    app.add_config_value("handbook_data_dir", "data", "env", types=[str])
    app.add_role("data-file", data_file_role)
    # after _ext/bibcheck.py (the .bib must be readable); before MyST reads the substitutions
    app.connect("config-inited", check_and_load, priority=600)
    app.connect("doctree-resolved", absolute_data_links)
    app.connect("build-finished", publish)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
