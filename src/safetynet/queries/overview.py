"""Monthly headline measures from the region roll-up (one indexed read per screen)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.filters import Filters
from safetynet.pipeline.rollup import MEASURES

_SUMS = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)


def monthly_measures(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Roll-up measures per month for the filtered region and categories."""
    sql = text(
        f"SELECT month, {_SUMS} FROM rollup_region_month "
        "WHERE adcode = :region AND category IN :categories GROUP BY month ORDER BY month"
    ).bindparams(bindparam("categories", expanding=True))
    return pd.read_sql(sql, engine, params={"region": filters.region, "categories": list(filters.categories())})


def child_measures(engine: Engine, filters: Filters, month: int) -> pd.DataFrame:
    """Measures for each child region of the filtered region in `month` (map and tables)."""
    sql = text(
        f"SELECT r.adcode, g.name, g.short_name, g.lon, g.lat, {_SUMS} FROM rollup_region_month r "
        "JOIN region g ON g.adcode = r.adcode "
        "WHERE r.parent_adcode = :region AND r.month = :month AND r.category IN :categories "
        "GROUP BY r.adcode, g.name, g.short_name, g.lon, g.lat ORDER BY r.adcode"
    ).bindparams(bindparam("categories", expanding=True))
    return pd.read_sql(sql, engine, params={"region": filters.region, "month": month,
                                            "categories": list(filters.categories())})
