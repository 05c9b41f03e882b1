"""Bulk writes keep every type and NULL, on both drivers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select

from safetynet.db import bulk
from safetynet.db.schema import import_batch


def test_round_trip_types_and_nulls(empty_db):
    frame = pd.DataFrame({
        "batch_id": [1, 2, 3],
        "kind": ["a", "带中文", 'quote "and, comma'],
        "file_name": [None, "x.csv", ""],
        "started_at": [dt.datetime(2026, 1, 2, 3, 4, 5)] * 3,
        "rows_read": [0, 5, 7],
        "status": ["done", "done", "failed"],
        "message": [np.nan, "line\nbreak", None],
    })
    with empty_db.begin() as conn:
        assert bulk.insert_frame(conn, import_batch, frame) == 3
    with empty_db.connect() as conn:
        rows = conn.execute(select(import_batch).order_by(import_batch.c.batch_id)).mappings().all()
    assert [r["kind"] for r in rows] == ["a", "带中文", 'quote "and, comma']
    assert rows[0]["file_name"] is None and rows[2]["file_name"] == ""
    assert rows[0]["message"] is None and rows[1]["message"] == "line\nbreak"
    assert rows[1]["rows_read"] == 5
    assert rows[0]["started_at"] == dt.datetime(2026, 1, 2, 3, 4, 5)


def test_failed_bulk_write_rolls_back(empty_db):
    good = pd.DataFrame({"batch_id": [10], "kind": ["k"], "started_at": [dt.datetime(2026, 1, 1)], "status": ["s"]})
    dup = pd.concat([good, good])
    try:
        with empty_db.begin() as conn:
            bulk.insert_frame(conn, import_batch, good.assign(batch_id=11))
            bulk.insert_frame(conn, import_batch, dup)
    except Exception:  # noqa: BLE001 - the duplicate key must abort the transaction
        pass
    with empty_db.connect() as conn:
        assert conn.execute(select(import_batch.c.batch_id)).all() == []


def test_unknown_column_is_refused(empty_db):
    with empty_db.begin() as conn:
        try:
            bulk.insert_frame(conn, import_batch, pd.DataFrame({"nope": [1]}))
        except KeyError as exc:
            assert "nope" in str(exc)
        else:
            raise AssertionError("an unknown column must raise")
