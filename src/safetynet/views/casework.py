"""Casework as people read it: deadlines in working days, leads, plans, approvals and the public notice (pure).

Deadlines are data (DOMAIN §8): each is a `DeadlineRules` rule for the lead's or file's county, counted on the
holiday calendar (`WorkCalendar`). A deadline reads "剩3个工作日", "今日到期" or "逾期2个工作日"; a frame's
`overdue` column is what sorts and colours it. Names are masked here, never in the page.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from pandas.io.formats.style import Styler

from safetynet import i18n, privacy
from safetynet.auth import scope_prefix
from safetynet.domain import codes
from safetynet.domain.deadlines import AFTERCARE, DECISION, FIRST_AID, FOLLOWUP, HOME_CHECK, DeadlineRules
from safetynet.domain.workdays import WorkCalendar
from safetynet.i18n import t, t_text

RED, AMBER = "#c62828", "#b26a00"
MINE, UNASSIGNED, OTHERS = 0, 1, 2
REASON_CHARS = 60  # a lead's reason in a table row; the whole text is in the lead's details


def fmt_day(day: object) -> str:
    """2026年10月5日 (5 Oct 2026); "" for none."""
    if day is None or (isinstance(day, float) and math.isnan(day)) or day is pd.NaT:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    day = cast(dt.date, day)  # what is left of a stored day: a date
    return f"{day.year}年{day.month}月{day.day}日" if i18n.lang() == "zh" else f"{day.day} {day:%b} {day.year}"


def as_date(value: object) -> dt.date | None:
    """A date from a date, a timestamp or ISO text (None for none)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def deadline_status(due: dt.date | None, today: dt.date, calendar: WorkCalendar) -> tuple[str, int | None, bool]:
    """(text, working days left — negative when overdue, overdue?) for a step due on `due`."""
    if due is None:
        return "", None, False
    left = calendar.days_left(due, today)
    if due < today:
        late = t("逾期1个工作日") if left == -1 else t("逾期{n}个工作日", n=-left)
        return (late if left < 0 else t("已逾期")), left, True
    if left == 0:  # due today, or on a day off with no working day left before it
        return t("今日到期"), 0, False
    return (t("剩1个工作日") if left == 1 else t("剩{n}个工作日", n=left)), left, False


def aid_label(aid_type: str) -> str:
    return aid_type if i18n.lang() == "zh" else codes.ASSISTANCE_TYPES.get(aid_type, aid_type)


def status_label(status: str) -> str:
    """A file's status (在档, 帮扶中 …) in the screen's language."""
    return status if i18n.lang() == "zh" else codes.FILE_STATUS.get(status, status)


def _is_blank(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value == ""


def _text(value: object) -> str:
    return "" if _is_blank(value) else str(value)


def county_options(regions: pd.DataFrame, region: str) -> dict[str, str]:
    """The counties (regions with no children) inside `region`, adcode → name, for a new applicant's lead."""
    prefix = scope_prefix(region)
    parents = set(regions["parent_adcode"].dropna())
    leaves = regions[(regions["level"] >= 2) & ~regions["adcode"].isin(parents)
                     & regions["adcode"].str.startswith(prefix)]
    return dict(zip(leaves["adcode"], leaves["name"], strict=True))


# ---------------------------------------------------------------- leads
def lead_deadlines(leads: pd.DataFrame, calendar: WorkCalendar, rules: DeadlineRules, today: dt.date,
                   me: str) -> pd.DataFrame:
    """The leads with their home-check and decision deadlines, whose they are, and what is most urgent.

    Sorted: mine, then unassigned, then colleagues'; within each, overdue first, then the fewest days left."""
    out = leads.copy()
    check_due, decide_due, group, next_left, overdue = [], [], [], [], []
    for row in leads.itertuples(index=False):
        received = as_date(row.received_on)
        assert received is not None  # lead.received_on is NOT NULL
        check = rules.due(row.adcode, HOME_CHECK, received, calendar)
        decide = rules.due(row.adcode, DECISION, received, calendar)
        check_due.append(check)
        decide_due.append(decide)
        group.append(MINE if row.assignee == me else UNASSIGNED if _is_blank(row.assignee) else OTHERS)
        step = check if row.status == "待核实" else decide if row.status == "待决定" else None
        _, left, late = deadline_status(step, today, calendar)
        next_left.append(left)
        overdue.append(late)
    out["check_due"], out["decide_due"], out["group"] = check_due, decide_due, group
    out["next_left"] = pd.array(next_left, dtype="Int64")
    out["overdue"] = pd.Series(overdue, index=out.index, dtype=bool)
    order = out.assign(_late=~out["overdue"], _left=out["next_left"].fillna(10_000))
    order = order.sort_values(["group", "_late", "_left", "lead_id"], kind="stable")
    return out.loc[order.index].reset_index(drop=True)


def only_overdue(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["overdue"]].reset_index(drop=True)


def _get(row: object, key: str) -> Any:
    """A field of a Series or of an itertuples row (Any: a column's value, whatever the column holds)."""
    return row.get(key) if isinstance(row, pd.Series) else getattr(row, key, None)


def subject(row: object) -> str:
    """Who the lead is about: the file number and its masked head, or the masked applicant."""
    file_no, head = _get(row, "file_no"), _get(row, "head_name")
    if not _is_blank(file_no):
        return f"{file_no} · {privacy.mask_name(head)}" if not _is_blank(head) else str(file_no)
    return t_text("申请人 {name}", name=privacy.mask_name(_get(row, "applicant_name")) or "—")  # tables, pickers


def owner(row: Any) -> str:
    """Whose the lead is; `row` is an itertuples row of `lead_deadlines` (its fields are the frame's columns)."""
    return {MINE: t("我的"), UNASSIGNED: t("待分派")}.get(row.group, _text(row.assignee_name) or _text(row.assignee))


def _short(text_value: object, limit: int = REASON_CHARS) -> str:
    text_value = _text(text_value).replace("\n", " ")
    return text_value if len(text_value) <= limit else text_value[:limit - 1] + "…"


def lead_table(frame: pd.DataFrame, today: dt.date, calendar: WorkCalendar, show_area: bool = True) -> pd.DataFrame:
    """One row per lead with Chinese labels (user-entered text stays text: shown by st.dataframe); without the
    county column when the list is of one county."""
    rows = []
    for row in frame.itertuples(index=False):
        check_text = deadline_status(row.check_due, today, calendar)[0] if row.status == "待核实" else (
            t("已核实 {day}", day=fmt_day(row.checked_on)) if not _is_blank(row.checked_on) else "")
        decide_text = deadline_status(row.decide_due, today, calendar)[0] if row.status != "已办结" else t(
            _text(row.decision) or "已办结")
        channel = t(row.channel) + (f"·{row.department}" if not _is_blank(row.department) else "")
        rows.append({t("编号"): int(row.lead_id), t("归属"): owner(row), t("对象"): subject(row),
                     t("地区"): row.area, t("来源"): channel, t("接收日期"): fmt_day(row.received_on),
                     t("状态"): t(row.status), t("入户核实"): check_text, t("认定"): decide_text,
                     t("线索内容"): _short(row.reason)})
    names = ("编号", "归属", "状态", "入户核实", "认定", "对象", "地区", "来源", "接收日期", "线索内容")
    return pd.DataFrame(rows, columns=[t(c) for c in names if show_area or c != "地区"])


def lead_option(row: pd.Series, today: dt.date, calendar: WorkCalendar) -> str:
    """The lead as one line of a picker."""
    step = row["check_due"] if row["status"] == "待核实" else row["decide_due"] if row["status"] == "待决定" else None
    due = deadline_status(step, today, calendar)[0]
    parts = [t("第{n}号", n=int(row["lead_id"])), subject(row), t(row["status"]), due]
    return " · ".join(p for p in parts if p)


LONG_FACTS = ("线索内容", "核实情况")  # long free text: shown below the facts table, whole


def lead_details(row: pd.Series) -> pd.DataFrame:
    """The lead's short recorded facts as (item, value) rows; the applicant's name and phone masked."""
    facts = [
        ("线索编号", t("第{n}号", n=int(row["lead_id"]))),
        ("对象", subject(row)),
        ("地区", row["area"]),
        ("来源", t(row["channel"]) + (f"·{row['department']}" if not _is_blank(row.get("department")) else "")),
        ("接收日期", fmt_day(row["received_on"])),
        ("联系电话", privacy.mask_phone(row.get("applicant_phone"))),
        ("经办人", _text(row.get("assignee_name")) or _text(row["assignee"]) or t("待分派")),
        ("状态", t(row["status"])),
        ("核实日期", fmt_day(row.get("checked_on"))),
        ("核实人员", _text(row.get("check_by"))),
        ("认定结论", t(_text(row.get("decision"))) if not _is_blank(row.get("decision")) else ""),
        ("理由/说明", _text(row.get("decision_reason"))),
        ("认定日期", fmt_day(row.get("decided_on"))),
    ]
    return pd.DataFrame([(t(k), v) for k, v in facts if v], columns=[t("项目"), t("内容")])


def lead_texts(row: pd.Series) -> list[tuple[str, str]]:
    """The lead's long free texts (what was reported, what the check found), label first."""
    texts = (("线索内容", row.get("reason")), ("核实情况", row.get("check_finding")))
    return [(t(label), _text(value)) for label, value in texts if not _is_blank(value)]


def is_overdue_text(value: object) -> bool:
    """Does a deadline cell say overdue (逾期2个工作日 / 已逾期 / 2 working days overdue)?"""
    return isinstance(value, str) and (value.startswith(("逾期", "已逾期")) or value.endswith("overdue"))


def style_deadlines(display: pd.DataFrame, columns: list[str]) -> Styler:
    """Overdue cells red and bold, due today amber (the text says it too, for those who cannot see colour)."""
    today = t("今日到期")

    def colour(value: object) -> str:
        if is_overdue_text(value):
            return f"color: {RED}; font-weight: 600"
        return f"color: {AMBER}; font-weight: 600" if value == today else ""

    return display.style.map(colour, subset=[c for c in columns if c in display.columns])


def staff_label(row: pd.Series) -> str:
    scope = _text(row.get("scope_name")) or t("全国")
    return f"{row['display_name']}（{row['username']}）· {scope}"


# ---------------------------------------------------------------- files: 一户一策, follow-ups, first help
def file_size(size: int) -> str:
    """2.3 MB / 480 KB: an attachment's size for people."""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def plan_table(items: pd.DataFrame, today: dt.date, calendar: WorkCalendar) -> pd.DataFrame:
    rows = []
    for row in items.itertuples(index=False):
        if row.status == "待落实":
            due_text = deadline_status(as_date(row.due_on), today, calendar)[0]
        elif row.status == "已落实" and not _is_blank(row.delivered_on):
            due_text = t("已落实 {day}", day=fmt_day(row.delivered_on))
        else:
            due_text = t(row.status)
        rows.append({t("序号"): int(row.seq), t("帮扶类型"): aid_label(row.aid_type), t("责任人"): row.responsible,
                     t("完成期限"): fmt_day(row.due_on), t("期限"): due_text, t("状态"): t(row.status),
                     t("备注"): _text(row.note)})
    columns = [t(c) for c in ("序号", "帮扶类型", "期限", "完成期限", "状态", "责任人", "备注")]  # urgent first
    return pd.DataFrame(rows, columns=columns)


def helper_option(row: pd.Series) -> str:
    """A pairing in a picker: the helper (a person's name masked, a unit's not) and since when."""
    name = row["helper_name"] if row["helper_kind"] == "单位" else privacy.mask_name(row["helper_name"])
    return f"{name} · {t('开始')} {fmt_day(row['start_on'])}"


def plan_option(row: pd.Series) -> str:
    return f"{t('第{n}项', n=int(row['seq']))} · {aid_label(row['aid_type'])} · {row['responsible']} · " \
           f"{t('期限')} {fmt_day(row['due_on'])}"


def next_visit(status: str, adcode: str, identified_on: object, eliminated_on: object, last_followup: object,
               aid_count: int, rules: DeadlineRules, calendar: WorkCalendar,
               today: dt.date) -> tuple[str, dt.date] | None:
    """What the file is due next (DOMAIN §8): the first help within a month of opening, a follow-up visit
    every quarter while 帮扶中, and for 12 months after elimination; None when nothing is due."""
    identified, eliminated, last = as_date(identified_on), as_date(eliminated_on), as_date(last_followup)
    if status == "在档" and not aid_count and identified is not None:
        return t("首次帮扶"), rules.due(adcode, FIRST_AID, identified, calendar)
    if status in codes.OPEN_STATUSES and identified is not None:
        start = max(d for d in (identified, last) if d is not None)
        return t("回访"), rules.due(adcode, FOLLOWUP, start, calendar)
    if status in codes.ELIMINATED_STATUSES and eliminated is not None:
        if today > rules.due(adcode, AFTERCARE, eliminated, calendar):
            return None
        start = max(d for d in (eliminated, last) if d is not None)
        return t("消除后回访"), rules.due(adcode, FOLLOWUP, start, calendar)
    return None


def next_visit_text(due: tuple[str, dt.date] | None, today: dt.date, calendar: WorkCalendar) -> str:
    if due is None:
        return ""
    step, day = due
    return t("{step}：{day}（{status}）", step=step, day=fmt_day(day), status=deadline_status(day, today, calendar)[0])


def my_files_table(files: pd.DataFrame, rules: DeadlineRules, calendar: WorkCalendar, today: dt.date,
                   show_area: bool = True) -> pd.DataFrame:
    """Files assigned to me: what is due next and how the plan stands, overdue first (hh_id kept for opening)."""
    rows = []
    for row in files.itertuples(index=False):
        due = next_visit(row.status, row.adcode, row.identified_on, row.eliminated_on, row.last_followup,
                         int(row.aid_count), rules, calendar, today)
        text_due, left, late = deadline_status(due[1], today, calendar) if due else ("", None, False)
        plan = ""
        plan_late = False
        if int(row.plan_open):
            plan_text, _, plan_late = deadline_status(as_date(row.plan_due), today, calendar)
            plan = t("{n}项待落实，最近期限{status}", n=int(row.plan_open), status=plan_text)
        rows.append({"hh_id": int(row.hh_id), t("档案编号"): row.file_no, t("户主"): privacy.mask_name(row.head_name),
                     t("地区"): row.area, t("档案状态"): status_label(row.status),
                     t("下一步"): f"{due[0]} {fmt_day(due[1])}" if due else "", t("期限"): text_due,
                     t("一户一策"): plan, "_late": late or plan_late, "_left": left if left is not None else 10_000})
    names = ("档案编号", "下一步", "期限", "一户一策", "户主", "地区", "档案状态")  # what is due first
    columns = ["hh_id"] + [t(c) for c in names if show_area or c != "地区"]
    frame = pd.DataFrame(rows, columns=[*columns, "_late", "_left"])
    frame = frame.sort_values(["_late", "_left"], ascending=[False, True], kind="stable")
    return frame[columns].reset_index(drop=True)


# ---------------------------------------------------------------- risk elimination
CHECK_EN = {"identified_6m": "identified at least 6 months ago", "assisted": "at least one measure delivered",
            "stable_income": "r ≥ 1.0 for 6 consecutive months", "no_trigger": "no hard trigger"}


def checklist_items(checklist: object) -> list[tuple[bool, str]]:
    """The §4 checklist stored with a request (JSON), as (ok, text) in the screen's language."""
    try:
        items = json.loads(str(checklist)) if not _is_blank(checklist) else []
    except ValueError:
        return []
    zh = i18n.lang() == "zh"
    # the casework service writes this JSON from lifecycle's conditions: every key is text
    return [(bool(i.get("ok")),
             str(i.get("text", "")) if zh else CHECK_EN.get(cast(str, i.get("key")), str(i.get("key"))))
            for i in items if isinstance(i, dict)]


def category_label(row: object) -> str:
    population, worker_cat, monitor_cat = (_get(row, k) for k in ("population", "worker_cat", "monitor_cat"))
    if population == "worker" and not _is_blank(worker_cat):
        return i18n.label(codes.WORKER_CATEGORIES.get(int(worker_cat), ("—", "—")))
    if population == "rural" and not _is_blank(monitor_cat):
        return i18n.label(codes.MONITOR_CATEGORIES.get(str(monitor_cat), ("—", "—")))
    return "—"


def approval_title(row: pd.Series) -> str:
    return " · ".join([t("申请第{n}号", n=int(row["request_id"])), str(row["file_no"]),
                       privacy.mask_name(row.get("head_name")) or "—", str(row["area"]), t(row["method"])])


def approval_facts(row: pd.Series) -> pd.DataFrame:
    facts = [("档案编号", str(row["file_no"])), ("户主", privacy.mask_name(row.get("head_name"))),
             ("地区", str(row["area"])), ("类别", category_label(row)), ("消除方式", t(row["method"])),
             ("申请人", str(row["proposed_by"])), ("申请日期", fmt_day(row["proposed_at"]))]
    return pd.DataFrame([(t(k), v) for k, v in facts if v], columns=[t("项目"), t("内容")])


GENERIC_REASON = {
    ("worker", "帮扶消除"): "经帮扶，家庭人均收入连续6个月稳定高于当地标准，拟解除困难",
    ("worker", "自然消除"): "家庭人均收入连续6个月稳定高于当地标准，拟解除困难",
    ("rural", "帮扶消除"): "经帮扶，家庭人均收入连续6个月稳定高于监测线，拟消除返贫致贫风险",
    ("rural", "自然消除"): "家庭人均收入连续6个月稳定高于监测线，拟自然消除返贫致贫风险",
}


def public_notice_table(rows: pd.DataFrame) -> pd.DataFrame:
    """公示名单 (DOMAIN §8): masked name, village or community (the county), category, a generic reason and the
    notice's last day — nothing else about the household."""
    out = [{t("户主姓名"): privacy.mask_name(r.head_name),  # masked by the query already: masking is idempotent
            t("村（社区）"): r.area, t("类别"): category_label(r),
            t("公示理由"): t(GENERIC_REASON.get((r.population, r.method), "家庭收入稳定，拟消除风险")),
            t("公示截止"): fmt_day(r.notice_until)} for r in rows.itertuples(index=False)]
    return pd.DataFrame(out, columns=[t(c) for c in ("户主姓名", "村（社区）", "类别", "公示理由", "公示截止")])


@dataclass(frozen=True)
class NoticeDocument:
    """The 公示名单 as a document (the XLSX and the PDF): its title, the lines under it, the table, and the
    fine print (the export header line). All plain text in the reader's language."""

    title: str
    lines: tuple[str, ...]
    table: pd.DataFrame
    fine_print: tuple[str, ...]
    sheet: str


def public_notice_document(table: pd.DataFrame, region: str, day: dt.date, header: str) -> NoticeDocument:
    """`table` (public_notice_table) titled 风险消除公示名单 with the region and the day it is published."""
    plain_table = table.map(lambda v: "" if v is None else str(v))  # plain text: no Markdown type leaves here
    plain_table.columns = [str(c) for c in table.columns]
    return NoticeDocument(
        title=t_text("风险消除公示名单"),
        lines=(t_text("地区：{region}　　日期：{day}", region=region, day=fmt_day(day)),
               t_text("以下家庭拟消除风险，现予公示。公示期内如有异议，请向当地帮扶工作部门反映。")),
        table=plain_table, fine_print=(header,), sheet=t_text("公示名单"))


def request_status_text(row: pd.Series, today: dt.date) -> str:
    """Where the file's latest elimination request stands, in one sentence."""
    status = row["status"]
    if status == "待审批":
        return t("风险消除申请第{n}号待上级审批（{who}于{day}提交）", n=int(row["request_id"]),
                 who=row["proposed_by"], day=fmt_day(row["proposed_at"]))
    if status == "公示中":
        until = as_date(row["notice_until"])
        if until is not None and today > until:
            return t("公示已于{day}期满，可以确认风险消除生效", day=fmt_day(until))
        return t("已批准，公示至{day}，期满后可确认生效", day=fmt_day(until))
    if status == "已退回":
        return t("风险消除申请第{n}号已被退回（{who}）", n=int(row["request_id"]), who=_text(row["decided_by"]))
    return t("风险消除申请第{n}号：{status}", n=int(row["request_id"]), status=t(status))
