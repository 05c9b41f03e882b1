"""Writers that must take turns: one lock, taken first in the writer's transaction.

Two imports at once would both plan against the same old state. On SQLite
the second then cannot upgrade its read snapshot to a write ("database is
locked" at once, whatever the busy timeout); on PostgreSQL it collides on
the rows the first one inserted (a duplicate key). `import_transaction`
makes the second wait until the first has committed, and then plan against
what the first wrote:

* SQLite: the transaction begins with BEGIN IMMEDIATE (the database's single
  write lock) and waits for it through the busy timeout;
* PostgreSQL: the first statement is pg_advisory_xact_lock, bounded by a
  transaction-local lock_timeout; the lock is released at commit or rollback.

Only writers that ask for the lock queue on it; reads never wait for it.
A wait longer than SAFETYNET_IMPORT_WAIT_SECONDS raises LockTimeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from safetynet import config
from safetynet.db import BEGIN_IMMEDIATE, is_sqlite
from safetynet.db.errors import LockTimeout

# pg_advisory_xact_lock key of the import lock (any constant: b"SNimport" as a signed 64-bit integer)
IMPORT_LOCK_KEY = int.from_bytes(b"SNimport", "big", signed=True)
BUSY_MESSAGE = "另一个导入正在进行，已等待{seconds}秒，请稍后再试"
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout expired


def import_wait_seconds() -> float:
    return float(config.get_int("SAFETYNET_IMPORT_WAIT_SECONDS"))


@contextmanager
def import_transaction(engine: Engine, wait_seconds: float | None = None) -> Iterator[Connection]:
    """A transaction holding the import lock (commits on success, rolls back on error); LockTimeout when
    another holder keeps it longer than `wait_seconds` (default SAFETYNET_IMPORT_WAIT_SECONDS)."""
    wait = import_wait_seconds() if wait_seconds is None else float(wait_seconds)
    refused = LockTimeout(BUSY_MESSAGE, seconds=f"{wait:g}")
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.execution_options(**{BEGIN_IMMEDIATE: max(int(wait * 1000), 0)})
            try:
                trans = conn.begin()
            except DBAPIError as exc:
                if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
                    raise refused from exc
                raise
        else:
            trans = conn.begin()
            try:
                _advisory_lock(conn, IMPORT_LOCK_KEY, wait, refused)
            except BaseException:
                trans.rollback()
                raise
        with trans:
            yield conn


def _advisory_lock(conn: Connection, key: int, wait: float, refused: LockTimeout) -> None:
    before = conn.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
    # 0 would mean "wait for ever" to PostgreSQL: the shortest real bound is 1 ms
    conn.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": f"{max(int(wait * 1000), 1)}ms"})
    try:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise refused from exc
        raise
    conn.execute(text("SELECT set_config('lock_timeout', :before, true)"), {"before": before})
