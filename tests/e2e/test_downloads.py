"""An export in real Chromium reaches the browser that made it, is audited, and its URL is worth nothing
anywhere else: another browser, a plain HTTP client (curl), or the same browser after sign-out (issue 17 §3)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import text

from safetynet.db import get_engine
from tests.e2e.conftest import E2E_USER, open_page

pytestmark = pytest.mark.e2e


def _status_without_session(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # our own server on 127.0.0.1
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def _exports(db_url: str) -> list[dict]:
    with get_engine(db_url).connect() as conn:
        rows = conn.execute(text("SELECT user_name, detail FROM audit_log WHERE action = 'export' ORDER BY audit_id"))
        return [{"user": r[0], **json.loads(r[1])} for r in rows]


def test_an_export_is_delivered_to_its_session_only(app_server, app_db_url, chrome):
    context = chrome.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    open_page(page, f"{app_server}/watchlist?prov=520000")
    before = len(_exports(app_db_url))
    with page.expect_download(timeout=60_000) as waiting:
        page.locator(".st-key-export_csv button").click()
    download = waiting.value
    url = download.url
    assert "/media/" in url
    data = open(download.path(), "rb").read()
    assert data.startswith("\ufeff导出人".encode())  # the file itself arrived, with its header line

    exports = _exports(app_db_url)
    assert len(exports) == before + 1 and exports[-1]["user"] == E2E_USER and exports[-1]["format"] == "csv"

    assert context.request.get(url).status == 200  # the same browser, within its minute: still there
    assert _status_without_session(url) == 403  # curl with the copied link
    other = chrome.new_context()
    try:
        assert other.request.get(url).status == 403  # another browser
    finally:
        other.close()

    page.locator(".st-key-sign_out button").click()
    # the sign-in form by its key: a button named "登录" would match "退出登录" itself
    page.locator(".st-key-sign_in_user").wait_for(timeout=60_000)
    assert context.request.get(url).status == 403  # signed out: the link died with the session
    context.close()


def test_tables_offer_no_toolbar_download(app_server, chrome):
    """The table's own CSV download skipped the audit log; it is switched off (client.disableDataExport)."""
    page = chrome.new_page(viewport={"width": 1600, "height": 1000})
    open_page(page, f"{app_server}/watchlist?prov=520000")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    assert page.locator('[data-testid="stElementToolbar"]').count() >= 1  # the toolbar shows on hover …
    assert page.get_by_role("button", name="Download as CSV").count() == 0  # … without the download
    page.close()
