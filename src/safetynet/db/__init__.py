"""Engine creation and the few places where SQLite and PostgreSQL differ.

Everything that talks to the database gets its engine from `get_engine`, so the
SQLite pragmas (WAL for concurrent readers beside one writer, foreign keys on,
a busy timeout so a reader waits instead of failing during an import) are set
on every connection, whoever opens it. Each SQLite engine also remembers which
file its connections opened, so `db.health` can tell when that file was
deleted or replaced under the running app.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from safetynet import config

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
BUSY_TIMEOUT_MS = 30000
# Execution option of a SQLite connection whose next transaction must begin with BEGIN IMMEDIATE (the write
# lock first), waiting at most this many milliseconds for it; see db.locks. Ordinary transactions stay
# deferred, so readers never queue behind a writer.
BEGIN_IMMEDIATE = "safetynet_begin_immediate_ms"


# (st_dev, st_ino) of the file each SQLite engine's connections opened (db.health compares the path with it)
_opened_files: weakref.WeakKeyDictionary[Engine, tuple[int, int]] = weakref.WeakKeyDictionary()


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The database file a SQLite URL names (plain paths and file: URIs), or None in memory."""
    database = url.database or ""
    if url.query.get("uri") in ("true", "1") and database.startswith("file:"):
        database = database[len("file:"):]
        database = database[2:] if database.startswith("//") else database
        if url.query.get("mode") == "memory":
            return None
    if not database or database.startswith(":memory:"):
        return None
    return Path(database).absolute()


def opened_file(engine: Engine) -> tuple[int, int] | None:
    """(device, inode) of the file the engine's connections have open; None before the first connection."""
    return _opened_files.get(engine)


def _install_sqlite_pragmas(engine: Engine) -> None:
    path = sqlite_path(engine.url)

    @event.listens_for(engine, "engine_disposed")
    def _on_dispose(disposed):
        _opened_files.pop(disposed, None)  # every connection is closed: the next one opens what is there then

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        if path is not None and engine not in _opened_files:
            try:
                stat = os.stat(path)
            except OSError:
                pass
            else:
                _opened_files[engine] = (stat.st_dev, stat.st_ino)
        # pysqlite's own transaction handling would defer BEGIN; let SQLAlchemy drive it.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MB page cache per connection
        if dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                cur.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:  # a read-only database keeps its journal mode (db.health says so)
                pass
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        wait_ms = conn.get_execution_options().get(BEGIN_IMMEDIATE)
        if wait_ms is None:
            conn.exec_driver_sql("BEGIN")
            return
        # SQLAlchemy's documented pysqlite recipe, for this connection only: take the write lock now, waiting
        # at most wait_ms for another writer to finish (the busy handler waits, then "database is locked")
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}").close()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}").close()


def make_engine(url: str) -> Engine:
    """A new engine for `url`; callers normally want the shared `get_engine`."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        path = sqlite_path(sa_url)
        if path is not None and sa_url.query.get("mode") not in ("ro", "rw"):  # a new database may be created
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(sa_url, connect_args={"check_same_thread": False, "timeout": 30})
        _install_sqlite_pragmas(engine)
        return engine
    return create_engine(sa_url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the configured database)."""
    url = url or config.db_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


def dispose(url: str) -> None:
    """Close the pooled connections of one database and forget its engine (a test database being dropped)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def dispose_all() -> None:
    """Close every pooled connection (tests, and after replacing a database file)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
