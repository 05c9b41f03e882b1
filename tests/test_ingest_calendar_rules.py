"""The holiday calendar and the deadline rules, edited by import (issue 10 item 2; DOMAIN §8: deadlines are data).

Kinds `calendar` (日期, 类型 休息日/调休上班, 说明; nationwide administrators only) and `deadline_rules`
(区域代码, 环节, 期限/工作日数; only regions inside the importer's scope), on both backends, on an empty database
and on one holding the demo.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet.db import version
from safetynet.ingest import FileError, import_file
from tests.support import BOOKKEEPING, CJK, one, sql, table_contents

TODAY = dt.date(2026, 10, 20)


@pytest.fixture(params=["empty", "demo"])
def db(request, backend):
    return request.getfixturevalue("empty_db" if request.param == "empty" else "writable_demo_db")


def calendar(engine) -> pd.DataFrame:
    out = sql(engine, "SELECT day, kind, name, source FROM work_calendar")
    return out.assign(day=pd.to_datetime(out["day"]).dt.date).set_index("day").sort_index()


def rules(engine) -> dict[tuple[str, str], tuple[int, str]]:
    return {(r.adcode, r.step): (int(r.amount), r.unit) for r in sql(engine, "SELECT * FROM deadline_rule").itertuples()}


def batches(engine) -> int:
    return one(engine, "SELECT COUNT(*) FROM import_batch")


def _chinese(reasons: pd.Series) -> None:
    for reason in reasons:
        shown = re.sub(r"值“[^”]*”", "", reason)
        assert CJK.search(shown) and not re.search(r"[A-Za-z]{3,}", shown), reason


# ---------------------------------------------------------------- calendar
def test_a_calendar_file_adds_and_corrects_days_and_counts_in_the_deadlines(db):
    engine = db
    before = calendar(engine)
    assert before.loc[dt.date(2027, 2, 8), "kind"] == "holiday"  # shipped: 春节 2027 (statutory days only)
    ver = version.current(engine)[0]
    data = ("日期,类型,说明,依据\n"
            "2027-02-09,休息日,春节,国务院办公厅2027年通知\n"  # a Tuesday: a bridging day off
            "2027年2月20日,调休上班,春节调休上班,国务院办公厅2027年通知\n"  # a Saturday worked
            "2027-02-08,放假,春节（初三）,国务院办公厅2027年通知\n"  # already shipped: its name corrected
            "2027-02-06,休息日,,\n")  # a Saturday off: accepted, named after its kind
    result = import_file(engine, data.encode(), "2027放假安排.csv", kind="calendar", today=TODAY)
    sheet = result.sheets[0]
    assert result.status == "done" and (sheet.inserted, sheet.updated, sheet.rejected) == (3, 1, 0), result.rejects()
    after = calendar(engine)
    assert after.loc[dt.date(2027, 2, 9)].tolist() == ["holiday", "春节", "国务院办公厅2027年通知"]
    assert after.loc[dt.date(2027, 2, 20)].tolist() == ["workday", "春节调休上班", "国务院办公厅2027年通知"]
    assert after.loc[dt.date(2027, 2, 8), "name"] == "春节（初三）"
    assert after.loc[dt.date(2027, 2, 6), "name"] == "休息日" and pd.isna(after.loc[dt.date(2027, 2, 6), "source"])
    assert len(after) == len(before) + 3
    unchanged = after.drop(index=[dt.date(2027, 2, d) for d in (6, 8, 9, 20)])
    assert unchanged.equals(before.drop(index=[dt.date(2027, 2, 8)]))
    assert version.current(engine)[0] == ver + 1  # the screens' cached calendars key on the version
    # a blank 说明 keeps the stored name; the same file again changes nothing
    keep = import_file(engine, "日期,类型,说明\n2027-02-09,休息日,\n".encode(), "keep.csv", kind="calendar", today=TODAY)
    assert keep.sheets[0].unchanged == 1 and calendar(engine).loc[dt.date(2027, 2, 9), "name"] == "春节"
    again = import_file(engine, data.encode(), "2027放假安排.csv", kind="calendar", today=TODAY).sheets[0]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert version.current(engine)[0] == ver + 1
    # the casework deadlines count with it: received Mon 2027-02-01, five working days: Tue 2, Wed 3, Thu 4,
    # then Fri 5 and Mon 8 off (shipped) and Tue 9 off (imported) → Wed 10, Thu 11; without the import Wed 10
    from safetynet.domain.deadlines import DeadlineRules
    from safetynet.domain.workdays import WorkCalendar
    from safetynet.queries import casework as cq

    counted = WorkCalendar(cq.calendar_rows(engine))
    assert DeadlineRules(cq.deadline_rows(engine)).due("520102", "home_check", dt.date(2027, 2, 1), counted) \
        == dt.date(2027, 2, 11)


def test_bad_calendar_rows_are_refused_with_chinese_reasons_and_strict_changes_nothing(db):
    engine = db
    rows = ["2027-03-03,休息日,测试",  # good
            "2027-03-10,调休上班,周三",  # a Wednesday is a working day anyway
            "2027-03-04,休息日,甲", "2027-03-04,休息日,乙",  # the same day twice, differently
            "2029-05-01,休息日,太远",  # more than two years ahead
            "2027-02-30,休息日,不存在",  # no such day
            "2027-03-05,半天,未知类型",
            ",休息日,没有日期"]
    data = ("日期,类型,说明\n" + "\n".join(rows) + "\n").encode()
    before, ver, n_batches = table_contents(engine), version.current(engine), batches(engine)
    strict = import_file(engine, data, "cal.csv", kind="calendar", today=TODAY)
    assert strict.status == "rejected" and strict.sheets[0].rejected == len(rows)
    assert table_contents(engine) == before and version.current(engine) == ver
    assert batches(engine) == n_batches + 1
    partial = import_file(engine, data, "cal.csv", kind="calendar", mode="partial", today=TODAY)
    rejects = partial.rejects()
    by_row = rejects.groupby("row_number")["reason"].apply(" ".join)
    assert sorted(by_row.index) == [3, 4, 5, 6, 7, 8, 9]
    assert "星期三，本来就是工作日" in by_row[3]
    assert "冲突" in by_row[4] and "冲突" in by_row[5]
    assert "晚于2028年" in by_row[6] and "日期不存在" in by_row[7] and "不在代码表中" in by_row[8]
    assert "必填" in by_row[9]
    _chinese(rejects["reason"])
    assert calendar(engine).loc[dt.date(2027, 3, 3), "name"] == "测试" and partial.sheets[0].inserted == 1


def test_only_a_nationwide_administrator_imports_the_calendar(empty_db):
    data = "日期,类型,说明\n2027-03-03,休息日,测试\n".encode()
    before, n_batches = table_contents(empty_db), batches(empty_db)
    for dry_run in (True, False):
        with pytest.raises(FileError, match="只有全国范围的管理员可以导入") as refused:
            import_file(empty_db, data, "cal.csv", kind="calendar", scope="520000", dry_run=dry_run, today=TODAY)
        assert refused.value.code == "not_allowed"
    with pytest.raises(FileError, match="只有全国范围的管理员"):  # detected from the headers, too
        import_file(empty_db, data, "cal.csv", scope="520100", today=TODAY)
    assert table_contents(empty_db) == before and batches(empty_db) == n_batches
    assert import_file(empty_db, data, "cal.csv", kind="calendar", scope="000000", today=TODAY).status == "done"


# ---------------------------------------------------------------- deadline rules
def test_a_provincial_administrator_sets_rules_inside_the_province_only(db):
    engine = db
    before = rules(engine)
    data = ("区域代码,环节,工作日数\n"
            "520000,入户核实,7\n"  # the province itself
            "520102,公示,7\n"  # a county: the notice is counted in days (its step's unit)
            "000000,入户核实,4\n"  # the nation: not a province's to set
            "530000,认定决定,10\n"  # another province
            "520100,认定,61\n"  # more than 60 working days
            "520100,回访,2\n")
    result = import_file(engine, data.encode(), "rules.csv", kind="deadline_rules", mode="partial", scope="520000",
                         today=TODAY)
    rejects = result.rejects().set_index("row_number")
    assert sorted(rejects.index) == [4, 5, 6]
    assert rejects.loc[4, "reason"] == "值“000000”不在您的管辖范围内，不能导入"
    assert rejects.loc[5, "reason"] == "值“530000”不在您的管辖范围内，不能导入"
    assert "不超过60" in rejects.loc[6, "reason"]
    _chinese(rejects["reason"])
    after = rules(engine)
    assert after[("520000", "home_check")] == (7, "working")
    assert after[("520102", "notice")] == (7, "calendar")
    assert after[("520100", "followup")] == (2, "months")
    assert after[("000000", "home_check")] == before[("000000", "home_check")] == (5, "working")
    assert ("530000", "decision") not in after and ("520100", "decision") not in after
    assert set(after) - set(before) == {("520000", "home_check"), ("520102", "notice"), ("520100", "followup")}


def test_a_nationwide_administrator_changes_the_national_defaults(db):
    engine = db
    ver = version.current(engine)[0]
    data = "区域代码,环节,期限,单位\n000000,入户核实,6,\n000000,回访间隔,2,月\n000000,公示,7,天\n".encode()
    result = import_file(engine, data, "national.csv", kind="deadline_rules", today=TODAY)
    sheet = result.sheets[0]
    assert (sheet.inserted, sheet.updated, sheet.unchanged, sheet.rejected) == (0, 3, 0, 0), result.as_dict()
    after = rules(engine)
    assert after[("000000", "home_check")] == (6, "working")  # a blank unit keeps the stored one
    assert after[("000000", "followup")] == (2, "months") and after[("000000", "notice")] == (7, "calendar")
    assert version.current(engine)[0] == ver + 1
    again = import_file(engine, data, "national.csv", kind="deadline_rules", today=TODAY).sheets[0]
    assert (again.updated, again.unchanged) == (0, 3) and version.current(engine)[0] == ver + 1
    # a rule given twice with different values is a conflict; strict writes nothing
    before = table_contents(engine)
    twice = "区域代码,环节,期限\n520102,入户核实,3\n520102,入户核实,4\n".encode()
    refused = import_file(engine, twice, "twice.csv", kind="deadline_rules", today=TODAY)
    assert refused.status == "rejected" and all("冲突" in r for r in refused.rejects()["reason"])
    assert table_contents(engine) == before


def test_bookkeeping_tables_are_the_only_ones_a_rejected_file_touches(empty_db):
    """The helper the strict tests rely on sees a change anywhere else (so those tests can fail)."""
    before = table_contents(empty_db)
    with empty_db.begin() as conn:
        conn.execute(text("UPDATE deadline_rule SET amount = 9 WHERE adcode = '000000' AND step = 'home_check'"))
    assert table_contents(empty_db) != before
    assert BOOKKEEPING == {"import_batch", "import_reject", "audit_log"}
