"""Engine creation and the few places where SQLite and PostgreSQL differ.

Everything that talks to the database gets its engine from `get_engine`, so the
SQLite pragmas (WAL for concurrent readers beside one writer, foreign keys on,
a busy timeout so a reader waits instead of failing during an import) are set
on every connection, whoever opens it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from safetynet import config

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
BUSY_TIMEOUT_MS = 30000
# Execution option of a SQLite connection whose next transaction must begin with BEGIN IMMEDIATE (the write
# lock first), waiting at most this many milliseconds for it; see db.locks. Ordinary transactions stay
# deferred, so readers never queue behind a writer.
BEGIN_IMMEDIATE = "safetynet_begin_immediate_ms"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI types
        # pysqlite's own transaction handling would defer BEGIN; let SQLAlchemy drive it.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MB page cache per connection
        if dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
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
        if sa_url.database and sa_url.database != ":memory:":
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
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


def dispose_all() -> None:
    """Close every pooled connection (tests, and after replacing a database file)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
