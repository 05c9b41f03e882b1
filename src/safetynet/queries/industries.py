"""Industries (行业): roll-up measures per industry for the filtered region, over time and by child region.

Everything reads `rollup_industry_month` (one row per region of every level, industry,
population and month; households without an industry count under `Z`). That roll-up
is keyed by population, not category: a single-category filter is answered at the level
of its population (`populations`), and the page says so.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, select, text

from safetynet.db.schema import industry
from safetynet.filters import Filters

# Roll-up measures this screen reads (a fixed whitelist: only these names reach the SQL text).
MEASURES = ("households", "tier_high", "wage_arrears", "out_of_work", "income_sum",
            *(f"r_b{i:02d}" for i in range(12)))
TREND_MEASURES = ("households", "tier_high", "wage_arrears", "out_of_work")
CHILD_MEASURES = ("households", "tier_high", "wage_arrears", "out_of_work")


def populations(filters: Filters) -> tuple[str, ...]:
    """The populations the filtered categories belong to (what the industry roll-up can select)."""
    return tuple(sorted({"worker" if c.startswith("W") else "rural" for c in filters.categories()}))


def _sums(names: tuple[str, ...], alias: str = "m") -> str:
    return ", ".join(f"COALESCE(SUM({alias}.{n}), 0) AS {n}" for n in names)


def load_industries(engine: Engine) -> pd.DataFrame:
    """The industry reference table: code, names, line multiplier (行业困难职工帮扶标准系数)."""
    sql = select(industry.c.code, industry.c.name_zh, industry.c.name_en, industry.c.line_multiplier,
                 industry.c.mean_wage).order_by(industry.c.code)
    return pd.read_sql(sql, engine)


def industry_table(engine: Engine, filters: Filters, month: int) -> pd.DataFrame:
    """Per industry: the measures of the filtered region in `month` (zeros where nothing is recorded)."""
    sql = text(
        f"SELECT i.code, i.name_zh, i.name_en, i.line_multiplier, {_sums(MEASURES)} FROM industry i "
        "LEFT JOIN rollup_industry_month m ON m.industry_code = i.code AND m.adcode = :region "
        "AND m.month = :month AND m.population IN :populations "
        "GROUP BY i.code, i.name_zh, i.name_en, i.line_multiplier ORDER BY i.code"
    ).bindparams(bindparam("populations", expanding=True))
    frame = pd.read_sql(sql, engine, params={"region": filters.region, "month": month,
                                             "populations": list(populations(filters))})
    return _typed(frame, MEASURES)


def industry_monthly(engine: Engine, filters: Filters, first_month: int) -> pd.DataFrame:
    """Per month (from `first_month`) and industry: trend measures of the filtered region."""
    sql = text(
        f"SELECT m.month, m.industry_code, {_sums(TREND_MEASURES)} FROM rollup_industry_month m "
        "WHERE m.adcode = :region AND m.month >= :first AND m.population IN :populations "
        "GROUP BY m.month, m.industry_code ORDER BY m.month, m.industry_code"
    ).bindparams(bindparam("populations", expanding=True))
    frame = pd.read_sql(sql, engine, params={"region": filters.region, "first": first_month,
                                             "populations": list(populations(filters))})
    return _typed(frame, TREND_MEASURES)


def industry_children(engine: Engine, filters: Filters, month: int, code: str | None = None) -> pd.DataFrame:
    """Per child region of the filtered region in `month`: measures of one industry (or of all)."""
    one = "AND m.industry_code = :industry " if code else ""
    sql = text(
        f"SELECT m.adcode, g.name, g.short_name, {_sums(CHILD_MEASURES)} FROM rollup_industry_month m "
        "JOIN region g ON g.adcode = m.adcode "
        "WHERE g.parent_adcode = :region AND m.level = g.level AND m.month = :month "
        f"AND m.population IN :populations {one}"
        "GROUP BY m.adcode, g.name, g.short_name ORDER BY m.adcode"
    ).bindparams(bindparam("populations", expanding=True))
    frame = pd.read_sql(sql, engine, params={"region": filters.region, "month": month, "industry": code,
                                             "populations": list(populations(filters))})
    return _typed(frame, CHILD_MEASURES)


def _typed(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    for name in names:
        frame[name] = frame[name].astype("float64" if name == "income_sum" else "int64")
    return frame
