"""Shared fixtures: a small demo database on every backend.

SQLite always runs. PostgreSQL runs when SAFETYNET_TEST_PG_URL names a server
(each session gets its own throw-away database there); with
SAFETYNET_REQUIRE_PG=1 — as `.ci/run` sets — a missing server fails the run
instead of skipping, so CI can never pass with the PostgreSQL tests silently
skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from safetynet.auth import User
from safetynet.db import dispose, dispose_all, get_engine, migrate, reference
from safetynet.db.schema import app_user
from safetynet.demo.generate import DemoConfig, generate

# Hypothesis profiles of the live-database import tests (tests/test_import_stateful.py), chosen with
# `--hypothesis-profile=ci|soak` (ci when none is given). ci: seeded, 3 runs of 8 imports per backend, no
# shrinking (a failing run prints its steps; a shrink would replay them for minutes); soak: 50 runs of
# 20 imports — 1,000 import steps per database — shrunk to a minimal sequence when one fails.
# SAFETYNET_FUZZ_RANDOM=1 explores new examples instead of the seeded ones.
_SEEDED = os.environ.get("SAFETYNET_FUZZ_RANDOM") != "1"
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=3, stateful_step_count=8, deadline=None, derandomize=_SEEDED,
                          database=None, print_blob=True, suppress_health_check=_SLOW_OK,
                          phases=(Phase.explicit, Phase.reuse, Phase.generate))
settings.register_profile("soak", max_examples=50, stateful_step_count=20, deadline=None, derandomize=_SEEDED,
                          database=None, print_blob=True, suppress_health_check=_SLOW_OK)

# The browser cookie's signing key of this test process and of every app server it starts (they inherit the
# environment), so the suite writes no .streamlit/session.key into the checkout; the key file itself is
# tested in tests/security/test_browser_cookie.py.
os.environ.setdefault("SAFETYNET_SECRET_KEY", "test-suite-browser-cookie-key-0123456789abcdef")

SMALL_DEMO = DemoConfig(households=600, months=24, seed=11)
TEST_ADMIN = User(user_id=0, username="test_admin", display_name="测试管理员", role="admin", scope="000000")
PG_ENV = "SAFETYNET_TEST_PG_URL"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backend: test runs once per database backend")


def _require_pg() -> bool:
    return os.environ.get("SAFETYNET_REQUIRE_PG", "") == "1"


class PgServer:
    """Creates and drops throw-away databases on the test PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.admin_url = make_url(url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        self.created: list[str] = []

    def new_database(self, label: str) -> str:
        name = f"sn_test_{label}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        dispose_all()
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    url = os.environ.get(PG_ENV)
    if not url:
        if _require_pg():
            pytest.fail(f"SAFETYNET_REQUIRE_PG=1 but {PG_ENV} is not set")
        yield None
        return
    try:
        server = PgServer(url)
    except Exception as exc:  # noqa: BLE001
        if _require_pg():
            pytest.fail(f"PostgreSQL at {url} is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield server
    server.drop_all()


def _new_url(backend: str, pg_server: PgServer | None, tmp_dir: Path, label: str) -> str:
    if backend == "postgres":
        if pg_server is None:
            pytest.skip(f"PostgreSQL tests need {PG_ENV}")
        return pg_server.new_database(label)
    return f"sqlite:///{tmp_dir / (label + '.db')}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_db(backend: str, pg_server: PgServer | None, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated database with reference data and nothing else."""
    url = _new_url(backend, pg_server, tmp_path, "empty")
    engine = get_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
    yield engine
    dispose(url)  # each private database's pool would otherwise hold its connections to the end of the run


_demo_cache: dict[str, str] = {}


@pytest.fixture(scope="session")
def demo_urls(pg_server: PgServer | None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Lazily built session demo databases, one per backend (read-only for tests)."""
    return _demo_cache


@pytest.fixture
def demo_db(backend: str, pg_server: PgServer | None, tmp_path_factory: pytest.TempPathFactory,
            demo_urls: dict[str, str]) -> Engine:
    """The session's small demo database on `backend`. Tests must not write to it."""
    if backend not in demo_urls:
        url = _new_url(backend, pg_server, tmp_path_factory.mktemp("demo"), "demo")
        engine = get_engine(url)
        migrate.upgrade(engine)
        generate(engine, SMALL_DEMO)
        signed_in(engine, TEST_ADMIN)  # the account exists before any test reads the database
        demo_urls[backend] = url
    return get_engine(demo_urls[backend])


@pytest.fixture
def writable_demo_db(backend: str, pg_server: PgServer | None, tmp_path: Path) -> Iterator[Engine]:
    """A private demo database a test may change."""
    url = _new_url(backend, pg_server, tmp_path, "wdemo")
    engine = get_engine(url)
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=300, months=18, seed=5))
    signed_in(engine, TEST_ADMIN)  # before a test may make the database read-only
    yield engine
    # PostgreSQL allows 100 connections: a pool left open per private database runs out of them in one run
    dispose(url)


def db_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def make_read_only(engine: Engine, backend: str, pg_server: PgServer | None, tmp_path: Path) -> str:
    """The URL of `engine`'s database made read-only: on SQLite a copy opened read-only (mode=ro), on
    PostgreSQL the database itself with default_transaction_read_only (new sessions start read-only)."""
    if backend == "sqlite":
        copy = tmp_path / "readonly.db"
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM INTO ?", (str(copy),))
        finally:
            raw.close()
        with sqlite3.connect(copy) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        return f"sqlite:///file:{copy}?mode=ro&uri=true"
    with pg_server.admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{engine.url.database}" SET default_transaction_read_only = on'))
    engine.dispose()
    return db_url(engine)


def signed_in(engine: Engine, user: User) -> dict:
    """ui.session's state for `user` signed in now, as sign-in leaves it.

    Every rerun checks the account in app_user (still enabled, password not reset since), so a test's
    made-up user is given an account the first time (without a password: it cannot sign in by the form)."""
    with engine.begin() as conn:
        row = conn.execute(select(app_user.c.user_id, app_user.c.session_epoch)
                           .where(app_user.c.username == user.username)).first()
        if row is None:
            user_id = conn.execute(insert(app_user).values(
                username=user.username, display_name=user.display_name, role=user.role, scope_adcode=user.scope,
                active=True, failed_attempts=0, created_at=dt.datetime.now().replace(microsecond=0),
            ).returning(app_user.c.user_id)).scalar_one()
            row = (user_id, 0)
    now = dt.datetime.now()
    return {"user": replace(user, user_id=int(row[0])), "epoch": int(row[1]), "at": now, "seen": now}


def open_screen(engine: Engine, user: User, page: str, **query: str):
    """An AppTest of app.py signed in as `user`, on `page` ("pages/…") with `query` in the URL, in Chinese.
    The caller points SAFETYNET_DB_URL at `engine`'s database."""
    from streamlit.testing.v1 import AppTest

    from safetynet import i18n
    from safetynet.config import REPO_ROOT

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.session_state["auth"] = signed_in(engine, user)
    i18n.set_lang("zh")  # format_func labels are also computed in the test thread
    at.run()
    return at.switch_page(page).run()


@pytest.fixture
def app(demo_db, monkeypatch):
    """A factory of AppTests of app.py on the session demo database (once per backend).

    `app(prov="520000", lang="en")` puts those query parameters in the URL;
    `app(user=User(...))` signs in someone else than the default administrator.
    """
    from streamlit.testing.v1 import AppTest

    from safetynet import i18n
    from safetynet.config import REPO_ROOT

    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(demo_db))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")

    def make(user: User | None = None, **query: str) -> AppTest:
        """An AppTest signed in as `user` (default: a nationwide administrator)."""
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        at.session_state["auth"] = signed_in(demo_db, user or TEST_ADMIN)
        # widgets' format_func labels are also computed in the test thread: same language there
        i18n.set_lang(query.get("lang", "zh"))
        return at

    yield make
    i18n.set_lang("zh")


@pytest.fixture(autouse=True)
def _quiet_streamlit() -> None:
    # Streamlit re-applies its log level on every run; silence the bare-mode noise per test.
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api",
                 "streamlit.runtime.state.session_state_proxy"):
        logging.getLogger(name).setLevel(logging.ERROR)


# ---------------------------------------------------------------- CI guards
_outcomes: dict[str, dict[str, int]] = {"postgres": {}, "e2e": {}}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        for marker in _outcomes:
            if marker in report.keywords:
                counts = _outcomes[marker]
                counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    for marker, counts in _outcomes.items():
        terminalreporter.write_line(f"{marker} tests: {counts or 'none collected'}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With SAFETYNET_REQUIRE_PG / _BROWSER set (CI), skipped or missing tests fail the run."""
    for marker, env in (("postgres", "SAFETYNET_REQUIRE_PG"), ("e2e", "SAFETYNET_REQUIRE_BROWSER")):
        if os.environ.get(env) != "1":
            continue
        counts = _outcomes[marker]
        if counts.get("skipped") or not counts.get("passed"):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            print(f"\n{env}=1 but {marker} tests did not all run: {counts}")
