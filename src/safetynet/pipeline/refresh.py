"""Refresh: the one path every write ends with.

After data changed — an import, a rescore, the demo, and the staff actions on screen — the derived tables
must say what a full rescore from scratch would say, and open dashboards must see it at once. This module
is the only caller of `data_version.bump`:

* `households(conn, …)` — some households changed, inside the writer's transaction: re-score them (their
  whole history, or only a new latest month where that is all that changed), adjust the roll-ups and the
  migrant roll-up, re-judge the as-of flags of the others when the latest month moved, bump the version.
* `month(conn, …)` — the newest month re-scored alone (`python -m safetynet rescore --month`).
* `everything(engine, …)` — score every household-month and rebuild every roll-up (`rescore`).
* `published(conn, …)` — the derived tables were written by the caller itself (the demo generator scores as
  it simulates): refresh the migrant roll-up and bump the version.
* every one of them raises the leads (预警线索, 系统预警) the new scores call for (`raise_leads`);
* `after_commit(engine, …)` — planner statistics and PostgreSQL's visibility map, which cannot be updated
  inside the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from sqlalchemy import Connection, Engine

from safetynet.db import casework, version
from safetynet.domain.risk import Flag
from safetynet.pipeline import migrant_rollup, rescore
from safetynet.pipeline import month as one_month

# A write that re-scored at least this many households vacuums the watchlist table on PostgreSQL (a few
# seconds at a million files); smaller ones leave it to autovacuum.
VACUUM_AFTER_HOUSEHOLDS = 10_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Refreshed:
    households: int  # households re-scored
    data_version: int  # after the bump
    latest_month: int | None  # the data's newest month after the write


def households(conn: Connection, note: str, changed: Iterable[int], new_month_only: Iterable[int] = (),
               previous_latest: int | None | Literal["stored"] = "stored",
               members_changed: Iterable[int] | None = ()) -> Refreshed:
    """Re-score `changed` households inside the caller's transaction and bump the version.

    `new_month_only` (a subset of `changed`) are households whose only change is observations of the newest
    month, later than anything stored before (`previous_latest`, the newest month before the write): they are
    scored for that month alone, from its 15-month window, instead of re-reading their whole history. By
    default the newest month before the write is the one the dashboards show (data_version.latest_month): a
    write that adds no observations (a staff action) does not move it. `members_changed`: the households
    whose member rows the write touched (the migrant roll-up follows members); None when not known.
    """
    if previous_latest == "stored":
        previous_latest = version.latest_month(conn)
    changed_ids = {int(h) for h in changed}
    month_only = {int(h) for h in new_month_only} & changed_ids
    span = rescore.month_span(conn)
    latest = span[-1] if span else None
    if month_only and latest is not None and (previous_latest is None or latest <= previous_latest):
        month_only = set()  # not a new month after all: score their history
    rescore.rescore_households(conn, sorted(changed_ids - month_only), members_changed)
    if month_only:
        assert latest is not None  # their new month's observations are stored: the span has a last month
        one_month.rescore_month(conn, latest, sorted(month_only))
    moved = latest is not None and (previous_latest is None or latest > previous_latest)
    if moved:  # "数据截至" moves: flags judged at the data's as-of date change for households not re-scored
        assert latest is not None  # `moved` needs a latest month (the checker does not follow the flag)
        rescore.refresh_as_of_flags(conn, previous_latest, latest, changed_ids)
    if latest is not None:
        raise_leads(conn, latest, sorted(changed_ids))
    new_version = version.bump(conn, note, latest if moved else None)
    return Refreshed(len(changed_ids), new_version, latest)


def raise_leads(conn: Connection, latest: int, hh_ids: list[int] | None = None,
                today: dt.date | None = None) -> dict[str, int]:
    """Leads (系统预警) for the households the scoring put on the list this month (`hh_ids`: only those)."""
    end = pd.Timestamp(year=latest // 100, month=latest % 100, day=1) + pd.offsets.MonthEnd(0)
    return casework.raise_system_leads(conn, latest, f"{latest // 100}年{latest % 100}月", today or dt.date.today(),
                                       (end - pd.DateOffset(months=12)).date(), int(Flag.NEWLY_HIGH), hh_ids)


def month(conn: Connection, month_: int | None, note: str, hh_ids: Iterable[int] | None = None,
          progress: Progress | None = None) -> dict:
    """Score the newest month alone (for `hh_ids`, default everyone observed in it) and bump the version.

    `month_` None (no data yet) is refused by `rescore_month`, as is a month without observations."""
    result = one_month.rescore_month(conn, month_, None if hh_ids is None else list(hh_ids), progress=progress)
    assert month_ is not None  # refused above otherwise
    raise_leads(conn, month_, None if hh_ids is None else list(hh_ids))
    version.bump(conn, note, month_)
    return result


def everything(engine: Engine, note: str = "rescore", progress: Progress | None = None,
               chunk: int = rescore.CHUNK_HOUSEHOLDS) -> dict:
    """Score every household-month, rebuild the roll-ups and the watchlist, bump the version, analyze."""
    with engine.begin() as conn:
        result = rescore.rebuild(conn, progress=progress, chunk=chunk)
        latest = result.pop("latest_month")
        if latest is not None:
            raise_leads(conn, latest)
        version.bump(conn, note if latest is not None else f"{note} (empty)", latest)
    after_commit(engine, result["households"], full=True)
    return result


def published(conn: Connection, note: str, latest_month: int | None) -> int:
    """The caller wrote scores, watchlist rows and roll-ups itself: finish the derived tables, bump the version."""
    migrant_rollup.refresh(conn)
    if latest_month is not None:
        raise_leads(conn, latest_month)
    return version.bump(conn, note, latest_month)


def after_commit(engine: Engine, households_rescored: int, full: bool = False) -> bool:
    """Statistics after the transaction: ANALYZE after a rebuild, PostgreSQL's VACUUM after a large re-score.

    Returns whether anything was done.
    """
    if full:
        rescore.analyze(engine)
        return True
    if households_rescored >= VACUUM_AFTER_HOUSEHOLDS:  # PostgreSQL: keep the watchlist's counts index-only
        rescore.vacuum_watchlist(engine)
        return True
    return False
