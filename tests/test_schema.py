"""The schema is what the migrations build, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from safetynet.config import REPO_ROOT
from safetynet.db import get_engine, migrate
from safetynet.db.schema import metadata


def test_alembic_head_equals_models(empty_db):
    with empty_db.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_is_idempotent_and_reports_head(empty_db):
    assert migrate.current_revision(empty_db) == migrate.head_revision()
    assert migrate.ensure_schema(empty_db) is False


def test_downgrade_to_base_then_upgrade(empty_db):
    migrate.downgrade(empty_db, "base")
    assert set(inspect(empty_db).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_db)
    assert set(metadata.tables) <= set(inspect(empty_db).get_table_names())


def test_sqlite_pragmas(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_every_table_is_documented():
    doc = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    for table in metadata.tables.values():
        assert f"`{table.name}`" in doc, f"docs/schema.md does not describe {table.name}"
        for column in table.columns:
            assert f"`{column.name}`" in doc, f"docs/schema.md does not mention {table.name}.{column.name}"


def test_an_older_database_with_data_upgrades_to_head(backend, pg_server, tmp_path):
    """A database left at the first revision, holding data, is brought to head without losing rows."""
    from safetynet.db import reference
    from tests.conftest import _new_url

    engine = get_engine(_new_url(backend, pg_server, tmp_path, "older"))
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        reference.load_reference(conn)
    assert migrate.current_revision(engine) == "0001"
    assert "saved_view" not in inspect(engine).get_table_names()
    assert migrate.ensure_schema(engine) is True
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert "saved_view" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM region").scalar() > 3000
