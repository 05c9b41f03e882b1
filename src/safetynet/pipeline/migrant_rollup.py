"""The migrant-worker roll-up (`rollup_migrant`): built in SQL from `person` and `household_current`.

The 农民工 screen's flow map and work-place table used to join every migrant to
his household's watchlist row at each cold render (687,000 persons at a million
files: 2.5 s on SQLite). Here that join runs once per scoring, grouped to the
households' counties (leaf rows); every wider region's rows are then summed from
the leaf rows, not from persons again. A refresh for a few counties (an import
touching a few households) re-reads only those counties' persons, then re-sums
the wider regions above them from leaf rows.

The roll-up follows `household_current`, so it is refreshed wherever that table
is written: the demo, `rescore_all`, `rescore_households` and `rescore_month`.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, text

from safetynet.db import chunks
from safetynet.domain.lines import NATION

# Sparse refreshes above this share of all leaf regions rebuild everything: one pass over the persons
# is cheaper than a DELETE and INSERT per county list.
FULL_REFRESH_SHARE = 0.3
IN_LIST = 500  # county codes per IN (…) list

_COLUMNS = "adcode, category, month, origin, work, work_place, is_leaf, workers, cross_province, in_high, uninsured"

# The prefecture a region row counts in for flows (municipality districts carry their province as pref_adcode).
_PREFECTURE = "COALESCE({a}.pref_adcode, {a}.adcode)"

_LEAF_ROWS = (
    f"INSERT INTO rollup_migrant ({_COLUMNS}) "
    "SELECT c.adcode, c.category, c.month, "
    f"COALESCE({_PREFECTURE.format(a='o')}, ''), COALESCE({_PREFECTURE.format(a='w')}, ''), "
    "COALESCE(p.work_place, ''), :yes, COUNT(*), "
    "SUM(CASE WHEN o.prov_adcode <> w.prov_adcode THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN c.tier = '高' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN p.pension_insured = :no AND p.injury_insured = :no THEN 1 ELSE 0 END) "
    "FROM person p JOIN household_current c ON c.hh_id = p.hh_id "
    "LEFT JOIN region o ON o.adcode = p.origin_adcode "
    "LEFT JOIN region w ON w.adcode = p.work_adcode "
    "WHERE p.is_migrant = :yes {where} "
    f"GROUP BY c.adcode, c.category, c.month, COALESCE({_PREFECTURE.format(a='o')}, ''), "
    f"COALESCE({_PREFECTURE.format(a='w')}, ''), COALESCE(p.work_place, '')"
)

# Every wider region of a region (its prefecture, province and the nation), once each.
_ANCESTORS = (
    "SELECT adcode, pref_adcode AS target FROM region WHERE pref_adcode IS NOT NULL AND pref_adcode <> adcode "
    "UNION SELECT adcode, prov_adcode FROM region WHERE prov_adcode IS NOT NULL AND prov_adcode <> adcode "
    "UNION SELECT adcode, CAST(:nation AS VARCHAR(6)) FROM region WHERE adcode <> :nation"
)

# Wider regions' rows: the sums of their leaf rows; the nation counts flows between provinces.
_WIDER_ROWS = (
    f"INSERT INTO rollup_migrant ({_COLUMNS}) "
    "SELECT g.target, g.category, g.month, g.origin, g.work, g.work_place, :no, SUM(g.workers), "
    "SUM(g.cross_province), SUM(g.in_high), SUM(g.uninsured) FROM ("
    "  SELECT a.target, m.category, m.month, m.work_place, m.workers, m.cross_province, m.in_high, m.uninsured, "
    "  CASE WHEN a.target = :nation THEN COALESCE(ro.prov_adcode, m.origin) ELSE m.origin END AS origin, "
    "  CASE WHEN a.target = :nation THEN COALESCE(rw.prov_adcode, m.work) ELSE m.work END AS work "
    "  FROM rollup_migrant m "
    f"  JOIN ({_ANCESTORS}) a ON a.adcode = m.adcode "
    "  LEFT JOIN region ro ON ro.adcode = m.origin "
    "  LEFT JOIN region rw ON rw.adcode = m.work "
    "  WHERE m.is_leaf = :yes {where}"
    ") g GROUP BY g.target, g.category, g.month, g.origin, g.work, g.work_place"
)


def refresh(conn: Connection, counties: Collection[str] | None = None) -> None:
    """Rebuild the roll-up (counties=None) or the rows that depend on `counties`, in the caller's transaction.

    `counties` are the leaf regions whose households changed: their old and their new region when a
    household moved.
    """
    flags = {"yes": True, "no": False, "nation": NATION}
    if counties is not None:
        counties = sorted({str(c) for c in counties if c})
        if not counties:
            return
        leaves = conn.execute(text("SELECT COUNT(*) FROM rollup_migrant WHERE is_leaf = :yes"), flags).scalar_one()
        if not leaves or len(counties) > FULL_REFRESH_SHARE * _leaf_regions(conn):
            counties = None  # never built (a database from before the roll-up), or most of it changes
    if counties is None:
        conn.execute(text("DELETE FROM rollup_migrant"))
        conn.execute(text(_LEAF_ROWS.format(where="")), flags)
        conn.execute(text(_WIDER_ROWS.format(where="")), flags)
        return

    # the nation's rows are adjusted by what changed (re-summing them reads every leaf row of the country:
    # 1 s at a million files); the prefectures' and provinces' rows are re-summed from their leaf rows
    targets = [t for t in _wider_regions(conn, counties) if t != NATION]
    before = _leaf_frame(conn, counties)
    for part in _parts(counties):
        conn.execute(text("DELETE FROM rollup_migrant WHERE adcode IN :codes").bindparams(
            bindparam("codes", expanding=True)), {"codes": part})
        conn.execute(text(_LEAF_ROWS.format(where="AND c.adcode IN :codes")).bindparams(
            bindparam("codes", expanding=True)), {**flags, "codes": part})
    for part in _parts(targets):
        conn.execute(text("DELETE FROM rollup_migrant WHERE adcode IN :codes").bindparams(
            bindparam("codes", expanding=True)), {"codes": part})
        conn.execute(text(_WIDER_ROWS.format(where="AND a.target IN :codes")).bindparams(
            bindparam("codes", expanding=True)), {**flags, "codes": part})
    _adjust_nation(conn, before, _leaf_frame(conn, counties))


_KEY = ["category", "month", "origin", "work", "work_place"]
_COUNTS = ["workers", "cross_province", "in_high", "uninsured"]


def _leaf_frame(conn: Connection, counties: list[str]) -> pd.DataFrame:
    """The leaf rows of `counties`, their flows named at the nation's level (provinces, as _WIDER_ROWS does)."""
    return chunks.read_in(conn, text(
        "SELECT m.category, m.month, COALESCE(ro.prov_adcode, m.origin) AS origin, "
        "COALESCE(rw.prov_adcode, m.work) AS work, m.work_place, m.workers, m.cross_province, m.in_high, "
        "m.uninsured FROM rollup_migrant m LEFT JOIN region ro ON ro.adcode = m.origin "
        "LEFT JOIN region rw ON rw.adcode = m.work WHERE m.is_leaf = :yes AND m.adcode IN :codes"),
        counties, param="codes", chunk=IN_LIST, params={"yes": True})


def _adjust_nation(conn: Connection, before: pd.DataFrame, after: pd.DataFrame) -> None:
    """Nation rows += (the counties' rows after) − (before), in the (category, month) slices that changed."""
    delta = pd.concat([after, before.assign(**{c: -before[c] for c in _COUNTS})], ignore_index=True)
    delta = delta.groupby(_KEY, as_index=False)[_COUNTS].sum()
    delta = delta.loc[(delta[_COUNTS] != 0).any(axis=1)]
    if delta.empty:
        return
    slices = delta[["category", "month"]].drop_duplicates()
    for category, months in slices.groupby("category")["month"]:
        params = {"nation": NATION, "cat": category, "months": [int(m) for m in months]}
        where = "adcode = :nation AND category = :cat AND month IN :months"
        stored = pd.read_sql(text(f"SELECT {', '.join(_KEY + _COUNTS)} FROM rollup_migrant WHERE {where}")
                             .bindparams(bindparam("months", expanding=True)), conn, params=params)
        merged = pd.concat([stored, delta.loc[(delta["category"] == category) & delta["month"].isin(months)]],
                           ignore_index=True).groupby(_KEY, as_index=False)[_COUNTS].sum()
        merged = merged.loc[merged["workers"] > 0]  # a flow nobody is in any more has no row, as in a rebuild
        conn.execute(text(f"DELETE FROM rollup_migrant WHERE {where}").bindparams(
            bindparam("months", expanding=True)), params)
        if len(merged):
            rows = merged.assign(adcode=NATION, is_leaf=False)
            conn.execute(text(f"INSERT INTO rollup_migrant ({_COLUMNS}) VALUES (:adcode, :category, :month, "
                              ":origin, :work, :work_place, :is_leaf, :workers, :cross_province, :in_high, :uninsured)"),
                         [{k: (int(v) if isinstance(v, (np.integer,)) else v) for k, v in r.items()}
                          for r in rows.to_dict("records")])


def _parts(codes: list[str]) -> list[list[str]]:
    return [codes[i:i + IN_LIST] for i in range(0, len(codes), IN_LIST)]


def _leaf_regions(conn: Connection) -> int:
    return conn.execute(text(
        "SELECT COUNT(*) FROM region r WHERE NOT EXISTS (SELECT 1 FROM region k WHERE k.parent_adcode = r.adcode)"
    )).scalar_one()


def _wider_regions(conn: Connection, counties: list[str]) -> list[str]:
    found: set[str] = set()
    for part in _parts(counties):
        rows = conn.execute(text(f"SELECT DISTINCT target FROM ({_ANCESTORS}) a WHERE a.adcode IN :codes")
                            .bindparams(bindparam("codes", expanding=True)), {"nation": NATION, "codes": part})
        found.update(r[0] for r in rows)
    return sorted(found)
