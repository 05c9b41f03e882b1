"""行业 through AppTest on both backends: the numbers shown equal SQL on risk_score and industry."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from safetynet.domain import risk
from safetynet.domain.months import add_months
from safetynet.domain.risk import Flag
from tests.support import latest_month, open_page, plotly_values, sql

PAGE = "pages/industries.py"
_open = partial(open_page, page=PAGE, run_home=True, reset_lang=True)


def _scope(region: str) -> str:
    return "1 = 1" if region == "000000" else "(g.adcode = :r OR g.pref_adcode = :r OR g.prov_adcode = :r)"


def _rows(engine, region: str, month: int, population: str | None = None) -> pd.DataFrame:
    """risk_score rows of `month` whose county is inside `region`, with the industry as the roll-up files it."""
    pop = {None: "", "worker": "AND x.category LIKE 'W%'", "rural": "AND x.category LIKE 'R%'"}[population]
    return sql(engine, f"""
        SELECT COALESCE(x.industry_code, 'Z') AS code, x.tier, x.flags, x.income, x.r, x.month
        FROM risk_score x JOIN region g ON g.adcode = x.adcode
        WHERE x.month = :m AND {_scope(region)} {pop}""", m=month, r=region)


def _expected(rows: pd.DataFrame) -> pd.DataFrame:
    flags = rows["flags"].astype("int64")
    data = rows.assign(high=rows["tier"] == "高", arrears=(flags & int(Flag.WAGE_ARREARS)) != 0,
                       out=(flags & int(Flag.OUT_OF_WORK)) != 0)
    grouped = data.groupby("code")
    out = pd.DataFrame({"households": grouped.size(), "high": grouped["high"].sum(),
                        "arrears": grouped["arrears"].sum(), "out": grouped["out"].sum(),
                        "income": grouped["income"].sum()})
    out["median_r"] = [risk.median_from_bins(np.bincount(risk.r_bins(g["r"].dropna().to_numpy(float)), minlength=12))
                       for _, g in grouped]
    return out


@pytest.mark.parametrize("query", [{}, {"prov": "440000"}, {"prov": "440000", "pref": "441900", "industry": "C"},
                                   {"lang": "en", "industry": "GP"}, {"pop": "rural"}])
def test_industries_page_runs(app, query):
    at = _open(app, **query)
    assert at.title[0].value == ("Industries" if query.get("lang") == "en" else "行业")


@pytest.mark.parametrize("region", ["000000", "440000", "441900"])
def test_industry_table_equals_sql(app, demo_db, region):
    query = {} if region == "000000" else {"prov": region[:2] + "0000"}
    if region == "441900":
        query["pref"] = region
    at = _open(app, **query)
    table = at.dataframe[0].value
    expected = _expected(_rows(demo_db, region, latest_month(demo_db)))
    multipliers = sql(demo_db, "SELECT code, line_multiplier FROM industry").set_index("code")["line_multiplier"]
    assert sorted(table.index) == sorted(expected.index)
    for code, row in expected.iterrows():
        shown = table.loc[code]
        assert shown["households"] == row["households"]
        assert shown["wage_arrears"] == row["arrears"]  # COUNT(*) of rows with the WAGE_ARREARS bit
        assert shown["out_of_work"] == row["out"]
        assert shown["high_share"] == pytest.approx(100 * row["high"] / row["households"])
        assert shown["arrears_rate"] == pytest.approx(100 * row["arrears"] / row["households"])
        assert shown["mean_income"] == pytest.approx(round(row["income"] / row["households"]), abs=0.5)
        assert shown["median_r"] == pytest.approx(row["median_r"])
        assert shown["line_multiplier"] == pytest.approx(multipliers[code])


def test_downturn_shows_in_the_manufacturing_trend(app, demo_db):
    at = _open(app, prov="440000", pref="441900", industry="C")
    latest = latest_month(demo_db)
    first = add_months(latest, -23)
    expected = sql(demo_db, f"""
        SELECT x.month, SUM(CASE WHEN (x.flags & {int(Flag.WAGE_ARREARS)}) <> 0 THEN 1 ELSE 0 END) AS arrears
        FROM risk_score x JOIN region g ON g.adcode = x.adcode
        WHERE x.month >= :first AND {_scope('441900')} AND x.industry_code = 'C'
        GROUP BY x.month ORDER BY x.month""", first=first, r="441900")
    trend = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    manufacturing = [tr for tr in trend.data if tr.name == "制造业"]
    assert len(manufacturing) == 3  # one line per panel, only the focused industry
    arrears = plotly_values(manufacturing[1].y)
    assert arrears[-len(expected):] == expected["arrears"].astype(float).tolist()
    # the demo's downturn (9 to 3 months before the latest) stands out against the seven months before it
    downturn, before = sum(arrears[-9:-2]), sum(arrears[-16:-9])
    assert downturn >= 5 and downturn > 2 * before
    assert [tr.name for tr in trend.data].count("全部行业") == 1  # the reference line for the focus


def test_trend_shows_the_five_largest_industries_and_other_summed_from_sql(app, demo_db):
    """Issue 12: not nine tangled lines; the five largest, 其他 for the rest, whole-number count axes."""
    at = _open(app)
    latest = latest_month(demo_db)
    first = add_months(latest, -23)
    rows = sql(demo_db, f"""
        SELECT x.month, COALESCE(x.industry_code, 'Z') AS code,
               SUM(CASE WHEN (x.flags & {int(Flag.WAGE_ARREARS)}) <> 0 THEN 1 ELSE 0 END) AS arrears,
               COUNT(*) AS households
        FROM risk_score x WHERE x.month >= :first GROUP BY x.month, COALESCE(x.industry_code, 'Z')""", first=first)
    names = sql(demo_db, "SELECT code, name_zh FROM industry").set_index("code")["name_zh"]
    size = rows.groupby("code")["households"].sum()
    top = size.drop("Z", errors="ignore").sort_values(ascending=False, kind="stable").index[:5].tolist()
    trend = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    panel = [tr for tr in trend.data if tr.xaxis == "x2"]
    assert [tr.name for tr in panel] == [names[c] for c in top] + ["其他"]
    months = sorted(rows["month"].unique())
    rest = rows.loc[~rows["code"].isin(top)].groupby("month")["arrears"].sum().reindex(months, fill_value=0)
    assert plotly_values(panel[-1].y)[-len(months):] == rest.astype(float).tolist()
    for axis in (trend.layout.yaxis2, trend.layout.yaxis3):
        assert axis.tickformat == ",d" and axis.tick0 == 0 and float(axis.dtick).is_integer() and axis.dtick >= 1
    assert trend.layout.yaxis.range[0] == 0
    assert any("户数最多的5个行业" in c.value for c in at.caption)


def test_children_chart_equals_sql(app, demo_db):
    at = _open(app, prov="440000", industry="C")
    latest = latest_month(demo_db)
    expected = sql(demo_db, f"""
        SELECT p.short_name, p.name, COUNT(*) AS households,
               SUM(CASE WHEN (x.flags & {int(Flag.WAGE_ARREARS)}) <> 0 THEN 1 ELSE 0 END) AS arrears,
               SUM(CASE WHEN x.tier = '高' THEN 1 ELSE 0 END) AS high
        FROM risk_score x JOIN region g ON g.adcode = x.adcode JOIN region p ON p.adcode = g.pref_adcode
        WHERE x.month = :m AND g.prov_adcode = '440000' AND x.industry_code = 'C'
        GROUP BY p.short_name, p.name""", m=latest)
    label = expected["short_name"].fillna(expected["name"])
    chart = pio.from_json(at.get("plotly_chart")[1].proto.spec)
    arrears_rate = dict(zip(plotly_values(chart.data[0].x), plotly_values(chart.data[0].y), strict=True))
    high_rate = dict(zip(plotly_values(chart.data[1].x), plotly_values(chart.data[1].y), strict=True))
    assert set(arrears_rate) == set(label)
    for name, row in zip(label, expected.itertuples(), strict=True):
        assert arrears_rate[name] == pytest.approx(row.arrears / row.households)
        assert high_rate[name] == pytest.approx(row.high / row.households)


def test_category_filter_is_answered_per_population(app, demo_db):
    at = _open(app, cat="W1")
    assert any("困难职工" in c.value and "深度困难职工" in c.value for c in at.caption)
    expected = _expected(_rows(demo_db, "000000", latest_month(demo_db), population="worker"))
    table = at.dataframe[0].value
    assert table["households"].to_dict() == expected["households"].to_dict()


@pytest.mark.parametrize("value", ["XX", "c", "'; DROP TABLE industry;--"])
def test_invalid_industry_in_url_falls_back(app, value):
    at = _open(app, industry=value)
    assert at.selectbox(key="industry").value == ""
    assert "industry" not in at.query_params


def test_english_names_from_the_industry_table(app, demo_db):
    at = _open(app, lang="en")
    names = set(sql(demo_db, "SELECT name_en FROM industry")["name_en"])
    assert set(at.dataframe[0].value["industry"]) <= names


def test_region_without_children_says_so(app):
    at = _open(app, prov="440000", pref="441900")  # 东莞: a prefecture without counties
    assert any(i.value == "东莞市没有下级地区的行业数据。" for i in at.info)
    assert len(at.get("plotly_chart")) == 1  # the trends still show
