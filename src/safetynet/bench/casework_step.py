"""Bench: one saved casework step at full size — help delivered (即帮即录) on one household's file.

`casework.execute` with `RecordAid` as a nationwide staff user: the scope and row-version checks, the
insert, the audit row, and the refresh (that household re-scored over its whole history, its watchlist
row, the roll-ups by deltas, the migrant roll-up of its county, the data version). Timed end to end,
`runs` times on different households; each aid is then taken out again through the same refresh, so the
benchmark database keeps its figures.
"""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import Engine, bindparam, text

from safetynet.auth import SYSTEM, User, create_user
from safetynet.bench import stats as S
from safetynet.casework import commands as C
from safetynet.casework import execute
from safetynet.pipeline import refresh

BENCH_USER = "bench_casework"


def _user(engine: Engine) -> User:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT user_id FROM app_user WHERE username = :u"), {"u": BENCH_USER}).first()
    if row is not None:
        return User(int(row[0]), BENCH_USER, BENCH_USER, "staff", "000000")
    return create_user(engine, BENCH_USER, None, "staff", "000000", display_name="基准测试", actor=SYSTEM)


def measure_casework_step(engine: Engine, runs: int = 5) -> dict:
    user = _user(engine)
    with engine.connect() as conn:
        # files already 帮扶中: help delivered changes no status, so taking it back restores everything
        picks = conn.execute(text("SELECT hh_id, row_version FROM household WHERE status = '帮扶中' "
                                  "ORDER BY hh_id LIMIT :n"), {"n": runs}).all()
    seconds, aid_ids = [], []
    try:
        for hh_id, row_version in picks:
            started = time.perf_counter()
            execute(engine, user, C.RecordAid(int(hh_id), "送温暖", 500.0, dt.date.today(), "工会", int(row_version)))
            seconds.append(time.perf_counter() - started)
            with engine.connect() as conn:
                aid_ids.append(int(conn.execute(text("SELECT MAX(aid_id) FROM assistance WHERE hh_id = :h"),
                                                {"h": int(hh_id)}).scalar_one()))
    finally:
        _take_back(engine, aid_ids, [int(h) for h, _v in picks[:len(aid_ids)]])
    return {"runs": len(seconds), "p50_s": round(S.percentile(seconds, 50), 3) if seconds else None,
            "max_s": round(max(seconds), 3) if seconds else None, "seconds": [round(s, 3) for s in seconds]}


def _take_back(engine: Engine, aid_ids: list[int], hh_ids: list[int]) -> None:
    """Remove the bench's aid rows and re-score those households through the same refresh."""
    if not aid_ids:
        return
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM assistance WHERE aid_id IN :ids").bindparams(bindparam("ids", expanding=True)),
                     {"ids": aid_ids})
        refresh.households(conn, "bench casework: aid taken back", hh_ids)
