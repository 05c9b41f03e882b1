"""Department leads by import (部门推送, DOMAIN §8; issue 10 item 1): kind `leads`.

On both backends, on an empty database and on one holding the demo: a good file creates leads whose home-check
and decision deadlines are the received date plus N working days (computed here from the stored calendar rows,
not by the code's counting); a row for a household with an open lead joins it — the lead a staff member
entered on screen included — instead of making a second one; strict and partial behave like the other kinds
and every reason is Chinese; a file number outside the importer's scope is refused in the words of an unknown
one; a rejected strict file leaves the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from safetynet import cli
from safetynet.casework import Conflict, execute
from safetynet.casework import commands as C
from safetynet.db import version
from safetynet.domain import idcard
from safetynet.ingest import FileError, import_file
from safetynet.ingest.samples import csv_bytes
from tests.conftest import TEST_ADMIN
from tests.support import CJK, one, sql, table_contents

TODAY = dt.date(2026, 10, 20)
HEADER = ["档案编号", "姓名", "身份证号", "区县代码", "联系电话", "来源部门", "接收日期", "线索内容"]


def leads_file(rows: list[dict]) -> bytes:
    return csv_bytes(rows, header=HEADER)


def row(file_no="", department="民政", received="2026-09-30", reason="低收入人口动态监测预警", **extra) -> dict:
    return {"档案编号": file_no, "来源部门": department, "接收日期": received, "线索内容": reason, **extra}


# ---------------------------------------------------------------- the households the files name
@pytest.fixture(params=["empty", "demo"])
def db(request, backend):
    """(engine, files): files of county 520102 without an open lead, one of another province, and a member."""
    if request.param == "empty":
        engine = request.getfixturevalue("empty_db")
        households = "".join(f"T-{i},困难职工,2,520102,工会排查,2025-03-0{i}\n" for i in range(1, 5))
        data = ("档案编号,对象类型,职工类别,区县代码,发现渠道,认定日期\n" + households
                + "T-9,困难职工,2,530102,工会排查,2025-03-01\n").encode()
        assert import_file(engine, data, "hh.csv", kind="households", today=TODAY).status == "done"
        member = idcard.make("520102", dt.date(1980, 5, 6), 123)
        persons = f"档案编号,姓名,身份证号,与户主关系,健康状况,劳动能力\nT-4,王五,{member},户主,健康,普通劳动力\n"
        assert import_file(engine, persons.encode(), "p.csv", kind="persons", today=TODAY).status == "done"
    else:
        engine = request.getfixturevalue("writable_demo_db")
    free = sql(engine, "SELECT h.hh_id, h.file_no, h.adcode FROM household h WHERE h.adcode LIKE '52%' "
                       "AND h.status NOT IN ('退档', '注销') AND NOT EXISTS (SELECT 1 FROM lead l WHERE l.hh_id = h.hh_id "
                       "AND l.status <> '已办结') ORDER BY h.hh_id")
    with_member = sql(engine, "SELECT p.id_number, h.hh_id, h.file_no FROM person p JOIN household h ON h.hh_id = p.hh_id "
                              "WHERE p.id_number IS NOT NULL AND h.adcode LIKE '52%' AND NOT EXISTS (SELECT 1 FROM lead l "
                              "WHERE l.hh_id = h.hh_id AND l.status <> '已办结') ORDER BY p.person_id")
    outside = sql(engine, "SELECT file_no FROM household WHERE adcode NOT LIKE '52%' ORDER BY hh_id")
    assert len(free) >= 3 and len(with_member) >= 1 and len(outside) >= 1
    member = with_member.iloc[-1]
    free = free[free["hh_id"] != member["hh_id"]].reset_index(drop=True)
    return engine, {"free": free, "member": member, "outside": outside["file_no"].iloc[0]}


# ---------------------------------------------------------------- working days, counted here
def expected_due(engine, start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` from the stored calendar: Monday–Friday, minus the stored days
    off, plus the stored make-up working days."""
    rows = sql(engine, "SELECT day, kind FROM work_calendar")
    days = pd.to_datetime(rows["day"]).dt.date
    off = set(days[rows["kind"] == "holiday"])
    on = set(days[rows["kind"] == "workday"])
    day = start
    while n:
        day += dt.timedelta(days=1)
        if day in on or (day.weekday() < 5 and day not in off):
            n -= 1
    return day


def deadlines(engine) -> pd.DataFrame:
    out = cli.open_leads(engine, "000000", TODAY).set_index("lead_id")
    return out.assign(check_due=pd.to_datetime(out["check_due"]).dt.date,
                      decide_due=pd.to_datetime(out["decide_due"]).dt.date)


def lead_rows(engine) -> pd.DataFrame:
    return sql(engine, "SELECT * FROM lead ORDER BY lead_id").set_index("lead_id")


# ---------------------------------------------------------------- a good file
def test_a_good_file_creates_leads_with_working_day_deadlines(db):
    engine, files = db
    before_version = version.current(engine)[0]
    before = lead_rows(engine)
    a, b = files["free"].iloc[0], files["free"].iloc[1]
    applicant_id = idcard.make("520103", dt.date(1990, 2, 3), 457)
    data = leads_file([
        row(a["file_no"], "民政", "2026-09-30", "低收入人口动态监测预警"),
        row(b["file_no"], "医保", "2026-10-09", "医疗费用个人自付超过家庭收入一半"),
        row("", "人社局", "2026-10-16", "失业登记超过6个月", 姓名="赵六", 身份证号=applicant_id, 区县代码="520103",
            联系电话="13800001111"),
    ])
    result = import_file(engine, data, "民政推送.csv", kind="leads", user="county_admin", today=TODAY)
    sheet = result.sheets[0]
    assert result.status == "done" and (sheet.inserted, sheet.updated, sheet.rejected) == (3, 0, 0), result.rejects()
    new = lead_rows(engine).drop(index=before.index)
    assert len(new) == 3
    assert set(new["channel"]) == {"部门推送"} and set(new["status"]) == {"待核实"}
    assert list(new["department"]) == ["民政", "医保", "人社"]
    assert set(new["batch_id"]) == {result.batch_ids[0]} and set(new["created_by"]) == {"county_admin"}
    assert list(new["hh_id"].iloc[:2].astype(int)) == [int(a["hh_id"]), int(b["hh_id"])]
    assert list(new["adcode"].iloc[:2]) == [a["adcode"], b["adcode"]]
    applicant = new.iloc[2]
    assert pd.isna(applicant["hh_id"]) and applicant["adcode"] == "520103" and applicant["applicant_name"] == "赵六"
    assert applicant["applicant_phone"] == "13800001111"
    assert all(r.startswith(t) for r, t in zip(new["reason"], ["低收入人口动态监测预警", "医疗费用个人自付超过家庭收入一半",
                                                              "失业登记超过6个月"], strict=True))
    assert applicant_id not in " ".join(str(v) for v in new.astype(str).to_numpy().ravel())  # checked, not stored
    # deadlines: 5 working days to the home check, 15 to the decision, counted from the stored calendar
    due = deadlines(engine).loc[new.index]
    for lead_id, received in zip(new.index, pd.to_datetime(new["received_on"]).dt.date, strict=True):
        assert due.loc[lead_id, "check_due"] == expected_due(engine, received, 5)
        assert due.loc[lead_id, "decide_due"] == expected_due(engine, received, 15)
    # 2026-09-30 (Wed) → the National Day week off, Sat 10-10 a make-up working day → Tue 10-13
    assert due.loc[new.index[0], "check_due"] == dt.date(2026, 10, 13)
    # one transaction with the refresh and the audit row
    assert version.current(engine)[0] == before_version + 1
    audit = sql(engine, "SELECT detail FROM audit_log WHERE action = 'import' ORDER BY audit_id DESC").iloc[0, 0]
    assert f"[{result.batch_ids[0]}]" in audit.replace(" ", "")
    # the same file again changes nothing and bumps nothing
    again = import_file(engine, data, "民政推送.csv", kind="leads", user="county_admin", today=TODAY)
    assert (again.sheets[0].inserted, again.sheets[0].unchanged, again.sheets[0].updated) == (0, 3, 0)
    assert version.current(engine)[0] == before_version + 1 and len(lead_rows(engine)) == len(before) + 3


def test_a_regional_rule_and_an_imported_holiday_move_the_deadline(db):
    """Deadlines are data: a county's rule (3 working days) and a day off imported on a weekday count."""
    engine, files = db
    f = files["free"].iloc[0]
    rules = f"区域代码,环节,工作日数\n{f['adcode']},入户核实,3\n".encode()
    assert import_file(engine, rules, "rules.csv", kind="deadline_rules", today=TODAY).status == "done"
    holiday = "日期,类型,说明\n2026-10-15,休息日,测试假日\n".encode()  # a Thursday
    assert import_file(engine, holiday, "cal.csv", kind="calendar", today=TODAY).status == "done"
    result = import_file(engine, leads_file([row(f["file_no"], received="2026-10-12")]), "l.csv", kind="leads",
                         today=TODAY)
    lead_id = int(lead_rows(engine).index.max())
    assert result.sheets[0].inserted == 1
    due = deadlines(engine).loc[lead_id]
    assert due["check_due"] == expected_due(engine, dt.date(2026, 10, 12), 3) == dt.date(2026, 10, 16)
    assert due["decide_due"] == expected_due(engine, dt.date(2026, 10, 12), 15)


# ---------------------------------------------------------------- one open lead per household
def test_a_lead_for_a_household_with_an_open_lead_joins_it(db):
    engine, files = db
    a, b = files["free"].iloc[0], files["free"].iloc[1]
    member = files["member"]
    # a lead entered on screen for household a, then the department's batch
    execute(engine, TEST_ADMIN, C.CreateLead(channel="工会排查", reason="走访发现家中有重病患者",
                                             received_on=dt.date(2026, 10, 8), hh_id=int(a["hh_id"])), today=TODAY)
    screen = lead_rows(engine).iloc[-1]
    before = lead_rows(engine)
    data = leads_file([
        row(a["file_no"], "医保", "2026-10-12", "住院自付费用超过5万元"),
        row(b["file_no"], "民政", "2026-10-12", "低保边缘"),
        row(b["file_no"], "住建", "2026-10-13", "农村住房安全鉴定为C级"),  # same household, same file: one lead
        row("", "残联", "2026-10-14", "新办残疾人证", 姓名="成员", 身份证号=member["id_number"], 区县代码="520102"),
    ])
    result = import_file(engine, data, "batch.csv", kind="leads", mode="strict", today=TODAY)
    sheet = result.sheets[0]
    assert result.status == "done" and (sheet.inserted, sheet.updated, sheet.rejected) == (3, 1, 0), result.rejects()
    after = lead_rows(engine)
    new = after.drop(index=before.index)
    assert len(new) == 2  # household b and the member's household; none for a
    joined = after.loc[screen.name]
    # (the refresh after each write may join the household's system alert of the month too)
    assert joined["reason"].startswith("走访发现家中有重病患者；")
    assert joined["reason"].endswith("；2026-10-12 部门推送（医保）：住院自付费用超过5万元")
    assert int(joined["row_version"]) == int(screen["row_version"]) + 1 and joined["channel"] == "工会排查"
    of_b = new.loc[new["hh_id"] == b["hh_id"]]
    assert len(of_b) == 1
    assert of_b["reason"].iloc[0].startswith("低保边缘；")
    assert "；2026-10-13 部门推送（住建）：农村住房安全鉴定为C级" in of_b["reason"].iloc[0]
    of_member = new.loc[new["hh_id"] == member["hh_id"]]
    assert len(of_member) == 1 and pd.isna(of_member["applicant_name"].iloc[0])
    for hh in (a["hh_id"], b["hh_id"], member["hh_id"]):
        assert one(engine, "SELECT COUNT(*) FROM lead WHERE hh_id = :h AND status <> '已办结'", h=int(hh)) == 1
    # the same batch again: every row is already there
    again = import_file(engine, data, "batch.csv", kind="leads", today=TODAY).sheets[0]
    assert (again.inserted, again.unchanged, again.updated) == (0, 4, 0)
    assert lead_rows(engine)["reason"].equals(after["reason"])
    # a staff member who opened the lead before the batch joined it is told, not overwritten
    with pytest.raises(Conflict):
        execute(engine, TEST_ADMIN, C.RecordHomeCheck(lead_id=int(screen.name), visited_on=TODAY, visitors="张三",
                                                      finding="属实", seen_version=int(screen["row_version"])),
                today=TODAY)


# ---------------------------------------------------------------- strict, partial and the reasons
def _bad_rows(files) -> list[tuple[dict, str, str]]:
    """(row, column, reason fragment) for every kind of bad row."""
    good = files["free"].iloc[0]["file_no"]
    bad_check = idcard.make("520102", dt.date(1985, 1, 1), 321)
    bad_check = bad_check[:-1] + ("0" if bad_check[-1] != "0" else "1")
    return [
        (row("NO-SUCH-FILE"), "档案编号", "找不到这个档案编号，或该档案不在您的管辖范围内"),
        (row(files["outside"]), "档案编号", "找不到这个档案编号，或该档案不在您的管辖范围内"),
        (row(good, received="2026-10-21"), "接收日期", "晚于今天"),
        (row(good, department="财政"), "来源部门", "不在代码表中"),
        (row("", 姓名="钱七", 身份证号=bad_check, 区县代码="520102"), "身份证号", "校验码错误"),
        (row("", 姓名="孙八", 区县代码="520102"), "身份证号", "未填写档案编号时必填"),
        (row(good, reason=""), "线索内容", "必填"),
        (row(good, 区县代码="520103" if files["free"].iloc[0]["adcode"] != "520103" else "520102"), "区县代码",
         "与档案所在区县"),
    ]


def _assert_chinese(reasons: pd.Series) -> None:
    for reason in reasons:
        shown = re.sub(r"值“[^”]*”", "", reason)
        assert CJK.search(shown) and not re.search(r"[A-Za-z]{3,}", shown), reason


def test_strict_rejects_the_whole_file_and_leaves_the_database_as_it_was(db):
    engine, files = db
    good = [row(files["free"].iloc[i]["file_no"], reason=f"预警{i}") for i in range(2)]
    for bad, column, fragment in _bad_rows(files):
        before, ver = table_contents(engine), version.current(engine)
        result = import_file(engine, leads_file([*good, bad]), "strict.csv", kind="leads", scope="520000",
                             today=TODAY)
        sheet = result.sheets[0]
        assert result.status == "rejected" and sheet.rejected == sheet.rows_read == 3 and sheet.problem_rows == 1
        rejects = result.rejects()
        assert list(rejects["row_number"]) == [4] and list(rejects["column_name"]) == [column], rejects
        assert fragment in rejects["reason"].iloc[0]
        _assert_chinese(rejects["reason"])
        assert table_contents(engine) == before and version.current(engine) == ver
        assert one(engine, "SELECT status FROM import_batch ORDER BY batch_id DESC LIMIT 1") == "rejected"


def test_partial_imports_the_good_rows_and_lists_each_bad_one_in_chinese(db):
    engine, files = db
    bad = _bad_rows(files)
    good = row(files["free"].iloc[1]["file_no"], reason="部分导入的好行")
    duplicate = row(files["free"].iloc[2]["file_no"], reason="重复的行")
    rows = [good, duplicate, duplicate, *[b for b, _c, _f in bad]]
    before = lead_rows(engine)
    result = import_file(engine, leads_file(rows), "partial.csv", kind="leads", mode="partial", scope="520000",
                         today=TODAY)
    sheet = result.sheets[0]
    assert (sheet.inserted, sheet.rejected) == (2, 1 + len(bad)), result.rejects()
    rejects = result.rejects()
    by_row = rejects.groupby("row_number")["reason"].apply(" ".join)
    assert "与第3行完全重复" in by_row[4]  # the header is row 1
    for i, (_bad, column, fragment) in enumerate(bad):
        assert fragment in by_row[5 + i], (i, by_row.get(5 + i))
        assert column in set(rejects.loc[rejects["row_number"] == 5 + i, "column_name"])
    _assert_chinese(rejects["reason"])
    new = lead_rows(engine).drop(index=before.index)
    assert sorted(new["reason"].str.split("；").str[0]) == ["部分导入的好行", "重复的行"]
    assert len(new) == 2


def test_a_file_outside_the_scope_is_refused_like_an_unknown_one(writable_demo_db):
    engine = writable_demo_db
    outside = sql(engine, "SELECT h.hh_id, h.file_no FROM household h WHERE h.adcode NOT LIKE '52%' ORDER BY hh_id")
    member = sql(engine, "SELECT p.id_number, p.hh_id FROM person p JOIN household h ON h.hh_id = p.hh_id "
                         "WHERE h.adcode NOT LIKE '52%' AND p.id_number IS NOT NULL ORDER BY p.person_id").iloc[0]
    data = leads_file([row(outside["file_no"].iloc[0]), row("UNKNOWN-0001"),
                       row("", 姓名="外省成员", 身份证号=member["id_number"], 区县代码="520102"),
                       row("", 姓名="外省申请人", 身份证号=idcard.make("530102", dt.date(1970, 1, 1), 11),
                           区县代码="530102")])
    before = lead_rows(engine)
    result = import_file(engine, data, "scope.csv", kind="leads", mode="partial", scope="520000", today=TODAY)
    rejects = result.rejects().set_index("row_number")
    assert sorted(rejects.index) == [2, 3, 5]  # the header is row 1
    words = [re.sub(r"^值“[^”]*”", "", rejects.loc[r, "reason"]) for r in (2, 3)]
    assert words[0] == words[1]  # the same sentence whether the file exists elsewhere or not at all
    assert "不在您的管辖范围内" in rejects.loc[5, "reason"]
    new = lead_rows(engine).drop(index=before.index)
    # the member of another province's file is, to this administrator, a person without a file
    assert len(new) == 1 and pd.isna(new["hh_id"].iloc[0]) and new["adcode"].iloc[0] == "520102"
    assert not set(new["hh_id"].dropna().astype(int)) & set(outside["hh_id"])


def test_a_workbook_can_create_the_file_and_its_lead_together(empty_db):
    """A leads sheet may name a household created by the households sheet of the same workbook."""
    from safetynet.ingest.samples import xlsx_bytes

    book = xlsx_bytes({
        "家庭户": [{"档案编号": "W-1", "对象类型": "困难职工", "职工类别": "2", "区县代码": "520102", "发现渠道": "部门筛查预警",
                 "认定日期": "2026-10-10"}],
        "部门推送线索": [row("W-1", received="2026-10-12")],
    }, typed=False)
    result = import_file(empty_db, book, "book.xlsx", today=TODAY)
    assert [s.kind for s in result.sheets] == ["households", "leads"] and result.status == "done", result.rejects()
    hh_id = one(empty_db, "SELECT hh_id FROM household WHERE file_no = 'W-1'")
    assert one(empty_db, "SELECT hh_id FROM lead") == hh_id


def test_leads_need_a_department_and_detect_from_their_headers(empty_db):
    data = "档案编号,接收日期,线索内容\nT-1,2026-10-01,x\n".encode()
    with pytest.raises(FileError, match="来源部门"):
        import_file(empty_db, data, "no_dept.csv", kind="leads", today=TODAY)
    detected = import_file(empty_db, leads_file([row("", 姓名="李四", 身份证号=idcard.make("520102", dt.date(1980, 1, 1), 9),
                                                     区县代码="520102")]), "auto.csv", dry_run=True, today=TODAY)
    assert detected.sheets[0].kind == "leads" and detected.sheets[0].inserted == 1
    assert one(empty_db, "SELECT COUNT(*) FROM lead") == 0  # a dry run writes nothing
