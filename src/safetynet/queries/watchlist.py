"""The risk watchlist: filtered, sorted and paged in the database.

One row per household from `household_current` (each household's latest
score, with every filter column denormalised and indexed), so a page of 50
rows is one indexed read plus a count, however large the province. Personal
columns come back unmasked; callers mask them unless the viewer may see them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import BindParameter, Engine, bindparam, text

from safetynet.domain import codes, risk
from safetynet.domain.risk import Flag
from safetynet.filters import Filters
from safetynet.queries.households import region_condition

# Options offered by the screen; the SQL below only ever uses these fixed fragments.
FACTOR_FILTERS = {f: f"c.pts_{f} > 0" for f in risk.FACTORS} | {"trigger": "c.triggers <> 0"}
SORTS = {
    "score": "c.score DESC, c.hh_id",
    "r": "c.r ASC, c.score DESC, c.hh_id",
    "new": "c.high_since DESC, c.score DESC, c.hh_id",
    "file": "h.file_no ASC",
}
FLAG_FILTERS = {
    "migrant": f"(c.flags & {int(Flag.MIGRANT)}) <> 0",
    "no_assistance": f"(c.flags & {int(Flag.ASSISTED)}) = 0",
    "no_helper": f"(c.flags & {int(Flag.HAS_HELPER)}) = 0",
    "school_risk": f"(c.flags & {int(Flag.SCHOOL_RISK)}) <> 0",
    "dq": f"(c.flags & {int(Flag.DQ_NO_ASSISTANCE | Flag.DQ_FAST_ELIMINATION | Flag.DQ_SLOW_IDENTIFICATION)}) <> 0",
}
# The casework filters (issue 10 §5). 逾期未办 and 无一户一策 depend on today, the deadline rules and each file's
# history, so domain.progress decides them and the caller passes the households it found (`hh_ids`);
# the other two are plain facts of the loop's tables.
WORK_FILTERS = ("overdue", "mine", "pending", "no_plan")
COMPUTED_WORK = ("overdue", "no_plan")
_WORK_SQL = {
    "mine": ("(EXISTS (SELECT 1 FROM household hx WHERE hx.hh_id = c.hh_id AND hx.assignee = :me) "
             "OR EXISTS (SELECT 1 FROM lead lx WHERE lx.hh_id = c.hh_id AND lx.assignee = :me "
             "AND lx.status <> '已办结'))"),
    "pending": "EXISTS (SELECT 1 FROM elimination_request rx WHERE rx.hh_id = c.hh_id AND rx.status = '待审批')",
}
DEFAULT_TIERS = ("高", "中")
PAGE_SIZE = 50
EXPORT_LIMIT = 20_000


@dataclass(frozen=True)
class WatchlistQuery:
    filters: Filters
    level: int  # level of filters.region
    month: int  # the latest scored month: the list shows households scored then
    tiers: tuple[str, ...] = DEFAULT_TIERS
    statuses: tuple[str, ...] = ()  # () = every status
    site_id: int | None = None
    industry: str | None = None
    factor: str | None = None  # a–h or "trigger"
    flags: tuple[str, ...] = ()  # keys of FLAG_FILTERS, all must hold
    new_since: int | None = None  # 高 since this month or later
    work: tuple[str, ...] = ()  # keys of WORK_FILTERS, all must hold
    me: str | None = None  # the viewer's username, for "mine"
    hh_ids: tuple[int, ...] | None = None  # with an overdue/no_plan filter: the households domain.progress found
    sort: str = "score"
    page: int = 1
    page_size: int = PAGE_SIZE

    def __post_init__(self) -> None:
        bad = [t for t in self.tiers if t not in codes.TIERS]
        if bad or self.sort not in SORTS or (self.factor and self.factor not in FACTOR_FILTERS):
            raise ValueError("invalid watchlist query")
        if any(f not in FLAG_FILTERS for f in self.flags) or any(s not in codes.FILE_STATUS for s in self.statuses):
            raise ValueError("invalid watchlist flag or status")
        if self.page < 1 or not 1 <= self.page_size <= EXPORT_LIMIT:
            raise ValueError("invalid page")
        if any(w not in WORK_FILTERS for w in self.work) or ("mine" in self.work and not self.me):
            raise ValueError("invalid watchlist work filter")
        if any(w in COMPUTED_WORK for w in self.work) != (self.hh_ids is not None):
            raise ValueError("the overdue / no-plan filters need the households they select")

    def where(self, dialect: str) -> tuple[str, dict]:
        """WHERE clause over household_current (alias c) and its bound parameters.

        The households of `hh_ids` are bound as one parameter (a JSON array on SQLite, an array on
        PostgreSQL), however many there are: a list of tens of thousands of placeholders would exceed
        SQLite's limit."""
        parts = ["c.month = :month", region_condition(self.level), "c.category IN :categories"]
        params: dict = {"month": self.month, "region": self.filters.region,
                        "categories": list(self.filters.categories())}
        if self.tiers:
            parts.append("c.tier IN :tiers")
            params["tiers"] = list(self.tiers)
        if self.statuses:
            parts.append("c.status IN :statuses")
            params["statuses"] = list(self.statuses)
        if self.site_id is not None:
            parts.append("c.site_id = :site_id")
            params["site_id"] = self.site_id
        if self.industry:
            parts.append("c.industry_code = :industry")
            params["industry"] = self.industry
        if self.factor:
            parts.append(FACTOR_FILTERS[self.factor])
        for flag in self.flags:
            parts.append(FLAG_FILTERS[flag])
        if self.new_since is not None:
            parts.append("c.tier = '高' AND c.high_since >= :new_since")
            params["new_since"] = self.new_since
        for work in self.work:
            if work in _WORK_SQL:
                parts.append(_WORK_SQL[work])
        if "mine" in self.work:
            params["me"] = self.me
        if self.hh_ids is not None:
            if dialect == "postgresql":
                parts.append("c.hh_id = ANY(CAST(:hh_ids AS INTEGER[]))")
                params["hh_ids"] = list(self.hh_ids)
            else:
                parts.append("c.hh_id IN (SELECT value FROM json_each(:hh_ids))")
                params["hh_ids"] = json.dumps(list(self.hh_ids))
        return " AND ".join(parts), params


def _bind(sql: str, params: dict):
    stmt = text(sql)
    expanding: list[BindParameter[Any]] = [bindparam(k, expanding=True) for k, v in params.items()
                                           if isinstance(v, list) and k != "hh_ids"]
    return stmt.bindparams(*expanding) if expanding else stmt


COLUMNS = (
    "c.hh_id, h.file_no, p.name AS head_name, p.id_number AS head_id, p.phone AS head_phone, "
    "g.name AS area, s.name AS site, c.category, c.status, c.score, c.tier, c.r, c.reasons, c.reasons_en, "
    "c.high_since, c.flags, c.industry_code, c.identified_month"
)
JOINS = (
    "JOIN household h ON h.hh_id = c.hh_id "
    "JOIN region g ON g.adcode = c.adcode "
    "LEFT JOIN relocation_site s ON s.site_id = c.site_id "
    "LEFT JOIN person p ON p.hh_id = c.hh_id AND p.relation = '01' "
)


def count(engine: Engine, query: WatchlistQuery) -> int:
    where, params = query.where(engine.dialect.name)
    with engine.connect() as conn:
        return int(conn.execute(_bind(f"SELECT COUNT(*) FROM household_current c WHERE {where}", params),
                                params).scalar_one())


def page(engine: Engine, query: WatchlistQuery) -> pd.DataFrame:
    """One page of rows (unmasked), in the chosen order.

    The page's keys are chosen first over household_current alone (an index serves the order and the limit),
    and only those rows are joined to the names, areas and sites: joining every matching row before
    ORDER BY … LIMIT sorted the whole selection (seconds at a million files).
    """
    where, params = query.where(engine.dialect.name)
    params = {**params, "limit": query.page_size, "offset": (query.page - 1) * query.page_size}
    order = SORTS[query.sort]
    by_file = "JOIN household h ON h.hh_id = c.hh_id " if query.sort == "file" else ""
    keys = (f"SELECT c.hh_id FROM household_current c {by_file}WHERE {where} "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset")
    sql = f"SELECT {COLUMNS} FROM ({keys}) k JOIN household_current c ON c.hh_id = k.hh_id {JOINS}ORDER BY {order}"
    return pd.read_sql(_bind(sql, params), engine, params=params)


def export_rows(engine: Engine, query: WatchlistQuery) -> pd.DataFrame:
    """Every row the filters select (capped at EXPORT_LIMIT), for CSV/Excel."""
    return page(engine, replace(query, page=1, page_size=EXPORT_LIMIT))


def tier_counts(engine: Engine, query: WatchlistQuery) -> dict[str, int]:
    """How many rows each tier has under the other filters (for the tier selector's labels)."""
    where, params = replace(query, tiers=()).where(engine.dialect.name)
    with engine.connect() as conn:
        rows = conn.execute(_bind(f"SELECT c.tier, COUNT(*) FROM household_current c WHERE {where} GROUP BY c.tier",
                                  params), params).all()
    return {tier: int(n) for tier, n in rows}


def sites_in_scope(engine: Engine, filters: Filters, level: int) -> pd.DataFrame:
    cond = {0: "1 = 1", 1: "g.prov_adcode = :region", 2: "g.pref_adcode = :region", 3: "s.adcode = :region"}[level]
    sql = text(f"SELECT s.site_id, s.name FROM relocation_site s JOIN region g ON g.adcode = s.adcode "
               f"WHERE {cond} ORDER BY s.name")
    return pd.read_sql(sql, engine, params={"region": filters.region})


def industries(engine: Engine) -> pd.DataFrame:
    return pd.read_sql(text("SELECT code, name_zh, name_en FROM industry ORDER BY code"), engine)
