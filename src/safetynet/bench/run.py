"""`python -m safetynet bench`: build or reuse a database of the given size, measure everything, report.

Prints a table (or, with --json, one JSON object) and returns the result as a
dict. Each part can be skipped (`--skip pages,browsers,…`) to iterate on one
of them; the targets of the issue are checked at the end (✅/❌).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from safetynet.bench import stats as S

PARTS = ("build", "rescore", "pages", "watchlist", "reference", "import", "new_households", "casework", "browsers")
TARGETS = {
    "page_warm_s": 0.3, "page_cold_s": 2.0, "watchlist_p95_ms": 150.0, "rescore_month_s": 10.0,
    "build_s": 15 * 60.0, "server_rss_mb": 800.0, "duckdb_ratio": 1.0, "browser_errors": 0, "page_load_p95_s": 3.0,
    "new_households_s": 5.0, "casework_step_s": 1.0,
}
BENCH_DIR = Path(tempfile.gettempdir()) / "sn_bench"
Log = Callable[[str], None]


def default_url(households: int, months: int) -> str:
    return f"sqlite:///{BENCH_DIR / f'sn_{households}x{months}.db'}"


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _sidecar(url: str) -> Path:
    """Where the build timings of a database are kept, so a reused database still reports them."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return Path(f"{u.database}.build.json")
    return BENCH_DIR / f"pg_{u.host}_{u.port}_{u.database}.build.json"


def machine() -> dict:
    import psutil

    disk = shutil.disk_usage(BENCH_DIR if BENCH_DIR.exists() else tempfile.gettempdir())
    return {
        "cpus": os.cpu_count(), "cpu_model": _cpu_model(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "disk_free_gb": round(disk.free / 2**30, 1), "platform": platform.platform(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": S.load_average(), "started": dt.datetime.now().isoformat(timespec="seconds"),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def ensure_pg_database(url: str) -> None:
    """Create the PostgreSQL database the URL names if it does not exist (needs CREATEDB)."""
    u = make_url(url)
    if u.get_backend_name() != "postgresql":
        return
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": u.database}).scalar():
                conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    finally:
        admin.dispose()


def database_size_mb(url: str) -> float | None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        assert u.database is not None  # the benchmark builds its SQLite database in a file
        files = [Path(u.database), Path(f"{u.database}-wal")]
        return round(sum(f.stat().st_size for f in files if f.exists()) / 2**20, 1)
    from safetynet.db import get_engine

    with get_engine(url).connect() as conn:
        size = cast(int, conn.execute(text("SELECT pg_database_size(current_database())")).scalar())  # never NULL
        return round(size / 2**20, 1)


def _child(args: list[str], log: Log, label: str) -> dict:
    """Run `python -m …` in a child process and parse the JSON object on its last stdout line."""
    log(f"… {label}")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{label} failed ({proc.returncode}): {proc.stderr.strip()[-1500:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.setdefault("wall_s", round(time.perf_counter() - started, 1))
    return out


def ensure_database(url: str, households: int, months: int, log: Log) -> dict:
    """Reuse the database when it already holds that size, else build it with the demo generator."""
    from safetynet.db import get_engine, migrate
    from safetynet.queries import stats

    ensure_pg_database(url)
    engine = get_engine(url)
    migrate.ensure_schema(engine)
    have = stats.summary(engine)
    side = _sidecar(url)
    if have["households"] == households and have["months"] == months and have["latest_month"]:
        build = json.loads(side.read_text()) if side.exists() else {}
        log(f"reusing {_safe_url(url)} ({households} households × {months} months)")
        return {"reused": True, **build, "summary": have}
    build = _child(["safetynet.bench.build", "--db", url, "--households", str(households), "--months", str(months)],
                   log, f"building {households} × {months} demo database (demo generation + scoring + roll-ups)")
    side.parent.mkdir(parents=True, exist_ok=True)
    side.write_text(json.dumps(build))
    return {"reused": False, **build, "summary": stats.summary(engine)}


def import_throughput(url: str, rows: int, households: int, log: Log) -> dict:
    """The importer's own benchmark (`ingest.bench.import_benchmark`) on a scratch database of the same backend."""
    scratch = None
    if make_url(url).get_backend_name() == "postgresql":
        scratch = make_url(url).set(database=f"sn_bench_import_{os.getpid()}").render_as_string(hide_password=False)
        ensure_pg_database(scratch)
    args = ["safetynet", "bench-import", "--rows", str(rows), "--households", str(households), "--quiet"]
    try:
        return _child([*args, *(["--url", scratch] if scratch else [])], log,
                      f"import throughput: {rows} observation rows into a {households}-household database")
    finally:
        if scratch:
            from safetynet.db import dispose_all

            dispose_all()
            admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(scratch).database}" WITH (FORCE)'))
            admin.dispose()


def run_benchmark(households: int, months: int, url: str | None = None, runs: int = 3, watchlist_runs: int = 20,
                  reference_runs: int = 5, sessions: int = 10, import_rows: int = 200_000,
                  import_households: int = 20_000, full_rescore: bool = False, skip: tuple[str, ...] = (),
                  log: Log | None = None, out: Path | None = None) -> dict:
    """Every measurement of the issue on one database; returns the result dict (see docs/benchmarks.md).

    With `out`, the result so far is written there after each part (a long run can be read while it goes).
    """
    from safetynet.db import get_engine

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    url = url or default_url(households, months)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    engine_name = make_url(url).get_backend_name()
    result: dict = {"machine": machine(),
                    "config": {"households": households, "months": months, "backend": engine_name,
                               "db": _safe_url(url), "page_runs": runs, "watchlist_runs": watchlist_runs,
                               "reference_runs": reference_runs, "sessions": sessions},
                    "command": "python -m safetynet " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("__main__.py")
                    else None}
    started = time.perf_counter()
    result["build"] = ensure_database(url, households, months, log)
    result["build"]["db_size_mb"] = database_size_mb(url)
    engine = get_engine(url)

    def checkpoint() -> None:
        if out is not None:
            save(result, out)

    checkpoint()

    if "rescore" not in skip:
        from safetynet.bench.onemonth import rescore_month, write_floor
        from safetynet.pipeline.rescore import vacuum_watchlist

        log("… one-month rescore (15-month window, written in a transaction that is rolled back)")
        result["rescore"] = {"one_month": rescore_month(engine), "write_floor": write_floor(engine)}
        vacuum_watchlist(engine)  # PostgreSQL: the rolled-back rewrites left dead rows behind; the pages follow
        if full_rescore:
            full = _child(["safetynet.bench.fullrescore", "--db", url], log, "full rescore (every month)")
            result["rescore"]["full"] = full
        checkpoint()
    if "pages" not in skip:
        result["pages"] = _child(["safetynet.bench.pages", "--db", url, "--runs", str(runs)], log,
                                 f"page renders through AppTest (cold and warm, median of {runs})")
        checkpoint()
    if "watchlist" not in skip:
        from safetynet.bench.watchlist import measure_watchlist

        log(f"… watchlist queries ({watchlist_runs} runs each)")
        result["watchlist"] = measure_watchlist(engine, watchlist_runs)
        checkpoint()
    if "reference" not in skip:
        from safetynet.bench.reference import measure_reference

        log("… DuckDB reference over the raw tables")
        result["reference"] = measure_reference(engine, reference_runs)
        checkpoint()
    if "import" not in skip:
        # a scratch database of its own: ~10 rows per household keeps the back-filled months after 2020
        result["import"] = import_throughput(url, import_rows, max(import_households, import_rows // 10), log)
        checkpoint()
    if "new_households" not in skip:
        from safetynet.bench.newhouseholds import measure_new_households

        log("… 1,000 new households through `python -m safetynet import` (removed again afterwards)")
        result["new_households"] = measure_new_households(engine, url)
        checkpoint()
    if "casework" not in skip:
        from safetynet.bench.casework_step import measure_casework_step

        log("… one saved casework step (help delivered: re-score, watchlist row, roll-ups), five households")
        result["casework"] = measure_casework_step(engine)
        checkpoint()
    if "browsers" not in skip:
        from safetynet.bench.concurrency import measure_browsers

        n_import = min(20_000, max(1000, households // 50))
        log(f"… {sessions} Chromium sessions: memory, then page loads while importing {n_import} observations")
        from safetynet.db import dispose_all

        dispose_all()  # the import writes from another process; hold no SQLite read transaction open
        result["browsers"] = measure_browsers(url, sessions, n_import)
        checkpoint()
    result["process"] = {"bench_peak_rss_mb": S.peak_rss_mb(), "largest_child_peak_rss_mb": S.children_peak_rss_mb(),
                         "load_average_at_end": S.load_average(), "total_s": round(time.perf_counter() - started, 1)}
    result["targets"] = check_targets(result)
    checkpoint()
    return result


def check_targets(r: dict) -> list[dict]:
    """Each target of the issue with the measured value and ✅/❌ (None when not measured)."""
    out = []

    def add(name: str, target: str, value, ok: bool | None) -> None:
        out.append({"target": name, "limit": target, "measured": value, "ok": ok})

    pages = r.get("pages", {}).get("pages", {})
    if pages:
        warm = max(pages.items(), key=lambda kv: kv[1]["warm_s"])
        cold = max(pages.items(), key=lambda kv: kv[1]["cold_s"])
        add("every page warm render", f"≤ {TARGETS['page_warm_s']} s", f"{warm[1]['warm_s']} s ({warm[0]})",
            warm[1]["warm_s"] <= TARGETS["page_warm_s"])
        add("every page cold render", f"≤ {TARGETS['page_cold_s']} s", f"{cold[1]['cold_s']} s ({cold[0]})",
            cold[1]["cold_s"] <= TARGETS["page_cold_s"])
        bad = [k for k, v in pages.items() if v["errors"]]
        add("pages render without exception", "0", len(bad), not bad)
    if "watchlist" in r:
        worst = r["watchlist"]["worst_p95_ms"]
        add("watchlist queries p95", f"≤ {TARGETS['watchlist_p95_ms']:.0f} ms", f"{worst} ms",
            worst <= TARGETS["watchlist_p95_ms"])
    if "rescore" in r:
        one = r["rescore"]["one_month"]
        add("rescore one month, all households", f"≤ {TARGETS['rescore_month_s']:.0f} s",
            f"{one['total_s']} s ({one['mismatches']} mismatches)",
            one["total_s"] <= TARGETS["rescore_month_s"] and one["mismatches"] == 0)
    build = r.get("build", {})
    if build.get("total_s") is not None:
        add("demo generation + scoring + roll-ups", "≤ 15 min", f"{build['total_s'] / 60:.1f} min",
            build["total_s"] <= TARGETS["build_s"])
    if "reference" in r:
        ref = r["reference"]
        add("ratio to DuckDB, every headline figure", "≤ 1.0", ref["worst_ratio"],
            ref["worst_ratio"] <= TARGETS["duckdb_ratio"] and ref["all_equal"])
    fresh = r.get("new_households", {})
    for part, label in (("households_only", "households only"), ("with_members_and_month", "with members and month")):
        if part in fresh:
            m = fresh[part]
            add(f"import {fresh['households']:,} new households ({label}), CLI wall time",
                f"≤ {TARGETS['new_households_s']:.0f} s", f"{m['wall_s']} s (import {m['import_s']} s)",
                m["exit_code"] == 0 and m["wall_s"] <= TARGETS["new_households_s"])
    if step := r.get("casework"):
        add("one casework step saved (help delivered), slowest of runs", f"≤ {TARGETS['casework_step_s']:.0f} s",
            f"{step['max_s']} s (p50 {step['p50_s']} s)", step["max_s"] is not None
            and step["max_s"] <= TARGETS["casework_step_s"])
    browsers = r.get("browsers", {})
    if "memory" in browsers:
        mem = browsers["memory"]["server_peak_rss_mb"]
        add(f"app peak memory, {browsers['memory']['sessions']} sessions open", "≤ 800 MB", f"{mem} MB",
            mem <= TARGETS["server_rss_mb"])
    if "concurrency" in browsers:
        c = browsers["concurrency"]
        p95 = c["page_loads"].get("p95_s")
        add(f"{c['sessions']} browser sessions + import: errors", "0", c["errors"], c["errors"] == 0)
        add(f"{c['sessions']} browser sessions + import: page-load p95", "≤ 3 s", f"{p95} s",
            p95 is not None and p95 <= TARGETS["page_load_p95_s"])
    return out


# ---------------------------------------------------------------- output
def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:,.1f}"
    return str(v)


def _table(headers: list[str], rows: list[list]) -> str:
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, sep, *body])


def format_report(r: dict) -> str:
    """The result as plain-text tables (what `bench` prints without --json)."""
    c, m = r["config"], r["machine"]
    parts = [f"Safety Net Monitor benchmark — {c['households']:,} households × {c['months']} months on "
             f"{c['backend']} ({c['db']})",
             f"machine: {m['cpus']} cores {m['cpu_model']}, {m['ram_gb']} GB RAM, Python {m['python']}, "
             f"SQLite {m['sqlite']}; load average {m['load_average_at_start']} at start, "
             f"{r.get('process', {}).get('load_average_at_end')} at end"]
    b = r.get("build", {})
    if b:
        parts.append("\nBuild" + (" (reused database; timings from when it was built)" if b.get("reused") else ""))
        parts.append(_table(["total", "simulate", "scoring", "watchlist rows", "roll-ups", "writes (overlapped)",
                             "peak RSS MB", "db size MB"],
                            [[b.get("total_s"), b.get("simulate_s"), b.get("scoring_s"), b.get("watchlist_rows_s"),
                              b.get("rollups_s"), b.get("write_s_overlapped"), b.get("peak_rss_mb"),
                              b.get("db_size_mb")]]))
    if "rescore" in r:
        o = r["rescore"]["one_month"]
        parts.append("\nRescore one month (all households, 15-month window)")
        parts.append(_table(["month", "households", "read s", "score s", "write s", "total s", "mismatches"],
                            [[o["month"], o["households"], o["read_s"], o["score_s"], o["write_s"], o["total_s"],
                              o["mismatches"]]]))
        if w := r["rescore"].get("write_floor"):
            parts.append(f"floor: writing back the month's stored rows alone takes {w['total_s']} s "
                         f"(risk_score {w['risk_score_s']} s, household_current {w['household_current_s']} s)")
        if "full" in r["rescore"]:
            parts.append(f"full rescore (every month): {r['rescore']['full'].get('seconds')} s")
    if "pages" in r:
        p = r["pages"]
        rows = [[k, v["cold_s"], v["warm_s"], v["sql_statements_cold"],
                 (f"{v['slowest_sql'][0]['ms']} ms {v['slowest_sql'][0]['sql'][:60]}" if v["slowest_sql"] else ""),
                 "; ".join(v["errors"])[:60]] for k, v in p["pages"].items()]
        parts.append(f"\nPages (server side, AppTest, median of {p['runs']}; targets warm ≤ 0.3 s, cold ≤ 2 s)")
        parts.append(_table(["page", "cold s", "warm s", "SQL", "slowest SQL (cold)", "errors"], rows))
    if "watchlist" in r:
        w = r["watchlist"]
        rows = [[k, v["matches"], v["count"]["p50_ms"], v["count"]["p95_ms"], v["page"]["p50_ms"], v["page"]["p95_ms"]]
                for k, v in w["combinations"].items()]
        parts.append(f"\nWatchlist queries ({w['runs']} runs; target p95 ≤ 150 ms)")
        parts.append(_table(["filters", "matches", "count p50 ms", "count p95 ms", "page p50 ms", "page p95 ms"], rows))
    if "reference" in r:
        ref = r["reference"]
        rows = [[k, v["ours_ms"], v["duckdb_ms"], v["ratio"], "yes" if v["equal"] else "NO"]
                for k, v in ref["figures"].items()]
        parts.append(f"\nHeadline figures: ours (roll-ups) vs DuckDB {ref['duckdb_version']} over the raw facts "
                     f"({ref['load']['rows']:,} rows copied in {ref['load']['load_s']} s); target ratio ≤ 1.0")
        parts.append(_table(["figure", "ours ms", "DuckDB ms", "ratio", "same numbers"], rows))
    if "import" in r:
        i = r["import"]
        parts.append("\nImport throughput")
        if "skipped" in i:
            parts.append(i["skipped"])
        else:
            parts.append(_table(["rows", "import s", "rows/s", "rescore s", "rows/s incl. rescore"],
                                [[i.get("rows"), i.get("import_s"), i.get("rows_per_s_import"), i.get("rescore_s"),
                                  i.get("rows_per_s_with_rescore")]]))
    br = r.get("browsers", {})
    if br:
        parts.append("\nBrowsers (headless Chromium against streamlit run app.py)")
        if "skipped" in br:
            parts.append(br["skipped"])
        else:
            cc = br["concurrency"]
            parts.append(_table(
                ["sessions", "server RSS MB (all open)", "page loads", "p50 s", "p95 s", "p95 during import s",
                 "errors", "import rows", "import s"],
                [[cc["sessions"], br["memory"]["server_peak_rss_mb"], cc["page_loads"]["n"],
                  cc["page_loads"].get("p50_s"), cc["page_loads"].get("p95_s"),
                  cc["page_loads_during_import"].get("p95_s"), cc["errors"], cc["import"]["rows"],
                  cc["import"]["seconds"]]]))
            if cc["error_samples"]:
                parts.append("errors: " + " | ".join(cc["error_samples"][:5]))
    proc = r.get("process", {})
    parts.append(f"\nbench process peak RSS {proc.get('bench_peak_rss_mb')} MB; largest child "
                 f"{proc.get('largest_child_peak_rss_mb')} MB; total {proc.get('total_s')} s")
    parts.append("\nTargets")
    parts.append(_table(["target", "limit", "measured", "met"],
                        [[t["target"], t["limit"], t["measured"],
                          "✅" if t["ok"] else ("❌" if t["ok"] is False else "–")] for t in r.get("targets", [])]))
    return "\n".join(parts)


def save(result: dict, path: Path) -> None:
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
