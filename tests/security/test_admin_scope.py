"""Administration within scope (issue 17, finding 4; "What to build" 5, administration half).

On a database holding the demo data, on SQLite and PostgreSQL: a provincial or county administrator sees and
manages only the accounts inside their own scope, grants no scope wider than their own (never 全国) and no
role above their own, and cannot create a nationwide administrator; an account outside the scope is answered
exactly like one that does not exist. The audit log and the import batches (and their rejects) are read
inside the viewer's scope only. Disabling an account or resetting its password moves its session_epoch on.
The command line refuses `users add` without --scope. Expected sets come from SQL over the region table
(prov_adcode / pref_adcode), not from the prefix rule the code uses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from safetynet import audit, auth, i18n
from safetynet.auth import CLI, SYSTEM, AuthError, User
from safetynet.casework import commands as C
from safetynet.casework.service import execute
from safetynet.cli import main
from safetynet.config import REPO_ROOT
from safetynet.db import dispose, get_engine, migrate
from safetynet.demo.generate import DemoConfig, generate
from safetynet.i18n.en import EN
from safetynet.ingest import import_file
from safetynet.ingest.samples import csv_bytes, example_rows
from safetynet.queries import audit_log, data_health
from safetynet.views import audit_log as audit_view
from safetynet.views import users as users_view
from tests.conftest import _new_url, db_url
from tests.support import one

PROVINCE = "520000"
OTHER_PROVINCE = "440000"
PASSWORD = "scope-test-2026"


def rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def account(engine, username: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT password_hash, active, session_epoch, role, scope_adcode FROM app_user "
                                "WHERE username = :u"), {"u": username}).mappings().first()
    return dict(row) if row else {}


def inside(engine, scope: str) -> set[str]:
    """Region codes inside `scope`, read from the region table's own hierarchy columns."""
    if scope == auth.NATION:
        return {r[0] for r in rows(engine, "SELECT adcode FROM region")}
    level = one(engine, "SELECT level FROM region WHERE adcode = :a", a=scope)
    column = {1: "prov_adcode", 2: "pref_adcode", 3: "adcode"}[level]
    return {r[0] for r in rows(engine, f"SELECT adcode FROM region WHERE {column} = :a", a=scope)}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, pg_server, tmp_path_factory):
    """Administrators at every level and staff inside and outside Guizhou, on a demo database of this module's own
    (one per backend, shared by the tests below: each test leaves the accounts the others use as it found them,
    and every expectation is read from the database at the time it is checked)."""
    url = _new_url(request.param, pg_server, tmp_path_factory.mktemp("admin_scope"), "admin_scope")
    engine = get_engine(url)
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=300, months=18, seed=5))
    county = one(engine, "SELECT adcode FROM household WHERE adcode LIKE '52%' GROUP BY adcode "
                         "ORDER BY COUNT(*) DESC, adcode LIMIT 1")
    other_county = one(engine, "SELECT adcode FROM household WHERE adcode LIKE '44%' GROUP BY adcode "
                               "ORDER BY COUNT(*) DESC, adcode LIMIT 1")
    make = lambda name, role, scope, **kw: auth.create_user(engine, name, PASSWORD, role, scope,  # noqa: E731
                                                            actor=SYSTEM, **kw)
    yield {
        "engine": engine, "county": county, "other_county": other_county,
        "nation": make("nation_admin", "admin", auth.NATION, display_name="全国管理员"),
        "province": make("gz_admin", "admin", PROVINCE, display_name="贵州管理员"),
        "county_admin": make("county_admin", "admin", county, display_name="县管理员"),
        "county_staff": make("county_staff", "staff", county, display_name="县工作人员"),
        "gd_admin": make("gd_admin", "admin", OTHER_PROVINCE, display_name="广东管理员"),
        "gd_staff": make("gd_staff", "staff", other_county, display_name="广东工作人员"),
    }
    dispose(url)


# ---------------------------------------------------------------- seeing accounts
@pytest.mark.parametrize("who", ["province", "county_admin", "nation"])
def test_an_administrator_lists_exactly_the_accounts_inside_their_scope(world, who):
    engine, actor = world["engine"], world[who]
    regions = inside(engine, actor.scope)
    expected = sorted(u for u, scope in rows(engine, "SELECT username, scope_adcode FROM app_user") if scope in regions)
    listed = [u["username"] for u in auth.list_users(engine, actor)]
    assert listed == expected and actor.username in listed
    if who != "nation":
        assert "nation_admin" not in listed and "gd_admin" not in listed and "gd_staff" not in listed
    else:
        assert len(listed) == one(engine, "SELECT COUNT(*) FROM app_user")


def test_only_administrators_administer_and_only_as_a_user(world):
    engine = world["engine"]
    with pytest.raises(AuthError):
        auth.list_users(engine, world["county_staff"])
    with pytest.raises(AuthError):
        auth.create_user(engine, "x1", PASSWORD, "leader", world["county"], actor=world["county_staff"])
    with pytest.raises(AuthError):
        auth.set_password(engine, "county_staff", PASSWORD + "x", actor=world["county_staff"])
    with pytest.raises(TypeError):  # a bare name carries no scope to bound the change by
        auth.set_active(engine, "county_staff", False, actor="gz_admin")
    assert account(engine, "county_staff")["active"]


# ---------------------------------------------------------------- changing accounts outside the scope
@pytest.mark.parametrize("who, target", [
    ("county_admin", "nation_admin"), ("county_admin", "gz_admin"), ("county_admin", "gd_staff"),
    ("province", "nation_admin"), ("province", "gd_admin"), ("province", "gd_staff"),
])
def test_accounts_outside_the_scope_cannot_be_reset_disabled_or_enabled_and_look_unknown(world, who, target):
    engine, actor = world["engine"], world[who]
    before = account(engine, target)
    changes = (
        lambda name: auth.set_password(engine, name, "taken-over-2026", actor=actor),
        lambda name: auth.set_active(engine, name, False, actor=actor),
        lambda name: auth.set_active(engine, name, True, actor=actor),
    )
    for change in changes:
        with pytest.raises(AuthError) as outside:
            change(target)
        with pytest.raises(AuthError) as unknown:
            change("no_such_user")
        said = [str(e.value).replace("\\", "").replace(name, "<name>")  # the name may come Markdown-escaped
                for e, name in ((outside, target), (unknown, "no_such_user"))]
        assert said[0] == said[1]
    assert account(engine, target) == before
    with pytest.raises(AuthError):  # and the old password still is the password: nobody signs in as the target
        auth.authenticate(engine, target, "taken-over-2026")
    assert not rows(engine, "SELECT audit_id FROM audit_log WHERE action = 'user_change' AND target = :t "
                            "AND user_name = :u", t=target, u=actor.username)


def test_a_county_administrator_cannot_reset_the_national_administrator_and_sign_in_as_it(world):
    """The finding as reported: 重置密码 had no scope check."""
    engine = world["engine"]
    with pytest.raises(AuthError):
        auth.set_password(engine, "nation_admin", "mine-now-2026", actor=world["county_admin"])
    assert auth.authenticate(engine, "nation_admin", PASSWORD).scope == auth.NATION


# ---------------------------------------------------------------- creating accounts
@pytest.mark.parametrize("who, role, scope", [
    ("province", "admin", auth.NATION), ("province", "leader", auth.NATION), ("province", "staff", OTHER_PROVINCE),
    ("province", "admin", "440300"), ("county_admin", "admin", PROVINCE), ("county_admin", "staff", "520100"),
    ("county_admin", "leader", auth.NATION), ("gd_admin", "staff", PROVINCE),
])
def test_no_scope_wider_than_or_outside_ones_own_can_be_granted(world, who, role, scope):
    engine = world["engine"]
    users_before = one(engine, "SELECT COUNT(*) FROM app_user")
    with pytest.raises(AuthError):
        auth.create_user(engine, "escalated", PASSWORD, role, scope, actor=world[who])
    assert one(engine, "SELECT COUNT(*) FROM app_user") == users_before
    assert account(engine, "escalated") == {}


def test_a_nationwide_administrator_is_created_only_by_one_or_by_the_command_line(world):
    engine = world["engine"]
    with pytest.raises(AuthError, match="全国"):
        auth.create_user(engine, "new_nation", PASSWORD, "admin", auth.NATION, actor=world["province"])
    assert auth.create_user(engine, "new_nation", PASSWORD, "admin", auth.NATION, actor=world["nation"]).scope == "000000"
    assert auth.create_user(engine, "cli_nation", PASSWORD, "admin", auth.NATION, actor=CLI).role == "admin"


def test_no_role_above_ones_own_is_offered_and_only_administrators_grant_at_all(world):
    """Ranks leader < staff < admin: an administrator may grant every role; anyone else is refused outright, so
    the rank bound is a second wall behind "only administrators administer"."""
    engine = world["engine"]
    leader = auth.create_user(engine, "county_leader", PASSWORD, "leader", world["county"], actor=SYSTEM)
    assert auth.grantable_roles(leader) == ["leader"]
    assert auth.grantable_roles(world["county_staff"]) == ["leader", "staff"]
    assert auth.grantable_roles(world["province"]) == list(auth.ROLES)
    for actor, role in ((leader, "staff"), (world["county_staff"], "admin"), (leader, "leader")):
        with pytest.raises(AuthError):
            auth.create_user(engine, "promoted", PASSWORD, role, world["county"], actor=actor)
    assert account(engine, "promoted") == {}


def test_inside_the_scope_an_administrator_creates_resets_and_disables_with_audit_rows_in_that_region(world):
    engine, gz = world["engine"], world["province"]
    county = world["county"]
    made = auth.create_user(engine, "new_county_staff", PASSWORD, "staff", county, actor=gz)
    assert made.scope == county and "new_county_staff" in [u["username"] for u in auth.list_users(engine, gz)]
    auth.set_password(engine, "new_county_staff", "new-password-2026", actor=gz)
    auth.set_active(engine, "new_county_staff", False, actor=gz)
    logged = rows(engine, "SELECT user_name, region_adcode, detail FROM audit_log WHERE action = 'user_change' "
                          "AND target = 'new_county_staff' ORDER BY audit_id")
    assert [(u, r, json.loads(d)["change"]) for u, r, d in logged] == [
        ("gz_admin", county, "create"), ("gz_admin", county, "password"), ("gz_admin", county, "disable")]
    # the county administrator manages the county's accounts but not the province's administrator
    auth.set_active(engine, "new_county_staff", True, actor=world["county_admin"])
    assert account(engine, "new_county_staff")["active"]


# ---------------------------------------------------------------- sessions end on disable and reset
def test_disabling_and_resetting_move_the_session_epoch_on_and_a_refusal_does_not(world):
    engine, gz = world["engine"], world["province"]
    auth.create_user(engine, "epoch_staff", PASSWORD, "staff", world["county"], actor=SYSTEM)
    epoch = account(engine, "epoch_staff")["session_epoch"]
    auth.set_password(engine, "epoch_staff", "another-password-1", actor=gz)
    assert account(engine, "epoch_staff")["session_epoch"] == epoch + 1
    auth.set_active(engine, "epoch_staff", False, actor=gz)
    assert account(engine, "epoch_staff")["session_epoch"] == epoch + 2
    auth.set_active(engine, "epoch_staff", True, actor=gz)  # enabling starts no session: nothing to end
    assert account(engine, "epoch_staff")["session_epoch"] == epoch + 2
    before = account(engine, "gd_staff")["session_epoch"]
    with pytest.raises(AuthError):
        auth.set_active(engine, "gd_staff", False, actor=gz)
    assert account(engine, "gd_staff")["session_epoch"] == before


# ---------------------------------------------------------------- the command line
def test_the_command_line_refuses_users_add_without_a_scope(world, capsys, monkeypatch):
    engine = world["engine"]
    url = db_url(engine)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("long-password-1\n"))
    assert main(["--db", url, "users", "add", "noscope", "--role", "admin", "--password-stdin"]) == 2
    assert "--scope" in capsys.readouterr().err
    assert account(engine, "noscope") == {}
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("long-password-1\n"))
    assert main(["--db", url, "users", "add", "withscope", "--role", "staff", "--scope", PROVINCE,
                 "--password-stdin"]) == 0
    assert account(engine, "withscope")["scope_adcode"] == PROVINCE
    auth.create_user(engine, "cli_target", PASSWORD, "admin", auth.NATION, actor=SYSTEM)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("cli-password-2026\n"))
    epoch = account(engine, "cli_target")["session_epoch"]
    assert main(["--db", url, "users", "passwd", "cli_target", "--password-stdin"]) == 0  # the system: unbounded
    assert account(engine, "cli_target")["session_epoch"] == epoch + 1


# ---------------------------------------------------------------- the audit log
def _activity(world) -> dict:
    """Audit rows about both provinces: sign-ins, user changes, an unmask and casework in each (written once)."""
    if "hh" in world:
        return world["hh"]
    engine = world["engine"]
    for name in ("gz_admin", "county_staff", "gd_admin", "gd_staff", "nation_admin"):
        auth.authenticate(engine, name, PASSWORD)
    auth.create_user(engine, "gz_leader", PASSWORD, "leader", PROVINCE, actor=world["nation"])
    auth.create_user(engine, "gd_leader", PASSWORD, "leader", OTHER_PROVINCE, actor=world["nation"])
    hh = {}
    for key, county in (("gz", world["county"]), ("gd", world["other_county"])):
        hh[key] = one(engine, "SELECT MIN(hh_id) FROM household WHERE adcode = :c", c=county)
        audit.record(engine, "nation_admin", "unmask", "household", reason="走访核实",
                     region=audit.region_of_households(engine, [hh[key]]), households=[hh[key]], count=1)
    today = dt.date.today()
    version = one(engine, "SELECT row_version FROM household WHERE hh_id = :h", h=hh["gz"])
    execute(engine, world["county_staff"], C.LogFollowup(hh["gz"], today, "电话", "甲", "情况稳定", version), today)
    gd_county_staff = auth.create_user(engine, "gd_county_staff", PASSWORD, "staff", world["other_county"],
                                       actor=SYSTEM)
    version = one(engine, "SELECT row_version FROM household WHERE hh_id = :h", h=hh["gd"])
    execute(engine, gd_county_staff, C.LogFollowup(hh["gd"], today, "电话", "乙", "情况稳定", version), today)
    world["hh"] = hh
    return hh


def _expected_ids(engine, scope: str) -> list[int]:
    """Audit rows about regions inside `scope` (NULL regions: the nation only), newest first — via the region table."""
    regions = inside(engine, scope)
    return [a for a, region in rows(engine, "SELECT audit_id, region_adcode FROM audit_log ORDER BY at DESC, audit_id DESC")
            if (region in regions) or (region is None and scope == auth.NATION)]


@pytest.mark.parametrize("who", ["province", "county_admin", "gd_admin", "nation"])
def test_audit_rows_are_read_inside_the_viewers_scope_only(world, who):
    engine = world["engine"]
    hh = _activity(world)
    scope = world[who].scope
    found = audit_log.search(engine, scope)
    assert list(found["audit_id"]) == _expected_ids(engine, scope)[:audit_log.MAX_ROWS]
    counts = audit_log.counts_by_action(engine, scope, dt.date.today() - dt.timedelta(days=1))
    assert int(counts["n"].sum()) == len(_expected_ids(engine, scope))
    unmasked = {int(json.loads(d)["households"][0]) for d in found.loc[found["action"] == "unmask", "detail"]}
    casework = set(found.loc[found["action"] == "casework", "target"])
    if who in ("province", "county_admin"):
        assert unmasked == {hh["gz"]} and casework == {f"hh:{hh['gz']}"}
        assert not (set(found["target"]) & {"gd_admin", "gd_staff", "gd_leader", "nation_admin"})
    elif who == "gd_admin":
        assert unmasked == {hh["gd"]} and casework == {f"hh:{hh['gd']}"}
    else:
        assert unmasked == {hh["gz"], hh["gd"]}
        assert len(found) == min(one(engine, "SELECT COUNT(*) FROM audit_log"), audit_log.MAX_ROWS)


def test_each_row_is_about_the_right_region(world):
    engine = world["engine"]
    hh = _activity(world)
    county_of = dict(rows(engine, "SELECT hh_id, adcode FROM household WHERE hh_id IN (:a, :b)", a=hh["gz"], b=hh["gd"]))
    casework = dict(rows(engine, "SELECT target, region_adcode FROM audit_log WHERE action = 'casework'"))
    assert casework == {f"hh:{h}": county_of[h] for h in hh.values()}
    unmask = rows(engine, "SELECT detail, region_adcode FROM audit_log WHERE action = 'unmask'")
    assert {(json.loads(d)["households"][0], r) for d, r in unmask} == {(h, county_of[h]) for h in hh.values()}
    users = dict(rows(engine, "SELECT target, region_adcode FROM audit_log WHERE action = 'user_change' "
                              "AND target IN ('gz_leader', 'gd_leader')"))
    assert users == {"gz_leader": PROVINCE, "gd_leader": OTHER_PROVINCE}
    # a sign-in, with no region given, takes the signed-in user's scope
    signins = set(rows(engine, "SELECT user_name, region_adcode FROM audit_log WHERE action = 'sign_in'"))
    assert ("county_staff", world["county"]) in signins and ("nation_admin", auth.NATION) in signins
    # the demo's row, written by no account, has no region: nationwide administrators only
    assert one(engine, "SELECT region_adcode FROM audit_log WHERE action = 'demo'") is None


@pytest.mark.parametrize("codes, region", [
    (["520102"], "520102"), (["520102", "520103"], "520100"), (["520102", "522631"], "520000"),
    (["520102", "440305"], "000000"), ([], None),
])
def test_the_region_of_several_households_is_the_narrowest_one_holding_them(codes, region):
    assert audit.common_region(codes) == region


def test_unmask_of_households_in_two_counties_is_filed_under_their_prefecture_or_above(world):
    engine = world["engine"]
    pair = rows(engine, "SELECT MIN(h.hh_id), MAX(h.hh_id), COUNT(DISTINCT h.adcode) FROM household h "
                        "WHERE h.adcode LIKE '52%'")[0]
    region = audit.region_of_households(engine, [pair[0], pair[1]])
    counties = {r[0] for r in rows(engine, "SELECT adcode FROM household WHERE hh_id IN (:a, :b)", a=pair[0], b=pair[1])}
    assert counties <= inside(engine, region)
    assert audit.region_of_households(engine, [-1]) is None


# ---------------------------------------------------------------- import batches
def _import(engine, user: str, scope: str, county: str, name: str):
    file_no = one(engine, "SELECT MIN(file_no) FROM household WHERE adcode = :c", c=county)
    good = example_rows("observations", [file_no], n=1)
    bad = dict(good[0], 档案编号="NO-SUCH-FILE-1")
    return import_file(engine, csv_bytes([*good, bad]), name, kind="observations", mode="partial", user=user,
                       scope=scope)


def test_batches_and_their_rejects_are_read_inside_the_administrators_scope(world):
    engine = world["engine"]
    gz = _import(engine, "gz_admin", PROVINCE, world["county"], "gz.csv")
    gd = _import(engine, "gd_admin", OTHER_PROVINCE, world["other_county"], "gd.csv")
    cli = _import(engine, None, auth.NATION, world["county"], "cli.csv")  # the CLI imports nationwide
    assert gz.rejected == 1 and gd.rejected == 1
    written = dict(rows(engine, "SELECT batch_id, scope_adcode FROM import_batch WHERE file_name IN "
                                "('gz.csv', 'gd.csv', 'cli.csv')"))
    assert written == {gz.batch_ids[0]: PROVINCE, gd.batch_ids[0]: OTHER_PROVINCE, cli.batch_ids[0]: auth.NATION}
    imported = dict(rows(engine, "SELECT target, region_adcode FROM audit_log WHERE action = 'import'"))
    assert imported == {"gz.csv": PROVINCE, "gd.csv": OTHER_PROVINCE, "cli.csv": auth.NATION}
    for who in ("province", "county_admin", "gd_admin", "nation"):
        scope = world[who].scope
        regions = inside(engine, scope)
        batches = rows(engine, "SELECT batch_id, scope_adcode, kind FROM import_batch ORDER BY batch_id DESC")
        seen = [(b, k) for b, s, k in batches if s in regions or (s is None and scope == auth.NATION)]
        expected = [b for b, _ in seen]
        assert list(data_health.batches(engine, scope)["batch_id"]) == expected, who
        assert set(data_health.last_imports(engine, scope)["batch_id"]) == {
            max(b for b, k in seen if k == kind) for kind in {k for _, k in seen}}
        totals = data_health.reject_totals(engine, scope)
        assert int(totals["batches"].sum()) == len([b for b, k in seen if k != "demo"]), who
        for batch, visible in ((gz.batch_ids[0], gz.batch_ids[0] in expected),
                               (gd.batch_ids[0], gd.batch_ids[0] in expected)):
            assert len(data_health.rejects(engine, batch, scope)) == (1 if visible else 0), (who, batch)
    assert list(data_health.batches(engine, PROVINCE)["batch_id"]) == [gz.batch_ids[0]]
    assert data_health.rejects(engine, gd.batch_ids[0], PROVINCE).empty  # like a batch that does not exist
    assert data_health.rejects(engine, 10 ** 9, PROVINCE).empty


# ---------------------------------------------------------------- the screens, signed in as a provincial administrator
def _signed_in(engine, user: User) -> dict:
    """The signed-in state ui.session keeps (with the account's session epoch when the session code reads it)."""
    try:
        from tests.conftest import signed_in
    except ImportError:
        now = dt.datetime.now()
        return {"user": user, "at": now, "seen": now}
    return signed_in(engine, user)


@pytest.fixture
def screen(world, monkeypatch):
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(world["engine"]))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")

    def open_page(page: str, who: str = "province", lang: str = "zh") -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        if lang != "zh":
            at.query_params["lang"] = lang
        at.session_state["auth"] = _signed_in(world["engine"], world[who])
        i18n.set_lang(lang)
        at.run()
        return at.switch_page(page).run()

    yield open_page
    i18n.set_lang("zh")


def test_users_page_shows_and_offers_only_what_a_provincial_administrator_may_manage(world, screen):
    engine = world["engine"]
    with engine.begin() as conn:  # a lock that has run out is no lock
        conn.execute(text("UPDATE app_user SET locked_until = :t WHERE username = 'county_staff'"),
                     {"t": dt.datetime.now() - dt.timedelta(hours=1)})
    at = screen("pages/users.py")
    assert not at.exception, at.exception
    regions = inside(engine, PROVINCE)
    expected = sorted(u for u, s in rows(engine, "SELECT username, scope_adcode FROM app_user") if s in regions)
    table = at.dataframe[0].value
    assert sorted(table["username"]) == expected and "nation_admin" not in expected
    assert set(at.selectbox(key="change_user").options) == set(expected)
    scopes = at.selectbox(key="new_scope")
    offered = sorted(n for (n,) in rows(engine, "SELECT name FROM region WHERE prov_adcode = :p AND level BETWEEN 1 AND 3",
                                        p=PROVINCE))
    assert sorted(scopes.options) == offered and "全国" not in scopes.options and "贵州省" in scopes.options
    shown = " ".join(table.astype(str).to_numpy().ravel())
    assert "None" not in shown and "nan" not in shown and "NaT" not in shown
    assert not (set(table["role"]) - {"领导", "工作人员", "管理员"}) and not (set(table["state"]) - {"启用", "已停用"})
    assert table.loc[table["username"] == "county_staff", "locked_until"].iloc[0] == ""
    # a new account inside the province, through the form
    at.text_input(key="new_username").input("gz_new_staff")
    at.selectbox(key="new_role").select("staff")
    at.selectbox(key="new_scope").select(world["county"])
    at.text_input(key="new_password").input(PASSWORD)
    at.button(key="user_add_submit").click().run()
    assert not at.exception and any("gz_new_staff" in s.value.replace("\\", "") for s in at.success), [e.value for e in at.error]
    assert account(engine, "gz_new_staff")["scope_adcode"] == world["county"]
    # and disabling an account of the province through the other form ends its sessions
    epoch = account(engine, "gz_new_staff")["session_epoch"]
    at.selectbox(key="change_user").select("gz_new_staff")
    at.radio(key="change_kind").set_value("disable")
    at.button(key="user_change_submit").click().run()
    assert not at.exception and [s.value for s in at.success] == ["已完成"]
    assert account(engine, "gz_new_staff")["session_epoch"] == epoch + 1 and not account(engine, "gz_new_staff")["active"]


def test_users_page_offers_a_county_administrator_only_the_county(world, screen):
    at = screen("pages/users.py", who="county_admin")
    assert not at.exception
    county_name = one(world["engine"], "SELECT name FROM region WHERE adcode = :a", a=world["county"])
    assert at.selectbox(key="new_scope").options == [county_name]
    assert at.selectbox(key="new_role").options == ["领导", "工作人员", "管理员"]
    assert sorted(at.dataframe[0].value["username"]) == sorted(
        u for (u,) in rows(world["engine"], "SELECT username FROM app_user WHERE scope_adcode = :c", c=world["county"]))


def test_audit_page_shows_a_provincial_administrator_only_the_provinces_rows_in_words(world, screen):
    engine = world["engine"]
    _activity(world)
    at = screen("pages/audit.py")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=30), dt.time.min)
    regions = inside(engine, PROVINCE)
    expected = [a for a, r, when in rows(engine, "SELECT audit_id, region_adcode, at FROM audit_log")
                if r in regions and pd.Timestamp(when) >= start]
    assert len(table) == len(expected) > 0
    assert not (set(table["target"]) & {"gd_admin", "gd_staff", "gd_leader", "nation_admin"})
    assert set(table["action"]) <= set(audit_view.ACTION_LABELS.values()) and "登录" in set(table["action"])
    details = " ".join(table["detail"])
    assert "{" not in details and '"' not in details and "事由：走访核实" in details
    assert "操作类型：回访" in details
    options = at.selectbox(key="audit_action").options
    assert "sign_in" not in options and "工作记录" in options and "保存视图" in options
    caption = " ".join(c.value for c in at.caption)
    assert "sign_in" not in caption and "unmask" not in caption


def test_audit_page_in_english_shows_no_chinese_labels_of_its_own(world, screen):
    _activity(world)
    at = screen("pages/audit.py", lang="en")
    assert not at.exception
    table = at.dataframe[0].value
    assert "Sign in" in set(table["action"]) and "Reason: " in " ".join(table["detail"])


# ---------------------------------------------------------------- the labels themselves
def test_every_audit_action_and_detail_label_has_english():
    assert set(audit.ACTIONS) <= set(audit_view.ACTION_LABELS)
    labels = [*audit_view.ACTION_LABELS.values(), *audit_view.DETAIL_LABELS.values(),
              *audit_view.COMMAND_LABELS.values(), *users_view.COLUMNS.values(),
              *(v for values in audit_view.VALUE_LABELS.values() for v in values.values())]
    assert [x for x in labels if x not in EN] == []


def test_every_casework_command_and_field_has_a_label():
    commands = [c for c in vars(C).values() if dataclasses.is_dataclass(c) and isinstance(c, type)]
    assert {c.__name__ for c in commands} <= set(audit_view.COMMAND_LABELS)
    fields = {f.name for c in commands for f in dataclasses.fields(c)}
    assert fields - set(audit_view.DETAIL_LABELS) == set()


def test_detail_text_is_words_not_json():
    detail = json.dumps({"change": "disable", "role": "admin", "scope": "520000", "masked": True,
                         "sheets": [{"kind": "observations", "rows_read": 3}], "command": "LogFollowup"})
    i18n.set_lang("zh")
    shown = audit_view.detail_text(detail, {"520000": "贵州省"}.get)
    assert shown == ("变更：停用；角色：管理员；管辖范围：贵州省；已脱敏：是；工作表：（数据类型：observations；读取行数：3）；"
                     "操作类型：回访")
    assert audit_view.detail_text("not json") == "not json" and audit_view.detail_text(None) == ""
