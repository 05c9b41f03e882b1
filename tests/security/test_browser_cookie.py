"""The browser cookie's signing key (safetynet.browser_cookie): from SAFETYNET_SECRET_KEY, or a key file made
once per working directory that every app process started there shares."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from safetynet import browser_cookie


def test_the_key_file_is_made_once_owner_only_and_shared(tmp_path) -> None:
    path = tmp_path / ".streamlit" / "session.key"
    first = browser_cookie._key_file_secret(path)
    assert len(first) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert browser_cookie._key_file_secret(path) == first  # a restart keeps its browsers signed in
    assert [p.name for p in path.parent.iterdir()] == ["session.key"]  # no scratch file left behind


def test_processes_starting_together_agree_on_one_key(tmp_path) -> None:
    path = tmp_path / "session.key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: browser_cookie._key_file_secret(path), range(32)))
    assert keys == {path.read_text().strip().encode()}


def test_a_damaged_key_file_stops_the_start_with_a_reason(tmp_path) -> None:
    path = tmp_path / "session.key"
    path.write_text("short\n")
    with pytest.raises(RuntimeError, match="no usable key"):
        browser_cookie._key_file_secret(path)


def test_the_configured_key_is_the_one_that_signs(monkeypatch) -> None:
    monkeypatch.setenv("SAFETYNET_SECRET_KEY", "a configured key for every host behind one address")
    browser_cookie.server_secret.cache_clear()
    try:
        value = browser_cookie.issue()
        token = browser_cookie.token_of(value)
        assert token and value.startswith(token)
        assert browser_cookie.token_of(value, b"a configured key for every host behind one address") == token
        assert browser_cookie.token_of(value, b"the key of a server configured differently") is None
    finally:
        browser_cookie.server_secret.cache_clear()
