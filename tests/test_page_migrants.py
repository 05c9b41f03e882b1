"""The 农民工 screen through AppTest on both backends: what it shows equals SQL on the same database."""

from __future__ import annotations

import json
from functools import partial

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.domain.months import SPRING_FESTIVAL, add_months, festival_month
from safetynet.domain.risk import Flag
from tests.support import latest_month, one, open_page, sql

PAGE = "pages/migrants.py"
_open = partial(open_page, page=PAGE, run_home=True)
SCOPE = {"000000": "1 = 1", "520000": "c.prov_adcode = :r", "441900": "c.pref_adcode = :r"}


def _metric(at: AppTest, starts: str):
    return next(m for m in at.metric if m.label.startswith(starts))


def _query_for(region: str) -> dict[str, str]:
    if region == "000000":
        return {}
    query = {"prov": region[:2] + "0000"}
    if region != query["prov"]:
        query["pref"] = region
    return query


def _flag_count(engine, flag: int, month: int, region: str) -> int:
    return one(engine, "SELECT COUNT(*) FROM risk_score s JOIN household_current c ON c.hh_id = s.hh_id "
                       f"WHERE s.month = :m AND (s.flags & :bit) <> 0 AND {SCOPE[region]}",
               m=month, bit=int(flag), r=region)


def test_page_runs_nationally_and_in_english(app):
    at = _open(app)
    assert at.title[0].value == "农民工"
    assert len(at.metric) == 6
    i18n.set_lang("en")  # AppTest re-applies widgets' format_func in this thread when it reruns
    at = _open(app, lang="en", prov="520000")
    assert at.title[0].value == "Migrant workers"
    assert any(m.label.startswith("Not back after Spring Festival (") for m in at.metric)
    chinese = [c.value for c in at.main.caption if any("\u4e00" <= ch <= "\u9fff" for ch in c.value)]
    assert chinese and all("贵州省" in c for c in chinese), chinese  # only the place name stays Chinese


@pytest.mark.parametrize("region", ["000000", "520000", "441900"])
def test_kpis_equal_flag_counts(app, demo_db, region):
    at = _open(app, **_query_for(region))
    latest = latest_month(demo_db)
    months = set(sql(demo_db, "SELECT DISTINCT month FROM risk_score")["month"])
    returns = [add_months(festival_month(y), 1) for y in SPRING_FESTIVAL]
    post = max(m for m in returns if m in months and m <= latest)

    not_returned = _metric(at, "春节后未返岗")
    assert not_returned.label == f"春节后未返岗（{i18n.fmt_month(post)}）"
    assert not_returned.value == i18n.fmt_count(_flag_count(demo_db, Flag.NOT_RETURNED, post, region))
    for label, flag in (("农民工家庭", Flag.MIGRANT), ("失业或未返岗", Flag.OUT_OF_WORK), ("欠薪", Flag.WAGE_ARREARS),
                        ("平台/灵活就业未参保", Flag.PLATFORM_UNINSURED), ("心理疏导转介", Flag.COUNSELLING)):
        assert _metric(at, label).value == i18n.fmt_count(_flag_count(demo_db, flag, latest, region)), label


def test_not_returned_compares_with_the_previous_festival(app, demo_db):
    at = _open(app)
    latest = latest_month(demo_db)
    months = set(sql(demo_db, "SELECT DISTINCT month FROM risk_score")["month"])
    returns = sorted(m for m in (add_months(festival_month(y), 1) for y in SPRING_FESTIVAL)
                     if m in months and m <= latest)
    assert len(returns) >= 2, "the test demo must span two Spring Festivals"
    now, before = (_flag_count(demo_db, Flag.NOT_RETURNED, m, "000000") for m in (returns[-1], returns[-2]))
    index = [m.label for m in at.metric].index(_metric(at, "春节后未返岗").label)
    badges = [m.value for m in at.markdown if "-badge[" in m.value and "同比" in m.value]  # one per card, in order
    assert badges[index].endswith(f"同比 {now - before:+,.0f}]"), badges


def _flows_sql(engine, month: int, unit: str, cond: str, region: str) -> pd.DataFrame:
    key = {"province": "{a}.prov_adcode", "prefecture": "COALESCE({a}.pref_adcode, {a}.adcode)"}[unit]
    return sql(engine, (
        f"SELECT {key.format(a='o')} AS origin, {key.format(a='w')} AS work, COUNT(*) AS workers, "
        "SUM(CASE WHEN o.prov_adcode <> w.prov_adcode THEN 1 ELSE 0 END) AS cross_province "
        "FROM person p JOIN household_current c ON c.hh_id = p.hh_id "
        "JOIN region o ON o.adcode = p.origin_adcode JOIN region w ON w.adcode = p.work_adcode "
        f"WHERE p.is_migrant = :yes AND c.month = :m AND {cond} "
        f"GROUP BY {key.format(a='o')}, {key.format(a='w')}"), m=month, r=region, yes=True)


def _expected_top(engine, flows: pd.DataFrame) -> list[list[str]]:
    names = sql(engine, "SELECT adcode, name FROM region").set_index("adcode")["name"]
    flows = flows[flows["origin"] != flows["work"]]  # the table lists flows between two areas
    top = flows.sort_values(["workers", "origin", "work"], ascending=[False, True, True]).head(10)
    return [[names[o], names[w], i18n.fmt_count(n), i18n.fmt_count(x)]
            for o, w, n, x in top[["origin", "work", "workers", "cross_province"]].itertuples(index=False)]


def _shown_ends(engine, flows: pd.DataFrame, province: str | None) -> pd.DataFrame:
    """Prefecture flows (from persons) with each end as the screen shows it, summed here in pandas: the
    prefecture inside `province`, the province outside it (always the province nationally)."""
    prov = sql(engine, "SELECT adcode, prov_adcode FROM region").set_index("adcode")["prov_adcode"]

    def end(code: str) -> str:
        return code if province is not None and prov[code] == province else prov[code]

    shown = flows.assign(origin=flows["origin"].map(end), work=flows["work"].map(end))
    return shown.groupby(["origin", "work"], as_index=False)[["workers", "cross_province"]].sum()


def _deck_arcs(at: AppTest) -> list[str]:
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return [arc["tooltip"] for layer in deck["layers"] if layer["id"] == "flows" for arc in layer["data"]]


def test_top_flows_equal_a_group_by_over_person(app, demo_db):
    at = _open(app)
    latest = latest_month(demo_db)
    finer = _flows_sql(demo_db, latest, "prefecture", "1 = 1", "000000")
    flows = _shown_ends(demo_db, finer, None)
    assert flows.equals(_shown_ends(demo_db, _flows_sql(demo_db, latest, "province", "1 = 1", "000000"), None))
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["来源地", "务工地", "农民工人数", "其中跨省"]
    assert shown.values.tolist() == _expected_top(demo_db, flows)
    total = int(flows["workers"].sum())
    assert any(f"共{i18n.fmt_count(total)}名农民工" in c.value for c in at.caption)


def test_national_flows_are_between_provinces(app, demo_db):
    """Issue 12: the national map's top flows stayed inside one province; now none does."""
    at = _open(app)
    assert at.subheader[1].value == "农民工跨省流向：从来源省到务工省"
    shown = at.dataframe[0].value
    assert (shown["来源地"] != shown["务工地"]).all() and len(shown) == 10
    provinces = set(sql(demo_db, "SELECT name FROM region WHERE level = 1")["name"])
    assert set(shown["来源地"]) | set(shown["务工地"]) <= provinces
    assert (shown["农民工人数"] == shown["其中跨省"]).all()  # between provinces means across provinces
    arcs = _deck_arcs(at)
    assert arcs and all(a.split(" → ")[0] != a.split(" → ")[1].split("：")[0] for a in arcs)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "local-flows" not in [layer["id"] for layer in deck["layers"]]


def test_in_a_province_flows_are_its_prefectures_and_other_provinces(app, demo_db):
    at = _open(app, prov="520000")
    assert at.subheader[1].value == "农民工流向：省内按地市，省外按省"
    finer = _flows_sql(demo_db, latest_month(demo_db), "prefecture", "c.prov_adcode = :r", "520000")
    flows = _shown_ends(demo_db, finer, "520000")
    assert at.dataframe[0].value.values.tolist() == _expected_top(demo_db, flows)
    names = sql(demo_db, "SELECT adcode, name, level, prov_adcode FROM region").set_index("name")
    for origin, work in at.dataframe[0].value[["来源地", "务工地"]].itertuples(index=False):
        assert origin != work
        for place in (origin, work):  # a prefecture of 贵州, or a whole other province
            row = names.loc[place]
            assert (row["prov_adcode"] == "520000" and row["level"] == 2) or (
                row["prov_adcode"] != "520000" and row["level"] == 1), place
    assert int(flows["workers"].sum()) == int(finer["workers"].sum())


def test_flows_respect_a_county_filter(app, demo_db):
    latest = latest_month(demo_db)
    county = sql(demo_db, (
        "SELECT c.adcode, g.parent_adcode, g.prov_adcode, COUNT(*) AS n FROM person p "
        "JOIN household_current c ON c.hh_id = p.hh_id JOIN region g ON g.adcode = c.adcode "
        "JOIN region parent ON parent.adcode = g.parent_adcode "
        "WHERE p.is_migrant = :yes AND c.month = :m AND parent.level = 2 "
        "AND p.origin_adcode IS NOT NULL AND p.work_adcode IS NOT NULL "
        "GROUP BY c.adcode, g.parent_adcode, g.prov_adcode ORDER BY COUNT(*) DESC, c.adcode"),
        m=latest, yes=True).iloc[0]
    at = _open(app, prov=county["prov_adcode"], pref=county["parent_adcode"], county=county["adcode"])
    assert at.query_params.get("county") in (county["adcode"], [county["adcode"]])
    flows = _shown_ends(demo_db, _flows_sql(demo_db, latest, "prefecture", "c.adcode = :r", county["adcode"]),
                        county["prov_adcode"])
    assert int(flows["workers"].sum()) == int(county["n"])
    shown = at.dataframe[0].value
    assert shown.values.tolist() == _expected_top(demo_db, flows)
    nation = _flows_sql(demo_db, latest, "province", "1 = 1", "000000")
    assert int(flows["workers"].sum()) < int(nation["workers"].sum())
    assert any(f"共{i18n.fmt_count(int(county['n']))}名农民工" in c.value for c in at.caption)
    assert "省内按地市" in at.subheader[1].value


def test_workplace_table_equals_sql(app, demo_db):
    at = _open(app, prov="520000")
    expected = sql(demo_db, (
        "SELECT p.work_place, COUNT(*) AS workers, SUM(CASE WHEN c.tier = '高' THEN 1 ELSE 0 END) AS high "
        "FROM person p JOIN household_current c ON c.hh_id = p.hh_id "
        "WHERE p.is_migrant = :yes AND c.month = :m AND c.prov_adcode = :r GROUP BY p.work_place"),
        m=latest_month(demo_db), r="520000", yes=True).set_index("work_place")
    table = at.dataframe[1].value.set_index("务工地点")
    for place in ("县内", "省内县外", "省外"):
        if place in expected.index:
            row = expected.loc[place]
            assert table.at[place, "农民工人数"] == i18n.fmt_count(int(row["workers"]))
            assert table.at[place, "在高风险家庭"] == i18n.fmt_pct(int(row["high"]) / int(row["workers"]))
    assert table.at["合计", "农民工人数"] == i18n.fmt_count(int(expected["workers"].sum()))


def test_flow_map_is_offline(app):
    at = _open(app)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    text_ = json.dumps(deck)
    assert "mapProvider" not in deck or deck.get("mapProvider") in (None, "")
    assert not str(deck.get("mapStyle", "")).startswith("http")
    assert "cartocdn" not in text_ and "mapbox" not in text_
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert list(layers)[:4] == ["sea", "world", "provinces", "boundary-lines"]
    assert layers["flows"]["@@type"] == "ArcLayer" and layers["flows"]["widthUnits"] == "pixels"
    assert all("→" in arc["tooltip"] and arc["tooltip"].endswith("人") for arc in layers["flows"]["data"])


def test_counselling_is_only_a_count_with_a_consent_note(app):
    at = _open(app)
    assert any("本人同意" in c.value and "不列名单" in c.value for c in at.caption)
    assert any("风险评分用于提示走访" in c.value for c in at.caption)
    shown = " ".join(" ".join(map(str, d.value.columns)) for d in at.dataframe)
    assert "姓名" not in shown and "户主" not in shown


def test_a_scoped_user_sees_only_their_region(app, demo_db):
    from safetynet.auth import User

    at = _open(app, user=User(user_id=7, username="gz_staff", display_name="贵州工作人员", role="staff",
                              scope="520000"))
    latest = latest_month(demo_db)
    assert _metric(at, "农民工家庭").value == i18n.fmt_count(_flag_count(demo_db, Flag.MIGRANT, latest, "520000"))
    flows = _shown_ends(demo_db, _flows_sql(demo_db, latest, "prefecture", "c.prov_adcode = :r", "520000"), "520000")
    assert at.dataframe[0].value.values.tolist() == _expected_top(demo_db, flows)


def test_counselling_counts_only_households_that_consented(app, demo_db):
    """心理疏导转介 counts a household only with its recorded consent (DOMAIN §3 H): a referral stored without it
    is not counted. The demo has referrals on both sides, so the count tells them apart."""
    latest = latest_month(demo_db)
    referred = sql(demo_db, """
        SELECT s.hh_id, MAX(CASE WHEN h.psych_consent THEN 1 ELSE 0 END) AS consent
        FROM risk_score s JOIN household h ON h.hh_id = s.hh_id JOIN person p ON p.hh_id = s.hh_id
        WHERE s.month = :m AND p.is_migrant AND p.birth_year >= 1980 AND p.work_place IN ('省内县外', '省外')
          AND p.counselling_referred
        GROUP BY s.hh_id""", m=latest)
    assert (referred["consent"] == 0).any() and (referred["consent"] == 1).any()
    at = _open(app)
    assert _metric(at, "心理疏导转介（新生代农民工）").value == i18n.fmt_count(int((referred["consent"] == 1).sum()))
