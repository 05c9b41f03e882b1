"""Build the benchmark database with the demo generator, timing its phases.

Run as a child process (`python -m safetynet.bench.build --db URL --households N
--months M`) so its memory is measured on its own; prints one JSON object.
The generator simulates, scores (`pipeline.panel.score_month`, the production
rules), builds the watchlist rows and the roll-ups in one pass; the phases are
timed by wrapping those functions. A writer thread inserts chunk k while chunk
k+1 is simulated, so `write_s` overlaps the other phases.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import threading
import time
from collections import defaultdict

from safetynet.bench.stats import peak_rss_mb


class PhaseTimer:
    """Cumulative wall time per phase, safe to add to from the writer thread."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def wrap(self, phase: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[phase] += time.perf_counter() - started
        return timed


def instrumented_generate(url: str, households: int, months: int, seed: int = 7) -> dict:
    """Run the demo generator on `url` with its phases timed."""
    from safetynet.db import get_engine, migrate
    from safetynet.demo import generate as gen
    from safetynet.pipeline import refresh, rollup

    timer = PhaseTimer()
    patches = [
        (gen, "score_month", "scoring"),
        (gen, "current_rows", "watchlist_rows"),
        (gen._Simulation, "run", "simulate_and_score"),
        (gen, "_write_tables", "write"),
        (refresh, "after_commit", "analyze"),
        (rollup, "contributions", "rollups"),
        (rollup, "combine", "rollups"),
        (rollup, "write_full", "rollups_write"),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, phase in patches:
        setattr(owner, name, timer.wrap(phase, getattr(owner, name)))
    try:
        engine = get_engine(url)
        migrate.ensure_schema(engine)
        started = time.perf_counter()
        counts = gen.generate(engine, gen.DemoConfig(households=households, months=months, seed=seed))
        total = time.perf_counter() - started
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)
    s = timer.seconds
    return {
        "households": households, "months": months, "seed": seed,
        "total_s": round(total, 1),
        # simulate_and_score includes scoring; report the simulation alone as well
        "simulate_s": round(s["simulate_and_score"] - s["scoring"], 1),
        "scoring_s": round(s["scoring"], 1),
        "watchlist_rows_s": round(s["watchlist_rows"], 1),
        "rollups_s": round(s["rollups"] + s["rollups_write"], 1),
        "write_s_overlapped": round(s["write"], 1),
        "analyze_s": round(s["analyze"], 1),
        "rows": {k: v for k, v in counts.items() if k in ("household", "person", "household_month", "risk_score",
                                                          "rollup_region_month")},
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m safetynet.bench.build")
    parser.add_argument("--db", required=True)
    parser.add_argument("--households", type=int, required=True)
    parser.add_argument("--months", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(json.dumps(instrumented_generate(args.db, args.households, args.months, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
