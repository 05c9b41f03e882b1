"""Scoring and roll-ups from the database agree with the demo and with direct SQL."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import bindparam, text

from safetynet.domain import risk
from safetynet.pipeline import rescore, rollup
from tests.frames import DERIVED_KEYS, assert_frames_equal

SCORE_KEY = ["hh_id", "month"]


def _frame(engine, sql: str) -> pd.DataFrame:
    return pd.read_sql(sql, engine)


def test_rescore_reproduces_the_demo_scores(writable_demo_db):
    before = _frame(writable_demo_db, "SELECT * FROM risk_score")
    current_before = _frame(writable_demo_db, "SELECT * FROM household_current")
    rollup_before = _frame(writable_demo_db, "SELECT * FROM rollup_region_month")
    result = rescore.rescore_all(writable_demo_db)
    assert result["households"] == 300
    assert_frames_equal(before, _frame(writable_demo_db, "SELECT * FROM risk_score"), SCORE_KEY)
    assert_frames_equal(current_before, _frame(writable_demo_db, "SELECT * FROM household_current"), ["hh_id"])
    assert_frames_equal(rollup_before, _frame(writable_demo_db, "SELECT * FROM rollup_region_month"),
                         ["adcode", "population", "category", "month"])


DIRECT_REGION = """
SELECT s.month, s.category,
       COUNT(*) AS households, SUM(s.members) AS persons,
       SUM(CASE WHEN s.tier = '高' THEN 1 ELSE 0 END) AS tier_high,
       SUM(CASE WHEN s.tier = '中' THEN 1 ELSE 0 END) AS tier_mid,
       SUM(CASE WHEN s.tier = '低' THEN 1 ELSE 0 END) AS tier_low,
       SUM(CASE WHEN (s.flags & :newly) <> 0 THEN 1 ELSE 0 END) AS newly_high,
       SUM(CASE WHEN (s.flags & :assisted) <> 0 THEN 1 ELSE 0 END) AS assisted,
       SUM(CASE WHEN (s.flags & :elim) <> 0 THEN 1 ELSE 0 END) AS eliminated,
       SUM(s.income) AS income_sum
FROM risk_score s JOIN region r ON r.adcode = s.adcode
WHERE r.prov_adcode = :prov
GROUP BY s.month, s.category
"""


def test_rollups_equal_direct_aggregation(demo_db):
    """Province rows of the roll-up equal GROUP BY over the fact table, for every province."""
    provinces = _frame(demo_db, "SELECT DISTINCT prov_adcode FROM household_current")["prov_adcode"]
    assert len(provinces) > 5
    for prov in provinces:
        direct = pd.read_sql(text(DIRECT_REGION), demo_db, params={
            "newly": int(risk.Flag.NEWLY_HIGH), "assisted": int(risk.Flag.ASSISTED),
            "elim": int(risk.Flag.ELIMINATED), "prov": prov})
        stored = pd.read_sql(text(
            "SELECT month, category, households, persons, tier_high, tier_mid, tier_low, newly_high, assisted, "
            "eliminated, income_sum FROM rollup_region_month WHERE adcode = :prov"), demo_db, params={"prov": prov})
        assert_frames_equal(direct, stored, ["month", "category"])


def test_migrant_rollup_equals_person_rows_at_every_level(demo_db):
    """rollup_migrant's rows for every region equal a pandas count over the migrants of household_current:
    flows between provinces for the nation, between prefectures below it."""
    people = _frame(demo_db, "SELECT p.origin_adcode, p.work_adcode, p.work_place, p.pension_insured, "
                             "p.injury_insured, c.adcode, c.pref_adcode, c.prov_adcode, c.category, c.month, c.tier "
                             "FROM person p JOIN household_current c ON c.hh_id = p.hh_id WHERE p.is_migrant = true")
    regions = _frame(demo_db, "SELECT adcode, pref_adcode, prov_adcode FROM region").set_index("adcode")
    prefecture = regions["pref_adcode"].fillna(pd.Series(regions.index, index=regions.index))
    people = people.assign(
        origin_pref=people["origin_adcode"].map(prefecture).fillna(""), work_pref=people["work_adcode"].map(prefecture).fillna(""),
        origin_prov=people["origin_adcode"].map(regions["prov_adcode"]).fillna(""),
        work_prov=people["work_adcode"].map(regions["prov_adcode"]).fillna(""),
        work_place=people["work_place"].fillna(""), nation="000000",
        in_high=(people["tier"] == "高").astype(int),
        uninsured=((people["pension_insured"] == False) & (people["injury_insured"] == False)).astype(int))  # noqa: E712
    people["cross_province"] = ((people["origin_prov"] != "") & (people["work_prov"] != "")
                                & (people["origin_prov"] != people["work_prov"])).astype(int)
    expected = []
    for target, unit in (("nation", "prov"), ("prov_adcode", "pref"), ("pref_adcode", "pref"), ("adcode", "pref")):
        grouped = people.groupby([target, "category", "month", f"origin_{unit}", f"work_{unit}", "work_place"],
                                 as_index=False).agg(workers=("tier", "size"), cross_province=("cross_province", "sum"),
                                                     in_high=("in_high", "sum"), uninsured=("uninsured", "sum"))
        expected.append(grouped.set_axis(["adcode", "category", "month", "origin", "work", "work_place",
                                          "workers", "cross_province", "in_high", "uninsured"], axis=1))
    # municipality districts: their prefecture is the province, counted once
    expected = pd.concat(expected, ignore_index=True).drop_duplicates(
        ["adcode", "category", "month", "origin", "work", "work_place"])
    stored = _frame(demo_db, "SELECT adcode, category, month, origin, work, work_place, workers, cross_province, "
                             "in_high, uninsured FROM rollup_migrant")
    assert len(people) > 100 and people["cross_province"].sum() > 0 and people["in_high"].sum() > 0
    assert_frames_equal(stored, expected, ["adcode", "category", "month", "origin", "work", "work_place"])


def test_every_level_sums_to_the_nation(demo_db):
    frame = _frame(demo_db, "SELECT level, month, SUM(households) n, SUM(tier_high) hi FROM rollup_region_month "
                            "GROUP BY level, month")
    nation = frame[frame.level == 0].set_index("month").sort_index()
    provinces = frame[frame.level == 1].set_index("month").sort_index()
    assert (provinces["n"] == nation["n"]).all() and (provinces["hi"] == nation["hi"]).all()
    # leaves: counties, and prefecture-level units without counties (东莞, 中山 …)
    leaves = _frame(demo_db, "SELECT month, SUM(households) n FROM rollup_region_month r WHERE level = 3 OR "
                             "(level = 2 AND NOT EXISTS (SELECT 1 FROM region c WHERE c.parent_adcode = r.adcode)) "
                             "GROUP BY month").set_index("month").sort_index()
    assert (leaves["n"] == nation["n"]).all()
    scores = _frame(demo_db, "SELECT month, COUNT(*) n FROM risk_score GROUP BY month").set_index("month")["n"].sort_index()
    assert (scores == nation["n"]).all()


def test_industry_and_site_rollups_match_scores(demo_db):
    ind = _frame(demo_db, "SELECT industry_code, SUM(households) n FROM rollup_industry_month WHERE level = 0 "
                          "GROUP BY industry_code").set_index("industry_code")["n"]
    direct = _frame(demo_db, "SELECT COALESCE(industry_code, 'Z') AS industry_code, COUNT(*) n FROM risk_score "
                             "GROUP BY COALESCE(industry_code, 'Z')").set_index("industry_code")["n"]
    assert ind.sort_index().to_dict() == direct.sort_index().to_dict()
    site = _frame(demo_db, "SELECT site_id, month, SUM(households) n, SUM(labour_no_job) lnj FROM rollup_site_month "
                           "GROUP BY site_id, month")
    direct_site = _frame(demo_db, f"SELECT site_id, month, COUNT(*) n, SUM(CASE WHEN (flags & {int(risk.Flag.LABOUR_NO_JOB)}) <> 0 "
                                  "THEN 1 ELSE 0 END) lnj FROM risk_score WHERE site_id IS NOT NULL GROUP BY site_id, month")
    assert_frames_equal(site, direct_site, ["site_id", "month"])


def test_median_from_histogram_is_close_to_the_exact_median(demo_db):
    rows = _frame(demo_db, "SELECT * FROM rollup_region_month WHERE adcode = '000000' AND month = 202610")
    bins = rows[[f"r_b{i:02d}" for i in range(12)]].sum().to_numpy()
    estimate = risk.median_from_bins(bins)
    exact = _frame(demo_db, "SELECT r FROM risk_score WHERE month = 202610 AND r IS NOT NULL")["r"].median()
    assert estimate == pytest.approx(exact, abs=0.08)


def test_incremental_rescore_equals_full_rebuild(writable_demo_db):
    """Change some households' data, re-score just them, and compare with a full rebuild."""
    with writable_demo_db.begin() as conn:
        conn.execute(text("UPDATE household_month SET income_wage = income_wage * 0.3 WHERE hh_id IN (3, 4, 5) AND month >= 202601"))
        conn.execute(text("UPDATE household SET adcode = (SELECT adcode FROM household WHERE hh_id = 200) WHERE hh_id = 4"))
        # household 4's migrants move with it (rollup_migrant counts them in both counties' rows); household 5
        # gains a migrant working in another province
        conn.execute(text("UPDATE person SET is_migrant = :yes, work_place = '省外', work_adcode = '440300', "
                          "origin_adcode = (SELECT adcode FROM household WHERE hh_id = 5) "
                          "WHERE person_id = (SELECT MIN(person_id) FROM person WHERE hh_id = 5)"), {"yes": True})
        rescore.rescore_households(conn, [3, 4, 5])
    incremental = {t: _frame(writable_demo_db, f"SELECT * FROM {t}") for t in DERIVED_KEYS}
    rescore.rescore_all(writable_demo_db)
    keys = DERIVED_KEYS
    for table, frame in incremental.items():
        assert_frames_equal(frame, _frame(writable_demo_db, f"SELECT * FROM {table}"), keys[table])
    changed = _frame(writable_demo_db, "SELECT tier, r FROM risk_score WHERE hh_id = 3 AND month = 202610")
    assert changed["r"].iloc[0] < 2.5  # the cut reached the score


@pytest.mark.parametrize("everyone", [False, True], ids=["some households", "every household"])
def test_one_month_rescore_equals_full_rebuild(writable_demo_db, everyone):
    """A corrected latest month, re-scored alone from its 15-month window, gives what a full rebuild gives."""
    from safetynet.pipeline.month import rescore_month

    with writable_demo_db.begin() as conn:
        month = conn.execute(text("SELECT MAX(month) FROM household_month")).scalar()
        ids = [r[0] for r in conn.execute(text("SELECT hh_id FROM household_month WHERE month = :m "  # sparse ids
                                               "AND hh_id % 7 = 0 ORDER BY hh_id LIMIT 40"), {"m": month})]
        cut = ids[::2]
        conn.execute(text("UPDATE household_month SET income_wage = 0, income_operating = 0, wage_arrears = :yes "
                          "WHERE month = :m AND hh_id IN :ids").bindparams(bindparam("ids", expanding=True)),
                     {"m": month, "ids": cut, "yes": True})
        result = rescore_month(conn, month, None if everyone else ids, chunk=7)
    assert result["households"] == (result["households"] if everyone else len(ids)) > 0
    one_month = {t: _frame(writable_demo_db, f"SELECT * FROM {t}") for t in DERIVED_KEYS}
    rescore.rescore_all(writable_demo_db)
    keys = DERIVED_KEYS
    for table, frame in one_month.items():
        assert_frames_equal(frame, _frame(writable_demo_db, f"SELECT * FROM {table}"), keys[table])
    with writable_demo_db.connect() as conn:
        tiers = pd.read_sql(text("SELECT tier FROM risk_score WHERE month = :m AND hh_id IN :ids")
                            .bindparams(bindparam("ids", expanding=True)), conn, params={"m": month, "ids": cut})
    assert (tiers["tier"] == "高").any()  # the correction reached the scores


def test_region_index_ancestors(demo_db):
    with demo_db.connect() as conn:
        regions = rollup.RegionIndex.load(conn)
    assert regions.ancestors("520102") == ["520102", "520100", "520000", "000000"]
    assert regions.ancestors("441900") == ["441900", "440000", "000000"]  # 东莞: no county level
    assert regions.ancestors("110101") == ["110101", "110000", "000000"]  # municipality


def test_current_high_since_is_the_start_of_the_running_high_spell(demo_db):
    """household_current.high_since: the first month of the unbroken run of 高 that reaches the latest month,
    NULL for a household that is not 高 now (schema.md) — derived here straight from risk_score."""
    with demo_db.connect() as conn:
        scores = pd.read_sql(text("SELECT hh_id, month, tier FROM risk_score ORDER BY hh_id, month"), conn)
        current = pd.read_sql(text("SELECT hh_id, month, tier, high_since FROM household_current"), conn)
    expected = {}
    for hh_id, rows in scores.groupby("hh_id"):
        since = None
        for month, tier in zip(rows["month"], rows["tier"], strict=True):
            since = (since or month) if tier == "高" else None
        expected[hh_id] = since
    got = current.set_index("hh_id")["high_since"]
    assert (current["tier"] != "高").any() and (current["tier"] == "高").any()
    assert got[current.set_index("hh_id")["tier"] != "高"].isna().all()
    high = current.loc[current["tier"] == "高", "hh_id"]
    assert {h: int(got[h]) for h in high} == {h: expected[h] for h in high}


def _heap_fetches(engine) -> int:
    """Rows a covered count of household_current still had to read from the table (PostgreSQL)."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) SELECT COUNT(*) FROM household_current "
                                 "WHERE tier = '高'")).scalar()
    node = plan[0]["Plan"]
    while node.get("Node Type") != "Index Only Scan":
        node = node["Plans"][0]
    return int(node["Heap Fetches"])


def test_vacuum_watchlist_keeps_the_watchlist_counts_index_only(writable_demo_db):
    """After re-scoring, PostgreSQL's covered counts of household_current read the table again (its pages are
    no longer all-visible) until vacuum_watchlist; on SQLite there is nothing to do and nothing changes."""
    engine = writable_demo_db
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT hh_id FROM household_current ORDER BY hh_id"))]
        rescore.rescore_households(conn, ids[::3])
    if engine.dialect.name != "postgresql":
        before = _frame(engine, "SELECT * FROM household_current")
        rescore.vacuum_watchlist(engine)
        pd.testing.assert_frame_equal(before, _frame(engine, "SELECT * FROM household_current"))
        return
    assert _heap_fetches(engine) > 0
    rescore.vacuum_watchlist(engine)
    assert _heap_fetches(engine) == 0
