"""Household lists read from the watchlist table (household_current)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.filters import Filters
from safetynet.queries.regions import region_column


def region_condition(level: int) -> str:
    """SQL condition restricting household_current (alias c) to the :region of `level`.

    The column comes from a fixed whitelist by level; the adcode is always bound.
    """
    if level == 0:
        return "1 = 1"
    return f"c.{region_column(level)} = :region"


def newly_high(engine: Engine, filters: Filters, level: int, month: int, limit: int = 20) -> pd.DataFrame:
    """Households that became 高 in `month`, highest score first (personal columns unmasked: mask before showing)."""
    sql = text(
        "SELECT c.hh_id, h.file_no, p.name AS head_name, g.name AS area, c.score, c.tier, c.reasons, c.reasons_en, "
        "c.category FROM household_current c "
        "JOIN household h ON h.hh_id = c.hh_id "
        "JOIN region g ON g.adcode = c.adcode "
        "LEFT JOIN person p ON p.hh_id = c.hh_id AND p.relation = '01' "
        f"WHERE c.month = :month AND c.tier = '高' AND c.high_since = :month AND {region_condition(level)} "
        "AND c.category IN :categories ORDER BY c.score DESC, c.hh_id LIMIT :limit"
    ).bindparams(bindparam("categories", expanding=True))
    return pd.read_sql(sql, engine, params={"month": month, "region": filters.region, "limit": limit,
                                            "categories": list(filters.categories())})
