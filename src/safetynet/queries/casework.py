"""Casework reads (DOMAIN §8): leads, plans, elimination requests, the public notice and the staff to assign.

Every read is scoped in SQL: the user's region scope becomes an adcode prefix (`auth.scope_prefix`), bound as
a parameter, exactly like `queries.household_file`; a lead, request or file of another region is simply not
returned. Names come back unmasked (views mask them) except in `public_notice`, which is published as it is.
The small reads that forms depend on (`lead`, `file_version`) are meant to be called uncached: a form must
carry the row version the database holds when it is drawn, not the one a cache remembers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import BindParameter, Date, Engine, bindparam, text

from safetynet import privacy
from safetynet.auth import scope_prefix
from safetynet.casework.service import _level_above as level_above  # the approval rule lives in one place
from safetynet.db import casework as store
from safetynet.db import schema as S
from safetynet.domain.lines import region_chain
from safetynet.queries.typed import read_frame

LEAD_LIMIT = 500  # rows a list of leads shows at most (mine and unassigned first)
LEAD_STATUSES = ("待核实", "待决定", "已办结")
OPEN = "open"  # status filter: every lead not yet 已办结
ACTING_ROLES = ("staff", "admin")

_LEAD_COLUMNS = """
    l.lead_id, l.hh_id, l.adcode, g.name AS area, l.channel, l.alert, l.department, l.applicant_name,
    l.applicant_phone, l.reason, l.received_on, l.assignee, l.status, l.checked_on, l.check_by, l.check_finding,
    l.decision, l.decision_reason, l.decided_on, l.decided_by, l.created_by, l.row_version,
    h.file_no, h.status AS file_status, p.name AS head_name, ua.display_name AS assignee_name"""
_LEAD_FROM = """
    FROM lead l
    JOIN region g ON g.adcode = l.adcode
    LEFT JOIN household h ON h.hh_id = l.hh_id
    LEFT JOIN person p ON p.hh_id = l.hh_id AND p.relation = '01'
    LEFT JOIN app_user ua ON ua.username = l.assignee"""


def _prefix(adcode: str) -> str:
    return scope_prefix(adcode) + "%"


def _read(engine: Engine, sql: str, params: dict, tables=(), **types) -> pd.DataFrame:
    stmt = text(sql)
    lists: list[BindParameter[Any]] = [bindparam(k, expanding=True) for k, v in params.items()
                                       if isinstance(v, (list, tuple))]
    return read_frame(engine, stmt.bindparams(*lists) if lists else stmt,
                      {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}, tables, **types)


# ---------------------------------------------------------------- leads
def leads(engine: Engine, scope: str, region: str, me: str, status: str = OPEN, mine: bool = False,
          limit: int = LEAD_LIMIT) -> pd.DataFrame:
    """Leads inside `scope` and `region` (an adcode of any level), mine first, then unassigned, oldest first.

    `status`: OPEN (待核实 and 待决定), one of LEAD_STATUSES, or "" for all; `mine`: only those assigned to `me`.
    Overdue is a matter of working days (views.casework), not of SQL."""
    cond = ["l.adcode LIKE :scope", "l.adcode LIKE :region"]
    params: dict = {"scope": _prefix(scope), "region": _prefix(region), "me": me, "limit": int(limit)}
    if status == OPEN:
        cond.append("l.status <> '已办结'")
    elif status:
        if status not in LEAD_STATUSES:
            raise ValueError(f"unknown lead status {status!r}")
        cond.append("l.status = :status")
        params["status"] = status
    if mine:
        cond.append("l.assignee = :me")
    sql = (f"SELECT {_LEAD_COLUMNS} {_LEAD_FROM} WHERE {' AND '.join(cond)} "
           "ORDER BY CASE WHEN l.assignee = :me THEN 0 WHEN l.assignee IS NULL THEN 1 ELSE 2 END, "
           "l.received_on, l.lead_id LIMIT :limit")
    return _read(engine, sql, params, [S.lead])


def lead(engine: Engine, lead_id: int, scope: str) -> pd.DataFrame:
    """One lead inside `scope` (empty when it does not exist or lies elsewhere). Call it uncached."""
    return _read(engine, f"SELECT {_LEAD_COLUMNS} {_LEAD_FROM} WHERE l.lead_id = :id AND l.adcode LIKE :scope",
                 {"id": int(lead_id), "scope": _prefix(scope)}, [S.lead])


def open_leads_of(engine: Engine, hh_id: int, scope: str) -> pd.DataFrame:
    """The household's leads not yet 已办结 (at most one, by the join rule)."""
    return _read(engine, f"SELECT {_LEAD_COLUMNS} {_LEAD_FROM} WHERE l.hh_id = :hh AND l.adcode LIKE :scope "
                         "AND l.status <> '已办结' ORDER BY l.lead_id", {"hh": int(hh_id), "scope": _prefix(scope)},
                 [S.lead])


def attachments_of_lead(engine: Engine, lead_id: int, scope: str) -> pd.DataFrame:
    """The home check's attachments (no content): id, name, type, size, who and when."""
    sql = """
        SELECT a.attachment_id, a.file_name, a.mime, a.size, a.uploaded_by, a.uploaded_at FROM attachment a
        JOIN lead l ON l.lead_id = a.lead_id WHERE a.lead_id = :lead AND l.adcode LIKE :scope
        ORDER BY a.attachment_id"""
    return _read(engine, sql, {"lead": int(lead_id), "scope": _prefix(scope)}, [S.attachment])


def attachments_of_household(engine: Engine, hh_id: int, scope: str) -> pd.DataFrame:
    """Every home-check attachment of the household's leads (no content), newest first, with its lead."""
    sql = """
        SELECT a.attachment_id, a.lead_id, a.file_name, a.mime, a.size, a.uploaded_by, a.uploaded_at FROM attachment a
        JOIN household h ON h.hh_id = a.hh_id WHERE a.hh_id = :hh AND h.adcode LIKE :scope
        ORDER BY a.uploaded_at DESC, a.attachment_id DESC"""
    return _read(engine, sql, {"hh": int(hh_id), "scope": _prefix(scope)}, [S.attachment])


def attachment_content(engine: Engine, attachment_id: int, scope: str) -> tuple[str, str, bytes, str] | None:
    """(file name, type, bytes, county) of an attachment inside `scope` — read when it is downloaded."""
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT a.file_name, a.mime, a.content, l.adcode FROM attachment a JOIN lead l ON l.lead_id = a.lead_id "
            "WHERE a.attachment_id = :id AND l.adcode LIKE :scope"),
            {"id": int(attachment_id), "scope": _prefix(scope)}).first()
    return (str(row[0]), str(row[1]), bytes(row[2]), str(row[3])) if row is not None else None


# ---------------------------------------------------------------- files
def file_version(engine: Engine, hh_id: int, scope: str) -> int | None:
    """The file's row_version (None outside `scope`): what a form on the file carries as seen_version."""
    found = _read(engine, "SELECT row_version FROM household WHERE hh_id = :hh AND adcode LIKE :scope",
                  {"hh": int(hh_id), "scope": _prefix(scope)})
    return int(found["row_version"].iloc[0]) if not found.empty else None


def file_assignee(engine: Engine, hh_id: int, scope: str) -> str | None:
    """The username responsible for the file (None: nobody, or outside `scope`)."""
    found = _read(engine, "SELECT assignee FROM household WHERE hh_id = :hh AND adcode LIKE :scope",
                  {"hh": int(hh_id), "scope": _prefix(scope)})
    return str(found["assignee"].iloc[0]) if not found.empty and pd.notna(found["assignee"].iloc[0]) else None


def my_files(engine: Engine, scope: str, region: str, me: str, limit: int = LEAD_LIMIT) -> pd.DataFrame:
    """Files assigned to `me` that are still followed (open, or eliminated: aftercare), with what is due."""
    sql = """
        SELECT h.hh_id, h.file_no, h.adcode, g.name AS area, h.status, h.identified_on, h.eliminated_on,
               p.name AS head_name,
               (SELECT MAX(f.followed_on) FROM followup f WHERE f.hh_id = h.hh_id) AS last_followup,
               (SELECT COUNT(*) FROM assistance a WHERE a.hh_id = h.hh_id) AS aid_count,
               (SELECT COUNT(*) FROM plan_item i WHERE i.hh_id = h.hh_id AND i.status = '待落实') AS plan_open,
               (SELECT MIN(i.due_on) FROM plan_item i WHERE i.hh_id = h.hh_id AND i.status = '待落实') AS plan_due
        FROM household h
        JOIN region g ON g.adcode = h.adcode
        LEFT JOIN person p ON p.hh_id = h.hh_id AND p.relation = '01'
        WHERE h.assignee = :me AND h.adcode LIKE :scope AND h.adcode LIKE :region
          AND h.status NOT IN ('退档', '注销')
        ORDER BY h.identified_on, h.hh_id LIMIT :limit"""
    return _read(engine, sql, {"me": me, "scope": _prefix(scope), "region": _prefix(region), "limit": int(limit)},
                 [S.household], last_followup=Date, plan_due=Date)


def plan_items(engine: Engine, hh_id: int, scope: str) -> pd.DataFrame:
    """一户一策: the household's planned measures, with the delivery that fulfilled each, and `seq`: the
    item's number in the household's own plan (1, 2, … in the order added; items are cancelled, never
    deleted, so a number stays the item's), which staff say instead of the database id."""
    sql = """
        SELECT i.item_id, i.aid_type, i.responsible, i.due_on, i.status, i.note, i.created_by, i.created_at,
               i.aid_id, a.delivered_on, a.amount
        FROM plan_item i LEFT JOIN assistance a ON a.aid_id = i.aid_id
        WHERE i.hh_id = :hh AND EXISTS (SELECT 1 FROM household sg WHERE sg.hh_id = :hh AND sg.adcode LIKE :scope)
        ORDER BY CASE WHEN i.status = '待落实' THEN 0 ELSE 1 END, i.due_on, i.item_id"""
    items = _read(engine, sql, {"hh": int(hh_id), "scope": _prefix(scope)}, [S.plan_item, S.assistance])
    return items.assign(seq=items["item_id"].rank(method="first").astype("int64") if not items.empty else [])


# ---------------------------------------------------------------- risk elimination
_REQUEST_COLUMNS = """
    r.request_id, r.hh_id, r.method, r.checklist, r.proposed_by, r.proposed_at, r.status, r.decided_by,
    r.decided_at, r.decision_note, r.notice_until"""


def requests_of(engine: Engine, hh_id: int, scope: str) -> pd.DataFrame:
    """The file's elimination requests, newest first."""
    sql = (f"SELECT {_REQUEST_COLUMNS} FROM elimination_request r JOIN household h ON h.hh_id = r.hh_id "
           "WHERE r.hh_id = :hh AND h.adcode LIKE :scope ORDER BY r.request_id DESC")
    return _read(engine, sql, {"hh": int(hh_id), "scope": _prefix(scope)}, [S.elimination_request])


def approvals(engine: Engine, scope: str, me: str) -> pd.DataFrame:
    """Requests 待审批 that `me` may decide: inside `scope`, not proposed by `me`, proposed from a level below.

    The level rule is the service's own (`_level_above`); a proposer whose account is gone is not checked,
    as the service does not check it either."""
    sql = f"""
        SELECT {_REQUEST_COLUMNS}, h.file_no, h.adcode, g.name AS area, h.population, h.worker_cat, h.monitor_cat,
               h.status AS file_status, h.row_version, p.name AS head_name, u.scope_adcode AS proposer_scope
        FROM elimination_request r
        JOIN household h ON h.hh_id = r.hh_id
        JOIN region g ON g.adcode = h.adcode
        LEFT JOIN person p ON p.hh_id = h.hh_id AND p.relation = '01'
        LEFT JOIN app_user u ON u.username = r.proposed_by
        WHERE r.status = '待审批' AND h.adcode LIKE :scope AND r.proposed_by <> :me
        ORDER BY r.proposed_at, r.request_id"""
    rows = _read(engine, sql, {"scope": _prefix(scope), "me": me}, [S.elimination_request])
    keep = pd.Series([pd.isna(p) or level_above(scope, str(p)) for p in rows["proposer_scope"]], index=rows.index,
                     dtype=bool)
    return rows.loc[keep].reset_index(drop=True)


def public_notice(engine: Engine, scope: str, region: str) -> pd.DataFrame:
    """公示名单 (DOMAIN §8): files whose elimination is in its public notice, as they may be published.

    Only the masked name of the household head, the county, the category and the method leave this function:
    never an ID number, phone, bank account, health or disability detail (none is even selected)."""
    sql = """
        SELECT r.request_id, p.name AS head_name, g.name AS area, h.population, h.worker_cat, h.monitor_cat,
               r.method, r.decided_at, r.notice_until
        FROM elimination_request r
        JOIN household h ON h.hh_id = r.hh_id
        JOIN region g ON g.adcode = h.adcode
        LEFT JOIN person p ON p.hh_id = h.hh_id AND p.relation = '01'
        WHERE r.status = '公示中' AND h.adcode LIKE :scope AND h.adcode LIKE :region
        ORDER BY r.notice_until, r.request_id"""
    rows = _read(engine, sql, {"scope": _prefix(scope), "region": _prefix(region)}, [S.elimination_request])
    rows["head_name"] = rows["head_name"].map(privacy.mask_name)
    return rows


# ---------------------------------------------------------------- who can be assigned
def staff_for(engine: Engine, adcode: str) -> pd.DataFrame:
    """Active staff and administrators whose scope covers county `adcode` (the county's own first)."""
    sql = """
        SELECT u.username, u.display_name, u.role, u.scope_adcode, g.name AS scope_name, g.level
        FROM app_user u LEFT JOIN region g ON g.adcode = u.scope_adcode
        WHERE u.active = :yes AND u.role IN :roles AND u.scope_adcode IN :chain
        ORDER BY COALESCE(g.level, 0) DESC, u.username"""
    return _read(engine, sql, {"yes": True, "roles": ACTING_ROLES, "chain": region_chain(adcode)}, [S.app_user])


# ---------------------------------------------------------------- deadlines as data
def calendar_rows(engine: Engine) -> list[tuple]:
    """The holiday calendar's exceptions to Monday–Friday: (day, kind)."""
    with engine.connect() as conn:
        return store.calendar_rows(conn)


def deadline_rows(engine: Engine) -> list[tuple]:
    """Per-region deadline rules: (adcode, step, amount, unit); the national defaults fill the gaps."""
    with engine.connect() as conn:
        return store.deadline_rows(conn)

