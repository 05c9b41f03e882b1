"""`python -m safetynet template` and `import`: files written, JSON answers, exit codes 0 / 1 / 2 / 3."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from safetynet import cli
from safetynet.ingest import KINDS, load
from safetynet.ingest.samples import csv_bytes, example_rows


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_template_writes_one_or_all(tmp_path, capsys):
    code, out, _err = run(capsys, "template", "observations", "--format", "csv", "--out", str(tmp_path))
    assert code == 0 and (tmp_path / "observations_月度观测.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    code, out, _err = run(capsys, "template", "all", "--format", "both", "--out", str(tmp_path / "all"))
    assert code == 0 and len(list((tmp_path / "all").iterdir())) == 2 * len(KINDS)
    code, _out, err = run(capsys, "template", "nonsense")
    assert code == 1 and "未知的数据类型" in err


def test_import_json_and_exit_codes(tmp_path, db, capsys):
    households = tmp_path / "hh.csv"
    households.write_bytes(csv_bytes(example_rows("households", ["C-1", "C-2"], n=2)))
    code, out, _err = run(capsys, "--db", db, "import", str(households), "--json")
    answer = json.loads(out)
    assert code == 0 and answer["status"] == "done" and answer["exit_code"] == 0
    assert answer["sheets"][0]["rows_accepted"] == 2 and answer["sheets"][0]["inserted"] == 2

    rows = example_rows("observations", ["C-1", "C-2"], n=3) + [{"档案编号": "C-1", "月份": "2026-13"}]
    obs = tmp_path / "obs.csv"
    obs.write_bytes(csv_bytes(rows, encoding="gbk"))
    code, out, _err = run(capsys, "--db", db, "import", str(obs), "--json", "--dry-run")
    answer = json.loads(out)
    assert code == 1 and answer["dry_run"] and answer["rows_rejected"] == 1
    assert answer["problems"][0]["message"] == "第5行 月份：值“2026-13”月份不存在（月应为1–12）"

    code, out, _err = run(capsys, "--db", db, "import", str(obs), "--json")  # strict: nothing written
    answer = json.loads(out)
    assert code == 1 and answer["status"] == "rejected" and answer["sheets"][0]["rows_rejected"] == 4

    rejects = tmp_path / "rejects.csv"
    code, out, _err = run(capsys, "--db", db, "import", str(obs), "--mode", "partial", "--rejects", str(rejects))
    assert code == 1 and "新增 3" in out and "第5行 月份" in out
    assert "导入问题清单" in rejects.read_bytes().decode("utf-8-sig")

    code, out, _err = run(capsys, "--db", db, "import", str(obs), "--mode", "partial", "--json")
    answer = json.loads(out)
    assert answer["sheets"][0]["unchanged"] == 3 and answer["data_version"] is None


@pytest.mark.parametrize("content, name, error", [
    (b"", "e.csv", "empty"), (b"%PDF-1.7", "x.pdf", "not_spreadsheet"),
    ("档案编号,工资性收入\n1,2\n".encode(), "m.csv", "missing_columns"),
])
def test_file_errors_exit_2_with_one_line(tmp_path, db, capsys, content, name, error):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, _err = run(capsys, "--db", db, "import", str(path), "--json")
    assert code == 2 and json.loads(out)["error"] == error
    code, _out, err = run(capsys, "--db", db, "import", str(path))
    last = err.split("\r")[-1]  # a progress bar may have drawn (and cleared) the line before
    assert code == 2 and last.startswith("错误：") and last.count("\n") == 1
    code, _out, err = run(capsys, "--db", db, "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "找不到文件" in err
    code, _out, err = run(capsys, "--db", db, "import", str(path), "--kind", "bogus")
    assert code == 2 and "未知的数据类型" in err


def test_database_failure_exits_3(tmp_path, db, capsys, monkeypatch):
    path = tmp_path / "hh.csv"
    path.write_bytes(csv_bytes(example_rows("households", ["D-1"], n=1)))

    def broken(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(load, "_write_all", broken)
    code, out, _err = run(capsys, "--db", db, "import", str(path), "--json")
    assert code == 3 and "connection lost" in json.loads(out)["message"]


def test_module_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "safetynet", "template", "sites", "--format", "csv", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and (tmp_path / "sites_安置点.csv").exists()
