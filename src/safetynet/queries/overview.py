"""Monthly headline measures from the region roll-up (one indexed read per screen)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.domain.risk import Flag
from safetynet.filters import Filters
from safetynet.pipeline.rollup import MEASURES
from safetynet.queries.households import region_condition

_SUMS = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
_OVERDUE = int(Flag.DQ_NO_ASSISTANCE)


def monthly_measures(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Roll-up measures per month for the filtered region and categories, and `overdue` in the latest month."""
    sql = text(
        f"SELECT month, {_SUMS} FROM rollup_region_month "
        "WHERE adcode = :region AND category IN :categories GROUP BY month ORDER BY month"
    ).bindparams(bindparam("categories", expanding=True))
    frame = pd.read_sql(sql, engine, params={"region": filters.region, "categories": list(filters.categories())})
    frame["overdue"] = float("nan")  # the data-quality flag is judged at the as-of date only: no history
    if not frame.empty:
        frame.loc[frame.index[-1], "overdue"] = float(overdue_files(engine, filters))
    return frame


def overdue_files(engine: Engine, filters: Filters) -> int:
    """Open files (在档 / 帮扶中) flagged 'no assistance one month after identification' (household_current)."""
    with engine.connect() as conn:
        level = conn.execute(text("SELECT level FROM region WHERE adcode = :region"),
                             {"region": filters.region}).scalar() or 0
        sql = text(
            "SELECT COUNT(*) FROM household_current c "
            f"WHERE {region_condition(int(level))} AND c.category IN :categories "
            f"AND c.status IN ('在档', '帮扶中') AND (c.flags & {_OVERDUE}) <> 0"
        ).bindparams(bindparam("categories", expanding=True))
        return int(conn.execute(sql, {"region": filters.region, "categories": list(filters.categories())}).scalar()
                   or 0)


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
