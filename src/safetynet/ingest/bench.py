"""Import benchmark: N monthly observations for existing demo households, through the real importer.

`import_benchmark(rows=1_000_000)` builds (or reuses) a demo database, writes a
CSV the way a union system would export it (Chinese headers, UTF-8), with 80 %
of the rows back-filling earlier months (inserts) and 20 % correcting months
already stored (updates), imports it in strict mode and reports rows per second
for the import itself (read + validate + upsert + batch record) and, separately,
for re-scoring the affected households. `python -m safetynet bench-import`
prints the result as JSON.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Engine, func, select, text

from safetynet.db import dispose_all, get_engine, migrate, reference
from safetynet.db.schema import household, household_month
from safetynet.domain.months import add_months
from safetynet.ingest import kinds as K
from safetynet.ingest.load import import_file

UPDATE_SHARE = 0.2


def observations_csv(engine: Engine, rows: int, seed: int = 1) -> tuple[bytes, dict[str, int]]:
    """A CSV of `rows` monthly observations for the database's households (inserts and updates)."""
    with engine.connect() as conn:
        hh = conn.execute(select(household.c.hh_id, household.c.file_no).order_by(household.c.hh_id)).all()
        lo, hi = conn.execute(select(func.min(household_month.c.month), func.max(household_month.c.month))).one()
    if not hh or lo is None:
        raise RuntimeError("the benchmark needs a demo database with observations")
    file_nos = np.array([r[1] for r in hh], dtype=object)
    per_household = math.ceil(rows / len(file_nos))
    n_update = min(int(round(per_household * UPDATE_SHARE)), 12)
    n_new = per_household - n_update
    new_months = [add_months(lo, -i) for i in range(n_new, 0, -1)]
    if new_months and new_months[0] < K.EARLIEST_MONTH:
        raise ValueError(f"{rows} rows over {len(file_nos)} households reach back before {K.EARLIEST_MONTH}; "
                         "use more households")
    old_months = [add_months(hi, -i) for i in range(n_update - 1, -1, -1)]
    months = np.array(new_months + old_months, dtype=np.int64)
    total = len(file_nos) * len(months)
    rng = np.random.default_rng(seed)
    fn = np.repeat(file_nos, len(months))[:rows]
    mo = np.tile(months, len(file_nos))[:rows]
    n = len(fn)
    wage = np.round(rng.lognormal(7.8, 0.5, n), 2)
    columns = {
        "档案编号": pa.array(fn, pa.string()),
        "月份": pa.array((mo // 100).astype(str).astype(object) + "-" + np.char.zfill((mo % 100).astype(str), 2).astype(object)),
        "工资性收入": pa.array(np.where(rng.random(n) < 0.15, 0.0, wage)),
        "经营净收入": pa.array(np.round(rng.exponential(300, n), 2)),
        "财产净收入": pa.array(np.where(rng.random(n) < 0.9, 0.0, np.round(rng.exponential(100, n), 2))),
        "转移净收入": pa.array(np.round(rng.exponential(400, n), 2)),
        "医疗自付支出": pa.array(np.round(rng.exponential(250, n), 2)),
        "非义务教育支出": pa.array(np.where(rng.random(n) < 0.7, 0.0, np.round(rng.exponential(600, n), 2))),
        "护理支出": pa.array(np.where(rng.random(n) < 0.85, 0.0, np.round(rng.exponential(300, n), 2))),
        "务工必要支出": pa.array(np.round(rng.exponential(120, n), 2)),
        "稳定就业人数": pa.array(rng.integers(0, 3, n)),
        "失业或未返岗月数": pa.array(np.where(rng.random(n) < 0.85, 0, rng.integers(1, 8, n))),
        "是否欠薪": pa.array(np.where(rng.random(n) < 0.05, "是", "否").astype(object)),
        "节后是否返岗": pa.array(np.where((mo % 100 == 3) & (rng.random(n) < 0.5), np.where(rng.random(n) < 0.8, "是", "否"), "")
                              .astype(object)),
    }
    buf = pa.BufferOutputStream()
    pacsv.write_csv(pa.table(columns), buf, pacsv.WriteOptions(quoting_style="none"))
    expected_updates = int(np.isin(mo, old_months).sum())
    return buf.getvalue().to_pybytes(), {"rows": n, "households": len(file_nos), "months_per_household": len(months),
                                         "expected_inserts": n - expected_updates, "expected_updates": expected_updates,
                                         "grid": total}


def prepare_database(url: str, households: int, progress: bool = True) -> Engine:
    """A demo database with at least `households` households (generated when missing)."""
    engine = get_engine(url)
    migrate.ensure_schema(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
        have = conn.execute(select(func.count()).select_from(household)).scalar_one()
    if have < households:
        from safetynet.demo.generate import DemoConfig, generate
        from safetynet.progress import counting_bar

        generate(engine, DemoConfig(households=households, months=24, seed=7),
                 progress=counting_bar("生成演示数据") if progress else None, force=False)
    return engine


def import_benchmark(url: str | None = None, rows: int = 1_000_000, households: int = 20_000, keep: bool = False,
                     rescore: bool = True, progress: bool = True, reimport: bool = True) -> dict:
    """Generate, import and time `rows` monthly observations; returns rows/s and the timings."""
    tmp = None
    if url is None:
        tmp = Path(tempfile.mkdtemp(prefix="sn_bench_")) / "bench.db"
        url = f"sqlite:///{tmp}"
    started = time.perf_counter()
    engine = prepare_database(url, households, progress)
    setup = time.perf_counter() - started
    t0 = time.perf_counter()
    data, shape = observations_csv(engine, rows)
    generate_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    result = import_file(engine, data, "bench_observations.csv", kind="observations", mode="strict",
                         user="bench", rescore=rescore, full_rescore=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    sheet = result.sheets[0]
    rescore_s = result.timings.get("rescore", 0.0)
    import_s = wall - rescore_s
    out = {
        "backend": engine.dialect.name, "rows": sheet.rows_read, "households": shape["households"],
        "csv_mb": round(len(data) / 1e6, 1), "inserted": sheet.inserted, "updated": sheet.updated,
        "unchanged": sheet.unchanged, "rejected": sheet.rejected,
        "import_s": round(import_s, 2), "rows_per_s_import": round(sheet.rows_read / import_s),
        "rescore_s": round(rescore_s, 2), "households_rescored": result.households_rescored,
        "rows_per_s_with_rescore": round(sheet.rows_read / wall),
        "cpu_s": round(cpu, 2), "load_average": [round(x, 2) for x in os.getloadavg()],
        "timings": {k: round(v, 2) for k, v in result.timings.items()},
        "setup_s": round(setup, 1), "generate_csv_s": round(generate_s, 1),
    }
    if reimport:
        t0 = time.perf_counter()
        again = import_file(engine, data, "bench_observations.csv", kind="observations", mode="strict", user="bench",
                            rescore=rescore, full_rescore=False)
        seconds = time.perf_counter() - t0
        out["reimport"] = {"seconds": round(seconds, 2), "rows_per_s": round(sheet.rows_read / seconds),
                           "unchanged": again.sheets[0].unchanged, "data_version_bumped": again.data_version is not None}
    with engine.connect() as conn:
        out["household_month_rows"] = conn.execute(text("SELECT COUNT(*) FROM household_month")).scalar_one()
    if tmp is not None and not keep:
        dispose_all()
        for f in tmp.parent.glob("*"):
            f.unlink()
        tmp.parent.rmdir()
    elif tmp is not None:
        out["database"] = url
    return out
