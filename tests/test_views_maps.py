"""Map builders without Streamlit: metrics from summed roll-ups, colour classes, the offline deck, drill-down."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from safetynet import geo, i18n, measures
from safetynet.domain.lines import NATION
from safetynet.views import basemap, maps

BINS = list(measures.R_BINS)


def _rows(**columns) -> pd.DataFrame:
    """Summed roll-up rows with every measure the metrics read (zeros unless given)."""
    n = len(next(iter(columns.values())))
    base = {c: [0] * n for c in ("households", "tier_high", "assisted", "open_files", "newly_high", "relapsed",
                                 "not_returned", *BINS)}
    base.update(columns)
    return pd.DataFrame(base)


@pytest.fixture(autouse=True)
def _chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


# ---------------------------------------------------------------- metrics
# (values, totals and formats of the measures: tests/test_measures.py)
def test_every_metric_has_a_label_kind_and_direction():
    assert list(maps.MAP_METRICS) == ["tier_high", "high_share", "open_files", "newly_high", "assist_cov",
                                      "median_r", "relapsed", "not_returned"]
    assert {m.kind for m in maps.MAP_METRICS.values()} == {"count", "share", "ratio"}
    assert not maps.MAP_METRICS["assist_cov"].higher_is_bad and maps.MAP_METRICS["tier_high"].higher_is_bad


@pytest.mark.parametrize("month, expected", [(202610, 202603), (202603, 202603), (202602, 202502),
                                             (202502, 202502), (202501, 202403)])
def test_latest_return_month_is_the_month_after_a_festival(month, expected):
    # festivals: 2024-02-10, 2025-01-29, 2026-02-17
    assert maps.latest_return_month(month) == expected


# ---------------------------------------------------------------- colour classes
def test_count_classes_are_whole_numbers_without_empty_ranges():
    values = np.array([109, 4, 3, 3, 3, 1, 1, 1, 0])
    breaks = maps.class_breaks(values)
    assert np.all(breaks == np.round(breaks))
    texts = [item.text for item in maps.legend(breaks, lambda v: f"{v:.0f}", whole=True)]
    assert texts[0].startswith("0") and texts[-1].endswith("109")
    for text in texts:  # no "1 – 1"
        parts = text.split(" – ")
        assert len(parts) == 1 or parts[0] != parts[1]
    assert [item.text for item in maps.legend(maps.class_breaks(np.zeros(3)), str, whole=True)] == ["0.0"]


def test_colours_run_light_to_dark_and_reverse_for_good_metrics():
    breaks = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert maps.colour_for(1, breaks) == maps.SEQUENTIAL[0]
    assert maps.colour_for(5, breaks) == maps.SEQUENTIAL[-1]
    assert maps.colour_for(1, breaks, reverse=True) == maps.SEQUENTIAL[-1]  # lowest coverage = darkest red
    assert maps.colour_for(None, breaks) == maps.NO_DATA
    assert maps.colour_for(float("nan"), breaks) == maps.NO_DATA
    items = maps.legend(breaks, str, reverse=True)
    assert items[0].color == maps.SEQUENTIAL[-1] and items[-1].color == maps.SEQUENTIAL[0]


@pytest.mark.parametrize("share, colour", [(0.0, maps.SITE_CLASSES[0][1]), (0.0999, maps.SITE_CLASSES[0][1]),
                                           (0.10, maps.SITE_CLASSES[1][1]), (0.25, maps.SITE_CLASSES[2][1]),
                                           (1.0, maps.SITE_CLASSES[2][1]), (float("nan"), maps.SITE_NO_DATA)])
def test_site_colour_classes(share, colour):
    assert maps.site_colour(share) == colour


# ---------------------------------------------------------------- the deck
def _sites() -> pd.DataFrame:
    return maps.site_points(pd.DataFrame({
        "name": ["凯里市新市民安置区", "施秉阳光新村"], "lon": [107.98, 108.12], "lat": [26.58, 27.03],
        "people_relocated": [4958, 5521], "households": [20, 0], "open_files": [18, 0], "tier_high": [9, 0],
    }))


def test_site_points_carry_plain_tooltip_fields():
    points = _sites()
    assert points["title"].tolist() == ["凯里市新市民安置区", "施秉阳光新村"]
    assert points["line1"].iloc[0] == "搬迁人数：4,958"
    assert points["line2"].iloc[0] == "监测户数：18"
    assert points["line3"].iloc[0] == "高风险户占比：45.0%"
    assert points["line3"].iloc[1] == "高风险户占比：—"
    assert not any("<" in v for v in points[list(maps.TOOLTIP_FIELDS)].to_numpy().ravel())


def _deck(region="520000", level=1, child_level=2, sites=None, fit=(950, 600)) -> dict:
    values = pd.DataFrame({"adcode": ["522600", "520100"], "value": [109.0, 4.0], "label": ["109", "4"],
                           "line2": ["监测户数：170", "监测户数：18"], "line3": ["x", "y"]})
    deck, _ = maps.build_choropleth(values, region, level, child_level, "高风险户数", str, sites=sites, fit=fit)
    return json.loads(deck.to_json())


def test_deck_is_offline_and_compact():
    deck, _ = maps.build_choropleth(pd.DataFrame(columns=["adcode", "value", "label"]), NATION, 0, 1, "x", str)
    text = deck.to_json()
    assert "\n" not in text  # pydeck would indent every coordinate
    spec = json.loads(text)
    assert spec.get("mapProvider") in (None, "")
    assert not str(spec.get("mapStyle", "")).startswith("http")
    assert "cartocdn" not in text and "mapbox" not in text and "http" not in text
    main = [layer["id"] for layer in spec["layers"] if not layer["id"].startswith(basemap.INSET_LAYER_PREFIX)]
    assert main == ["sea", "world", "regions", "boundary-lines"]


def test_deck_draws_only_the_children_with_values_and_tooltips():
    spec = _deck()
    regions = next(layer for layer in spec["layers"] if layer["id"] == "regions")
    codes = {f["properties"]["adcode"] for f in regions["data"]["features"]}
    assert codes == {f["properties"]["adcode"] for f in geo.load_layer("prefecture", within="520000")["features"]}
    assert all(code.startswith("52") for code in codes)
    props = {f["properties"]["adcode"]: f["properties"] for f in regions["data"]["features"]}
    assert props["522600"]["title"] == "黔东南苗族侗族自治州"
    assert props["522600"]["line1"] == "高风险户数：109"
    assert props["522600"]["line2"] == "监测户数：170"
    assert props["520300"]["line1"] == "高风险户数：—" and props["520300"]["fill"][:3] == list(maps.NO_DATA)
    assert props["522600"]["fill"][:3] == list(maps.SEQUENTIAL[-1])
    assert spec["initialViewState"]["zoom"] > 5  # fitted to one province, not the nation's zoom


def test_deck_site_layer_sizes_in_pixels():
    spec = _deck(sites=_sites())
    sites = next(layer for layer in spec["layers"] if layer["id"] == "sites")
    assert sites["@@type"] == "ScatterplotLayer" and sites["radiusUnits"] == "pixels"
    radii = [row["radius"] for row in sites["data"]]
    assert 5 <= min(radii) < max(radii) <= 18  # bigger site, bigger dot
    assert sites["data"][0]["color"][:3] == list(maps.SITE_CLASSES[2][1])
    assert "sites" not in [layer["id"] for layer in _deck()["layers"]]


def test_a_county_is_drawn_alone():
    spec = _deck(region="522601", level=3, child_level=3)
    regions = next(layer for layer in spec["layers"] if layer["id"] == "regions")
    assert [f["properties"]["adcode"] for f in regions["data"]["features"]] == ["522601"]


def test_world_backdrop_keeps_only_neighbours():
    names = {f["properties"]["name"] for f in maps.world_backdrop()["features"]}
    everything = {f["properties"]["name"] for f in geo.load_world_backdrop()["features"]}
    assert {"蒙古", "越南", "印度", "日本", "俄罗斯", "菲律宾"} <= names
    assert not names & {"美国", "巴西", "法国", "津巴布韦", "澳大利亚"}
    assert len(names) < len(everything) / 4


def test_fit_view_zooms_further_into_smaller_areas():
    country = maps.fit_view((73.5, 3.8, 135.1, 53.6), 950, 600)
    province = maps.fit_view((103.6, 24.6, 109.6, 29.2), 950, 600)
    assert 2 < country.zoom < province.zoom < 8
    assert province.longitude == pytest.approx(106.6)


# ---------------------------------------------------------------- drill-down
@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    frame = geo.load_regions()
    frame["parent_adcode"] = frame["parent_adcode"].fillna(NATION)
    return frame.set_index("adcode", drop=False)


@pytest.mark.parametrize("adcode, keys", [
    (NATION, ("", "", "")),
    ("520000", ("520000", "", "")),
    ("522600", ("520000", "522600", "")),
    ("522601", ("520000", "522600", "522601")),
    ("110105", ("110000", "110105", "")),  # a district of a municipality is listed under 地市
    ("441900", ("440000", "441900", "")),  # a prefecture city without counties
])
def test_region_filter_keys_select_the_clicked_area(regions, adcode, keys):
    assert maps.region_filter_keys(regions, adcode) == dict(zip(maps.REGION_KEYS, keys, strict=True))


def test_parent_of(regions):
    assert maps.parent_of(regions, "522601") == "522600"
    assert maps.parent_of(regions, "520000") == NATION
    assert maps.parent_of(regions, NATION) == NATION


def test_picked_region_reads_the_selection_event():
    feature = {"type": "Feature", "properties": {"adcode": "522600", "name": "黔东南"}, "geometry": None}
    event = {"selection": {"indices": {"regions": [3]}, "objects": {"regions": [feature]}}}
    assert maps.picked_region(event) == "522600"
    assert maps.picked_region({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.picked_region({"selection": {"objects": {"sites": [{"title": "x"}]}}}) is None
    assert maps.picked_region(None) is None
    bad = {"properties": {"adcode": "52'; --"}}
    assert maps.picked_region({"selection": {"objects": {"regions": [bad]}}}) is None


def test_picked_row_reads_the_table_selection():
    codes = ["522600", "520100", "520300"]
    assert maps.picked_row({"selection": {"rows": [1], "columns": []}}, codes) == "520100"
    assert maps.picked_row({"selection": {"rows": [], "columns": []}}, codes) is None
    assert maps.picked_row({"selection": {"rows": [7]}}, codes) is None
    assert maps.picked_row(None, codes) is None


def test_picked_row_reads_a_click_on_a_name_but_not_on_a_number():
    codes = ["522600", "520100", "520300"]
    assert maps.picked_row({"selection": {"rows": [], "cells": [[2, "name"]]}}, codes) == "520300"
    assert maps.picked_row({"selection": {"rows": [], "cells": [(1, "name")]}}, codes) == "520100"
    assert maps.picked_row({"selection": {"rows": [], "cells": [[2, "value"]]}}, codes) is None
    assert maps.picked_row({"selection": {"rows": [], "cells": [[9, "name"]]}}, codes) is None


def test_metric_note_offers_the_month_after_the_festival():
    note = maps.metric_note("not_returned", 202610)
    assert note.month == "202603" and "2026年3月" in note.text and note.button == "查看2026年3月"
    assert maps.metric_note("not_returned", 202603) is None
    assert maps.metric_note("tier_high", 202610) is None


# ---------------------------------------------------------------- the table
def test_area_table_is_worst_first_without_repeating_the_metric():
    rows = _rows(households=[10, 20, 5], tier_high=[1, 8, 0], assisted=[10, 10, 5], open_files=[9, 19, 5])
    rows.insert(0, "adcode", ["520100", "522600", "520300"])
    rows.insert(1, "name", ["贵阳市", "黔东南", "遵义市"])
    table = maps.area_table(rows, "tier_high")
    assert table.index.tolist() == ["522600", "520100", "520300"]
    assert "tier_high" not in table.columns and table["value"].tolist() == [8, 1, 0]
    assert table.loc["522600", "high_share"] == pytest.approx(40.0)  # percent
    coverage = maps.area_table(rows, "assist_cov")
    assert coverage.index[0] == "522600" and coverage["value"].iloc[0] == pytest.approx(50.0)  # lowest first
    assert maps.area_table_config("tier_high", 2)["name"].label == "地市"
