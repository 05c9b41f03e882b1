"""Sessions and sign-in under attack (issue 17 §5, issue 12): a kept session ends when it should, a disabled
account is out at its next rerun, sign-in tells nothing about which names exist, keeps nothing that was typed,
and slows a guessing client without locking the owner out."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from argon2 import PasswordHasher

from safetynet import auth, sessions
from safetynet.auth import AuthError
from tests.support import sql

NOW = dt.datetime(2026, 12, 3, 9, 0)
IDLE = dt.timedelta(minutes=30)
TOKEN = "browser-cookie-value-0123456789abcdef"


@pytest.fixture(autouse=True)
def _fresh_backoff(monkeypatch):
    """Back-off is process memory: each test starts with none."""
    for name in ("CLIENT_BACKOFF", "ADDRESS_BACKOFF", "UNKNOWN_NAMES"):
        old = getattr(auth, name)
        monkeypatch.setattr(auth, name, auth.Throttle(old.free, old.pause, old.longest))


def _user(engine, name="wu", role="staff", scope="520000", password="right-password-1"):
    return auth.create_user(engine, name, password, role, scope, actor=auth.SYSTEM)


def test_a_kept_session_resumes_and_ends_at_idle_sign_out_disable_and_reset(writable_demo_db):
    engine = writable_demo_db
    user = _user(engine)
    epoch = sessions.start(engine, user, TOKEN, NOW)
    stored = sql(engine, "SELECT * FROM app_session")
    assert len(stored) == 1 and TOKEN not in stored.to_string()  # only the cookie's hash is kept
    resumed = sessions.resume(engine, TOKEN, NOW + dt.timedelta(minutes=10), IDLE)
    assert resumed is not None and resumed[0].username == "wu" and resumed[1] == epoch
    assert sessions.resume(engine, "another-browser-cookie-0123456789", NOW, IDLE) is None
    # used at +10 min (kept at most a minute behind), so +35 is within 30 minutes of use
    assert sessions.resume(engine, TOKEN, NOW + dt.timedelta(minutes=35), IDLE) is not None
    assert sessions.resume(engine, TOKEN, NOW + dt.timedelta(minutes=70), IDLE) is None  # idle too long
    assert sql(engine, "SELECT COUNT(*) AS n FROM app_session")["n"].iloc[0] == 0

    sessions.start(engine, user, TOKEN, NOW)
    sessions.end(engine, TOKEN)  # sign-out
    assert sessions.resume(engine, TOKEN, NOW, IDLE) is None

    for change in (lambda: auth.set_active(engine, "wu", False, actor=auth.SYSTEM),
                   lambda: auth.set_password(engine, "wu", "new-password-22", actor=auth.SYSTEM)):
        auth.set_active(engine, "wu", True, actor=auth.SYSTEM)
        epoch = sessions.start(engine, user, TOKEN, NOW)
        assert sessions.current_epoch(engine, user.user_id) == epoch
        change()
        assert sessions.resume(engine, TOKEN, NOW, IDLE) is None
        assert sessions.current_epoch(engine, user.user_id) != epoch  # the tab's own session ends too


def test_a_kept_sign_in_is_seen_by_the_browsers_other_tabs_until_it_ends(writable_demo_db):
    """What every rerun of a kept tab asks (ui/session.py): the browser's row is still there and still this
    user's — gone after a sign-out in another tab, or taken over when that tab signed in as someone else."""
    engine = writable_demo_db
    wu, li = _user(engine), _user(engine, name="li")
    assert not sessions.is_kept(engine, None, wu.user_id)  # no cookie: nothing kept
    sessions.start(engine, wu, TOKEN, NOW)
    assert sessions.is_kept(engine, TOKEN, wu.user_id)
    assert not sessions.is_kept(engine, "another-browser-cookie-0123456789", wu.user_id)
    sessions.start(engine, li, TOKEN, NOW)  # the other tab signed in as li
    assert not sessions.is_kept(engine, TOKEN, wu.user_id) and sessions.is_kept(engine, TOKEN, li.user_id)
    sessions.end(engine, TOKEN)  # and signed out
    assert not sessions.is_kept(engine, TOKEN, li.user_id)


def test_a_disabled_account_is_signed_out_at_its_next_rerun(app, demo_db):
    """A signed-in tab (no cookie needed): the next rerun after the account was disabled shows the sign-in
    form with the reason, and no data."""
    at = app(user=auth.User(0, "sess_staff", "会话测试", "staff", "520000"))
    at.run()
    assert not at.exception and at.session_state["auth"]["user"].username == "sess_staff"
    try:
        auth.set_active(demo_db, "sess_staff", False, actor=auth.SYSTEM)
        at.run()
        assert not at.exception
        assert "auth" not in at.session_state
        assert any("账号已停用或密码已重置" in w.value for w in at.warning)
        assert not at.metric and not at.dataframe
    finally:
        auth.set_active(demo_db, "sess_staff", True, actor=auth.SYSTEM)


def test_a_session_of_a_reset_password_ends_too(app, demo_db):
    at = app(user=auth.User(0, "sess_reset", "会话测试二", "leader", "520000"))
    at.run()
    assert "auth" in at.session_state
    auth.set_password(demo_db, "sess_reset", "a-new-password-1", actor=auth.SYSTEM)
    at.run()
    assert "auth" not in at.session_state and not at.metric


def test_sign_in_verifies_a_hash_for_unknown_names_too(empty_db, monkeypatch):
    """Constant time: an unknown, disabled or malformed name costs one argon2 verification, like a known one
    (before, an unknown name answered in 0.7 ms and a known one in 122 ms)."""
    _user(empty_db, "known")
    auth.create_user(empty_db, "off", "right-password-1", "staff", "520000", actor=auth.SYSTEM)
    auth.set_active(empty_db, "off", False, actor=auth.SYSTEM)
    calls = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            calls.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(auth, "_hasher", Counting())
    for name in ("known", "nobody", "off", "x\x00y", "z" * 5000, ""):
        with pytest.raises(AuthError, match="用户名或密码不正确"):
            auth.authenticate(empty_db, name, "wrong-password-9", now=NOW)
    assert len(calls) == 6


def test_a_nul_in_the_name_on_either_database_is_a_wrong_name_not_an_error(empty_db):
    with pytest.raises(AuthError, match="用户名或密码不正确"):
        auth.authenticate(empty_db, "adm\x00in", "whatever-it-is", now=NOW)


def test_failed_sign_ins_keep_nothing_that_was_typed(empty_db):
    _user(empty_db, "known")
    typed = "My-Secret-Pass-42"  # a password typed into the name box
    with pytest.raises(AuthError):
        auth.authenticate(empty_db, typed, "x", now=NOW, address="10.0.0.5")
    with pytest.raises(AuthError):
        auth.authenticate(empty_db, "known", typed, now=NOW)
    rows = sql(empty_db, "SELECT * FROM audit_log WHERE action = 'sign_in_failed' ORDER BY audit_id")
    assert len(rows) == 2 and typed not in rows.to_string()
    assert rows["user_name"].isna().iloc[0] and rows["user_name"].iloc[1] == "known"  # the account, when one


def test_guessing_pauses_the_account_briefly_and_the_guesser_longer(empty_db):
    _user(empty_db, "owner", password="owner-password-1")
    attacker = {"browser": "attacker-browser-cookie-000000000", "address": "10.9.9.9"}
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(AuthError, match="不正确"):
            auth.authenticate(empty_db, "owner", "guess-guess-1", now=NOW, **attacker)
    # the account pauses half a minute: even the owner's right password, from another client, waits
    with pytest.raises(AuthError, match="秒后再试"):
        auth.authenticate(empty_db, "owner", "owner-password-1", now=NOW + dt.timedelta(seconds=5),
                          browser="owner-browser-cookie-11111111111", address="10.1.1.1")
    # ... and no longer: 30 s later the owner is in, not 15 minutes later
    owner = auth.authenticate(empty_db, "owner", "owner-password-1", now=NOW + dt.timedelta(seconds=31),
                              browser="owner-browser-cookie-11111111111", address="10.1.1.1")
    assert owner.username == "owner"
    # the guessing client's half minute is over too: one more guess, and its wait doubles
    later = NOW + dt.timedelta(seconds=31)
    with pytest.raises(AuthError, match="不正确"):
        auth.authenticate(empty_db, "owner", "guess-guess-2", now=later, **attacker)
    with pytest.raises(AuthError, match="秒后再试") as waited:
        auth.authenticate(empty_db, "owner", "guess-guess-3", now=later + dt.timedelta(seconds=40), **attacker)
    assert "20秒" in str(waited.value)  # 60 s after its sixth failure: 40 s gone, 20 left


def test_a_pause_does_not_tell_which_names_exist(empty_db):
    _user(empty_db, "real")
    answers = {}
    for name in ("real", "made-up-name"):
        for i in range(auth.MAX_FAILURES):
            with pytest.raises(AuthError):
                auth.authenticate(empty_db, name, "wrong", now=NOW, browser=f"b-{name}-{i}-0123456789abcdef")
        with pytest.raises(AuthError) as info:
            auth.authenticate(empty_db, name, "wrong", now=NOW + dt.timedelta(seconds=1),
                              browser=f"b-{name}-x-0123456789abcdef")
        answers[name] = str(info.value)
    assert answers["real"] == answers["made-up-name"] and "秒后再试" in answers["real"]


def test_the_browser_is_shown_no_error_details():
    """Outside development an unexpected error shows neither its message nor its traceback (they can hold SQL,
    table names or typed text): the committed server configuration says so, and Streamlit reads it."""
    import tomllib

    from streamlit import config as st_config

    from safetynet.config import REPO_ROOT

    committed = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert committed["client"]["showErrorDetails"] == "none"
    assert "none" in st_config._config_options_template["client.showErrorDetails"].description


def test_the_audit_log_names_no_account_by_a_code(empty_db):
    """A failed sign-in under a name that is no account is listed as such (its name is not kept), and the
    app's own steps as 系统 / 命令行, not as the codes system / cli."""
    from safetynet.queries import audit_log
    from safetynet.views.audit_log import audit_frame

    with pytest.raises(AuthError):
        auth.authenticate(empty_db, "nobody-at-all", "x", now=NOW)
    _user(empty_db, "known")  # written by auth.SYSTEM
    shown = audit_frame(audit_log.search(empty_db, scope="000000"))
    assert set(shown["user_name"]) == {"（未知账号）", "系统"}


def test_a_tab_in_use_keeps_its_browser_session_fresh(app, demo_db, monkeypatch):
    """A tab rerun every 30 s for two minutes writes the browser's seen_at at least once a minute, so a reload
    after long use is still signed in (the kept row must not age from the sign-in alone)."""
    from safetynet.ui import downloads
    from safetynet.ui import session as ui_session

    clock = {"now": dt.datetime.now().replace(microsecond=0)}
    start = clock["now"]
    monkeypatch.setattr(ui_session, "_now", lambda: clock["now"])
    monkeypatch.setattr(downloads, "browser", lambda: TOKEN)
    at = app(user=auth.User(0, "sess_fresh", "会话测试三", "leader", "520000"))
    user = at.session_state["auth"]["user"]
    sessions.start(demo_db, user, TOKEN, start)
    at.session_state["auth"] = {**at.session_state["auth"], "at": start, "seen": start, "touched": start}
    try:
        for _ in range(4):
            clock["now"] += dt.timedelta(seconds=30)
            at.run()
            assert "auth" in at.session_state
        seen = sql(demo_db, "SELECT seen_at FROM app_session WHERE user_id = :u", u=user.user_id)["seen_at"]
        assert pd.Timestamp(seen.iloc[0]) >= pd.Timestamp(start + dt.timedelta(seconds=60))
    finally:
        sessions.end(demo_db, TOKEN)
