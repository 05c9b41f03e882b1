"""The demo's loop history (DOMAIN §8, issue 10 item 7): leads, checks, decisions, plans, approvals, visits.

Checked on the session demo database, on SQLite and PostgreSQL, with plain SELECTs and pandas over the raw
rows — never the generator's or the casework code's own SQL: dates in order, deadlines counted with the
holiday calendar, files opened on the day their lead was decided, four eyes on every elimination with the
approver a level above, eliminations effective on the date the file says, reversions matching relapses,
delivered plan items matching the help recorded, and nothing outside its county.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from safetynet.db import get_engine, migrate
from safetynet.demo.generate import DemoConfig, generate
from safetynet.domain.deadlines import DeadlineRules
from safetynet.domain.months import add_months
from safetynet.domain.workdays import WorkCalendar
from tests.support import latest_month, sql

OPEN = ("在档", "帮扶中")
ELIMINATED = ("风险消除", "已解困", "已脱困")
APPLICANTS = ("农户自主申报", "职工申请")
CHANNELS = {"系统预警", "部门推送", "农户自主申报", "职工申请", "基层干部排查", "工会排查", "企业报告"}


def day(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def as_days(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        frame[col] = [day(v) for v in frame[col]]
    return frame


def demo_now(engine: Engine) -> dt.date:
    """The demo's "now": four weeks after the last month of data (safetynet.demo.loop.today)."""
    m = latest_month(engine, "household_month")
    return (pd.Timestamp(year=m // 100, month=m % 100, day=1) + pd.offsets.MonthEnd(0)).date() + dt.timedelta(days=28)


def calendar(engine: Engine) -> tuple[WorkCalendar, DeadlineRules]:
    rows = sql(engine, "SELECT day, kind FROM work_calendar")
    rules = sql(engine, "SELECT adcode, step, amount, unit FROM deadline_rule")
    return (WorkCalendar((day(d), k) for d, k in rows.itertuples(index=False)),
            DeadlineRules(rules.itertuples(index=False, name=None)))


def our_leads(engine: Engine) -> pd.DataFrame:
    """The demo's own leads: all but those the refresh raised or joined for the latest month."""
    leads = sql(engine, "SELECT * FROM lead")
    leads = leads.loc[leads["alert_month"].isna() | (leads["alert_month"] < latest_month(engine, "household_month"))]
    return as_days(leads, "received_on", "checked_on", "decided_on")


def prefix(scope: str) -> str:
    """The adcode prefix a scope covers (520000 → 52, 520100 → 5201, 520102 → 520102)."""
    if scope == "000000":
        return ""
    return scope[:2] if scope.endswith("0000") else scope[:4] if scope.endswith("00") else scope


# ---------------------------------------------------------------- leads
def test_leads_come_from_every_channel_with_dates_in_order(demo_db):
    leads = our_leads(demo_db)
    assert set(leads["channel"]) == CHANNELS
    assert len(leads) > 300
    received, checked, decided = leads["received_on"], leads["checked_on"], leads["decided_on"]
    assert all(c is None or r <= c for r, c in zip(received, checked, strict=True))
    assert all(d is None or (c is not None and c <= d) for c, d in zip(checked, decided, strict=True))
    assert leads["received_on"].max() <= demo_now(demo_db)
    # the status says how far the work got
    by_status = {s: g for s, g in leads.groupby("status")}
    assert set(by_status) == {"待核实", "待决定", "已办结"}
    assert by_status["待核实"][["checked_on", "decided_on", "decision"]].isna().all().all()
    assert by_status["待决定"]["checked_on"].notna().all() and by_status["待决定"]["decided_on"].isna().all()
    done = by_status["已办结"]
    assert done["decided_on"].notna().all() and done["decision"].notna().all() and done["decided_by"].notna().all()
    assert leads.loc[leads["checked_on"].notna(), ["check_by", "check_finding"]].notna().all().all()
    # every lead has an assignee; department pushes name their department; 不纳入 always gives a reason
    assert leads["assignee"].notna().all()
    assert leads.loc[leads["channel"] == "部门推送", "department"].isin(
        ["民政", "医保", "人社", "残联", "教育", "住建", "应急"]).all()
    assert leads.loc[leads["channel"] != "部门推送", "department"].isna().all()
    assert done.loc[done["decision"] == "不纳入", "decision_reason"].str.len().gt(0).all()
    assert set(done["decision"]) == {"纳入监测", "不纳入", "并入已有档案"}
    system = leads.loc[leads["channel"] == "系统预警"]
    assert len(system) and system["alert"].isin(["newly_high", "hard_trigger"]).all()
    assert system["reason"].str.startswith("系统预警（").all() and system["hh_id"].notna().all()


def test_deadlines_counted_in_working_days_some_overdue_most_on_time(demo_db):
    cal, rules = calendar(demo_db)
    now = demo_now(demo_db)
    leads = our_leads(demo_db)
    check_due = [rules.due(a, "home_check", r, cal) for a, r in zip(leads["adcode"], leads["received_on"], strict=True)]
    decide_due = [rules.due(a, "decision", r, cal) for a, r in zip(leads["adcode"], leads["received_on"], strict=True)]
    checked = leads["checked_on"].notna().to_numpy()
    late_check = np.array([c > d for c, d in zip(leads["checked_on"].where(checked, now), check_due, strict=True)])
    share = late_check[checked].mean()
    assert 0.05 <= share <= 0.2, share  # a realistic 10–15 % of home checks after the 5 working days
    done = leads["decided_on"].notna().to_numpy()
    on_time = np.array([d is not None and d <= due for d, due in zip(leads["decided_on"], decide_due, strict=True)])
    assert on_time[done].mean() >= 0.85  # decisions within 15 working days, mostly
    assert not on_time[done].all()
    days = [cal.between(r, d) for r, d in zip(leads["received_on"][done], leads["decided_on"][done], strict=True)]
    assert 3 <= float(np.median(days)) <= 12
    # some leads are still open now, some of them overdue, most not
    open_ = ~done
    assert open_.sum() >= 5
    overdue_now = open_ & ((~checked & late_check) | (checked & np.array([now > d for d in decide_due])))
    assert 1 <= overdue_now.sum() < open_.sum()


def test_applicants_opened_the_files_identified_on_the_decision_date(demo_db):
    leads = our_leads(demo_db)
    hh = as_days(sql(demo_db, "SELECT hh_id, adcode, identified_on, found_on, source, status FROM household"),
                 "identified_on", "found_on").set_index("hh_id")
    opened = leads.loc[leads["decision"] == "纳入监测"]
    applicants = opened.loc[opened["channel"].isin(APPLICANTS)]
    assert len(applicants) > 50 and applicants["hh_id"].notna().all() and applicants["applicant_name"].notna().all()
    files = hh.loc[applicants["hh_id"].astype(int)]
    assert (files["identified_on"].to_numpy() == applicants["decided_on"].to_numpy()).all()
    assert (files["found_on"].to_numpy() == applicants["received_on"].to_numpy()).all()
    assert (files["adcode"].to_numpy() == applicants["adcode"].to_numpy()).all()
    assert (files["source"].to_numpy() == applicants["channel"].to_numpy()).all()
    status = as_days(sql(demo_db, "SELECT hh_id, changed_on FROM household_status WHERE from_status IS NULL"),
                     "changed_on").set_index("hh_id")["changed_on"]
    assert (status.loc[applicants["hh_id"].astype(int)].to_numpy() == applicants["decided_on"].to_numpy()).all()
    # every file opened on a lead in the window was opened exactly once, on that lead's decision
    first = int(sql(demo_db, "SELECT MIN(month) AS m FROM household_month")["m"].iloc[0])
    in_window = opened.loc[opened["channel"] != "系统预警"]
    new = hh.loc[pd.to_datetime(hh["identified_on"]) >= pd.Timestamp(year=first // 100, month=first % 100, day=1)]
    intake = in_window.loc[in_window["hh_id"].isin(new.index)]
    assert intake["hh_id"].is_unique and set(intake["hh_id"].astype(int)) == set(new.index)
    # turned-down applicants have no file
    rejected = leads.loc[(leads["decision"] == "不纳入") & leads["channel"].isin(APPLICANTS)]
    assert len(rejected) > 10 and rejected["hh_id"].isna().all()
    # 并入已有档案 names an existing file of the same county that was open then
    merged = leads.loc[leads["decision"] == "并入已有档案"]
    assert len(merged) and merged["hh_id"].notna().all()
    assert (hh.loc[merged["hh_id"].astype(int), "adcode"].to_numpy() == merged["adcode"].to_numpy()).all()
    assert (hh.loc[merged["hh_id"].astype(int), "identified_on"].to_numpy() < merged["received_on"].to_numpy()).all()


def test_one_open_lead_per_household(demo_db):
    leads = sql(demo_db, "SELECT hh_id FROM lead WHERE status <> '已办结' AND hh_id IS NOT NULL")
    assert leads["hh_id"].is_unique


def test_the_latest_month_is_left_to_the_scoring_refresh(demo_db):
    """The demo writes no 系统预警 for the latest month; the refresh raised one for each household the latest
    scores put on the list — or joined an open lead, or left one raised in the last three months (DOMAIN §8)."""
    latest = latest_month(demo_db, "household_month")
    cur = sql(demo_db, "SELECT c.hh_id, c.tier, c.flags, c.triggers, h.status, h.eliminated_on FROM household_current c "
                       "JOIN household h ON h.hh_id = c.hh_id WHERE c.month = :m", m=latest)
    end = pd.Timestamp(year=latest // 100, month=latest % 100, day=1) + pd.offsets.MonthEnd(0)
    relapse = cur["status"].isin(ELIMINATED) & (pd.to_datetime(cur["eliminated_on"]) >= end - pd.DateOffset(months=12))
    listed = (cur["tier"] == "高") & (((cur["flags"].astype("int64") & 8) != 0) | (cur["triggers"] != 0) | relapse) \
        & ~cur["status"].isin(["退档", "注销"])
    expected = set(cur.loc[listed, "hh_id"].astype(int))
    leads = sql(demo_db, "SELECT hh_id, channel, alert_month, status, created_by FROM lead WHERE hh_id IS NOT NULL")
    now = leads.loc[leads["alert_month"] == latest]
    recent = leads.loc[(leads["channel"] == "系统预警") & (leads["alert_month"] >= add_months(latest, -2))]
    assert len(expected) > 10
    assert expected <= set(now["hh_id"].astype(int)) | set(recent["hh_id"].astype(int))
    raised = now.loc[now["channel"] == "系统预警"]
    assert len(raised) and raised["created_by"].eq("system").all()
    assert set(now["hh_id"].astype(int)) <= expected


# ---------------------------------------------------------------- risk elimination
def test_every_elimination_was_approved_by_the_level_above(demo_db):
    req = sql(demo_db, "SELECT * FROM elimination_request")
    users = sql(demo_db, "SELECT username, role, scope_adcode, password_hash FROM app_user").set_index("username")
    hh = sql(demo_db, "SELECT hh_id, adcode, status FROM household").set_index("hh_id")
    assert set(req["status"]) == {"待审批", "已退回", "公示中", "已生效", "已回退"}
    decided = req.loc[req["status"] != "待审批"]
    assert (decided["proposed_by"] != decided["decided_by"]).all()
    proposer = users.loc[decided["proposed_by"], "scope_adcode"].map(prefix).to_numpy()
    approver = users.loc[decided["decided_by"], "scope_adcode"].map(prefix).to_numpy()
    assert all(len(a) < len(p) and p.startswith(a) for a, p in zip(approver, proposer, strict=True))
    # the proposer is the household's county staff; both may act (staff), neither can sign in
    assert (users.loc[req["proposed_by"], "scope_adcode"].to_numpy() == hh.loc[req["hh_id"], "adcode"].to_numpy()).all()
    assert users.loc[pd.unique(pd.concat([req["proposed_by"], decided["decided_by"]])), "role"].eq("staff").all()
    assert users.loc[pd.unique(req["proposed_by"]), "password_hash"].isna().all()
    assert (pd.to_datetime(decided["decided_at"]) > pd.to_datetime(decided["proposed_at"])).all()
    assert req.loc[req["status"] == "待审批", ["decided_by", "decided_at", "notice_until"]].isna().all().all()
    assert decided.loc[decided["status"] == "已退回", "decision_note"].str.len().gt(0).all()
    # approved: a public notice of at least 5 days after the approval
    noticed = decided.loc[decided["status"].isin(["公示中", "已生效", "已回退"])]
    gap = pd.to_datetime(noticed["notice_until"]) - pd.to_datetime(noticed["decided_at"]).dt.normalize()
    assert (gap >= pd.Timedelta(days=5)).all()
    assert req["checklist"].str.contains('"key": "stable_income", "ok": true').all()
    # requests in progress are for files still open
    live = req.loc[req["status"].isin(["待审批", "公示中"])]
    assert hh.loc[live["hh_id"], "status"].isin(OPEN).all() and live["hh_id"].is_unique
    assert (pd.to_datetime(live.loc[live["status"] == "公示中", "notice_until"]) >= pd.Timestamp(demo_now(demo_db))).all()


def test_eliminated_on_is_the_date_the_request_took_effect(demo_db):
    req = sql(demo_db, "SELECT request_id, hh_id, status, notice_until FROM elimination_request "
                       "WHERE status IN ('已生效', '已回退')")
    req["effective"] = (pd.to_datetime(req["notice_until"]) + pd.Timedelta(days=1)).dt.date
    changes = as_days(sql(demo_db, "SELECT hh_id, changed_on, to_status, method, is_relapse, note FROM household_status"),
                      "changed_on")
    eliminations = changes.loc[changes["to_status"].isin(ELIMINATED)]
    assert len(eliminations) > 20
    # one request per elimination, effective on the day the status changed
    left = eliminations[["hh_id", "changed_on"]].rename(columns={"changed_on": "effective"})
    matched = left.merge(req, on=["hh_id", "effective"], how="left", indicator=True)
    assert (matched["_merge"] == "both").all() and len(req) == len(eliminations)
    hh = as_days(sql(demo_db, "SELECT hh_id, status, eliminated_on FROM household WHERE status IN "
                              "('风险消除', '已解困', '已脱困')"), "eliminated_on").set_index("hh_id")
    last = req.loc[req["status"] == "已生效"].sort_values("effective").groupby("hh_id")["effective"].last()
    assert len(hh) and (hh["eliminated_on"] == last.reindex(hh.index)).all()
    assert eliminations["note"].str.startswith("风险消除申请第").all()


def test_every_reverted_request_matches_a_relapse(demo_db):
    req = sql(demo_db, "SELECT hh_id, status, notice_until FROM elimination_request WHERE status = '已回退'")
    relapses = as_days(sql(demo_db, "SELECT hh_id, changed_on, note FROM household_status WHERE is_relapse = :t",
                           t=True), "changed_on")
    assert len(req) >= 3 and len(req) == len(relapses)
    req["effective"] = (pd.to_datetime(req["notice_until"]) + pd.Timedelta(days=1)).dt.date
    pairs = req.merge(relapses, on="hh_id")
    after = pairs.loc[(pairs["changed_on"] > pairs["effective"])
                      & (pd.to_datetime(pairs["changed_on"]) <= pd.to_datetime(pairs["effective"]) + pd.DateOffset(months=12))]
    # each reversion is the first relapse after its elimination
    first = after.sort_values("changed_on").groupby(["hh_id", "effective"]).head(1)
    assert len(first) == len(req) and not first.duplicated(["hh_id", "changed_on"]).any()
    assert relapses["note"].str.startswith("风险消除回退").all()


# ---------------------------------------------------------------- 一户一策, visits, the county
def test_plans_of_open_files_point_at_the_help_delivered(demo_db):
    items = as_days(sql(demo_db, "SELECT * FROM plan_item"), "due_on")
    aid = as_days(sql(demo_db, "SELECT aid_id, hh_id, aid_type, delivered_on FROM assistance"), "delivered_on")
    hh = sql(demo_db, "SELECT hh_id, status FROM household").set_index("hh_id")
    assert set(items["status"]) == {"待落实", "已落实", "已取消"}
    assert hh.loc[items["hh_id"], "status"].isin(OPEN).all()
    # a file being helped always has its next measure planned; of the files opened and not helped yet (在档),
    # some still wait for their 一户一策 to be drawn up (what the watchlist's 无一户一策 finds)
    open_files = set(hh.index[hh["status"].isin(OPEN)])
    planned = set(items.loc[items["status"] == "待落实", "hh_id"])
    unplanned = open_files - planned
    assert planned <= open_files and unplanned and len(unplanned) < 0.05 * len(open_files)
    assert (hh.loc[sorted(unplanned), "status"] == "在档").all()
    delivered = items.loc[items["status"] == "已落实"]
    joined = delivered.merge(aid, on="aid_id", how="left", suffixes=("", "_aid"))
    assert joined["hh_id_aid"].notna().all()
    assert (joined["hh_id"] == joined["hh_id_aid"]).all() and (joined["aid_type"] == joined["aid_type_aid"]).all()
    assert (pd.to_datetime(joined["created_at"]).dt.date <= joined["delivered_on"]).all()
    assert delivered["aid_id"].is_unique and items.loc[items["status"] != "已落实", "aid_id"].isna().all()
    # most measures due are not yet late; some are
    pending = items.loc[items["status"] == "待落实"]
    late = (pending["due_on"] < demo_now(demo_db)).mean()
    assert 0.03 < late < 0.35, late
    assert (items["due_on"] >= pd.to_datetime(items["created_at"]).dt.date).all()
    assert items["responsible"].str.len().gt(0).all()


def test_followups_name_who_visited_and_come_quarterly_while_assisted(demo_db):
    visits = as_days(sql(demo_db, "SELECT hh_id, followed_on, visitor, created_by FROM followup"), "followed_on")
    assert len(visits) and visits["visitor"].notna().all() and visits["created_by"].notna().all()
    assert visits["visitor"].str.len().between(2, 64).all()
    hh = as_days(sql(demo_db, "SELECT hh_id, status, identified_on FROM household"), "identified_on").set_index("hh_id")
    assert (visits["followed_on"].to_numpy() >= hh.loc[visits["hh_id"], "identified_on"].to_numpy()).all()
    # files assisted through the last months of data had a visit in the quarter before its end
    latest = latest_month(demo_db, "household_month")
    end = (pd.Timestamp(year=latest // 100, month=latest % 100, day=1) + pd.offsets.MonthEnd(0)).date()
    assisted = sql(demo_db, "SELECT hh_id, MIN(changed_on) AS since FROM household_status WHERE to_status = '帮扶中' "
                            "GROUP BY hh_id")
    long_helped = assisted.loc[pd.to_datetime(assisted["since"]) <= pd.Timestamp(end) - pd.DateOffset(months=6), "hh_id"]
    long_helped = [h for h in long_helped if hh.at[h, "status"] == "帮扶中"]
    last = visits.groupby("hh_id")["followed_on"].max()
    recent = last.reindex(long_helped) >= end - dt.timedelta(days=120)
    assert 0.7 <= recent.mean() <= 1.0


def test_nothing_is_assigned_or_recorded_outside_its_county(demo_db):
    users = sql(demo_db, "SELECT username, scope_adcode FROM app_user").set_index("username")["scope_adcode"]
    hh = sql(demo_db, "SELECT hh_id, adcode, status, assignee FROM household").set_index("hh_id")

    def inside(adcode: str, user: str) -> bool:
        return str(adcode).startswith(prefix(users[user]))

    leads = sql(demo_db, "SELECT hh_id, adcode, assignee, decided_by, created_by FROM lead")
    files = leads.loc[leads["hh_id"].notna()]
    assert (hh.loc[files["hh_id"].astype(int), "adcode"].to_numpy() == files["adcode"].to_numpy()).all()
    ours = leads.loc[leads["assignee"].notna()]
    assert all(inside(a, u) for a, u in zip(ours["adcode"], ours["assignee"], strict=True))
    deciders = ours.loc[ours["decided_by"].notna()]
    assert all(inside(a, u) for a, u in zip(deciders["adcode"], deciders["decided_by"], strict=True))
    entered = ours.loc[ours["created_by"] != "system"]
    assert all(inside(a, u) for a, u in zip(entered["adcode"], entered["created_by"], strict=True))
    items = sql(demo_db, "SELECT hh_id, created_by FROM plan_item")
    assert all(inside(hh.at[h, "adcode"], u) for h, u in zip(items["hh_id"], items["created_by"], strict=True))
    visits = sql(demo_db, "SELECT hh_id, created_by FROM followup")
    assert all(inside(hh.at[h, "adcode"], u) for h, u in zip(visits["hh_id"], visits["created_by"], strict=True))
    # open files (and eliminated ones, still visited) have an assignee of their county; closed files none
    followed = hh.loc[hh["status"].isin(OPEN + ELIMINATED)]
    assert followed["assignee"].notna().all()
    assert all(users[u] == a for a, u in zip(followed["adcode"], followed["assignee"], strict=True))
    assert hh.loc[hh["status"].isin(["退档", "注销"]), "assignee"].isna().all()


def test_the_loop_history_is_deterministic_per_seed(tmp_path):
    def build(name: str, seed: int) -> dict[str, pd.DataFrame]:
        engine = get_engine(f"sqlite:///{tmp_path / name}")
        migrate.upgrade(engine)
        generate(engine, DemoConfig(households=200, months=14, seed=seed))
        latest = latest_month(engine, "household_month")
        return {
            "lead": sql(engine, "SELECT * FROM lead WHERE alert_month IS NULL OR alert_month < :m ORDER BY lead_id",
                        m=latest).drop(columns="created_at"),
            "plan_item": sql(engine, "SELECT * FROM plan_item ORDER BY item_id"),
            "elimination_request": sql(engine, "SELECT * FROM elimination_request ORDER BY request_id"),
            "followup": sql(engine, "SELECT * FROM followup ORDER BY followup_id"),
            "app_user": sql(engine, "SELECT username, display_name, scope_adcode FROM app_user ORDER BY username"),
            "household": sql(engine, "SELECT hh_id, assignee FROM household ORDER BY hh_id"),
        }

    a, b, c = build("a.db", 3), build("b.db", 3), build("c.db", 4)
    for name, frame in a.items():
        pd.testing.assert_frame_equal(frame, b[name], obj=name)
    assert not a["lead"][["reason", "received_on"]].equals(c["lead"][["reason", "received_on"]])


@pytest.mark.parametrize("households", [2, 5])
def test_a_tiny_demo_with_no_leads_or_eliminations_still_builds(tmp_path, households):
    engine = get_engine(f"sqlite:///{tmp_path / 'tiny.db'}")
    migrate.upgrade(engine)
    counts = generate(engine, DemoConfig(households=households, months=2, seed=households))
    assert counts["household"] == households and counts.get("elimination_request", 0) == 0
