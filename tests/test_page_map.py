"""地图 through AppTest on both backends: the numbers shown equal SQL on the fact table, links reproduce views."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.domain.risk import Flag
from tests.support import latest_month, open_page, sql

PAGE = "pages/map.py"
_open = partial(open_page, page=PAGE)


def _deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _counts_by_child(engine, month: int, child: str, where: str, **params) -> dict[str, int]:
    """COUNT(*) of risk_score rows per child area, straight from the fact table."""
    frame = sql(engine, f"SELECT g.{child} AS area, COUNT(*) AS n FROM risk_score s "
                        f"JOIN region g ON g.adcode = s.adcode WHERE s.month = :m AND {where} GROUP BY g.{child}",
                m=month, **params)
    return dict(zip(frame["area"], frame["n"].astype(int), strict=True))


def test_nation_map_table_and_tile_equal_sql(app, demo_db):
    at = _open(app)
    month = latest_month(demo_db)
    table = _table(at)
    high = _counts_by_child(demo_db, month, "prov_adcode", "s.tier = '高'")
    assert {k: int(v) for k, v in table["value"].items() if v} == {k: v for k, v in high.items() if v}
    open_files = _counts_by_child(demo_db, month, "prov_adcode", "s.status IN ('在档', '帮扶中')")
    assert {k: int(v) for k, v in table["open_files"].items() if v} == open_files
    assert table["value"].is_monotonic_decreasing  # worst first
    assert at.metric[0].value == i18n.fmt_count(sum(high.values()))
    assert at.button_group(key="metric").value == "tier_high"
    assert at.selectbox(key="month").value == str(month)


def test_province_children_and_shares_equal_sql(app, demo_db):
    at = _open(app, prov="520000", metric="high_share")
    month = latest_month(demo_db)
    high = _counts_by_child(demo_db, month, "pref_adcode", "g.prov_adcode = '520000' AND s.tier = '高'")
    scored = _counts_by_child(demo_db, month, "pref_adcode", "g.prov_adcode = '520000'")
    table = _table(at)
    assert set(table.index) == set(scored)
    for area, n in scored.items():
        assert table.at[area, "value"] == pytest.approx(100 * high.get(area, 0) / n)
        assert table.at[area, "tier_high"] == high.get(area, 0)
        assert table.at[area, "households"] == n  # the shares' denominator is shown
    assert at.metric[0].value == i18n.fmt_pct(sum(high.values()) / sum(scored.values()))
    assert any("贵州省" in c.value for c in at.caption)


def test_category_filter_restricts_the_map(app, demo_db):
    at = _open(app, pop="rural", metric="open_files")
    month = latest_month(demo_db)
    open_files = _counts_by_child(demo_db, month, "prov_adcode",
                                  "s.status IN ('在档', '帮扶中') AND s.category LIKE 'R%'")
    assert {k: int(v) for k, v in _table(at)["value"].items() if v} == open_files


def test_median_ratio_equals_the_histogram_of_the_fact_table(app, demo_db):
    from safetynet.domain import risk

    at = _open(app, prov="520000", metric="median_r")
    month = latest_month(demo_db)
    r = sql(demo_db, "SELECT g.pref_adcode AS area, s.r FROM risk_score s JOIN region g ON g.adcode = s.adcode "
                     "WHERE s.month = :m AND g.prov_adcode = '520000' AND s.r IS NOT NULL", m=month)
    table = _table(at)
    for area, part in r.groupby("area"):
        # bins as docs/schema.md §8.1 defines them: lower-inclusive, everything below 0.5 in bin 0
        bins = np.searchsorted(np.array(risk.R_BIN_EDGES), part["r"].to_numpy(), side="right")
        counts = pd.Series(bins).value_counts().reindex(range(12), fill_value=0)
        assert table.at[area, "value"] == pytest.approx(risk.median_from_bins(counts.to_numpy()))


def test_month_from_the_link_shows_that_month(app, demo_db):
    # the month after the 2026 Spring Festival (17 Feb): migrants not back at work are counted then
    at = _open(app, metric="not_returned", month="202603")
    flagged = _counts_by_child(demo_db, 202603, "prov_adcode", f"(s.flags & {int(Flag.NOT_RETURNED)}) <> 0")
    assert sum(flagged.values()) > 0
    assert {k: int(v) for k, v in _table(at)["value"].items() if v} == flagged
    assert not at.info  # no "only counted after the festival" hint in the right month
    later = _open(app, metric="not_returned")
    assert any("2026年3月" in i.value for i in later.info)
    later.button(key="map_month_jump").click().run()  # one click to the month that has the figure
    assert not later.exception and later.selectbox(key="month").value == "202603"
    assert {k: int(v) for k, v in _table(later)["value"].items() if v} == flagged


def test_county_without_children_shows_itself(app, demo_db):
    month = latest_month(demo_db)
    county = sql(demo_db, "SELECT s.adcode, g.pref_adcode, g.prov_adcode, COUNT(*) AS n FROM risk_score s "
                          "JOIN region g ON g.adcode = s.adcode WHERE s.month = :m AND g.level = 3 "
                          "AND g.pref_adcode <> g.prov_adcode GROUP BY s.adcode, g.pref_adcode, g.prov_adcode "
                          "ORDER BY n DESC, s.adcode", m=month).iloc[0]
    at = _open(app, prov=county["prov_adcode"], pref=county["pref_adcode"], county=county["adcode"])
    high = _counts_by_child(demo_db, month, "adcode", "s.adcode = :c AND s.tier = '高'", c=county["adcode"])
    assert _table(at).index.tolist() == [county["adcode"]]
    assert int(_table(at).at[county["adcode"], "value"]) == high.get(county["adcode"], 0)
    regions = next(layer for layer in _deck(at)["layers"] if layer["id"] == "regions")
    assert [f["properties"]["adcode"] for f in regions["data"]["features"]] == [county["adcode"]]
    assert not [b for b in at.caption if "点击地图" in b.value]  # nothing below a county to click into


def test_area_without_households_says_so(app, demo_db):
    empty = sql(demo_db, "SELECT g.adcode FROM region g WHERE g.level = 1 AND g.adcode NOT IN "
                         "(SELECT DISTINCT r.prov_adcode FROM risk_score s JOIN region r ON r.adcode = s.adcode) "
                         "AND g.adcode NOT LIKE '71%' AND g.adcode NOT LIKE '81%' AND g.adcode NOT LIKE '82%' "
                         "ORDER BY g.adcode")
    if empty.empty:
        pytest.skip("every province has households in this demo")
    at = _open(app, prov=empty["adcode"].iloc[0])
    assert at.info and "没有监测户" in at.info[0].value


def test_deck_is_offline_with_sites_layer(app, demo_db):
    at = _open(app, prov="520000")
    deck = _deck(at)
    raw = json.dumps(deck)
    assert deck.get("mapProvider") in (None, "")
    assert not str(deck.get("mapStyle", "")).startswith("http")
    assert "cartocdn" not in raw and "mapbox" not in raw and "http" not in raw
    ids = [layer["id"] for layer in deck["layers"]]
    assert ids[:4] == ["sea", "world", "regions", "boundary-lines"]
    sites = sql(demo_db, "SELECT s.name FROM relocation_site s JOIN region g ON g.adcode = s.adcode "
                         "WHERE g.prov_adcode = '520000'")
    if len(sites):
        layer = next(layer for layer in deck["layers"] if layer["id"] == "sites")
        assert sorted(row["title"] for row in layer["data"]) == sorted(sites["name"])
    hidden = _open(app, prov="520000", sites="0")
    assert "sites" not in [layer["id"] for layer in _deck(hidden)["layers"]]
    assert hidden.toggle(key="sites").value is False


def test_site_tooltips_equal_sql(app, demo_db):
    at = _open(app)
    month = latest_month(demo_db)
    layer = next(layer for layer in _deck(at)["layers"] if layer["id"] == "sites")
    expected = sql(demo_db, "SELECT r.name, COUNT(s.hh_id) AS scored, "
                            "SUM(CASE WHEN s.tier = '高' THEN 1 ELSE 0 END) AS high "
                            "FROM relocation_site r LEFT JOIN risk_score s ON s.site_id = r.site_id AND s.month = :m "
                            "GROUP BY r.name", m=month).set_index("name")
    for row in layer["data"]:
        scored, high = expected.at[row["title"], "scored"], expected.at[row["title"], "high"]
        assert row["line3"] == f"高风险户占比：{i18n.fmt_pct(high / scored) if scored else '—'}"


@pytest.mark.parametrize("query", [
    {"metric": "bogus", "month": "299912", "sites": "maybe"},
    {"metric": "tier_high'; DROP TABLE region;--", "month": "abc"},
])
def test_invalid_link_values_fall_back_to_defaults(app, demo_db, query):
    at = _open(app, **query)
    assert at.button_group(key="metric").value == "tier_high"
    assert at.selectbox(key="month").value == str(latest_month(demo_db))
    assert at.toggle(key="sites").value is True
    assert "metric" not in at.query_params and "month" not in at.query_params


def test_choices_travel_in_the_url_as_codes(app):
    at = _open(app, prov="520000")
    at.button_group(key="metric").set_value("assist_cov").run()
    assert not at.exception
    assert at.query_params["metric"] == ["assist_cov"] or at.query_params["metric"] == "assist_cov"
    assert at.dataframe[0].value["value"].max() <= 100


def test_up_one_level_button(app):
    at = _open(app, prov="520000", pref="522600")
    assert any("黔东南" in c.value for c in at.caption)
    at.button(key="map_up").click().run()
    assert not at.exception
    assert any(c.value.startswith("贵州省") for c in at.caption)
    at.button(key="map_up").click().run()
    assert any(c.value.startswith("全国") for c in at.caption)
    assert not [b for b in at.button if b.key == "map_up"]  # nothing above the nation


def test_english(app):
    at = _open(app, lang="en", metric="median_r")
    assert at.title[0].value == "Map"
    assert at.metric[0].value.endswith("×")
    assert at.subheader[0].value == "Median income ÷ line by area"
