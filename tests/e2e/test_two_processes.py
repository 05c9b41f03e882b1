"""Two app processes on one PostgreSQL database: an import is seen by the other process at once.

Streamlit keeps sessions and caches inside one process, so a deployment with
several app processes (docs/deployment.md) is only correct if every process
notices a write made elsewhere. They do because every loader in
`safetynet.cache` is keyed on the `data_version` row, which each rerun reads
(uncached) and every write bumps. Here process B shows the overview, a file
is imported into the database (the CLI, as process A's administrators would
load it), and B's next rerun — same browser session, same process-wide cache —
must show the new figure, as must A.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from safetynet import auth, i18n
from safetynet.bench.concurrency import NAVIGATE
from safetynet.bench.server import start_server
from safetynet.db import get_engine, migrate
from safetynet.demo.generate import DemoConfig, generate

USER, PASSWORD = "two_proc_admin", "two-proc-password-1"
HIGH_LABEL = "高风险户"
CHANGED = 6  # households whose latest month the import turns high-risk


def _national_high(engine, month: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COALESCE(SUM(tier_high), 0) FROM rollup_region_month "
                                     "WHERE adcode = '000000' AND month = :m"), {"m": month}).scalar())


def _write_import(engine, month: int, path: Path) -> list[str]:
    """An observations file that makes CHANGED low-risk households high-risk in the latest month:
    no income, a large medical bill and six months out of work (A 30 + C 15 + D 15 points)."""
    with engine.connect() as conn:
        file_nos = [r[0] for r in conn.execute(text(
            "SELECT h.file_no FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
            "WHERE c.month = :m AND c.tier = '低' ORDER BY c.hh_id LIMIT :n"), {"m": month, "n": CHANGED})]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["档案编号", "月份", "工资性收入", "经营净收入", "财产净收入", "转移净收入", "医疗自付支出",
                    "非义务教育支出", "护理支出", "务工必要支出", "稳定就业人数", "失业或未返岗月数", "是否欠薪"])
        for file_no in file_nos:
            w.writerow([file_no, f"{month // 100}-{month % 100:02d}", 0, 0, 0, 0, 200000, 0, 0, 0, 0, 6, "否"])
    return file_nos


def _sign_in(page, base: str) -> None:
    page.goto(base + "/")
    page.wait_for_selector(".sn-page-done, .st-key-sign_in_user", state="attached", timeout=120_000)
    if page.locator(".sn-page-done").count() == 0:
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)
        page.get_by_label("用户名").fill(USER)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
    page.wait_for_selector(".sn-page-done", state="attached", timeout=120_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)


def _high_metric(page):
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(HIGH_LABEL, exact=True))
    return metric.locator('[data-testid="stMetricValue"]').first


def _rerun_overview(page) -> None:
    """The same session reruns the overview (as the top menu does): nothing new is signed in or cached."""
    page.evaluate(NAVIGATE, "/trends")
    page.get_by_role("heading", name="趋势").first.wait_for(timeout=120_000)
    page.evaluate(NAVIGATE, "/overview")
    page.get_by_role("heading", name="总览").first.wait_for(timeout=120_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)
    page.wait_for_selector(".sn-page-done", state="attached", timeout=120_000)


@pytest.mark.postgres
@pytest.mark.e2e
def test_import_through_one_process_shows_in_the_other(pg_server, chrome, tmp_path):
    if pg_server is None:
        pytest.skip("needs PostgreSQL (SAFETYNET_TEST_PG_URL)")
    from playwright.sync_api import expect

    url = pg_server.new_database("twoproc")
    engine = get_engine(url)
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=500, months=18, seed=17))
    auth.create_user(engine, USER, PASSWORD, "admin", "000000", display_name="双进程测试", actor=auth.SYSTEM)
    with engine.connect() as conn:
        month, version_before = conn.execute(text("SELECT latest_month, version FROM data_version")).one()
    high_before = _national_high(engine, month)

    a = start_server(url, tmp_path / "a.log")
    b = start_server(url, tmp_path / "b.log")
    try:
        # the session's browser (one sync Playwright per test process); two contexts = two users
        context_a = chrome.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        context_b = chrome.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        try:
            page_a, page_b = context_a.new_page(), context_b.new_page()
            _sign_in(page_a, a.base)
            _sign_in(page_b, b.base)
            expect(_high_metric(page_b)).to_have_text(i18n.fmt_count(high_before), timeout=30_000)
            _rerun_overview(page_b)  # a rerun without a write: the cached figure, unchanged
            expect(_high_metric(page_b)).to_have_text(i18n.fmt_count(high_before), timeout=30_000)

            changed = _write_import(engine, month, tmp_path / "observations.csv")
            assert len(changed) == CHANGED
            done = subprocess.run([sys.executable, "-m", "safetynet", "--db", url, "import",
                                   str(tmp_path / "observations.csv"), "--json", "--quiet", "--user", "two_proc"],
                                  capture_output=True, text=True, timeout=600, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
            with engine.connect() as conn:
                version_after = conn.execute(text("SELECT version FROM data_version")).scalar()
            assert version_after > version_before
            high_after = _national_high(engine, month)
            assert high_after == high_before + CHANGED

            _rerun_overview(page_b)  # B's next refresh: new data version, so no stale cached figure
            expect(_high_metric(page_b)).to_have_text(i18n.fmt_count(high_after), timeout=30_000)
            _rerun_overview(page_a)
            expect(_high_metric(page_a)).to_have_text(i18n.fmt_count(high_after), timeout=30_000)
            assert page_b.locator('[data-testid="stException"]').count() == 0
        finally:
            context_a.close()
            context_b.close()
    finally:
        a.stop()
        b.stop()
    for server in (a, b):
        assert "Traceback" not in server.log.read_text(errors="replace"), server.log.read_text()[-3000:]
