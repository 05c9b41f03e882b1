"""Data health for the 数据管理 screen: freshness per table and source, import batches, rejects, DOMAIN §4 flags.

Small tables and indexed aggregates only; the one scan of household_current
(data-quality bits) is a single pass with bit tests, like the watchlist filters.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Date, Engine, bindparam, text

from safetynet.auth import scope_prefix
from safetynet.db.schema import import_batch
from safetynet.domain.lines import NATION
from safetynet.domain.risk import Flag
from safetynet.filters import Filters
from safetynet.queries.households import region_condition
from safetynet.queries.typed import read_frame

# table → (Chinese name, SQL for the newest data, the import kind that feeds it)
TABLES = {
    "household": ("家庭户", "MAX(identified_on)", "households"),
    "person": ("家庭成员", None, "persons"),
    "household_month": ("月度观测", "MAX(month)", "observations"),
    "risk_event": ("风险事件", "MAX(occurred_on)", "events"),
    "assistance": ("帮扶措施", "MAX(delivered_on)", "assistance"),
    "pairing": ("结对帮扶", "MAX(start_on)", "pairings"),
    "relocation_site": ("安置点", None, "sites"),
}
DQ_FLAGS = {
    "DQ_NO_ASSISTANCE": int(Flag.DQ_NO_ASSISTANCE),
    "DQ_FAST_ELIMINATION": int(Flag.DQ_FAST_ELIMINATION),
    "DQ_SLOW_IDENTIFICATION": int(Flag.DQ_SLOW_IDENTIFICATION),
}


def _as_date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int):  # a YYYYMM month: its last day
        y, m = divmod(value, 100)
        return (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)) if 1 <= m <= 12 else None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def table_freshness(engine: Engine, today: dt.date | None = None) -> pd.DataFrame:
    """Per input table: rows, newest data and days since it (changes only with data: cache on the version)."""
    today = today or dt.date.today()
    rows = []
    with engine.connect() as conn:
        for table, (label, newest_sql, kind) in TABLES.items():
            count = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            newest = conn.execute(text(f"SELECT {newest_sql} FROM {table}")).scalar() if newest_sql else None
            newest_day = _as_date(newest)
            rows.append({"table": table, "label": label, "kind": kind, "rows": int(count),
                         "newest": newest if newest is None or isinstance(newest, int) else str(newest)[:10],
                         "days_since_newest": (today - newest_day).days if newest_day else None})
    return pd.DataFrame(rows)


def _batch_scope(scope: str, alias: str = "") -> tuple[str, dict]:
    """The batches a viewer of `scope` may read: the importer's scope inside it (import_batch.scope_adcode);
    batches of no known scope (older ones, other systems) for nationwide viewers only."""
    if scope == NATION:
        return "1 = 1", {}
    return f"{alias}scope_adcode LIKE :batch_scope", {"batch_scope": scope_prefix(scope) + "%"}


def last_imports(engine: Engine, scope: str) -> pd.DataFrame:
    """The newest finished batch per kind (demo included) inside `scope`, whatever its status."""
    where, params = _batch_scope(scope)
    sql = text(
        "SELECT b.kind, b.batch_id, b.file_name, b.user_name, b.status, b.finished_at, b.rows_read, b.rows_rejected "
        "FROM import_batch b JOIN (SELECT kind, MAX(batch_id) AS batch_id FROM import_batch "
        f"WHERE finished_at IS NOT NULL AND {where} GROUP BY kind) m ON m.batch_id = b.batch_id ORDER BY b.kind")
    return read_frame(engine, sql, params, tables=[import_batch])


def source_freshness(engine: Engine, today: dt.date | None = None) -> pd.DataFrame:
    """Per discovery channel (household.source): files, newest identification, days since."""
    today = today or dt.date.today()
    frame = read_frame(engine, text("SELECT source, COUNT(*) AS households, MAX(identified_on) AS newest "
                                    "FROM household GROUP BY source ORDER BY COUNT(*) DESC"), newest=Date)
    frame["days_since_newest"] = [(today - d).days if (d := _as_date(v)) else None for v in frame["newest"]]
    return frame


def batches(engine: Engine, scope: str, limit: int = 50) -> pd.DataFrame:
    """Newest batches inside `scope` first, with the number of recorded problems."""
    where, params = _batch_scope(scope, "b.")
    sql = text(
        "SELECT b.batch_id, b.kind, b.file_name, b.user_name, b.mode, b.started_at, b.finished_at, b.status, "
        "b.rows_read, b.rows_accepted, b.rows_updated, b.rows_rejected, "
        "(SELECT COUNT(*) FROM import_reject r WHERE r.batch_id = b.batch_id) AS problems, b.message "
        f"FROM import_batch b WHERE {where} ORDER BY b.batch_id DESC LIMIT :limit")
    return read_frame(engine, sql, {"limit": limit, **params}, tables=[import_batch])


def rejects(engine: Engine, batch_id: int, scope: str) -> pd.DataFrame:
    """The recorded problems of one batch, when the batch lies inside `scope` (else none, as for no batch)."""
    where, params = _batch_scope(scope, "b.")
    sql = text("SELECT r.row_number, r.column_name, r.value, r.reason FROM import_reject r "
               f"JOIN import_batch b ON b.batch_id = r.batch_id WHERE r.batch_id = :b AND {where} "
               "ORDER BY r.row_number, r.reject_id")
    return pd.read_sql(sql, engine, params={"b": batch_id, **params})


def reject_totals(engine: Engine, scope: str) -> pd.DataFrame:
    """Per import kind (imports only, not the demo) inside `scope`: batches, rows read, rows rejected."""
    where, params = _batch_scope(scope)
    sql = text("SELECT kind, COUNT(*) AS batches, SUM(rows_read) AS rows_read, SUM(rows_rejected) AS rows_rejected, "
               "SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS batches_rejected "
               f"FROM import_batch WHERE kind <> 'demo' AND {where} GROUP BY kind ORDER BY kind")
    return pd.read_sql(sql, engine, params=params)


def dq_counts(engine: Engine, filters: Filters, level: int) -> dict[str, int]:
    """Households in the filter, and how many carry each DOMAIN §4 data-quality flag (household_current)."""
    # lower-case aliases: PostgreSQL folds unquoted names, SQLite keeps them
    parts = ", ".join(f"SUM(CASE WHEN (c.flags & {bit}) <> 0 THEN 1 ELSE 0 END) AS {name.lower()}"
                      for name, bit in DQ_FLAGS.items())
    sql = text(f"SELECT COUNT(*) AS households, {parts} FROM household_current c "
               f"WHERE {region_condition(level)} AND c.category IN :categories"
               ).bindparams(bindparam("categories", expanding=True))
    with engine.connect() as conn:
        row = conn.execute(sql, {"region": filters.region, "categories": list(filters.categories())}).mappings().one()
    return {"households": int(row["households"] or 0)} | {name: int(row[name.lower()] or 0) for name in DQ_FLAGS}
