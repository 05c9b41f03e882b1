"""会议大屏 in a real browser, as a presenter runs it: every slide in both themes at 1920×1080, previous, pause
and next by button and by key, an unknown slide name as an error on screen. The screenshots are saved to
screenshots/meeting-THEME-SLIDE.png for a look from the back of the room."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safetynet.views.meeting import SLIDES
from tests.e2e.conftest import SCREENSHOTS, open_page

ALL = ",".join(SLIDES)


def _heading(page):
    return page.locator(".sn-meet h1").first


def _wait_quiet(page) -> None:
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_slide_by_key_and_button_in_both_themes(app_server, chrome, theme):
    page = chrome.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        open_page(page, f"{app_server}/meeting?screens={ALL}&every=600&theme={theme}")
        labels = list(SLIDES.values())
        for i, (code, label) in enumerate(SLIDES.items()):
            expect(_heading(page)).to_contain_text(label, timeout=30_000)
            expect(page.locator(".sn-position").first).to_have_text(f"{i + 1}/{len(SLIDES)}")
            _wait_quiet(page)
            page.wait_for_timeout(1500 if code in ("map", "trend") else 300)  # WebGL and Plotly draw after load
            assert page.locator('[data-testid="stException"]').count() == 0
            page.screenshot(path=str(SCREENSHOTS / f"meeting-{theme}-{code}.png"))
            if i % 2:
                page.locator(".st-key-meeting_next button").click()
            else:
                page.keyboard.press("ArrowRight")
        expect(_heading(page)).to_contain_text(labels[0], timeout=30_000)  # round the end, to the first
        page.keyboard.press("ArrowLeft")
        expect(_heading(page)).to_contain_text(labels[-1], timeout=30_000)
        page.locator(".st-key-meeting_prev button").click()
        expect(_heading(page)).to_contain_text(labels[-2], timeout=30_000)
        page.locator(".st-key-meeting_pause button").click()
        expect(page.locator(".sn-meet .sub").first).to_contain_text("已暂停", timeout=30_000)
        expect(page.locator(".st-key-meeting_pause button")).to_contain_text("继续")
        page.keyboard.press("p")
        expect(page.locator(".st-key-meeting_pause button")).to_contain_text("暂停", timeout=30_000)
        expect(page.locator(".sn-meet .sub").first).not_to_contain_text("已暂停")
    finally:
        page.close()


def test_an_unknown_slide_name_is_an_error_on_screen(app_server, chrome):
    page = chrome.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        open_page(page, f"{app_server}/meeting?screens=kpi,bogus&theme=light")
        expect(page.locator('[data-testid="stAlertContentError"]').first).to_contain_text("bogus", timeout=30_000)
        expect(_heading(page)).to_contain_text(SLIDES["kpi"])
    finally:
        page.close()


def test_a_paused_screen_stays_on_its_slide(app_server, chrome):
    page = chrome.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        open_page(page, f"{app_server}/meeting?screens=kpi,newly&every=5")
        expect(_heading(page)).to_contain_text(SLIDES["kpi"], timeout=30_000)  # starts at the first slide
        page.locator(".st-key-meeting_pause button").click()
        expect(page.locator(".sn-meet .sub").first).to_contain_text("已暂停", timeout=30_000)
        page.wait_for_timeout(12_000)  # two periods
        expect(_heading(page)).to_contain_text(SLIDES["kpi"])
    finally:
        page.close()
