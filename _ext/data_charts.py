"""The handbook's figures, drawn from data/ with matplotlib. No Sphinx here.

Each ``draw_NAME`` takes the typed tables (``handbook_data.tables``; the map also its GeoJSON)
and returns a matplotlib Figure, which _ext/data_figures.py saves as SVG (website, EPUB) and
PDF (LaTeX). The text of this file is part of each figure's cache key: editing it redraws them.

House style: GNU FreeSans (the PDF's sans-serif font), one colour per meaning, direct labels
rather than legends where they fit, no frame, no background, no grid but faint value lines.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import matplotlib
import matplotlib.dates
import matplotlib.lines
import matplotlib.patches
import matplotlib.ticker
from matplotlib.figure import Figure

from handbook_data import BORDER_CLOSED, count_text, dated_returns, resolutions, series

WIDTH = 6.3  # inches: the PDF's text width (A4 with 2.5 cm margins)
INK, MUTED, FAINT = "#1a1a1a", "#6b6b6b", "#d9d9d9"
DARK, LIGHT, ACCENT = "#1f4e79", "#9fc2e0", "#c44e00"  # colour-blind safe: blue, light blue, orange
STYLE = {
    "font.family": "FreeSans", "font.size": 8.5, "text.color": INK, "axes.labelcolor": INK,
    "axes.edgecolor": MUTED, "xtick.color": MUTED, "ytick.color": MUTED,
    "xtick.labelcolor": INK, "ytick.labelcolor": INK,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 9,
    "axes.titleweight": 600, "axes.titlelocation": "left", "legend.frameon": False,
    "svg.fonttype": "path",  # the handbook's font on every reader's screen, not a fallback
    "svg.hashsalt": "handbook",  # the same SVG for the same data: no churn between builds
}


def figure(height: float, rows: int = 1) -> tuple[Figure, list]:
    """A full-width figure with ROWS panels, one above the other, and faint value lines."""
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    for ax in axes:
        ax.yaxis.grid(True, color=FAINT, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(length=0, axis="y")
    return fig, list(axes)


def thousands(ax) -> None:
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))


# -- Arrivals --------------------------------------------------------------------------------

def draw_arrivals(tables: dict) -> Figure:
    years = series(tables["arrivals"])
    fig, (ax,) = figure(3.0)
    x = list(years)
    totals = [r["total"] for r in years.values()]
    with_women = [y for y, r in years.items() if r["women"] is not None]
    ax.bar(x, totals, width=0.75, color=[LIGHT if y in with_women else FAINT for y in x])
    ax.bar(with_women, [years[y]["women"] for y in with_women], width=0.75, color=DARK)
    top = max(totals)
    for year in {max(years, key=lambda y: years[y]["total"]), x[-1], BORDER_CLOSED + 1} & set(x):
        ax.annotate(f"{years[year]['total']:,}", (year, years[year]["total"]), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8)
    if x[0] < BORDER_CLOSED <= x[-1]:
        ax.axvline(BORDER_CLOSED - 0.5, color=ACCENT, linewidth=1, linestyle=(0, (3, 2)))
        ax.text(BORDER_CLOSED - 0.35, top * 0.95, "North Korea closes its\nborder with China\n"
                "(COVID-19), January 2020", color=ACCENT, va="top", fontsize=8)
    handles = [matplotlib.patches.Patch(color=c) for c in (DARK, LIGHT, FAINT)]
    fig.legend(handles, ["Women", "Men", "Arrivals (no figure for women that year)"],
               loc="outside upper left", ncols=3, fontsize=8, handlelength=1)
    ax.set_xlim(x[0] - 0.7, x[-1] + 0.7)
    ax.set_ylim(0, top * 1.08)
    ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(2 if len(x) < 20 else 4))
    ax.tick_params(axis="x", length=0)
    ax.set_ylabel("Arrivals per year")
    thousands(ax)
    return fig


# -- Resolutions and votes -------------------------------------------------------------------

PANELS = [  # (bodies, title)
    (("CHR", "HRC"), "Commission on Human Rights (to 2005), Human Rights Council (from 2006)"),
    (("GA",), "General Assembly"),
    (("SC",), "Security Council: procedural votes on the DPRK item"),
]
CHINA_MARK = {"yes": "Y", "no": "N", "abstain": "A", "not a member": "–", "did not vote": "0",
              "dissociated": "D", None: "?"}
CHINA_KEY = ("China's position, under each bar: N against, A abstained, Y in favour, "
             "D dissociated itself, – not a member, 0 did not vote, ? not known")


def draw_votes(tables: dict) -> Figure:
    rows = [r for r in resolutions(tables["resolutions"]) if r["date"]]  # undated: the table only
    panels = [(title, [r for r in rows if r["body"] in bodies]) for bodies, title in PANELS]
    panels = [p for p in panels if p[1]]
    years = [r["date"].year for r in rows]
    fig, axes = figure(1.75 * len(panels) + 0.5, len(panels))
    for ax, (title, chosen) in zip(axes, panels, strict=True):
        top = max((r["yes"] or 0) + (r["no"] or 0) + (r["abstain"] or 0) for r in chosen) or 1
        for r in chosen:
            x, base = r["date"].year + (r["date"].month - 6.5) / 24, 0
            if r["adopted"] == "without vote":
                ax.plot(x, top * 0.06, marker="o", markersize=5, markerfacecolor="white",
                        markeredgecolor=DARK, linestyle="none")
            for column, colour in (("yes", DARK), ("abstain", FAINT), ("no", ACCENT)):
                if r[column]:
                    ax.bar(x, r[column], bottom=base, width=0.7, color=colour)
                    base += r[column]
            ax.annotate(CHINA_MARK[r["china_vote"]], (x, 0), xytext=(0, -3), textcoords="offset points",
                        ha="center", va="top", fontsize=7.5, fontweight=600)
        ax.set_title(title, fontsize=8.5)
        ax.set_ylim(0, top * 1.05)
        ax.set_xlim(min(years) - 0.8, max(years) + 0.8)
        ax.tick_params(axis="x", length=0, pad=13)
        ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(2))
        ax.set_ylabel("States")
    handles = [matplotlib.patches.Patch(color=c) for c in (DARK, FAINT, ACCENT)]
    handles.append(matplotlib.lines.Line2D([], [], marker="o", markerfacecolor="white",
                                           markeredgecolor=DARK, linestyle="none"))
    fig.legend(handles, ["In favour", "Abstained", "Against", "Adopted without a vote"],
               loc="outside upper center", ncols=4, fontsize=8, handlelength=1)
    fig.supxlabel(CHINA_KEY, fontsize=7.5, color=MUTED)
    fig.get_layout_engine().set(h_pad=0.08)
    return fig


# -- Returns ---------------------------------------------------------------------------------

def when(text: str, end: bool = False) -> date:
    """A day from an ISO date, month (2024-04) or year (2024): the period's first or last day."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 1:
        return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
    if not end:
        return date(parts[0], parts[1], 1)
    following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


CERTAINTY = {"confirmed": DARK, "reported": ACCENT, "estimate": MUTED}


def draw_returns(tables: dict) -> Figure:
    """One line per report, earliest at the top: a dot for a day, a bar for a period, a dotted
    line where the report gives only one end of its period; the number in the report's words."""
    rows = dated_returns(tables["returns"])
    fig, (ax,) = figure(0.9 + 0.21 * len(rows))
    ax.yaxis.grid(False)
    ax.xaxis.grid(True, color=FAINT, linewidth=0.6)
    left = date(when(rows[0]["start"] or rows[0]["end"]).year, 1, 1)
    right = date(max(when(r["end"] or r["start"], end=True) for r in rows).year + 1, 1, 1)
    for y, r in enumerate(rows):
        colour = CERTAINTY.get(r["certainty"], MUTED)
        start = when(r["start"]) if r["start"] else None
        end = when(r["end"], end=True) if r["end"] else None
        first, last = start or end, end or start
        if (last - first).days > 1:
            ax.plot([first, last], [y, y], color=colour, linewidth=3.5, solid_capstyle="butt")
        else:
            ax.plot([first], [y], marker="o", markersize=4.5, color=colour, linestyle="none")
        if not (start and end):
            ax.plot([first, right] if start else [left, last], [y, y], color=colour, linewidth=1, linestyle=":")
        words = count_text(r) or "number not given"
        text = f"{words} ({r['reported_by']})" if r["reported_by"] else words
        room_left = (first - left).days > (right - last).days  # the label goes where there is room
        ax.annotate(text, (first if room_left else last, y), xytext=(-5 if room_left else 5, 0),
                    textcoords="offset points", ha="right" if room_left else "left", va="center", fontsize=7,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3})  # over a dotted line
    ax.set_xlim(left, right)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(matplotlib.dates.YearLocator())
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y"))
    ax.tick_params(axis="x", length=0, labelsize=7.5)
    handles = [matplotlib.lines.Line2D([], [], color=c, linewidth=3.5) for c in CERTAINTY.values()]
    fig.legend(handles, [f"{k.capitalize()}" for k in CERTAINTY], loc="outside upper left", ncols=3,
               fontsize=8, handlelength=1.2, title="How certain the report is:", title_fontsize=8,
               alignment="left")
    return fig


# -- The border map --------------------------------------------------------------------------

MAP_VIEW = (121.6, 38.9, 131.2, 44.0)  # west, south, east, north (degrees)
COUNTRY_FILL = {"China": "#f2efe6", "North Korea": "#e3ebf2"}
# Labels only: neither provinces nor rivers are in the data. Provinces at a point inside them;
# rivers beside the boundary point nearest (longitude, latitude), along its course.
PROVINCES = {"LIAONING": (123.2, 41.6), "JILIN": (126.3, 43.3)}
COUNTRIES = {"CHINA": (124.0, 43.5), "NORTH KOREA": (126.9, 40.0), "RUSSIA": (131.0, 43.7)}
RIVERS = {"Yalu River": (125.6, 40.7), "Tumen River": (128.6, 42.1)}
SIDES = {"nw": ((-4, 3), "right", "bottom"), "se": ((4, -3), "left", "top"),
         "w": ((-5, 0), "right", "center"), "n": ((0, 5), "center", "bottom")}
LABEL_SIDE = {"Tumen": "n", "Yanji": "w", "Changbai": "n"}  # where the usual side is crowded
REGIONS = {"Yanbian Korean\nAutonomous Prefecture": (128.9, 43.35)}


def nearest(lines: list, lon: float, lat: float) -> tuple[list, int]:
    best = min(((line, i) for line in lines for i in range(len(line))),
               key=lambda li: (li[0][li[1]][0] - lon) ** 2 + (li[0][li[1]][1] - lat) ** 2)
    return best


def draw_map(tables: dict, geojson: dict) -> Figure:
    fig = Figure(figsize=(WIDTH, 4.3), layout="constrained")
    ax = fig.add_subplot()
    west, south, east, north = MAP_VIEW
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))  # equirectangular, true at mid-latitude
    ax.set_facecolor("white")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(FAINT)
    features = geojson["features"]
    for f in features:
        props, geometry = f["properties"], f["geometry"]
        if props["kind"] == "country":
            for polygon in geometry["coordinates"]:
                for ring in polygon:
                    ax.fill(*zip(*ring, strict=True), color=COUNTRY_FILL.get(props["name"], "#eeeeee"),
                            linewidth=0)
        elif props["kind"] == "border":
            main = set(props["between"]) == {"China", "North Korea"}
            for line in geometry["coordinates"]:
                ax.plot(*zip(*line, strict=True), color=INK if main else MUTED,
                        linewidth=1.4 if main else 0.6, linestyle="-" if main else (0, (4, 2)))
    border = next(f["geometry"]["coordinates"] for f in features
                  if f["properties"].get("between") == ["China", "North Korea"])
    for name, (lon, lat) in RIVERS.items():
        line, i = nearest(border, lon, lat)
        (x0, y0), (x1, y1) = line[max(i - 6, 0)], line[min(i + 6, len(line) - 1)]
        angle = math.degrees(math.atan2((y1 - y0) * ax.get_aspect(), x1 - x0))
        angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
        ax.annotate(name, line[i], xytext=(0, -7), textcoords="offset points", rotation=angle,
                    rotation_mode="anchor", ha="center", va="top", fontsize=8.5, style="italic", color=DARK)
    for labels, size, style in ((COUNTRIES, 9.5, "normal"), (PROVINCES, 8.5, "normal"), (REGIONS, 7.5, "italic")):
        for name, (lon, lat) in labels.items():
            ax.text(lon, lat, name, ha="center", va="center", fontsize=size, style=style, color=MUTED,
                    fontweight=600 if labels is COUNTRIES else 400)
    for f in features:
        if f["properties"]["kind"] == "place":
            lon, lat = f["geometry"]["coordinates"]
            name = f["properties"]["name"]
            # Chinese places labelled to the north-west of their dot, North Korean to the south-east
            offset, ha, va = SIDES[LABEL_SIDE.get(name, "nw" if f["properties"]["country"] == "CN" else "se")]
            ax.plot(lon, lat, marker="o", markersize=3.5, color=INK, linestyle="none")
            ax.annotate(name, (lon, lat), xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=8)
    handles = [matplotlib.lines.Line2D([], [], color=INK, linewidth=1.4),
               matplotlib.lines.Line2D([], [], color=MUTED, linewidth=0.6, linestyle=(0, (4, 2))),
               matplotlib.lines.Line2D([], [], color=INK, marker="o", markersize=3.5, linestyle="none")]
    ax.legend(handles, ["China–North Korea boundary", "Other boundaries", "Town or city"],
              loc="lower left", fontsize=7.5, facecolor="white", framealpha=0.9, frameon=True,
              edgecolor="none")
    scale_lon = 100 / (111.32 * math.cos(math.radians(south + 0.4)))  # 100 km in degrees
    x0, y0 = east - 0.4 - scale_lon, south + 0.4
    ax.plot([x0, x0 + scale_lon], [y0, y0], color=INK, linewidth=1.5, solid_capstyle="butt")
    ax.text(x0 + scale_lon / 2, y0 + 0.08, "100 km", ha="center", va="bottom", fontsize=7.5)
    return fig


def save(name: str, tables: dict, geojson: dict | None, stem: str,
         suffixes: tuple[str, ...] = (".svg", ".pdf")) -> None:
    """Draw figure NAME and write STEM.svg and/or STEM.pdf (the style applies to saving too)."""
    with matplotlib.rc_context(STYLE):
        fig = draw_map(tables, geojson) if name == "map" else globals()[f"draw_{name}"](tables)
        if ".svg" in suffixes:
            fig.savefig(f"{stem}.svg", metadata={"Date": None})  # no date: same data, same file
        if ".pdf" in suffixes:
            fig.savefig(f"{stem}.pdf", metadata={"CreationDate": None})
    if ".svg" in suffixes:
        svg = Path(f"{stem}.svg")
        svg.write_text(for_epub(svg.read_text(encoding="utf-8")), encoding="utf-8")


def for_epub(svg: str) -> str:
    """What EPUB 3 (epubcheck) requires of matplotlib's SVG: no DOCTYPE with an external DTD, and
    a d attribute on every path (matplotlib leaves it out for an empty path, such as the glyph
    of a space)."""
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    return re.sub(r"<path(?![^>]*\sd=)", '<path d=""', svg)
