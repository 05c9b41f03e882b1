"""Real browsers against a real server: memory with 10 sessions open, then page loads during an import.

One `streamlit run app.py` serves the benchmark database; one headless
Chromium (the system's, never a download) opens N contexts — N users, each
with its own Streamlit session — and signs each in through the real form.

1. memory: every session opens 总览, 地图 and 风险名单 at the same time; the
   server's peak RSS (process tree, psutil) is recorded while they are open.
2. concurrency: every session cycles through the pages (in-app navigation,
   as the top menu does: the URL changes and the same session reruns) while
   `python -m safetynet import` loads an observations file into the same
   database in another process (with its incremental rescore, which bumps
   the data version, so the sessions' next page loads read fresh data). Each
   page load is timed until the page's heading is shown, the run finished and
   the page's end marker is there; errors are exceptions on the page,
   JavaScript errors and loads that time out.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import text

from safetynet.auth import MONITORING
from safetynet.bench.memory import RssSampler
from safetynet.bench.server import CHROMIUM_ARGS, ensure_user, start_server
from safetynet.bench.stats import percentile
from safetynet.db import get_engine
from safetynet.ui.registry import PAGES

BENCH_USER, BENCH_PASSWORD = "bench_admin", "bench-password-1"
LOAD_TIMEOUT_MS = 120_000
# In-app navigation, as the top menu does it: the URL changes and the same session reruns with that page.
NAVIGATE = "p => { history.pushState({}, '', p); window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }"
MEMORY_PAGES = ("overview", "map", "watchlist")
CYCLE = tuple(p for p in PAGES if p.url_path in (*MONITORING, "watchlist", "household"))
OBS_HEADERS = ("档案编号", "月份", "工资性收入", "经营净收入", "财产净收入", "转移净收入", "医疗自付支出",
               "非义务教育支出", "护理支出", "务工必要支出", "稳定就业人数", "失业或未返岗月数", "是否欠薪",
               "节后是否返岗")
OBS_COLUMNS = ("file_no", "month", "income_wage", "income_operating", "income_property", "income_transfer",
               "spend_medical", "spend_school", "spend_care", "spend_work", "members_employed",
               "months_out_of_work", "wage_arrears", "returned_after_festival")


def observations_file(db_url: str, households: int, path: Path, income_factor: float = 0.6) -> int:
    """A CSV correcting the latest month of `households` files (wage income × income_factor)."""
    engine = get_engine(db_url)
    with engine.connect() as conn:
        latest = conn.execute(text("SELECT MAX(month) FROM household_month")).scalar_one()
        rows = conn.execute(text(
            f"SELECT h.file_no, m.month, {', '.join('m.' + c for c in OBS_COLUMNS[2:])} FROM household_month m "
            "JOIN household h ON h.hh_id = m.hh_id WHERE m.month = :m ORDER BY m.hh_id LIMIT :n"),
            {"m": latest, "n": households}).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OBS_HEADERS)
    yes_no = {None: "", True: "是", False: "否"}  # 1 and 0 hash as True and False
    for r in rows:
        month = f"{r[1] // 100}-{r[1] % 100:02d}"
        writer.writerow([r[0], month, round(r[2] * income_factor, 2), *r[3:10], r[10], r[11],
                         yes_no[r[12]], yes_no[r[13]]])
    path.write_text(out.getvalue(), encoding="utf-8")
    return len(rows)


def start_import(db_url: str, csv_path: Path, log: Path) -> subprocess.Popen:
    err = open(log, "w")
    return subprocess.Popen([sys.executable, "-m", "safetynet", "--db", db_url, "import", str(csv_path), "--json",
                             "--quiet", "--user", "bench"], stdout=subprocess.PIPE, stderr=err)


async def _done(page, spec) -> None:
    if spec.url_path == "meeting":
        await page.locator(".sn-meet h1").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    else:
        await page.get_by_role("heading", name=spec.title).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_selector(".sn-page-done", state="attached", timeout=LOAD_TIMEOUT_MS)


async def _sign_in(page, url: str) -> None:
    await page.goto(url)
    await page.wait_for_selector(".sn-page-done, .st-key-sign_in_user", state="attached", timeout=LOAD_TIMEOUT_MS)
    if await page.locator(".sn-page-done").count() == 0:
        await page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=LOAD_TIMEOUT_MS)
        await page.get_by_label("用户名").fill(BENCH_USER)
        await page.get_by_label("密码").fill(BENCH_PASSWORD)
        await page.get_by_role("button", name="登录").click()
    await page.wait_for_selector(".sn-page-done", state="attached", timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=LOAD_TIMEOUT_MS)


class Session:
    """One signed-in browser context: times page loads, counts errors."""

    def __init__(self, context, page, name: str) -> None:
        self.context, self.page, self.name = context, page, name
        self.loads: list[tuple[str, float, str]] = []  # (page, seconds, phase)
        self.errors: list[str] = []
        self.received = 0  # websocket bytes from the server (the page payload)
        self.payload: dict[str, list[int]] = {}
        page.on("pageerror", lambda e: self.errors.append(f"{name} js: {str(e)[:160]}"))
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        def count(payload) -> None:
            self.received += len(payload)

        ws.on("framereceived", count)

    async def open(self, spec, phase: str) -> None:
        started = time.perf_counter()
        self.received = 0
        try:
            await self.page.evaluate(NAVIGATE, "/" + spec.url_path)
            await _done(self.page, spec)
        except Exception as exc:  # noqa: BLE001 - a failed load is a counted error, not a crash
            self.errors.append(f"{self.name} {spec.url_path}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            return
        self.loads.append((spec.url_path, time.perf_counter() - started, phase))
        self.payload.setdefault(spec.url_path, []).append(self.received)
        if await self.page.locator('[data-testid="stException"]').count():
            text_ = await self.page.locator('[data-testid="stException"]').first.inner_text()
            self.errors.append(f"{self.name} {spec.url_path}: exception: {text_[:160]}")


def _tree_cpu(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _cpu_split(server_pid: int, import_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the app server, the browsers (Playwright + Chromium) and the import.

    Of the browsers', `browser_gpu` is Chromium's GPU process: without a GPU it runs WebGL in software
    (SwiftShader), where each map's shaders are compiled again for every page load.
    """
    me = psutil.Process()
    out = {"server": 0.0, "browsers": 0.0, "browser_gpu": 0.0, "import": 0.0}
    for child in me.children(recursive=False):
        try:
            key = "server" if child.pid == server_pid else "import" if child.pid == import_pid else "browsers"
            out[key] += _tree_cpu(child)
            if key == "browsers":
                for proc in child.children(recursive=True):
                    if "--type=gpu-process" in proc.cmdline():
                        out["browser_gpu"] += _tree_cpu(proc)
        except psutil.NoSuchProcess:
            pass
    return out


def _merge(dicts: list[dict[str, list[int]]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for d in dicts:
        for k, v in d.items():
            out.setdefault(k, []).extend(v)
    return out


def _stats(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), "p50_s": round(percentile(seconds, 50), 2), "p95_s": round(percentile(seconds, 95), 2),
            "max_s": round(max(seconds), 2)}


async def _run(db_url: str, base: str, sampler: RssSampler, sessions: int, import_households: int,
               min_cycles: int, workdir: Path) -> dict:
    from playwright.async_api import async_playwright

    by_path = {p.url_path: p for p in PAGES}
    result: dict = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
                                           headless=True, args=CHROMIUM_ARGS)
        try:
            group: list[Session] = []
            sampler.mark("sign_in")
            started = time.perf_counter()
            sign_in_times: list[float] = []

            async def new_session(i: int) -> Session | None:  # None: the sign-in failed
                context = await browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
                context.set_default_timeout(LOAD_TIMEOUT_MS)
                page = await context.new_page()
                s = Session(context, page, f"s{i}")
                t0 = time.perf_counter()
                try:
                    await _sign_in(page, f"{base}/")  # the default page (总览) lives at the root
                except Exception as exc:  # noqa: BLE001 - counted, the run goes on with the others
                    sign_in_errors.append(f"s{i} sign-in: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                    await context.close()
                    return None
                sign_in_times.append(time.perf_counter() - t0)
                return s

            # One after another: a fresh server answers its first request in Streamlit's legacy pages/
            # mode (sessions arriving meanwhile are shown 无权访问此页面), and on SQLite simultaneous
            # sign-ins fail with "database is locked" (auth.authenticate reads, verifies the password,
            # then writes in one deferred transaction). Both are reported in docs/benchmarks.md; here
            # the sessions are opened in turn so that the cycling below really has `sessions` users.
            sign_in_errors: list[str] = []
            opened: list[Session | None] = []
            for i in range(sessions):
                opened.append(await new_session(i))
            group = [s for s in opened if s is not None]
            result["sign_in"] = {**_stats(sign_in_times), "wall_s": round(time.perf_counter() - started, 1),
                                 "errors": sign_in_errors}

            # 1. memory: every session has overview, map and watchlist open
            sampler.mark("memory")
            for path in MEMORY_PAGES:
                await asyncio.gather(*(s.open(by_path[path], "memory") for s in group))
            result["memory"] = {"sessions": sessions, "pages": list(MEMORY_PAGES),
                                "server_peak_rss_mb": round(sampler.phases.get("memory", 0.0), 1)}

            # 2. cycling through the pages while an import runs
            csv_path = workdir / "bench_observations_update.csv"
            n_rows = observations_file(db_url, import_households, csv_path)
            sampler.mark("concurrency")
            imp = start_import(db_url, csv_path, workdir / "import.log")
            imp_started = time.perf_counter()
            imp_seconds: float | None = None

            async def cycle(s: Session, offset: int) -> None:
                nonlocal imp_seconds
                done_cycles = 0
                while done_cycles < min_cycles or imp.poll() is None:
                    for k in range(len(CYCLE)):
                        await s.open(CYCLE[(k + offset) % len(CYCLE)], "import" if imp.poll() is None else "after")
                    done_cycles += 1

            imp_cpu = 0.0  # sampled while it runs: an exited process's CPU time can no longer be read

            async def watch_import() -> None:
                nonlocal imp_seconds, imp_cpu
                while imp.poll() is None:
                    try:
                        imp_cpu = _tree_cpu(psutil.Process(imp.pid))
                    except psutil.NoSuchProcess:
                        break
                    await asyncio.sleep(0.2)
                imp_seconds = time.perf_counter() - imp_started

            cycle_started = time.perf_counter()
            cpu_before = _cpu_split(sampler.pid, imp.pid)
            await asyncio.gather(watch_import(), *(cycle(s, i) for i, s in enumerate(group)))
            cpu_after = _cpu_split(sampler.pid, imp.pid)
            out = imp.stdout.read().decode() if imp.stdout else ""
            try:
                imp_json = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
            except json.JSONDecodeError:
                imp_json = {"raw": out[-500:]}
            loads = [sec for s in group for (_, sec, phase) in s.loads if phase != "memory"]
            during = [sec for s in group for (_, sec, phase) in s.loads if phase == "import"]
            per_page: dict[str, list[float]] = {}
            for s in group:
                for path, sec, phase in s.loads:
                    if phase != "memory":
                        per_page.setdefault(path, []).append(sec)
            errors = sign_in_errors + [e for s in group for e in s.errors]
            result["concurrency"] = {
                "sessions": sessions, "pages_in_cycle": [p.url_path for p in CYCLE], "min_cycles": min_cycles,
                "wall_s": round(time.perf_counter() - cycle_started, 1),
                "page_loads": _stats(loads), "page_loads_during_import": _stats(during),
                "per_page_p95_s": {k: round(percentile(v, 95), 2) for k, v in per_page.items()},
                "payload_kb_median": {k: round(percentile(v, 50) / 1024, 1) for k, v in
                                      _merge([s.payload for s in group]).items()},
                "errors": len(errors), "error_samples": errors[:10],
                "import": {"rows": n_rows, "exit_code": imp.returncode,
                           "seconds": round(imp_seconds or 0.0, 1),
                           "rows_rescored": imp_json.get("households_rescored"),
                           "data_version": imp_json.get("data_version")},
                "server_peak_rss_mb": round(sampler.phases.get("concurrency", 0.0), 1),
                "cpu_s": {**{k: round(cpu_after[k] - cpu_before.get(k, 0.0), 1) for k in cpu_after},
                          "import": round(imp_cpu, 1)},
            }
            for s in group:
                await s.context.close()
        finally:
            await browser.close()
    return result


def measure_browsers(db_url: str, sessions: int = 10, import_households: int = 2000, min_cycles: int = 2) -> dict:
    """Start the server, run the memory and concurrency phases, stop the server."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return {"skipped": "no chromium on PATH (apt-get install chromium fonts-noto-cjk)"}
    ensure_user(db_url, BENCH_USER, BENCH_PASSWORD)
    workdir = Path(tempfile.mkdtemp(prefix="sn_bench_browsers_"))
    server = start_server(db_url, workdir / "server.log")
    try:
        with RssSampler(server.proc.pid) as sampler:
            sampler.mark("idle")
            result = asyncio.run(_run(db_url, server.base, sampler, sessions, import_households, min_cycles, workdir))
            result["server_peak_rss_mb"] = round(sampler.peak_mb, 1)
            result["server_idle_rss_mb"] = round(sampler.phases.get("idle", 0.0), 1)
    finally:
        server.stop()
    log = (workdir / "server.log").read_text(errors="replace")
    result["server_tracebacks"] = log.count("Traceback")
    result["workdir"] = str(workdir)
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m safetynet.bench.concurrency")
    parser.add_argument("--db", required=True)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--import-households", type=int, default=2000)
    parser.add_argument("--min-cycles", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(measure_browsers(args.db, args.sessions, args.import_households, args.min_cycles),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
