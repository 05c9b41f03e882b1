"""Searching the audit log (read-only: the application never edits audit rows)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, select

from safetynet.db.schema import audit_log

MAX_ROWS = 500


def search(engine: Engine, action: str | None = None, user: str | None = None,
           start: dt.date | None = None, end: dt.date | None = None, limit: int = MAX_ROWS) -> pd.DataFrame:
    stmt = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.audit_id.desc()).limit(min(limit, MAX_ROWS))
    if action:
        stmt = stmt.where(audit_log.c.action == action)
    if user:
        stmt = stmt.where(audit_log.c.user_name == user)
    if start:
        stmt = stmt.where(audit_log.c.at >= dt.datetime.combine(start, dt.time.min))
    if end:
        stmt = stmt.where(audit_log.c.at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return pd.read_sql(stmt, engine)


def counts_by_action(engine: Engine, since: dt.date) -> pd.DataFrame:
    stmt = (select(audit_log.c.action, func.count().label("n")).where(audit_log.c.at >= dt.datetime.combine(since, dt.time.min))
            .group_by(audit_log.c.action).order_by(audit_log.c.action))
    return pd.read_sql(stmt, engine)
