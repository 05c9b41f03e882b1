"""The data-version row: every write bumps it, every cache keys on it.

Reading it is one primary-key lookup, so open dashboards can poll it on each
rerun and see an import at once without re-running their heavy queries.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from safetynet.db.schema import data_version


def bump(conn: Connection, note: str, latest_month: int | None = None) -> int:
    """Increment the version inside the caller's transaction; returns the new value."""
    now = dt.datetime.now().replace(microsecond=0)
    values = {"updated_at": now, "note": note[:255]}
    if latest_month is not None:
        values["latest_month"] = latest_month
    result = conn.execute(
        update(data_version).where(data_version.c.id == 1)
        .values(version=data_version.c.version + 1, **values)
        .returning(data_version.c.version)
    ).scalar()
    if result is not None:
        return int(result)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(data_version).values(id=1, version=1, **values)
        .on_conflict_do_nothing()
    )
    return int(conn.execute(select(data_version.c.version).where(data_version.c.id == 1)).scalar_one())


def latest_month(conn: Connection) -> int | None:
    """The newest scored month as the dashboards show it ("数据截至"), inside the caller's transaction."""
    row = conn.execute(select(data_version.c.latest_month).where(data_version.c.id == 1)).first()
    return int(row[0]) if row and row[0] is not None else None


def current(engine: Engine) -> tuple[int, int | None]:
    """(version, latest scored month); (0, None) for an empty database."""
    with engine.connect() as conn:
        row = conn.execute(
            select(data_version.c.version, data_version.c.latest_month).where(data_version.c.id == 1)
        ).first()
    return (int(row[0]), row[1]) if row else (0, None)
