"""The casework tables' reads and writes (SQL lives here; the rules in `safetynet.casework`).

Every function takes the caller's connection: a staff action is one transaction (its writes, its audit
row and the refresh), opened by `write_transaction`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, select, text, update

from safetynet.db import BEGIN_IMMEDIATE, is_sqlite
from safetynet.db.schema import (
    app_user,
    assistance,
    attachment,
    deadline_rule,
    elimination_request,
    followup,
    helper,
    household,
    household_status,
    lead,
    pairing,
    person,
    plan_item,
    region,
    risk_score,
    work_calendar,
)
from safetynet.domain.months import add_months

WRITE_WAIT_MS = 10_000  # SQLite: how long a save waits for another writer before "database is locked"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the write lock from its start on SQLite (BEGIN IMMEDIATE), so a save that
    reads a row version and then writes cannot be overtaken between the two; PostgreSQL locks rows instead."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.execution_options(**{BEGIN_IMMEDIATE: WRITE_WAIT_MS})
        with conn.begin():
            yield conn


def _row(conn: Connection, stmt: Any) -> dict | None:
    found = conn.execute(stmt).mappings().first()
    return dict(found) if found is not None else None


# ---------------------------------------------------------------- reference for deadlines
def calendar_rows(conn: Connection) -> list[tuple[dt.date, str]]:
    return [(r[0], r[1]) for r in conn.execute(select(work_calendar.c.day, work_calendar.c.kind))]


def deadline_rows(conn: Connection) -> list[tuple[str, str, int, str]]:
    cols = (deadline_rule.c.adcode, deadline_rule.c.step, deadline_rule.c.amount, deadline_rule.c.unit)
    return [tuple(r) for r in conn.execute(select(*cols))]


# ---------------------------------------------------------------- households
def household_in_scope(conn: Connection, hh_id: int, prefix: str) -> dict | None:
    """The household row when it lies inside the scope prefix ("" = nationwide), else None."""
    return _row(conn, select(household).where(household.c.hh_id == hh_id, household.c.adcode.like(prefix + "%")))


def claim_household(conn: Connection, hh_id: int, seen_version: int) -> bool:
    """Move the file's row version on from `seen_version`; False when someone saved it in between."""
    result = conn.execute(update(household).where(household.c.hh_id == hh_id, household.c.row_version == seen_version)
                          .values(row_version=household.c.row_version + 1))
    return result.rowcount == 1


def update_household(conn: Connection, hh_id: int, **values: object) -> None:
    conn.execute(update(household).where(household.c.hh_id == hh_id).values(**values))


def new_household(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(household).values(**values).returning(household.c.hh_id)).scalar_one())


def file_no_taken(conn: Connection, file_no: str) -> bool:
    return conn.execute(select(household.c.hh_id).where(household.c.file_no == file_no)).first() is not None


def household_by_file_no(conn: Connection, file_no: str, prefix: str) -> dict | None:
    return _row(conn, select(household).where(household.c.file_no == file_no, household.c.adcode.like(prefix + "%")))


def add_status_change(conn: Connection, hh_id: int, changed_on: dt.date, from_status: str | None, to_status: str,
                      method: str | None = None, is_relapse: bool = False, note: str | None = None) -> None:
    conn.execute(insert(household_status).values(hh_id=hh_id, changed_on=changed_on, from_status=from_status,
                                                 to_status=to_status, method=method, is_relapse=is_relapse,
                                                 note=note))


def members_able_to_work(conn: Connection, hh_id: int, able: tuple[str, ...]) -> int:
    return int(conn.execute(select(func.count()).select_from(person)
                            .where(person.c.hh_id == hh_id, person.c.labour_capacity.in_(able))).scalar_one())


def assistance_count(conn: Connection, hh_id: int, since: dt.date | None = None) -> int:
    cond = [assistance.c.hh_id == hh_id]
    if since is not None:
        cond.append(assistance.c.delivered_on >= since)
    return int(conn.execute(select(func.count()).select_from(assistance).where(and_(*cond))).scalar_one())


# ---------------------------------------------------------------- leads
def lead_in_scope(conn: Connection, lead_id: int, prefix: str) -> dict | None:
    return _row(conn, select(lead).where(lead.c.lead_id == lead_id, lead.c.adcode.like(prefix + "%")))


CLOSED_LEAD = "已办结"


def open_lead_of(conn: Connection, hh_id: int) -> dict | None:
    """The household's open lead, the one every new report on the household joins (the oldest, if ever two)."""
    return _row(conn, select(lead).where(lead.c.hh_id == hh_id, lead.c.status != CLOSED_LEAD)
                .order_by(lead.c.lead_id).limit(1))


def joined_reason(reason: str, received_on: dt.date, source: str, text: str) -> str:
    """A lead's reason once another report on the same household joins it: one open lead per household, and
    each report it absorbed stays readable in it (when, from where, what)."""
    return f"{reason}；{received_on.isoformat()} {source}：{text.strip()}"


def leads_of_households(conn: Connection, hh_ids: list[int], lock: bool = False) -> list[dict]:
    """Every lead of these households (open and closed), oldest first; `lock`: held until commit on PostgreSQL
    (a department batch appends to open leads, and a staff save in between must not be overwritten)."""
    if not hh_ids:
        return []
    stmt = (select(lead).where(lead.c.hh_id.in_(bindparam("ids", expanding=True))).order_by(lead.c.lead_id))
    if lock and not is_sqlite(conn.engine):
        stmt = stmt.with_for_update()
    out: list[dict] = []
    for start in range(0, len(hh_ids), 900):
        out += [dict(r) for r in conn.execute(stmt, {"ids": hh_ids[start:start + 900]}).mappings()]
    return sorted(out, key=lambda r: r["lead_id"])


def applicant_leads(conn: Connection, channel: str, adcodes: list[str]) -> list[dict]:
    """Leads of people without a file (hh_id NULL) from `channel` in these counties."""
    if not adcodes:
        return []
    stmt = select(lead).where(lead.c.hh_id.is_(None), lead.c.channel == channel,
                              lead.c.adcode.in_(bindparam("codes", expanding=True))).order_by(lead.c.lead_id)
    return [dict(r) for r in conn.execute(stmt, {"codes": sorted(set(adcodes))}).mappings()]


def members_by_id_number(conn: Connection, id_numbers: list[str], prefix: str) -> list[dict]:
    """(id_number, hh_id, file_no, adcode) of the members with these ID numbers whose household lies in `prefix`."""
    if not id_numbers:
        return []
    stmt = (select(person.c.id_number, household.c.hh_id, household.c.file_no, household.c.adcode)
            .join(household, household.c.hh_id == person.c.hh_id)
            .where(person.c.id_number.in_(bindparam("ids", expanding=True)), household.c.adcode.like(prefix + "%"))
            .order_by(person.c.person_id))
    out: list[dict] = []
    for start in range(0, len(id_numbers), 900):
        out += [dict(r) for r in conn.execute(stmt, {"ids": id_numbers[start:start + 900]}).mappings()]
    return out


def insert_lead(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(lead).values(**values).returning(lead.c.lead_id)).scalar_one())


def claim_lead(conn: Connection, lead_id: int, seen_version: int, **values: object) -> bool:
    """Update a lead only if nobody saved it since `seen_version` was read."""
    result = conn.execute(update(lead).where(lead.c.lead_id == lead_id, lead.c.row_version == seen_version)
                          .values(row_version=lead.c.row_version + 1, **values))
    return result.rowcount == 1


# ---------------------------------------------------------------- plans, help, helpers, follow-ups
def insert_attachment(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(attachment).values(**values).returning(attachment.c.attachment_id)).scalar_one())


def insert_plan_item(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(plan_item).values(**values).returning(plan_item.c.item_id)).scalar_one())


def plan_item_of(conn: Connection, item_id: int, hh_id: int) -> dict | None:
    return _row(conn, select(plan_item).where(plan_item.c.item_id == item_id, plan_item.c.hh_id == hh_id))


def update_plan_item(conn: Connection, item_id: int, **values: object) -> None:
    conn.execute(update(plan_item).where(plan_item.c.item_id == item_id).values(**values))


def insert_assistance(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(assistance).values(**values).returning(assistance.c.aid_id)).scalar_one())


def insert_followup(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(followup).values(**values).returning(followup.c.followup_id)).scalar_one())


def helper_named(conn: Connection, name: str, unit: str | None) -> int | None:
    cond = helper.c.unit.is_(None) if not unit else helper.c.unit == unit
    found = conn.execute(select(helper.c.helper_id).where(helper.c.name == name, cond)).first()
    return int(found[0]) if found else None


def insert_helper(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(helper).values(**values).returning(helper.c.helper_id)).scalar_one())


def insert_pairing(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(pairing).values(**values).returning(pairing.c.pairing_id)).scalar_one())


def pairing_of(conn: Connection, pairing_id: int, hh_id: int) -> dict | None:
    return _row(conn, select(pairing).where(pairing.c.pairing_id == pairing_id, pairing.c.hh_id == hh_id))


def end_pairing(conn: Connection, pairing_id: int, end_on: dt.date) -> None:
    conn.execute(update(pairing).where(pairing.c.pairing_id == pairing_id).values(end_on=end_on))


# ---------------------------------------------------------------- elimination requests
def insert_request(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(elimination_request).values(**values)
                            .returning(elimination_request.c.request_id)).scalar_one())


def pending_request_of(conn: Connection, hh_id: int) -> dict | None:
    return _row(conn, select(elimination_request).where(elimination_request.c.hh_id == hh_id,
                                                         elimination_request.c.status.in_(("待审批", "公示中")))
                .order_by(elimination_request.c.request_id.desc()).limit(1))


def request_in_scope(conn: Connection, request_id: int, prefix: str) -> dict | None:
    """The elimination request when its household lies inside the scope prefix, else None (as if missing)."""
    inside = select(household.c.hh_id).where(household.c.adcode.like(prefix + "%"))
    return _row(conn, select(elimination_request).where(elimination_request.c.request_id == request_id,
                                                         elimination_request.c.hh_id.in_(inside)))


def latest_effective_request(conn: Connection, hh_id: int) -> dict | None:
    return _row(conn, select(elimination_request).where(elimination_request.c.hh_id == hh_id,
                                                         elimination_request.c.status == "已生效")
                .order_by(elimination_request.c.request_id.desc()).limit(1))


def update_request(conn: Connection, request_id: int, **values: object) -> None:
    conn.execute(update(elimination_request).where(elimination_request.c.request_id == request_id).values(**values))


# ---------------------------------------------------------------- what the rules need to know
def region_exists(conn: Connection, adcode: str) -> bool:
    return conn.execute(select(region.c.adcode).where(region.c.adcode == adcode)).first() is not None


def active_user(conn: Connection, username: str) -> dict | None:
    return _row(conn, select(app_user.c.username, app_user.c.role, app_user.c.scope_adcode)
                .where(app_user.c.username == username, app_user.c.active.is_(True)))


def recent_scores(conn: Connection, hh_id: int, months: int) -> list[dict]:
    """The household's last `months` scores (oldest first): month, r, tier, triggers."""
    rows = conn.execute(select(risk_score.c.month, risk_score.c.r, risk_score.c.tier, risk_score.c.triggers)
                        .where(risk_score.c.hh_id == hh_id).order_by(risk_score.c.month.desc()).limit(months))
    return [dict(r._mapping) for r in rows][::-1]


# ---------------------------------------------------------------- leads raised by scoring (系统预警)
_ALERT = ("CASE WHEN h.status IN ('风险消除', '已解困', '已脱困') AND h.eliminated_on >= :relapse_since "
          "THEN 'relapse_warning' WHEN c.triggers <> 0 THEN 'hard_trigger' ELSE 'newly_high' END")
_ALERT_TEXT = ("CASE WHEN h.status IN ('风险消除', '已解困', '已脱困') AND h.eliminated_on >= :relapse_since "
               "THEN '返贫预警：消除后12个月内评为高风险' WHEN c.triggers <> 0 THEN '硬性触发' "
               "ELSE '本月新增高风险' END")
_CANDIDATE = (
    "FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
    "WHERE c.month = :month AND c.tier = '高' AND ((c.flags & :newly_high) <> 0 OR c.triggers <> 0 "
    "OR (h.status IN ('风险消除', '已解困', '已脱困') AND h.eliminated_on >= :relapse_since)) "
    "AND h.status NOT IN ('退档', '注销') {only}")
_REASON = ("'系统预警（' || :label || '）：' || " + _ALERT_TEXT + " || '，评分' || CAST(c.score AS VARCHAR(8)) "
           "|| COALESCE('；' || c.reasons, '')")


def raise_system_leads(conn: Connection, month: int, label: str, received_on: dt.date, relapse_since: dt.date,
                       newly_high_bit: int, hh_ids: list[int] | None = None) -> dict[str, int]:
    """Leads for the households scoring 高 in `month` that need a visit (DOMAIN §8, 系统预警).

    Newly 高, a hard trigger, or 返贫预警 (an eliminated file scoring 高 within 12 months of its elimination).
    A household with an open lead has the alert joined to it (once per month); one whose system lead was
    raised in the last three months gets no new one (a lasting trigger is not re-raised every month).
    `hh_ids` limits it to the households a write re-scored. Returns rows raised and joined.
    """
    params: dict[str, object] = {"month": month, "label": label, "relapse_since": relapse_since,
                                 "newly_high": newly_high_bit, "today": received_on, "recent": add_months(month, -2),
                                 "now": dt.datetime.now().replace(microsecond=0)}
    only = ""
    if hh_ids is not None:
        if not hh_ids:
            return {"raised": 0, "joined": 0}
        only = "AND c.hh_id IN :ids"
        params["ids"] = list(hh_ids)
    candidate = _CANDIDATE.format(only=only)

    def run(sql: str) -> int:
        stmt = text(sql)
        if hh_ids is not None:
            stmt = stmt.bindparams(bindparam("ids", expanding=True))
        return int(conn.execute(stmt, params).rowcount or 0)

    joined = run(
        "UPDATE lead SET reason = reason || '；' || (SELECT " + _REASON + " " + candidate +
        " AND c.hh_id = lead.hh_id), alert_month = :month, row_version = row_version + 1 "
        "WHERE status <> '已办结' AND (alert_month IS NULL OR alert_month < :month) AND hh_id IN (SELECT c.hh_id "
        + candidate + ")")
    raised = run(
        "INSERT INTO lead (hh_id, adcode, channel, alert, alert_month, reason, received_on, status, created_by, "
        "created_at, row_version) SELECT c.hh_id, c.adcode, '系统预警', " + _ALERT + ", :month, " + _REASON +
        ", :today, '待核实', 'system', :now, 1 " + candidate +
        " AND NOT EXISTS (SELECT 1 FROM lead l WHERE l.hh_id = c.hh_id AND (l.status <> '已办结' "
        "OR (l.channel = '系统预警' AND l.alert_month >= :recent)))")
    return {"raised": raised, "joined": joined}
