"""安置点 through AppTest on both backends: the numbers shown equal SQL on the same database."""

from __future__ import annotations

from functools import partial

import pandas as pd
import plotly.io as pio
import pytest
from sqlalchemy import Date, bindparam, text
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.domain import codes
from safetynet.domain.months import add_months, first_day
from safetynet.domain.risk import Flag
from safetynet.privacy import suppress_small
from tests.support import latest_month, open_page, plotly_values, sql

PAGE = "pages/sites.py"
_open = partial(open_page, page=PAGE, run_home=True, reset_lang=True)
SCOPE_TILES = 5  # the page's first tiles are over all sites in scope; a site's own tiles follow


def _scope(region: str) -> str:
    return "1 = 1" if region == "000000" else "(g.adcode = :r OR g.pref_adcode = :r OR g.prov_adcode = :r)"


def _per_site(engine, region: str = "000000",
              categories: tuple[str, ...] = tuple(codes.CATEGORIES)) -> pd.DataFrame:
    """Straight from risk_score: each site's households, tiers and jobs in the latest month."""
    cats = ", ".join(f"'{c}'" for c in categories)  # constants from the code list
    frame = sql(engine, f"""
        SELECT s.site_id, s.name, COUNT(x.hh_id) AS households,
               SUM(CASE WHEN x.tier = '高' THEN 1 ELSE 0 END) AS high,
               SUM(x.labour) AS labour, SUM(x.employed) AS employed,
               SUM(CASE WHEN (x.flags & {int(Flag.LABOUR_NO_JOB)}) <> 0 THEN 1 ELSE 0 END) AS no_job,
               SUM(CASE WHEN (x.flags & {int(Flag.ASSISTED)}) <> 0 THEN 1 ELSE 0 END) AS assisted
        FROM relocation_site s JOIN region g ON g.adcode = s.adcode
        LEFT JOIN risk_score x ON x.site_id = s.site_id AND x.month = :m AND x.category IN ({cats})
        WHERE {_scope(region)} GROUP BY s.site_id, s.name ORDER BY s.site_id""", m=latest_month(engine), r=region)
    return frame.fillna(0).set_index("site_id")


def _shown_count(n: float) -> str:
    shown = suppress_small(int(n))
    return shown if isinstance(shown, str) else i18n.fmt_count(shown)


def _pct(share: float) -> str:
    """A share as a tile shows it: one decimal, but "100%" at the top."""
    return i18n.fmt_pct(share, 0 if share >= 0.9995 else 1)


def _rate(num: float, den: float) -> float | None:
    return None if den < 5 else num / den


def _metric(at: AppTest, label: str, index: int = 0) -> str:
    return [m.value for m in at.metric if m.label == label][index]


def _figures(at: AppTest) -> list:
    return [pio.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("query", [{}, {"prov": "520000"}, {"lang": "en"}, {"pop": "worker"}, {"cat": "R01"}])
def test_sites_page_runs(app, query):
    at = _open(app, **query)
    assert at.title[0].value == ("Relocation sites" if query.get("lang") == "en" else "安置点")


@pytest.mark.parametrize("region", ["000000", "520000"])
def test_site_table_equals_sql(app, demo_db, region):
    at = _open(app, **({} if region == "000000" else {"prov": region}))
    table = at.dataframe[0].value
    expected = _per_site(demo_db, region)
    assert sorted(table.index) == sorted(expected.index)  # exactly the sites inside the region
    for site_id, row in expected.iterrows():
        shown = table.loc[site_id]
        assert shown["name"] == row["name"]
        assert shown["households"] == _shown_count(row["households"])
        assert shown["tier_high"] == _shown_count(row["high"])
        assert shown["labour_no_job"].replace("⚠ ", "") == _shown_count(row["no_job"])
        emp = _rate(row["employed"], row["labour"])
        assert (pd.isna(shown["emp_rate"]) if emp is None else shown["emp_rate"] == pytest.approx(emp * 100))
        cov = _rate(row["assisted"], row["households"])
        assert (pd.isna(shown["assist_cov"]) if cov is None else shown["assist_cov"] == pytest.approx(cov * 100))


def test_small_counts_are_suppressed_at_site_level(app, demo_db):
    at = _open(app)
    table = at.dataframe[0].value
    expected = _per_site(demo_db)
    small = expected.loc[(expected["households"] > 0) & (expected["households"] < 5)]
    assert not small.empty, "the test database should hold a site with fewer than 5 households"
    for site_id in small.index:
        assert table.at[site_id, "households"] == "<5"
    counts = pd.concat([table["households"], table["tier_high"]])
    assert not any(value in {"1", "2", "3", "4"} for value in counts)


def test_scope_tiles_equal_sql(app, demo_db):
    at = _open(app, prov="520000")
    expected = _per_site(demo_db, "520000").sum()
    assert _metric(at, "评分户数") == _shown_count(expected["households"])
    assert _metric(at, "搬迁劳动力就业率") == _pct(expected["employed"] / expected["labour"])
    assert _metric(at, "高风险户占比") == _pct(expected["high"] / expected["households"])
    no_job = _metric(at, "零就业家庭")
    shown = _shown_count(expected["no_job"])
    assert no_job == (f":red[**{shown}**]" if expected["no_job"] > 0 else shown)  # red while above the target 0
    facts = sql(demo_db, "SELECT COUNT(*) AS n, SUM(s.people_relocated) AS people FROM relocation_site s "
                         f"JOIN region g ON g.adcode = s.adcode WHERE {_scope('520000')}", r="520000").iloc[0]
    summary = next(m.value for m in at.markdown if "个安置点" in m.value)
    assert f"**{int(facts['n'])}**个安置点" in summary and f"**{i18n.fmt_count(int(facts['people']))}** 人" in summary


def test_category_filter_narrows_the_measures(app, demo_db):
    at = _open(app, cat="R03")
    table = at.dataframe[0].value
    for site_id, row in _per_site(demo_db, categories=("R03",)).iterrows():
        assert table.at[site_id, "households"] == _shown_count(row["households"])


def test_site_detail_from_the_url(app, demo_db):
    expected = _per_site(demo_db)
    site_id = int(expected["households"].idxmax())
    at = _open(app, site=str(site_id))
    assert at.selectbox(key="site").value == str(site_id)
    assert any(f"#### {expected.at[site_id, 'name']}" in m.value for m in at.markdown)
    row = expected.loc[site_id]
    assert _metric(at, "评分户数", 1) == _shown_count(row["households"])
    assert _metric(at, "高风险户", 0) == _shown_count(row["high"])
    assert _metric(at, "搬迁劳动力就业率", 1) == _pct(row["employed"] / row["labour"])
    # assistance by type: households of the site that received it in the last 12 months ÷ households
    month = latest_month(demo_db)
    aid = sql(demo_db, text("""
        SELECT a.aid_type, COUNT(DISTINCT a.hh_id) AS n FROM assistance a
        JOIN risk_score x ON x.hh_id = a.hh_id AND x.month = :m AND x.site_id = :s
        WHERE a.delivered_on >= :since AND a.delivered_on < :until GROUP BY a.aid_type""").bindparams(
        bindparam("since", type_=Date), bindparam("until", type_=Date)),
              m=month, s=site_id, since=first_day(add_months(month, -11)), until=first_day(add_months(month, 1)))
    aid_fig = next(f for f in _figures(at) if f.layout.title.text == "近12个月各类帮扶覆盖")
    shares = dict(zip(plotly_values(aid_fig.data[0].y), plotly_values(aid_fig.data[0].x), strict=True))
    assert shares == pytest.approx({r.aid_type: r.n / row["households"] for r in aid.itertuples()})
    # risk mix per month: 高/中/低 shares of the site's households
    tiers = sql(demo_db, "SELECT tier, COUNT(*) AS n FROM risk_score WHERE site_id = :s AND month = :m GROUP BY tier",
                s=site_id, m=month).set_index("tier")["n"]
    mix = next(f for f in _figures(at) if f.layout.title.text == "风险等级构成（按月）")
    for trace, tier in zip(mix.data, ("高", "中", "低"), strict=True):
        assert trace.marker.color == codes.TIERS[tier][2]
        assert plotly_values(trace.y)[-1] == pytest.approx(tiers.get(tier, 0) / row["households"])


@pytest.mark.parametrize("query", [{"site": "abc"}, {"site": "99999"}, {"site": "1; DROP TABLE household"},
                                   {"sort": "bogus"}])
def test_invalid_url_values_fall_back(app, query):
    at = _open(app, **query)
    assert at.selectbox(key="site").value == ""
    assert at.selectbox(key="sort").value == "risk"
    assert "site" not in at.query_params and "sort" not in at.query_params


def test_site_outside_the_region_is_not_opened(app, demo_db):
    outside = sql(demo_db, "SELECT s.site_id FROM relocation_site s JOIN region g ON g.adcode = s.adcode "
                           "WHERE g.prov_adcode <> '520000' ORDER BY s.site_id")["site_id"]
    at = _open(app, prov="520000", site=str(int(outside.iloc[0])))
    assert at.selectbox(key="site").value == ""


def test_sort_from_the_url(app, demo_db):
    at = _open(app, sort="jobs")
    rates = at.dataframe[0].value["emp_rate"].dropna().tolist()
    assert rates == sorted(rates)
    assert at.query_params["sort"] in ("jobs", ["jobs"])  # the choice stays in the link


def test_english_site_page(app):
    at = _open(app, lang="en", site="1")
    labels = [m.label for m in at.metric]
    assert "Employment rate" in labels and "Jobless homes" in labels
    assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels)


def test_region_without_sites_says_so(app, demo_db):
    provinces = sql(demo_db, "SELECT DISTINCT g.prov_adcode FROM relocation_site s JOIN region g ON g.adcode = s.adcode")
    empty = next(code for code in ("110000", "310000", "330000") if code not in set(provinces["prov_adcode"]))
    at = _open(app, prov=empty)
    assert [i.value for i in at.info] == ["当前地区没有易地扶贫搬迁安置点的数据。"]
    assert not at.dataframe and not at.metric
