"""Property: malformed and mutated files never crash the importer, never half-write, never lose a row.

A thousand files, each a valid template file of some kind with mutations —
dropped and renamed columns, garbage cells, swapped types, duplicate and
conflicting rows, blank rows, unknown households, wrong encodings, truncated
or random bytes, XLSX — are imported in strict, partial and dry-run mode into
one small SQLite database (deterministic examples; SAFETYNET_FUZZ_RANDOM=1
explores new ones). Invariants:

* the importer raises nothing but `FileError` (file-level problems), and a
  FileError writes nothing;
* rows_read = accepted + updated + rejected for every sheet;
* strict: a file with any problem changes no data; one without problems is written;
* partial: the main table grows by exactly the rows reported inserted, and the
  batch's rejects cover exactly the rejected rows (database + rejects = read);
* a dry run writes nothing at all.

Re-scoring is switched off here (it has its own tests) to keep a thousand
imports fast; everything else is the production path.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from safetynet.db import get_engine, migrate, reference
from safetynet.ingest import FileError, import_file
from safetynet.ingest import kinds as K
from safetynet.ingest.samples import csv_bytes, example_rows, xlsx_bytes

TODAY = dt.date(2026, 11, 28)
DATA_TABLES = ("household", "person", "household_month", "risk_event", "assistance", "pairing", "helper",
               "relocation_site", "household_status")
LOG_TABLES = ("import_batch", "import_reject", "audit_log")
FILE_NOS = ["P-1", "P-2", "P-3"]
KIND_WEIGHTS = ["observations"] * 4 + ["persons", "households", "events", "assistance", "pairings", "sites"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'prop.db'}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
    households = example_rows("households", FILE_NOS, n=3, today=TODAY)
    book = {"家庭户": households, "家庭成员": example_rows("persons", FILE_NOS, n=3, today=TODAY),
            "月度观测": example_rows("observations", FILE_NOS, n=6, today=TODAY)}
    assert import_file(engine, xlsx_bytes(book), "seed.xlsx", today=TODAY, rescore=False).rejected == 0
    return engine


def snapshot(engine, tables) -> dict:
    with engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables}
        out["sums"] = tuple(conn.execute(text(
            "SELECT (SELECT SUM(income_wage) FROM household_month), (SELECT SUM(spend_medical) FROM household_month), "
            "(SELECT COUNT(*) FROM household WHERE status = '在档'), (SELECT SUM(cost) FROM risk_event), "
            "(SELECT SUM(amount) FROM assistance), (SELECT COUNT(end_on) FROM pairing), "
            "(SELECT SUM(households_relocated) FROM relocation_site), (SELECT COUNT(*) FROM person WHERE health = '健康'), "
            "(SELECT version FROM data_version WHERE id = 1)")).one())
    return out


GARBAGE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "-1", "1e309", "NaN", "abc", "2026-13", "202699", "99999999", "是", "否", "=1+1", "\"",
                     "a,b", "行\n内", "　", "0x10", "１２３", "2026年2月30日", "--", "null", "#N/A", "9" * 40]),
    st.integers(min_value=-10**6, max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@st.composite
def files(draw):
    kind = draw(st.sampled_from(KIND_WEIGHTS))
    n = draw(st.integers(min_value=1, max_value=6))
    rows = example_rows(kind, FILE_NOS + ["P-9"] * draw(st.integers(0, 1)), n=n, today=TODAY)
    headers = list(rows[0])
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        op = draw(st.sampled_from(["drop", "rename", "garbage", "garbage", "swap", "dup", "conflict", "blank",
                                   "unknown_hh", "extra"]))
        col = draw(st.sampled_from(headers)) if headers else None
        i = draw(st.integers(min_value=0, max_value=len(rows) - 1)) if rows else 0
        if op == "drop" and col and len(headers) > 1:
            headers.remove(col)
        elif op == "rename" and col:
            new = draw(st.one_of(st.text(min_size=1, max_size=6), st.sampled_from(
                [f.header for s in K.KINDS.values() for f in s.fields])))
            if new not in headers:
                headers[headers.index(col)] = new
                for r in rows:
                    r[new] = r.pop(col, "")
        elif op == "garbage" and col and rows:
            rows[i][col] = draw(GARBAGE)
        elif op == "swap" and col and rows:
            value = rows[i].get(col)
            rows[i][col] = "文本" if isinstance(value, int | float) or str(value).replace(".", "").isdigit() else 12345
        elif op == "dup" and rows:
            rows.append(dict(rows[i]))
        elif op == "conflict" and rows and col:
            rows.append({**rows[i], col: draw(GARBAGE)})
        elif op == "blank":
            rows.insert(i, {h: "" for h in headers})
        elif op == "unknown_hh" and rows and "档案编号" in headers:
            rows[i]["档案编号"] = "NOPE-" + str(i)
        elif op == "extra":
            name = draw(st.text(min_size=1, max_size=5))
            if name not in headers:
                headers.append(name)
                for r in rows:
                    r[name] = draw(GARBAGE)
    fmt = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "big5", "shift_jis", "cp1252",
                                "xlsx"] + ["utf-8"] * 4))
    if fmt == "xlsx":
        data = xlsx_bytes({draw(st.sampled_from([K.KINDS[kind].title, "Sheet1", "说明"])): [
            {h: r.get(h, "") for h in headers} for r in rows]}, typed=draw(st.booleans()))
        name = "f.xlsx"
    else:
        text_ = csv_bytes([{h: r.get(h, "") for h in headers} for r in rows], header=headers,
                          delimiter=draw(st.sampled_from([",", ",", ",", "\t", ";"])),
                          notes=draw(st.booleans()), kind=kind).decode("utf-8")
        data = text_.encode(fmt.replace("utf-8-sig", "utf-8"), errors="replace")
        if fmt == "utf-8-sig":
            data = b"\xef\xbb\xbf" + data
        name = "f.csv"
    # Where to damage the bytes is drawn as a fraction, never as a range over len(data): an XLSX file's
    # length depends on the clock (openpyxl stamps the save time into the zip), and a draw whose bounds
    # change between Hypothesis's replays of one example is a FlakyStrategyDefinition.
    damage = draw(st.sampled_from(["none"] * 6 + ["truncate", "insert", "random", "flip"]))
    where = draw(st.integers(min_value=0, max_value=10_000)) / 10_000
    if damage == "truncate":
        data = data[:round(where * len(data))]
    elif damage == "insert":
        at = round(where * len(data))
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    elif damage == "random":
        data = draw(st.binary(max_size=300))
    elif damage == "flip" and data:
        at = min(int(where * len(data)), len(data) - 1)
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    return kind, data, name


@settings(max_examples=1000, deadline=None, derandomize=os.environ.get("SAFETYNET_FUZZ_RANDOM") != "1", database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(case=files(), mode=st.sampled_from(["strict", "partial"]), dry_run=st.sampled_from([False, False, True]),
       give_kind=st.booleans())
def test_importer_survives_malformed_files(engine, case, mode, dry_run, give_kind):
    kind, data, name = case
    before = snapshot(engine, DATA_TABLES + LOG_TABLES)
    try:
        result = import_file(engine, data, name, kind=kind if give_kind else None, mode=mode, dry_run=dry_run,
                             user="fuzz", today=TODAY, rescore=False)
    except FileError as exc:
        assert exc.message and "\n" not in exc.message
        assert snapshot(engine, DATA_TABLES + LOG_TABLES) == before  # a file-level error writes nothing at all
        return
    after = snapshot(engine, DATA_TABLES + LOG_TABLES)
    for sheet in result.sheets:
        assert sheet.rows_read == sheet.accepted + sheet.updated + sheet.rejected
        assert sheet.problem_rows <= sheet.rows_read
        assert sheet.rejects["row_number"].nunique() == sheet.problem_rows
        assert not any("无法归类" in r for r in sheet.rejects["reason"])  # every row is classified
    if dry_run:
        assert after == before
        return
    data_before = {k: v for k, v in before.items() if k not in LOG_TABLES}
    data_after = {k: v for k, v in after.items() if k not in LOG_TABLES}
    if mode == "strict" and result.problem_rows:
        assert result.status == "rejected"
        assert {k: v for k, v in data_after.items() if k != "sums"} == {k: v for k, v in data_before.items() if k != "sums"}
        assert data_after["sums"][:-1] == data_before["sums"][:-1]  # no data change, and no version bump
        assert data_after["sums"][-1] == data_before["sums"][-1]
        for sheet in result.sheets:
            assert sheet.rejected == sheet.rows_read and sheet.accepted == sheet.updated == 0
        return
    assert result.status == "done"
    for sheet in result.sheets:
        table = K.KINDS[sheet.kind].table
        grew = after[table] - before[table]
        extra = 0
        assert grew == sheet.inserted + extra, (sheet.kind, grew, sheet.as_dict())
        with engine.connect() as conn:
            stored_rejects = conn.execute(text("SELECT COUNT(DISTINCT row_number) FROM import_reject WHERE batch_id = :b"),
                                          {"b": sheet.batch_id}).scalar_one()
            batch = conn.execute(text("SELECT rows_read, rows_accepted, rows_updated, rows_rejected FROM import_batch "
                                      "WHERE batch_id = :b"), {"b": sheet.batch_id}).one()
        assert stored_rejects == sheet.rejected
        assert batch.rows_read == batch.rows_accepted + batch.rows_updated + batch.rows_rejected == sheet.rows_read
    changed = sum(s.inserted + s.updated for s in result.sheets)
    assert (after["sums"][-1] > before["sums"][-1]) == bool(changed)  # the version moves iff data changed
