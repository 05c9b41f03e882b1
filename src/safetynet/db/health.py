"""Can the database take a write right now? Asked before every write, and by the banner on every page.

A write that cannot be kept must be refused up front, with a reason people
can act on, instead of a traceback halfway through — or, worse, succeeding
into a file nobody will see again:

* SQLite: the file at the configured path must still be the file the
  engine opened (same device and inode, recorded at its first connection;
  a deleted file stays writable through the open handles and every row
  written after the deletion is lost at the next restart), and writable
  (not opened with mode=ro/immutable, file and journal writable);
* PostgreSQL: the session must not be read-only (default_transaction_read_only,
  a hot standby in recovery).

`check_writable` raises DatabaseUnavailable; `problem` returns it instead
(for the banner); `guard` wraps a write so that a read-only refusal the
database raises itself — a race with the check — becomes the same error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from safetynet.db import is_sqlite, opened_file, sqlite_path
from safetynet.db.errors import DatabaseUnavailable

READ_ONLY = "数据库当前为只读，无法写入（{where}）：登录、退出登录、查看完整信息、导出和导入都需要写入记录，已暂停。请联系管理员。"
GONE = ("数据库文件已被删除或替换（{where}）：继续写入的记录会在重启后丢失，写入已停止。"
        "请恢复数据库文件并重启应用，或联系管理员。")
READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: read_only_sql_transaction


def check_writable(db: Engine | Connection) -> None:
    """Return when a write can be kept; DatabaseUnavailable (a Chinese message) when it cannot.

    Given a connection (a write already under way), PostgreSQL is asked on that connection."""
    engine = db.engine
    if is_sqlite(engine):
        _check_sqlite(engine)
    else:
        _check_postgres(db)


def problem(engine: Engine) -> DatabaseUnavailable | None:
    """The reason writes are refused now, or None."""
    try:
        check_writable(engine)
    except DatabaseUnavailable as exc:
        return exc
    return None


@contextmanager
def guard(db: Engine | Connection) -> Iterator[None]:
    """Check, then run the write; the database's own read-only refusal becomes DatabaseUnavailable too."""
    check_writable(db)
    try:
        yield
    except DBAPIError as exc:
        if _is_read_only_error(exc):
            raise DatabaseUnavailable(READ_ONLY, where=_where(db.engine)) from exc
        raise


def _check_sqlite(engine: Engine) -> None:
    path = sqlite_path(engine.url)
    if path is None:  # in memory: nothing can go away under it
        return
    where = str(path)
    if engine.url.query.get("mode") == "ro" or engine.url.query.get("immutable") in ("1", "true"):
        raise DatabaseUnavailable(READ_ONLY, where=where)
    opened = opened_file(engine)
    try:
        now = os.stat(path)
    except FileNotFoundError:
        if opened is None:  # never opened: the first connection creates it
            return
        raise DatabaseUnavailable(GONE, where=where) from None
    if opened is not None and (now.st_dev, now.st_ino) != opened:
        raise DatabaseUnavailable(GONE, where=where)
    if not _writable(path):
        raise DatabaseUnavailable(READ_ONLY, where=where)


def _writable(path: Path) -> bool:
    """The file, and what SQLite writes beside it (the WAL, or new journal files in the folder)."""
    if not os.access(path, os.W_OK):
        return False
    wal = Path(f"{path}-wal")
    if wal.exists():
        return os.access(wal, os.W_OK)
    return os.access(path.parent, os.W_OK | os.X_OK)


def _check_postgres(db: Engine | Connection) -> None:
    sql = text("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
    if isinstance(db, Connection):
        read_only, recovery = db.execute(sql).one()
    else:
        with db.connect() as conn:
            read_only, recovery = conn.execute(sql).one()
    if read_only == "on" or recovery:
        raise DatabaseUnavailable(READ_ONLY, where=_where(db.engine))


def _where(engine: Engine) -> str:
    if is_sqlite(engine):
        return str(sqlite_path(engine.url) or ":memory:")
    url = engine.url
    return f"PostgreSQL {url.host or 'localhost'}/{url.database}"


def _is_read_only_error(exc: DBAPIError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
        return True
    message = str(orig).lower()
    return "readonly database" in message or "read-only" in message
