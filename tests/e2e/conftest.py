"""A real app server on a free port and a real headless Chromium (Debian's, never a download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from safetynet import auth
from safetynet.bench.server import CHROMIUM_ARGS, start_server
from safetynet.db import get_engine, migrate
from safetynet.demo.generate import DemoConfig, generate

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"
E2E_USER, E2E_PASSWORD = "e2e_admin", "e2e-password-1"
def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if not path:
        if os.environ.get("SAFETYNET_REQUIRE_BROWSER") == "1":
            pytest.fail("SAFETYNET_REQUIRE_BROWSER=1 but no chromium on PATH")
        pytest.skip("no chromium on PATH (apt-get install chromium fonts-noto-cjk)")
    return path


@pytest.fixture(scope="session")
def app_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The browser tests' demo database (SQLite), with an administrator to sign in as."""
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    url = f"sqlite:///{db}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=800, months=24, seed=21))
    auth.create_user(engine, E2E_USER, E2E_PASSWORD, "admin", "000000", display_name="端到端测试", actor=auth.SYSTEM)
    return url


@pytest.fixture(scope="session")
def app_server(app_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` against the demo database; yields the base URL."""
    server = start_server(app_db_url, tmp_path_factory.mktemp("log") / "server.log")
    try:
        yield server.base
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chrome(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(page, url: str, username: str = E2E_USER, password: str = E2E_PASSWORD) -> None:
    """Open `url` as a signed-in user: a new page load is a new Streamlit session, so — like a
    user opening a shared link — sign in through the real form, then wait for the page to finish."""
    page.goto(url)
    page.wait_for_selector('.sn-page-done, .st-key-sign_in_user', state="attached", timeout=90_000)
    if page.locator(".sn-page-done").count() == 0:  # by widget key: the form may be in English (?lang=en)
        page.locator(".st-key-sign_in_user input").fill(username)
        page.locator(".st-key-sign_in_password input").fill(password)
        page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_selector(".sn-page-done", state="attached", timeout=90_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90_000)
    # a deep link must open its page, not Streamlit's "Page not found" dialog over the default page
    assert page.locator('[role="dialog"]', has_text="Page not found").count() == 0, url
