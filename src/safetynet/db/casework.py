"""The casework tables' reads and writes (SQL lives here; the rules in `safetynet.casework`).

Every function takes the caller's connection: a staff action is one transaction (its writes, its audit
row and the refresh), opened by `write_transaction`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from safetynet.db import BEGIN_IMMEDIATE, is_sqlite
from safetynet.db.schema import (
    app_user,
    assistance,
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
    return [tuple(r) for r in conn.execute(select(*cols))]  # type: ignore[misc]


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


def open_lead_of(conn: Connection, hh_id: int) -> dict | None:
    return _row(conn, select(lead).where(lead.c.hh_id == hh_id, lead.c.status != "已办结")
                .order_by(lead.c.lead_id).limit(1))


def insert_lead(conn: Connection, **values: object) -> int:
    return int(conn.execute(insert(lead).values(**values).returning(lead.c.lead_id)).scalar_one())


def claim_lead(conn: Connection, lead_id: int, seen_version: int, **values: object) -> bool:
    """Update a lead only if nobody saved it since `seen_version` was read."""
    result = conn.execute(update(lead).where(lead.c.lead_id == lead_id, lead.c.row_version == seen_version)
                          .values(row_version=lead.c.row_version + 1, **values))
    return result.rowcount == 1


# ---------------------------------------------------------------- plans, help, helpers, follow-ups
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


def request_of(conn: Connection, request_id: int) -> dict | None:
    return _row(conn, select(elimination_request).where(elimination_request.c.request_id == request_id))


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
