"""Display tokens (大屏令牌, issue 12 §1) without Streamlit, on both backends: issue within the administrator's
scope, only the hash stored, the screen session a masked display pseudo-user of the meeting screen, revocation
and expiry refused with their reasons, every write audited in its own transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet import audit, auth, display_tokens
from safetynet.auth import AuthError
from safetynet.views import users as users_view

NOW = dt.datetime(2026, 12, 4, 9, 0)


def _audit(engine) -> pd.DataFrame:
    return pd.read_sql(text("SELECT * FROM audit_log WHERE action = 'display_token' ORDER BY audit_id"), engine)


def _tokens(engine) -> pd.DataFrame:
    return pd.read_sql(text("SELECT * FROM display_token ORDER BY token_id"), engine)


def _admins(engine) -> tuple[auth.User, auth.User]:
    nation = auth.create_user(engine, "dt_nation", "password-dt-1", "admin", "000000", actor=auth.SYSTEM)
    province = auth.create_user(engine, "dt_guizhou", "password-dt-2", "admin", "520000", actor=auth.SYSTEM)
    return nation, province


def test_a_token_opens_a_masked_meeting_screen_of_its_region_until_revoked(writable_demo_db):
    """The whole life of a token on a database holding the demo data."""
    engine = writable_demo_db
    _, province = _admins(engine)
    issued = display_tokens.issue(engine, " 三楼会议室 ", "520100", actor=province, now=NOW)
    assert issued.name == "三楼会议室" and issued.expires_at == NOW + dt.timedelta(days=365)
    assert issued.link == f"/meeting?display={issued.token}" and len(issued.token) >= 40

    stored = _tokens(engine)
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["token_hash"] == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in stored.astype(str).to_string()  # only the hash is kept
    assert issued.token not in _audit(engine).astype(str).to_string()  # and never logged
    assert (row["scope_adcode"], row["issued_by"], pd.isna(row["last_used_at"])) == ("520100", "dt_guizhou", True)

    user, token_id = display_tokens.open_screen(engine, issued.token, NOW + dt.timedelta(hours=2))
    assert token_id == issued.token_id
    assert (user.role, user.scope, user.display_name, user.username) == (
        "display", "520100", "三楼会议室", f"display:{issued.token_id}")
    assert user.is_display and not user.may_unmask
    assert user.may_open("meeting") and not any(user.may_open(p) for p in ("overview", "watchlist", "household",
                                                                            "users", "data", "audit", "my_work"))
    assert pd.Timestamp(_tokens(engine).iloc[0]["last_used_at"]) == NOW + dt.timedelta(hours=2)
    # a year on, without any use in between, the token still opens (no idle expiry)
    later = NOW + dt.timedelta(days=364)
    assert display_tokens.still_valid(engine, token_id, later)
    assert display_tokens.open_screen(engine, issued.token, later)[1] == token_id

    display_tokens.revoke(engine, issued.token_id, actor=province, now=later + dt.timedelta(minutes=1))
    assert not display_tokens.still_valid(engine, token_id, later + dt.timedelta(minutes=2))
    with pytest.raises(AuthError, match="已被撤销"):
        display_tokens.open_screen(engine, issued.token, later + dt.timedelta(minutes=2))
    with pytest.raises(AuthError, match="已被撤销"):  # a second revocation is refused, not audited twice
        display_tokens.revoke(engine, issued.token_id, actor=province)

    log = _audit(engine)
    changes = [json.loads(d)["change"] for d in log["detail"]]
    assert changes == ["issue", "use", "use", "revoke", "refused"]
    assert set(log["region_adcode"]) == {"520100"} and set(log["target"]) == {"三楼会议室"}
    assert list(log["user_name"]) == ["dt_guizhou", user.username, user.username, "dt_guizhou", user.username]
    assert json.loads(log["detail"].iloc[-1])["reason"] == "已撤销"
    revoked = _tokens(engine).iloc[0]
    assert revoked["revoked_by"] == "dt_guizhou" and not pd.isna(revoked["revoked_at"])


def test_an_expired_an_unknown_and_a_malformed_token_are_refused(empty_db):
    nation, _ = _admins(empty_db)
    issued = display_tokens.issue(empty_db, "大厅", "000000", days=1, actor=nation, now=NOW)
    assert display_tokens.open_screen(empty_db, issued.token, NOW + dt.timedelta(hours=23))[0].scope == "000000"
    with pytest.raises(AuthError, match="已过期"):
        display_tokens.open_screen(empty_db, issued.token, NOW + dt.timedelta(days=1))
    assert not display_tokens.still_valid(empty_db, issued.token_id, NOW + dt.timedelta(days=1))
    for token in ("x" * 43, issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B"), "", None,
                  "'; DROP TABLE display_token; --", "令牌" * 20, issued.token + "\x00"):
        with pytest.raises(AuthError, match="无效"):
            display_tokens.open_screen(empty_db, token, NOW)
    assert [json.loads(d)["change"] for d in _audit(empty_db)["detail"]] == ["issue", "use", "refused"]


def test_last_use_is_noted_at_most_hourly_while_a_screen_runs(empty_db):
    nation, _ = _admins(empty_db)
    issued = display_tokens.issue(empty_db, "大厅", "520000", actor=nation, now=NOW)
    display_tokens.open_screen(empty_db, issued.token, NOW)
    assert display_tokens.still_valid(empty_db, issued.token_id, NOW + dt.timedelta(minutes=59))
    assert pd.Timestamp(_tokens(empty_db).iloc[0]["last_used_at"]) == NOW
    assert display_tokens.still_valid(empty_db, issued.token_id, NOW + dt.timedelta(minutes=61))
    assert pd.Timestamp(_tokens(empty_db).iloc[0]["last_used_at"]) == NOW + dt.timedelta(minutes=61)
    assert len(_audit(empty_db)) == 2  # issue and the session's start: a rerun is not audited


@pytest.mark.parametrize(("who", "name", "scope", "days", "refusal"), [
    ("province", "三楼", "530000", 365, "之内"),  # another province
    ("province", "三楼", "000000", 365, "之内"),  # wider than the own scope
    ("province", "三楼", "529999", 365, "不存在"),
    ("province", "三楼", "52000", 365, "6位"),
    ("province", "  ", "520000", 365, "大屏名称"),
    ("province", "三" * 65, "520000", 365, "大屏名称"),
    ("province", "三楼\u202e", "520000", 365, "大屏名称"),
    ("province", "三楼", "520000", 0, "有效期"),
    ("province", "三楼", "520000", 3651, "有效期"),
    ("staff", "三楼", "520000", 365, "只有管理员"),
])
def test_an_issue_outside_the_rules_is_refused_and_writes_nothing(empty_db, who, name, scope, days, refusal):
    _, province = _admins(empty_db)
    actor = province if who == "province" else auth.create_user(empty_db, "dt_staff", "password-dt-3", "staff",
                                                                "520000", actor=auth.SYSTEM)
    with pytest.raises(AuthError, match=refusal):
        display_tokens.issue(empty_db, name, scope, days, actor=actor, now=NOW)
    assert _tokens(empty_db).empty and _audit(empty_db).empty


def test_an_administrator_lists_and_revokes_only_the_tokens_inside_their_scope(empty_db):
    nation, province = _admins(empty_db)
    yunnan = display_tokens.issue(empty_db, "云南大厅", "530000", actor=nation, now=NOW)
    guiyang = display_tokens.issue(empty_db, "贵阳三楼", "520100", actor=nation, now=NOW + dt.timedelta(minutes=1))
    own = display_tokens.issue(empty_db, "贵州五楼", "520000", actor=province, now=NOW + dt.timedelta(minutes=2))
    assert [r["name"] for r in display_tokens.list_tokens(empty_db, province)] == ["贵州五楼", "贵阳三楼"]
    assert [r["name"] for r in display_tokens.list_tokens(empty_db, nation)] == ["贵州五楼", "贵阳三楼", "云南大厅"]
    with pytest.raises(AuthError, match="没有此大屏令牌"):  # outside the scope: answered as unknown
        display_tokens.revoke(empty_db, yunnan.token_id, actor=province)
    with pytest.raises(AuthError, match="没有此大屏令牌"):
        display_tokens.revoke(empty_db, 9999, actor=province)
    display_tokens.revoke(empty_db, guiyang.token_id, actor=province)  # issued by someone else, inside the scope
    assert display_tokens.open_screen(empty_db, yunnan.token, NOW)[0].scope == "530000"
    assert display_tokens.open_screen(empty_db, own.token, NOW)[0].scope == "520000"
    frame = users_view.tokens_frame(display_tokens.list_tokens(empty_db, nation), str, NOW + dt.timedelta(days=1))
    assert list(frame["state"]) == ["有效", "已撤销", "有效"] and list(frame["revoked_by"]) == ["", "dt_guizhou", ""]
    assert list(frame["last_used_at"]) == ["2026-12-04 09:00", "从未使用", "2026-12-04 09:00"]
    with pytest.raises(AuthError, match="只有管理员"):
        display_tokens.list_tokens(empty_db, auth.User(0, "someone", "某人", "display", "000000"))


def test_an_issue_whose_audit_row_fails_keeps_no_token(empty_db, monkeypatch):
    nation, _ = _admins(empty_db)

    def broken(*args, **kwargs):
        raise RuntimeError("audit row refused")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        display_tokens.issue(empty_db, "大厅", "520000", actor=nation, now=NOW)
    assert _tokens(empty_db).empty  # the token and its audit row are one transaction


def test_no_account_can_take_the_name_a_display_screen_writes_under(empty_db):
    with pytest.raises(AuthError, match="不能以 display.*开头"):
        auth.create_user(empty_db, "display:1", "password-dt-4", "leader", "520000", actor=auth.SYSTEM)
