"""Planners of the casework kinds: department leads, the holiday calendar and the deadline rules.

Like the planners in `plan`, they only read: the same plan serves a dry run and an import.

* `leads` (部门推送, DOMAIN §8): a row names a file (档案编号) or a person without one (姓名, 身份证号, 区县代码).
  A person whose ID number is registered as a member of a file in the importer's scope belongs to that
  file. A household has at most one open lead: a row for a household with an open lead joins it, its
  report appended with `db.casework.joined_reason` — the rule a lead entered on screen follows — and rows
  of the same household (or person) in one file make one lead. A file outside the importer's scope is
  refused in the same words as one that does not exist. Re-importing a file finds its rows already in
  the leads (unchanged). Deadlines are not stored: like every lead, an imported one is due N working days
  after its received date, by the region's `deadline_rule` and the `work_calendar`.
* `calendar`: one row per day off on a weekday or make-up working day (a holiday on a weekend is accepted
  and changes nothing); national reference data (`KindSpec.national_only`, checked by `load`).
* `deadline_rules`: per region and step; a region outside the importer's scope is refused.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Table, select

from safetynet.db import casework as store
from safetynet.db.schema import deadline_rule, household, lead, work_calendar
from safetynet.domain import deadlines
from safetynet.domain.workdays import WORKDAY, WorkCalendar
from safetynet.ingest import kinds as K
from safetynet.ingest.plan import (
    INSERT,
    SAME,
    UPDATE,
    Context,
    Plan,
    _cell_bad,
    _compare_values,
    _finish,
    _key_ok,
    dates_obj,
    differs,
    keep_blank,
    read_in,
)
from safetynet.ingest.validate import Parsed, duplicates

TABLES: dict[str, Table] = {t.name: t for t in (lead, work_calendar, deadline_rule)}
NEW_LEAD_STATUS = "待核实"
UNKNOWN_FILE = "找不到这个档案编号，或该档案不在您的管辖范围内；尚未建档的人员请留空档案编号，填写姓名、身份证号和区县代码"
APPLICANT_REQUIRED = "未填写档案编号时必填（尚未建档的人员须填写姓名、身份证号和区县代码）"
WEEKDAYS = "一二三四五六日"


def _column(parsed: Parsed, name: str) -> np.ndarray:
    """Parsed values of an optional column (None throughout when the file has no such column)."""
    if name in parsed.present:
        return np.asarray(parsed.values[name], dtype=object)
    return np.full(parsed.n, None, dtype=object)


def _blank(parsed: Parsed, name: str) -> np.ndarray:
    return parsed.blank[name] if name in parsed.blank else np.ones(parsed.n, dtype=bool)


# ---------------------------------------------------------------- department leads
def lead_source(department: str) -> str:
    """How an imported report names where it came from when it joins a lead: 部门推送（民政）."""
    return f"{K.LEAD_CHANNEL}（{department}）"


def _already_there(row: dict, text: str, department: str, received: dt.date) -> bool:
    """Does the stored lead `row` already hold this report (the file, or this row of it, was imported before)?"""
    reason = str(row["reason"] or "")
    own = (row["channel"] == K.LEAD_CHANNEL and row["department"] == department and row["received_on"] == received
           and (reason == text or reason.startswith(text + "；")))
    segment = store.joined_reason("", received, lead_source(department), text)  # "；<date> <source>：<text>"
    return own or (segment + "；") in (reason + "；")


def plan_leads(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    p = parsed.problems
    file_no, name, id_number = _column(parsed, "file_no"), _column(parsed, "name"), _column(parsed, "id_number")
    adcode, phone = _column(parsed, "adcode"), _column(parsed, "phone")
    has_file = ~_blank(parsed, "file_no")
    for field_name in ("name", "id_number", "adcode"):
        p.add(~has_file & _blank(parsed, field_name), parsed.header_of(field_name), APPLICANT_REQUIRED, quote=False)
    received = v["received_on"]
    text = np.array([(t or "").strip() for t in _column(parsed, "reason")], dtype=object)
    department = _column(parsed, "department")

    # the same report twice in the file: the later copies are duplicates (a different report on the same
    # household or person is not: it joins the first one's lead)
    ok = _key_ok(parsed, ("department", "received_on", "reason")) & (has_file | ~_blank(parsed, "id_number"))
    ok &= ~_cell_bad(parsed, ("file_no", "id_number"), p.bad)
    duplicates(parsed, [file_no, id_number, department, received, text], ok,
               _compare_values(parsed, ("file_no", "id_number", "department", "received_on", "reason")),
               "档案编号（或身份证号）+来源部门+接收日期+线索内容")

    # which household: by file number (outside the scope = unknown), or by a member's ID number
    hh = np.zeros(n, dtype=np.int64)
    if "file_no" in parsed.present:
        hh = ctx.hh_ids(parsed, has_file & ~p.bad, unknown_reason=UNKNOWN_FILE)
    by_id = _members(ctx, id_number, ~p.bad & ~_blank(parsed, "id_number"))
    member_hh = np.array([by_id.get(i, (0, ""))[0] if i else 0 for i in id_number], dtype=np.int64)
    member_file = np.array([by_id.get(i, (0, ""))[1] if i else "" for i in id_number], dtype=object)
    other = has_file & (hh != 0) & (member_hh != 0) & (member_hh != hh)
    if other.any():
        why = np.full(n, "", dtype=object)
        why[other] = "登记为档案“" + pd.Series(member_file[other], dtype=object) + "”的成员，与所填档案编号不一致"
        p.add(other, parsed.header_of("id_number"), why, parsed.raw["id_number"])
    hh = np.where(has_file, hh, member_hh)
    file_county = _household_counties(ctx, hh)
    mismatch = has_file & (hh != 0) & pd.notna(adcode) & (adcode != file_county)
    if mismatch.any():
        why = np.full(n, "", dtype=object)
        why[mismatch] = "与档案所在区县（" + pd.Series(file_county[mismatch], dtype=object) + "）不一致；已建档的可不填区县代码"
        p.add(mismatch, parsed.header_of("adcode"), why, parsed.raw["adcode"])
    county = np.where(hh != 0, file_county, adcode)

    plan = Plan(K.LEADS, parsed, np.zeros(n, dtype=np.int8), update_key=("lead_id",))
    rows = np.flatnonzero(~p.bad)
    stored_hh = store.leads_of_households(ctx.conn, sorted({int(h) for h in hh[rows] if h > 0}), lock=True)
    applicants = store.applicant_leads(ctx.conn, K.LEAD_CHANNEL, [str(county[i]) for i in rows if hh[i] == 0])
    by_household: dict[int, list[dict]] = {}
    for row in stored_hh:
        by_household.setdefault(int(row["hh_id"]), []).append(row)
    by_applicant: dict[tuple[str, str], list[dict]] = {}
    for row in applicants:
        by_applicant.setdefault((row["adcode"], row["applicant_name"] or ""), []).append(row)

    now = dt.datetime.now().replace(microsecond=0)
    targets: dict[tuple, dict] = {}  # household or person → the lead this file's reports on it go to
    new_leads: list[dict] = []
    joined_existing = joined_new = 0
    for i in rows:
        day = pd.Timestamp(received[i]).date()
        dept, report = str(department[i]), str(text[i])
        household = int(hh[i])
        if household != 0:
            key: tuple = ("hh", household)
            seen = by_household.get(household, [])
        else:
            key = ("person", id_number[i])
            seen = by_applicant.get((str(county[i]), str(name[i])), [])
        if any(_already_there(r, report, dept, day) for r in seen):
            plan.outcome[i] = SAME
            continue
        target = targets.get(key)
        if target is None and household != 0:
            open_lead = next((r for r in seen if r["status"] != store.CLOSED_LEAD), None)
            if open_lead is not None:
                target = targets[key] = {"lead_id": open_lead["lead_id"], "hh_id": household,
                                         "reason": open_lead["reason"], "row_version": open_lead["row_version"] + 1}
        if target is None:
            target = targets[key] = {
                "hh_id": household if household != 0 else None, "adcode": county[i], "channel": K.LEAD_CHANNEL,
                "department": dept, "applicant_name": None if household else name[i],
                "applicant_phone": None if household else phone[i], "reason": report, "received_on": day,
                "status": NEW_LEAD_STATUS, "created_by": ctx.user, "created_at": now, "row_version": 1}
            new_leads.append(target)
            plan.outcome[i] = INSERT
            continue
        target["reason"] = store.joined_reason(target["reason"], day, lead_source(dept), report)
        if "lead_id" in target:
            plan.outcome[i] = UPDATE
            joined_existing += 1
        else:
            plan.outcome[i] = INSERT  # part of a lead this file creates
            joined_new += 1
    plan.inserts = _lead_frame(new_leads)
    joined = [t for t in targets.values() if "lead_id" in t]
    if joined:
        plan.updates = pd.DataFrame({"lead_id": [t["lead_id"] for t in joined],
                                     "reason": [t["reason"] for t in joined],
                                     "row_version": [t["row_version"] for t in joined]})
    plan.affected = {int(t["hh_id"]) for t in [*new_leads, *joined] if t["hh_id"]}
    if joined_existing:
        parsed.warnings.append(f"{joined_existing}行所属档案已有未办结的线索，已并入该线索（不重复登记）")
    if joined_new:
        parsed.warnings.append(f"{joined_new}行与本文件中同一户（同一人）的其他行合并为一条线索")
    if new_leads:
        parsed.warnings.append(_deadline_note(ctx, new_leads))
    return _finish(plan)


def _members(ctx: Context, id_number: np.ndarray, given: np.ndarray) -> dict[str, tuple[int, str]]:
    """ID number → (hh_id, file number) of the member of a file in scope (this file's new members too)."""
    wanted = sorted({str(i) for i in id_number[given]})
    out = {r["id_number"]: (int(r["hh_id"]), r["file_no"])
           for r in store.members_by_id_number(ctx.conn, wanted, ctx.scope_prefix)}
    new = ctx.new_persons.dropna(subset=["id_number"])
    if len(new):
        files = ctx.households.reset_index().drop_duplicates("hh_id").set_index("hh_id")["file_no"]
        for id_no, hh_id in zip(new["id_number"], new["hh_id"], strict=True):
            if id_no in wanted and id_no not in out:
                out[id_no] = (int(hh_id), str(files.get(hh_id, "")))
    return out


def _household_counties(ctx: Context, hh: np.ndarray) -> np.ndarray:
    """The county of each row's household (None where there is none)."""
    known = ctx.households.reset_index().drop_duplicates("hh_id").set_index("hh_id")["adcode"]
    missing = sorted({int(h) for h in hh if h > 0} - {int(h) for h in known.index})
    if missing:  # households found through a member's ID number
        more = read_in(ctx.conn, select(household.c.hh_id, household.c.adcode), household.c.hh_id, missing)
        known = pd.concat([known, more.set_index("hh_id")["adcode"]])
    return np.array([known.get(int(h)) if h != 0 else None for h in hh], dtype=object)


def _lead_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    frame["hh_id"] = pd.array([h if h is not None else pd.NA for h in frame["hh_id"]], dtype="Int64")
    return frame


def _deadline_note(ctx: Context, new_leads: list[dict]) -> str:
    """When the new leads' home checks are due (DOMAIN §8), counted like a lead entered on screen."""
    calendar = WorkCalendar(store.calendar_rows(ctx.conn))
    rules = deadlines.DeadlineRules(store.deadline_rows(ctx.conn))
    due = [rules.due(str(r["adcode"]), deadlines.HOME_CHECK, r["received_on"], calendar) for r in new_leads]
    first = min(due)
    late = sum(d < ctx.clock.today for d in due)
    text = (f"新登记{len(new_leads)}条线索，入户核实期限按接收日期和各区县的期限规则以工作日计算，"
            f"最早于{first.year}年{first.month}月{first.day}日到期")
    return text + (f"；其中{late}条已超过期限" if late else "")


# ---------------------------------------------------------------- the holiday calendar
CALENDAR_YEARS_AHEAD = 2  # a notice is published about a year ahead: later dates are typing errors


def plan_calendar(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    p = parsed.problems
    day = v["day"]
    ok_day = ~np.isnat(day)
    kind = _column(parsed, "kind")
    weekday = np.full(n, -1)
    weekday[ok_day] = pd.DatetimeIndex(day[ok_day]).day_of_week
    last = ctx.clock.today.year + CALENDAR_YEARS_AHEAD
    too_late = ok_day & (day > np.datetime64(f"{last}-12-31"))
    p.add(too_late, parsed.header_of("day"), f"晚于{last}年，节假日安排一般只提前一年公布，疑为录入错误", parsed.raw["day"])
    pointless = ok_day & (kind == WORKDAY) & (weekday >= 0) & (weekday < 5)
    if pointless.any():
        why = np.full(n, "", dtype=object)
        why[pointless] = ["是星期" + WEEKDAYS[w] + "，本来就是工作日，不需要登记为调休上班" for w in weekday[pointless]]
        p.add(pointless, parsed.header_of("day"), why, parsed.raw["day"])
    duplicates(parsed, [day], _key_ok(parsed, ("day",)), _compare_values(parsed, ("day",)), "日期")
    rows = np.flatnonzero(~p.bad)
    days = [pd.Timestamp(d).date() for d in day[rows]]
    stored = read_in(ctx.conn, select(work_calendar), work_calendar.c.day, days) if days else pd.DataFrame()
    plan = Plan(K.CALENDAR, parsed, np.zeros(n, dtype=np.int8), update_key=("day",))
    index = {pd.Timestamp(d).date(): j for j, d in enumerate(stored["day"])} if len(stored) else {}
    at = np.array([index.get(d, -1) for d in days], dtype=np.int64)
    old, new = rows[at >= 0], rows[at < 0]
    fields = [K.CALENDAR.field(f) for f in ("kind", "name", "source") if f in parsed.present]
    if len(old):
        st = stored.iloc[at[at >= 0]].reset_index(drop=True)
        values = {f.target: keep_blank(f, parsed, old, st[f.target].to_numpy()) for f in fields}
        changed = np.zeros(len(old), dtype=bool)
        for f in fields:
            changed |= differs(f.type, values[f.target], st[f.target].to_numpy())
        plan.outcome[old] = np.where(changed, UPDATE, SAME)
        if changed.any():
            plan.updates = pd.DataFrame({"day": dates_obj(day[old][changed]),
                                         **{c: np.asarray(vals, dtype=object)[changed] for c, vals in values.items()}})
    plan.outcome[new] = INSERT
    if len(new):
        kinds = kind[new]
        names = _column(parsed, "name")[new]
        plan.inserts = pd.DataFrame({
            "day": dates_obj(day[new]), "kind": kinds,
            "name": [nm if nm else K.CALENDAR_KINDS[k] for nm, k in zip(names, kinds, strict=True)],
            "source": _column(parsed, "source")[new]})
    return _finish(plan)


# ---------------------------------------------------------------- deadline rules
def plan_deadline_rules(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    p = parsed.problems
    region = _column(parsed, "region_code")
    if ctx.scope_prefix:  # a rule for the nation, or for another region, is not this administrator's to set
        outside = pd.notna(region) & ~np.array([isinstance(r, str) and r.startswith(ctx.scope_prefix) for r in region])
        p.add(outside, parsed.header_of("region_code"), "不在您的管辖范围内，不能导入", parsed.raw["region_code"])
    step = _column(parsed, "step")
    duplicates(parsed, [region, step], _key_ok(parsed, ("region_code", "step")),
               _compare_values(parsed, ("region_code", "step")), "区域代码+环节")
    stored = pd.read_sql(select(deadline_rule), ctx.conn)
    index = {(a, s): j for j, (a, s) in enumerate(zip(stored["adcode"], stored["step"], strict=True))}
    at = np.array([index.get((region[i], step[i]), -1) for i in range(n)], dtype=np.int64)
    given_unit = _column(parsed, "unit")
    unit = np.array([given_unit[i] if given_unit[i] else
                     (stored["unit"].iloc[at[i]] if at[i] >= 0 else deadlines.DEFAULT_RULES.get(step[i], (0, None))[1])
                     for i in range(n)], dtype=object)
    amount = v["amount"]
    limit = np.array([K.UNIT_MAX.get(u, 0) for u in unit], dtype=float)
    high = ~np.isnan(amount) & pd.notna(unit) & (amount > limit)
    if high.any():
        why = np.full(n, "", dtype=object)
        why[high] = [f"超过上限：期限以{K.UNIT_LABELS[u]}计时不超过{K.UNIT_MAX[u]}" for u in unit[high]]
        p.add(high, parsed.header_of("amount"), why, parsed.raw["amount"])
    plan = Plan(K.DEADLINE_RULES, parsed, np.zeros(n, dtype=np.int8), update_key=("adcode", "step"))
    rows = np.flatnonzero(~p.bad)
    old, new = rows[at[rows] >= 0], rows[at[rows] < 0]
    if len(old):
        st = stored.iloc[at[old]].reset_index(drop=True)
        changed = differs("int", amount[old], st["amount"].to_numpy()) | differs("code", unit[old], st["unit"].to_numpy())
        plan.outcome[old] = np.where(changed, UPDATE, SAME)
        up = old[changed]
        if len(up):
            plan.updates = pd.DataFrame({"adcode": region[up], "step": step[up],
                                         "amount": amount[up].astype(np.int64), "unit": unit[up]})
    plan.outcome[new] = INSERT
    if len(new):
        plan.inserts = pd.DataFrame({"adcode": region[new], "step": step[new],
                                     "amount": amount[new].astype(np.int64), "unit": unit[new]})
    return _finish(plan)


PLANNERS = {"leads": plan_leads, "calendar": plan_calendar, "deadline_rules": plan_deadline_rules}
