"""Carrying out a staff action: scope, row version, the rules, the writes, the audit row and the refresh.

`execute(engine, user, command)` runs in one transaction (`db.casework.write_transaction`). In order:
the database must be writable; the user's role may act; the command's own checks (`validate`); the object
must lie inside the user's region (else "没有这户档案，或不在您的管辖范围内", the same words whether it
exists elsewhere or not at all); the row version the form was opened with must still be current (else
`Conflict`); the rules that need the database; the writes; one `casework` audit row with what changed
(before → after); and `refresh.households`, which re-scores the household, updates its watchlist row and
the roll-ups and bumps the data version, so every open screen shows the change on its next rerun.
Nothing is written when any step refuses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from safetynet import audit
from safetynet.auth import User, scope_prefix, within
from safetynet.casework import commands as C
from safetynet.casework.errors import (
    CONFLICT,
    LEAD_CONFLICT,
    LEAD_NOT_FOUND,
    NOT_ALLOWED,
    NOT_FOUND,
    Conflict,
    Invalid,
    OutOfScope,
)
from safetynet.db import casework as store
from safetynet.db import health
from safetynet.domain import codes, lifecycle
from safetynet.domain.deadlines import NOTICE, DeadlineRules
from safetynet.domain.months import month_of
from safetynet.domain.workdays import WorkCalendar
from safetynet.pipeline import refresh

ACTING_ROLES = ("staff", "admin")
CHANNEL_SOURCE = {"系统预警": "部门筛查预警", "部门推送": "部门筛查预警"}  # lead channel → household.source


@dataclass(frozen=True)
class Outcome:
    message: str  # Chinese, for the screen
    hh_id: int | None = None
    lead_id: int | None = None
    data_version: int | None = None


@dataclass
class _Ctx:
    conn: Connection
    user: User
    prefix: str
    today: dt.date


def execute(engine: Engine, user: User, command: C.Command, today: dt.date | None = None) -> Outcome:
    """Carry out `command` for `user`; raises a CaseworkRefused (Chinese message) and writes nothing if refused."""
    today = today or dt.date.today()
    if user.role not in ACTING_ROLES:
        raise Invalid(NOT_ALLOWED, role=user.role)
    command.validate(today)
    health.check_writable(engine)
    handler = _HANDLERS[type(command)]
    with store.write_transaction(engine) as conn:
        ctx = _Ctx(conn, user, scope_prefix(user.scope), today)
        message, hh_id, lead_id, before, after = handler(ctx, command)
        target = f"lead:{lead_id}" if hh_id is None else f"hh:{hh_id}"
        audit.record(conn, user.username, "casework", target, region=audit.region_of_lead(conn, lead_id, hh_id),
                     command=type(command).__name__,
                     input=_jsonable(asdict(command)), before=before, after=after)
        done = refresh.households(conn, f"casework {type(command).__name__} {target}",
                                  [hh_id] if hh_id is not None else [])
    return Outcome(message, hh_id, lead_id, done.data_version)


def _jsonable(values: dict) -> dict:
    """The command as the audit row keeps it: an attachment's bytes as their size (the row names its sha256)."""
    return json.loads(json.dumps(values, ensure_ascii=False,
                                 default=lambda v: f"{len(v)} 字节" if isinstance(v, bytes) else str(v)))


# ---------------------------------------------------------------- the object and its version
def _file(ctx: _Ctx, hh_id: int, seen_version: int) -> dict:
    """The household inside the user's scope, claimed at the version the form showed."""
    row = store.household_in_scope(ctx.conn, hh_id, ctx.prefix)
    if row is None:
        raise OutOfScope(NOT_FOUND)
    if not store.claim_household(ctx.conn, hh_id, seen_version):
        raise Conflict(CONFLICT, who=f"现为第{row['row_version']}版，您打开时为第{seen_version}版")
    return row


def _lead(ctx: _Ctx, lead_id: int) -> dict:
    row = store.lead_in_scope(ctx.conn, lead_id, ctx.prefix)
    if row is None:
        raise OutOfScope(LEAD_NOT_FOUND)
    return row


def _save_lead(ctx: _Ctx, row: dict, seen_version: int, **values: object) -> None:
    if not store.claim_lead(ctx.conn, row["lead_id"], seen_version, **values):
        raise Conflict(LEAD_CONFLICT, who=f"现为第{row['row_version']}版，您打开时为第{seen_version}版")


def _pick(row: dict, keys: tuple[str, ...]) -> dict:
    return {k: row.get(k) for k in keys}


def _calendar(ctx: _Ctx) -> tuple[WorkCalendar, DeadlineRules]:
    return WorkCalendar(store.calendar_rows(ctx.conn)), DeadlineRules(store.deadline_rows(ctx.conn))


def _set_status(ctx: _Ctx, hh: dict, to_status: str, on: dt.date, method: str | None = None,
                relapse: bool = False, note: str | None = None, **values: object) -> None:
    if not lifecycle.can_transition(hh["status"], to_status):
        raise Invalid(f"档案状态不能从“{hh['status']}”变为“{to_status}”")
    store.update_household(ctx.conn, hh["hh_id"], status=to_status, **values)
    store.add_status_change(ctx.conn, hh["hh_id"], on, hh["status"], to_status, method, relapse, note)


# ---------------------------------------------------------------- leads
LEAD_FIELDS = ("status", "assignee", "checked_on", "check_by", "check_finding", "decision", "decision_reason",
               "decided_on", "hh_id", "reason")


def _create_lead(ctx: _Ctx, cmd: C.CreateLead):
    if cmd.hh_id is not None:
        hh = store.household_in_scope(ctx.conn, cmd.hh_id, ctx.prefix)
        if hh is None:
            raise OutOfScope(NOT_FOUND)
        adcode = hh["adcode"]
        joined = store.open_lead_of(ctx.conn, cmd.hh_id)
        if joined is not None:  # one open lead per household: the new one joins it
            reason = store.joined_reason(joined["reason"], cmd.received_on, cmd.channel, cmd.reason)
            _save_lead(ctx, joined, joined["row_version"], reason=reason)
            return (f"该户已有未办结的线索（第{joined['lead_id']}号），新情况已并入该线索", cmd.hh_id,
                    joined["lead_id"], {"reason": joined["reason"]}, {"reason": reason})
    else:
        adcode = cmd.adcode or ""
        if not within(adcode, ctx.user.scope) or not store.region_exists(ctx.conn, adcode):
            raise OutOfScope("所在区县不存在，或不在您的管辖范围内")
    lead_id = store.insert_lead(
        ctx.conn, hh_id=cmd.hh_id, adcode=adcode, channel=cmd.channel, reason=cmd.reason.strip(),
        received_on=cmd.received_on, applicant_name=(cmd.applicant_name or "").strip() or None,
        applicant_phone=(cmd.applicant_phone or "").strip() or None, status="待核实",
        created_by=ctx.user.username, created_at=dt.datetime.now().replace(microsecond=0))
    calendar, rules = _calendar(ctx)
    due = rules.due(adcode, "home_check", cmd.received_on, calendar)
    return (f"已登记线索（第{lead_id}号），请于{due.year}年{due.month}月{due.day}日前完成入户核实", cmd.hh_id, lead_id,
            None, {"lead_id": lead_id, "status": "待核实"})


def _staff_member(ctx: _Ctx, username: str, county: str) -> str:
    """The username of an active staff member (or administrator) whose scope covers `county`."""
    who = store.active_user(ctx.conn, username.strip())
    if who is None or who["role"] not in ACTING_ROLES or not within(county, who["scope_adcode"]):
        raise Invalid(f"经办人“{username}”不是该区县范围内在岗的工作人员")
    return str(who["username"])


def _assign_lead(ctx: _Ctx, cmd: C.AssignLead):
    row = _lead(ctx, cmd.lead_id)
    if row["status"] == "已办结":
        raise Invalid("这条线索已办结，不能再分派")
    username = _staff_member(ctx, cmd.assignee, row["adcode"])
    _save_lead(ctx, row, cmd.seen_version, assignee=username)
    return f"已分派给 {username}", row["hh_id"], row["lead_id"], _pick(row, ("assignee",)), {"assignee": username}


def _assign_file(ctx: _Ctx, cmd: C.AssignFile):
    hh = _file(ctx, cmd.hh_id, cmd.seen_version)
    if hh["status"] in codes.CLOSED_STATUSES:
        raise Invalid(f"档案已{hh['status']}，不能再分派")
    username = _staff_member(ctx, cmd.assignee, hh["adcode"])
    if username == hh["assignee"]:
        raise Invalid(f"档案已由 {username} 负责")
    store.update_household(ctx.conn, cmd.hh_id, assignee=username)
    return f"档案已分派给 {username}", cmd.hh_id, None, {"assignee": hh["assignee"]}, {"assignee": username}


def _home_check(ctx: _Ctx, cmd: C.RecordHomeCheck):
    row = _lead(ctx, cmd.lead_id)
    if row["status"] == "已办结":
        raise Invalid("这条线索已办结，不能再登记核实")
    if cmd.visited_on < row["received_on"]:
        raise Invalid("核实日期：早于线索接收日期")
    values = {"status": "待决定", "checked_on": cmd.visited_on, "check_by": cmd.visitors.strip(),
              "check_finding": cmd.finding.strip()}
    _save_lead(ctx, row, cmd.seen_version, **values)
    stored = [_store_attachment(ctx, file, row["lead_id"], row["hh_id"]) for file in cmd.attachments]
    message = "已登记入户核实，请作出认定结论" + (f"（附件 {len(stored)} 个）" if stored else "")
    return message, row["hh_id"], row["lead_id"], _pick(row, tuple(values)), values | (
        {"attachments": stored} if stored else {})


def _store_attachment(ctx: _Ctx, file: C.Attachment, lead_id: int, hh_id: int | None) -> dict:
    """One attachment row; what the audit row says of it (never the bytes)."""
    summary = {"file_name": file.name, "mime": file.mime, "size": len(file.content),
               "sha256": hashlib.sha256(file.content).hexdigest()}
    summary["attachment_id"] = store.insert_attachment(
        ctx.conn, lead_id=lead_id, hh_id=hh_id, content=file.content, uploaded_by=ctx.user.username,
        uploaded_at=dt.datetime.now(), **summary)
    return summary


def _decide_lead(ctx: _Ctx, cmd: C.DecideLead):
    row = _lead(ctx, cmd.lead_id)
    if row["status"] != "待决定":
        raise Invalid("须先完成入户核实，才能作出认定结论" if row["status"] == "待核实" else "这条线索已办结")
    if cmd.decided_on < row["checked_on"]:
        raise Invalid("认定日期：早于入户核实日期")
    hh_id, note = row["hh_id"], ""
    if cmd.decision == "纳入监测":
        hh_id, note = _open_file(ctx, row, cmd)
    elif cmd.decision == "并入已有档案":
        target = store.household_by_file_no(ctx.conn, (cmd.merge_file_no or "").strip(), ctx.prefix)
        if target is None:
            raise Invalid(f"并入的档案编号：没有档案“{cmd.merge_file_no}”，或不在您的管辖范围内")
        hh_id, note = target["hh_id"], f"，并入档案 {target['file_no']}"
    values = {"status": "已办结", "decision": cmd.decision, "decision_reason": cmd.reason.strip() or None,
              "decided_on": cmd.decided_on, "decided_by": ctx.user.username, "hh_id": hh_id}
    _save_lead(ctx, row, cmd.seen_version, **values)
    return f"已认定：{cmd.decision}{note}", hh_id, row["lead_id"], _pick(row, tuple(values)), values


def _open_file(ctx: _Ctx, lead: dict, cmd: C.DecideLead) -> tuple[int, str]:
    """纳入监测: an applicant gets a new file; an eliminated or closed file is re-opened; an open one stays."""
    if lead["hh_id"] is not None:
        hh = store.household_in_scope(ctx.conn, lead["hh_id"], ctx.prefix)
        if hh is None:
            raise OutOfScope(NOT_FOUND)
        # the file is the lead's handler's from now on, unless someone already has it
        assignee = hh["assignee"] or lead["assignee"]
        if hh["status"] in codes.OPEN_STATUSES:
            if assignee != hh["assignee"]:
                if not store.claim_household(ctx.conn, hh["hh_id"], hh["row_version"]):
                    raise Conflict(CONFLICT, who="认定期间档案被他人修改")
                store.update_household(ctx.conn, hh["hh_id"], assignee=assignee)
            return hh["hh_id"], "（档案在监测中）"
        left_on = hh["eliminated_on"] if hh["status"] in codes.ELIMINATED_STATUSES else hh["closed_on"]
        relapse = left_on is not None and lifecycle.is_relapse(left_on, cmd.decided_on)
        if not store.claim_household(ctx.conn, hh["hh_id"], hh["row_version"]):
            raise Conflict(CONFLICT, who="认定期间档案被他人修改")
        _set_status(ctx, hh, "在档", cmd.decided_on, relapse=relapse, note=f"线索第{lead['lead_id']}号认定纳入监测",
                    assignee=assignee)
        return hh["hh_id"], "，档案重新纳入监测" + ("（返贫/返困）" if relapse else "")
    file_no = (cmd.file_no or "").strip()
    if not file_no:
        raise Invalid("档案编号：纳入监测须填写新档案的编号")
    if store.file_no_taken(ctx.conn, file_no):
        raise Invalid(f"档案编号：“{file_no}”已被其他档案使用")
    if cmd.population not in codes.POPULATIONS:
        raise Invalid("对象类型：请选择 困难职工 或 防返贫监测户")
    worker = cmd.population == "worker"
    cats = ("1", "2", "3") if worker else tuple(codes.MONITOR_CATEGORIES)
    if cmd.category not in cats:
        raise Invalid(f"类别：应为 {'、'.join(cats)} 之一")
    hh_id = store.new_household(
        ctx.conn, file_no=file_no, population=cmd.population, worker_cat=int(cmd.category) if worker else None,
        monitor_cat=None if worker else cmd.category, adcode=lead["adcode"], status="在档",
        source=CHANNEL_SOURCE.get(lead["channel"], lead["channel"]), found_on=lead["received_on"],
        identified_on=cmd.decided_on, assignee=lead["assignee"])
    store.add_status_change(ctx.conn, hh_id, cmd.decided_on, None, "在档", note=f"线索第{lead['lead_id']}号认定纳入监测")
    return hh_id, f"，已建立档案 {file_no}"


# ---------------------------------------------------------------- the file's work
def _add_plan_item(ctx: _Ctx, cmd: C.AddPlanItem):
    hh = _file(ctx, cmd.hh_id, cmd.seen_version)
    if hh["status"] not in codes.OPEN_STATUSES:
        raise Invalid(f"档案状态为“{hh['status']}”，不能再制定帮扶计划")
    values = {"aid_type": cmd.aid_type, "responsible": cmd.responsible.strip(), "due_on": cmd.due_on,
              "status": "待落实", "note": cmd.note.strip() or None}
    item_id = store.insert_plan_item(ctx.conn, hh_id=cmd.hh_id, created_by=ctx.user.username,
                                     created_at=dt.datetime.now().replace(microsecond=0), **values)
    return f"已加入帮扶计划：{cmd.aid_type}", cmd.hh_id, None, None, {"item_id": item_id, **values}


def _record_aid(ctx: _Ctx, cmd: C.RecordAid):
    hh = _file(ctx, cmd.hh_id, cmd.seen_version)
    if hh["status"] in codes.CLOSED_STATUSES:
        raise Invalid(f"档案已{hh['status']}，不能再登记帮扶")
    item = None
    if cmd.plan_item_id is not None:
        item = store.plan_item_of(ctx.conn, cmd.plan_item_id, cmd.hh_id)
        if item is None or item["status"] != "待落实":
            raise Invalid("对应的帮扶计划不存在，或已落实、已取消")
    values = {"aid_type": cmd.aid_type, "amount": float(cmd.amount), "delivered_on": cmd.delivered_on,
              "provider": cmd.provider}
    aid_id = store.insert_assistance(ctx.conn, hh_id=cmd.hh_id, **values)
    after: dict = {"aid_id": aid_id, **values}
    if item is not None:
        store.update_plan_item(ctx.conn, item["item_id"], status="已落实", aid_id=aid_id)
        after["plan_item"] = {"item_id": item["item_id"], "status": "已落实"}
    if hh["status"] == "在档":  # help has started: the file is now 帮扶中
        _set_status(ctx, hh, "帮扶中", cmd.delivered_on, note="登记帮扶措施")
        after["status"] = "帮扶中"
    return f"已登记帮扶：{cmd.aid_type} {cmd.amount:,.2f}元", cmd.hh_id, None, _pick(hh, ("status",)), after


def _assign_helper(ctx: _Ctx, cmd: C.AssignHelper):
    hh = _file(ctx, cmd.hh_id, cmd.seen_version)
    name, unit = cmd.helper_name.strip(), cmd.helper_unit.strip() or None
    helper_id = store.helper_named(ctx.conn, name, unit)
    if helper_id is None:
        helper_id = store.insert_helper(ctx.conn, name=name, helper_kind=cmd.helper_kind, unit=unit,
                                        phone=cmd.helper_phone.strip() or None, adcode=hh["adcode"])
    pairing_id = store.insert_pairing(ctx.conn, hh_id=cmd.hh_id, helper_id=helper_id, start_on=cmd.start_on)
    return (f"已结对：{name}", cmd.hh_id, None, None,
            {"pairing_id": pairing_id, "helper_id": helper_id, "start_on": cmd.start_on})


def _end_pairing(ctx: _Ctx, cmd: C.EndPairing):
    _file(ctx, cmd.hh_id, cmd.seen_version)
    row = store.pairing_of(ctx.conn, cmd.pairing_id, cmd.hh_id)
    if row is None or row["end_on"] is not None:
        raise Invalid("该结对关系不存在或已结束")
    if cmd.end_on < row["start_on"]:
        raise Invalid("结束日期：早于结对开始日期")
    store.end_pairing(ctx.conn, cmd.pairing_id, cmd.end_on)
    return "已结束结对", cmd.hh_id, None, {"end_on": None}, {"pairing_id": cmd.pairing_id, "end_on": cmd.end_on}


def _log_followup(ctx: _Ctx, cmd: C.LogFollowup):
    _file(ctx, cmd.hh_id, cmd.seen_version)
    values = {"followed_on": cmd.followed_on, "method": cmd.method, "visitor": cmd.visitor.strip(),
              "finding": cmd.finding.strip(), "relapse_flag": bool(cmd.relapse_signs)}
    followup_id = store.insert_followup(ctx.conn, hh_id=cmd.hh_id, created_by=ctx.user.username, **values)
    return "已登记回访", cmd.hh_id, None, None, {"followup_id": followup_id, **values}


# ---------------------------------------------------------------- risk elimination
def elimination_checklist(conn: Connection, hh: dict) -> lifecycle.EliminationCheck:
    """DOMAIN §4 for one file, from its stored scores, help and members."""
    recent = store.recent_scores(conn, hh["hh_id"], lifecycle.STABLE_MONTHS)
    as_of = recent[-1]["month"] if recent else month_of(dt.date.today())
    return lifecycle.elimination_check(
        hh["identified_on"], as_of, store.assistance_count(conn, hh["hh_id"], hh["identified_on"]),
        [r["r"] for r in recent], bool(recent and recent[-1]["triggers"]),
        store.members_able_to_work(conn, hh["hh_id"], codes.ABLE_TO_WORK))


NO_LABOUR = "家中无人具备劳动能力，不能作风险消除，继续跟踪帮扶（DOMAIN §4）"


def _propose(ctx: _Ctx, cmd: C.ProposeElimination):
    hh = _file(ctx, cmd.hh_id, cmd.seen_version)
    if hh["status"] not in codes.OPEN_STATUSES:
        raise Invalid(f"档案状态为“{hh['status']}”，不能提出风险消除")
    if store.pending_request_of(ctx.conn, cmd.hh_id) is not None:
        raise Invalid("该户已有待审批或公示中的风险消除申请")
    check = elimination_checklist(ctx.conn, hh)
    if check.never_automatic:
        raise Invalid(NO_LABOUR)
    failed = [c.text_zh for c in check.conditions if not c.ok]
    if failed:
        raise Invalid("尚不满足风险消除条件：" + "；".join(failed))
    checklist = [{"key": c.key, "ok": c.ok, "text": c.text_zh} for c in check.conditions]
    request_id = store.insert_request(
        ctx.conn, hh_id=cmd.hh_id, method=cmd.method, checklist=json.dumps(checklist, ensure_ascii=False),
        proposed_by=ctx.user.username, proposed_at=dt.datetime.now().replace(microsecond=0), status="待审批")
    return ("已提交风险消除申请，待上级审批", cmd.hh_id, None, None,
            {"request_id": request_id, "status": "待审批", "checklist": checklist})


def _level_above(approver_scope: str, proposer_scope: str) -> bool:
    """The approver's region strictly contains the proposer's (a county's staff → the prefecture or above)."""
    a, p = scope_prefix(approver_scope), scope_prefix(proposer_scope)
    return len(a) < len(p) and p.startswith(a)


def _request(ctx: _Ctx, request_id: int, status: str, refusal: str) -> dict:
    """The elimination request of a file inside the user's scope, in `status` (else `refusal`)."""
    request = store.request_in_scope(ctx.conn, request_id, ctx.prefix)  # scoped in the query: elsewhere = missing
    if request is None:
        raise OutOfScope(NOT_FOUND)
    if request["status"] != status:
        raise Invalid(f"该申请的状态为“{request['status']}”，{refusal}")
    return request


def _decide_elimination(ctx: _Ctx, cmd: C.DecideElimination):
    request = _request(ctx, cmd.request_id, "待审批", "不能再审批")
    if request["proposed_by"] == ctx.user.username:
        raise Invalid("审批人不能是申请人本人：须由上一级的其他工作人员审批")
    proposer = store.active_user(ctx.conn, request["proposed_by"])
    if proposer is not None and not _level_above(ctx.user.scope, proposer["scope_adcode"]):
        raise Invalid("须由申请人上一级的工作人员审批")
    hh = _file(ctx, request["hh_id"], cmd.seen_version)
    before = _pick(request, ("status", "decided_by", "notice_until"))
    if not cmd.approve:
        values: dict[str, object] = {"status": "已退回", "decided_by": ctx.user.username,
                                     "decision_note": cmd.note.strip()}
        store.update_request(ctx.conn, cmd.request_id, decided_at=dt.datetime.now().replace(microsecond=0), **values)
        return "已退回风险消除申请", hh["hh_id"], None, before, values
    if elimination_checklist(ctx.conn, hh).never_automatic:
        raise Invalid(NO_LABOUR)
    calendar, rules = _calendar(ctx)
    until = rules.due(hh["adcode"], NOTICE, ctx.today, calendar)
    values = {"status": "公示中", "decided_by": ctx.user.username, "decision_note": cmd.note.strip() or None,
              "notice_until": until}
    store.update_request(ctx.conn, cmd.request_id, decided_at=dt.datetime.now().replace(microsecond=0), **values)
    return (f"已批准，公示至{until.year}年{until.month}月{until.day}日，期满后生效", hh["hh_id"], None, before, values)


def _confirm_elimination(ctx: _Ctx, cmd: C.ConfirmElimination):
    request = _request(ctx, cmd.request_id, "公示中", "不在公示期")
    until = request["notice_until"]
    if ctx.today <= until:
        raise Invalid(f"公示期至{until.year}年{until.month}月{until.day}日，期满后方可生效")
    hh = _file(ctx, request["hh_id"], cmd.seen_version)
    to_status = lifecycle.eliminated_status(hh["population"], natural=request["method"] == "自然消除")
    _set_status(ctx, hh, to_status, ctx.today, method=request["method"], note=f"风险消除申请第{cmd.request_id}号",
                eliminated_on=ctx.today, elimination_method=request["method"])
    store.update_request(ctx.conn, cmd.request_id, status="已生效")
    return (f"风险消除已生效：{to_status}", hh["hh_id"], None, _pick(hh, ("status", "eliminated_on")),
            {"status": to_status, "eliminated_on": ctx.today})


def _revert(ctx: _Ctx, cmd: C.RevertElimination):
    hh = _file(ctx, cmd.hh_id, cmd.seen_version)
    if hh["status"] not in codes.ELIMINATED_STATUSES:
        raise Invalid(f"档案状态为“{hh['status']}”，没有可回退的风险消除")
    if hh["eliminated_on"] is not None and cmd.reverted_on < hh["eliminated_on"]:
        raise Invalid("回退日期：早于风险消除日期")
    relapse = hh["eliminated_on"] is not None and lifecycle.is_relapse(hh["eliminated_on"], cmd.reverted_on)
    _set_status(ctx, hh, "在档", cmd.reverted_on, relapse=relapse, note=f"风险消除回退：{cmd.reason.strip()}")
    request = store.latest_effective_request(ctx.conn, cmd.hh_id)
    if request is not None:
        store.update_request(ctx.conn, request["request_id"], status="已回退")
    return ("已回退风险消除，档案重新纳入监测" + ("（计为返贫/返困）" if relapse else ""), cmd.hh_id, None,
            _pick(hh, ("status",)), {"status": "在档", "is_relapse": relapse})


# A handler's answer: the message, the household and the lead it touched, the values before and after (audited)
Handled = tuple[str, int | None, int | None, dict | None, dict | None]
# command type → its handler (each takes its own command type: Any here)
_HANDLERS: dict[type[C.Command], Callable[[_Ctx, Any], Handled]] = {
    C.CreateLead: _create_lead, C.AssignLead: _assign_lead, C.AssignFile: _assign_file,
    C.RecordHomeCheck: _home_check,
    C.DecideLead: _decide_lead, C.AddPlanItem: _add_plan_item, C.RecordAid: _record_aid,
    C.AssignHelper: _assign_helper, C.EndPairing: _end_pairing, C.LogFollowup: _log_followup,
    C.ProposeElimination: _propose, C.DecideElimination: _decide_elimination,
    C.ConfirmElimination: _confirm_elimination, C.RevertElimination: _revert,
}
