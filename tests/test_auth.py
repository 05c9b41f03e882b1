"""Sign-in, roles, region scope, masking and the audit log."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet import auth
from safetynet.auth import AuthError, User
from safetynet.filters import Filters, OutOfScope
from safetynet.queries import household_file, watchlist
from safetynet.queries.watchlist import WatchlistQuery
from safetynet.ui import watchlist as wl_controls

LEADER = User(1, "leader_gz", "贵州领导", "leader", "520000")
STAFF_COUNTY = User(2, "staff_nm", "南明区工作人员", "staff", "520102")
STAFF_PREF = User(3, "staff_gy", "贵阳市工作人员", "staff", "520100")


def _audit(engine, action: str) -> pd.DataFrame:
    return pd.read_sql(text("SELECT * FROM audit_log WHERE action = :a ORDER BY audit_id"), engine, params={"a": action})


def test_passwords_are_hashed_and_never_stored_in_clear(empty_db):
    auth.create_user(empty_db, "wang", "correct horse 1", "staff", "520000", actor=auth.SYSTEM)
    with empty_db.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user WHERE username = 'wang'")).scalar()
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM app_user")) for v in row)
        log = " ".join(str(v) for row in conn.execute(text("SELECT * FROM audit_log")) for v in row)
    assert stored.startswith("$argon2id$") and "correct horse 1" not in dump and "correct horse 1" not in log
    assert auth.authenticate(empty_db, "wang", "correct horse 1").scope == "520000"


def test_short_password_and_bad_role_and_unknown_region_are_refused(empty_db):
    with pytest.raises(AuthError):
        auth.create_user(empty_db, "a", "short", "staff", "520000", actor=auth.SYSTEM)
    with pytest.raises(AuthError):
        auth.create_user(empty_db, "b", "long enough 1", "boss", "520000", actor=auth.SYSTEM)
    with pytest.raises(AuthError):
        auth.create_user(empty_db, "c", "long enough 1", "staff", "999999", actor=auth.SYSTEM)


def test_five_failures_pause_the_account_half_a_minute_and_are_audited(empty_db):
    auth.create_user(empty_db, "li", "right-password", "leader", "000000", actor=auth.SYSTEM)
    now = dt.datetime(2026, 11, 28, 9, 0)
    for _ in range(5):
        with pytest.raises(AuthError, match="不正确"):
            auth.authenticate(empty_db, "li", "wrong-password", now=now)
    with pytest.raises(AuthError, match="秒后再试"):  # even the right password while paused
        auth.authenticate(empty_db, "li", "right-password", now=now + dt.timedelta(seconds=10))
    assert auth.authenticate(empty_db, "li", "right-password", now=now + dt.timedelta(seconds=31)).username == "li"
    failures = _audit(empty_db, "sign_in_failed")
    assert len(failures) == 6 and "wrong-password" not in failures.to_string()
    assert len(_audit(empty_db, "sign_in")) == 1


def test_simultaneous_sign_ins_all_succeed_and_failures_all_count(empty_db):
    """Ten people signing in at the same moment (a meeting starts): none may get "database is locked"."""
    from concurrent.futures import ThreadPoolExecutor

    for i in range(10):
        auth.create_user(empty_db, f"u{i}", "right-password", "staff", "520000", actor=auth.SYSTEM)
    with ThreadPoolExecutor(max_workers=10) as pool:
        users = list(pool.map(lambda i: auth.authenticate(empty_db, f"u{i}", "right-password"), range(10)))
    assert sorted(u.username for u in users) == [f"u{i}" for i in range(10)]
    assert len(_audit(empty_db, "sign_in")) == 10

    def wrong(_: int) -> str:
        try:
            auth.authenticate(empty_db, "u0", "wrong-password")
        except AuthError as exc:
            return str(exc)
        return "signed in"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(wrong, range(4)))
    assert all("不正确" in o for o in outcomes)
    with empty_db.connect() as conn:  # four simultaneous failures counted as four, not fewer
        assert conn.execute(text("SELECT failed_attempts FROM app_user WHERE username = 'u0'")).scalar() == 4


def test_disabled_and_unknown_users_get_the_same_message(empty_db):
    auth.create_user(empty_db, "zhao", "right-password", "staff", "520000", actor=auth.SYSTEM)
    auth.set_active(empty_db, "zhao", False, actor=auth.SYSTEM)
    with pytest.raises(AuthError) as disabled:
        auth.authenticate(empty_db, "zhao", "right-password")
    with pytest.raises(AuthError) as unknown:
        auth.authenticate(empty_db, "nobody", "right-password")
    assert str(disabled.value) == str(unknown.value)
    changes = _audit(empty_db, "user_change")
    assert [json.loads(d)["change"] for d in changes["detail"]] == ["create", "disable"]


@pytest.mark.parametrize("region, scope, ok", [
    ("520102", "520000", True), ("520100", "520000", True), ("520000", "520000", True),
    ("440300", "520000", False), ("000000", "520000", False), ("520102", "520102", True),
    ("520103", "520102", False), ("441900", "441900", True), ("110101", "110000", True), ("000000", "000000", True),
])
def test_filters_cannot_leave_the_scope(region, scope, ok):
    if ok:
        assert Filters(region=region, scope=scope).region == region
    else:
        with pytest.raises(OutOfScope):
            Filters(region=region, scope=scope)


def test_household_file_of_another_region_returns_nothing(demo_db):
    row = pd.read_sql(text("SELECT hh_id, adcode FROM household WHERE adcode NOT LIKE '52%' LIMIT 1"), demo_db).iloc[0]
    assert not household_file.household(demo_db, int(row["hh_id"]), "000000").empty
    for fn in (household_file.household, household_file.members, household_file.months, household_file.scores,
               household_file.assistance, household_file.events, household_file.status_history):
        assert fn(demo_db, int(row["hh_id"]), "520000").empty, fn.__name__
    file_no = pd.read_sql(text("SELECT file_no FROM household WHERE hh_id = :h"), demo_db,
                          params={"h": int(row["hh_id"])})["file_no"].iloc[0]
    assert household_file.find(demo_db, file_no, "520000") is None


def test_url_naming_another_region_shows_only_the_scope(app, demo_db):
    """A Guizhou leader opening a link to 广东省 sees Guizhou's figures, nothing of Guangdong."""
    at = app(user=LEADER, prov="440000").run()
    assert not at.exception
    assert any("贵州省" in c.value for c in at.caption)
    high = pd.read_sql(text("SELECT COUNT(*) n FROM household_current WHERE month = (SELECT MAX(month) FROM "
                            "household_current) AND tier = '高' AND prov_adcode = '520000'"), demo_db)["n"].iloc[0]
    assert next(m.value for m in at.metric if m.label == "高风险户") == f"{high:,}"
    assert at.session_state["prov"] == "520000"


def test_county_user_sees_only_the_county(app, demo_db):
    at = app(user=STAFF_COUNTY, county="520103").run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    shown = at.dataframe[0].value
    adcodes = pd.read_sql(text("SELECT file_no, adcode FROM household"), demo_db).set_index("file_no")["adcode"]
    assert set(adcodes.reindex(shown["file_no"])) <= {"520102"}


def test_leaders_get_no_unmask_control_and_no_admin_pages(app):
    at = app(user=LEADER).run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    assert not any("查看完整信息" in str(getattr(p, "label", "")) for p in at.get("popover"))
    assert not LEADER.may_open("data") and not LEADER.may_open("users") and not LEADER.may_open("audit")
    assert LEADER.may_open("meeting")


def test_expired_session_shows_the_sign_in_form(app):
    at = app(user=LEADER)
    old = dt.datetime.now() - dt.timedelta(hours=2)
    at.session_state["auth"] = {**at.session_state["auth"], "at": old, "seen": old}
    at.run()
    assert not at.exception
    assert any(b.label == "登录" for b in at.button) or at.get("form")
    assert not at.metric and not at.dataframe


def test_signed_out_visitor_sees_no_data(demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from safetynet.config import REPO_ROOT
    from tests.conftest import db_url

    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(demo_db))
    monkeypatch.setenv("SAFETYNET_DEMO_MODE", "0")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.query_params["hh"] = "1"
    at.run()
    assert not at.exception
    assert not at.metric and not at.dataframe and not at.get("deck_gl_json_chart")
    assert at.text_input(key="sign_in_user") is not None


def test_exports_are_scoped_masked_and_audited(writable_demo_db):
    month = int(pd.read_sql(text("SELECT MAX(month) m FROM household_current"), writable_demo_db)["m"].iloc[0])
    query = WatchlistQuery(Filters(region="520000", scope="520000"), 1, month, tiers=())
    data = wl_controls.build_export(writable_demo_db, query, "leader_gz", "导出人：leader_gz", "csv", unmasked=False,
                                    view_query="prov=520000", region="520000", scope="520000")
    body = data.decode("utf-8-sig").splitlines()
    expected = watchlist.count(writable_demo_db, query)
    assert len(body) == expected + 2
    names = set(pd.read_sql(text("SELECT name FROM person"), writable_demo_db)["name"])
    assert not any(n in data.decode("utf-8-sig") for n in names if len(n) > 1)
    exported = _audit(writable_demo_db, "export")
    detail = json.loads(exported["detail"].iloc[-1])
    assert exported["user_name"].iloc[-1] == "leader_gz" and detail["rows"] == expected and detail["masked"] is True
    assert detail["scope"] == "520000"
