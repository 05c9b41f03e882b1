"""The benchmark's own code at tiny size: right numbers, every key — speed itself is shown by `bench`, not here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from safetynet.bench import run, stats
from safetynet.bench.onemonth import rescore_month, write_floor
from safetynet.bench.watchlist import combinations, measure_watchlist
from safetynet.queries import watchlist as wl


@pytest.mark.parametrize("values", [[1.0], [3.0, 1.0, 2.0], list(range(20)), [0.5, 9.0, 0.1, 7.25, 3.3, 3.3, 8.0]])
@pytest.mark.parametrize("q", [0, 5, 50, 95, 99, 100])
def test_percentile_matches_numpy(values, q):
    assert stats.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_by_hand_and_summary():
    # 20 values 1..20: rank (20-1)·0.95 = 18.05 → 19 + 0.05·(20-19)
    assert stats.percentile(list(range(1, 21)), 95) == pytest.approx(19.05)
    assert stats.median([5, 1, 3]) == 3
    s = stats.summary_ms([0.001, 0.002, 0.003, 0.004])
    assert s == {"n": 4, "p50_ms": 2.5, "p95_ms": 3.85, "min_ms": 1.0, "max_ms": 4.0}
    with pytest.raises(ValueError):
        stats.percentile([], 50)


def test_reference_and_rollups_give_the_same_figures(demo_db):
    pytest.importorskip("duckdb")
    from safetynet.bench.reference import measure_reference

    ref = measure_reference(demo_db, runs=1)
    assert ref["all_equal"], ref["figures"]
    assert set(ref["figures"]) == {"kpis_latest_month", "trend_all_months", "high_risk_by_province",
                                   "median_income_to_line"}
    with demo_db.connect() as conn:
        rows = conn.execute(text("SELECT COUNT(*) FROM risk_score")).scalar()
        high = conn.execute(text("SELECT COUNT(*) FROM risk_score WHERE month = :m AND tier = '高'"),
                            {"m": ref["month"]}).scalar()
    assert ref["load"]["rows"] == rows
    assert ref["figures"]["kpis_latest_month"]["values"]["tier_high"] == high
    median = ref["figures"]["median_income_to_line"]["values"]
    assert abs(median["ours"] - median["duckdb_exact"]) <= 0.5  # the binned estimate is exact to its bin width
    for figure in ref["figures"].values():
        assert figure["ratio"] == pytest.approx(figure["ours_ms"] / figure["duckdb_ms"], rel=0.01)


def test_one_month_rescore_reproduces_the_stored_month(writable_demo_db):
    engine = writable_demo_db
    query = "SELECT * FROM rollup_region_month WHERE month = :m ORDER BY adcode, population, category"
    with engine.connect() as conn:
        month = conn.execute(text("SELECT MAX(month) FROM risk_score")).scalar()
        before = pd.read_sql(text(query), conn, params={"m": month})
        current = pd.read_sql(text("SELECT hh_id, tier, score, prev_tier, high_since FROM household_current "
                                   "ORDER BY hh_id"), conn)
    result = rescore_month(engine, keep=True)
    assert result["mismatches"] == 0 and result["households"] > 0
    with engine.connect() as conn:
        after = pd.read_sql(text(query), conn, params={"m": month})
        current_after = pd.read_sql(text("SELECT hh_id, tier, score, prev_tier, high_since FROM household_current "
                                         "ORDER BY hh_id"), conn)
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(current.drop(columns="high_since"), current_after.drop(columns="high_since"),
                                  check_dtype=False)
    high = current["tier"] == "高"
    pd.testing.assert_series_equal(current.loc[high, "high_since"], current_after.loc[high, "high_since"],
                                   check_dtype=False)
    assert current_after.loc[~high, "high_since"].isna().all()  # schema.md: NULL unless 高


def test_watchlist_combinations_count_what_the_page_lists(demo_db):
    from dataclasses import replace

    combos = combinations(demo_db)
    assert len(combos) == 9
    result = measure_watchlist(demo_db, runs=2)
    for name, query in combos.items():
        everything = wl.page(demo_db, replace(query, page=1, page_size=wl.EXPORT_LIMIT))
        assert result["combinations"][name]["matches"] == len(everything), name
        assert result["combinations"][name]["count"]["n"] == 2


def test_write_floor_writes_the_months_rows_back_and_leaves_them_as_they_were(writable_demo_db):
    engine = writable_demo_db
    snapshot = "SELECT * FROM {t} WHERE month = :m ORDER BY hh_id"
    with engine.connect() as conn:
        month = conn.execute(text("SELECT MAX(month) FROM risk_score")).scalar()
        before = {t: pd.read_sql(text(snapshot.format(t=t)), conn, params={"m": month})
                  for t in ("risk_score", "household_current")}
    floor = write_floor(engine)
    assert floor["month"] == month
    assert floor["risk_score_rows"] == len(before["risk_score"]) > 0
    assert floor["household_current_rows"] == len(before["household_current"]) > 0
    assert floor["total_s"] == pytest.approx(floor["risk_score_s"] + floor["household_current_s"], abs=0.011)
    with engine.connect() as conn:
        for table, frame in before.items():
            pd.testing.assert_frame_equal(frame, pd.read_sql(text(snapshot.format(t=table)), conn, params={"m": month}))


EXPECTED_KEYS = {
    "machine": {"cpus", "ram_gb", "python", "sqlite", "load_average_at_start"},
    "config": {"households", "months", "backend", "db"},
    "build": {"reused", "total_s", "scoring_s", "rollups_s", "peak_rss_mb", "db_size_mb", "summary"},
    "rescore": {"one_month", "write_floor"},
    "pages": {"runs", "pages", "peak_rss_mb"},
    "watchlist": {"runs", "combinations", "worst_p95_ms"},
    "reference": {"figures", "worst_ratio", "all_equal", "load"},
    "process": {"bench_peak_rss_mb", "total_s"},
}


def test_bench_json_has_every_key(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "BENCH_DIR", tmp_path)
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    result = run.run_benchmark(240, 14, url=url, runs=1, watchlist_runs=2, reference_runs=1,
                               skip=("import", "new_households", "casework", "browsers"), log=lambda _msg: None)
    json.loads(json.dumps(result, ensure_ascii=False))  # serialisable
    for part, keys in EXPECTED_KEYS.items():
        assert keys <= set(result[part]), (part, keys - set(result[part]))
    from safetynet.ui.registry import PAGES

    assert set(result["pages"]["pages"]) == {p.url_path for p in PAGES}
    assert all(not p["errors"] for p in result["pages"]["pages"].values())
    assert {"cold_s", "warm_s", "slowest_sql"} <= set(result["pages"]["pages"]["overview"])
    assert result["reference"]["all_equal"]
    assert result["rescore"]["one_month"]["mismatches"] == 0
    names = {t["target"] for t in result["targets"]}
    assert {"every page warm render", "every page cold render", "watchlist queries p95",
            "rescore one month, all households", "demo generation + scoring + roll-ups",
            "ratio to DuckDB, every headline figure"} <= names
    assert "Targets" in run.format_report(result)
    # a second run reuses the database and still reports how long it took to build
    again = run.run_benchmark(240, 14, url=url, skip=("rescore", "pages", "watchlist", "reference", "import",
                                                     "new_households", "casework", "browsers"), log=lambda _msg: None)
    assert again["build"]["reused"] and again["build"]["total_s"] == result["build"]["total_s"]


def test_targets_cover_browsers_and_memory():
    fake = {"browsers": {"memory": {"sessions": 10, "server_peak_rss_mb": 512.0},
                         "concurrency": {"sessions": 10, "errors": 0, "page_loads": {"n": 90, "p95_s": 2.5}}}}
    targets = {t["target"]: t for t in run.check_targets(fake)}
    assert targets["app peak memory, 10 sessions open"]["ok"] is True
    assert targets["10 browser sessions + import: errors"]["ok"] is True
    assert targets["10 browser sessions + import: page-load p95"]["ok"] is True
    fake["browsers"]["concurrency"]["page_loads"]["p95_s"] = 3.5
    fake["browsers"]["concurrency"]["errors"] = 2
    targets = {t["target"]: t for t in run.check_targets(fake)}
    assert targets["10 browser sessions + import: page-load p95"]["ok"] is False
    assert targets["10 browser sessions + import: errors"]["ok"] is False


def test_new_households_bench_imports_them_and_leaves_the_database_as_it_was(writable_demo_db):
    """Both files import with exit 0 and are scored; afterwards every table is exactly as before."""
    from safetynet.bench.newhouseholds import measure_new_households
    from tests.conftest import db_url
    from tests.frames import DERIVED_KEYS, assert_frames_equal

    raw = {"household": ["hh_id"], "person": ["person_id"], "household_month": ["hh_id", "month"],
           "household_status": ["change_id"]}
    tables = {**DERIVED_KEYS, **raw}

    def snapshot() -> dict:
        with writable_demo_db.connect() as conn:
            return {t: pd.read_sql(text(f"SELECT * FROM {t}"), conn) for t in tables}

    before = snapshot()
    result = measure_new_households(writable_demo_db, db_url(writable_demo_db), n=40)
    assert result["households_only"]["exit_code"] == 0 and result["with_members_and_month"]["exit_code"] == 0
    assert result["households_only"]["households_rescored"] == 40  # new files, nothing to score yet
    assert result["with_members_and_month"]["households_rescored"] == 40
    assert result["removed"] == 80
    after = snapshot()
    for table, keys in tables.items():
        assert_frames_equal(before[table], after[table], keys)
    targets = {t["target"]: t for t in run.check_targets({"new_households": result})}
    only = targets["import 40 new households (households only), CLI wall time"]
    assert only["measured"].startswith(f"{result['households_only']['wall_s']} s")
    assert only["ok"] == (result["households_only"]["wall_s"] <= run.TARGETS["new_households_s"])


def test_casework_step_bench_saves_and_takes_back(writable_demo_db):
    """Five saved steps are timed; afterwards the scores, watchlist and roll-ups are exactly as before."""
    from safetynet.bench.casework_step import measure_casework_step
    from tests.frames import DERIVED_KEYS, assert_frames_equal

    def derived() -> dict:
        with writable_demo_db.connect() as conn:
            return {t: pd.read_sql(text(f"SELECT * FROM {t}"), conn) for t in (*DERIVED_KEYS, "assistance")}

    before = derived()
    result = measure_casework_step(writable_demo_db, runs=3)
    assert result["runs"] == 3 and len(result["seconds"]) == 3 and result["max_s"] >= result["p50_s"] > 0
    after = derived()
    for table, keys in {**DERIVED_KEYS, "assistance": ["aid_id"]}.items():
        assert_frames_equal(before[table], after[table], keys)
    with writable_demo_db.connect() as conn:
        audited = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE action = 'casework'")).scalar_one()
    assert audited == 3
    targets = {t["target"]: t for t in run.check_targets({"casework": result})}
    step = targets["one casework step saved (help delivered), slowest of runs"]
    assert step["ok"] == (result["max_s"] <= run.TARGETS["casework_step_s"])
