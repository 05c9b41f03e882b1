"""Bench: re-score one month for every household with the production path (`pipeline.month.rescore_month`).

The stored scores of that month are read first (not timed); the month is then
scored and written — `risk_score`, `household_current`, the month's roll-up
rows — in one transaction, compared with what was stored (must be identical:
0 mismatches, the same rules on the same data) and rolled back unless
`keep=True`, so the benchmark database stays as it was.

`write_floor` measures what any one-month rescore must at least do on this
schema: replace the month's `risk_score` rows and the watchlist rows of the
households scored in it — the stored rows written back unchanged (no reading
of observations, no scoring), in a transaction that is rolled back.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, select, text

from safetynet.db import bulk
from safetynet.db.schema import household_current, risk_score
from safetynet.pipeline.month import _frame
from safetynet.pipeline.month import rescore_month as production_rescore_month
from safetynet.pipeline.rescore import month_span

COMPARED = "hh_id, score, tier, flags, triggers, r"


def _month_scores(conn, month: int) -> pd.DataFrame:
    return pd.read_sql(text(f"SELECT {COMPARED} FROM risk_score WHERE month = :m ORDER BY hh_id"), conn,
                       params={"m": month})


def mismatches(new: pd.DataFrame, old: pd.DataFrame) -> int:
    """Rows whose score, tier, flags, triggers or r differ, plus rows only one side has."""
    both = old.merge(new, on="hh_id", how="outer", suffixes=("_old", "_new"), indicator=True)
    only_one = int((both["_merge"] != "both").sum())
    b = both.loc[both["_merge"] == "both"]
    diff = np.zeros(len(b), dtype=bool)
    for col in ("score", "tier", "flags", "triggers"):
        diff |= b[f"{col}_old"].to_numpy() != b[f"{col}_new"].to_numpy()
    ra, rb = b["r_old"].to_numpy(dtype=float), b["r_new"].to_numpy(dtype=float)
    diff |= ~(np.isclose(ra, rb, rtol=1e-9, atol=1e-12) | (np.isnan(ra) & np.isnan(rb)))
    return int(diff.sum()) + only_one


def rescore_month(engine: Engine, month: int | None = None, keep: bool = False) -> dict:
    """Time the production one-month rescore of `month` (default: the latest) for every household."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            month = month or month_span(conn)[-1]
            before = _month_scores(conn, month)
            started = time.perf_counter()
            result = production_rescore_month(conn, month)
            total = time.perf_counter() - started
            result["mismatches"] = mismatches(_month_scores(conn, month), before)
            result["total_s"] = round(total, 2)
            (trans.commit if keep else trans.rollback)()
        except BaseException:
            trans.rollback()
            raise
    return {**result, "committed": keep}


def write_floor(engine: Engine, month: int | None = None) -> dict:
    """Seconds to delete and write back the stored `risk_score` and `household_current` rows of `month`."""
    out: dict = {}
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            month = month or month_span(conn)[-1]
            for table in (risk_score, household_current):
                rows = _frame(conn, select(table).where(table.c.month == month))
                started = time.perf_counter()
                conn.execute(delete(table).where(table.c.month == month))
                bulk.insert_frame(conn, table, rows)
                out[f"{table.name}_rows"] = len(rows)
                out[f"{table.name}_s"] = round(time.perf_counter() - started, 2)
        finally:
            trans.rollback()
    out["total_s"] = round(out["risk_score_s"] + out["household_current_s"], 2)
    return {"month": month, **out}
