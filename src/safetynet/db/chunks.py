"""Reading the rows whose key is one of many values, a chunk of values at a time.

An IN (…) list is one bound parameter per value, and both backends cap how many a statement may carry:
SQLite 999 before 3.32 and 32,766 since, PostgreSQL 65,535 (and its plans grow with the list). So a long
list of ids is sent as several statements of `chunk` ids each and their frames are concatenated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, TextClause, bindparam

Reader = Callable[[Connection, Any, dict[str, Any]], pd.DataFrame]


def _read_sql(conn: Connection, sql: Any, params: dict[str, Any]) -> pd.DataFrame:
    return pd.read_sql(sql, conn, params=params)


def read_in(conn: Connection, sql: TextClause | Select, ids: Sequence, *, param: str = "ids", chunk: int = 5_000,
            params: Mapping[str, Any] | None = None, reader: Reader = _read_sql) -> pd.DataFrame:
    """The rows of `sql` for `ids`, read `chunk` ids at a time (see the module docstring), as one frame.

    `sql` names the list as the bound parameter `param` (`:ids` in text, or `column.in_(bindparam("ids",
    expanding=True))` in a Select); a TextClause gets that parameter declared expanding here. `params` are
    the statement's other bound parameters. `reader` turns (conn, statement, parameters) into a frame
    (pd.read_sql unless told). No ids: the statement is run once with an empty list, so the frame still
    has the statement's columns.
    """
    if isinstance(sql, TextClause):
        sql = sql.bindparams(bindparam(param, expanding=True))
    ids = list(ids)
    base = dict(params or {})
    parts = [reader(conn, sql, {**base, param: ids[start:start + chunk]}) for start in range(0, len(ids), chunk)]
    if not parts:
        return reader(conn, sql, {**base, param: []})
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
