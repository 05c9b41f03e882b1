"""The map screen's data: measures per area and per relocation site, from the roll-ups.

Every query sums roll-up rows of one level and month (never the fact table),
restricted to the filter's categories and region, with bound parameters.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.filters import Filters
from safetynet.pipeline.rollup import MEASURES

_SUMS = ", ".join(f"SUM(r.{m}) AS {m}" for m in MEASURES)
_SITE_MEASURES = ("households", "open_files", "tier_high", "not_returned", "labour", "employed")


def _categories(filters: Filters) -> list[str]:
    return list(filters.categories())


def months(engine: Engine, filters: Filters) -> list[int]:
    """Months with data for the filtered region, oldest first (the month picker)."""
    sql = text(
        "SELECT DISTINCT month FROM rollup_region_month WHERE adcode = :region AND category IN :categories "
        "ORDER BY month"
    ).bindparams(bindparam("categories", expanding=True))
    with engine.connect() as conn:
        return [int(m) for (m,) in conn.execute(sql, {"region": filters.region, "categories": _categories(filters)})]


def area_measures(engine: Engine, filters: Filters, month: int, children: bool = True) -> pd.DataFrame:
    """Summed measures per child area of the filtered region in `month` (the region itself when
    `children` is False, e.g. a county): adcode, name, level, lon, lat and every roll-up measure.
    Areas without monitored households have no row (a missing roll-up row means zero)."""
    where = "r.parent_adcode = :region" if children else "r.adcode = :region"
    sql = text(
        f"SELECT r.adcode, g.name, g.level, g.lon, g.lat, {_SUMS} FROM rollup_region_month r "
        "JOIN region g ON g.adcode = r.adcode "
        f"WHERE {where} AND r.month = :month AND r.category IN :categories "
        "GROUP BY r.adcode, g.name, g.level, g.lon, g.lat ORDER BY r.adcode"
    ).bindparams(bindparam("categories", expanding=True))
    return pd.read_sql(sql, engine, params={"region": filters.region, "month": month,
                                            "categories": _categories(filters)})


def sites(engine: Engine, filters: Filters, month: int) -> pd.DataFrame:
    """Relocation sites inside the filtered region with their measures in `month`.

    One row per site (sites without monitored households get zeros): site_id,
    name, adcode, lon, lat, site_type, households_relocated, people_relocated,
    and the sums of households, open_files, tier_high, not_returned, labour, employed.
    """
    sums = ", ".join(f"SUM({m}) AS {m}" for m in _SITE_MEASURES)
    picked = ", ".join(f"COALESCE(m.{m}, 0) AS {m}" for m in _SITE_MEASURES)
    sql = text(
        "SELECT s.site_id, s.name, s.adcode, s.lon, s.lat, s.site_type, s.households_relocated, "
        f"s.people_relocated, {picked} "
        "FROM relocation_site s JOIN region g ON g.adcode = s.adcode "
        f"LEFT JOIN (SELECT site_id, {sums} FROM rollup_site_month "
        "           WHERE month = :month AND category IN :categories GROUP BY site_id) m ON m.site_id = s.site_id "
        "WHERE (:region = '000000' OR s.adcode = :region OR g.parent_adcode = :region "
        "       OR g.pref_adcode = :region OR g.prov_adcode = :region) "
        "ORDER BY s.site_id"
    ).bindparams(bindparam("categories", expanding=True))
    return pd.read_sql(sql, engine, params={"region": filters.region, "month": month,
                                            "categories": _categories(filters)})
