"""The DuckDB reference: the same headline figures straight from the raw tables.

DuckDB is the fastest engine a user could point at this data; its SQLite and
PostgreSQL scanner extensions cannot be installed offline, so the raw
household-month facts (`risk_score`: month, county, tier, flags, r) and
`region` are copied into an in-memory DuckDB database as CSV read by Arrow —
from the `sqlite3` shell on SQLite (the DB-API cursor when the shell is
missing), from `COPY … TO STDOUT` on PostgreSQL — in chunks, so the copy
never holds the table twice. The copy is timed but not part of any ratio.

Then each headline figure is computed both ways and timed (median of `runs`
after a warm-up):

* ours: the roll-up queries the overview uses (`queries.overview.monthly_measures`
  and `child_measures`), uncached — one query serves the KPIs, the trend and
  the median, and its full time is charged to each of them;
* DuckDB: one aggregate over the raw facts per figure.

ratio = ours ÷ DuckDB (≤ 1.0: the pre-aggregated path wins). Both must give
the same numbers: counts exactly, and the median of r (income ÷ line) through
the same 12-bin interpolation (`domain.risk.median_from_bins`); DuckDB's
exact median is reported beside it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Engine

from safetynet.bench.stats import median, repeat
from safetynet.db import version
from safetynet.domain import risk
from safetynet.filters import Filters
from safetynet.pipeline.rollup import BIN_MEASURES
from safetynet.queries import overview

FACT_SQL = "SELECT month, adcode, tier, flags, r FROM risk_score"
FACT_SCHEMA = pa.schema([("month", pa.int32()), ("adcode", pa.string()), ("tier", pa.string()),
                         ("flags", pa.int64()), ("r", pa.float64())])
REGION_SQL = "SELECT adcode, level, prov_adcode FROM region"
REGION_SCHEMA = pa.schema([("adcode", pa.string()), ("level", pa.int32()), ("prov_adcode", pa.string())])
KPI_KEYS = ("households", "tier_high", "newly_high", "open_files", "eliminated", "relapsed")
CHUNK_ROWS = 500_000


# ---------------------------------------------------------------- loading
Batches = Callable[[Engine, str, pa.Schema], Iterator[pa.Table]]


def _sqlite_batches(engine: Engine, sql: str, schema: pa.Schema) -> Iterator[pa.Table]:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None  # only a closed or invalidated connection has none
        cur = raw.cursor()
        cur.execute(sql)
        while rows := cur.fetchmany(CHUNK_ROWS):
            cols = list(zip(*rows, strict=True))
            yield pa.table([pa.array(col, type=f.type) for col, f in zip(cols, schema, strict=True)], schema=schema)
        cur.close()


def _csv_batches(blocks: Iterable[bytes], schema: pa.Schema) -> Iterator[pa.Table]:
    """Arrow tables from a stream of CSV bytes, cut at line ends every ~64 MB."""
    options = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema}, strings_can_be_null=False)
    read = pacsv.ReadOptions(column_names=schema.names)
    buf, size = io.BytesIO(), 0
    for block in blocks:
        buf.write(block)
        size += len(block)
        if size >= 64 << 20:
            data = buf.getvalue()
            cut = data.rfind(b"\n") + 1
            yield pacsv.read_csv(io.BytesIO(data[:cut]), read_options=read, convert_options=options)
            buf, size = io.BytesIO(), 0
            buf.write(data[cut:])
    rest = buf.getvalue()
    if rest:
        yield pacsv.read_csv(io.BytesIO(rest), read_options=read, convert_options=options)


def _postgres_batches(engine: Engine, sql: str, schema: pa.Schema) -> Iterator[pa.Table]:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None  # only a closed or invalidated connection has none
        with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            yield from _csv_batches(copy, schema)


def _sqlite_cli_batches(path: str, sql: str, schema: pa.Schema) -> Iterator[pa.Table]:
    """The sqlite3 shell writes CSV about ten times faster than Python can fetch rows."""
    proc = subprocess.Popen([shutil.which("sqlite3") or "sqlite3", "-readonly", "-csv", path, sql],
                            stdout=subprocess.PIPE)
    stdout = proc.stdout
    assert stdout is not None  # stdout=PIPE
    try:
        yield from _csv_batches(iter(lambda: stdout.read(8 << 20), b""), schema)
    finally:
        stdout.close()
        if proc.wait() != 0:
            raise RuntimeError(f"sqlite3 exited with {proc.returncode}")


def load_duckdb(engine: Engine) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """An in-memory DuckDB with the raw facts and regions; returns it and the load statistics."""
    batches: Batches
    if engine.dialect.name == "postgresql":
        batches = _postgres_batches
    elif shutil.which("sqlite3") and engine.url.database not in (None, "", ":memory:"):
        path = engine.url.database  # a file's name (not None): tested just above
        batches = lambda _engine, sql, schema: _sqlite_cli_batches(path, sql, schema)  # noqa: E731
    else:
        batches = _sqlite_batches
    con = duckdb.connect(":memory:")
    started = time.perf_counter()
    rows = 0
    for name, sql, schema in (("risk_score", FACT_SQL, FACT_SCHEMA), ("region", REGION_SQL, REGION_SCHEMA)):
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{f.name} {_duck_type(f.type)}' for f in schema)})")
        for batch in batches(engine, sql, schema):
            con.register("batch", batch)
            con.execute(f"INSERT INTO {name} SELECT * FROM batch")
            con.unregister("batch")
            if name == "risk_score":
                rows += batch.num_rows
    return con, {"rows": rows, "load_s": round(time.perf_counter() - started, 2)}


def _duck_type(t: pa.DataType) -> str:
    return {pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.float64(): "DOUBLE"}.get(t, "VARCHAR")


# ---------------------------------------------------------------- figures
def _flag(name: str) -> int:
    return int(risk.FLAG_MEASURES[name])


def duck_kpis(con: duckdb.DuckDBPyConnection, month: int) -> dict[str, int]:
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE tier = '高'), "
        f"count(*) FILTER (WHERE flags & {_flag('newly_high')} <> 0), "
        f"count(*) FILTER (WHERE flags & {_flag('open_files')} <> 0), "
        f"count(*) FILTER (WHERE flags & {_flag('eliminated')} <> 0), "
        f"count(*) FILTER (WHERE flags & {_flag('relapsed')} <> 0) "
        "FROM risk_score WHERE month = ?", [month]).fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    return dict(zip(KPI_KEYS, map(int, row), strict=True))


def duck_trend(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[int, int]]:
    rows = con.execute("SELECT month, count(*), count(*) FILTER (WHERE tier = '高') FROM risk_score "
                       "GROUP BY month ORDER BY month").fetchall()
    return {int(m): (int(n), int(h)) for m, n, h in rows}


def duck_by_province(con: duckdb.DuckDBPyConnection, month: int) -> dict[str, int]:
    rows = con.execute("SELECT g.prov_adcode, count(*) FILTER (WHERE s.tier = '高') FROM risk_score s "
                       "JOIN region g ON g.adcode = s.adcode WHERE s.month = ? GROUP BY g.prov_adcode",
                       [month]).fetchall()
    return {p: int(n) for p, n in rows}


def duck_median(con: duckdb.DuckDBPyConnection, month: int) -> tuple[float | None, float | None]:
    """(12-bin interpolated median, exact median) of r in `month`."""
    bin_expr = " + ".join(f"(r >= {edge})::INTEGER" for edge in risk.R_BIN_EDGES)
    rows = con.execute(f"SELECT {bin_expr} AS b, count(*) FROM risk_score WHERE month = ? AND r IS NOT NULL "
                       "GROUP BY b", [month]).fetchall()
    counts = np.zeros(len(BIN_MEASURES))
    for b, n in rows:
        counts[int(b)] = n
    row = con.execute("SELECT median(r) FROM risk_score WHERE month = ? AND r IS NOT NULL", [month]).fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    exact = row[0]
    return risk.median_from_bins(counts), (None if exact is None else float(exact))


def ours_kpis(monthly: pd.DataFrame, month: int) -> dict[str, int]:
    row = monthly.set_index("month").loc[month]
    return {k: int(row[k]) for k in KPI_KEYS}


def ours_trend(monthly: pd.DataFrame) -> dict[int, tuple[int, int]]:
    rows = monthly[["month", "households", "tier_high"]].itertuples(index=False)
    return {int(m): (int(n), int(h)) for m, n, h in rows}


def ours_by_province(children: pd.DataFrame) -> dict[str, int]:
    return {a: int(n) for a, n in children[["adcode", "tier_high"]].itertuples(index=False)}


def ours_median(monthly: pd.DataFrame, month: int) -> float | None:
    row = monthly.set_index("month").loc[month]
    return risk.median_from_bins(row[list(BIN_MEASURES)].to_numpy(dtype=float))


def _nonzero(d: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in d.items() if v}


def measure_reference(engine: Engine, runs: int = 5) -> dict:
    """Headline figures both ways: times, ratios and whether they agree."""
    _, month = version.current(engine)
    assert month is not None  # the benchmark measures a database it has built and scored
    nation = Filters()
    con, load = load_duckdb(engine)
    try:
        def ours_monthly() -> pd.DataFrame:
            return overview.monthly_measures(engine, nation)

        def ours_children() -> pd.DataFrame:
            return overview.child_measures(engine, nation, month)

        # per figure: our query, the figure from its frame, DuckDB's figure (each figure its own type; the loop
        # below compares them by name)
        figures: dict[str, tuple[Callable[[], pd.DataFrame], Callable[[pd.DataFrame], Any], Callable[[], Any]]] = {
            "kpis_latest_month": (ours_monthly, lambda m: ours_kpis(m, month), lambda: duck_kpis(con, month)),
            "trend_all_months": (ours_monthly, ours_trend, lambda: duck_trend(con)),
            "high_risk_by_province": (ours_children, ours_by_province, lambda: duck_by_province(con, month)),
            "median_income_to_line": (ours_monthly, lambda m: ours_median(m, month), lambda: duck_median(con, month)),
        }
        out: dict[str, dict] = {}
        for name, (ours_query, ours_value, duck_query) in figures.items():
            ours_query(), duck_query()  # warm-up
            ours_times, frame = repeat(ours_query, runs)
            duck_times, duck_value = repeat(duck_query, runs)
            ours = ours_value(frame)
            if name == "median_income_to_line":
                binned, exact = duck_value
                equal = (ours is None and binned is None) or bool(np.isclose(ours, binned, rtol=0, atol=1e-9))
                values = {"ours": ours, "duckdb_binned": binned, "duckdb_exact": exact}
            elif name == "high_risk_by_province":
                equal = _nonzero(ours) == _nonzero(duck_value)
                values = {"provinces": len(_nonzero(ours)), "max": max(ours.values(), default=0)}
            elif name == "trend_all_months":
                equal = ours == duck_value
                values = {"months": len(ours), "latest": list(ours.get(month, ()))}
            else:
                equal = ours == duck_value
                values = ours
            ours_ms, duck_ms = median(ours_times) * 1000, median(duck_times) * 1000
            out[name] = {"ours_ms": round(ours_ms, 3), "duckdb_ms": round(duck_ms, 3),
                         "ratio": round(ours_ms / duck_ms, 3) if duck_ms else None,
                         "equal": bool(equal), "values": values}
    finally:
        con.close()
    return {"month": month, "runs": runs, "duckdb_version": duckdb.__version__, "load": load, "figures": out,
            "worst_ratio": max(v["ratio"] for v in out.values()), "all_equal": all(v["equal"] for v in out.values())}
