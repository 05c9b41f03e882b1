"""Reads whose column types do not depend on the backend.

PostgreSQL's driver hands back dates as `datetime.date`, timestamps as
`datetime` and flags as `bool`. SQLite stores all three as text or integers,
and a query written as SQL text (no SQLAlchemy column types) gets exactly
that back: ISO strings and 0/1. An empty result has no values to infer a
dtype from on either backend. Code above the query layer must see one shape,
so every read of such columns goes through `read_frame`, which gives the
columns of the named tables the schema's types:

* Date → `datetime.date` objects (None when null), as PostgreSQL returns them;
* DateTime → pandas datetime64 (NaT when null);
* Boolean → bool dtype (object with None only when the column holds nulls).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Engine, Table
from sqlalchemy.sql.elements import ClauseElement


def read_frame(engine: Engine, stmt: ClauseElement | str, params: Mapping[str, object] | None = None,
               tables: Iterable[Table] = (), **types: type) -> pd.DataFrame:
    """pd.read_sql with the types of `tables`' columns (and `types`: name → Date/DateTime/Boolean) applied."""
    frame = pd.read_sql(stmt, engine, params=dict(params) if params else None)
    return normalise_types(frame, tables, **types)


def normalise_types(frame: pd.DataFrame, tables: Iterable[Table] = (), **types: type) -> pd.DataFrame:
    """The frame with every column named in `tables` (or `types`) converted to its schema type, in place."""
    wanted: dict[str, type] = {}
    for table in tables:
        for column in table.columns:
            kind = _kind(column.type)
            if kind is not None:
                wanted.setdefault(column.name, kind)
    wanted.update(types)
    for name, kind in wanted.items():
        if name not in frame.columns:
            continue
        if kind is DateTime:
            frame[name] = pd.to_datetime(frame[name], errors="coerce", format="ISO8601")
        elif kind is Date:
            frame[name] = pd.Series([_as_date(v) for v in frame[name]], index=frame.index, dtype=object)
        elif kind is Boolean:
            values = [_as_bool(v) for v in frame[name]]
            has_null = any(v is None for v in values)
            frame[name] = pd.Series(values, index=frame.index, dtype=object if has_null else bool)
    return frame


def _kind(sa_type: object) -> type | None:
    # DateTime is not a subclass of Date in SQLAlchemy; check the exact families
    for kind in (DateTime, Date, Boolean):
        if isinstance(sa_type, kind):
            return kind
    return None


def _as_date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _as_bool(value: object) -> bool | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "t", "yes"}
    return bool(value)
