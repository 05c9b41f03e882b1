"""The database under the app goes away: read-only, or its SQLite file deleted or replaced while the app runs.

Every write (sign-in and sign-out records, unmask and export audit rows, imports, saved views, user changes)
is refused with a Chinese message instead of a traceback or — worse — rows written to a deleted file that
vanish at the next restart; every page says so in a banner; "查看已记录" shows only once the row is written.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from safetynet import audit, auth
from safetynet.db import get_engine, health
from safetynet.db.errors import DatabaseUnavailable
from safetynet.filters import Filters
from safetynet.ingest import import_file
from safetynet.ingest.samples import csv_bytes
from safetynet.queries.watchlist import WatchlistQuery
from safetynet.ui import watchlist as wl_controls
from tests.conftest import TEST_ADMIN, db_url, make_read_only, signed_in

PASSWORD = "read-only-2026"
READ_ONLY = "只读"
GONE = "已被删除或替换"


def _audit_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one())


def _a_household(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT hh_id FROM household_current ORDER BY hh_id LIMIT 1")).scalar_one())


@pytest.fixture
def read_only_url(writable_demo_db, backend, pg_server, tmp_path, monkeypatch) -> str:
    """The URL of a database the app can read but not write (with a user `ro_staff` in it)."""
    monkeypatch.chdir(tmp_path)  # nothing may land in the repository, whatever the URL looks like
    auth.create_user(writable_demo_db, "ro_staff", PASSWORD, "staff", "520000", actor=auth.SYSTEM)
    return make_read_only(writable_demo_db, backend, pg_server, tmp_path)


@pytest.fixture
def app_at(monkeypatch):
    """AppTests of app.py on a given URL; signed in as `user` unless user=None."""
    from streamlit.testing.v1 import AppTest

    from safetynet import i18n
    from safetynet.config import REPO_ROOT

    def make(url: str, user=TEST_ADMIN, **query: str) -> AppTest:
        monkeypatch.setenv("SAFETYNET_DB_URL", url)
        monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
        monkeypatch.setenv("SAFETYNET_DEMO_MODE", "0")
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        if user is not None:
            at.session_state["auth"] = signed_in(get_engine(url), user)
        i18n.set_lang("zh")
        return at

    yield make
    i18n.set_lang("zh")


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _sign_in(at, username: str, password: str):
    at.text_input(key="sign_in_user").input(username)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


# ---------------------------------------------------------------- read-only
def test_check_writable_refuses_a_read_only_database(read_only_url):
    engine = get_engine(read_only_url)
    with pytest.raises(DatabaseUnavailable, match=READ_ONLY):
        health.check_writable(engine)
    with pytest.raises(DatabaseUnavailable, match=READ_ONLY):
        audit.record(engine, "someone", "export", "watchlist")


def test_sign_in_on_a_read_only_database(read_only_url, app_at):
    at = app_at(read_only_url, user=None).run()
    assert not at.exception
    assert any(READ_ONLY in e for e in _errors(at))  # the banner, before anyone signs in
    at = _sign_in(at, "ro_staff", PASSWORD)
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.startswith("无法登录") and READ_ONLY in e for e in _errors(at)), _errors(at)
    assert "auth" not in at.session_state  # not signed in: the sign-in could not be recorded


def test_sign_out_on_a_read_only_database_still_ends_the_session(read_only_url, app_at):
    at = app_at(read_only_url).run()
    at.button(key="sign_out").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "auth" not in at.session_state
    assert at.text_input(key="sign_in_user") is not None
    assert any("退出登录未能记入审计日志" in w.value for w in at.warning)


def test_unmask_on_a_read_only_database_stays_masked(read_only_url, app_at):
    engine = get_engine(read_only_url)
    hh = _a_household(engine)
    at = app_at(read_only_url, hh=str(hh)).run()
    at.switch_page("pages/household.py").run()
    assert not at.exception
    at.text_input(key=f"unmask_input_household-{hh}").input("入户走访核实").run()
    at.button(key=f"unmask_go_household-{hh}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.startswith("无法查看完整信息") and READ_ONLY in e for e in _errors(at)), _errors(at)
    _assert_masked(at, engine, hh)


def test_a_given_reason_is_not_shown_as_recorded_when_the_row_cannot_be_written(read_only_url, app_at):
    """The reason was given while the database could still be written; now it cannot: masked, not 查看已记录,
    and a rerun does not unmask without the row either."""
    engine = get_engine(read_only_url)
    hh = _a_household(engine)
    at = app_at(read_only_url, hh=str(hh))
    at.session_state[f"unmask_reason_household-{hh}"] = "入户走访核实"
    at.run()
    at.switch_page("pages/household.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.startswith("无法查看完整信息") for e in _errors(at)), _errors(at)
    _assert_masked(at, engine, hh)
    at.run()
    assert not at.exception
    _assert_masked(at, engine, hh)


def test_unmask_on_a_writable_database_is_recorded_then_shown(writable_demo_db, app_at):
    engine = writable_demo_db
    hh = _a_household(engine)
    before = _audit_rows(engine)
    at = app_at(db_url(engine), hh=str(hh)).run()
    at.switch_page("pages/household.py").run()
    at.text_input(key=f"unmask_input_household-{hh}").input("入户走访核实").run()
    at.button(key=f"unmask_go_household-{hh}").click().run()
    assert not at.exception and not at.error
    assert _audit_rows(engine) == before + 1
    assert any("查看已记录" in c.value for c in at.caption)
    ids = set(pd.read_sql(text("SELECT id_number FROM person WHERE hh_id = :h"), engine, params={"h": hh})["id_number"])
    members = next(d.value for d in at.dataframe if "身份证号" in d.value.columns)
    assert set(members["身份证号"]) == ids


def _assert_masked(at, engine: Engine, hh: int) -> None:
    assert not any("查看已记录" in c.value for c in at.caption)
    ids = set(pd.read_sql(text("SELECT id_number FROM person WHERE hh_id = :h"), engine, params={"h": hh})["id_number"])
    members = next(d.value for d in at.dataframe if "身份证号" in d.value.columns)
    assert not set(members["身份证号"]) & ids


def test_export_on_a_read_only_database_is_refused(read_only_url, app_at):
    engine = get_engine(read_only_url)
    at = app_at(read_only_url).run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.startswith("无法导出") and READ_ONLY in e for e in _errors(at)), _errors(at)
    month = int(pd.read_sql(text("SELECT MAX(month) m FROM household_current"), engine)["m"].iloc[0])
    query = WatchlistQuery(Filters(region="520000", scope="520000"), 1, month, tiers=())
    with pytest.raises(DatabaseUnavailable):  # no file without its audit row
        wl_controls.build_export(engine, query, "ro_staff", "h", "csv", unmasked=False, view_query="",
                                 region="520000", scope="520000")


def test_import_and_user_changes_on_a_read_only_database_are_refused(read_only_url):
    engine = get_engine(read_only_url)
    row = {"档案编号": "RO-1", "对象类型": "困难职工", "职工类别": "1", "区县代码": "520102", "发现渠道": "工会排查",
           "认定日期": "2026-03-05"}
    with pytest.raises(DatabaseUnavailable, match=READ_ONLY):
        import_file(engine, csv_bytes([row]), "h.csv", kind="households", user="tester")
    assert import_file(engine, csv_bytes([row]), "h.csv", kind="households", dry_run=True).status == "dry-run"
    with pytest.raises(auth.AuthError, match=READ_ONLY):
        auth.create_user(engine, "another", PASSWORD, "staff", "520000", actor=auth.SYSTEM)
    with pytest.raises(auth.AuthError, match=READ_ONLY):
        auth.authenticate(engine, "ro_staff", "wrong password")  # failures cannot be counted: refused too


def test_a_writable_database_has_no_banner(app):
    at = app().run()
    assert not at.exception
    assert not at.error


# ---------------------------------------------------------------- the SQLite file deleted or replaced
# A database file is SQLite's: these run on SQLite only (a skipped PostgreSQL case would fail CI).
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def sqlite_copy(writable_demo_db, backend, tmp_path, monkeypatch) -> str:
    assert backend == "sqlite", "mark the test @sqlite_only"
    monkeypatch.chdir(tmp_path)
    auth.create_user(writable_demo_db, "file_staff", PASSWORD, "staff", "520000", actor=auth.SYSTEM)
    return db_url(writable_demo_db)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@sqlite_only
def test_deleted_database_file_refuses_the_next_write(sqlite_copy):
    engine = get_engine(sqlite_copy)
    path = Path(engine.url.database)
    audit.record(engine, "tester", "export", "before")  # the engine is running, the file open
    before = _audit_rows(engine)
    _remove(path)
    with pytest.raises(DatabaseUnavailable, match=GONE) as refused:
        audit.record(engine, "tester", "export", "after")
    assert str(path) in refused.value.message
    assert not path.exists()  # the check did not create an empty file in its place
    with pytest.raises(DatabaseUnavailable, match=GONE):
        import_file(engine, b"x", "h.csv", kind="households")
    with pytest.raises(auth.AuthError, match=GONE):
        auth.authenticate(engine, "file_staff", PASSWORD)
    assert before >= 1


@sqlite_only
def test_replaced_database_file_refuses_the_next_write(sqlite_copy, tmp_path):
    engine = get_engine(sqlite_copy)
    path = Path(engine.url.database)
    audit.record(engine, "tester", "export", "before")
    other = tmp_path / "other.db"
    shutil.copy(path, other)
    _remove(path)
    os.replace(other, path)  # a restored backup, say: a different file at the same path
    with pytest.raises(DatabaseUnavailable, match=GONE):
        health.check_writable(engine)


@sqlite_only
def test_sign_in_after_the_file_was_deleted(sqlite_copy, app_at):
    at = app_at(sqlite_copy, user=None).run()
    assert not at.exception and not at.error
    _remove(Path(get_engine(sqlite_copy).url.database))
    at.run()
    assert any(GONE in e for e in _errors(at))  # the banner
    at = _sign_in(at, "file_staff", PASSWORD)
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.startswith("无法登录") and GONE in e for e in _errors(at)), _errors(at)
    assert "auth" not in at.session_state
