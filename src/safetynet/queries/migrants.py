"""Migrant workers (农民工): monthly roll-up measures, origin → work-place flows, risk by work place.

KPIs and trends read `rollup_region_month` (additive household counts). The flows
and the work-place table need person rows, so they aggregate `person` in SQL,
restricted through `household_current` to the filtered region and categories and
to households scored in the latest month; only counts leave the database.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.filters import Filters
from safetynet.queries.households import region_condition

# Roll-up measures this screen reads (a fixed whitelist: only these names reach the SQL text).
MEASURES = ("households", "migrant_hh", "not_returned", "out_of_work", "wage_arrears",
            "platform_uninsured", "counselling")

# How a region row is reduced to the unit of a flow's end (alias placeholder {a}).
FLOW_UNITS = {
    "province": "{a}.prov_adcode",
    # municipality districts carry their province as pref_adcode; a province row has none
    "prefecture": "COALESCE({a}.pref_adcode, {a}.adcode)",
}


def flow_unit(level: int) -> str:
    """Provinces for the national view; prefectures once a province (or narrower) is filtered."""
    return "province" if level == 0 else "prefecture"


def _scope(level: int) -> str:
    return f"c.month = :month AND {region_condition(level)} AND c.category IN :categories"


def _params(filters: Filters, month: int) -> dict[str, object]:
    return {"month": month, "region": filters.region, "categories": list(filters.categories()), "yes": True}


def monthly_migrant_measures(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Per month: the migrant measures of the filtered region and categories (household counts)."""
    sums = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
    sql = text(
        f"SELECT month, {sums} FROM rollup_region_month "
        "WHERE adcode = :region AND category IN :categories GROUP BY month ORDER BY month"
    ).bindparams(bindparam("categories", expanding=True))
    return pd.read_sql(sql, engine, params={"region": filters.region, "categories": list(filters.categories())})


def migrant_flows(engine: Engine, filters: Filters, level: int, month: int) -> pd.DataFrame:
    """Migrant workers per (origin, work place) pair, largest first.

    Columns: origin, origin_name, origin_lon, origin_lat, work, work_name, work_lon,
    work_lat, workers, cross_province (of the pair's workers, those whose origin and
    work place are in different provinces). Pairs are provinces nationally and
    prefectures when a region is filtered (`flow_unit`). Migrants whose origin or
    work place is not recorded are left out.
    """
    unit = FLOW_UNITS[flow_unit(level)]
    sql = text(
        "SELECT f.origin, ro.name AS origin_name, ro.lon AS origin_lon, ro.lat AS origin_lat, "
        "f.work, rw.name AS work_name, rw.lon AS work_lon, rw.lat AS work_lat, "
        "f.workers, f.cross_province FROM ("
        f"  SELECT {unit.format(a='o')} AS origin, {unit.format(a='w')} AS work, COUNT(*) AS workers, "
        "   SUM(CASE WHEN o.prov_adcode <> w.prov_adcode THEN 1 ELSE 0 END) AS cross_province "
        "  FROM person p "
        "  JOIN household_current c ON c.hh_id = p.hh_id "
        "  JOIN region o ON o.adcode = p.origin_adcode "
        "  JOIN region w ON w.adcode = p.work_adcode "
        f"  WHERE p.is_migrant = :yes AND {_scope(level)} "
        f"  GROUP BY {unit.format(a='o')}, {unit.format(a='w')}"
        ") f "
        "JOIN region ro ON ro.adcode = f.origin "
        "JOIN region rw ON rw.adcode = f.work "
        "ORDER BY f.workers DESC, f.origin, f.work"
    ).bindparams(bindparam("categories", expanding=True))
    frame = pd.read_sql(sql, engine, params=_params(filters, month))
    return frame.astype({"workers": "int64", "cross_province": "int64"})


def migrant_workplace_risk(engine: Engine, filters: Filters, level: int, month: int) -> pd.DataFrame:
    """Migrant workers by work place (县内 / 省内县外 / 省外; '' when not recorded).

    Columns: work_place, workers, in_high (in households rated 高 this month),
    uninsured (neither pension nor work-injury insurance — the platform rule's
    "without social insurance").
    """
    sql = text(
        "SELECT COALESCE(p.work_place, '') AS work_place, COUNT(*) AS workers, "
        "SUM(CASE WHEN c.tier = '高' THEN 1 ELSE 0 END) AS in_high, "
        "SUM(CASE WHEN p.pension_insured = :no AND p.injury_insured = :no THEN 1 ELSE 0 END) AS uninsured "
        "FROM person p JOIN household_current c ON c.hh_id = p.hh_id "
        f"WHERE p.is_migrant = :yes AND {_scope(level)} "
        "GROUP BY COALESCE(p.work_place, '')"
    ).bindparams(bindparam("categories", expanding=True))
    frame = pd.read_sql(sql, engine, params={**_params(filters, month), "no": False})
    return frame.astype({"workers": "int64", "in_high": "int64", "uninsured": "int64"})
