"""The casework screens (待办 and the household file's actions) through AppTest from app.py, on both backends.

A county staff user enters a lead, assigns, checks and decides it (a new file), then plans, records help, pairs
a helper and logs a follow-up on the file; a prefecture user approves an elimination. After every step the
database is compared with independent SQL and the audit log must hold the step's casework row. Refusals: a
leader gets no 待办, another county's file shows nothing to act on, and a stale form saves nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.auth import SYSTEM, create_user
from safetynet.config import REPO_ROOT
from tests.conftest import db_url, signed_in
from tests.support import Raw, card, sql

TODAY = dt.date.today()


def one(engine, query: str, **params):
    return sql(engine, query, **params).iloc[0, 0]


@pytest.fixture
def world(writable_demo_db, monkeypatch):
    """A county with open files, a neighbour county, its staff, a prefecture approver, a leader, and AppTests."""
    engine = writable_demo_db
    counts = sql(engine, "SELECT adcode, COUNT(*) AS n FROM household WHERE status IN ('在档', '帮扶中') "
                         "AND adcode NOT LIKE '%00' GROUP BY adcode ORDER BY n DESC, adcode")
    county = counts["adcode"].iloc[0]
    other = counts.loc[counts["adcode"] != county, "adcode"].iloc[0]
    users = {
        "staff": create_user(engine, "county_staff", "pw-county-1", "staff", county, display_name="县工作人员", actor=SYSTEM),
        "colleague": create_user(engine, "county_staff2", "pw-county-2", "staff", county, display_name="县同事", actor=SYSTEM),
        "approver": create_user(engine, "pref_staff", "pw-pref-001", "staff", county[:4] + "00",
                                display_name="市工作人员", actor=SYSTEM),
        "leader": create_user(engine, "county_leader", "pw-leader-1", "leader", county, display_name="县领导", actor=SYSTEM),
    }
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")

    def make(who: str, page: str = "pages/my_work.py", **query: str) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        at.session_state["auth"] = signed_in(engine, users[who])
        i18n.set_lang(query.get("lang", "zh"))  # format_func labels are also computed in the test thread
        at.run()
        return at.switch_page(page).run()

    yield {"engine": engine, "county": county, "other": other, "make": make, **users}
    i18n.set_lang("zh")


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def forms(at: AppTest) -> set[str]:
    return {f.key for f in at.get("form")}


def submit(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def last_audit(engine) -> pd.Series:
    return sql(engine, "SELECT user_name, action, target, detail FROM audit_log ORDER BY audit_id DESC").iloc[0]


def assert_audited(engine, command: str, user: str, count_before: int) -> dict:
    """Exactly one new audit row: the casework row of `command` by `user`; returns its detail."""
    assert int(one(engine, "SELECT COUNT(*) FROM audit_log")) == count_before + 1
    row = last_audit(engine)
    detail = json.loads(row["detail"])
    assert (row["action"], row["user_name"], detail["command"]) == ("casework", user, command)
    return detail


def audits(engine) -> int:
    return int(one(engine, "SELECT COUNT(*) FROM audit_log"))


def overview_agrees(world, step: str) -> None:
    """After a step: the county's overview, as its staff open it, shows the work as a row-by-row count over
    the raw tables finds it today (tests.support.Raw, independent of domain.progress)."""
    at = world["make"]("staff", "pages/overview.py")
    assert not at.exception, step
    want = Raw(world["engine"]).count(world["county"], None, TODAY)[None]
    assert card(at, "逾期线索") == f"{int(want['overdue_leads']):,}", step
    assert card(at, "逾期回访") == f"{int(want['overdue_visits']):,}", step
    for label, numerator in (("有一户一策的档案", "with_plan"), ("已落实帮扶的档案", "with_aid")):
        assert card(at, label) == f"{want[numerator] / want['files_open'] * 100:.1f}%", (step, label)


def test_the_loop_on_screen_from_a_new_lead_to_a_follow_up(world):
    engine, county = world["engine"], world["county"]
    at = world["make"]("staff")
    assert not at.exception and at.title[0].value == "待办"
    leads_before = int(one(engine, "SELECT COUNT(*) FROM lead"))

    # 1. a new lead: an applicant who has no file yet
    n = audits(engine)
    at.selectbox(key="cw_lead_channel").set_value("职工申请")
    at.text_input(key="cw_lead_name").input("王某某")
    at.text_input(key="cw_lead_phone").input("13800001234")
    at.text_area(key="cw_lead_reason").input("突发重病住院，医疗费用高")
    submit(at, "cw_new_lead_submit")
    lead = sql(engine, "SELECT * FROM lead ORDER BY lead_id DESC").iloc[0]
    lead_id = int(lead["lead_id"])
    assert int(one(engine, "SELECT COUNT(*) FROM lead")) == leads_before + 1
    assert (lead["status"], lead["channel"], lead["adcode"], lead["applicant_name"]) == ("待核实", "职工申请", county,
                                                                                          "王某某")
    assert pd.isna(lead["hh_id"]) and pd.isna(lead["assignee"])
    assert_audited(engine, "CreateLead", "county_staff", n)
    assert any(f"已登记线索（第{lead_id}号）" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "入户核实" in d.value.columns)
    shown = table[table["编号"] == lead_id].iloc[0]
    assert shown["归属"] == "待分派" and shown["入户核实"] == "剩5个工作日" and shown["状态"] == "待核实"
    assert "王某某" not in shown["对象"] and "王*某" in shown["对象"]  # the applicant's name is masked

    # 2. assign it (to myself)
    at.selectbox(key="lead").set_value(str(lead_id)).run()
    assert not at.exception
    n = audits(engine)
    at.selectbox(key="cw_assign_to").set_value("county_staff")
    submit(at, "cw_assign_submit")
    assert one(engine, "SELECT assignee FROM lead WHERE lead_id = :l", l=lead_id) == "county_staff"
    assert_audited(engine, "AssignLead", "county_staff", n)
    table = next(d.value for d in at.dataframe if "入户核实" in d.value.columns)
    assert table.iloc[0]["编号"] == lead_id and table.iloc[0]["归属"] == "我的"  # mine come first

    # 3. the home check
    n = audits(engine)
    at.text_input(key="cw_check_by").input("张三、李四")
    at.text_area(key="cw_check_finding").input("家中两人无业，长期服药")
    submit(at, "cw_check_submit")
    row = sql(engine, "SELECT status, checked_on, check_by FROM lead WHERE lead_id = :l", l=lead_id).iloc[0]
    assert (row["status"], row["check_by"]) == ("待决定", "张三、李四")
    assert pd.Timestamp(row["checked_on"]).date() == TODAY
    assert_audited(engine, "RecordHomeCheck", "county_staff", n)

    # 4. decide 纳入监测: a new file for the applicant
    n = audits(engine)
    file_no = f"{county}-T0000001"
    at.radio(key="cw_decision").set_value("纳入监测").run()
    at.text_input(key=f"cw_new_file_no_{lead_id}").input(file_no)
    at.selectbox(key="cw_new_category").set_value("W2")
    submit(at, "cw_decide_submit")
    hh = sql(engine, "SELECT * FROM household WHERE file_no = :f", f=file_no)
    assert len(hh) == 1
    hh = hh.iloc[0]
    hh_id = int(hh["hh_id"])
    lead = sql(engine, "SELECT * FROM lead WHERE lead_id = :l", l=lead_id).iloc[0]
    assert (lead["status"], lead["decision"], int(lead["hh_id"])) == ("已办结", "纳入监测", hh_id)
    assert (hh["status"], hh["adcode"], hh["population"], int(hh["worker_cat"]), hh["assignee"]) == (
        "在档", county, "worker", 2, "county_staff")
    assert_audited(engine, "DecideLead", "county_staff", n)
    assert any(file_no in s.value for s in at.success)
    mine = next(d.value for d in at.dataframe if "一户一策" in d.value.columns)  # the file is now mine
    assert file_no in set(mine["档案编号"]) and "首次帮扶" in mine.set_index("档案编号").at[file_no, "下一步"]
    overview_agrees(world, "decided")

    # 5. the household file: 一户一策
    at = world["make"]("staff", "pages/household.py", hh=str(hh_id))
    assert not at.exception and not errors(at)
    assert {"cw_plan", "cw_aid", "cw_helper", "cw_followup", "cw_propose"} <= forms(at)
    n = audits(engine)
    at.selectbox(key="cw_plan_type").set_value("医疗救助")
    at.text_input(key="cw_plan_responsible").input("县总工会帮扶中心")
    submit(at, "cw_plan_submit")
    item = sql(engine, "SELECT * FROM plan_item WHERE hh_id = :h", h=hh_id)
    assert len(item) == 1 and (item["aid_type"].iloc[0], item["status"].iloc[0]) == ("医疗救助", "待落实")
    assert pd.Timestamp(item["due_on"].iloc[0]).date() == TODAY + dt.timedelta(days=30)
    assert_audited(engine, "AddPlanItem", "county_staff", n)
    plan = next(d.value for d in at.dataframe if "完成期限" in d.value.columns)
    assert len(plan) == 1 and plan["状态"].iloc[0] == "待落实" and plan["期限"].iloc[0].startswith("剩")
    item_id = int(item["item_id"].iloc[0])
    overview_agrees(world, "planned")
    at = world["make"]("staff", "pages/household.py", hh=str(hh_id))

    # 6. help delivered, fulfilling the plan item
    n = audits(engine)
    at.selectbox(key="cw_aid_item").set_value(str(item_id))
    at.selectbox(key="cw_aid_type").set_value("医疗救助")
    at.number_input(key="cw_aid_amount").set_value(3000.0)
    at.selectbox(key="cw_aid_provider").set_value("工会")
    submit(at, "cw_aid_submit")
    aid = sql(engine, "SELECT aid_id, aid_type, amount, provider FROM assistance WHERE hh_id = :h", h=hh_id)
    assert aid.drop(columns="aid_id").values.tolist() == [["医疗救助", 3000.0, "工会"]]
    item = sql(engine, "SELECT status, aid_id FROM plan_item WHERE item_id = :i", i=item_id).iloc[0]
    assert item["status"] == "已落实" and int(item["aid_id"]) == int(aid["aid_id"].iloc[0])
    assert one(engine, "SELECT status FROM household WHERE hh_id = :h", h=hh_id) == "帮扶中"
    assert_audited(engine, "RecordAid", "county_staff", n)
    plan = next(d.value for d in at.dataframe if "完成期限" in d.value.columns)
    assert plan["状态"].iloc[0] == "已落实"  # the rerun shows the new data
    assert any("帮扶中" in m.value for m in at.markdown)
    overview_agrees(world, "helped")
    at = world["make"]("staff", "pages/household.py", hh=str(hh_id))

    # 7. a paired helper (the name is text: it must not become a link in the message)
    n = audits(engine)
    at.text_input(key="cw_helper_name").input("刘建国")
    at.text_input(key="cw_helper_unit").input("县总工会")
    submit(at, "cw_helper_submit")
    pairs = sql(engine, "SELECT p.end_on, h.name, h.unit FROM pairing p JOIN helper h ON h.helper_id = p.helper_id "
                        "WHERE p.hh_id = :h", h=hh_id)
    assert len(pairs) == 1 and pairs[["name", "unit"]].values.tolist() == [["刘建国", "县总工会"]]
    assert pairs["end_on"].isna().all()
    assert_audited(engine, "AssignHelper", "county_staff", n)

    # 8. a follow-up visit
    n = audits(engine)
    at.selectbox(key="cw_followup_method").set_value("入户")
    at.text_input(key="cw_followup_visitor").input("刘建国")
    at.text_area(key="cw_followup_finding").input("已住院治疗，医疗救助已到位")
    submit(at, "cw_followup_submit")
    follow = sql(engine, "SELECT method, visitor, finding, created_by FROM followup WHERE hh_id = :h", h=hh_id)
    assert follow.values.tolist() == [["入户", "刘建国", "已住院治疗，医疗救助已到位", "county_staff"]]
    assert_audited(engine, "LogFollowup", "county_staff", n)
    assert int(one(engine, "SELECT row_version FROM household WHERE hh_id = :h", h=hh_id)) == 1 + 4
    assert any("回访：" in m.value for m in at.markdown)  # the next follow-up is now due a quarter later
    overview_agrees(world, "followed up")


def _request(engine, county: str) -> tuple[int, int]:
    """An elimination request 待审批 from the county's staff, for an open file with someone able to work."""
    hh_id = int(one(engine, "SELECT MIN(h.hh_id) FROM household h WHERE h.adcode = :c AND h.status IN "
                            "('在档', '帮扶中') AND EXISTS (SELECT 1 FROM person p WHERE p.hh_id = h.hh_id AND "
                            "p.labour_capacity IN ('技能劳动力', '普通劳动力'))", c=county))
    checklist = json.dumps([{"key": "identified_6m", "ok": True, "text": "认定满6个月（已9个月）"},
                            {"key": "assisted", "ok": True, "text": "已落实至少1项帮扶措施（2项）"}],
                           ensure_ascii=False)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO elimination_request (hh_id, method, checklist, proposed_by, proposed_at, "
                          "status) VALUES (:h, '帮扶消除', :c, 'county_staff', :at, '待审批')"),
                     {"h": hh_id, "c": checklist, "at": dt.datetime.now().replace(microsecond=0)})
    return hh_id, int(one(engine, "SELECT MAX(request_id) FROM elimination_request"))


def test_the_prefecture_approves_an_elimination_and_it_is_published(world):
    engine = world["engine"]
    hh_id, request_id = _request(engine, world["county"])
    county_view = world["make"]("staff")
    assert not any(s.value == "待我审批" for s in county_view.subheader)  # nothing to approve at county level

    at = world["make"]("approver")
    assert not at.exception and any(s.value == "待我审批" for s in at.subheader)
    assert any("有 1 条风险消除申请待您审批" in i.value for i in at.info)
    assert any("认定满6个月（已9个月）" in m.value for m in at.markdown)  # the checklist is shown
    n = audits(engine)
    submit(at, f"cw_approve_{request_id}_submit")
    request = sql(engine, "SELECT status, decided_by, notice_until FROM elimination_request WHERE request_id = :r",
                  r=request_id).iloc[0]
    assert (request["status"], request["decided_by"]) == ("公示中", "pref_staff")
    assert pd.Timestamp(request["notice_until"]).date() == TODAY + dt.timedelta(days=5)
    assert_audited(engine, "DecideElimination", "pref_staff", n)
    assert any("公示至" in s.value for s in at.success)

    notice = next(d.value for d in at.dataframe if "公示理由" in d.value.columns)
    assert list(notice.columns) == ["户主姓名", "村（社区）", "类别", "公示理由", "公示截止"]
    head = sql(engine, "SELECT p.name, p.id_number, p.phone, g.name AS area FROM person p "
                       "JOIN household h ON h.hh_id = p.hh_id JOIN region g ON g.adcode = h.adcode "
                       "WHERE p.hh_id = :h AND p.relation = '01'", h=hh_id).iloc[0]
    row = notice.iloc[0]
    assert row["村（社区）"] == head["area"] and row["户主姓名"] != head["name"] and "*" in row["户主姓名"]
    flat = " ".join(str(v) for v in notice.to_numpy().ravel())
    assert str(head["id_number"]) not in flat and str(head["phone"]) not in flat

    # the household file now says where the request stands, for the county's staff
    file_view = world["make"]("staff", "pages/household.py", hh=str(hh_id))
    assert any("公示至" in i.value for i in file_view.info)


def test_sending_back_needs_a_note_and_the_proposer_cannot_approve(world):
    engine = world["engine"]
    _, request_id = _request(engine, world["county"])
    at = world["make"]("approver")
    n = audits(engine)
    submit(at, f"cw_approve_{request_id}_back")
    assert any("审批意见" in e for e in errors(at)) and audits(engine) == n  # refused: nothing written
    at.text_area(key=f"cw_approve_note_{request_id}").input("收入证明不全，请补充")
    submit(at, f"cw_approve_{request_id}_back")
    row = sql(engine, "SELECT status, decision_note FROM elimination_request WHERE request_id = :r",
              r=request_id).iloc[0]
    assert (row["status"], row["decision_note"]) == ("已退回", "收入证明不全，请补充")
    assert_audited(engine, "DecideElimination", "pref_staff", n)


def test_a_leader_cannot_open_my_work(world, monkeypatch):
    at = world["make"]("leader", "pages/overview.py")
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in the leader's navigation
        at.switch_page("pages/my_work.py")
    assert not world["leader"].may_open("my_work") and world["staff"].may_open("my_work")
    # and the page itself refuses, should it ever be run for a leader (defence in depth)
    page = AppTest.from_file(str(REPO_ROOT / "pages" / "my_work.py"), default_timeout=60)
    page.session_state["auth"] = signed_in(world["engine"], world["leader"])
    page.session_state["_page"] = "my_work"
    page.run()
    assert not page.exception
    assert any("无权访问此页面" in e for e in errors(page)) and not forms(page) and not page.dataframe


def test_a_leader_sees_the_plan_but_no_forms(world):
    engine = world["engine"]
    hh_id = int(one(engine, "SELECT MIN(hh_id) FROM household WHERE adcode = :c AND status IN ('在档', '帮扶中')",
                    c=world["county"]))
    at = world["make"]("leader", "pages/household.py", hh=str(hh_id))
    assert not at.exception and any(s.value == "一户一策" for s in at.subheader)
    assert forms(at) <= {"hh_find"}


def test_another_countys_file_or_lead_shows_nothing_to_act_on(world):
    engine = world["engine"]
    elsewhere = int(one(engine, "SELECT MIN(hh_id) FROM household WHERE adcode = :c", c=world["other"]))
    at = world["make"]("staff", "pages/household.py", hh=str(elsewhere))
    assert not at.exception
    assert any("没有这户档案，或不在您的管辖范围内" in e for e in errors(at))
    assert forms(at) <= {"hh_find"} and not at.dataframe
    lead = sql(engine, "SELECT lead_id FROM lead WHERE adcode = :c", c=world["other"])
    if not lead.empty:  # a link to another county's lead opens nothing either
        at = world["make"]("staff", lead=str(int(lead["lead_id"].iloc[0])))
        assert not at.exception and at.selectbox(key="lead").value == ""
        assert not any(k in forms(at) for k in ("cw_check", "cw_decide", "cw_assign"))


def test_a_stale_form_shows_the_conflict_and_writes_nothing(world):
    engine = world["engine"]
    hh_id = int(one(engine, "SELECT MIN(hh_id) FROM household WHERE adcode = :c AND status IN ('在档', '帮扶中')",
                    c=world["county"]))
    at = world["make"]("staff", "pages/household.py", hh=str(hh_id))
    before = {t: int(one(engine, f"SELECT COUNT(*) FROM {t}")) for t in ("followup", "audit_log")}
    with engine.begin() as conn:  # a colleague saved the file after the form was drawn
        conn.execute(text("UPDATE household SET row_version = row_version + 1 WHERE hh_id = :h"), {"h": hh_id})
    at.text_input(key="cw_followup_visitor").input("甲")
    at.text_area(key="cw_followup_finding").input("情况稳定")
    submit(at, "cw_followup_submit")
    assert any("已被他人修改" in e and "刷新" in e for e in errors(at))
    assert at.button(key="cw_followup_refresh") is not None
    assert {t: int(one(engine, f"SELECT COUNT(*) FROM {t}")) for t in before} == before
    at.button(key="cw_followup_refresh").click().run()  # 刷新: the form now carries the current version
    assert not errors(at)
    submit(at, "cw_followup_submit")
    assert int(one(engine, "SELECT COUNT(*) FROM followup")) == before["followup"] + 1


def test_a_stale_lead_form_is_refused(world):
    engine = world["engine"]
    at = world["make"]("staff")
    at.text_input(key="cw_lead_name").input("赵某")
    at.text_area(key="cw_lead_reason").input("因灾房屋受损")
    submit(at, "cw_new_lead_submit")
    lead_id = int(one(engine, "SELECT MAX(lead_id) FROM lead"))
    at.selectbox(key="lead").set_value(str(lead_id)).run()
    with engine.begin() as conn:
        conn.execute(text("UPDATE lead SET row_version = row_version + 1 WHERE lead_id = :l"), {"l": lead_id})
    n = audits(engine)
    at.text_input(key="cw_check_by").input("甲")
    at.text_area(key="cw_check_finding").input("属实")
    submit(at, "cw_check_submit")
    assert any("这条线索已被他人修改" in e for e in errors(at)) and audits(engine) == n
    assert one(engine, "SELECT status FROM lead WHERE lead_id = :l", l=lead_id) == "待核实"


def test_entered_text_is_not_rendered_as_markdown(world):
    engine = world["engine"]
    hh_id = int(one(engine, "SELECT MIN(hh_id) FROM household WHERE adcode = :c AND status IN ('在档', '帮扶中')",
                    c=world["county"]))
    at = world["make"]("staff", "pages/household.py", hh=str(hh_id))
    hostile = "![x](http://evil.example/p.png)[点我](http://evil.example)"
    at.text_input(key="cw_helper_name").input(hostile[:64])
    submit(at, "cw_helper_submit")
    message = at.success[0].value
    assert message.startswith("已结对：") and "\\!\\[x\\]" in message  # shown as typed, escaped
    for element in [*at.markdown, *at.caption, *at.info, *at.success, *at.subheader]:
        assert not re.search(r"(?<!\\)\]\(|(?<!\\)!\[", element.value), element.value
        assert not re.search(r"https?\\?://", element.value), element.value  # no bare link for GFM either


def test_a_leads_own_words_are_shown_as_plain_text(world):
    engine = world["engine"]
    at = world["make"]("staff")
    reason = "企业停产 [详情](http://evil.example) ![x](http://evil.example/a.png)"
    at.text_input(key="cw_lead_name").input("杨某某")
    at.text_area(key="cw_lead_reason").input(reason)
    submit(at, "cw_new_lead_submit")
    lead_id = int(one(engine, "SELECT MAX(lead_id) FROM lead"))
    assert one(engine, "SELECT reason FROM lead WHERE lead_id = :l", l=lead_id) == reason  # stored as typed
    at.selectbox(key="lead").set_value(str(lead_id)).run()
    assert reason in [x.value for x in at.text]  # st.text: no markdown at all
    assert not any("evil.example" in m.value for m in at.markdown)



def test_the_screens_in_english(world):
    engine = world["engine"]
    hh_id = int(one(engine, "SELECT MIN(hh_id) FROM household WHERE adcode = :c AND status IN ('在档', '帮扶中')",
                    c=world["county"]))
    at = world["make"]("staff", lang="en")
    assert not at.exception and at.title[0].value == "My work"
    table = next(d.value for d in at.dataframe if "Home check" in d.value.columns)
    assert table["Home check"].str.contains("working day").all()
    at = world["make"]("staff", "pages/household.py", hh=str(hh_id), lang="en")
    assert not at.exception and any(s.value == "Plan" for s in at.subheader)
    assert {"cw_plan", "cw_aid", "cw_followup"} <= forms(at)

# ---------------------------------------------------------------- the pure deadline arithmetic (views.casework)
def test_deadlines_read_in_working_days_across_the_national_day_holiday():
    from safetynet.domain.deadlines import HOME_CHECK, DeadlineRules
    from safetynet.domain.workdays import WorkCalendar
    from safetynet.views import casework as view

    calendar, rules = WorkCalendar.shipped(), DeadlineRules()
    due = rules.due("522626", HOME_CHECK, dt.date(2026, 9, 30), calendar)
    assert due == dt.date(2026, 10, 13)  # 1–7 Oct off; Sat 10 Oct a make-up working day
    assert view.deadline_status(due, dt.date(2026, 10, 9), calendar)[:2] == ("剩3个工作日", 3)
    assert view.deadline_status(due, dt.date(2026, 10, 12), calendar)[0] == "剩1个工作日"
    assert view.deadline_status(due, dt.date(2026, 10, 13), calendar) == ("今日到期", 0, False)
    assert view.deadline_status(due, dt.date(2026, 10, 15), calendar) == ("逾期2个工作日", -2, True)
    assert view.fmt_day(due) == "2026年10月13日"


def test_leads_sort_mine_first_then_unassigned_overdue_first():
    from safetynet.domain.deadlines import DeadlineRules
    from safetynet.domain.workdays import WorkCalendar
    from safetynet.views import casework as view

    rows = pd.DataFrame({
        "lead_id": [1, 2, 3, 4], "adcode": ["522626"] * 4, "status": ["待核实", "待核实", "待决定", "待核实"],
        "assignee": [None, "colleague", None, "me"], "received_on": [dt.date(2026, 11, 2), dt.date(2026, 11, 2),
                                                                       dt.date(2026, 12, 1), dt.date(2026, 12, 1)]})
    frame = view.lead_deadlines(rows, WorkCalendar.shipped(), DeadlineRules(), dt.date(2026, 12, 2), "me")
    assert list(frame["lead_id"]) == [4, 1, 3, 2]  # mine; unassigned overdue, then on time; a colleague's
    assert list(frame["overdue"]) == [False, True, False, True]
    assert view.only_overdue(frame)["lead_id"].tolist() == [1, 2]
