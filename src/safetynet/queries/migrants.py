"""Migrant workers (农民工): monthly roll-up measures, origin → work-place flows, risk by work place.

KPIs and trends read `rollup_region_month` (additive household counts). The flows
and the work-place table count persons: they read `rollup_migrant`, the migrants of
the households in `household_current` counted per region, category, month, origin,
work unit and work place (pipeline.migrant_rollup), restricted to the households
scored in the latest month.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.domain.lines import NATION
from safetynet.filters import Filters

# Roll-up measures this screen reads (a fixed whitelist: only these names reach the SQL text).
MEASURES = ("households", "migrant_hh", "not_returned", "out_of_work", "wage_arrears",
            "platform_uninsured", "counselling")


def flow_unit(level: int) -> str:
    """Provinces for the national view; prefectures once a province (or narrower) is filtered."""
    return "province" if level == 0 else "prefecture"


# Households scored in the latest month, in the filtered region and categories (rollup_migrant's rows are
# per region at every level, so the region is one key).
_SCOPE = "m.adcode = :region AND m.month = :month AND m.category IN :categories"


def _params(filters: Filters, month: int) -> dict[str, object]:
    return {"month": month, "region": filters.region, "categories": list(filters.categories())}


def monthly_migrant_measures(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Per month: the migrant measures of the filtered region and categories (household counts)."""
    sums = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
    sql = text(
        f"SELECT month, {sums} FROM rollup_region_month "
        "WHERE adcode = :region AND category IN :categories GROUP BY month ORDER BY month"
    ).bindparams(bindparam("categories", expanding=True))
    return pd.read_sql(sql, engine, params={"region": filters.region, "categories": list(filters.categories())})


def flow_province(filters: Filters) -> str:
    """The province whose prefectures the flows keep apart: the filtered region's ('' nationally)."""
    return "" if filters.region == NATION else filters.region[:2] + "0000"


# An end of a flow as the map shows it: its prefecture inside the filtered province, its province elsewhere
# (and always its province nationally, where :prov is ''). rollup_migrant's ends are prefectures.
_END = "CASE WHEN {a}.prov_adcode = :prov THEN m.{column} ELSE COALESCE({a}.prov_adcode, m.{column}) END"


def migrant_flows(engine: Engine, filters: Filters, month: int) -> pd.DataFrame:
    """Migrant workers per (origin, work place) pair, largest first.

    Columns: origin, origin_name, origin_lon, origin_lat, work, work_name, work_lon,
    work_lat, workers, cross_province (of the pair's workers, those whose origin and
    work place are in different provinces). Nationally the pairs are provinces; once a
    region is filtered, an end inside its province is a prefecture and an end outside it
    a province (`flow_province`), so the map shows the flows between the province's
    prefectures and out of it, not a fan of distant cities. Pairs within one area
    (origin = work) are kept: the screen counts them but does not draw them as flows.
    Migrants whose origin or work place is not recorded are left out.
    """
    sql = text(
        "SELECT f.origin, ro.name AS origin_name, ro.lon AS origin_lon, ro.lat AS origin_lat, "
        "f.work, rw.name AS work_name, rw.lon AS work_lon, rw.lat AS work_lat, "
        "f.workers, f.cross_province FROM ("
        "  SELECT e.origin, e.work, SUM(e.workers) AS workers, SUM(e.cross_province) AS cross_province FROM ("
        f"    SELECT {_END.format(a='o', column='origin')} AS origin, {_END.format(a='w', column='work')} AS work, "
        "    m.workers, m.cross_province FROM rollup_migrant m "
        "    JOIN region o ON o.adcode = m.origin JOIN region w ON w.adcode = m.work "
        f"    WHERE {_SCOPE} AND m.origin <> '' AND m.work <> ''"
        "  ) e GROUP BY e.origin, e.work"
        ") f "
        "JOIN region ro ON ro.adcode = f.origin "
        "JOIN region rw ON rw.adcode = f.work "
        "ORDER BY f.workers DESC, f.origin, f.work"
    ).bindparams(bindparam("categories", expanding=True))
    frame = pd.read_sql(sql, engine, params={**_params(filters, month), "prov": flow_province(filters)})
    return frame.astype({"workers": "int64", "cross_province": "int64"})


def migrant_workplace_risk(engine: Engine, filters: Filters, month: int) -> pd.DataFrame:
    """Migrant workers by work place (县内 / 省内县外 / 省外; '' when not recorded).

    Columns: work_place, workers, in_high (in households rated 高 this month),
    uninsured (neither pension nor work-injury insurance — the platform rule's
    "without social insurance").
    """
    sql = text(
        "SELECT work_place, SUM(workers) AS workers, SUM(in_high) AS in_high, SUM(uninsured) AS uninsured "
        f"FROM rollup_migrant m WHERE {_SCOPE} GROUP BY work_place"
    ).bindparams(bindparam("categories", expanding=True))
    frame = pd.read_sql(sql, engine, params=_params(filters, month))
    return frame.astype({"workers": "int64", "in_high": "int64", "uninsured": "int64"})
