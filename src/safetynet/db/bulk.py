"""Fast bulk writes of DataFrames inside the caller's transaction.

ORM objects and `DataFrame.to_sql` through SQLAlchemy are several times slower
than the drivers' own bulk paths (research/toolchain.md §6): SQLite gets one
prepared `executemany`, PostgreSQL gets `COPY … FROM STDIN` fed with CSV that
pyarrow writes. Both run on the connection the caller already holds, so a
bulk load commits or rolls back with everything else in the transaction.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table

CHUNK_ROWS = 200_000


def _column_values(series: pd.Series) -> list:
    """A column as Python values with None for missing, ready for sqlite3."""
    if pd.api.types.is_bool_dtype(series.dtype) and not series.hasnans:
        return series.astype(np.int8).tolist()
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        out = values.tolist()
        if np.isnan(values).any():
            return [None if v != v else v for v in out]
        return out
    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return series.to_numpy().tolist()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        # the text SQLAlchemy's SQLite DateTime type writes and reads back
        return [None if v is pd.NaT else v.isoformat(sep=" ") for v in series.dt.to_pydatetime()]
    obj = series.astype(object)
    values = obj.where(series.notna(), None).tolist()
    first = next((v for v in values if v is not None), None)
    if isinstance(first, dt.date):
        # dates as ISO text ourselves: sqlite3's implicit date adapters are deprecated
        return [v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat() if isinstance(v, dt.date) else v
                for v in values]
    return values


def _insert_sqlite(conn: Connection, table: Table, df: pd.DataFrame) -> None:
    cols = list(df.columns)
    sql = f'INSERT INTO "{table.name}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
    raw = conn.connection.driver_connection
    assert raw is not None  # only a closed or invalidated connection has none
    cur = raw.cursor()
    try:
        for start in range(0, len(df), CHUNK_ROWS):
            part = df.iloc[start:start + CHUNK_ROWS]
            cur.executemany(sql, zip(*(_column_values(part[c]) for c in cols), strict=True))
    finally:
        cur.close()


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    arrays = {}
    for name in df.columns:
        series = df[name]
        if series.dtype == object:
            # mixed Python objects (dates, strings, None) → let arrow infer, None stays null
            arrays[name] = pa.array(series.tolist(), from_pandas=True)
        else:
            arrays[name] = pa.array(series, from_pandas=True)
    return pa.table(arrays)


def _insert_postgres(conn: Connection, table: Table, df: pd.DataFrame) -> None:
    cols = ", ".join(f'"{c}"' for c in df.columns)
    raw = conn.connection.driver_connection
    assert raw is not None  # only a closed or invalidated connection has none
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with raw.cursor() as cur:
        with cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN (FORMAT csv)') as copy:
            for start in range(0, len(df), CHUNK_ROWS):
                buf = io.BytesIO()
                pacsv.write_csv(_arrow_table(df.iloc[start:start + CHUNK_ROWS]), buf, options)
                copy.write(buf.getvalue())


def insert_frame(conn: Connection, table: Table, df: pd.DataFrame) -> int:
    """Append every row of `df` (columns named as in `table`) to `table`."""
    if df.empty:
        return 0
    unknown = set(df.columns) - set(table.c.keys())
    if unknown:
        raise KeyError(f"{table.name} has no columns {sorted(unknown)}")
    if conn.dialect.name == "postgresql":
        _insert_postgres(conn, table, df)
    else:
        _insert_sqlite(conn, table, df)
    return len(df)


def reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each serial sequence past the largest id,
    so other writers of the shared database (importer, other systems) don't collide."""
    if conn.dialect.name != "postgresql":
        return  # SQLite's INTEGER PRIMARY KEY always continues after the largest id
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not keys[0].autoincrement or keys[0].type.python_type is not int:
            continue
        col = keys[0].name
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{col}'), "
            f"GREATEST((SELECT COALESCE(MAX({col}), 0) FROM \"{table.name}\"), 1))")
