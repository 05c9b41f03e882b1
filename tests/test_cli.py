"""The command line: each command on the configured database, clear errors, non-zero exits."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from safetynet.cli import main


def _run(*args: str, env_url: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "safetynet", *(["--db", env_url] if env_url else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def test_init_demo_stats_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = _run("init-db", env_url=url)
    assert done.returncode == 0, done.stderr
    from safetynet.db import migrate

    assert f"→ {migrate.head_revision()}" in done.stdout
    done = _run("demo", "--households", "400", "--months", "14", "--seed", "2", "--quiet", env_url=url)
    assert done.returncode == 0, done.stderr
    stats = json.loads(_run("stats", "--json", env_url=url).stdout)
    assert stats["households"] == 400 and stats["months"] == 14
    assert set(stats["tiers"]) == {"高", "中", "低"} and all(n > 0 for n in stats["tiers"].values())
    assert sum(stats["tiers"].values()) == stats["scored_latest_month"]
    assert stats["persons"] > 400 and stats["sites"] > 0 and stats["data_version"] >= 1
    again = _run("rescore", "--quiet", env_url=url)
    assert again.returncode == 0, again.stderr
    rescored = json.loads(_run("stats", "--json", env_url=url).stdout)
    assert rescored["tiers"] == stats["tiers"]
    one = _run("rescore", "--month", "latest", "--quiet", env_url=url)
    assert one.returncode == 0, one.stderr
    assert '"households": ' in one.stdout
    after = json.loads(_run("stats", "--json", env_url=url).stdout)
    assert after["tiers"] == stats["tiers"] and after["data_version"] == rescored["data_version"] + 1
    older = rescored["latest_month"] - 1 if rescored["latest_month"] % 100 > 1 else rescored["latest_month"] - 89
    for bad in ("2026-13", "202613", "199901", str(older)):  # an older month alone would leave later ones stale
        done = _run("rescore", "--month", bad, "--quiet", env_url=url)
        assert done.returncode == 1 and done.stderr.startswith("错误 error:"), done.stderr


def test_stats_on_postgres(writable_demo_db, backend):
    url = writable_demo_db.url.render_as_string(hide_password=False)
    done = _run("stats", "--json", env_url=url)
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert stats["households"] == 300 and sum(stats["tiers"].values()) == stats["scored_latest_month"]


def test_bad_database_url_is_one_clear_line(capsys):
    code = main(["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "stats"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("错误 error:") and err.count("\n") == 1


def test_demo_refuses_real_data_with_exit_2(writable_demo_db, capsys):
    from sqlalchemy import text

    with writable_demo_db.begin() as conn:
        conn.execute(text("UPDATE household SET batch_id = NULL WHERE hh_id = 2"))
    url = writable_demo_db.url.render_as_string(hide_password=False)
    assert main(["--db", url, "demo", "--households", "10", "--months", "3", "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err


def test_unknown_command_exits_non_zero():
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_users_commands(tmp_path):
    url = f"sqlite:///{tmp_path / 'users.db'}"
    cmd = [sys.executable, "-m", "safetynet", "--db", url, "users"]
    done = subprocess.run([*cmd, "add", "wang", "--role", "leader", "--scope", "520000", "--password-stdin"],
                          input="long-password-1\n", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    short = subprocess.run([*cmd, "add", "li", "--scope", "520000", "--password-stdin"], input="short\n", capture_output=True, text=True)
    assert short.returncode == 2 and "8" in short.stderr
    assert subprocess.run([*cmd, "disable", "wang"], capture_output=True, text=True).returncode == 0
    listed = json.loads(subprocess.run([*cmd, "list", "--json"], capture_output=True, text=True).stdout)
    assert [(u["username"], u["role"], u["scope_adcode"], bool(u["active"])) for u in listed] == [
        ("wang", "leader", "520000", False)]
    assert "long-password-1" not in json.dumps(listed)


def test_the_default_database_is_under_the_working_directory(tmp_path, monkeypatch):
    """Not where the package is installed: an installed (non-editable) package wrote into site-packages' parent."""
    from safetynet import config

    monkeypatch.delenv("SAFETYNET_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.db_url() == f"sqlite:///{(tmp_path / 'data' / 'safetynet.db').as_posix()}"
    monkeypatch.setenv("SAFETYNET_DB_URL", "postgresql+psycopg://u@h/db")
    assert config.db_url() == "postgresql+psycopg://u@h/db"
