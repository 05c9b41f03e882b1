"""Bench: this month's new files, imported with `python -m safetynet import` into the benchmark database.

The most ordinary import a union makes. Two files of `n` new households each, in counties that already
hold files:

* households only (家庭户: file number, category, county, source, identification date) — nothing to score;
* a workbook of households, one member each and their observations of the latest month — scored, rolled up.

Each is imported by the real CLI in a child process (its wall time includes starting Python) and then
removed again through the production incremental path (raw rows deleted, `rescore_households` takes their
scores and roll-up contributions back out), so the benchmark database keeps its size and its figures.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.domain import idcard
from safetynet.ingest.samples import xlsx_bytes
from safetynet.pipeline.rescore import month_span, rescore_households

PREFIX = "BENCHNEW-"
TABLES_BY_HOUSEHOLD = ("household_month", "person", "household_status", "risk_event", "assistance", "pairing",
                       "followup")


def _counties(engine: Engine, n: int, seed: int) -> np.ndarray:
    with engine.connect() as conn:
        adcodes = [r[0] for r in conn.execute(text("SELECT DISTINCT adcode FROM household_current"))]
    return np.random.default_rng(seed).choice(np.array(sorted(adcodes), dtype=object), n)


def _households(n: int, counties: np.ndarray, tag: str, identified: dt.date) -> pd.DataFrame:
    return pd.DataFrame({
        "档案编号": [f"{PREFIX}{tag}-{i:05d}" for i in range(n)],
        "对象类型": "困难职工", "职工类别": "2", "区县代码": counties, "发现渠道": "工会排查",
        "认定日期": identified.isoformat()})


def _workbook(households: pd.DataFrame, month: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    n = len(households)
    members = pd.DataFrame({
        "档案编号": households["档案编号"], "姓名": [f"新户{i}" for i in range(n)],
        "身份证号": [idcard.make(a, dt.date(1975 + i % 30, 1 + i % 12, 1 + i % 28), 901 + 2 * (i % 40))
                    for i, a in enumerate(households["区县代码"])],
        "与户主关系": "户主", "健康状况": "健康", "劳动能力": "普通劳动力", "就业形式": "劳动合同"})
    observations = pd.DataFrame({
        "档案编号": households["档案编号"], "月份": f"{month // 100}-{month % 100:02d}",
        "工资性收入": np.round(rng.lognormal(7.3, 0.5, n), 2), "经营净收入": 0, "财产净收入": 0,
        "转移净收入": 200, "医疗自付支出": np.round(rng.uniform(0, 600, n), 2), "稳定就业人数": 1,
        "失业或未返岗月数": 0})
    book = {"家庭户": households, "家庭成员": members, "月度观测": observations}
    return xlsx_bytes({name: frame.to_dict("records") for name, frame in book.items()})


def _cli_import(url: str, path: Path) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "safetynet", "--db", url, "import", str(path), "--json"],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = proc.stdout.strip().splitlines()
    out = json.loads(lines[-1]) if lines else {}
    if proc.returncode != 0:
        raise RuntimeError(f"import of {path.name} exited {proc.returncode}: {out.get('message') or proc.stderr[-800:]}")
    return {"exit_code": proc.returncode, "wall_s": round(wall, 2),
            "import_s": round(float(out.get("timings", {}).get("total", float("nan"))), 2),
            "rescore_s": round(float(out.get("timings", {}).get("rescore", 0.0)), 2),
            "households_rescored": out.get("households_rescored")}


def remove_new_households(engine: Engine) -> int:
    """Delete the benchmark's new files and take their scores back out through the incremental path."""
    with engine.begin() as conn:
        ids = [int(r[0]) for r in conn.execute(text("SELECT hh_id FROM household WHERE file_no LIKE :p"),
                                               {"p": PREFIX + "%"})]
        if not ids:
            return 0
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            for table in TABLES_BY_HOUSEHOLD:  # our own constant table names; the ids are bound
                conn.execute(text(f"DELETE FROM {table} WHERE hh_id IN :ids")
                             .bindparams(bindparam("ids", expanding=True)), {"ids": part})
        # with no observations left they score nothing: their stored scores leave the roll-ups and the watchlist
        rescore_households(conn, ids)
        for start in range(0, len(ids), 900):
            conn.execute(text("DELETE FROM household WHERE hh_id IN :ids")
                         .bindparams(bindparam("ids", expanding=True)), {"ids": ids[start:start + 900]})
    return len(ids)


def measure_new_households(engine: Engine, url: str, n: int = 1000, seed: int = 3) -> dict:
    """Time both imports of `n` new households; the database is left as it was."""
    remove_new_households(engine)  # an interrupted earlier run
    with engine.connect() as conn:
        month = month_span(conn)[-1]
    identified = dt.date(month // 100, month % 100, 5)
    counties = _counties(engine, n, seed)
    out: dict = {"households": n, "month": month}
    with tempfile.TemporaryDirectory() as tmp:
        only = Path(tmp) / "new_households.csv"
        only.write_bytes(_households(n, counties, "A", identified).to_csv(index=False).encode("utf-8"))
        book = Path(tmp) / "new_households_with_members_and_month.xlsx"
        book.write_bytes(_workbook(_households(n, counties, "B", identified), month, seed))
        try:
            out["households_only"] = _cli_import(url, only)
            out["with_members_and_month"] = _cli_import(url, book)
        finally:
            out["removed"] = remove_new_households(engine)
    return out
