"""Offline China geography: region table and GeoJSON layers for the maps.

Why: the dashboard runs on intranets with no internet and no GIS stack, so
maps come from small files built once by ``scripts/build_geo.py`` (Tianditu
2024 boundaries, see ``data/geo/ATTRIBUTION.md``). This module needs only the
stdlib and pandas.

Hierarchy quirks of the source data (kept, not "fixed"):

* Municipalities (11, 12, 31, 50), Hong Kong, Macau and Taiwan have no
  prefecture level; the prefecture layer repeats them under the province code
  (110000 北京市), so their counties' ``city_adcode`` is the province code.
* 省直辖 units (济源 419001, 仙桃 429004, Hainan 4690xx, XPCC 6590xx, ...) and
  prefecture cities without counties (东莞 441900, 中山 442000, 儋州 460400,
  嘉峪关 620200, Gansu zones 6297xx–6299xx) are in both the prefecture and the
  county layer under the same code.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from safetynet import config

Level = Literal["province", "prefecture", "county"]
_FILES: dict[str, str] = {"province": "provinces", "prefecture": "prefectures", "county": "counties"}

# Codes synthetic demo data must not use: Taiwan/HK/Macau, 三沙 (mostly sea),
# and the Gansu farm / nature-reserve zones (not real communities).
DEMO_EXCLUDED_PREFIXES: tuple[str, ...] = ("71", "81", "82", "4603", "6297", "6298", "6299")


def geo_dir() -> Path:
    """Folder with the built files; ``SAFETYNET_GEO_DIR`` overrides the repo default."""
    return Path(config.get("SAFETYNET_GEO_DIR"))


GEO_DIR: Path = geo_dir()


@lru_cache(maxsize=16)
def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _collection(name: str) -> dict[str, Any]:
    """Cached file, returned with fresh feature and property dicts.

    Callers may add properties (e.g. a fill colour) or drop features without
    touching the cache. Geometries are shared: treat them as read-only.
    """
    raw = _read_json(geo_dir() / name)
    features = [{**f, "properties": dict(f["properties"])} for f in raw["features"]]
    return {**{k: copy.deepcopy(v) for k, v in raw.items() if k != "features"}, "features": features}


def adcode_prefix(adcode: str) -> str:
    """Prefix shared by a region and everything below it: 520000→52, 520100→5201."""
    if len(adcode) != 6 or not adcode.isdigit():
        raise ValueError(f"adcode must be 6 digits, got {adcode!r}")
    prefix = adcode
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def load_layer(level: Level, within: str | None = None, coarse: bool = False) -> dict[str, Any]:
    """GeoJSON FeatureCollection of one level, optionally only inside ``within``.

    Filtering matters for speed: pydeck resends the whole spec on every rerun,
    so draw e.g. one province's counties (~100 KB) not all of them (3 MB).
    ``coarse`` gives the ~5 km province outlines (100 KB instead of 390 KB) that a
    whole-country view needs; other levels have no coarse file.
    """
    if level not in _FILES:
        raise ValueError(f"level must be one of {sorted(_FILES)}, got {level!r}")
    name = "provinces_coarse" if coarse and level == "province" else _FILES[level]
    layer = _collection(f"china_{name}.geojson")
    if within is not None:
        prefix = adcode_prefix(within)
        layer["features"] = [f for f in layer["features"] if f["properties"]["adcode"].startswith(prefix)]
    return layer


def load_boundary_lines() -> dict[str, Any]:
    """境界线 (ten-dash line, HK/MO sea lines); draw them on every China map."""
    return _collection("china_boundary_lines.geojson")


def load_world_backdrop() -> dict[str, Any]:
    """Neighbouring countries (standard-map borders) without China itself."""
    return _collection("world.zh.json")


def _read_csv(directory: Path, level: Level) -> pd.DataFrame:
    """CSV with every text column as str (adcodes must keep their digits as text)."""
    path = directory / f"china_{_FILES[level]}.csv"
    return pd.read_csv(path, dtype=str).astype({"lon": float, "lat": float})


@lru_cache(maxsize=4)
def _regions(directory: Path) -> pd.DataFrame:
    prov, pref, county = (_read_csv(directory, lv) for lv in ("province", "prefecture", "county"))
    macro = dict(zip(prov["adcode"], prov["macro_region"], strict=True))

    prov = prov.assign(level=1, parent_adcode=None, prov_adcode=prov["adcode"], pref_adcode=None)
    # A code is kept at its highest level: province codes repeated in the
    # prefecture layer stay provinces; 省直辖 units and county-less cities stay
    # prefectures (parent = province) rather than becoming their own child.
    pref = pref[~pref["adcode"].isin(prov["adcode"])]
    pref = pref.assign(level=2, parent_adcode=pref["prov_adcode"], pref_adcode=pref["adcode"])
    county = county[~county["adcode"].isin(pref["adcode"]) & ~county["adcode"].isin(prov["adcode"])]
    # Counties of municipalities/HK/TW hang directly under the province row.
    county = county.assign(level=3, parent_adcode=county["city_adcode"],
                           pref_adcode=county["city_adcode"])

    cols = ["adcode", "name", "level", "parent_adcode", "prov_adcode", "pref_adcode", "macro_region", "lon", "lat"]
    df = pd.concat([prov, pref, county], ignore_index=True)
    df["macro_region"] = df["prov_adcode"].map(macro)
    return df[cols]


def load_regions() -> pd.DataFrame:
    """All provinces, prefectures and counties, one row per unique adcode.

    ``parent_adcode`` is None for provinces. ``pref_adcode`` is the adcode of
    the prefecture-layer feature containing the region (None for provinces);
    for municipalities/HK/TW counties that is the province code, so parent and
    pref point at a level-1 row there.
    """
    return _regions(geo_dir()).copy()


def demo_exclusions(adcode: str) -> bool:
    """True if synthetic demo data must not place anything in ``adcode``."""
    return str(adcode).startswith(DEMO_EXCLUDED_PREFIXES)
