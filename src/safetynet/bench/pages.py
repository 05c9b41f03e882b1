"""Server-side render time of every page through AppTest, cold and warm.

Run as a child process (`python -m safetynet.bench.pages --db URL`), so the
caches and the memory are this measurement's own. A signed-in nationwide
administrator opens app.py, then each page of `ui.registry.PAGES`:

* cold — after `st.cache_data.clear()` and `st.cache_resource.clear()` (a fresh
  process: the engine, the schema check and every loader start empty);
* warm — the same page run again (what every rerun and every other user costs).

The median of `runs` rounds is reported per page, with the slowest SQL
statement of the cold runs (SQLAlchemy cursor events) and, for a page over
its target, the heaviest safetynet functions from cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import logging
import os
import pstats
import sys
import threading
import time
from typing import Any

from sqlalchemy import Engine, event, text

from safetynet.bench.stats import median, peak_rss_mb

COLD_TARGET_S, WARM_TARGET_S = 2.0, 0.3


class SqlTimer:
    """Durations of every SQL statement any engine runs (while `active`)."""

    def __init__(self) -> None:
        self.active = False
        self.records: list[tuple[float, str]] = []
        self._local = threading.local()
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._local.started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = getattr(self._local, "started", None)
        if self.active and started is not None and statement not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.records.append((time.perf_counter() - started, " ".join(statement.split())[:160]))

    def take(self) -> list[tuple[float, str]]:
        out, self.records = self.records, []
        return out


def _quiet() -> None:
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api",
                 "streamlit.runtime.state.session_state_proxy", "streamlit"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _pick_household(url: str) -> int | None:
    from safetynet.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(text("SELECT hh_id FROM household_current WHERE tier = '高' "
                                 "ORDER BY score DESC, hh_id LIMIT 1")).scalar()


def _profile_top(fn, limit: int = 8) -> list[str]:
    """The heaviest safetynet/page functions while fn runs (AppTest runs the script in its own thread)."""
    prof = cProfile.Profile()

    def start_in_thread(frame, event, arg):
        sys.setprofile(None)
        prof.enable()

    threading.setprofile(start_in_thread)
    try:
        fn()
    finally:
        threading.setprofile(None)
        prof.create_stats()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    rows = []
    for (path, line, name), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/safetynet/" in path or "/pages/" in path:
            rows.append((cum, f"{path.split('/src/')[-1].split('/main/')[-1]}:{line} {name}"))
    rows.sort(reverse=True)
    return [f"{cum:.3f}s {where}" for cum, where in rows[:limit]]


def _leaves(node):
    children = getattr(node, "children", None)
    if children:
        for child in children.values() if isinstance(children, dict) else children:
            yield from _leaves(child)
    else:
        yield node


def payload(at) -> dict:
    """Bytes of the elements the page sends to the browser (protobuf), and the largest three."""
    sizes = []
    for node in _leaves(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            sizes.append((proto.ByteSize(), getattr(node, "type", type(node).__name__), getattr(node, "key", None)))
    sizes.sort(key=lambda s: s[0], reverse=True)
    return {"kb": round(sum(s[0] for s in sizes) / 1024, 1),
            "largest": [{"kb": round(b / 1024, 1), "element": t, "key": k} for b, t, k in sizes[:3]]}


def _bench_account(url: str, user):
    """The bench's administrator as an account (every rerun checks the account is enabled), made when missing."""
    from dataclasses import replace

    from sqlalchemy import insert, select

    from safetynet.db import get_engine
    from safetynet.db.schema import app_user

    with get_engine(url).begin() as conn:
        row = conn.execute(select(app_user.c.user_id, app_user.c.session_epoch)
                           .where(app_user.c.username == user.username)).first()
        if row is None:
            row = conn.execute(insert(app_user).values(
                username=user.username, display_name=user.display_name, role=user.role, scope_adcode=user.scope,
                active=True, failed_attempts=0, created_at=dt.datetime.now().replace(microsecond=0))
                .returning(app_user.c.user_id, app_user.c.session_epoch)).first()
        assert row is not None  # INSERT … RETURNING gives the row it made
    return replace(user, user_id=int(row.user_id)), int(row.session_epoch)


def measure_pages(url: str, runs: int = 3, profile_slow: bool = True) -> dict:
    """Cold and warm medians for every page of the registry."""
    os.environ["SAFETYNET_DB_URL"] = url
    os.environ["SAFETYNET_AUTO_DEMO"] = "0"
    os.environ.setdefault("SAFETYNET_DEMO_MODE", "0")
    from streamlit.testing.v1 import AppTest

    from safetynet.auth import User
    from safetynet.config import REPO_ROOT
    from safetynet.ui.registry import PAGES

    _quiet()
    sql = SqlTimer()
    admin = User(user_id=0, username="bench_admin", display_name="基准测试", role="admin", scope="000000")
    hh = _pick_household(url)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=900)
    if hh is not None:
        at.query_params["hh"] = str(hh)
    admin, epoch = _bench_account(url, admin)
    now = dt.datetime.now()
    at.session_state["auth"] = {"user": admin, "epoch": epoch, "at": now, "seen": now}
    started = time.perf_counter()
    at.run()  # imports streamlit, pandas, plotly, pydeck: not part of any page's time
    first_run = time.perf_counter() - started
    results: dict[str, dict] = {}
    for spec in PAGES:
        cold, warm, errors, slow_sql = [], [], [], []
        for _ in range(runs):
            at.session_state["auth"]["seen"] = dt.datetime.now()
            _quiet()
            _clear_caches()
            at.switch_page(f"pages/{spec.file}")
            sql.active = True
            t0 = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - t0)
            sql.active = False
            slow_sql.extend(sql.take())
            if at.exception:
                errors.append(str(at.exception[0].message)[:200])
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
            if at.exception:
                errors.append(str(at.exception[0].message)[:200])
        slow_sql.sort(reverse=True)
        entry: dict[str, Any] = {
            "cold_s": round(median(cold), 3), "warm_s": round(median(warm), 3),
            "cold_runs": [round(x, 3) for x in cold], "warm_runs": [round(x, 3) for x in warm],
            "title": at.title[0].value if at.title else None,
            "payload": payload(at),
            "errors": errors,
            "sql_statements_cold": len(slow_sql) // max(runs, 1),
            "slowest_sql": [{"ms": round(d * 1000, 1), "sql": s} for d, s in slow_sql[:3]],
        }
        if profile_slow and (entry["cold_s"] > COLD_TARGET_S or entry["warm_s"] > WARM_TARGET_S):
            _clear_caches()
            at.switch_page(f"pages/{spec.file}")
            entry["profile_cold"] = _profile_top(at.run)
            entry["profile_warm"] = _profile_top(at.run)
        results[spec.url_path] = entry
    return {"runs": runs, "first_run_s": round(first_run, 2), "household_page_hh": hh, "pages": results,
            "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m safetynet.bench.pages")
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)
    result = measure_pages(args.db, args.runs, profile_slow=not args.no_profile)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
