"""趋势 through AppTest on both backends: every plotted value equals a GROUP BY on the fact table."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.domain import risk
from safetynet.domain.months import month_range
from safetynet.domain.risk import Flag
from tests.support import open_page, plotly_values, sql

PAGE = "pages/trends.py"
_open = partial(open_page, page=PAGE)


def _traces(at: AppTest, index: int = 0) -> dict[str, list]:
    spec = json.loads(at.get("plotly_chart")[index].proto.spec)
    return {trace.get("name", ""): plotly_values(trace["y"]) for trace in spec["data"]}


def _x(at: AppTest, index: int = 0) -> list:
    return plotly_values(json.loads(at.get("plotly_chart")[index].proto.spec)["data"][0]["x"])


def _months(engine) -> list[int]:
    frame = sql(engine, "SELECT MIN(month) AS a, MAX(month) AS b FROM risk_score")
    return month_range(int(frame["a"].iloc[0]), int(frame["b"].iloc[0]))


def _series(engine, where: str, group: str | None = None, **params) -> pd.DataFrame:
    """COUNT(*) per month (and group) from risk_score joined to region; months × groups, zeros filled."""
    select = f", {group} AS grp" if group else ""
    frame = sql(engine, f"SELECT s.month{select}, COUNT(*) AS n "
                        "FROM risk_score s JOIN region g ON g.adcode = s.adcode "
                        f"WHERE {where} GROUP BY s.month{', ' + group if group else ''}", **params)
    if not group:
        frame["grp"] = ""
    wide = frame.pivot(index="month", columns="grp", values="n").reindex(_months(engine)).fillna(0)
    return wide.astype(int)


def test_high_risk_series_equals_sql(app, demo_db):
    at = _open(app)
    expected = _series(demo_db, "s.tier = '高'")[""]
    assert _traces(at) == {"高风险户": expected.tolist()}
    assert _x(at)[0] == i18n.fmt_month(_months(demo_db)[0])
    table = at.dataframe[0].value
    assert table["latest"].iloc[0] == i18n.fmt_count(expected.iloc[-1])
    mom = expected.iloc[-1] - expected.iloc[-2]
    assert table["mom"].iloc[0] == (f"+{mom}" if mom > 0 else f"−{-mom}" if mom < 0 else "±0")


@pytest.mark.parametrize("series, where", [
    ("open_files", "s.status IN ('在档', '帮扶中')"),
    ("new_ident", f"(s.flags & {int(Flag.NEW_IDENT)}) <> 0"),
    ("eliminated", f"(s.flags & {int(Flag.ELIMINATED)}) <> 0"),
    ("relapsed", f"(s.flags & {int(Flag.RELAPSED)}) <> 0"),
])
def test_count_series_equal_sql(app, demo_db, series, where):
    at = _open(app, series=series)
    assert list(_traces(at).values()) == [_series(demo_db, where)[""].tolist()]


def test_region_split_equals_sql_with_top_areas_and_the_rest(app, demo_db):
    at = _open(app, split="region")
    expected = _series(demo_db, "s.tier = '高'", "g.prov_adcode")
    names = sql(demo_db, "SELECT adcode, name FROM region WHERE level = 1").set_index("adcode")["name"]
    shown = _traces(at)
    assert len(shown) <= 9
    other = shown.pop("其他地区", None)
    for name, values in shown.items():
        code = names[names == name].index[0]
        assert values == expected[code].tolist(), name
    if other is not None:
        kept = [names[names == name].index[0] for name in shown]
        assert other == expected.drop(columns=kept).sum(axis=1).tolist()
    else:
        assert len(shown) == expected.shape[1]


def test_prefecture_split_inside_a_province(app, demo_db):
    at = _open(app, prov="520000", split="region", series="open_files")
    expected = _series(demo_db, "g.prov_adcode = '520000' AND s.status IN ('在档', '帮扶中')", "g.pref_adcode")
    names = sql(demo_db, "SELECT adcode, name FROM region WHERE prov_adcode = '520000'").set_index("name")["adcode"]
    shown = _traces(at)
    shown.pop("其他地区", None)
    for name, values in shown.items():
        assert values == expected[names[name]].tolist(), name


def test_category_split_equals_sql(app, demo_db):
    from safetynet.domain.codes import CATEGORIES

    at = _open(app, split="category")
    expected = _series(demo_db, "s.tier = '高'", "s.category")
    shown = _traces(at)
    assert shown == {CATEGORIES[c][0]: expected[c].tolist() for c in expected.columns}


def test_industry_split_equals_sql(app, demo_db):
    """The five industries with the most high-risk households over the last 12 months, each as in SQL, and 其他
    for the rest plus 其他行业 (Z) — so the lines still add up to every high-risk worker household."""
    at = _open(app, split="industry", pop="worker")
    expected = _series(demo_db, "s.tier = '高' AND s.category LIKE 'W%'", "COALESCE(s.industry_code, 'Z')")
    names = sql(demo_db, "SELECT code, name_zh FROM industry").set_index("code")["name_zh"]
    shown = _traces(at)
    assert len(shown) == 6 and "其他" in shown
    by_name = {names[code]: code for code in expected.columns}
    kept = [by_name[name] for name in shown if name != "其他"]
    assert "Z" not in kept
    recent = expected.iloc[-12:].sum()
    left_out = [code for code in expected.columns if code not in kept and code != "Z"]
    assert min(recent[kept]) >= max(recent[left_out])  # the largest five (ties at the edge either way)
    for code in kept:
        assert shown[names[code]] == expected[code].tolist()
    assert shown["其他"] == expected.drop(columns=kept).sum(axis=1).tolist()


def test_share_changes_are_percentage_points(app, demo_db):
    at = _open(app, series="high_share", view="yoy", prov="520000")
    high = _series(demo_db, "g.prov_adcode = '520000' AND s.tier = '高'")[""]
    scored = _series(demo_db, "g.prov_adcode = '520000'")[""]
    share = (high / scored.where(scored > 0)) * 100
    expected = (share - share.shift(12)).dropna()
    assert list(_traces(at).values())[0] == pytest.approx(expected.tolist())
    assert "同比变化" in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]


def test_median_ratio_series_equals_the_fact_tables_histogram(app, demo_db):
    at = _open(app, series="median_r", pop="rural")
    r = sql(demo_db, "SELECT month, r FROM risk_score WHERE r IS NOT NULL AND category LIKE 'R%'")
    expected = []
    for _, part in r.groupby("month"):
        bins = np.searchsorted(np.array(risk.R_BIN_EDGES), part["r"].to_numpy(), side="right")
        expected.append(risk.median_from_bins(np.bincount(bins, minlength=12)))
    assert list(_traces(at).values())[0] == pytest.approx(expected)


def test_festival_chart_aligns_each_season_on_its_festival(app, demo_db):
    at = _open(app)
    flagged = _series(demo_db, f"(s.flags & {int(Flag.NOT_RETURNED)}) <> 0")[""]
    festival = json.loads(at.get("plotly_chart")[1].proto.spec)
    lines = {trace["name"]: dict(zip(plotly_values(trace["x"]), plotly_values(trace["y"]), strict=True))
             for trace in festival["data"]}
    # 2025: festival on 29 Jan (offset 0 = Jan 2025); 2026: 17 Feb (offset 0 = Feb 2026)
    assert lines["2025年（春节1月29日）"][1] == flagged.get(202502, 0)
    assert lines["2026年（春节2月17日）"][1] == flagged.get(202603, 0)
    assert lines["2026年（春节2月17日）"][-2] == flagged.get(202512, 0)
    assert flagged.get(202603, 0) > 0
    explanation = " ".join(m.value for m in at.markdown)
    assert "2026年2月17日" in explanation and "节后第1个月" in explanation


def test_migrant_choice_switches_the_festival_chart(app, demo_db):
    at = _open(app, migrant="wage_arrears")
    flagged = _series(demo_db, f"(s.flags & {int(Flag.WAGE_ARREARS)}) <> 0")[""]
    festival = json.loads(at.get("plotly_chart")[1].proto.spec)
    line = next(trace for trace in festival["data"] if trace["name"].startswith("2026"))
    assert dict(zip(plotly_values(line["x"]), plotly_values(line["y"]), strict=True))[0] == flagged[202602]


@pytest.mark.parametrize("query", [
    {"series": "bogus", "split": "everything", "view": "' OR 1=1 --", "migrant": "x"},
    {"series": "", "split": "REGION"},
])
def test_invalid_link_values_fall_back_to_defaults(app, query):
    at = _open(app, **query)
    assert at.button_group(key="series").value == "tier_high"
    assert at.button_group(key="split").value == "none"
    assert at.button_group(key="view").value == "values"
    assert at.button_group(key="migrant").value == "not_returned"
    assert len(_traces(at)) == 1
    assert not set(query) & set(at.query_params)


def test_choices_travel_in_the_url_as_codes(app):
    at = _open(app)
    at.button_group(key="split").set_value("category").run()
    at.button_group(key="view").set_value("mom").run()
    assert not at.exception
    assert at.query_params["split"] in ("category", ["category"])
    assert at.query_params["view"] in ("mom", ["mom"])
    assert len(_traces(at)) > 1


def test_region_split_without_children_says_so(app):
    at = _open(app, prov="440000", pref="441900", split="region")
    assert any("没有下级地区" in i.value for i in at.info)
    assert len(_traces(at)) == 1


def test_english(app):
    at = _open(app, lang="en", split="category")
    assert at.title[0].value == "Trends"
    assert "Deep hardship" in _traces(at)
    assert at.subheader[0].value == "Migrant workers' return: compared around the Spring Festival"
