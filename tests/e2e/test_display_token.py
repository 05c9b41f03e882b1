"""A wall screen's display token in real Chromium (issue 12 §1): the link opens the meeting screen with no
password, no menu and no sign-out; a reload and a new browser (a power cut) open it again; a revocation ends the
running screen at its next slide with the reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safetynet import auth, display_tokens
from safetynet.db import get_engine

pytestmark = pytest.mark.e2e

DONE = ".sn-page-done"
SIGN_IN = ".st-key-sign_in_user"


def _shown(page) -> str:
    page.wait_for_selector(f"{DONE}, {SIGN_IN}", state="attached", timeout=90_000)
    return "screen" if page.locator(DONE).count() else "sign-in"


def test_a_display_link_survives_a_reload_and_a_power_cut_and_ends_when_revoked(app_server, app_db_url, chrome):
    engine = get_engine(app_db_url)
    admin = auth.create_user(engine, "e2e_token_admin", "e2e-token-pw-1", "admin", "000000", actor=auth.SYSTEM)
    issued = display_tokens.issue(engine, "端到端会议室", "520000", actor=admin)
    url = app_server + display_tokens.link(issued.token) + "&every=5&screens=kpi,trend"

    context = chrome.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(url)
        assert _shown(page) == "screen"
        # no menu (test_layouts.py finds this one for a person)
        assert page.locator('[data-testid="stTopNav"], [data-testid="stSidebarNav"]').count() == 0
        assert page.locator(".st-key-sign_out").count() == 0 and page.get_by_text("退出大屏").count() == 0
        page.reload()
        assert _shown(page) == "screen"  # a reload: the link signs the screen in again
    finally:
        context.close()

    power_cut = chrome.new_context(viewport={"width": 1920, "height": 1080})  # no cookie, no session left
    try:
        page = power_cut.new_page()
        page.goto(url)
        assert _shown(page) == "screen"
        display_tokens.revoke(engine, issued.token_id, actor=admin)
        # the slide timer's next tick checks the token: the screen gives way to the sign-in form and says why
        page.locator(SIGN_IN).wait_for(timeout=60_000)
        expect(page.locator('[data-testid="stAlertContentError"]').first).to_contain_text("撤销", timeout=30_000)
        page.reload()
        assert _shown(page) == "sign-in"
    finally:
        power_cut.close()
