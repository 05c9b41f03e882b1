"""The trends screen's data: monthly roll-up sums, optionally split by area, industry or category.

One row per (month, group) with every additive measure summed, so the views
can derive shares and the median of r *after* summing (and after folding the
small groups into 其他). Rows of one level only; bound parameters throughout.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.filters import Filters
from safetynet.pipeline.rollup import MEASURES

SPLITS = ("none", "region", "industry", "category")
_SUMS = ", ".join(f"SUM(r.{m}) AS {m}" for m in MEASURES)

# split → (group expressions, FROM … WHERE …, GROUP BY); fixed text, never built from input
_SQL = {
    "none": ("'' AS group_code, '' AS name_zh, '' AS name_en",
             "rollup_region_month r WHERE r.adcode = :region AND r.category IN :categories", ""),
    "region": ("r.adcode AS group_code, g.name AS name_zh, g.name AS name_en",
               "rollup_region_month r JOIN region g ON g.adcode = r.adcode "
               "WHERE r.parent_adcode = :region AND r.category IN :categories", ", r.adcode, g.name"),
    "category": ("r.category AS group_code, '' AS name_zh, '' AS name_en",
                 "rollup_region_month r WHERE r.adcode = :region AND r.category IN :categories", ", r.category"),
    # the industry roll-up has no category column: it can only honour the population
    "industry": ("r.industry_code AS group_code, i.name_zh AS name_zh, i.name_en AS name_en",
                 "rollup_industry_month r JOIN industry i ON i.code = r.industry_code "
                 "WHERE r.adcode = :region AND r.population IN :populations",
                 ", r.industry_code, i.name_zh, i.name_en"),
}


def populations(filters: Filters) -> list[str]:
    """The populations the filter's categories belong to (W… → worker, R… → rural)."""
    return sorted({"worker" if c.startswith("W") else "rural" for c in filters.categories()})


def monthly_by(engine: Engine, filters: Filters, split: str) -> pd.DataFrame:
    """month, group_code, name_zh, name_en and every roll-up measure summed, for the filtered
    region (split "none"/"category"/"industry") or its child areas (split "region")."""
    if split not in _SQL:
        raise ValueError(f"unknown split {split!r}")
    select, source, group = _SQL[split]
    sql = text(f"SELECT r.month AS month, {select}, {_SUMS} FROM {source} GROUP BY r.month{group} "
               "ORDER BY r.month, group_code")
    params: dict[str, object] = {"region": filters.region}
    if split == "industry":
        sql = sql.bindparams(bindparam("populations", expanding=True))
        params["populations"] = populations(filters)
    else:
        sql = sql.bindparams(bindparam("categories", expanding=True))
        params["categories"] = list(filters.categories())
    return pd.read_sql(sql, engine, params=params)
