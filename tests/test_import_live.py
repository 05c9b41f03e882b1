"""Imports into a database that already holds data (issue 18, findings 1 and 2).

The most ordinary imports a union makes — this month's new files, and next month's observations for most
(not all) households — on the demo database, on both backends. Every incremental path is compared with a
full rescore from scratch, and the run of 高 across a month without observations with the score history.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from safetynet import cli
from safetynet.domain.months import add_months
from safetynet.ingest import import_file
from safetynet.pipeline import rescore
from tests.conftest import db_url
from tests.frames import DERIVED_KEYS, assert_frames_equal
from tests.support import sql

OBS_HEADERS = {"file_no": "档案编号", "month": "月份", "income_wage": "工资性收入", "income_operating": "经营净收入",
               "income_property": "财产净收入", "income_transfer": "转移净收入", "spend_medical": "医疗自付支出",
               "spend_school": "非义务教育支出", "spend_care": "护理支出", "spend_work": "务工必要支出",
               "members_employed": "稳定就业人数", "months_out_of_work": "失业或未返岗月数"}


def _derived(engine) -> dict[str, pd.DataFrame]:
    return {t: sql(engine, f"SELECT * FROM {t}") for t in DERIVED_KEYS}


def assert_equals_full_rescore(engine) -> None:
    """What the incremental paths left behind is what scoring everything from scratch gives."""
    incremental = _derived(engine)
    rescore.rescore_all(engine)
    for table, frame in _derived(engine).items():
        assert_frames_equal(incremental[table], frame, DERIVED_KEYS[table])


def test_a_file_of_only_new_households_imports_into_a_live_database(writable_demo_db, tmp_path, capsys):
    before = sql(writable_demo_db, "SELECT COUNT(*) AS n FROM household")["n"].iloc[0]
    county = sql(writable_demo_db, "SELECT adcode FROM household ORDER BY hh_id")["adcode"].iloc[0]
    path = tmp_path / "new_households.csv"
    path.write_text("档案编号,对象类型,职工类别,区县代码,发现渠道,认定日期\n"
                    f"NEW-0001,困难职工,2,{county},工会排查,2026-05-01\n"
                    f"NEW-0002,困难职工,1,{county},职工申请,2026-06-11\n", encoding="utf-8")
    code = cli.main(["--db", db_url(writable_demo_db), "import", str(path)])
    assert code == 0, capsys.readouterr().err
    new = sql(writable_demo_db, "SELECT hh_id, file_no FROM household WHERE file_no LIKE 'NEW-%' ORDER BY file_no")
    assert new["file_no"].tolist() == ["NEW-0001", "NEW-0002"]
    assert sql(writable_demo_db, "SELECT COUNT(*) AS n FROM household")["n"].iloc[0] == before + 2
    # no observations yet: nothing to score, no watchlist row — and the derived tables are still exact
    ids = ",".join(str(int(i)) for i in new["hh_id"])
    assert sql(writable_demo_db, f"SELECT COUNT(*) AS n FROM risk_score WHERE hh_id IN ({ids})")["n"].iloc[0] == 0
    assert_equals_full_rescore(writable_demo_db)


def _month_file(rows: pd.DataFrame, month: int) -> bytes:
    out = rows.assign(month=f"{month // 100}-{month % 100:02d}")[list(OBS_HEADERS)].rename(columns=OBS_HEADERS)
    return out.to_csv(index=False).encode("utf-8")


def _high_runs(scores: pd.DataFrame) -> dict[int, int | None]:
    """Per household, the first month of the run of 高 scores that reaches its latest score (None: not 高 now)."""
    out: dict[int, int | None] = {}
    for hh_id, rows in scores.sort_values(["hh_id", "month"]).groupby("hh_id"):
        since = None
        for month, tier in zip(rows["month"], rows["tier"], strict=True):
            since = (since or month) if tier == "高" else None
        out[int(hh_id)] = since
    return out


def test_new_months_with_gaps_equal_a_full_rescore(writable_demo_db):
    """Month t+1 for most households, then t+2 for most — some skip t+1 — is what a full rescore gives.

    Households that were 高 in month t, skip t+1 and are 高 again in t+2 keep their run of 高 (their previous
    score is month t's): they are not 本月新增高风险, and their previous tier is 高, not blank.
    """
    engine = writable_demo_db
    last = int(sql(engine, "SELECT MAX(month) AS m FROM household_month")["m"].iloc[0])
    latest = sql(engine, "SELECT h.file_no, m.* FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                         "WHERE m.month = :m ORDER BY m.hh_id", m=last)
    tiers = sql(engine, "SELECT hh_id, tier FROM risk_score WHERE month = :m", m=last).set_index("hh_id")["tier"]
    high = latest.loc[latest["hh_id"].map(tiers).eq("高")]
    assert len(high) >= 8, "the demo needs some 高 households in its latest month"
    gap = high.iloc[:8]  # 高 at t, no observation at t+1, nothing earned at t+2: 高 again
    rng = np.random.default_rng(7)
    others = latest.loc[~latest["hh_id"].isin(gap["hh_id"])]
    first = others.sample(frac=0.8, random_state=1).assign(income_wage=lambda f: (f["income_wage"] * rng.uniform(
        0.4, 1.2, len(f))).round(2))
    second = pd.concat([others.sample(frac=0.7, random_state=2),
                        gap.assign(income_wage=0.0, income_operating=0.0, income_property=0.0, income_transfer=0.0)])
    m1, m2 = add_months(last, 1), add_months(last, 2)
    today = dt.date(m2 // 100, m2 % 100, 28)
    for month, rows in ((m1, first), (m2, second)):
        result = import_file(engine, _month_file(rows, month), f"obs_{month}.csv", today=today)
        assert result.rejected == 0, result.rejects()
        assert_equals_full_rescore(engine)

    current = sql(engine, "SELECT hh_id, month, tier, prev_tier, high_since FROM household_current")
    current = current.set_index("hh_id").loc[gap["hh_id"]]
    assert (current["month"] == m2).all() and (current["prev_tier"] == "高").all()
    current = current.loc[current["tier"] == "高"]
    assert len(current) >= 3, "most of them stay 高 with nothing earned"
    expected = _high_runs(sql(engine, "SELECT hh_id, month, tier FROM risk_score"))
    assert [expected[int(h)] for h in current.index] == current["high_since"].astype(int).tolist()
    assert (current["high_since"] <= last).all()  # the run began before the gap: not newly high in m2


def test_a_new_month_moves_the_no_assistance_flag_of_households_it_does_not_observe(writable_demo_db):
    """"No assistance one month after identification" is judged at the data's as-of month.

    A household identified in the last month and not observed in the next one is still overdue once the data
    reaches that next month: its watchlist flag must change although its scores do not.
    """
    from safetynet.domain.risk import Flag

    engine = writable_demo_db
    last = int(sql(engine, "SELECT MAX(month) AS m FROM household_month")["m"].iloc[0])
    county = sql(engine, "SELECT adcode FROM household ORDER BY hh_id")["adcode"].iloc[0]
    m1 = add_months(last, 1)
    today = dt.date(m1 // 100, m1 % 100, 28)
    identified = dt.date(last // 100, last % 100, 10)
    households = ("档案编号,对象类型,职工类别,区县代码,发现渠道,认定日期\n"
                  f"LATE-1,困难职工,2,{county},工会排查,{identified.isoformat()}\n")
    assert import_file(engine, households.encode(), "late_hh.csv", today=today).rejected == 0
    members = "档案编号,姓名,性别,出生年份,与户主关系,健康状况,劳动能力\nLATE-1,测试甲,男,1980,户主,健康,普通劳动力\n"
    assert import_file(engine, members.encode(), "late_members.csv", today=today).rejected == 0
    one = pd.DataFrame([{"file_no": "LATE-1", "income_wage": 900.0, "income_operating": 0, "income_property": 0,
                         "income_transfer": 0, "spend_medical": 0, "spend_school": 0, "spend_care": 0,
                         "spend_work": 0, "members_employed": 1, "months_out_of_work": 0}])
    assert import_file(engine, _month_file(one, last), "late_obs.csv", today=today).rejected == 0
    flags = sql(engine, "SELECT c.flags FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
                        "WHERE h.file_no = 'LATE-1'")["flags"]
    assert not int(flags.iloc[0]) & int(Flag.DQ_NO_ASSISTANCE)  # identified this month: not overdue yet

    rest = sql(engine, "SELECT h.file_no, m.* FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                       "WHERE m.month = :m AND h.file_no <> 'LATE-1'", m=last)
    assert import_file(engine, _month_file(rest, m1), "next_month.csv", today=today).rejected == 0
    flags = sql(engine, "SELECT c.month, c.flags FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
                        "WHERE h.file_no = 'LATE-1'")
    assert int(flags["month"].iloc[0]) == last  # not observed in m1: its latest score is still last month's
    assert int(flags["flags"].iloc[0]) & int(Flag.DQ_NO_ASSISTANCE)  # but a month has passed without help
    assert_equals_full_rescore(engine)


def test_a_month_before_the_earliest_lines_is_rejected_not_a_failed_import(writable_demo_db):
    """2001-03 is a valid month, but no 低保 or monitoring line applies to it: the row is refused by name."""
    engine = writable_demo_db
    file_no = sql(engine, "SELECT file_no FROM household ORDER BY hh_id")["file_no"].iloc[0]
    earliest = int(sql(engine, "SELECT MIN(year) AS y FROM region_line WHERE adcode = '000000'")["y"].iloc[0])
    rows = pd.DataFrame([{"file_no": file_no, "income_wage": 1000.0, "income_operating": 0, "income_property": 0,
                          "income_transfer": 0, "spend_medical": 0, "spend_school": 0, "spend_care": 0,
                          "spend_work": 0, "members_employed": 1, "months_out_of_work": 0}])
    before = sql(engine, "SELECT COUNT(*) AS n FROM household_month")["n"].iloc[0]
    result = import_file(engine, _month_file(rows, (earliest - 1) * 100 + 3), "old.csv", mode="partial",
                         today=dt.date(2026, 11, 28))
    rejects = result.rejects()
    assert result.status == "done" and result.rejected == 1
    assert rejects["column_name"].tolist() == ["月份"] and f"最早的标准年份（{earliest}年）" in rejects["reason"].iloc[0]
    assert sql(engine, "SELECT COUNT(*) AS n FROM household_month")["n"].iloc[0] == before


def test_members_becoming_or_ceasing_to_be_migrants_reach_the_migrant_rollup(writable_demo_db):
    """The migrant roll-up is re-counted for households whose members an import changed — a member who
    becomes a migrant worker in a household that had none, and the migrants of another who stop being ones."""
    engine = writable_demo_db
    plain = sql(engine, "SELECT p.person_id, p.name, p.id_number, p.relation, p.health, p.labour_capacity, "
                        "h.file_no, h.adcode FROM person p JOIN household h ON h.hh_id = p.hh_id WHERE p.id_number "
                        "IS NOT NULL AND NOT EXISTS (SELECT 1 FROM person q WHERE q.hh_id = p.hh_id AND "
                        "q.is_migrant = :yes) AND EXISTS (SELECT 1 FROM household_current c WHERE c.hh_id = "
                        "h.hh_id) ORDER BY p.person_id", yes=True).iloc[0]
    migrant = sql(engine, "SELECT p.name, p.id_number, p.relation, p.health, p.labour_capacity, h.file_no "
                          "FROM person p JOIN household h ON h.hh_id = p.hh_id WHERE p.is_migrant = :yes AND "
                          "p.id_number IS NOT NULL ORDER BY p.person_id", yes=True).iloc[0]
    header = "档案编号,姓名,身份证号,与户主关系,健康状况,劳动能力,是否农民工,户籍地区县代码,务工地区县代码,务工地点\n"
    rows = (f"{plain.file_no},{plain['name']},{plain.id_number},{plain.relation},{plain.health},"
            f"{plain.labour_capacity},是,{plain.adcode},440305,省外\n"
            f"{migrant.file_no},{migrant['name']},{migrant.id_number},{migrant.relation},{migrant.health},"
            f"{migrant.labour_capacity},否,,,\n")
    result = import_file(engine, (header + rows).encode(), "members.csv", today=dt.date(2026, 11, 28))
    assert result.rejected == 0 and result.sheets[0].updated == 2, result.rejects()
    assert_equals_full_rescore(engine)


def test_the_cli_refuses_an_import_into_a_read_only_database_in_chinese(tmp_path, capsys):
    """SQLite opened read-only: exit 3 with one Chinese line (not a traceback or exit 1), nothing written.
    (PostgreSQL's read-only refusal is tested in tests/test_db_health.py.)"""
    from safetynet.db import get_engine, migrate
    from safetynet.demo.generate import DemoConfig, generate

    source = tmp_path / "demo.db"
    engine = get_engine(f"sqlite:///{source}")
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=60, months=6, seed=2))
    engine.dispose()
    before = source.read_bytes()
    path = tmp_path / "new.csv"
    path.write_text("档案编号,对象类型,职工类别,区县代码,发现渠道,认定日期\nRO-1,困难职工,2,520102,工会排查,2026-05-01\n",
                    encoding="utf-8")
    code = cli.main(["--db", f"sqlite:///file:{source}?mode=ro&uri=true", "import", str(path)])
    err = capsys.readouterr().err
    assert code == 3 and "未导入，数据库未作任何改动" in err and "只读" in err and "Traceback" not in err
    assert source.read_bytes() == before
