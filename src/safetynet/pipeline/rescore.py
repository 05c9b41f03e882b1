"""Scoring from the database: whole-database rebuilds and incremental refreshes.

`rescore_all` walks households in id-ordered chunks (memory stays flat as the
database grows), rewrites their scores, and rebuilds the roll-ups and the
watchlist table. `rescore_households` does the same for the households an
import touched, adjusting roll-ups by deltas instead of rebuilding them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, select, text

from safetynet.db import bulk
from safetynet.db.schema import (
    assistance,
    household,
    household_current,
    household_month,
    household_status,
    industry,
    pairing,
    person,
    region_line,
    risk_event,
    risk_score,
)
from safetynet.domain import codes, lifecycle, risk
from safetynet.domain.lines import LineTable
from safetynet.domain.months import month_range
from safetynet.pipeline import migrant_rollup, rollup
from safetynet.pipeline.features import household_static
from safetynet.pipeline.panel import (
    CHANGE_ELIMINATED,
    CHANGE_RELAPSE,
    STATUS_CODES,
    WINDOW,
    Panel,
    score_panel,
)

CHUNK_HOUSEHOLDS = 20_000
SCORE_COLUMNS = [c.name for c in risk_score.columns]
Progress = Callable[[int, int], None]


def load_lines(conn: Connection) -> LineTable:
    return LineTable(pd.read_sql(select(region_line), conn))


def load_multipliers(conn: Connection) -> dict[str, float]:
    return dict(conn.execute(select(industry.c.code, industry.c.line_multiplier)).all())


def _in(column, ids: list[int]):
    return column.in_(bindparam(f"ids_{column.table.name}", expanding=True))


def _read(conn: Connection, stmt, ids: list[int], column) -> pd.DataFrame:
    return pd.read_sql(stmt.where(_in(column, ids)), conn, params={f"ids_{column.table.name}": ids})


def month_span(conn: Connection) -> list[int]:
    """Every month from the first observed to the last.

    Two statements, not one: SQLite answers a lone MIN() or MAX() from the month index in microseconds, but
    MIN() and MAX() in one SELECT scan the whole table (1.7 s at a million files).
    """
    lo = conn.execute(select(func.min(household_month.c.month))).scalar()
    hi = conn.execute(select(func.max(household_month.c.month))).scalar()
    return month_range(int(lo), int(hi)) if lo is not None and hi is not None else []  # both, or neither


def load_panel(conn: Connection, hh_ids: list[int], months: list[int], lines_year: int,
               multipliers: dict[str, float]) -> Panel:
    """Read everything the rules need for `hh_ids` into a panel over `months`."""
    hh = _read(conn, select(household), hh_ids, household.c.hh_id).sort_values("hh_id").reset_index(drop=True)
    persons = _read(conn, select(person), hh_ids, person.c.hh_id)
    events = _read(conn, select(risk_event.c.hh_id, risk_event.c.risk_type, risk_event.c.occurred_on,
                                risk_event.c.cost), hh_ids, risk_event.c.hh_id)
    aid = _read(conn, select(assistance.c.hh_id, assistance.c.delivered_on), hh_ids, assistance.c.hh_id)
    pairs = _read(conn, select(pairing.c.hh_id, pairing.c.start_on, pairing.c.end_on), hh_ids, pairing.c.hh_id)
    changes = _read(conn, select(household_status), hh_ids, household_status.c.hh_id)
    obs = _read(conn, select(household_month), hh_ids, household_month.c.hh_id)
    return build_panel(hh, persons, events, aid, pairs, changes, obs, months, lines_year, multipliers)


def build_panel(hh: pd.DataFrame, persons: pd.DataFrame, events: pd.DataFrame, aid: pd.DataFrame,
                pairs: pd.DataFrame, changes: pd.DataFrame, obs: pd.DataFrame, months: list[int], lines_year: int,
                multipliers: dict[str, float]) -> Panel:
    """The panel over `months` from a set of households' rows (`hh` sorted by hh_id; `obs` inside `months`)."""
    first = months[0]
    aid_month = _month_col(aid["delivered_on"])
    aid_before = aid.loc[aid_month < first].groupby("hh_id").size()
    static = household_static(hh, persons, events, aid_before, multipliers, lines_year)
    panel = Panel.empty(static, np.asarray(months))
    row_of = pd.Series(np.arange(len(hh)), index=hh["hh_id"])
    col_of = pd.Series(np.arange(len(months)), index=months)

    if not obs.empty:
        r = row_of.reindex(obs["hh_id"]).to_numpy()
        c = col_of.reindex(obs["month"]).to_numpy()
        panel.present[r, c] = True
        panel.income[r, c] = obs[["income_wage", "income_operating", "income_property", "income_transfer"]].sum(axis=1)
        panel.medical[r, c] = obs["spend_medical"]
        panel.school[r, c] = obs["spend_school"]
        panel.rigid[r, c] = obs[["spend_medical", "spend_school", "spend_care", "spend_work"]].sum(axis=1)
        panel.employed[r, c] = obs["members_employed"]
        panel.months_out[r, c] = obs["months_out_of_work"]
        panel.arrears[r, c] = obs["wage_arrears"].astype(bool)
        panel.not_returned[r, c] = obs["returned_after_festival"].map({False: True, True: False}).fillna(False).astype(bool)

    sudden = events.loc[events["risk_type"].isin(codes.SUDDEN_RISK_TYPES)]
    sudden_month = _month_col(sudden["occurred_on"])
    _add_by_month(panel.event_cost, sudden["hh_id"], sudden_month, sudden["cost"], row_of, col_of)
    _carry_earlier_events(panel, sudden["hh_id"].to_numpy(), sudden_month, sudden["cost"].to_numpy(dtype=float),
                          row_of)
    _add_by_month(panel.aid, aid["hh_id"], aid_month, np.ones(len(aid), dtype=np.int16), row_of, col_of)
    _fill_helpers(panel, pairs, row_of)
    _fill_status(panel, hh, changes, row_of, col_of)
    return panel


def _carry_earlier_events(panel: Panel, hh_ids: np.ndarray, months: np.ndarray, costs: np.ndarray,
                          row_of: pd.Series) -> None:
    """Sudden events before the panel's first month count in the 12-month windows they still reach."""
    first = int(panel.months[0])
    before = months < first
    if not before.any():
        return
    index = lambda m: (np.asarray(m) // 100) * 12 + np.asarray(m) % 100  # noqa: E731 - months as a count
    col_index = index(panel.months.astype(np.int64))
    ev_index = index(months[before].astype(np.int64))
    rows = row_of.reindex(hh_ids[before]).to_numpy()
    reach = (col_index[None, :] - ev_index[:, None]) < WINDOW  # the window of column t covers t-11 … t
    assert panel.event_carry is not None  # made by Panel.empty
    for r, hit, cost in zip(rows, reach, costs[before], strict=True):
        if not np.isnan(r):
            panel.event_carry[int(r), hit] += cost


def _month_col(dates: pd.Series) -> np.ndarray:
    d = pd.to_datetime(dates)
    return (d.dt.year * 100 + d.dt.month).to_numpy()


def _add_by_month(target: np.ndarray, hh_ids: pd.Series, months: np.ndarray, values, row_of, col_of) -> None:
    if len(hh_ids) == 0:
        return
    r = row_of.reindex(hh_ids.to_numpy()).to_numpy()
    c = col_of.reindex(months).to_numpy()
    ok = ~np.isnan(c.astype(float))
    np.add.at(target, (r[ok].astype(int), c[ok].astype(int)), np.asarray(values)[ok])


def _fill_helpers(panel: Panel, pairs: pd.DataFrame, row_of: pd.Series) -> None:
    if pairs.empty:
        return
    months = panel.months
    month_start = pd.to_datetime([f"{m // 100}-{m % 100:02d}-01" for m in months])
    month_end = month_start + pd.offsets.MonthEnd(0)
    start = pd.to_datetime(pairs["start_on"]).to_numpy()[:, None]
    end = pd.to_datetime(pairs["end_on"]).to_numpy()[:, None]
    active = (start <= month_end.to_numpy()[None, :]) & (pd.isna(end) | (end >= month_start.to_numpy()[None, :]))
    rows = row_of.reindex(pairs["hh_id"].to_numpy()).to_numpy()
    for i, r in enumerate(rows):
        panel.helper[r] |= active[i]


def _fill_status(panel: Panel, hh: pd.DataFrame, changes: pd.DataFrame, row_of: pd.Series, col_of: pd.Series) -> None:
    """Status per month from the change history; households without history keep their current status."""
    code_of = {s: i for i, s in enumerate(STATUS_CODES)}
    h, m = panel.status.shape
    marks = np.zeros((h, m), dtype=np.int8)
    if not changes.empty:
        ch = changes.sort_values(["hh_id", "changed_on", "change_id"])
        r = row_of.reindex(ch["hh_id"].to_numpy()).to_numpy()
        months = _month_col(ch["changed_on"])
        c = np.searchsorted(panel.months, months, side="left")
        before = months < panel.months[0]
        c = np.where(before, 0, c)
        inside = c < m
        codes_ = ch["to_status"].map(code_of).to_numpy()
        # later rows overwrite earlier ones in the same month: assignment keeps the last
        marks[r[inside], c[inside]] = codes_[inside]
        elim = ch["to_status"].isin(codes.ELIMINATED_STATUSES).to_numpy() & ~before & inside
        panel.change[r[elim], c[elim]] = CHANGE_ELIMINATED
        rel = ch["is_relapse"].astype(bool).to_numpy() & ~before & inside
        panel.change[r[rel], c[rel]] = CHANGE_RELAPSE
    has_history = np.zeros(h, dtype=bool)
    if not changes.empty:
        has_history[row_of.reindex(changes["hh_id"].unique()).to_numpy()] = True
    current = hh["status"].map(code_of).to_numpy()
    marks[~has_history, 0] = current[~has_history]
    # months before the first recorded change count as 在档 (the file exists once it is observed)
    filled = pd.DataFrame(marks).replace(0, np.nan).ffill(axis=1).fillna(code_of["在档"]).to_numpy(dtype=np.int8)
    panel.status[:] = filled


# ---------------------------------------------------------------- household_current
def current_rows(scores: pd.DataFrame, static: pd.DataFrame, regions: rollup.RegionIndex,
                 households: pd.DataFrame, first_aid: pd.Series, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each household's latest score with filter columns, reasons and data-quality flags."""
    if scores.empty:
        return pd.DataFrame(columns=[c.name for c in household_current.columns])
    ordered = scores.sort_values(["hh_id", "month"])
    latest_rows = ordered.groupby("hh_id").tail(1)
    latest = latest_rows.set_index("hh_id")
    prev = ordered.groupby("hh_id")["tier"].shift(1)
    prev_tier = prev.groupby(ordered["hh_id"]).last()
    # first month of the current run of 高
    is_high = ordered["tier"].eq("高")
    run_id = (~is_high).groupby(ordered["hh_id"]).cumsum()
    # a run id counts the non-高 months so far, so the month before a run shares its id: take the first 高 month
    run_start = ordered["month"].where(is_high).groupby([ordered["hh_id"], run_id]).transform("first")
    # the value on the latest row (NULL unless 高 now); groupby().last() would skip NaN and keep an old run's start
    high_since = pd.Series(np.where(is_high, run_start, np.nan), index=ordered.index).loc[latest_rows.index]
    high_since.index = latest_rows["hh_id"].to_numpy()

    st = static.set_index("hh_id").loc[latest.index]
    hh = households.set_index("hh_id").loc[latest.index]
    pops = st["population"]
    reasons = risk.explain_frame(latest, pops, "zh")
    reasons_en = risk.explain_frame(latest, pops, "en")
    dq = lifecycle.data_quality_frame(hh["identified_on"], as_of, first_aid.reindex(latest.index),
                                      hh["eliminated_on"], hh["found_on"])
    flags = latest["flags"].to_numpy(dtype=np.int64).copy()
    flags |= np.where(dq[lifecycle.DQ_NO_ASSISTANCE_1M], int(risk.Flag.DQ_NO_ASSISTANCE), 0)
    flags |= np.where(dq[lifecycle.DQ_FAST_ELIMINATION], int(risk.Flag.DQ_FAST_ELIMINATION), 0)
    flags |= np.where(dq[lifecycle.DQ_SLOW_IDENTIFICATION], int(risk.Flag.DQ_SLOW_IDENTIFICATION), 0)
    adcodes = latest["adcode"]
    out = pd.DataFrame({
        "hh_id": latest.index.to_numpy(),
        "month": latest["month"].to_numpy(),
        "prov_adcode": [regions.prov.get(a) or a for a in adcodes],
        "pref_adcode": [regions.pref.get(a) or a for a in adcodes],
        "adcode": adcodes.to_numpy(),
        "site_id": latest["site_id"].to_numpy(),
        "industry_code": latest["industry_code"].to_numpy(),
        "population": pops.to_numpy(),
        "category": latest["category"].to_numpy(),
        "status": latest["status"].to_numpy(),
        "score": latest["score"].to_numpy(),
        "tier": latest["tier"].to_numpy(),
        "prev_tier": prev_tier.reindex(latest.index).to_numpy(),
        "high_since": high_since.reindex(latest.index).astype("Int64").to_numpy(),
        **{f"pts_{f}": latest[f"pts_{f}"].to_numpy() for f in risk.FACTORS},
        "triggers": latest["triggers"].to_numpy(),
        "r": latest["r"].to_numpy(),
        "reasons": reasons.to_numpy(),
        "reasons_en": reasons_en.to_numpy(),
        "flags": flags,
        "identified_month": st["identified_month"].to_numpy(),
        "rules_version": latest["rules_version"].to_numpy(),
    })
    return out


def first_aid_dates(conn: Connection, hh_ids: list[int]) -> pd.Series:
    """First assistance on or after identification, per household."""
    frame = pd.read_sql(
        select(assistance.c.hh_id, func.min(assistance.c.delivered_on).label("first_aid"))
        .select_from(assistance.join(household, assistance.c.hh_id == household.c.hh_id))
        .where(assistance.c.delivered_on >= household.c.identified_on)
        .where(_in(assistance.c.hh_id, hh_ids))
        .group_by(assistance.c.hh_id),
        conn, params={"ids_assistance": hh_ids})
    return frame.set_index("hh_id")["first_aid"]


def refresh_as_of_flags(conn: Connection, old_latest: int | None, new_latest: int, rescored: Iterable[int]) -> int:
    """Re-judge "no assistance one month after identification" when the data's latest month moves.

    That flag is judged at the as-of date of the whole data set (a full rescore uses its last month for every
    household), so households an import did not re-score can become overdue just because the data moved on.
    Only those identified within a month before the new as-of date can change: their flag is recomputed and
    written where it differs. Returns the number of watchlist rows changed.
    """
    new_as_of = _as_of([new_latest])
    since = (_as_of([old_latest]) if old_latest else new_as_of) - pd.DateOffset(months=2)
    stmt = (select(household_current.c.hh_id, household_current.c.flags, household.c.identified_on,
                   household.c.eliminated_on, household.c.found_on)
            .select_from(household_current.join(household, household.c.hh_id == household_current.c.hh_id))
            .where(household.c.identified_on > since.date(), household.c.identified_on <= new_as_of.date()))
    rows = pd.read_sql(stmt, conn)
    rows = rows.loc[~rows["hh_id"].isin(set(int(i) for i in rescored))].set_index("hh_id")
    if rows.empty:
        return 0
    dq = lifecycle.data_quality_frame(rows["identified_on"], new_as_of,
                                      first_aid_dates(conn, [int(i) for i in rows.index]).reindex(rows.index),
                                      rows["eliminated_on"], rows["found_on"])
    bit = int(risk.Flag.DQ_NO_ASSISTANCE)
    old = rows["flags"].to_numpy(dtype=np.int64)
    new = (old & ~bit) | np.where(dq[lifecycle.DQ_NO_ASSISTANCE_1M].to_numpy(dtype=bool), bit, 0)
    changed = rows.index[new != old]
    if len(changed):
        conn.execute(household_current.update().where(household_current.c.hh_id == bindparam("id"))
                     .values(flags=bindparam("f")),
                     [{"id": int(h), "f": int(f)} for h, f in zip(changed, new[new != old], strict=True)])
    return len(changed)


# ---------------------------------------------------------------- drivers
def _score_chunk(conn: Connection, ids: list[int], months: list[int], lines: LineTable,
                 multipliers: dict[str, float], regions: rollup.RegionIndex, as_of: pd.Timestamp):
    panel = load_panel(conn, ids, months, months[-1] // 100, multipliers)
    scores = score_panel(panel, lines)
    if scores.empty:  # households without observations (a file of new households): nothing to score yet
        return (pd.DataFrame(columns=SCORE_COLUMNS),
                pd.DataFrame(columns=[c.name for c in household_current.columns]))
    hh = pd.read_sql(select(household.c.hh_id, household.c.identified_on, household.c.eliminated_on,
                            household.c.found_on).where(_in(household.c.hh_id, ids)), conn,
                     params={"ids_household": ids})
    current = current_rows(scores, panel.households, regions, hh, first_aid_dates(conn, ids), as_of)
    return scores[SCORE_COLUMNS], current


def _as_of(months: list[int]) -> pd.Timestamp:
    last = months[-1]
    return pd.Timestamp(year=last // 100, month=last % 100, day=1) + pd.offsets.MonthEnd(0)


def rescore_all(engine: Engine, progress: Progress | None = None, chunk: int = CHUNK_HOUSEHOLDS) -> dict[str, int]:
    """Score everything from scratch and bump the version: `refresh.everything` (the name callers know)."""
    from safetynet.pipeline import refresh  # refresh builds on this module

    return refresh.everything(engine, progress=progress, chunk=chunk)


def rebuild(conn: Connection, progress: Progress | None = None, chunk: int = CHUNK_HOUSEHOLDS) -> dict:
    """Score every household-month and rebuild the roll-ups and the watchlist table, in the caller's transaction.

    Returns counts and `latest_month` (None for a database without observations).
    """
    months = month_span(conn)
    ids = [r[0] for r in conn.execute(select(household.c.hh_id).order_by(household.c.hh_id))]
    conn.execute(delete(risk_score))
    conn.execute(delete(household_current))
    if not months or not ids:
        rollup.write_full(conn, rollup.combine([]), rollup.RegionIndex.load(conn))
        migrant_rollup.refresh(conn)
        return {"households": 0, "scores": 0, "latest_month": None}
    lines, multipliers = load_lines(conn), load_multipliers(conn)
    regions = rollup.RegionIndex.load(conn)
    parts, n_scores = [], 0
    for start in range(0, len(ids), chunk):
        part_ids = ids[start:start + chunk]
        scores, current = _score_chunk(conn, part_ids, months, lines, multipliers, regions, _as_of(months))
        n_scores += bulk.insert_frame(conn, risk_score, scores)
        bulk.insert_frame(conn, household_current, current)
        parts.append(rollup.contributions(scores, regions))
        if progress:
            progress(min(start + chunk, len(ids)), len(ids))
    written = rollup.write_full(conn, rollup.combine(parts), regions)
    migrant_rollup.refresh(conn)
    return {"households": len(ids), "scores": n_scores, **written, "latest_month": months[-1]}


def rescore_households(conn: Connection, hh_ids: Iterable[int],
                       members_changed: Iterable[int] | None = None) -> dict[str, int]:
    """Re-score `hh_ids` (all months) inside the caller's transaction and adjust roll-ups.

    `members_changed`: the households whose member rows the write touched (None: not known, assume all).
    Only households with migrant workers count in the migrant roll-up, so its counties are re-counted only
    for households that have migrants now, or whose members changed and that may have had some before.
    """
    ids = sorted({int(i) for i in hh_ids})
    if not ids:
        return {"households": 0, "scores": 0}
    months = month_span(conn)
    regions = rollup.RegionIndex.load(conn)
    old = _read(conn, select(risk_score), ids, risk_score.c.hh_id)
    deltas = [rollup.contributions(old, regions, sign=-1)]
    with_migrants = set(_read(conn, select(person.c.hh_id).where(person.c.is_migrant.is_(True)), ids,
                              person.c.hh_id)["hh_id"].astype(int))
    maybe_before = with_migrants | (set(ids) if members_changed is None else {int(h) for h in members_changed})
    # the migrant roll-up is re-counted for the counties these households leave and the ones they are in now
    stored = _read(conn, select(household_current.c.hh_id, household_current.c.adcode), ids, household_current.c.hh_id)
    counties = set(stored.loc[stored["hh_id"].isin(maybe_before), "adcode"])
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        conn.execute(delete(risk_score).where(_in(risk_score.c.hh_id, part)), {"ids_risk_score": part})
        conn.execute(delete(household_current).where(_in(household_current.c.hh_id, part)),
                     {"ids_household_current": part})
    n = 0
    if months:
        lines, multipliers = load_lines(conn), load_multipliers(conn)
        for start in range(0, len(ids), CHUNK_HOUSEHOLDS):
            part = ids[start:start + CHUNK_HOUSEHOLDS]
            scores, current = _score_chunk(conn, part, months, lines, multipliers, regions, _as_of(months))
            n += bulk.insert_frame(conn, risk_score, scores)
            bulk.insert_frame(conn, household_current, current)
            deltas.append(rollup.contributions(scores, regions))
            counties.update(current.loc[current["hh_id"].isin(with_migrants), "adcode"])
    rollup.apply_deltas(conn, rollup.combine(deltas), regions)
    migrant_rollup.refresh(conn, counties)
    return {"households": len(ids), "scores": n}


def vacuum_watchlist(engine: Engine) -> None:
    """PostgreSQL: mark `household_current` all-visible again after many of its rows were rewritten.

    Until then the watchlist's counts, though covered by an index, visit the table (about 220 ms instead of
    10 – 20 ms at a million files) — after an import that re-scored many households, or a rolled-back
    rewrite, whose dead rows also clear the visibility map. SQLite has no such state: nothing to do.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM cannot run in a transaction
        conn.execute(text("VACUUM (ANALYZE) household_current"))


def analyze(engine: Engine) -> None:
    """Refresh planner statistics after bulk writes (both backends need them for good plans).

    On PostgreSQL the watchlist's and the migrant screen's covering indexes are only read without the
    table once VACUUM has set the visibility map; after a bulk load autovacuum may be minutes away, and
    until then every count visits the heap (160 ms instead of a few at a million files).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM cannot run in a transaction
            conn.execute(text("VACUUM (ANALYZE) household_current, person"))
            conn.execute(text("ANALYZE"))
        return
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
