"""Searching the audit log (read-only: the application never edits audit rows).

A viewer reads only the rows about regions inside their own scope (`audit_log.region_adcode`, written by
`audit.record`); rows without a region (written before migration 0010 by someone unknown, or by other
systems) are read by nationwide administrators only.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, select, true

from safetynet.auth import scope_prefix
from safetynet.db.schema import audit_log
from safetynet.domain.lines import NATION

MAX_ROWS = 500


def _in_scope(scope: str):
    """The rows a viewer of `scope` may read: region inside it; NULL regions for the nation only."""
    if scope == NATION:
        return true()
    return audit_log.c.region_adcode.like(scope_prefix(scope) + "%")


def search(engine: Engine, scope: str, action: str | None = None, user: str | None = None,
           start: dt.date | None = None, end: dt.date | None = None, limit: int = MAX_ROWS) -> pd.DataFrame:
    """The newest rows inside `scope` (the viewer's), optionally of one action, one user and a date range."""
    stmt = (select(audit_log).where(_in_scope(scope))
            .order_by(audit_log.c.at.desc(), audit_log.c.audit_id.desc()).limit(min(limit, MAX_ROWS)))
    if action:
        stmt = stmt.where(audit_log.c.action == action)
    if user:
        stmt = stmt.where(audit_log.c.user_name == user)
    if start:
        stmt = stmt.where(audit_log.c.at >= dt.datetime.combine(start, dt.time.min))
    if end:
        stmt = stmt.where(audit_log.c.at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return pd.read_sql(stmt, engine)


def counts_by_action(engine: Engine, scope: str, since: dt.date) -> pd.DataFrame:
    """Rows per action since `since`, inside `scope` (the viewer's)."""
    stmt = (select(audit_log.c.action, func.count().label("n"))
            .where(_in_scope(scope), audit_log.c.at >= dt.datetime.combine(since, dt.time.min))
            .group_by(audit_log.c.action).order_by(audit_log.c.action))
    return pd.read_sql(stmt, engine)
