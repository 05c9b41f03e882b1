"""Offline maps: pydeck Decks built from our own boundary files, no basemap.

`map_provider=None` with pydeck's default `map_style` draws no basemap and
fetches nothing (research/geo.md §6); never pass `map_style=None`, which makes
Streamlit fetch a Carto style. Builders are pure so tests can read the spec.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk

from safetynet import geo

SEQUENTIAL = ((254, 229, 217), (252, 174, 145), (251, 106, 74), (222, 45, 38), (165, 15, 21))
NO_DATA = (225, 225, 225)
ZOOM_BY_LEVEL = {0: 2.9, 1: 5.2, 2: 7.2, 3: 8.5}


@dataclass(frozen=True)
class LegendItem:
    color: tuple[int, int, int]
    text: str


def class_breaks(values: np.ndarray, n: int = 5) -> np.ndarray:
    """Upper bounds of up to n quantile classes over the positive values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.array([])
    qs = np.unique(np.quantile(v, np.linspace(0, 1, n + 1)[1:]))
    return qs


def colour_for(value: float | None, breaks: np.ndarray) -> tuple[int, int, int]:
    if value is None or not np.isfinite(value) or breaks.size == 0:
        return NO_DATA
    idx = int(np.searchsorted(breaks, value, side="left"))
    idx = min(idx, len(breaks) - 1)
    # spread the used classes over the whole palette so few classes still contrast
    pos = int(round(idx * (len(SEQUENTIAL) - 1) / max(len(breaks) - 1, 1)))
    return SEQUENTIAL[pos]


def legend(breaks: np.ndarray, fmt) -> list[LegendItem]:  # noqa: ANN001 - a formatter callable
    items, lower = [], None
    for i, upper in enumerate(breaks):
        colour = colour_for(float(upper), breaks)
        text = f"≤ {fmt(upper)}" if lower is None else f"{fmt(lower)} – {fmt(upper)}"
        items.append(LegendItem(colour, text))
        lower = upper
    return items


def view_for(level: int, lon: float | None, lat: float | None) -> pdk.ViewState:
    if level == 0 or lon is None or lat is None:
        return pdk.ViewState(longitude=104.5, latitude=35.0, zoom=2.9, min_zoom=2, max_zoom=10)
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=ZOOM_BY_LEVEL[level], min_zoom=2, max_zoom=11)


LAYER_BY_LEVEL = {1: "province", 2: "prefecture", 3: "county"}


def build_choropleth(values: pd.DataFrame, region: str, level: int, child_level: int, metric_label: str,
                     fmt, center: tuple[float, float] | None = None,  # noqa: ANN001 - fmt: value → text
                     sites: pd.DataFrame | None = None) -> tuple[pdk.Deck, list[LegendItem]]:
    """The children of `region` (at `child_level`) coloured by `values.value`.

    `values`: adcode, value, label. A region without children (a county) is drawn
    alone. `sites` (optional): lon, lat, people, high_share, tooltip.
    """
    within = None if level == 0 else region
    collection = geo.load_layer(LAYER_BY_LEVEL[child_level], within=within)
    if child_level <= level:  # no children: the region itself
        collection["features"] = [f for f in collection["features"] if f["properties"]["adcode"] == region]
    by_code = values.set_index("adcode") if not values.empty else pd.DataFrame(columns=["value", "label"])
    breaks = class_breaks(by_code["value"].to_numpy()) if not by_code.empty else np.array([])
    for feature in collection["features"]:
        props = feature["properties"]
        code = props["adcode"]
        value = float(by_code.at[code, "value"]) if code in by_code.index and pd.notna(by_code.at[code, "value"]) else None
        props["fill"] = list(colour_for(value, breaks)) + [215]
        props["tooltip"] = f"{props['name']}<br/>{metric_label}：{by_code.at[code, 'label'] if value is not None else '—'}"
    layers = [
        pdk.Layer("GeoJsonLayer", geo.load_world_backdrop(), id="world", filled=True, stroked=True,
                  get_fill_color=[238, 238, 238], get_line_color=[190, 190, 190], line_width_min_pixels=0.5),
        pdk.Layer("GeoJsonLayer", collection, id="regions", filled=True, stroked=True, pickable=True,
                  auto_highlight=True, get_fill_color="properties.fill", get_line_color=[255, 255, 255],
                  line_width_min_pixels=1),
        pdk.Layer("GeoJsonLayer", geo.load_boundary_lines(), id="boundary-lines", filled=False, stroked=True,
                  get_line_color=[110, 110, 110], line_width_min_pixels=1.2),
    ]
    if sites is not None and not sites.empty:
        data = sites.copy()
        share = data["high_share"].fillna(0).clip(0, 1)
        data["color"] = [[int(40 + 200 * s), int(90 * (1 - s)), int(200 * (1 - s)), 220] for s in share]
        data["radius"] = np.sqrt(data["people"].clip(lower=1)) * 60
        layers.append(pdk.Layer("ScatterplotLayer", data, id="sites", pickable=True, get_position="[lon, lat]",
                                get_radius="radius", radius_min_pixels=3, radius_max_pixels=30,
                                get_fill_color="color", get_line_color=[255, 255, 255], line_width_min_pixels=1,
                                stroked=True))
    lon, lat = center if center else (None, None)
    deck = pdk.Deck(layers=layers, initial_view_state=view_for(level, lon, lat), map_provider=None,
                    tooltip={"html": "{tooltip}", "style": {"fontSize": "14px"}})
    return deck, legend(breaks, fmt)
