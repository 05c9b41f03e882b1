"""Imports on SQLite and PostgreSQL: strict and partial, dry runs, idempotency, accounting, rescoring, rollback."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet.db import version
from safetynet.domain import idcard
from safetynet.ingest import ImportFailed, import_file
from safetynet.ingest import load as L
from safetynet.ingest.samples import csv_bytes, xlsx_bytes
from safetynet.pipeline import rescore
from tests.frames import DERIVED_KEYS, assert_frames_equal
from tests.support import one, sql

TODAY = dt.date(2026, 11, 28)
DERIVED = DERIVED_KEYS
ALL_TABLES = ("household", "person", "household_month", "risk_event", "assistance", "pairing", "helper",
              "relocation_site", "household_status", "import_batch", "import_reject", "audit_log", "risk_score",
              "household_current", "rollup_region_month")


def counts(engine) -> dict[str, int]:
    return {t: one(engine, f"SELECT COUNT(*) FROM {t}") for t in ALL_TABLES}


def observations_fingerprint(engine) -> tuple:
    return tuple(one(engine, q) for q in (
        "SELECT COUNT(*) FROM household_month", "SELECT SUM(income_wage) FROM household_month",
        "SELECT SUM(spend_medical) FROM household_month", "SELECT SUM(members_employed) FROM household_month"))


def file_nos(engine, n: int) -> list[str]:
    return sql(engine, f"SELECT file_no FROM household ORDER BY hh_id LIMIT {n}")["file_no"].tolist()


def test_strict_partial_dry_run_and_idempotent_reimport(writable_demo_db):
    engine = writable_demo_db
    fn = file_nos(engine, 4)
    rows = [
        {"档案编号": fn[0], "月份": "2026-10", "工资性收入": "1234.5", "医疗自付支出": "10"},  # update
        {"档案编号": fn[1], "月份": "2026-11", "工资性收入": "2000", "医疗自付支出": "0"},  # insert (a new month)
        {"档案编号": fn[2], "月份": "2026-11", "工资性收入": "-300", "医疗自付支出": "0"},  # negative
        {"档案编号": "NOBODY", "月份": "2026-11", "工资性收入": "1", "医疗自付支出": "0"},  # unknown household
        {"档案编号": fn[1], "月份": "2026-11", "工资性收入": "2000", "医疗自付支出": "0"},  # identical duplicate
    ]
    data = csv_bytes(rows, encoding="gbk")
    before, fingerprint, ver = counts(engine), observations_fingerprint(engine), version.current(engine)

    # dry run: a report, nothing written anywhere
    report = import_file(engine, data, "obs.csv", mode="partial", dry_run=True, user="tester", today=TODAY)
    s = report.sheets[0]
    assert (s.rows_read, s.inserted, s.updated, s.unchanged, s.rejected) == (5, 1, 1, 0, 3)
    assert report.batch_ids == [] and counts(engine) == before and version.current(engine) == ver

    # strict: any problem → nothing written, but the batch and its problems are kept
    strict = import_file(engine, data, "obs.csv", mode="strict", user="tester", today=TODAY)
    assert strict.status == "rejected"
    batch = sql(engine, "SELECT * FROM import_batch WHERE batch_id = :b", b=strict.batch_ids[0]).iloc[0]
    assert (batch["status"], batch["rows_read"], batch["rows_accepted"], batch["rows_updated"], batch["rows_rejected"]) == \
        ("rejected", 5, 0, 0, 5)
    assert one(engine, "SELECT COUNT(DISTINCT row_number) FROM import_reject WHERE batch_id = :b", b=strict.batch_ids[0]) == 3
    assert observations_fingerprint(engine) == fingerprint and version.current(engine) == ver
    assert counts(engine)["audit_log"] == before["audit_log"] + 1  # the attempt is audited

    # partial: valid rows written, rejects kept, the identity holds, the version moves
    partial = import_file(engine, data, "obs.csv", mode="partial", user="tester", today=TODAY)
    s = partial.sheets[0]
    assert partial.status == "done" and (s.inserted, s.updated, s.unchanged, s.rejected) == (1, 1, 0, 3)
    batch = sql(engine, "SELECT * FROM import_batch WHERE batch_id = :b", b=partial.batch_ids[0]).iloc[0]
    assert batch["rows_read"] == batch["rows_accepted"] + batch["rows_updated"] + batch["rows_rejected"] == 5
    assert batch["user_name"] == "tester" and batch["file_hash"] == partial.file_hash and batch["mode"] == "partial"
    stored = sql(engine, "SELECT m.month, m.income_wage, m.batch_id FROM household_month m JOIN household h "
                         "ON h.hh_id = m.hh_id WHERE h.file_no = :f AND m.month IN (202610, 202611)", f=fn[0])
    assert stored.set_index("month").loc[202610, "income_wage"] == 1234.5
    in_db = sum(one(engine, "SELECT COUNT(*) FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                            "WHERE h.file_no = :f AND m.month = :m AND m.batch_id = :b",
                    f=r["档案编号"], m=int(r["月份"].replace("-", "")), b=partial.batch_ids[0]) for r in rows[:2])
    rejected_rows = one(engine, "SELECT COUNT(DISTINCT row_number) FROM import_reject WHERE batch_id = :b",
                        b=partial.batch_ids[0])
    assert in_db + rejected_rows == s.rows_read  # every row is in the database or in the rejects, once
    assert partial.data_version is not None and partial.data_version > ver[0]
    assert not partial.full_rescore and version.current(engine)[1] == 202611  # the new month is the latest now

    # the same file again: nothing changes, the version stays
    ver_after = version.current(engine)
    again = import_file(engine, data, "obs.csv", mode="partial", user="tester", today=TODAY)
    s = again.sheets[0]
    assert (s.inserted, s.updated, s.unchanged, s.rejected) == (0, 0, 2, 3)
    assert again.data_version is None and version.current(engine) == ver_after
    assert [b["batch_id"] for b in again.previous_batches] == [*strict.batch_ids, *partial.batch_ids]


def test_a_new_month_is_scored_from_its_window_and_equals_a_full_rebuild(writable_demo_db, monkeypatch):
    """The monthly routine: next month's observations for some households (one of them also correcting an
    older month). The new-month-only households are scored for that month alone; the result must be what
    a full rebuild gives, and the new month becomes the dashboards' latest."""
    engine = writable_demo_db
    latest = one(engine, "SELECT MAX(month) FROM household_month")
    nxt = latest + 1 if latest % 100 < 12 else latest + 89
    base = sql(engine, "SELECT h.file_no, m.* FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                       "WHERE m.month = :m ORDER BY m.hh_id LIMIT 30", m=latest)
    yes_no = {True: "是", False: "否"}  # 1 and 0 hash as True and False
    rows = []
    for i, r in enumerate(base.itertuples()):
        rows.append({"档案编号": r.file_no, "月份": f"{nxt // 100}-{nxt % 100:02d}",
                     "工资性收入": 0 if i % 3 == 0 else r.income_wage, "经营净收入": r.income_operating,
                     "财产净收入": r.income_property, "转移净收入": r.income_transfer, "医疗自付支出": r.spend_medical,
                     "非义务教育支出": r.spend_school, "护理支出": r.spend_care, "务工必要支出": r.spend_work,
                     "稳定就业人数": r.members_employed, "失业或未返岗月数": r.months_out_of_work,
                     "是否欠薪": "是" if i % 3 == 0 else yes_no.get(r.wage_arrears, ""),
                     "节后是否返岗": yes_no.get(r.returned_after_festival, "")})
    old = base.iloc[1]  # the second household also corrects the latest month: its whole history is re-scored
    rows.append({**rows[1], "月份": f"{latest // 100}-{latest % 100:02d}", "工资性收入": old.income_wage / 2})
    from safetynet.pipeline import month as one_month

    seen: list[tuple[int, list[int]]] = []
    real = one_month.rescore_month
    monkeypatch.setattr(one_month, "rescore_month", lambda conn, m, ids, **kw: (seen.append((m, list(ids))),
                                                                                real(conn, m, ids, **kw))[1])
    result = import_file(engine, csv_bytes(rows), "next-month.csv", mode="strict", user="tester", today=TODAY)
    assert result.status == "done" and result.households_rescored == 30 and not result.full_rescore
    assert [(m, len(ids)) for m, ids in seen] == [(nxt, 29)] and int(base.iloc[1].hh_id) not in seen[0][1]
    assert version.current(engine)[1] == nxt
    assert one(engine, "SELECT COUNT(*) FROM risk_score WHERE month = :m", m=nxt) == 30
    incremental = {t: sql(engine, f"SELECT * FROM {t}") for t in DERIVED}
    rescore.rescore_all(engine)
    for table, frame in incremental.items():
        assert_frames_equal(frame, sql(engine, f"SELECT * FROM {table}"), DERIVED[table])


def test_workbook_references_rescoring_and_lifecycle(writable_demo_db):
    engine = writable_demo_db
    existing = file_nos(engine, 2)
    head = idcard.make("520102", dt.date(1985, 5, 6), 911)
    spouse = idcard.make("520102", dt.date(1987, 7, 1), 912)
    book = {
        "安置点": [{"安置点名称": "新建安置区", "区县代码": "522324", "经度": 105.2, "纬度": 25.8, "安置类型": "集镇",
                  "搬迁户数": 80, "搬迁人数": 300}],
        "家庭户": [
            {"档案编号": "NEW-A", "对象类型": "困难职工", "职工类别": "1", "区县代码": "520102", "发现渠道": "工会排查",
             "发现日期": "2026-03-01", "认定日期": "2026-03-05", "档案状态": "帮扶中"},
            {"档案编号": "NEW-B", "对象类型": "防返贫监测户", "监测类别": "03", "区县代码": "522324", "安置点": "新建安置区",
             "是否搬迁户": "是", "发现渠道": "基层干部排查", "认定日期": "2026-04-01"},
            {"档案编号": "NEW-BAD", "对象类型": "防返贫监测户", "区县代码": "522324", "发现渠道": "基层干部排查",
             "认定日期": "2026-04-01"},  # no monitoring category
        ],
        "家庭成员": [
            {"档案编号": "NEW-A", "姓名": "王小明", "身份证号": head, "与户主关系": "户主", "健康状况": "健康",
             "劳动能力": "普通劳动力", "就业形式": "失业"},
            {"档案编号": "NEW-A", "姓名": "李红", "身份证号": spouse, "与户主关系": "配偶", "健康状况": "患大病",
             "劳动能力": "丧失劳动力"},
            {"档案编号": "NEW-B", "姓名": "张三", "性别": "男", "出生年份": 1968, "与户主关系": "01", "健康状况": "健康",
             "劳动能力": "普通劳动力", "基本医疗保险": "否"},
            {"档案编号": "NEW-BAD", "姓名": "赵四", "性别": "男", "出生年份": 1970, "与户主关系": "01",
             "健康状况": "健康", "劳动能力": "普通劳动力"},
        ],
        "月度观测": [{"档案编号": f, "月份": f"2026-{m:02d}", "工资性收入": w, "医疗自付支出": 900}
                 for f, w in (("NEW-A", 600), ("NEW-B", 300), (existing[0], 100)) for m in (8, 9, 10)],
        "风险事件": [{"档案编号": "NEW-A", "风险类型": "1", "发生日期": "2026-02-20", "损失金额": 50000,
                  "涉及成员身份证号": spouse}],
        "结对帮扶": [{"档案编号": "NEW-B", "帮扶责任人": "刘帮扶", "工作单位": "县总工会", "开始日期": "2026-04-10"}],
        "帮扶措施": [{"档案编号": "NEW-B", "帮扶类型": "搬迁后扶", "金额": 0, "帮扶日期": "2026-05-01", "帮扶责任人": "刘帮扶"}],
    }
    result = import_file(engine, xlsx_bytes(book), "book.xlsx", mode="partial", user="tester", today=TODAY)
    by_kind = {s.kind: s for s in result.sheets}
    assert [s.kind for s in result.sheets] == ["sites", "households", "persons", "observations", "events", "pairings",
                                               "assistance"]
    assert by_kind["households"].inserted == 2 and by_kind["households"].rejected == 1
    problems = result.rejects()
    assert problems.loc[problems["sheet"] == "家庭成员", "reason"].iloc[0] == \
        "值“NEW-BAD”在本文件“家庭户”表第4行，但该行未通过校验"
    for s in result.sheets:
        assert s.rows_read == s.accepted + s.updated + s.rejected
    new = sql(engine, "SELECT h.hh_id, h.file_no, h.site_id, h.status, s.name AS site FROM household h "
                      "LEFT JOIN relocation_site s ON s.site_id = h.site_id WHERE h.file_no LIKE 'NEW-%' ORDER BY h.file_no")
    assert new["file_no"].tolist() == ["NEW-A", "NEW-B"] and new["site"].tolist()[1] == "新建安置区"
    assert one(engine, "SELECT MAX(hh_id) FROM household") == new["hh_id"].max()
    history = sql(engine, "SELECT from_status, to_status, changed_on FROM household_status WHERE hh_id = :h "
                          "ORDER BY change_id", h=int(new["hh_id"].iloc[0]))
    assert history["to_status"].tolist() == ["在档", "帮扶中"]
    event = sql(engine, "SELECT e.person_id, p.name FROM risk_event e JOIN person p ON p.person_id = e.person_id "
                        "WHERE e.hh_id = :h", h=int(new["hh_id"].iloc[0]))
    assert event["name"].tolist() == ["李红"]
    assert one(engine, "SELECT COUNT(*) FROM helper WHERE name = '刘帮扶'") == 1
    assert result.households_rescored == 3 and not result.full_rescore
    scored = sql(engine, "SELECT c.hh_id, c.tier, c.reasons FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
                         "WHERE h.file_no IN ('NEW-A', 'NEW-B')")
    assert len(scored) == 2 and (scored["tier"] == "高").all()  # far below the line, no cover

    # incremental results equal a full rebuild
    incremental = {t: sql(engine, f"SELECT * FROM {t}") for t in DERIVED}
    rescore.rescore_all(engine)
    for table, frame in incremental.items():
        assert_frames_equal(frame, sql(engine, f"SELECT * FROM {table}"), DERIVED[table])

    # a lifecycle the rules forbid is rejected; an allowed change writes history (a relapse within 12 months)
    hh = {**book["家庭户"][0], "档案状态": "退档", "退档日期": "2026-10-01", "退档原因": "转出"}
    assert import_file(engine, csv_bytes([hh]), "h.csv", kind="households", today=TODAY).sheets[0].updated == 1
    back = {**hh, "档案状态": "帮扶中", "状态变更日期": "2026-11-01"}
    refused = import_file(engine, csv_bytes([back]), "h.csv", kind="households", mode="partial", today=TODAY)
    assert "不能从“退档”直接变为“帮扶中”" in refused.rejects()["reason"].iloc[0]
    reopened = import_file(engine, csv_bytes([{**back, "档案状态": "在档"}]), "h.csv", kind="households", today=TODAY)
    assert reopened.sheets[0].updated == 1
    last = sql(engine, "SELECT from_status, to_status, is_relapse FROM household_status WHERE hh_id = :h "
                       "ORDER BY change_id DESC", h=int(new["hh_id"].iloc[0])).iloc[0]
    assert (last["from_status"], last["to_status"], bool(last["is_relapse"])) == ("退档", "在档", True)

    # updating a member by ID number changes that row only
    person = {**book["家庭成员"][1], "健康状况": "残疾", "残疾等级": 2}
    changed = import_file(engine, csv_bytes([person, book["家庭成员"][0]]), "p.csv", kind="persons", today=TODAY)
    assert (changed.sheets[0].updated, changed.sheets[0].unchanged) == (1, 1)
    assert one(engine, "SELECT disability_grade FROM person WHERE id_number = :i", i=spouse) == 2


def test_database_failure_rolls_back_and_leaves_a_failed_batch(empty_db, monkeypatch):
    engine = empty_db
    household = {"档案编号": "F-1", "对象类型": "困难职工", "职工类别": "2", "区县代码": "520102", "发现渠道": "工会排查",
                 "认定日期": "2026-01-05"}
    assert import_file(engine, csv_bytes([household]), "h.csv", today=TODAY).status == "done"
    data = csv_bytes([{"档案编号": "F-1", "月份": "2026-10", "工资性收入": "1"}])
    before, fingerprint, ver = counts(engine), observations_fingerprint(engine), version.current(engine)
    original = L._write_all

    def broken(*args):
        original(*args)  # the writes happen …
        raise RuntimeError("disk full")  # … and then the database gives up

    monkeypatch.setattr(L, "_write_all", broken)
    with pytest.raises(ImportFailed, match="disk full"):
        import_file(engine, data, "obs.csv", user="tester", today=TODAY)
    assert observations_fingerprint(engine) == fingerprint and version.current(engine) == ver
    failed = sql(engine, "SELECT * FROM import_batch ORDER BY batch_id DESC").iloc[0]
    assert (failed["status"], failed["rows_read"], failed["rows_rejected"]) == ("failed", 1, 1)
    after = counts(engine)
    assert after["import_batch"] == before["import_batch"] + 1
    assert {k: v for k, v in after.items() if k != "import_batch"} == {k: v for k, v in before.items() if k != "import_batch"}


def test_import_is_limited_to_the_administrators_region(writable_demo_db):
    """A provincial administrator's file may not create or change households of another province."""

    from safetynet.ingest import import_file

    rows = pd.read_sql(text("SELECT h.file_no, h.adcode FROM household h ORDER BY hh_id"), writable_demo_db)
    inside = rows[rows["adcode"].str.startswith("52")].head(2)
    outside = rows[~rows["adcode"].str.startswith("52")].head(2)
    assert len(inside) == 2 and len(outside) == 2
    csv = "档案编号,月份,工资性收入\n" + "".join(f"{f},2026-10,1234\n" for f in [*inside["file_no"], *outside["file_no"]])
    result = import_file(writable_demo_db, csv.encode("utf-8"), "obs.csv", kind="observations", mode="partial",
                         scope="520000", rescore=False)
    sheet = result.sheets[0]
    assert sheet.rejected == 2 and sheet.accepted + sheet.updated == 2
    reasons = sheet.rejects["reason"]
    assert len(reasons) == 2 and all("不在您的管辖范围内" in r for r in reasons)
    assert set(sheet.rejects["value"].astype(str)) == set(outside["file_no"])
    with writable_demo_db.connect() as conn:
        changed = conn.execute(text("SELECT COUNT(*) FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                                    "WHERE m.month = 202610 AND m.income_wage = 1234 AND h.adcode NOT LIKE '52%'"))
        assert changed.scalar() == 0


@pytest.mark.parametrize("threshold", [3, 4], ids=["enough households", "too few"])
def test_a_large_import_vacuums_the_watchlist_table(writable_demo_db, monkeypatch, threshold):
    """An import that re-scored at least VACUUM_AFTER_HOUSEHOLDS households ends with vacuum_watchlist."""
    from safetynet.pipeline import refresh
    from safetynet.pipeline import rescore as rescore_module

    engine = writable_demo_db
    latest = one(engine, "SELECT MAX(month) FROM household_month")
    base = sql(engine, "SELECT h.file_no, m.income_wage FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                       "WHERE m.month = :m ORDER BY m.hh_id LIMIT 3", m=latest)
    rows = [{"档案编号": r.file_no, "月份": f"{latest // 100}-{latest % 100:02d}", "工资性收入": r.income_wage / 2}
            for r in base.itertuples()]
    vacuumed: list[object] = []
    monkeypatch.setattr(refresh, "VACUUM_AFTER_HOUSEHOLDS", threshold)
    monkeypatch.setattr(rescore_module, "vacuum_watchlist", vacuumed.append)
    result = import_file(engine, csv_bytes(rows), "fix.csv", kind="observations", mode="partial", user="tester",
                         today=TODAY)
    assert result.status == "done" and result.households_rescored == 3
    assert vacuumed == ([engine] if threshold <= 3 else [])
    assert ("vacuum" in result.timings) == (threshold <= 3)


def test_a_partial_import_that_refused_every_row_says_nothing_went_in(writable_demo_db):
    """"拒绝 3（已导入）" read as "imported": a partial import whose rows were all refused says it wrote nothing,
    and one that kept some rows says the rest went in."""
    engine = writable_demo_db
    fn = file_nos(engine, 2)
    bad = [{"档案编号": "NOBODY", "月份": "2026-11", "工资性收入": "1", "医疗自付支出": "0"},
           {"档案编号": fn[0], "月份": "2026-11", "工资性收入": "-300", "医疗自付支出": "0"}]
    fingerprint = observations_fingerprint(engine)
    none_in = import_file(engine, csv_bytes(bad), "bad.csv", mode="partial", user="tester", today=TODAY)
    assert none_in.status == "done" and none_in.kept_nothing
    assert "拒绝 2（没有可导入的行，未写入任何内容）" in none_in.summary() and "已导入" not in none_in.summary()
    assert observations_fingerprint(engine) == fingerprint
    batch = sql(engine, "SELECT rows_accepted, rows_updated, rows_rejected FROM import_batch WHERE batch_id = :b",
                b=none_in.batch_ids[0]).iloc[0]
    assert (int(batch["rows_accepted"]), int(batch["rows_updated"]), int(batch["rows_rejected"])) == (0, 0, 2)

    good = {"档案编号": fn[1], "月份": "2026-11", "工资性收入": "2000", "医疗自付支出": "0"}
    some_in = import_file(engine, csv_bytes([*bad, good]), "mixed.csv", mode="partial", user="tester", today=TODAY)
    assert not some_in.kept_nothing and "拒绝 2（其余行已导入）" in some_in.summary()
