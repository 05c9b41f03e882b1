"""Staying signed in, in real Chromium (issue 12 §1, issue 17 §5): a reload and a new tab keep the session,
another browser does not get it, an edited cookie or one signed under another server's key signs nobody in,
sign-out and a disabled account end it, and an unattended meeting screen expires (its slide timer is not use).
The server runs with a one-minute session for the last one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from safetynet import auth, browser_cookie
from safetynet.bench.server import start_server
from safetynet.db import get_engine
from tests.e2e.conftest import open_page

pytestmark = pytest.mark.e2e

USER, PASSWORD = "e2e_session", "e2e-session-pw-1"
SIGN_IN = ".st-key-sign_in_user"
DONE = ".sn-page-done"


@pytest.fixture(scope="module")
def short_server(app_db_url, tmp_path_factory):
    engine = get_engine(app_db_url)
    auth.create_user(engine, USER, PASSWORD, "staff", "520000", display_name="会话测试", actor=auth.SYSTEM)
    server = start_server(app_db_url, tmp_path_factory.mktemp("sessions") / "server.log",
                          extra_env={"SAFETYNET_SESSION_MINUTES": "1"})
    try:
        yield server.base
    finally:
        server.stop()


def _signed_in(page) -> bool:
    page.wait_for_selector(f"{DONE}, {SIGN_IN}", state="attached", timeout=90_000)
    return page.locator(DONE).count() > 0


def test_reload_and_new_tab_stay_signed_in_other_browsers_and_sign_out_do_not(short_server, app_db_url, chrome):
    context = chrome.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        open_page(page, f"{short_server}/overview", USER, PASSWORD)
        cookie = next(c for c in context.cookies() if c["name"] == "sn_browser")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        with get_engine(app_db_url).connect() as conn:
            kept = [r[0] for r in conn.execute(text("SELECT token_hash FROM app_session"))]
        assert kept and cookie["value"] not in kept  # the database holds the cookie's hash, never the cookie

        page.reload()
        assert _signed_in(page)  # a reload: no password asked
        tab = context.new_page()
        tab.goto(f"{short_server}/watchlist")
        assert _signed_in(tab)  # a new tab of the same browser

        other = chrome.new_context()
        try:
            stranger = other.new_page()
            stranger.goto(f"{short_server}/watchlist")
            assert not _signed_in(stranger)  # another browser gets the sign-in form
        finally:
            other.close()

        page.locator(".st-key-sign_out button").click()
        page.locator(SIGN_IN).wait_for(timeout=60_000)
        page.reload()
        assert not _signed_in(page)  # signed out: a reload asks again
        # the other tab, still open, is signed out at its next step (here: switching the language)
        tab.locator(".st-key-lang button").last.click()
        tab.locator(SIGN_IN).wait_for(timeout=60_000)
        assert tab.get_by_text("You signed out in another tab of this browser.").count() == 1
        tab.reload()
        assert not _signed_in(tab)
    finally:
        context.close()


def test_an_edited_cookie_or_one_signed_under_another_key_signs_nobody_in(short_server, chrome):
    context = chrome.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        open_page(page, f"{short_server}/overview", USER, PASSWORD)
        real = next(c for c in context.cookies() if c["name"] == "sn_browser")
        token = browser_cookie.token_of(real["value"])
        assert token  # the server signed it with the key this test process shares
        edited = real["value"][:-1] + ("A" if real["value"][-1] != "A" else "B")
        other_key = browser_cookie.sign(token, b"the key of another deployment of the app")
        for forged in (edited, other_key, token):
            context.clear_cookies()
            context.add_cookies([{**real, "value": forged}])
            page.reload()
            assert not _signed_in(page), forged
            handed = next(c for c in context.cookies() if c["name"] == "sn_browser")["value"]
            assert handed != forged and browser_cookie.token_of(handed) != token  # a fresh browser identity
        context.clear_cookies()
        context.add_cookies([real])
        page.reload()
        assert _signed_in(page)  # the real cookie still works: the others were refused for their signature
    finally:
        context.close()


def test_disabling_an_account_ends_its_open_session(short_server, app_db_url, chrome):
    context = chrome.new_context(viewport={"width": 1366, "height": 768})
    engine = get_engine(app_db_url)
    try:
        page = context.new_page()
        open_page(page, f"{short_server}/overview", USER, PASSWORD)
        auth.set_active(engine, USER, False, actor=auth.SYSTEM)
        # the next rerun of the open tab (here: switching the language) ends the session, with the reason
        page.locator(".st-key-lang button").last.click()
        page.locator(SIGN_IN).wait_for(timeout=60_000)
        # the page's old content goes once the rerun that ends the session has finished (under load the
        # sign-in form can show a moment before the old elements are cleared)
        expect(page.locator(DONE)).to_have_count(0, timeout=30_000)
        page.reload()
        assert not _signed_in(page)  # nor does the kept session come back
    finally:
        auth.set_active(engine, USER, True, actor=auth.SYSTEM)
        context.close()


def test_an_unattended_meeting_screen_expires(short_server, chrome):
    context = chrome.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        open_page(page, f"{short_server}/meeting?every=5", USER, PASSWORD)
        # one minute without use: the slides keep ticking every 5 s, and the screen still signs out
        page.locator(SIGN_IN).wait_for(timeout=150_000)
        assert page.get_by_text("登录已超时").count() == 1
        page.reload()
        assert not _signed_in(page)  # the expired session's cookie signs nobody in
    finally:
        context.close()
