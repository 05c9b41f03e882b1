"""Stored text is text, in real Chromium (issue 17 §2): on a database whose every text field holds Markdown images
and links, raw HTML, formulas and bidi overrides, the screens that show the most stored text — the poisoned
household file (every tab), the lead, the watchlist, a site (its figure is labelled by the sites' names), users,
the audit log and the data screen after uploading a hostile file — make no request that leaves 127.0.0.1 and
hold no <img> or link built from that text; the text itself is on the screen.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest

from safetynet import auth
from safetynet.bench.server import start_server
from safetynet.db import dispose, get_engine, migrate
from safetynet.demo.generate import DemoConfig, generate
from tests.e2e.conftest import open_page
from tests.support_text import IMG, IP, LINK, hostile, poison

pytestmark = pytest.mark.e2e
USER, PASSWORD = "poison_e2e", "poison-password-1"
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def poisoned_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`streamlit run app.py` on a poisoned demo database (SQLite), with an administrator to sign in as."""
    url = f"sqlite:///{tmp_path_factory.mktemp('poison_e2e') / 'poison.db'}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=200, months=18, seed=7))
    system = getattr(auth, "SYSTEM", None)  # the acting user outside the app (the admin-scope work)
    auth.create_user(engine, USER, PASSWORD, "admin", "000000", display_name="投毒测试", actor=system)
    objects = poison(engine)  # display names too: this administrator's own badge is hostile
    server = start_server(url, tmp_path_factory.mktemp("poison_log") / "server.log")
    try:
        yield {"base": server.base, **objects}
    finally:
        server.stop()
        dispose(url)


def _outside(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname not in LOCAL


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90_000)
    page.wait_for_timeout(500)


def _no_outside_images_or_links(page, where: str) -> None:
    sources = page.eval_on_selector_all("img", "els => els.map(e => e.currentSrc || e.src)")
    assert [s for s in sources if _outside(s)] == [], where
    links = page.eval_on_selector_all("a[href], a[*|href]", "els => els.map(e => e.href.baseVal ?? e.href)")
    assert [h for h in links if IP in h] == [], where
    assert IP in page.inner_text("body"), where  # the text is shown, as text


def test_no_stored_text_reaches_outside_localhost(poisoned_app, chrome):
    context = chrome.new_context(viewport={"width": 1600, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    base = poisoned_app["base"]
    try:
        open_page(page, f"{base}/household?hh={poisoned_app['hh_id']}", USER, PASSWORD)
        for tab in page.get_by_role("tab").all():  # every tab of the file: 一户一策, 动态管理, helpers …
            tab.click()
            _settle(page)
            _no_outside_images_or_links(page, f"household tab {tab.inner_text()}")
        for path in (f"my_work?lead={poisoned_app['lead_id']}", "watchlist", f"sites?site={poisoned_app['site_id']}",
                     "users", "audit"):
            open_page(page, f"{base}/{path}", USER, PASSWORD)
            _settle(page)
            _no_outside_images_or_links(page, path)

        open_page(page, f"{base}/data", USER, PASSWORD)
        header = (f"档案编号,对象类型,职工类别,区县代码,档案状态,发现渠道,认定日期,家庭住址,{IMG}\n"
                  f"520102-Q0000001,困难职工,1,520102,在档,职工申请,2026-01-05,{IMG} {LINK},x\n"
                  f"520102-Q0000002,{LINK},1,520102,在档,职工申请,2026-01-05,x,x\n")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files=[{
            "name": hostile("Y08Y", 64) + ".csv", "mimeType": "text/csv", "buffer": header.encode("utf-8")}])
        page.wait_for_selector(".st-key-da_check button", timeout=90_000)
        _settle(page)
        _no_outside_images_or_links(page, "data preview")
        page.locator(".st-key-da_check button").click()
        _settle(page)
        assert "Y08Y" in page.inner_text("body")  # the uploaded file's name, shown as text
        for tab in page.get_by_role("tab").all():  # 导入数据 with the file's report, 数据健康 with the batches
            tab.click()
            _settle(page)
            _no_outside_images_or_links(page, f"data tab {tab.inner_text()}")
    except Exception:
        page.screenshot(path="/tmp/stored_text_browser.png", full_page=True)
        raise
    finally:
        context.close()
    assert [url for url in requests if _outside(url)] == []
    assert len(requests) > 10  # the listener saw the pages load
