"""Staff actions on a live database (the demo data), on SQLite and PostgreSQL (issue 10).

Every step is checked against the raw tables with independent SQL; every write must equal what a full
rescore from scratch gives, leave one audit row, and refuse — writing nothing — outside the user's county,
from a stale form, or against the DOMAIN §4/§8 rules.
"""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet.auth import SYSTEM, create_user
from safetynet.casework import Conflict, Invalid, OutOfScope, execute
from safetynet.casework import commands as C
from safetynet.db import version
from safetynet.queries import casework as cq
from tests.frames import DERIVED_KEYS, assert_frames_equal
from tests.support import sql

TODAY = dt.date(2026, 11, 30)
RAW = ("household", "person", "assistance", "pairing", "followup", "household_status", "lead", "plan_item",
       "elimination_request", "helper")


def one(engine, query: str, **params):
    return sql(engine, query, **params).iloc[0, 0]


def snapshot(engine) -> dict[str, pd.DataFrame]:
    return {t: sql(engine, f"SELECT * FROM {t}") for t in (*RAW, *DERIVED_KEYS, "audit_log")}


def assert_unchanged(engine, before: dict[str, pd.DataFrame]) -> None:
    after = snapshot(engine)
    for table, frame in before.items():
        assert len(frame) == len(after[table]), table
        key = [frame.columns[0]] if table not in DERIVED_KEYS else DERIVED_KEYS[table]
        assert_frames_equal(frame, after[table], key)


def assert_equals_full_rescore(engine) -> None:
    from safetynet.pipeline import rescore

    incremental = {t: sql(engine, f"SELECT * FROM {t}") for t in DERIVED_KEYS}
    rescore.rescore_all(engine)
    for table, frame in incremental.items():
        assert_frames_equal(frame, sql(engine, f"SELECT * FROM {table}"), DERIVED_KEYS[table])


@pytest.fixture
def world(writable_demo_db):
    """Two counties of one prefecture with files, a county staff user, a prefecture approver, a leader."""
    engine = writable_demo_db
    counts = sql(engine, "SELECT adcode, COUNT(*) AS n FROM household WHERE status IN ('在档', '帮扶中') "
                         "GROUP BY adcode ORDER BY n DESC, adcode")
    county = counts["adcode"].iloc[0]
    other = counts.loc[counts["adcode"] != county, "adcode"].iloc[0]
    staff = create_user(engine, "county_staff", "pw-county-1", "staff", county, actor=SYSTEM)
    colleague = create_user(engine, "county_staff2", "pw-county-2", "staff", county, actor=SYSTEM)
    approver = create_user(engine, "pref_staff", "pw-pref-001", "staff", county[:4] + "00", actor=SYSTEM)
    leader = create_user(engine, "county_leader", "pw-leader-1", "leader", county, actor=SYSTEM)
    return {"engine": engine, "county": county, "other": other, "staff": staff, "colleague": colleague,
            "approver": approver, "leader": leader}


def version_of(engine, hh_id: int) -> int:
    return int(one(engine, "SELECT row_version FROM household WHERE hh_id = :h", h=hh_id))


def lead_version(engine, lead_id: int) -> int:
    return int(one(engine, "SELECT row_version FROM lead WHERE lead_id = :l", l=lead_id))


def test_the_loop_for_an_applicant_from_lead_to_help_and_follow_up(world):
    engine, staff, county = world["engine"], world["staff"], world["county"]
    audits = int(one(engine, "SELECT COUNT(*) FROM audit_log"))
    v0 = version.current(engine)[0]
    out = execute(engine, staff, C.CreateLead(channel="职工申请", reason="突发重病，医疗费用高", adcode=county,
                                              received_on=dt.date(2026, 11, 2), applicant_name="王某某"), TODAY)
    lead = sql(engine, "SELECT * FROM lead WHERE lead_id = :l", l=out.lead_id).iloc[0]
    assert lead["status"] == "待核实" and pd.isna(lead["hh_id"])
    assert "2026年11月9日前完成入户核实" in out.message  # 5 working days after Mon 2 Nov
    execute(engine, staff, C.AssignLead(out.lead_id, "county_staff2", lead_version(engine, out.lead_id)), TODAY)
    execute(engine, staff, C.RecordHomeCheck(out.lead_id, dt.date(2026, 11, 5), "张三、李四", "家中两人无业",
                                             lead_version(engine, out.lead_id)), TODAY)
    decided = execute(engine, staff, C.DecideLead(out.lead_id, "纳入监测", dt.date(2026, 11, 16),
                                                  lead_version(engine, out.lead_id), file_no=f"{county}-W-NEW1",
                                                  population="worker", category="2"), TODAY)
    lead = sql(engine, "SELECT * FROM lead WHERE lead_id = :l", l=out.lead_id).iloc[0]
    hh = sql(engine, "SELECT * FROM household WHERE file_no = :f", f=f"{county}-W-NEW1").iloc[0]
    assert (lead["status"], lead["decision"], lead["assignee"]) == ("已办结", "纳入监测", "county_staff2")
    assert int(lead["hh_id"]) == int(hh["hh_id"]) == decided.hh_id
    assert (hh["status"], hh["adcode"], hh["source"], hh["worker_cat"]) == ("在档", county, "职工申请", 2)
    hh_id = int(hh["hh_id"])

    execute(engine, staff, C.AddPlanItem(hh_id, "医疗救助", "县总工会帮扶中心", dt.date(2026, 12, 15),
                                         version_of(engine, hh_id)), TODAY)
    item = int(one(engine, "SELECT item_id FROM plan_item WHERE hh_id = :h", h=hh_id))
    execute(engine, staff, C.RecordAid(hh_id, "医疗救助", 3000, dt.date(2026, 11, 20), "工会",
                                       version_of(engine, hh_id), plan_item_id=item), TODAY)
    plan = sql(engine, "SELECT status, aid_id FROM plan_item WHERE item_id = :i", i=item).iloc[0]
    aid = sql(engine, "SELECT * FROM assistance WHERE hh_id = :h", h=hh_id)
    assert len(aid) == 1 and aid["amount"].iloc[0] == 3000 and plan["status"] == "已落实"
    assert int(plan["aid_id"]) == int(aid["aid_id"].iloc[0])
    history = sql(engine, "SELECT from_status, to_status FROM household_status WHERE hh_id = :h ORDER BY change_id",
                  h=hh_id)
    assert history.fillna("").values.tolist() == [["", "在档"], ["在档", "帮扶中"]]
    execute(engine, staff, C.AssignHelper(hh_id, "刘建国", dt.date(2026, 11, 21), version_of(engine, hh_id),
                                          helper_unit="县总工会"), TODAY)
    execute(engine, staff, C.LogFollowup(hh_id, dt.date(2026, 11, 28), "入户", "刘建国", "已住院治疗",
                                         version_of(engine, hh_id)), TODAY)
    assert int(one(engine, "SELECT COUNT(*) FROM pairing WHERE hh_id = :h AND end_on IS NULL", h=hh_id)) == 1
    assert one(engine, "SELECT visitor FROM followup WHERE hh_id = :h", h=hh_id) == "刘建国"
    # one audit row per step, each naming its command, and the data version moved every time
    steps = sql(engine, "SELECT action, user_name, detail FROM audit_log ORDER BY audit_id")[audits:]
    assert steps["action"].eq("casework").all() and len(steps) == 8
    assert steps["detail"].str.contains('"command": "RecordAid"').sum() == 1
    assert version.current(engine)[0] == v0 + 8
    assert version_of(engine, hh_id) == 1 + 4  # plan, aid, helper, follow-up each moved the file's version
    assert_equals_full_rescore(engine)


def _open_file(engine, county: str) -> int:
    return int(one(engine, "SELECT MIN(hh_id) FROM household WHERE adcode = :c AND status IN ('在档', '帮扶中')",
                   c=county))


def test_help_delivered_reaches_the_scores_and_equals_a_full_rescore(world):
    engine, staff = world["engine"], world["staff"]
    hh_id = _open_file(engine, world["county"])
    before = int(one(engine, "SELECT COUNT(*) FROM assistance WHERE hh_id = :h", h=hh_id))
    execute(engine, staff, C.RecordAid(hh_id, "生活救助", 800, dt.date(2026, 10, 8), "民政",
                                       version_of(engine, hh_id)), TODAY)
    assert int(one(engine, "SELECT COUNT(*) FROM assistance WHERE hh_id = :h", h=hh_id)) == before + 1
    flags = int(one(engine, "SELECT flags FROM household_current WHERE hh_id = :h", h=hh_id))
    from safetynet.domain.risk import Flag

    assert flags & int(Flag.ASSISTED)
    assert_equals_full_rescore(engine)


def test_a_stale_form_is_refused_and_the_first_save_kept(world):
    engine, staff, colleague = world["engine"], world["staff"], world["colleague"]
    hh_id = _open_file(engine, world["county"])
    seen = version_of(engine, hh_id)
    execute(engine, staff, C.LogFollowup(hh_id, dt.date(2026, 11, 20), "电话", "甲", "情况稳定", seen), TODAY)
    before = snapshot(engine)
    with pytest.raises(Conflict) as refused:
        execute(engine, colleague, C.LogFollowup(hh_id, dt.date(2026, 11, 21), "入户", "乙", "收入下降", seen), TODAY)
    assert "已被他人修改" in refused.value.message and "请刷新" in refused.value.message
    assert_unchanged(engine, before)
    assert sql(engine, "SELECT finding FROM followup WHERE hh_id = :h AND visitor = '甲'", h=hh_id).shape[0] == 1


def test_two_saves_at_once_give_one_conflict_and_lose_nothing(world):
    engine, staff, colleague = world["engine"], world["staff"], world["colleague"]
    hh_id = _open_file(engine, world["county"])
    seen = version_of(engine, hh_id)
    start = threading.Barrier(2)
    results: list[object] = []

    def save(user, visitor: str) -> None:
        start.wait()
        try:
            results.append(execute(engine, user, C.LogFollowup(hh_id, dt.date(2026, 11, 20), "电话", visitor,
                                                                "同时保存", seen), TODAY))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=save, args=(u, n)) for u, n in ((staff, "甲"), (colleague, "乙"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Outcome"]
    saved = sql(engine, "SELECT visitor FROM followup WHERE hh_id = :h AND finding = '同时保存'", h=hh_id)
    assert len(saved) == 1 and version_of(engine, hh_id) == seen + 1


def test_a_county_user_cannot_act_outside_the_county(world):
    engine, staff = world["engine"], world["staff"]
    elsewhere = _open_file(engine, world["other"])
    before = snapshot(engine)
    for command in (C.RecordAid(elsewhere, "生活救助", 500, dt.date(2026, 11, 1), "工会", version_of(engine, elsewhere)),
                    C.LogFollowup(elsewhere, dt.date(2026, 11, 1), "电话", "甲", "x", version_of(engine, elsewhere)),
                    C.RecordAid(99_999_999, "生活救助", 500, dt.date(2026, 11, 1), "工会", 1),
                    C.CreateLead(channel="工会排查", reason="x", received_on=dt.date(2026, 11, 1), hh_id=elsewhere),
                    C.CreateLead(channel="职工申请", reason="x", received_on=dt.date(2026, 11, 1), adcode=world["other"],
                                 applicant_name="某")):
        with pytest.raises(OutOfScope) as refused:
            execute(engine, staff, command, TODAY)
        assert "不在您的管辖范围内" in refused.value.message
    assert_unchanged(engine, before)


def test_a_leader_cannot_write_and_bad_input_is_refused(world):
    engine, staff, leader = world["engine"], world["staff"], world["leader"]
    hh_id = _open_file(engine, world["county"])
    before = snapshot(engine)
    with pytest.raises(Invalid):
        execute(engine, leader, C.LogFollowup(hh_id, dt.date(2026, 11, 1), "电话", "甲", "x",
                                              version_of(engine, hh_id)), TODAY)
    cases = [
        (C.RecordAid(hh_id, "发钱", 1, dt.date(2026, 11, 1), "工会", 1), "帮扶类型"),
        (C.RecordAid(hh_id, "生活救助", -5, dt.date(2026, 11, 1), "工会", 1), "金额"),
        (C.RecordAid(hh_id, "生活救助", 5, dt.date(2027, 1, 1), "工会", 1), "将来的日期"),
        (C.LogFollowup(hh_id, dt.date(2026, 11, 1), "电话", "甲", "", 1), "回访情况"),
        (C.LogFollowup(hh_id, dt.date(2026, 11, 1), "电话", "甲\u202e", "x", 1), "控制字符"),
        (C.CreateLead(channel="系统预警", reason="x", received_on=dt.date(2026, 11, 1), hh_id=hh_id), "线索来源"),
    ]
    for command, words in cases:
        with pytest.raises(Invalid) as refused:
            execute(engine, staff, command, TODAY)
        assert words in refused.value.message
    assert_unchanged(engine, before)


def test_a_second_lead_for_a_household_joins_the_open_one(world):
    engine, staff = world["engine"], world["staff"]
    hh_id = _open_file(engine, world["county"])
    first = execute(engine, staff, C.CreateLead(channel="工会排查", reason="欠薪三个月", hh_id=hh_id,
                                                received_on=dt.date(2026, 11, 3)), TODAY)
    second = execute(engine, staff, C.CreateLead(channel="企业报告", reason="企业停产", hh_id=hh_id,
                                                 received_on=dt.date(2026, 11, 10)), TODAY)
    assert second.lead_id == first.lead_id and "并入" in second.message
    leads = sql(engine, "SELECT reason FROM lead WHERE hh_id = :h AND status <> '已办结'", h=hh_id)
    assert len(leads) == 1 and "欠薪三个月" in leads["reason"].iloc[0] and "企业停产" in leads["reason"].iloc[0]


def test_a_decision_needs_a_home_check_and_a_refusal_needs_a_reason(world):
    engine, staff = world["engine"], world["staff"]
    out = execute(engine, staff, C.CreateLead(channel="农户自主申报", reason="因灾", adcode=world["county"],
                                              received_on=dt.date(2026, 11, 2), applicant_name="赵某"), TODAY)
    with pytest.raises(Invalid, match="须先完成入户核实"):
        execute(engine, staff, C.DecideLead(out.lead_id, "不纳入", dt.date(2026, 11, 5),
                                            lead_version(engine, out.lead_id), reason="收入达标"), TODAY)
    with pytest.raises(Invalid, match="不纳入的理由"):
        execute(engine, staff, C.DecideLead(out.lead_id, "不纳入", dt.date(2026, 11, 5), 1), TODAY)
    execute(engine, staff, C.RecordHomeCheck(out.lead_id, dt.date(2026, 11, 4), "甲", "收入达标",
                                             lead_version(engine, out.lead_id)), TODAY)
    execute(engine, staff, C.DecideLead(out.lead_id, "不纳入", dt.date(2026, 11, 5),
                                        lead_version(engine, out.lead_id), reason="人均收入高于监测线"), TODAY)
    row = sql(engine, "SELECT status, decision, decision_reason, hh_id FROM lead WHERE lead_id = :l",
              l=out.lead_id).iloc[0]
    assert (row["status"], row["decision"], row["decision_reason"]) == ("已办结", "不纳入", "人均收入高于监测线")
    assert pd.isna(row["hh_id"])


def _eligible_household(engine, county: str) -> int | None:
    """An open file of `county` that meets DOMAIN §4, found from the raw rows."""
    latest = int(one(engine, "SELECT MAX(month) FROM risk_score"))
    six = sql(engine, "SELECT s.hh_id, s.month, s.r, s.triggers FROM risk_score s JOIN household h ON h.hh_id = s.hh_id "
                      "WHERE h.adcode = :c AND h.status IN ('在档', '帮扶中') AND s.month > :m",
              c=county, m=latest - 100 + (6 if latest % 100 > 6 else -88))
    ok = six.groupby("hh_id").agg(n=("month", "count"), r=("r", "min"), trig=("triggers", "max"),
                                  last=("month", "max"))
    ok = ok[(ok["n"] >= 6) & (ok["r"] >= 1.0) & (ok["trig"] == 0) & (ok["last"] == latest)]
    busy = set(sql(engine, "SELECT hh_id FROM elimination_request WHERE status IN ('待审批', '公示中')")["hh_id"])
    for hh_id in ok.index:
        if int(hh_id) in busy:  # already proposed: a second proposal is refused
            continue
        hh = sql(engine, "SELECT identified_on FROM household WHERE hh_id = :h", h=int(hh_id)).iloc[0]
        aid = int(one(engine, "SELECT COUNT(*) FROM assistance WHERE hh_id = :h AND delivered_on >= :d",
                      h=int(hh_id), d=hh["identified_on"]))
        able = int(one(engine, "SELECT COUNT(*) FROM person WHERE hh_id = :h AND labour_capacity IN "
                               "('技能劳动力', '普通劳动力', '弱劳动力或半劳动力')", h=int(hh_id)))
        if aid and able and pd.Timestamp(hh["identified_on"]) <= pd.Timestamp("2026-04-30"):
            return int(hh_id)
    return None


def _make_eligible(engine, county: str) -> int:
    """A small demo county may hold no file that meets §4: give one open file what §4 asks for, as data
    would — identified long ago, help delivered, every member insured and able, income well above the line
    for the last months — and re-score it."""
    from safetynet.pipeline import refresh

    latest = int(one(engine, "SELECT MAX(month) FROM household_month"))
    observed = sql(engine, "SELECT m.hh_id, COUNT(*) AS n FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                           "WHERE h.adcode = :c AND h.status IN ('在档', '帮扶中') AND m.month <= :m "
                           "GROUP BY m.hh_id ORDER BY n DESC, m.hh_id", c=county, m=latest)
    busy = set(sql(engine, "SELECT hh_id FROM elimination_request WHERE status IN ('待审批', '公示中')")["hh_id"])
    observed = observed.loc[~observed["hh_id"].isin(busy)]
    hh_id = int(observed["hh_id"].iloc[0])  # the file observed longest: §4 needs six months of income
    with engine.begin() as conn:
        conn.execute(text("UPDATE household SET identified_on = :d, housing_unsafe = :no, water_unsafe = :no "
                          "WHERE hh_id = :h"), {"d": dt.date(2025, 1, 10), "no": False, "h": hh_id})
        conn.execute(text("UPDATE person SET med_insured = :yes, is_dropout = :no, labour_capacity = '普通劳动力', "
                          "health = '健康' WHERE hh_id = :h"), {"yes": True, "no": False, "h": hh_id})
        conn.execute(text("UPDATE household_month SET income_wage = 20000, months_out_of_work = 0, "
                          "wage_arrears = :no, spend_medical = 0, spend_school = 0 WHERE hh_id = :h"),
                     {"no": False, "h": hh_id})
        conn.execute(text("DELETE FROM risk_event WHERE hh_id = :h"), {"h": hh_id})
        conn.execute(text("INSERT INTO assistance (hh_id, aid_type, amount, delivered_on, provider) "
                          "VALUES (:h, '就业帮扶', 0, :d, '工会')"), {"h": hh_id, "d": dt.date(2025, 3, 1)})
        refresh.households(conn, "test: a file that meets §4", [hh_id], members_changed=None)
    assert _eligible_household(engine, county) is not None
    return hh_id


def test_elimination_four_eyes_notice_effect_and_reversion_as_relapse(world):
    engine, staff, colleague, approver = world["engine"], world["staff"], world["colleague"], world["approver"]
    county = world["county"]
    hh_id = _eligible_household(engine, county) or _make_eligible(engine, county)
    execute(engine, staff, C.ProposeElimination(hh_id, "帮扶消除", version_of(engine, hh_id)), TODAY)
    request = int(one(engine, "SELECT request_id FROM elimination_request WHERE hh_id = :h AND status = '待审批'",
                      h=hh_id))
    with pytest.raises(Invalid, match="不能是申请人本人"):
        execute(engine, staff, C.DecideElimination(request, True, version_of(engine, hh_id)), TODAY)
    with pytest.raises(Invalid, match="上一级"):  # the same county's colleague is not the level above
        execute(engine, colleague, C.DecideElimination(request, True, version_of(engine, hh_id)), TODAY)
    out = execute(engine, approver, C.DecideElimination(request, True, version_of(engine, hh_id)), TODAY)
    assert "公示至2026年12月5日" in out.message  # 5 calendar days
    with pytest.raises(Invalid, match="期满后方可生效"):
        execute(engine, staff, C.ConfirmElimination(request, version_of(engine, hh_id)), dt.date(2026, 12, 5))
    execute(engine, staff, C.ConfirmElimination(request, version_of(engine, hh_id)), dt.date(2026, 12, 6))
    hh = sql(engine, "SELECT status, eliminated_on, population FROM household WHERE hh_id = :h", h=hh_id).iloc[0]
    assert hh["status"] == ("已解困" if hh["population"] == "worker" else "风险消除")
    assert pd.Timestamp(hh["eliminated_on"]).date() == dt.date(2026, 12, 6)
    execute(engine, staff, C.RevertElimination(hh_id, dt.date(2026, 12, 20), "回访发现收入骤降",
                                               version_of(engine, hh_id)), dt.date(2026, 12, 20))
    last = sql(engine, "SELECT to_status, is_relapse FROM household_status WHERE hh_id = :h ORDER BY change_id DESC",
               h=hh_id).iloc[0]
    assert last["to_status"] == "在档" and bool(last["is_relapse"])
    assert one(engine, "SELECT status FROM elimination_request WHERE request_id = :r", r=request) == "已回退"
    assert_equals_full_rescore(engine)


def test_a_household_where_nobody_can_work_is_never_eliminated(world):
    engine, staff = world["engine"], world["staff"]
    hh_id = _open_file(engine, world["county"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE person SET labour_capacity = '丧失劳动力' WHERE hh_id = :h"), {"h": hh_id})
    with pytest.raises(Invalid, match="无人具备劳动能力"):
        execute(engine, staff, C.ProposeElimination(hh_id, "帮扶消除", version_of(engine, hh_id)), TODAY)
    assert int(one(engine, "SELECT COUNT(*) FROM elimination_request WHERE hh_id = :h", h=hh_id)) == 0


def test_a_file_reopened_by_a_lead_is_given_to_the_leads_handler(world):
    """纳入监测 on an eliminated file with nobody responsible: the file goes to whoever handled the lead, so it
    shows under 我负责的档案 (it stayed unassigned before); a file with its own assignee keeps them."""
    engine, staff, county = world["engine"], world["staff"], world["county"]
    files = sql(engine, "SELECT hh_id, file_no FROM household h WHERE adcode = :c AND status IN ('风险消除', '已解困', "
                        "'已脱困') AND NOT EXISTS (SELECT 1 FROM lead l WHERE l.hh_id = h.hh_id AND l.status <> '已办结') "
                        "ORDER BY hh_id", c=county)
    assert len(files) >= 2
    first, second = (int(h) for h in files["hh_id"].iloc[:2])
    with engine.begin() as conn:
        conn.execute(text("UPDATE household SET assignee = NULL WHERE hh_id = :h"), {"h": first})
        conn.execute(text("UPDATE household SET assignee = 'county_staff2' WHERE hh_id = :h"), {"h": second})
    for hh_id in (first, second):
        lead = execute(engine, staff, C.CreateLead(channel="工会排查", reason="回访发现收入下降", hh_id=hh_id,
                                                   received_on=dt.date(2026, 11, 25)), TODAY).lead_id
        execute(engine, staff, C.AssignLead(lead, "county_staff", lead_version(engine, lead)), TODAY)
        execute(engine, staff, C.RecordHomeCheck(lead, dt.date(2026, 11, 26), "张三", "属实",
                                                 lead_version(engine, lead)), TODAY)
        execute(engine, staff, C.DecideLead(lead, "纳入监测", dt.date(2026, 11, 27), lead_version(engine, lead)),
                TODAY)
    owners = sql(engine, "SELECT hh_id, status, assignee FROM household WHERE hh_id IN (:a, :b)", a=first, b=second)
    owners = owners.set_index("hh_id")
    assert owners.loc[first, "assignee"] == "county_staff" and owners.loc[first, "status"] == "在档"
    assert owners.loc[second, "assignee"] == "county_staff2"
    mine = cq.my_files(engine, county, county, "county_staff")
    assert first in set(mine["hh_id"].astype(int))
