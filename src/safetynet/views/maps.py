"""Offline maps: pydeck Decks built from our own boundary files, no basemap.

`map_provider=None` with pydeck's default `map_style` draws no basemap and
fetches nothing (research/geo.md §6); never pass `map_style=None`, which makes
Streamlit fetch a Carto style. Builders are pure so tests can read the spec.

Also here: the measures a map can show (safetynet.measures computes them from
summed roll-up columns), the drill-down helpers that turn a clicked area into the sidebar's region keys,
and the table of areas under the map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from safetynet import geo, i18n, measures
from safetynet.domain.lines import NATION
from safetynet.domain.months import SPRING_FESTIVAL, add_months, festival_month
from safetynet.i18n import t
from safetynet.measures import Measure
from safetynet.views import basemap
from safetynet.views.columns import Column, ColumnSpec

SEQUENTIAL = ((254, 229, 217), (252, 174, 145), (251, 106, 74), (222, 45, 38), (165, 15, 21))
NO_DATA = basemap.NO_DATA
ZOOM_BY_LEVEL = {0: 2.9, 1: 5.2, 2: 7.2, 3: 8.5}
NATIONAL_SIZE = (360, 400)  # pixels a national map is fitted to when its caller does not say (a phone)
bbox, fit_view, world_backdrop = basemap.bbox, basemap.fit_view, basemap.world_backdrop
# Streamlit escapes the values it fills into a tooltip, so the HTML lives in the template and
# every pickable object carries the same plain-text fields.
TOOLTIP_FIELDS = ("title", "line1", "line2", "line3")
TOOLTIP = {"html": "<b>{title}</b><br/>{line1}<br/>{line2}<br/>{line3}", "style": {"fontSize": "14px"}}


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation.

    pydeck pretty-prints (indent=2), which makes boundary coordinates about six
    times larger; Streamlit resends the spec on every rerun, so this is the
    difference between ~110 KB and ~650 KB for one province's prefectures.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


@dataclass(frozen=True)
class LegendItem:
    color: tuple[int, int, int]
    text: str


# ---------------------------------------------------------------- metrics
# The measures a map can show (definitions, labels and help: safetynet.measures); codes travel in ?metric=.
MAP_METRICS: dict[str, Measure] = {m.code: m for m in measures.select("map")}


def formatter(kind: str) -> Callable[[float], str]:
    return lambda v: measures.format_value(v, kind)


@dataclass(frozen=True)
class MetricNote:
    text: str  # why the map is empty this month
    button: str  # label of the button that goes to `month`
    month: str  # the month that has the figure, as the month picker's code


def metric_note(metric: str, month: int) -> MetricNote | None:
    """A hint when the metric cannot be read in `month` (未返岗 is only counted after the festival)."""
    back = latest_return_month(month)
    if metric == "not_returned" and back and back != month:
        return MetricNote(t("春节后未返岗只在春节后一个月统计，最近一次是{month}。", month=i18n.fmt_month(back)),
                          t("查看{month}", month=i18n.fmt_month(back)), str(back))
    return None


def latest_return_month(month: int) -> int | None:
    """The latest month at or before `month` that follows a Spring Festival month (未返岗 is counted then)."""
    for year in sorted(SPRING_FESTIVAL, reverse=True):
        candidate = add_months(festival_month(year), 1)
        if candidate <= month:
            return candidate
    return None


# ---------------------------------------------------------------- colour classes
def class_breaks(values: np.ndarray, n: int = 5) -> np.ndarray:
    """Upper bounds of up to n quantile classes over the finite values.

    Whole-number data (counts) gets whole-number bounds, so no class reads "1 – 1".
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.array([])
    qs = np.quantile(v, np.linspace(0, 1, n + 1)[1:])
    if is_whole(v):
        qs = np.ceil(qs - 1e-9) + 0.0  # + 0.0: no "-0"
    return np.unique(qs)


def is_whole(values: np.ndarray) -> bool:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size) and bool(np.all(np.isclose(v, np.round(v))))


def colour_for(value: float | None, breaks: np.ndarray, reverse: bool = False) -> tuple[int, int, int]:
    """The class colour of `value`; `reverse` puts the darkest red on the *lowest* class
    (for metrics where low is bad, such as coverage or the income ratio)."""
    if value is None or not np.isfinite(value) or breaks.size == 0:
        return NO_DATA
    idx = int(np.searchsorted(breaks, value, side="left"))
    idx = min(idx, len(breaks) - 1)
    if reverse:
        idx = len(breaks) - 1 - idx
    # spread the used classes over the whole palette so few classes still contrast
    pos = int(round(idx * (len(SEQUENTIAL) - 1) / max(len(breaks) - 1, 1)))
    return SEQUENTIAL[pos]


def legend(breaks: np.ndarray, fmt, reverse: bool = False,
           whole: bool = False) -> list[LegendItem]:
    """One item per class. `whole`: counts, labelled 0 / 1 – 3 / 4 – 109 (no overlapping bounds)."""
    items, lower = [], None
    for upper in breaks:
        colour = colour_for(float(upper), breaks, reverse)
        if whole:
            low = 0.0 if lower is None else lower + 1
            text = fmt(upper) if low >= upper or (lower is None and upper <= 0) else f"{fmt(low)} – {fmt(upper)}"
        else:
            text = f"≤ {fmt(upper)}" if lower is None else f"{fmt(lower)} – {fmt(upper)}"
        items.append(LegendItem(colour, text))
        lower = upper
    return items


# ---------------------------------------------------------------- geometry and view
def view_for(level: int, lon: float | None, lat: float | None) -> pdk.ViewState:
    if level == 0 or lon is None or lat is None:
        return basemap.national_view(*NATIONAL_SIZE)
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=ZOOM_BY_LEVEL[level], min_zoom=2, max_zoom=11)


# ---------------------------------------------------------------- sites
SITE_CLASSES = ((0.10, (46, 125, 50)), (0.25, (239, 143, 0)), (math.inf, (198, 40, 40)))
SITE_NO_DATA = (150, 150, 150)


def site_colour(share: float | None) -> tuple[int, int, int]:
    """Traffic-light colour of a site's high-risk share: < 10 % green, 10–25 % amber, ≥ 25 % red."""
    if share is None or not np.isfinite(share):
        return SITE_NO_DATA
    for upper, colour in SITE_CLASSES:
        if share < upper:
            return colour
    return SITE_CLASSES[-1][1]


def site_legend() -> list[LegendItem]:
    return [LegendItem(SITE_CLASSES[0][1], t("高风险户占比 < 10%")),
            LegendItem(SITE_CLASSES[1][1], "10% – 25%"),
            LegendItem(SITE_CLASSES[2][1], "≥ 25%"),
            LegendItem(SITE_NO_DATA, t("暂无监测户"))]


def site_points(sites: pd.DataFrame | None) -> pd.DataFrame | None:
    """Sites as map points: lon, lat, people, high_share and the tooltip fields (None without sites).

    `sites`: name, lon, lat, people_relocated, households, open_files, tier_high
    (summed roll-up measures of the month; 0 when no household is monitored).
    """
    if sites is None or sites.empty:
        return None
    out = sites.copy()
    out["people"] = out["people_relocated"]
    out["high_share"] = measures.values(out, "high_share")
    out["title"] = out["name"].astype(str)
    out["line1"] = [f"{t('搬迁人数')}：{i18n.fmt_count(v)}" for v in out["people_relocated"]]
    out["line2"] = [f"{t('监测户数')}：{i18n.fmt_count(v)}" for v in out["open_files"]]
    out["line3"] = [f"{t('高风险户占比')}：{i18n.fmt_pct(v)}" for v in out["high_share"]]
    return out


def _site_layer(sites: pd.DataFrame) -> pdk.Layer:
    data = sites.copy()
    if "title" not in data.columns:  # older callers pass one plain-text `tooltip`
        data["title"] = data.get("tooltip", "")
    for field in TOOLTIP_FIELDS:
        data[field] = data[field] if field in data.columns else ""
    data = data[["lon", "lat", "people", "high_share", *TOOLTIP_FIELDS]]
    data["color"] = [list(site_colour(s)) + [235] for s in data["high_share"]]
    biggest = max(float(data["people"].max()), 1.0)
    # pixels, not metres: a site stays visible at every zoom, area ∝ people relocated
    data["radius"] = 5 + 13 * np.sqrt(data["people"].clip(lower=0) / biggest)
    return pdk.Layer("ScatterplotLayer", data, id="sites", pickable=True, get_position="[lon, lat]",
                     get_radius="radius", radius_units='"pixels"',  # quoted: a literal, not an accessor
                     get_fill_color="color",
                     get_line_color=[20, 20, 20], line_width_min_pixels=1.5, stroked=True)


# ---------------------------------------------------------------- the map
LAYER_BY_LEVEL: dict[int, geo.Level] = {1: "province", 2: "prefecture", 3: "county"}


def build_choropleth(values: pd.DataFrame, region: str, level: int, child_level: int, metric_label: str,
                     fmt, center: tuple[float, float] | None = None,
                     sites: pd.DataFrame | None = None, reverse: bool = False,
                     fit: tuple[int, int] | None = None) -> tuple[pdk.Deck, list[LegendItem]]:
    """The children of `region` (at `child_level`) coloured by `values.value`.

    `values`: adcode, value, label, and optionally `line2`, `line3` (more
    tooltip lines, plain text). A region without children (a county) is drawn
    alone. `sites` (optional): lon, lat, people, high_share and the tooltip
    fields title, line1–line3 (see `site_points`).
    `reverse`: low values are the bad ones (darkest red). `fit`: (width, height)
    of the map in pixels — zoom to the drawn areas instead of a fixed zoom.
    The whole country is drawn as the standard map (views.basemap): its national
    view and the 南海诸岛 inset. The legend ends with the no-data colour.
    """
    within = None if level == 0 else region
    collection = geo.load_layer(LAYER_BY_LEVEL[child_level], within=within, coarse=within is None)
    if child_level <= level:  # no children: the region itself
        collection["features"] = [f for f in collection["features"] if f["properties"]["adcode"] == region]
    by_code = values.set_index("adcode") if not values.empty else pd.DataFrame(columns=["value", "label"])
    breaks = class_breaks(by_code["value"].to_numpy()) if not by_code.empty else np.array([])
    for feature in collection["features"]:
        props = feature["properties"]
        code = props["adcode"]
        known = code in by_code.index
        value = float(by_code.at[code, "value"]) if known and pd.notna(by_code.at[code, "value"]) else None
        props["fill"] = list(colour_for(value, breaks, reverse)) + [215]
        props["title"] = props["name"]
        props["line1"] = f"{metric_label}：{by_code.at[code, 'label'] if value is not None else '—'}"
        for field in ("line2", "line3"):
            text = by_code.at[code, field] if known and field in by_code.columns else ""
            props[field] = text if isinstance(text, str) else ""
    layers = [
        basemap.sea_layer(),
        basemap.foreign_layer(),
        pdk.Layer("GeoJsonLayer", collection, id="regions", filled=True, stroked=True, pickable=True,
                  auto_highlight=True, highlight_color=[31, 95, 168, 150], get_fill_color="properties.fill",
                  get_line_color=[255, 255, 255],
                  line_width_min_pixels=1),
        basemap.boundary_layer(),
    ]
    if sites is not None and not sites.empty:
        layers.append(_site_layer(sites))
    if level == 0:  # the whole country: the standard view, with the South China Sea in its inset
        layers += basemap.south_sea_inset(collection)
        view = basemap.national_view(*(fit or NATIONAL_SIZE))
    elif fit and (box := bbox(collection["features"])) is not None:
        view = fit_view(box, *fit)
    else:
        lon, lat = center if center else (None, None)
        view = view_for(level, lon, lat)
    deck = CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=TOOLTIP)
    whole = not by_code.empty and is_whole(by_code["value"].to_numpy(dtype=float))
    return deck, [*legend(breaks, fmt, reverse, whole), LegendItem(NO_DATA, t("暂无监测户"))]


# ---------------------------------------------------------------- drill-down
REGION_KEYS = ("prov", "pref", "county")


def region_filter_keys(regions: pd.DataFrame, adcode: str) -> dict[str, str]:
    """The sidebar's region widget values ("prov", "pref", "county") that select `adcode`.

    `regions` is indexed by adcode with `parent_adcode`. The path from the
    province down fills the keys in order, so a district of a municipality
    (parent = the municipality) lands in "pref", as the sidebar lists it.
    """
    path: list[str] = []
    code: str | None = adcode
    while code and code != NATION and code in regions.index and len(path) < 4:
        path.append(code)
        code = regions.at[code, "parent_adcode"]
    path.reverse()
    return {key: (path[i] if i < len(path) else "") for i, key in enumerate(REGION_KEYS)}


def parent_of(regions: pd.DataFrame, adcode: str) -> str:
    if adcode == NATION or adcode not in regions.index:
        return NATION
    parent = regions.at[adcode, "parent_adcode"]
    return parent if isinstance(parent, str) and parent else NATION


def picked_region(event: object, layer_id: str = "regions") -> str | None:
    """The adcode of the area clicked on the map, from a pydeck selection event (or None).

    Shape (Streamlit 1.67): event.selection.objects[layer_id] = [GeoJSON feature];
    the adcode is in the feature's properties.
    """
    try:
        objects = event["selection"]["objects"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for layer, picked in (objects or {}).items():
        if not str(layer).startswith(layer_id) or not picked:
            continue
        obj = picked[0] or {}
        code = (obj.get("properties") or {}).get("adcode") or obj.get("adcode")
        if isinstance(code, str) and len(code) == 6 and code.isdigit():
            return code
    return None


def picked_row(event: object, codes: list[str], name_column: str = "name") -> str | None:
    """The adcode of the table row clicked, from a dataframe selection event: its selection checkbox, or
    its name (a cell of `name_column`). Rows are positions in `codes`, whatever the browser's sort order."""
    try:
        selection = event["selection"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    rows = list(selection.get("rows") or [])
    rows += [cell[0] for cell in selection.get("cells") or [] if len(cell) == 2 and cell[1] == name_column]
    return codes[rows[0]] if rows and 0 <= rows[0] < len(codes) else None


LINK_STYLE = "color: #1f5fa8; font-weight: 600"  # a name that opens its area reads as a link


def linked_names(table: pd.DataFrame, column: str = "name"):
    """`table` styled so that the names one can click to drill down look like links."""
    return table.style.map(lambda _: LINK_STYLE, subset=[column])


# ---------------------------------------------------------------- the table of areas
TABLE_MEASURES = measures.codes("map_table")
TABLE_COLUMNS = ("name", "value", *TABLE_MEASURES)


def area_table(rows: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One row per area: the chosen metric, then the key measures (shares in %, worst first)."""
    spec = MAP_METRICS[metric]
    others = [c for c in TABLE_MEASURES if c != metric]  # the chosen metric is `value`, once
    out = measures.table(rows, [metric, *others]).rename(columns={metric: "value"})
    for code in ("value", *others):
        if (spec if code == "value" else measures.get(code)).kind == measures.SHARE:
            out[code] = out[code] * 100
    out.insert(0, "name", rows["name"])
    out.index = rows["adcode"].to_numpy()
    out.index.name = "adcode"
    return out.sort_values("value", ascending=spec.higher_is_bad is False, na_position="last", kind="stable")


AREA_HEADERS = {1: "省份", 2: "地市", 3: "区县"}


def legend_title(spec: Measure, child_level: int) -> str:
    """What a map's colours show and over whom: 高风险户占比（本月评分户，按地市）."""
    return t("{measure}（{population}，按{areas}）", measure=t(spec.label),
             population=t(measures.POPULATIONS[spec.population]), areas=t(AREA_HEADERS.get(child_level, "地区")))


def table_height(rows: int, most: int = 640) -> int:
    """Pixels for a table of `rows` rows without inner scrolling (up to `most`)."""
    return min(38 + 35 * max(rows, 1), most)


def _measure_column(spec: Measure, chosen: bool = False) -> Column:
    """A table column for a measure: its label and help; shares in % (the chosen one as a bar)."""
    label, help_ = t(spec.label), t(spec.help)
    if spec.kind == measures.SHARE and chosen:
        return Column("progress", label, min_value=0, max_value=100, format="%.1f%%", help=help_)
    fmt = {measures.SHARE: "%.1f%%", measures.RATIO: "%.2f", measures.AMOUNT: "%.0f"}.get(spec.kind, "%d")
    return Column("number", label, format=fmt, help=help_)


def area_table_config(metric: str, child_level: int) -> ColumnSpec:
    """Column configuration (headers in the UI language) for `area_table`; the first column names
    the areas' level (省份 / 地市 / 区县)."""
    return {
        "name": Column("text", t(AREA_HEADERS.get(child_level, "地区"))),
        "value": _measure_column(MAP_METRICS[metric], chosen=True),
        **{code: _measure_column(measures.get(code)) for code in TABLE_MEASURES if code != metric},
    }


def map_values(rows: pd.DataFrame, metric: str) -> pd.DataFrame:
    """adcode, value, label and two more tooltip lines for `build_choropleth`."""
    spec = MAP_METRICS[metric]
    value = measures.values(rows, metric)
    high_share = measures.values(rows, "high_share")
    return pd.DataFrame({
        "adcode": rows["adcode"].to_numpy(), "value": value.to_numpy(),
        "label": [measures.format_value(v, spec.kind) for v in value],
        "line2": [f"{t('监测户数')}：{i18n.fmt_count(o)}" for o in rows["open_files"]],
        "line3": [f"{t('高风险户')}：{i18n.fmt_count(h)}（{i18n.fmt_pct(s)}）"
                  for h, s in zip(rows["tier_high"], high_share, strict=True)],
    })
