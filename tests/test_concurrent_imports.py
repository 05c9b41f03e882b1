"""Two imports at once wait their turn: the same end state as one after the other, on SQLite and PostgreSQL.

Imports are serialised by one lock taken first in the import transaction (db.locks.import_transaction):
BEGIN IMMEDIATE on SQLite, pg_advisory_xact_lock on PostgreSQL. Without it, SQLite failed one of two
simultaneous imports at once with "database is locked" (a deferred transaction that read first cannot take
the write lock after another commit), and PostgreSQL gave a raw duplicate-key error for the same file twice.
An import that waits longer than SAFETYNET_IMPORT_WAIT_SECONDS is refused with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from safetynet.db import get_engine, locks, version
from safetynet.db.errors import LockTimeout
from safetynet.ingest import import_file
from safetynet.ingest import load as L
from safetynet.ingest.samples import csv_bytes
from tests.conftest import db_url
from tests.frames import DERIVED_KEYS, assert_frames_equal
from tests.support import sql

TODAY = dt.date(2026, 11, 28)
RENDEZVOUS_SECONDS = 2.0


def _next_month_rows(engine: Engine, offset: int, n: int) -> list[dict]:
    """Next month's observations for n households (from the offset-th), copied from their latest month."""
    latest = int(sql(engine, "SELECT MAX(month) AS m FROM household_month")["m"].iloc[0])
    nxt = latest + 1 if latest % 100 < 12 else latest + 89
    base = sql(engine, "SELECT h.file_no, m.* FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                       "WHERE m.month = :m ORDER BY m.hh_id", m=latest).iloc[offset:offset + n]
    return [{"档案编号": r.file_no, "月份": f"{nxt // 100}-{nxt % 100:02d}", "工资性收入": r.income_wage + 17 * i,
             "经营净收入": r.income_operating, "财产净收入": r.income_property, "转移净收入": r.income_transfer,
             "医疗自付支出": r.spend_medical, "非义务教育支出": r.spend_school, "护理支出": r.spend_care,
             "务工必要支出": r.spend_work, "稳定就业人数": r.members_employed, "失业或未返岗月数": r.months_out_of_work}
            for i, r in enumerate(base.itertuples())]


def _clone(engine: Engine, backend: str, pg_server, tmp_path) -> Engine:
    """A copy of the database, for the one-after-the-other reference run."""
    if backend == "sqlite":
        target = tmp_path / f"clone_{uuid.uuid4().hex[:6]}.db"
        raw = engine.raw_connection()  # VACUUM runs outside a transaction
        try:
            raw.driver_connection.execute("VACUUM INTO ?", (str(target),))
        finally:
            raw.close()
        return get_engine(f"sqlite:///{target}")
    source = engine.url.database
    name = f"sn_test_clone_{uuid.uuid4().hex[:8]}"
    engine.dispose()  # a template database must have no other sessions
    with pg_server.admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    pg_server.created.append(name)
    return get_engine(engine.url.set(database=name).render_as_string(hide_password=False))


def _end_state(engine: Engine) -> dict[str, pd.DataFrame]:
    """Everything an import decides, without the batch ids and clocks that differ between runs."""
    tables = {t: sql(engine, f"SELECT * FROM {t}") for t in DERIVED_KEYS}
    tables["household_month"] = sql(engine, "SELECT * FROM household_month").drop(columns=["batch_id"])
    tables["batches"] = sql(engine, "SELECT file_name, status, rows_read, rows_accepted, rows_updated, rows_rejected "
                                    "FROM import_batch WHERE kind <> 'demo'")
    return tables


KEYS = {**DERIVED_KEYS, "household_month": ["hh_id", "month"],
        "batches": ["file_name", "status", "rows_read", "rows_accepted", "rows_updated", "rows_rejected"]}


def _meet_inside_the_transaction(monkeypatch) -> list[str]:
    """Make both imports plan inside their transactions at the same moment, if the database lets them.

    Each import, once inside its write transaction, waits up to RENDEZVOUS_SECONDS for the other one to get
    there too. Without a lock both get there and read the same old state (the race, every time); with the lock
    the second is still waiting for the first, so the first goes on alone after the rendezvous times out.
    """
    arrived: list[str] = []
    both = threading.Barrier(2)
    real = L._plan_all

    def planning(*args, **kwargs):
        arrived.append(threading.current_thread().name)
        try:
            both.wait(RENDEZVOUS_SECONDS)
        except threading.BrokenBarrierError:
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(L, "_plan_all", planning)
    return arrived


def _at_once(engine: Engine, files: list[tuple[str, bytes]]) -> list[object]:
    """Run the imports in threads started together; each result or the exception it raised."""
    results: list[object] = [None] * len(files)
    start = threading.Barrier(len(files))

    def run(i: int, name: str, data: bytes) -> None:
        start.wait()
        try:
            results[i] = import_file(engine, data, name, mode="strict", user=f"admin{i}", today=TODAY)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, n, d), name=f"import-{i}") for i, (n, d) in enumerate(files)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    return results


def _sequential(engine: Engine, files: list[tuple[str, bytes]]) -> list[object]:
    return [import_file(engine, data, name, mode="strict", user=f"admin{i}", today=TODAY)
            for i, (name, data) in enumerate(files)]


def _assert_same_state(a: Engine, b: Engine) -> None:
    left, right = _end_state(a), _end_state(b)
    for table, frame in left.items():
        assert_frames_equal(frame, right[table], KEYS[table])
    assert version.current(a) == version.current(b)


def test_the_same_file_twice_at_once(writable_demo_db, backend, pg_server, tmp_path, monkeypatch):
    engine = writable_demo_db
    data = csv_bytes(_next_month_rows(engine, 0, 12))
    files = [("same.csv", data), ("same.csv", data)]
    reference = _clone(engine, backend, pg_server, tmp_path)
    engine = get_engine(db_url(engine))
    arrived = _meet_inside_the_transaction(monkeypatch)

    results = _at_once(engine, files)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(arrived) == 2
    by_inserted = sorted(results, key=lambda r: -r.sheets[0].inserted)
    first, second = by_inserted
    assert (first.sheets[0].inserted, first.sheets[0].unchanged) == (12, 0)
    assert (second.sheets[0].inserted, second.sheets[0].updated, second.sheets[0].unchanged) == (0, 0, 12)
    assert second.data_version is None  # nothing changed: the version is not bumped
    assert [b["batch_id"] for b in second.previous_batches] == first.batch_ids  # it saw the first one's batch

    _sequential(reference, files)
    _assert_same_state(engine, reference)


def test_two_files_at_once_equal_one_after_the_other(writable_demo_db, backend, pg_server, tmp_path,
                                                     monkeypatch):
    engine = writable_demo_db
    files = [("a.csv", csv_bytes(_next_month_rows(engine, 0, 10))), ("b.csv", csv_bytes(_next_month_rows(engine, 10, 10)))]
    reference = _clone(engine, backend, pg_server, tmp_path)
    engine = get_engine(db_url(engine))
    _meet_inside_the_transaction(monkeypatch)

    results = _at_once(engine, files)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert all(r.status == "done" and r.sheets[0].inserted == 10 for r in results)

    _sequential(reference, files)
    _assert_same_state(engine, reference)


def test_an_import_waits_at_most_the_configured_time(writable_demo_db, monkeypatch):
    engine = writable_demo_db
    monkeypatch.setenv("SAFETYNET_IMPORT_WAIT_SECONDS", "1")
    data = csv_bytes(_next_month_rows(engine, 0, 3))
    batches = int(sql(engine, "SELECT COUNT(*) AS n FROM import_batch")["n"].iloc[0])
    with locks.import_transaction(engine):  # another import holds the lock
        started = time.monotonic()
        with pytest.raises(LockTimeout) as refused:
            import_file(engine, data, "waits.csv", user="tester", today=TODAY)
        waited = time.monotonic() - started
    assert refused.value.message == "另一个导入正在进行，已等待1秒，请稍后再试"
    assert 0.8 <= waited < 10
    # refused before anything was written, not recorded as a failed import
    assert int(sql(engine, "SELECT COUNT(*) AS n FROM import_batch")["n"].iloc[0]) == batches
    # once the lock is free the same import goes through
    assert import_file(engine, data, "waits.csv", user="tester", today=TODAY).sheets[0].inserted == 3


def test_ordinary_reads_and_writes_are_not_held_up_by_the_import_lock(writable_demo_db):
    """Only imports queue on the lock: a dashboard read during an import does not wait."""
    engine = writable_demo_db
    with locks.import_transaction(engine, wait_seconds=1):
        started = time.monotonic()
        assert version.current(engine)[0] >= 1
        assert time.monotonic() - started < 1
