"""Scoring one month: what a new month of observations needs, without re-reading years of history.

A household's score in month t looks back at most 15 months: `r` over the 12
trailing months, the income shock compares the last 3 months with the same 3 a
year earlier (t-14 … t). Whether it was 高 the month before (`NEWLY_HIGH`)
comes from the stored scores of t-1. So scoring month t needs a 15-month panel
and last month's tiers — not the whole history that `rescore_households` reads.

`rescore_month` scores the newest month for the given households (default:
every household observed in it), inside the caller's transaction: it replaces their
`risk_score` rows of that month and their `household_current` rows, and
adjusts the roll-ups (replaced outright when every household is rescored,
adjusted by deltas otherwise). It is exact only when nothing before `month`
changed for those households — the importer uses it for households whose only
new rows are observations of a new latest month, and `python -m safetynet
rescore --month` for a month whose observations were corrected; anything else
goes through `rescore_households`.

Reads go by id range through the DB-API cursor (the chunks are id-ordered), not
through an `IN` list of 50,000 bound ids and SQLAlchemy row objects.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, and_, bindparam, delete, select

from safetynet.db import bulk, chunks
from safetynet.db.schema import (
    assistance,
    household,
    household_current,
    household_month,
    household_status,
    pairing,
    person,
    risk_event,
    risk_score,
)
from safetynet.domain.months import add_months, month_range
from safetynet.pipeline import migrant_rollup, rollup
from safetynet.pipeline.panel import Panel, resolve_lines, score_month
from safetynet.pipeline.rescore import (
    SCORE_COLUMNS,
    build_panel,
    current_rows,
    first_aid_dates,
    load_lines,
    load_multipliers,
    month_span,
)

WINDOW_MONTHS = 15  # r: 12 trailing months; income shock: t-14 … t
CHUNK = 50_000
Progress = Callable[[int, int], None]


def _frame(conn: Connection, stmt: Select, params: dict | None = None) -> pd.DataFrame:
    """A query's rows as a DataFrame straight from the driver's cursor (no SQLAlchemy Row objects).

    SQLite's cursor hands back dates as ISO strings and booleans as 0/1: date columns become datetime64
    (every consumer goes through pd.to_datetime anyway) and booleans bool, as pd.read_sql would give.
    """
    result = conn.execute(stmt, params or {})
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    selected = list(stmt.selected_columns)
    frame = pd.DataFrame.from_records(rows, columns=[c.key for c in selected])
    for col in selected:
        if not len(frame):
            continue
        try:
            kind = col.type.python_type
        except NotImplementedError:
            continue
        if kind in (dt.date, dt.datetime):
            frame[col.key] = pd.to_datetime(frame[col.key])
        elif kind is bool and frame[col.key].notna().all():
            frame[col.key] = frame[col.key].astype(bool)
        elif kind is bool:
            frame[col.key] = frame[col.key].map({False: False, True: True})  # 0/1 hash as False/True
    return frame


IN_LIST = 5_000  # ids per IN (…) list when the ids are too sparse to read as one range


def _read_range(conn: Connection, stmt: Select, column, ids: np.ndarray, extra=None) -> pd.DataFrame:
    """Rows of `stmt` whose `column` is one of `ids` (sorted).

    Dense ids (a chunk of everyone) are read as one id range and filtered here; sparse ids (the households
    one import touched, spread over a million files) by IN lists, so a few households never read a range
    that spans the whole table.
    """
    lo, hi = int(ids[0]), int(ids[-1])
    if hi - lo + 1 <= 2 * len(ids):
        where = column.between(bindparam("lo"), bindparam("hi"))
        frame = _frame(conn, stmt.where(and_(where, extra) if extra is not None else where), {"lo": lo, "hi": hi})
        if len(frame) and len(ids) != hi - lo + 1:  # a gap in the ids: drop the others
            frame = frame.loc[frame[column.key].isin(ids)]
        return frame
    where = column.in_(bindparam("ids", expanding=True))
    sparse = stmt.where(and_(where, extra) if extra is not None else where)
    return chunks.read_in(conn, sparse, [int(i) for i in ids], chunk=IN_LIST, reader=_frame)


def load_recent_panel(conn: Connection, ids: np.ndarray, months: list[int], multipliers: dict[str, float]) -> Panel:
    """Everything the rules need for the (sorted) `ids` over `months`, observations of those months only."""
    hh = _read_range(conn, select(household), household.c.hh_id, ids).sort_values("hh_id").reset_index(drop=True)
    persons = _read_range(conn, select(person), person.c.hh_id, ids)
    events = _read_range(conn, select(risk_event.c.hh_id, risk_event.c.risk_type, risk_event.c.occurred_on,
                                      risk_event.c.cost), risk_event.c.hh_id, ids)
    aid = _read_range(conn, select(assistance.c.hh_id, assistance.c.delivered_on), assistance.c.hh_id, ids)
    pairs = _read_range(conn, select(pairing.c.hh_id, pairing.c.start_on, pairing.c.end_on), pairing.c.hh_id, ids)
    changes = _read_range(conn, select(household_status), household_status.c.hh_id, ids)
    obs = _read_range(conn, select(household_month), household_month.c.hh_id, ids,
                      household_month.c.month.between(months[0], months[-1]))
    return build_panel(hh, persons, events, aid, pairs, changes, obs, months, months[-1] // 100, multipliers)


def _stored(conn: Connection, month: int, ids: np.ndarray, columns: list[str]) -> pd.DataFrame:
    return _read_range(conn, select(*(risk_score.c[c] for c in columns)).where(risk_score.c.month == month),
                       risk_score.c.hh_id, ids)


def _current_rows(conn: Connection, scores: pd.DataFrame, prev: pd.DataFrame, panel: Panel, ids: np.ndarray,
                  regions: rollup.RegionIndex, month: int) -> pd.DataFrame:
    """household_current rows for the households scored in `month` (their latest month)."""
    hh = _read_range(conn, select(household.c.hh_id, household.c.identified_on, household.c.eliminated_on,
                                  household.c.found_on), household.c.hh_id, ids)
    as_of = pd.Timestamp(year=month // 100, month=month % 100, day=1) + pd.offsets.MonthEnd(0)
    before = _last_scored_before(conn, month, scores["hh_id"].to_numpy(dtype=np.int64), prev)
    both = pd.concat([before, scores], ignore_index=True)
    cur = current_rows(both, panel.households, regions, hh, first_aid_dates(conn, [int(i) for i in ids]), as_of)
    # A run of 高 that began before the last scored month: only that month was passed above, so its start
    # comes from the stored watchlist row when that row's run covers it, else from the score history.
    # A month without observations (a gap) does not break a run: the full rescore sees consecutive scores.
    ongoing = (cur["tier"] == "高") & (cur["prev_tier"] == "高")
    if ongoing.any():
        need = cur.loc[ongoing, "hh_id"].to_numpy(dtype=np.int64)
        stored = _read_range(conn, select(household_current.c.hh_id, household_current.c.month,
                                          household_current.c.tier, household_current.c.high_since),
                             household_current.c.hh_id, need).set_index("hh_id").reindex(need)
        last_month = before.set_index("hh_id")["month"].reindex(need)
        covers = stored["tier"].eq("高") & (stored["month"].eq(last_month) | stored["month"].eq(month))
        start = stored["high_since"].where(covers)
        missing = start.index[start.isna()].to_numpy(dtype=np.int64)
        if len(missing):
            start.loc[missing] = _run_start_before(conn, missing, month).reindex(missing).to_numpy()
        cur.loc[ongoing, "high_since"] = start.to_numpy()
    return cur


def _last_scored_before(conn: Connection, month: int, ids: np.ndarray, prev: pd.DataFrame) -> pd.DataFrame:
    """(hh_id, month, tier) of each household's latest score before `month`.

    Nearly every household was scored last month (`prev`, already read); only those with a gap there are
    looked up in the score history, so the common case costs no extra read.
    """
    last = prev.loc[prev["hh_id"].isin(ids), ["hh_id", "tier"]].assign(month=add_months(month, -1))
    missing = np.setdiff1d(ids, last["hh_id"].to_numpy(dtype=np.int64))
    if not len(missing):
        return last
    history = _read_range(conn, select(risk_score.c.hh_id, risk_score.c.month, risk_score.c.tier)
                          .where(risk_score.c.month < add_months(month, -1)), risk_score.c.hh_id, missing)
    latest = history.sort_values(["hh_id", "month"]).groupby("hh_id").tail(1)
    return pd.concat([last, latest[["hh_id", "tier", "month"]]], ignore_index=True)


def _run_start_before(conn: Connection, ids: np.ndarray, month: int) -> pd.Series:
    """First month of the unbroken run of 高 scores that ends just before `month`, per household."""
    history = _read_range(conn, select(risk_score.c.hh_id, risk_score.c.month, risk_score.c.tier)
                          .where(risk_score.c.month < month), risk_score.c.hh_id, ids)
    history = history.sort_values(["hh_id", "month"])
    not_high = history["tier"].ne("高")
    run = not_high.groupby(history["hh_id"]).cumsum()
    last_run = run.groupby(history["hh_id"]).transform("max")
    in_last_run = (run == last_run) & ~not_high
    return history.loc[in_last_run].groupby("hh_id")["month"].min()


def _observed_ids(conn: Connection, month: int) -> np.ndarray:
    frame = _frame(conn, select(household_month.c.hh_id).where(household_month.c.month == month)
                   .order_by(household_month.c.hh_id))
    return frame["hh_id"].to_numpy(dtype=np.int64)


def rescore_month(conn: Connection, month: int | None, hh_ids=None, chunk: int = CHUNK,
                  progress: Progress | None = None) -> dict:
    """Score `month` for `hh_ids` (default: everyone observed that month) in the caller's transaction.

    None (the latest month of a database without observations) is refused like any month without them.

    Returns the households scored and the seconds spent reading, scoring and writing.
    """
    timings = {"read_s": 0.0, "score_s": 0.0, "write_s": 0.0}
    span = month_span(conn)
    if not span or month not in span:
        raise ValueError(f"数据库中没有 {month} 月的观测 no observations in month {month}")
    if month != span[-1]:  # later months would keep scores (NEWLY_HIGH) and watchlist rows built on the old one
        raise ValueError(f"只能单独评分最新月份 {span[-1]}；更早的月份请用 rescore --households 或全量 rescore "
                         f"(only the newest month can be scored alone)")
    everyone = hh_ids is None
    observed = _observed_ids(conn, month)
    ids = observed if everyone else np.intersect1d(observed, np.asarray(sorted({int(i) for i in hh_ids}), dtype=np.int64))
    months = month_range(max(span[0], add_months(month, -(WINDOW_MONTHS - 1))), month)
    prev_month = add_months(month, -1)
    lines, multipliers = load_lines(conn), load_multipliers(conn)
    regions = rollup.RegionIndex.load(conn)
    parts: list[dict[str, pd.DataFrame]] = []
    counties: set[str] = set()  # the migrant roll-up's counties to re-count (a partial rescore)
    scored = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        t0 = time.perf_counter()
        panel = load_recent_panel(conn, part, months, multipliers)
        prev = _stored(conn, prev_month, part, ["hh_id", "tier"])
        old = None if everyone else _read_range(conn, select(risk_score).where(risk_score.c.month == month),
                                                risk_score.c.hh_id, part)
        timings["read_s"] += time.perf_counter() - t0

        t0 = time.perf_counter()
        t = len(months) - 1
        if t > 0:  # last month's 高 from the stored scores (NEWLY_HIGH)
            was_high = prev.set_index("hh_id")["tier"].eq("高")
            assert panel.tier_high is not None  # made by Panel.empty
            panel.tier_high[:, t - 1] = was_high.reindex(panel.households["hh_id"]).fillna(False).to_numpy(bool)
        scores = score_month(panel, t, resolve_lines(panel, lines))[SCORE_COLUMNS]
        current = _current_rows(conn, scores, prev, panel, part, regions, month)
        timings["score_s"] += time.perf_counter() - t0

        t0 = time.perf_counter()
        lo, hi = int(part[0]), int(part[-1])
        delete_month = delete(risk_score).where(risk_score.c.month == month)
        if everyone:
            conn.execute(delete_month.where(risk_score.c.hh_id.between(lo, hi)))
        else:
            conn.execute(delete_month.where(risk_score.c.hh_id.in_(bindparam("ids", expanding=True))),
                         {"ids": [int(i) for i in part]})
            parts.append(rollup.contributions(old, regions, sign=-1))
            # only households with migrant workers count in the migrant roll-up (members do not change here)
            migrants = _read_range(conn, select(person.c.hh_id).where(person.c.is_migrant.is_(True)),
                                   person.c.hh_id, part)["hh_id"]
            stored = _read_range(conn, select(household_current.c.hh_id, household_current.c.adcode),
                                 household_current.c.hh_id, part)
            counties.update(stored.loc[stored["hh_id"].isin(migrants), "adcode"])
            counties.update(current.loc[current["hh_id"].isin(migrants), "adcode"])
        bulk.insert_frame(conn, risk_score, scores)
        conn.execute(delete(household_current).where(household_current.c.hh_id.in_(bindparam("cur", expanding=True))),
                     {"cur": [int(i) for i in current["hh_id"]]})
        bulk.insert_frame(conn, household_current, current)
        parts.append(rollup.contributions(scores, regions))
        timings["write_s"] += time.perf_counter() - t0
        scored += len(scores)
        if progress:
            progress(min(start + chunk, len(ids)), len(ids))

    t0 = time.perf_counter()
    combined = rollup.combine(parts)
    if everyone:  # every household of the month: its roll-up rows are replaced
        rollup.replace_month(conn, combined, regions, month)
        migrant_rollup.refresh(conn)
    else:
        rollup.apply_deltas(conn, combined, regions)
        migrant_rollup.refresh(conn, counties)
    timings["write_s"] += time.perf_counter() - t0
    return {"month": month, "window_months": len(months), "households": scored,
            **{k: round(v, 2) for k, v in timings.items()}}
