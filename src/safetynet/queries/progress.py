"""The raw rows behind the leaders' work-progress measures (domain.progress): leads, status changes, visits,
help delivered and plan items of the files in a region, each with the child region it is counted under.

A row's region is its county's (`region` joined on the lead's or household's county), so the region and
child columns come from a whitelist by level and the adcode is always bound. With a category filter, only
households of those categories count, and leads without a file (an applicant) drop out: they have none.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import DateTime, Engine, bindparam, text

from safetynet.domain import codes
from safetynet.domain.progress import Inputs
from safetynet.filters import Filters
from safetynet.queries.typed import read_frame

_LEVEL_COLUMN = {0: None, 1: "prov_adcode", 2: "pref_adcode", 3: "adcode"}


def _where(level: int, filtered: bool) -> str:
    column = _LEVEL_COLUMN[level]
    parts = [f"g.{column} = :region" if column else "1 = 1"]
    if filtered:
        parts.append("c.category IN :categories")
    return " AND ".join(parts)


def _read(engine: Engine, sql: str, params: dict, filtered: bool, **types: type) -> pd.DataFrame:
    stmt = text(sql)
    if filtered:
        stmt = stmt.bindparams(bindparam("categories", expanding=True))
    return read_frame(engine, stmt, params, tables=(), **types)  # tables named: `types` cannot be it


def progress_inputs(engine: Engine, filters: Filters, level: int, child_level: int | None,
                    decided_since: dt.date) -> Inputs:
    """Everything domain.progress counts for `filters.region` (of `level`), grouped by its child regions
    (`child_level`; the region itself at county level), or by household when `child_level` is None (leads of
    applicants without a file are then left out). Leads decided before `decided_since` are left out."""
    filtered = set(filters.categories()) != set(codes.CATEGORIES)
    by_household = child_level is None
    child = None if by_household else f"g.{_LEVEL_COLUMN[max(child_level or 0, level, 1)]}"
    lead_group, file_group = child or "l.hh_id", child or "h.hh_id"
    params: dict = {"region": filters.region, "since": decided_since}
    if filtered:
        params["categories"] = list(filters.categories())
    join_c = "LEFT JOIN household_current c ON c.hh_id = {hh}" if filtered else ""
    where = _where(level, filtered)
    leads = _read(engine, (
        f"SELECT l.adcode, {lead_group} AS \"group\", l.received_on, l.checked_on, l.decided_on FROM lead l "
        f"JOIN region g ON g.adcode = l.adcode {join_c.format(hh='l.hh_id')} "
        f"WHERE {where} AND (l.decided_on IS NULL OR l.decided_on >= :since)"
        f"{' AND l.hh_id IS NOT NULL' if by_household else ''}"),
        params, filtered, received_on=DateTime, checked_on=DateTime, decided_on=DateTime)
    files = (f"FROM household h JOIN region g ON g.adcode = h.adcode {join_c.format(hh='h.hh_id')} "
             f"WHERE {where}")
    changes = _read(engine, (
        f"SELECT s.hh_id, {file_group} AS \"group\", h.adcode, s.changed_on, s.change_id, s.to_status "
        f"FROM household_status s JOIN household h ON h.hh_id = s.hh_id "
        f"JOIN region g ON g.adcode = h.adcode {join_c.format(hh='h.hh_id')} WHERE {where}"),
        params, filtered, changed_on=DateTime)
    followups = _read(engine, f"SELECT f.hh_id, f.followed_on FROM followup f JOIN ({_ids(files)}) x "
                              "ON x.hh_id = f.hh_id", params, filtered, followed_on=DateTime)
    aids = _read(engine, f"SELECT a.hh_id, a.delivered_on FROM assistance a JOIN ({_ids(files)}) x "
                         "ON x.hh_id = a.hh_id", params, filtered, delivered_on=DateTime)
    plans = _read(engine, f"SELECT p.hh_id, p.created_at AS created_on FROM plan_item p JOIN ({_ids(files)}) x "
                          "ON x.hh_id = p.hh_id WHERE p.status <> '已取消'", params, filtered, created_on=DateTime)
    return Inputs(leads=leads, changes=changes, followups=followups, aids=aids, plans=plans)


def _ids(files: str) -> str:
    return f"SELECT h.hh_id {files}"
