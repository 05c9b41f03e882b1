"""Saved views belong to a user (issue 17 finding 6), on a database holding the demo data.

Another user's private view behaves like one that does not exist: it is not listed, cannot be opened or
deleted by id, and saving under its name makes the saver's own view beside it. A shared view is seen by the
users whose scope lies inside the scope the owner had when sharing it, and by nobody else. Saving and
deleting are audited (checked here with SQL of our own on audit_log); a bad name is refused in Chinese with
nothing written; a read-only database refuses as every other write does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from safetynet import auth
from safetynet.db import dispose, get_engine, migrate
from safetynet.db.errors import DatabaseUnavailable
from safetynet.demo.generate import DemoConfig, generate
from safetynet.queries import saved_views
from safetynet.queries.saved_views import ViewRefused
from tests.conftest import _new_url, db_url, make_read_only

PAGE = "watchlist"
Q_GUIZHOU_HIGH = "prov=520000&tier=%E9%AB%98"
Q_MIGRANT = "prov=520000&tier=%E9%AB%98&wflag=migrant"
CJK = lambda s: any("\u4e00" <= ch <= "\u9fff" for ch in s)  # noqa: E731


def _user(engine: Engine, username: str, scope: str, name: str, role: str = "staff") -> auth.User:
    """An account (no password: signed in by the test), written with SQL of our own."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO app_user (username, display_name, role, scope_adcode, active, failed_attempts, "
                          "created_at) VALUES (:u, :n, :r, :s, :yes, 0, :at)"),
                     {"u": username, "n": name, "r": role, "s": scope, "yes": True, "at": dt.datetime.now()})
        user_id = conn.execute(text("SELECT user_id FROM app_user WHERE username = :u"), {"u": username}).scalar_one()
    return auth.User(int(user_id), username, name, role, scope)


def _rows(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT view_id, owner, page, name, query, shared, scope_adcode FROM saved_view ORDER BY view_id"))]


def _audit(engine: Engine, action: str) -> list[tuple]:
    with engine.connect() as conn:
        return [(r.user_name, r.target, json.loads(r.detail)) for r in conn.execute(text(
            "SELECT user_name, target, detail FROM audit_log WHERE action = :a ORDER BY audit_id"), {"a": action})]


def _names(engine: Engine, user: auth.User) -> list[tuple[str, bool]]:
    views = saved_views.list_views(engine, PAGE, user)
    return list(zip(views["name"], views["own"], strict=True))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_demo(request, pg_server, tmp_path_factory) -> Iterator[Engine]:
    """One private demo database per backend for the module: its tests only add accounts and views."""
    url = _new_url(request.param, pg_server, tmp_path_factory.mktemp("views"), "views")
    engine = get_engine(url)
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=300, months=18, seed=5))
    yield engine
    dispose(url)


@pytest.fixture
def views_db(module_demo: Engine) -> Engine:
    """The module's demo database without saved views, view audit rows or the accounts these tests make."""
    with module_demo.begin() as conn:
        conn.execute(text("DELETE FROM saved_view"))
        conn.execute(text("DELETE FROM audit_log WHERE action IN ('view_saved', 'view_deleted')"))
        conn.execute(text("DELETE FROM app_user WHERE username LIKE 'sv!_%' ESCAPE '!'"))
    return module_demo


def test_another_users_private_view_is_not_seen(views_db):
    engine = views_db
    a = _user(engine, "sv_a", "520000", "贵州甲")
    b = _user(engine, "sv_b", "520000", "贵州乙")  # the same scope: still not shared
    view_id = saved_views.save_view(engine, "贵州高风险", PAGE, Q_GUIZHOU_HIGH, a)
    assert [(r[0], r[1], r[5]) for r in _rows(engine)] == [(view_id, "sv_a", False)]
    assert _names(engine, a) == [("贵州高风险", True)]
    assert _names(engine, b) == []
    assert saved_views.open_view(engine, view_id, PAGE, b) is None
    assert saved_views.open_view(engine, view_id, PAGE, a) == Q_GUIZHOU_HIGH


def test_saving_under_another_users_name_makes_ones_own(views_db):
    engine = views_db
    a = _user(engine, "sv_a", "520000", "贵州甲")
    b = _user(engine, "sv_b", "520000", "贵州乙")
    a_id = saved_views.save_view(engine, "贵州高风险", PAGE, Q_GUIZHOU_HIGH, a, shared=True)
    b_id = saved_views.save_view(engine, "贵州高风险", PAGE, Q_MIGRANT, b)
    assert b_id != a_id
    assert _rows(engine) == [(a_id, "sv_a", PAGE, "贵州高风险", Q_GUIZHOU_HIGH, True, "520000"),
                             (b_id, "sv_b", PAGE, "贵州高风险", Q_MIGRANT, False, "520000")]
    assert _names(engine, b) == [("贵州高风险", True), ("贵州高风险", False)]  # own first, then A's shared one
    # saving again under one's own name replaces one's own row, nobody else's
    assert saved_views.save_view(engine, "贵州高风险", PAGE, Q_GUIZHOU_HIGH, b) == b_id
    assert _rows(engine)[0] == (a_id, "sv_a", PAGE, "贵州高风险", Q_GUIZHOU_HIGH, True, "520000")
    assert _rows(engine)[1][4] == Q_GUIZHOU_HIGH and len(_rows(engine)) == 2


def test_another_users_view_cannot_be_deleted_by_id(views_db):
    engine = views_db
    a = _user(engine, "sv_a", "520000", "贵州甲")
    b = _user(engine, "sv_b", "520000", "贵州乙")
    a_id = saved_views.save_view(engine, "贵州高风险", PAGE, Q_GUIZHOU_HIGH, a, shared=True)
    before = _rows(engine)
    missing = max(r[0] for r in before) + 1000
    refusals = []
    for view_id in (a_id, missing, 10**30, -1, 0):
        with pytest.raises(ViewRefused) as refused:
            saved_views.delete_view(engine, view_id, b)
        refusals.append(str(refused.value))
    assert len(set(refusals)) == 1 and CJK(refusals[0])  # someone else's id reads exactly as a missing one
    assert _rows(engine) == before
    assert _audit(engine, "view_deleted") == []
    saved_views.delete_view(engine, a_id, a)
    assert _rows(engine) == []


def test_a_shared_view_is_seen_inside_the_owners_scope_only(views_db):
    engine = views_db
    province = _user(engine, "sv_gz", "520000", "贵州省总")
    guiyang = _user(engine, "sv_gy", "520100", "贵阳市总")
    saved_views.save_view(engine, "全省高风险", PAGE, Q_GUIZHOU_HIGH, province, shared=True)
    saved_views.save_view(engine, "省总私有", PAGE, Q_MIGRANT, province)
    saved_views.save_view(engine, "贵阳共享", PAGE, "prov=520000&pref=520100", guiyang, shared=True)
    viewers = {  # scope → the views a user there sees besides their own
        "520102": {"全省高风险", "贵阳共享"},  # a county of Guiyang
        "522301": {"全省高风险"},  # a county elsewhere in Guizhou
        "520200": {"全省高风险"},  # another prefecture of Guizhou
        "520000": {"全省高风险"},  # the province itself: Guiyang's share does not reach up
        "530000": set(),  # Yunnan
        "530100": set(),
        "000000": set(),  # nationwide: outside a provincial share
    }
    for i, (scope, expected) in enumerate(viewers.items()):
        viewer = _user(engine, f"sv_v{i}", scope, f"查看者{i}")
        views = saved_views.list_views(engine, PAGE, viewer)
        assert set(views["name"]) == expected, scope
        assert not views["own"].any()
        owners = dict(zip(views["name"], views["owner_name"], strict=True))
        assert all(owners[n] == ("贵州省总" if n == "全省高风险" else "贵阳市总") for n in owners)
        for view_id, name in zip(views["view_id"], views["name"], strict=True):
            assert saved_views.open_view(engine, int(view_id), PAGE, viewer) is not None, name
    private_id = next(r[0] for r in _rows(engine) if r[3] == "省总私有")
    county = _user(engine, "sv_county", "520102", "南明区工会")
    assert saved_views.open_view(engine, private_id, PAGE, county) is None
    assert saved_views.list_views(engine, "trends", county).empty  # a view belongs to its page


def test_saving_and_deleting_are_audited(views_db):
    engine = views_db
    a = _user(engine, "sv_a", "520000", "贵州甲")
    view_id = saved_views.save_view(engine, "贵州高风险", PAGE, Q_GUIZHOU_HIGH, a)
    saved_views.save_view(engine, "贵州高风险", PAGE, Q_MIGRANT, a, shared=True)
    saved = _audit(engine, "view_saved")
    assert [(u, target, d["page"], d["shared"]) for u, target, d in saved] == [
        ("sv_a", "贵州高风险", PAGE, False), ("sv_a", "贵州高风险", PAGE, True)]
    saved_views.delete_view(engine, view_id, a)
    deleted = _audit(engine, "view_deleted")
    assert [(u, target, d["page"]) for u, target, d in deleted] == [("sv_a", "贵州高风险", PAGE)]


BAD_NAMES = ["", "   ", "名" * (saved_views.MAX_NAME + 1), "第一行\n第二行", "制表\t符", "空\x00字符", "\x1b[31m红",
             "\u202e反向覆盖", "行\u2028分隔"]


def test_bad_names_are_refused_in_chinese_and_nothing_is_written(views_db):
    engine = views_db
    a = _user(engine, "sv_a", "520000", "贵州甲")
    with engine.connect() as conn:
        audit_rows = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    for name in BAD_NAMES:
        with pytest.raises(ViewRefused) as refused:
            saved_views.save_view(engine, name, PAGE, Q_GUIZHOU_HIGH, a)
        assert CJK(str(refused.value)) and "视图名称" in str(refused.value), repr(name)
    assert _rows(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one() == audit_rows
    # the longest allowed name, and surrounding spaces stripped, are kept
    saved_views.save_view(engine, "名" * saved_views.MAX_NAME, PAGE, Q_GUIZHOU_HIGH, a)
    saved_views.save_view(engine, "  贵州 高风险  ", PAGE, Q_GUIZHOU_HIGH, a)
    assert sorted(r[3] for r in _rows(engine)) == sorted(["名" * saved_views.MAX_NAME, "贵州 高风险"])


@pytest.fixture
def read_only_engine(writable_demo_db, backend, pg_server, tmp_path) -> tuple[Engine, auth.User, int]:
    """The demo database, read-only, holding one view of `sv_a` (its id returned)."""
    a = _user(writable_demo_db, "sv_a", "520000", "贵州甲")
    view_id = saved_views.save_view(writable_demo_db, "贵州高风险", PAGE, Q_GUIZHOU_HIGH, a)
    return get_engine(make_read_only(writable_demo_db, backend, pg_server, tmp_path)), a, view_id


def test_a_read_only_database_refuses_saving_and_deleting(read_only_engine):
    engine, a, view_id = read_only_engine
    before, audit_before = _rows(engine), _audit(engine, "view_saved")
    with pytest.raises(DatabaseUnavailable, match="只读"):
        saved_views.save_view(engine, "新视图", PAGE, Q_MIGRANT, a)
    with pytest.raises(DatabaseUnavailable, match="只读"):
        saved_views.delete_view(engine, view_id, a)
    assert _rows(engine) == before and _audit(engine, "view_saved") == audit_before
    assert _names(engine, a) == [("贵州高风险", True)]  # reading still works


# ---------------------------------------------------------------- the watchlist page, through app.py
@pytest.fixture
def page_at(views_db, monkeypatch):
    """AppTests of app.py on the writable demo database, signed in as a given account."""
    from streamlit.testing.v1 import AppTest

    from safetynet import i18n
    from safetynet.config import REPO_ROOT

    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(views_db))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    monkeypatch.setenv("SAFETYNET_DEMO_MODE", "0")

    def make(user: auth.User, **query: str) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=90)
        for key, value in query.items():
            at.query_params[key] = value
        with views_db.connect() as conn:
            epoch = conn.execute(text("SELECT session_epoch FROM app_user WHERE username = :u"),
                                 {"u": user.username}).scalar_one()
        now = dt.datetime.now()
        at.session_state["auth"] = {"user": user, "epoch": int(epoch), "at": now, "seen": now}
        i18n.set_lang("zh")
        at.run()
        at.switch_page("pages/watchlist.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    yield make
    i18n.set_lang("zh")


def _listed(at) -> list[str]:
    picks = [s for s in at.selectbox if s.key == "view_pick"]
    return [str(o) for o in picks[0].options] if picks else []


def test_the_watchlist_page_saves_a_shared_view_and_lists_it(views_db, page_at):
    engine = views_db
    owner = _user(engine, "sv_page", "520000", "贵州省总")
    at = page_at(owner, prov="520000", pref="520100", tier="高")
    assert _listed(at) == []
    at.text_input(key="view_name").input("贵州高风险·待走访")
    at.checkbox(key="view_shared").check().run()
    at.button(key="view_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _listed(at) == ["贵州高风险·待走访（我共享的）"]
    assert any("已保存" in s.value for s in at.success)
    (view_id, owner_name, page, name, query, shared, scope), = _rows(engine)
    assert (owner_name, page, name, shared, scope) == ("sv_page", PAGE, "贵州高风险·待走访", True, "520000")
    assert "pref=520100" in query and "tier=%E9%AB%98" in query  # the filters on screen when saved
    assert [(u, target, d["shared"]) for u, target, d in _audit(engine, "view_saved")] == [
        ("sv_page", "贵州高风险·待走访", True)]
    assert [b.key for b in at.button if b.key == "view_delete"] == ["view_delete"]  # own: may delete

    # a county user inside Guizhou sees it with its owner's name, and is offered no delete
    inside = page_at(_user(engine, "sv_county", "520102", "南明区工会"))
    assert _listed(inside) == ["贵州高风险·待走访（贵州省总共享）"]
    assert not [b for b in inside.button if b.key == "view_delete"]
    outside = page_at(_user(engine, "sv_yn", "530000", "云南省总"))
    assert _listed(outside) == []

    # a name that is markdown is shown as text in the confirmation, not as an image
    at.text_input(key="view_name").input("![x](http://127.0.0.1:9/p.png)").run()
    at.button(key="view_save").click().run()
    assert not at.exception
    assert not any("![x](" in s.value for s in at.success), [s.value for s in at.success]
