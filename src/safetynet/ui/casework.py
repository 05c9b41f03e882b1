"""The casework forms and lists (DOMAIN §8): 待办, and the actions on the household file.

A form collects input and builds one command from `safetynet.casework.commands`; `casework.execute` does the
rest (scope, row version, rules, writes, audit, refresh). One `st.form` per action, so one submit is one
command. The submit button's callback builds the command with the row version of its file or lead *as the form was
drawn* (bound when it was drawn): a colleague's save in between makes the service refuse with a Conflict,
shown under the form with a 刷新 button. Success is said with st.success in the run after the callback, which
already shows the new data (the refresh bumped data_version).
User-entered text is shown through st.dataframe or escaped (`safetynet.text.plain`), never as live markdown.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, cast

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from safetynet import audit, cache, exports, i18n, urlparams
from safetynet import pdf as pdf_doc
from safetynet.auth import User, scope_prefix
from safetynet.casework import CaseworkRefused, Conflict, Invalid, execute
from safetynet.casework import commands as C
from safetynet.db import health
from safetynet.db.errors import WriteRefused
from safetynet.domain import codes, lifecycle
from safetynet.domain.workdays import WorkCalendar
from safetynet.i18n import t, t_text
from safetynet.queries import casework as q
from safetynet.queries import household_file
from safetynet.text import plain  # stored text shown through markdown (household.py and others import it here)
from safetynet.ui import downloads, urlstate, widgets
from safetynet.ui.frame import PageContext, labels_of
from safetynet.views import casework as view
from safetynet.views import export_filters

log = logging.getLogger(__name__)

ACTING_ROLES = ("staff", "admin")
FLASH = "cw_flash"
RESULT = "cw_refused"
STATUS_FILTER = {"": "未办结", "check": "待核实", "decide": "待决定", "done": "已办结", "all": "全部"}
STATUS_QUERY = {"": q.OPEN, "check": "待核实", "decide": "待决定", "done": "已办结", "all": ""}
DEADLINE_COLUMNS = ("入户核实", "认定", "期限")

def may_act(ctx: PageContext) -> bool:
    """Staff and administrators act; leaders look; nobody acts on the meeting screen."""
    return bool(ctx.user and ctx.user.role in ACTING_ROLES and not st.session_state.get("meeting_mode"))


def _today() -> dt.date:
    return dt.date.today()


def show_flash() -> None:
    """The outcome of the last command, once, after the rerun that shows its effect."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(plain(message), icon=":material/check_circle:")


def _submit(url: str, user: User, key: str, build: Callable[[], C.Command], clear: tuple[str, ...] = ()) -> None:
    """on_click of a form's submit button: build the command from the values the form sent and carry it out.

    A callback runs before the script, so the run that follows already shows the new data (the refresh bumped
    data_version) and the outcome; a rerun that interrupts the script cannot lose the click. The command's
    seen_version was bound into `build` when the form was drawn: the version the user saw."""
    st.session_state.pop(RESULT, None)
    try:
        outcome = execute(cache.engine(url), user, build())
    except (CaseworkRefused, WriteRefused) as exc:  # Conflict included: shown with a 刷新 button
        st.session_state[RESULT] = (key, exc)
        return
    except SQLAlchemyError as exc:
        log.exception("casework %s failed", key)
        st.session_state[RESULT] = (key, exc)
        return
    st.session_state[FLASH] = outcome.message
    _reset(clear)  # the next form starts empty: a second click must not save the same thing again


# What a form's typed fields go back to after a save, or when another file or lead is opened. They are *set*
# (not popped): only a value set through session state reaches the browser, which otherwise keeps showing —
# and sending back — what was typed (a second click saved a plan item twice; a visit typed on one file was
# still in the form on the next file).
FORM_DEFAULTS: dict[str, object] = {
    "cw_check_by": "", "cw_check_finding": "", "cw_merge_file_no": "", "cw_decide_reason": "",
    "cw_lead_file_no": "", "cw_lead_name": "", "cw_lead_phone": "", "cw_lead_reason": "",
    "cw_plan_responsible": "", "cw_plan_note": "", "cw_aid_item": "", "cw_aid_amount": 0.0,
    "cw_helper_name": "", "cw_helper_unit": "", "cw_helper_phone": "",
    "cw_followup_visitor": "", "cw_followup_finding": "", "cw_followup_relapse": False, "cw_revert_reason": "",
}
LEAD_FIELDS = ("cw_check_by", "cw_check_finding", "cw_merge_file_no", "cw_decide_reason")
FILE_FIELDS = ("cw_plan_responsible", "cw_plan_note", "cw_aid_item", "cw_aid_amount", "cw_helper_name",
               "cw_helper_unit", "cw_helper_phone", "cw_followup_visitor", "cw_followup_finding",
               "cw_followup_relapse", "cw_revert_reason")


def _reset(names: tuple[str, ...]) -> None:
    for name in names:
        if name in FORM_DEFAULTS:
            st.session_state[name] = FORM_DEFAULTS[name]
        else:  # a field keyed by its subject (cw_new_file_no_<lead>): drawn afresh with its suggestion
            st.session_state.pop(name, None)


def _opened(kind: str, subject: int, fields: tuple[str, ...]) -> None:
    """Before a file's or a lead's forms are drawn: if another one was open, its typed text goes."""
    marker = f"_cw_open_{kind}"
    if st.session_state.get(marker) != subject:
        if marker in st.session_state:
            _reset(fields)
        st.session_state[marker] = subject


def _refused(key: str) -> None:
    """Under a form: why its last submit was refused (nothing was written); a conflict offers 刷新."""
    found = st.session_state.get(RESULT)
    if not found or found[0] != key:
        return
    st.session_state.pop(RESULT, None)
    exc = found[1]
    if isinstance(exc, WriteRefused):
        st.error(plain(exc.localized()), icon=":material/sync_problem:" if isinstance(exc, Conflict) else None)
    else:
        st.error(t("保存失败：数据库出错，没有写入任何内容。请稍后重试，或联系管理员。"))
    if isinstance(exc, Conflict):
        st.button(t("刷新"), key=f"{key}_refresh", icon=":material/refresh:")


def _button(label: str, ctx: PageContext, key: str, build: Callable[[], C.Command], clear: tuple[str, ...] = (),
            primary: bool = True, icon: str | None = None, disabled: bool = False) -> None:
    st.form_submit_button(label, key=f"{key}_submit", type="primary" if primary else "secondary",
                          on_click=_submit, args=(ctx.url, ctx.user, key, build, clear), icon=icon, disabled=disabled)


def _value(key: str) -> Any:
    """A form field's value from session state: Any, as each widget keeps its own type (text, date, number)."""
    return st.session_state.get(key)


def _choice_label(options: Mapping[str, str]) -> Callable[[str], str]:
    return lambda k: t(k) if i18n.lang() == "zh" or k not in options else options[k]


# ---------------------------------------------------------------- 待办: filters and lists
def render_filters() -> tuple[str, bool, bool]:
    """Status, mine only, overdue only — bound to the URL (?lstatus=check&mine=1&overdue=1)."""
    left, mid, right = st.columns([3, 2, 2], vertical_alignment="bottom")
    with left:
        urlstate.seed("lstatus", list(STATUS_FILTER), "")
        status = st.selectbox(t("线索状态"), list(STATUS_FILTER), key="lstatus",
                              format_func=lambda k: t(STATUS_FILTER[k]))
        urlstate.publish("lstatus", status, "")
    with mid:
        urlstate.seed_flag("mine", False)
        mine = st.toggle(t("只看分派给我的"), key="mine")
        urlstate.publish_flag("mine", mine, False)
    with right:
        urlstate.seed_flag("overdue", False)
        overdue = st.toggle(t("只看逾期"), key="overdue")
        urlstate.publish_flag("overdue", overdue, False)
    return STATUS_QUERY[status], mine, overdue


def load_leads(ctx: PageContext, status: str, mine: bool, overdue: bool) -> pd.DataFrame:
    calendar, rules = cache.load_deadlines(ctx.url, ctx.version)
    rows: pd.DataFrame = cache.load(ctx.url, ctx.version, q.leads, ctx.filters.scope, ctx.filters.region,
                                    ctx.me.username, status, mine)
    frame = view.lead_deadlines(rows, calendar, rules, _today(), ctx.me.username)
    return view.only_overdue(frame) if overdue else frame


def render_lead_list(ctx: PageContext, frame: pd.DataFrame) -> None:
    """The leads table (overdue red); clicking a row picks the lead below."""
    calendar, _ = cache.load_deadlines(ctx.url, ctx.version)
    mine = frame[frame["group"] == view.MINE]
    st.markdown(t("**{n}** 条线索 · 我的 {mine}（逾期 {late}）· 待分派 {free}", n=len(frame), mine=len(mine),
                  late=int(mine["overdue"].sum()), free=int((frame["group"] == view.UNASSIGNED).sum())))
    if frame.empty:
        st.info(t("没有符合条件的线索。"))
        return
    shown = view.lead_table(frame, _today(), calendar, show_area=ctx.level < 3)
    # A selection is a row *position*. Once the list reorders (an assigned lead moves up to 我的), the old
    # position points at another lead and a click there changed nothing; a table keyed by its order of leads
    # starts with no selection whenever the order changes.
    order = zlib.crc32(",".join(str(int(i)) for i in shown[t("编号")]).encode())
    with st.container(key="mw_leads"):
        event = st.dataframe(
            view.style_deadlines(shown, [t(c) for c in DEADLINE_COLUMNS]), hide_index=True, key=f"mw_leads_{order}",
            on_select="rerun", selection_mode="single-row", height=min(38 + 35 * len(shown), 38 + 35 * 12),
            column_config={t("线索内容"): st.column_config.TextColumn(t("线索内容"), width="large"),
                           t("编号"): st.column_config.NumberColumn(t("编号"), format="%d", width="small")})
    picked = event.selection.rows if event is not None else []
    if picked and st.session_state.get("_mw_picked") != (order, picked):
        st.session_state["_mw_picked"] = (order, picked)
        st.session_state["lead"] = str(int(shown.iloc[picked[0]][t("编号")]))
    st.caption(t("点击一行办理该线索。姓名已脱敏。"))


def pick_lead(ctx: PageContext, frame: pd.DataFrame) -> pd.Series | None:
    """The lead to work on (?lead=), read fresh from the database: its row version is what the forms carry."""
    calendar, _ = cache.load_deadlines(ctx.url, ctx.version)
    options = [""] + [str(int(i)) for i in frame["lead_id"]]
    labels = {str(int(r["lead_id"])): view.lead_option(r, _today(), calendar) for _, r in frame.iterrows()}
    wanted = st.session_state.get("lead", st.query_params.get("lead", ""))
    lead_id = urlparams.parse_id(wanted)  # a malformed one is refused by urlstate.seed below
    if wanted and wanted not in labels and isinstance(lead_id, int):  # a link to a lead the filters hide
        extra = q.lead(cache.engine(ctx.url), lead_id, ctx.filters.scope)
        if extra.empty:  # missing or elsewhere: the same words
            st.error(t("没有这条线索，或不在您的管辖范围内"))
        else:
            row = view.lead_deadlines(extra, calendar, cache.load_deadlines(ctx.url, ctx.version)[1], _today(),
                                      ctx.me.username).iloc[0]
            options.append(wanted)
            labels[wanted] = view.lead_option(row, _today(), calendar)
    urlstate.seed("lead", options, "")
    chosen = st.selectbox(t("办理线索"), options, key="lead", format_func=lambda k: labels.get(k, t("请选择线索")))
    urlstate.publish("lead", chosen, "")
    if not chosen:
        return None
    fresh = q.lead(cache.engine(ctx.url), int(chosen), ctx.filters.scope)
    if fresh.empty:
        st.error(t("没有这条线索，或不在您的管辖范围内"))
        return None
    _, rules = cache.load_deadlines(ctx.url, ctx.version)
    return view.lead_deadlines(fresh, calendar, rules, _today(), ctx.me.username).iloc[0]


def render_lead_work(ctx: PageContext, lead: pd.Series) -> None:
    """The lead's facts and what can be done next: assign, then check, then decide."""
    _opened("lead", int(lead["lead_id"]), LEAD_FIELDS)
    left, right = st.columns([2, 3])
    with left:
        facts = view.lead_details(lead)
        st.dataframe(facts, hide_index=True, key="mw_lead_facts", height=38 + 35 * len(facts),
                     column_config={t("内容"): st.column_config.TextColumn(t("内容"), width="large")})
        for label, body in view.lead_texts(lead):
            st.markdown(f"**{label}**")
            st.text(body)  # the reporter's own words: no markdown, so never a link or an image
        _attachment_list(ctx, lead)
        if lead["status"] != "已办结":
            _assign_form(ctx, lead)
    with right:
        if lead["status"] == "待核实":
            _home_check_form(ctx, lead)
        elif lead["status"] == "待决定":
            _decide_form(ctx, lead)
        else:
            st.info(t("这条线索已办结。"))
            if pd.notna(lead.get("hh_id")):
                st.page_link("pages/household.py", label=t("打开一户一档"), icon=":material/folder_shared:",
                             query_params={"hh": str(int(lead["hh_id"]))})


def _assign_form(ctx: PageContext, lead: pd.Series) -> None:
    staff: pd.DataFrame = cache.load(ctx.url, ctx.version, q.staff_for, str(lead["adcode"]))
    names = {r["username"]: view.staff_label(r) for _, r in staff.iterrows()}
    if not names:
        st.caption(t("该区县还没有可分派的工作人员账号。"))
        return
    options = list(names)
    current = lead["assignee"] if lead["assignee"] in names else (ctx.me.username if ctx.me.username in names
                                                                    else options[0])
    lead_id, seen = int(lead["lead_id"]), int(lead["row_version"])
    with st.form("cw_assign", border=True):
        st.markdown(f"**{t('分派经办人')}**")
        st.selectbox(t("经办人"), options, index=options.index(current), key="cw_assign_to",
                     format_func=labels_of(names))
        _button(t("分派"), ctx, "cw_assign", lambda: C.AssignLead(lead_id, str(_value("cw_assign_to")), seen),
                primary=False, icon=":material/person_add:")
    _refused("cw_assign")


def _due_line(due: object, calendar: WorkCalendar) -> str:
    """期限 2026年12月1日（逾期1个工作日）, red when overdue (system text only: safe as markdown)."""
    text, _, late = view.deadline_status(view.as_date(due), _today(), calendar)
    line = t("期限 {day}（{status}）", day=view.fmt_day(due), status=text)
    return f":red[**{line}**]" if late else line


def _home_check_form(ctx: PageContext, lead: pd.Series) -> None:
    calendar, _ = cache.load_deadlines(ctx.url, ctx.version)
    lead_id, seen = int(lead["lead_id"]), int(lead["row_version"])
    with st.form("cw_check", border=True):
        st.markdown(f"**{t('登记入户核实')}** · {_due_line(lead['check_due'], calendar)}")
        st.date_input(t("核实日期"), value=_today(), max_value=_today(), key="cw_check_on", format="YYYY-MM-DD")
        st.text_input(t("核实人员"), key="cw_check_by", max_chars=64, placeholder=t("如：张三、李四"))
        st.text_area(t("核实情况"), key="cw_check_finding", max_chars=C.TEXT_MAX,
                     placeholder=t("家庭收入、支出、成员就业与健康等入户所见"))
        # keyed by the lead's version: a saved check starts the next form without files; a refused one keeps them
        files_key = f"cw_check_files_{lead_id}_{seen}"
        st.file_uploader(t("附件（可选）"), type=ATTACHMENT_SUFFIXES, accept_multiple_files=True, key=files_key,
                         help=t(ATTACHMENT_HELP))
        widgets.file_uploader_words(files_key, ["jpg", "png", "pdf"], C.ATTACHMENT_MAX_BYTES // 1024 // 1024)
        _button(t("保存核实"), ctx, "cw_check",
                lambda: C.RecordHomeCheck(lead_id, _value("cw_check_on"), _value("cw_check_by") or "",
                                          _value("cw_check_finding") or "", seen,
                                          attachments=_uploaded(files_key)),
                ("cw_check_by", "cw_check_finding"), icon=":material/fact_check:")
    _refused("cw_check")


ATTACHMENT_SUFFIXES = [s.lstrip(".") for _, suffixes, _ in C.ATTACHMENT_TYPES.values() for s in suffixes]
ATTACHMENT_HELP = (f"入户照片或扫描的证明材料：JPG、PNG 或 PDF，每个不超过 {C.ATTACHMENT_MAX_BYTES // 1024 // 1024} MB，"
                   f"最多 {C.ATTACHMENT_MAX_FILES} 个。附件存入数据库，下载记入审计日志。")


def _uploaded(key: str) -> tuple[C.Attachment, ...]:
    return tuple(C.Attachment(f.name, f.getvalue()) for f in (st.session_state.get(key) or ()))


def _attachment_list(ctx: PageContext, lead: pd.Series) -> None:
    """The home check's attachments, each downloaded through the audited path (they show the household)."""
    files: pd.DataFrame = cache.load(ctx.url, ctx.version, q.attachments_of_lead, int(lead["lead_id"]),
                                     ctx.filters.scope)
    if not files.empty:
        st.markdown(f"**{t('核实附件')}**")
        _attachment_rows(ctx, files)


def render_file_attachments(ctx: PageContext, hh_id: int) -> None:
    """On the household file: every home check's attachments (一户一档 keeps the evidence with the file)."""
    files: pd.DataFrame = cache.load(ctx.url, ctx.version, q.attachments_of_household, hh_id, ctx.filters.scope)
    if not files.empty:
        st.subheader(t("入户核实附件"))
        _attachment_rows(ctx, files)


def _attachment_rows(ctx: PageContext, files: pd.DataFrame) -> None:
    # a photo or a scanned certificate cannot be masked: only a role that may see person data unmasked gets it
    if not ctx.unmask_allowed:
        st.caption(t("共 {n} 个附件；附件含个人信息，您的角色不能查看。", n=len(files)))
        return
    engine, user, scope = cache.engine(ctx.url), (ctx.user.username if ctx.user else None), ctx.filters.scope
    for row in files.itertuples(index=False):
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.text(f"{row.file_name} · {view.file_size(int(row.size))} · {view.fmt_day(row.uploaded_at)}")
        with right:
            downloads.download_button(t("下载"), _attachment_download(engine, user, int(row.attachment_id), scope),
                                      file_name=str(row.file_name), mime=str(row.mime),
                                      key=f"mw_attachment_{int(row.attachment_id)}")


def _attachment_download(engine, user: str | None, attachment_id: int, scope: str) -> Callable[[], bytes]:
    """Reads the bytes when clicked, inside the viewer's scope, after writing the `export` audit row."""
    def build() -> bytes:
        found = q.attachment_content(engine, attachment_id, scope)
        if found is None:
            return b""
        name, mime, content, county = found
        audit.record(engine, user, "export", f"attachment:{attachment_id}", region=county, rows=1, format=mime,
                     file_name=name, size=len(content))
        return content
    return build


DECISION_HELP = {"纳入监测": "建立档案（申请人）或确认档案继续监测", "不纳入": "须写明理由",
                 "并入已有档案": "填写已有档案的编号"}


def _decision_command(lead_id: int, seen: int) -> C.DecideLead:
    decision = str(_value("cw_decision"))
    category = _value("cw_new_category") if decision == "纳入监测" else None
    return C.DecideLead(
        lead_id, decision, _value("cw_decided_on"), seen, reason=_value("cw_decide_reason") or "",
        merge_file_no=_value("cw_merge_file_no") if decision == "并入已有档案" else None,
        file_no=_value(f"cw_new_file_no_{lead_id}") if decision == "纳入监测" else None,
        population=None if not category else ("worker" if category.startswith("W") else "rural"),
        category=None if not category else category[1:])


def _decide_form(ctx: PageContext, lead: pd.Series) -> None:
    calendar, _ = cache.load_deadlines(ctx.url, ctx.version)
    lead_id, seen = int(lead["lead_id"]), int(lead["row_version"])
    st.markdown(f"**{t('认定结论')}** · {_due_line(lead['decide_due'], calendar)}")
    decision = st.radio(t("结论"), list(C.DECISIONS), key="cw_decision", horizontal=True, format_func=t,
                        captions=[t(DECISION_HELP[d]) for d in C.DECISIONS])
    applicant = pd.isna(lead.get("hh_id"))
    with st.form("cw_decide", border=True):
        if decision == "纳入监测" and applicant:
            st.text_input(t("新档案编号"), key=f"cw_new_file_no_{lead_id}", max_chars=32,
                          value=f"{lead['adcode']}-S{lead_id:08d}",
                          help=t("建议编号：区县代码-S线索编号，可改为本地编号规则"))
            st.selectbox(t("档案类别"), list(codes.CATEGORIES), key="cw_new_category",
                         format_func=lambda c: i18n.label(codes.CATEGORIES[c]))
        elif decision == "纳入监测":
            st.caption(t("该线索对应档案 {no}：认定后继续监测（已消除或退档的档案将重新纳入监测）。",
                         no=plain(lead["file_no"])))
        elif decision == "并入已有档案":
            st.text_input(t("并入的档案编号"), key="cw_merge_file_no", max_chars=32)
        st.date_input(t("认定日期"), value=_today(), max_value=_today(), key="cw_decided_on", format="YYYY-MM-DD")
        st.text_area(t("不纳入的理由") if decision == "不纳入" else t("说明（可选）"), key="cw_decide_reason",
                     max_chars=255)
        _button(t("保存认定"), ctx, "cw_decide", lambda: _decision_command(lead_id, seen),
                (f"cw_new_file_no_{lead_id}", "cw_merge_file_no", "cw_decide_reason"), icon=":material/gavel:")
    _refused("cw_decide")


def _new_lead_command(url: str, scope: str) -> C.CreateLead:
    file_no = str(_value("cw_lead_file_no") or "").strip()
    hh_id = None
    if file_no:
        hh_id = household_file.find(cache.engine(url), file_no, scope)
        if hh_id is None:
            raise Invalid("未找到档案编号 {no}", no=file_no)
    return C.CreateLead(channel=str(_value("cw_lead_channel")), reason=_value("cw_lead_reason") or "",
                        received_on=_value("cw_lead_received"), hh_id=hh_id,
                        adcode=None if hh_id else _value("cw_lead_county"),
                        applicant_name=None if hh_id else _value("cw_lead_name"),
                        applicant_phone=_value("cw_lead_phone") or None)


def render_new_lead(ctx: PageContext) -> None:
    """登记新线索: an application or a staff check (CreateLead), for an existing file or a new applicant."""
    counties = view.county_options(ctx.regions, ctx.filters.region)
    scope = ctx.filters.scope
    with st.expander(t("登记新线索（申请、排查、企业报告）"), icon=":material/add_circle:"):
        with st.form("cw_new_lead", border=False):
            c1, c2 = st.columns(2)
            c1.selectbox(t("线索来源"), list(C.ENTERED_CHANNELS), key="cw_lead_channel", format_func=t)
            c2.date_input(t("接收日期"), value=_today(), max_value=_today(), key="cw_lead_received",
                          format="YYYY-MM-DD")
            st.text_input(t("已有档案的档案编号（已建档户填写；新申请人留空）"), key="cw_lead_file_no", max_chars=32)
            c3, c4, c5 = st.columns(3)
            c3.text_input(t("申请人姓名"), key="cw_lead_name", max_chars=32)
            c4.text_input(t("联系电话"), key="cw_lead_phone", max_chars=20)
            c5.selectbox(t("所在区县"), list(counties), key="cw_lead_county", format_func=labels_of(counties))
            st.text_area(t("线索内容"), key="cw_lead_reason", max_chars=C.TEXT_MAX,
                         placeholder=t("如：突发重病住院，医疗费用高，家中无其他收入"))
            _button(t("登记线索"), ctx, "cw_new_lead", lambda: _new_lead_command(ctx.url, scope),
                    ("cw_lead_file_no", "cw_lead_name", "cw_lead_phone", "cw_lead_reason"), icon=":material/add:")
        _refused("cw_new_lead")


def render_my_files(ctx: PageContext) -> None:
    """Files assigned to me, what each is due next; a click opens the file."""
    calendar, rules = cache.load_deadlines(ctx.url, ctx.version)
    files: pd.DataFrame = cache.load(ctx.url, ctx.version, q.my_files, ctx.filters.scope, ctx.filters.region,
                                     ctx.me.username)
    st.subheader(t("我负责的档案"))
    if files.empty:
        st.caption(t("还没有分派给您的档案（线索认定纳入监测后，档案归经办人负责）。"))
        return
    shown = view.my_files_table(files, rules, calendar, _today(), show_area=ctx.level < 3)
    event = st.dataframe(view.style_deadlines(shown.drop(columns=["hh_id"]), [t("期限"), t("一户一策")]),
                         hide_index=True, key="mw_files", on_select="rerun", selection_mode="single-row")
    if event is not None and event.selection.rows:
        hh_id = int(shown.iloc[event.selection.rows[0]]["hh_id"])
        st.switch_page("pages/household.py", query_params={"hh": str(hh_id)})
    st.caption(t("点击一行打开一户一档。"))


def _approvals(ctx: PageContext) -> pd.DataFrame | None:
    """The requests this user may approve; None for a county user (no level below)."""
    if len(scope_prefix(ctx.me.scope)) >= 6:
        return None
    return cache.load(ctx.url, ctx.version, q.approvals, ctx.filters.scope, ctx.me.username)


def render_approvals_notice(ctx: PageContext) -> None:
    """At the top of 待办: how many eliminations wait for this user (the list is further down)."""
    rows = _approvals(ctx)
    if rows is not None and not rows.empty:
        st.info(t("有 {n} 条风险消除申请待您审批，见下方“待我审批”。", n=len(rows)), icon=":material/approval:")


def render_approvals(ctx: PageContext) -> None:
    """待我审批: elimination requests from the level below, each with its §4 checklist; approve or send back."""
    rows = _approvals(ctx)
    if rows is None:
        return  # a county user has no level below to approve for
    st.subheader(t("待我审批"))
    if rows.empty:
        st.caption(t("暂无待您审批的风险消除申请。"))
        return
    for _, row in rows.head(20).iterrows():
        with st.expander(plain(view.approval_title(row)), icon=":material/approval:"):
            _approval_form(ctx, row)
    if len(rows) > 20:
        st.caption(t("另有 {n} 条待审批，办完上面的再显示。", n=len(rows) - 20))


def _approval_form(ctx: PageContext, row: pd.Series) -> None:
    hh_id, request_id = int(row["hh_id"]), int(row["request_id"])
    seen = q.file_version(cache.engine(ctx.url), hh_id, ctx.filters.scope)  # fresh: what the buttons carry
    if seen is None:
        st.error(t("没有这户档案，或不在您的管辖范围内"))
        return
    facts = view.approval_facts(row)
    st.dataframe(facts, hide_index=True, key=f"cw_approval_facts_{request_id}", height=38 + 35 * len(facts))
    render_checklist(view.checklist_items(row["checklist"]))
    key, note = f"cw_approve_{request_id}", f"cw_approve_note_{request_id}"
    with st.form(key, border=False):
        st.text_area(t("审批意见（退回时必填）"), key=note, max_chars=255)
        a, b = st.columns(2)
        with a:
            _button(t("批准并公示"), ctx, key, lambda: C.DecideElimination(request_id, True, seen, _value(note) or ""),
                    (note,), icon=":material/task_alt:")
        with b:
            st.form_submit_button(t("退回"), key=f"{key}_back", icon=":material/undo:", on_click=_submit, args=(
                ctx.url, ctx.user, key, lambda: C.DecideElimination(request_id, False, seen, _value(note) or ""),
                (note,)))
    _refused(key)


CHECK_OK, CHECK_NO = ":green[:material/check_circle:]", ":red[:material/cancel:]"  # our own icon font: offline


def render_checklist(items: list[tuple[bool, str]]) -> None:
    """The §4 conditions, each met or not (an icon and the words: colour is never the only sign)."""
    for ok, text in items:
        st.markdown(f"{CHECK_OK if ok else CHECK_NO} {plain(text)}")


def render_public_notice(ctx: PageContext) -> None:
    rows: pd.DataFrame = cache.load(ctx.url, ctx.version, q.public_notice, ctx.filters.scope, ctx.filters.region)
    with st.expander(t("公示名单（{n}户公示中）", n=len(rows)), icon=":material/campaign:"):
        if rows.empty:
            st.caption(t("目前没有公示中的风险消除。"))
        else:
            table = view.public_notice_table(rows)
            st.dataframe(table, hide_index=True, key="mw_notice")
            render_notice_downloads(ctx, table)
        st.caption(t("公示名单只列脱敏姓名、村（社区）、类别和概括理由，不含身份证号、电话、银行账号、健康或残疾情况。"))


class NoticeDetail(TypedDict):
    """What the export's audit row records besides its format (notice_export's keyword arguments)."""
    rows: int
    region: str
    scope: str
    filters: str


def render_notice_downloads(ctx: PageContext, table: pd.DataFrame) -> None:
    """The list as Excel and as PDF, through the one audited download path. The document is put together here,
    in the reader's language (the download callable runs on a server thread, outside this run's language)."""
    engine = cache.engine(ctx.url)
    user = ctx.user.username if ctx.user else None
    who = user or t_text("未登录用户")
    region = ctx.region_name()
    what = f"{t_text('风险消除公示名单')} · {region} · {t_text('共 {n} 户', n=len(table))}"
    doc = view.public_notice_document(table, region, _today(), exports.header_line(who, what))
    # its one filter is the region (named in the document's lines); the audit row keeps it in Chinese
    filters = export_filters.in_chinese(
        lambda: export_filters.filters_text(export_filters.describe_region(ctx.regions, ctx.filters.region)))
    detail = NoticeDetail(rows=len(table), region=ctx.filters.region, scope=ctx.filters.scope, filters=filters)
    refused = health.problem(engine)  # an export must be recorded: refused while the database cannot take it
    if refused is not None:
        st.error(t("无法导出：{reason}", reason=refused.localized()))
    place = "".join(ch if ch.isalnum() else "_" for ch in region)[:40]  # stored text in a file name
    stem = f"{t_text('公示名单')}_{place}_{_today():%Y%m%d}"
    font = pdf_doc.find_font()
    left, right, _ = st.columns([2, 2, 6])
    with left:
        downloads.download_button(t("导出 Excel"), notice_export(engine, user, doc, "xlsx", None, **detail),
                                  file_name=f"{stem}.xlsx", mime=exports.XLSX_MIME, key="mw_notice_xlsx",
                                  disabled=refused is not None)
    with right:
        if font is None:
            st.caption(t("服务器未安装中文字体，暂不能导出 PDF（Excel 不受影响）。"))
        else:
            downloads.download_button(t("导出 PDF"), notice_export(engine, user, doc, "pdf", font, **detail),
                                      file_name=f"{stem}.pdf", mime=pdf_doc.MIME, key="mw_notice_pdf",
                                      disabled=refused is not None)


def notice_export(engine, user: str | None, doc: view.NoticeDocument, fmt: str, font: pdf_doc.Font | None, *,
                  rows: int, region: str, scope: str, filters: str) -> Callable[[], bytes]:
    """The download callable of one format: makes the file, then records the export (the watchlist's audit path:
    one `export` row); when the row cannot be written (WriteRefused) no file is handed out."""
    page_label = t_text("第 {page} 页 / 共 {pages} 页")  # read now: build runs outside this run's language

    def build() -> bytes:
        if fmt == "pdf":
            assert font is not None  # the PDF button is drawn only when a font was found
            data = pdf_doc.render(doc.title, doc.lines, [doc.table], font=font, fine_print=doc.fine_print,
                                  page_label=page_label, author=user)
        else:
            data = exports.to_xlsx_bytes(doc.table, doc.fine_print[0], sheet=doc.sheet, lines=(doc.title, *doc.lines))
        audit.record(engine, user, "export", "public_notice", region=region, rows=rows, format=fmt, scope=scope,
                     filters=filters, masked=True)
        return data
    return build


# ---------------------------------------------------------------- the household file
def render_file_work(ctx: PageContext, hh_id: int, info: pd.Series, pairs: pd.DataFrame, aid_count: int,
                     last_followup: object, check: lifecycle.EliminationCheck) -> None:
    """一户一策 and the actions on the file: plan, help delivered, helper, follow-up, risk elimination."""
    flash_slot = st.empty()  # a fixed place: the tabs and expanders below keep their state across the rerun
    with flash_slot.container():
        show_flash()
    calendar, rules = cache.load_deadlines(ctx.url, ctx.version)
    today = _today()
    due = view.next_visit(info["status"], info["adcode"], info["identified_on"], info["eliminated_on"],
                          last_followup, aid_count, rules, calendar, today)
    if due is not None:
        st.markdown(t("**下一步**：{what}", what=plain(view.next_visit_text(due, today, calendar))))
    leads: pd.DataFrame = cache.load(ctx.url, ctx.version, q.open_leads_of, hh_id, ctx.filters.scope)
    for _, lead in (leads.iterrows() if ctx.user and ctx.user.may_open("my_work") else ()):
        st.page_link("pages/my_work.py", icon=":material/assignment:", query_params={"lead": str(int(lead["lead_id"]))},
                     label=t("本户有未办结的线索第{n}号（{status}），到待办办理", n=int(lead["lead_id"]),
                             status=t(lead["status"])))
    render_file_attachments(ctx, hh_id)
    items: pd.DataFrame = cache.load(ctx.url, ctx.version, q.plan_items, hh_id, ctx.filters.scope)
    st.subheader(t("一户一策"))
    if items.empty:
        st.warning(t("尚未制定帮扶计划。"))
    else:
        shown = view.plan_table(items, today, calendar)
        st.dataframe(view.style_deadlines(shown, [t("期限")]), hide_index=True, key="hh_plan",
                     column_config={t("备注"): st.column_config.TextColumn(t("备注"), width="medium")})
    if not may_act(ctx):
        return
    _opened("file", hh_id, FILE_FIELDS)
    seen = q.file_version(cache.engine(ctx.url), hh_id, ctx.filters.scope)  # fresh: what every form carries
    if seen is None:
        st.error(t("没有这户档案，或不在您的管辖范围内"))
        return
    status = info["status"]
    if status in codes.CLOSED_STATUSES:
        st.info(t("档案已{status}，不能再办理。", status=view.status_label(status)))
        return
    pending = items[items["status"] == "待落实"] if not items.empty else items
    staff: pd.DataFrame = cache.load(ctx.url, ctx.version, q.staff_for, str(info["adcode"]))
    names = {r["username"]: view.staff_label(r) for _, r in staff.iterrows()}
    # cache.load returns what q.file_assignee does, typed as object
    current = cast(str | None, cache.load(ctx.url, ctx.version, q.file_assignee, hh_id, ctx.filters.scope))
    handler = names.get(current, current) if current else t("未分派")
    with st.expander(t("经办人：{who}", who=plain(handler)), icon=":material/person:"):
        _file_assign_form(ctx, hh_id, names, current, seen)
    if status in codes.OPEN_STATUSES:
        with st.expander(t("添加帮扶计划"), icon=":material/playlist_add:"):
            _plan_form(ctx, hh_id, seen)
    with st.expander(t("登记帮扶（即帮即录）"), icon=":material/volunteer_activism:"):
        _aid_form(ctx, hh_id, seen, pending)
    with st.expander(t("结对帮扶"), icon=":material/handshake:"):
        _helper_forms(ctx, hh_id, seen, pairs)
    with st.expander(t("登记回访"), icon=":material/phone_in_talk:"):
        _followup_form(ctx, hh_id, seen)
    with st.expander(t("风险消除申请"), icon=":material/verified:"):
        _elimination(ctx, hh_id, info, seen, check)


def _file_assign_form(ctx: PageContext, hh_id: int, names: dict[str, str], current: str | None, seen: int) -> None:
    """分派档案: who is responsible for the file (it shows under their 我负责的档案 and 风险名单 › 我负责的)."""
    if not names:
        st.caption(t("该区县还没有可分派的工作人员账号。"))
        return
    options = list(names)
    pick = current if current in names else (ctx.me.username if ctx.me.username in names else options[0])
    with st.form("cw_file_assign", border=False):
        st.markdown(f"**{t('分派档案')}**")
        st.selectbox(t("经办人"), options, index=options.index(pick), key="cw_file_assign_to",
                     format_func=labels_of(names))
        _button(t("分派"), ctx, "cw_file_assign",
                lambda: C.AssignFile(hh_id, str(_value("cw_file_assign_to")), seen),
                primary=False, icon=":material/person_add:")
    _refused("cw_file_assign")


def _plan_form(ctx: PageContext, hh_id: int, seen: int) -> None:
    with st.form("cw_plan", border=False):
        c1, c2 = st.columns(2)
        c1.selectbox(t("帮扶类型"), list(codes.ASSISTANCE_TYPES), key="cw_plan_type",
                     format_func=_choice_label(codes.ASSISTANCE_TYPES))
        c2.text_input(t("责任人"), key="cw_plan_responsible", max_chars=64, placeholder=t("如：县总工会帮扶中心"))
        c3, c4 = st.columns(2)
        c3.date_input(t("完成期限"), value=_today() + dt.timedelta(days=30), min_value=_today(), key="cw_plan_due",
                      format="YYYY-MM-DD")
        c4.text_input(t("备注"), key="cw_plan_note", max_chars=255)
        _button(t("加入计划"), ctx, "cw_plan",
                lambda: C.AddPlanItem(hh_id, str(_value("cw_plan_type")), _value("cw_plan_responsible") or "",
                                      _value("cw_plan_due"), seen, note=_value("cw_plan_note") or ""),
                ("cw_plan_responsible", "cw_plan_note"), icon=":material/add:")
    _refused("cw_plan")


def _aid_command(hh_id: int, seen: int) -> C.RecordAid:
    item = _value("cw_aid_item")
    return C.RecordAid(hh_id, str(_value("cw_aid_type")), float(_value("cw_aid_amount") or 0), _value("cw_aid_on"),
                       str(_value("cw_aid_provider")), seen, plan_item_id=int(item) if item else None)


def _aid_form(ctx: PageContext, hh_id: int, seen: int, pending: pd.DataFrame) -> None:
    plans = {"": t("不对应计划")} | {str(int(r["item_id"])): view.plan_option(r) for _, r in pending.iterrows()}
    with st.form("cw_aid", border=False):
        st.selectbox(t("落实的计划（可选）"), list(plans), key="cw_aid_item", format_func=labels_of(plans))
        c1, c2 = st.columns(2)
        c1.selectbox(t("帮扶类型"), list(codes.ASSISTANCE_TYPES), key="cw_aid_type",
                     format_func=_choice_label(codes.ASSISTANCE_TYPES))
        c2.number_input(t("金额（元，非现金措施填0）"), min_value=0.0, max_value=C.AID_MAX, step=100.0,
                        key="cw_aid_amount")  # starts at min_value; no value=, since _reset sets it
        c3, c4 = st.columns(2)
        c3.date_input(t("帮扶日期"), value=_today(), max_value=_today(), key="cw_aid_on", format="YYYY-MM-DD")
        c4.selectbox(t("帮扶主体"), list(codes.PROVIDERS), key="cw_aid_provider", format_func=t)
        _button(t("登记帮扶"), ctx, "cw_aid", lambda: _aid_command(hh_id, seen), ("cw_aid_item", "cw_aid_amount"),
                icon=":material/add:")
    _refused("cw_aid")


def _helper_forms(ctx: PageContext, hh_id: int, seen: int, pairs: pd.DataFrame) -> None:
    with st.form("cw_helper", border=False):
        st.markdown(f"**{t('安排结对帮扶责任人')}**")
        c1, c2 = st.columns(2)
        c1.text_input(t("帮扶责任人"), key="cw_helper_name", max_chars=64)
        c2.selectbox(t("责任人类型"), list(codes.HELPER_KINDS), key="cw_helper_kind", format_func=t)
        c3, c4, c5 = st.columns(3)
        c3.text_input(t("工作单位"), key="cw_helper_unit", max_chars=128)
        c4.text_input(t("责任人电话"), key="cw_helper_phone", max_chars=20)
        c5.date_input(t("结对日期"), value=_today(), max_value=_today(), key="cw_helper_start", format="YYYY-MM-DD")
        _button(t("结对"), ctx, "cw_helper",
                lambda: C.AssignHelper(hh_id, _value("cw_helper_name") or "", _value("cw_helper_start"), seen,
                                       helper_kind=str(_value("cw_helper_kind")),
                                       helper_unit=_value("cw_helper_unit") or "",
                                       helper_phone=_value("cw_helper_phone") or ""),
                ("cw_helper_name", "cw_helper_unit", "cw_helper_phone"), icon=":material/handshake:")
    _refused("cw_helper")
    active = pairs[pairs["end_on"].isna()] if not pairs.empty else pairs
    if active.empty:
        return
    names = {str(int(r["pairing_id"])): view.helper_option(r) for _, r in active.iterrows()}
    with st.form("cw_unpair", border=False):
        st.markdown(f"**{t('结束结对')}**")
        c1, c2 = st.columns(2)
        c1.selectbox(t("结对关系"), list(names), key="cw_unpair_id", format_func=labels_of(names))
        c2.date_input(t("结束日期"), value=_today(), max_value=_today(), key="cw_unpair_on", format="YYYY-MM-DD")
        _button(t("结束结对"), ctx, "cw_unpair",
                lambda: C.EndPairing(hh_id, int(_value("cw_unpair_id")), _value("cw_unpair_on"), seen),
                primary=False, icon=":material/link_off:")
    _refused("cw_unpair")


def _followup_form(ctx: PageContext, hh_id: int, seen: int) -> None:
    with st.form("cw_followup", border=False):
        c1, c2, c3 = st.columns(3)
        c1.date_input(t("回访日期"), value=_today(), max_value=_today(), key="cw_followup_on", format="YYYY-MM-DD")
        c2.selectbox(t("回访方式"), list(codes.FOLLOWUP_METHODS), key="cw_followup_method", format_func=t)
        c3.text_input(t("回访人"), key="cw_followup_visitor", max_chars=64)
        st.text_area(t("回访情况"), key="cw_followup_finding", max_chars=255)
        st.checkbox(t("发现返贫返困迹象"), key="cw_followup_relapse")
        _button(t("登记回访"), ctx, "cw_followup",
                lambda: C.LogFollowup(hh_id, _value("cw_followup_on"), str(_value("cw_followup_method")),
                                      _value("cw_followup_visitor") or "", _value("cw_followup_finding") or "", seen,
                                      relapse_signs=bool(_value("cw_followup_relapse"))),
                ("cw_followup_visitor", "cw_followup_finding", "cw_followup_relapse"), icon=":material/add:")
    _refused("cw_followup")


def _elimination(ctx: PageContext, hh_id: int, info: pd.Series, seen: int, check: lifecycle.EliminationCheck) -> None:
    requests: pd.DataFrame = cache.load(ctx.url, ctx.version, q.requests_of, hh_id, ctx.filters.scope)
    latest = requests.iloc[0] if not requests.empty else None
    if latest is not None and latest["status"] in ("待审批", "公示中", "已退回"):
        st.info(plain(view.request_status_text(latest, _today())))
        if latest["status"] == "已退回" and pd.notna(latest["decision_note"]):
            st.text(t("审批意见：{note}", note=latest["decision_note"]))
    if info["status"] in codes.ELIMINATED_STATUSES:
        _revert_form(ctx, hh_id, seen)
        return
    if latest is not None and latest["status"] == "公示中":
        until = view.as_date(latest["notice_until"])
        request_id = int(latest["request_id"])
        with st.form("cw_confirm", border=False):
            _button(t("公示期满，确认风险消除生效"), ctx, "cw_confirm", lambda: C.ConfirmElimination(request_id, seen),
                    icon=":material/verified:", disabled=until is None or _today() <= until)
        _refused("cw_confirm")
        return
    if latest is not None and latest["status"] == "待审批":
        return
    st.markdown(f"**{t('风险消除条件（须全部满足）')}**")
    render_checklist([(c.ok, c.text_zh if i18n.lang() == "zh" else c.text_en) for c in check.conditions])
    if check.never_automatic:
        st.warning(t("家中无人具备劳动能力：不能提出风险消除，继续跟踪帮扶。"))
    with st.form("cw_propose", border=False):
        st.selectbox(t("消除方式"), list(codes.ELIMINATION_METHODS), key="cw_propose_method",
                     format_func=_choice_label(codes.ELIMINATION_METHODS))
        _button(t("提出风险消除申请"), ctx, "cw_propose",
                lambda: C.ProposeElimination(hh_id, str(_value("cw_propose_method")), seen), icon=":material/send:",
                disabled=not check.eligible)
    _refused("cw_propose")
    if not check.eligible:
        st.caption(t("各项条件满足后才能提出；申请由上一级的其他工作人员审批，批准后公示。"))


def _revert_form(ctx: PageContext, hh_id: int, seen: int) -> None:
    with st.form("cw_revert", border=False):
        st.markdown(f"**{t('风险消除回退')}**")
        st.date_input(t("回退日期"), value=_today(), max_value=_today(), key="cw_revert_on", format="YYYY-MM-DD")
        st.text_area(t("回退原因"), key="cw_revert_reason", max_chars=255)
        _button(t("回退并重新纳入监测"), ctx, "cw_revert",
                lambda: C.RevertElimination(hh_id, _value("cw_revert_on"), _value("cw_revert_reason") or "", seen),
                ("cw_revert_reason",), primary=False, icon=":material/undo:")
    _refused("cw_revert")
    st.caption(t("消除后12个月内回退计为返贫/返困。"))
