"""A short seeded fuzz of the casework import kinds — 部门推送线索 (leads), 节假日安排 (calendar), 期限规则
(deadline_rules) — on a database holding the demo data (issue 17 §6; tests/test_ingest_fuzz.py covers the
seven data kinds with exact oracles).

Each file starts from valid sample rows and gets random damage: truncation, NUL and control characters, bidi
overrides, garbage bytes, wrong types, absurd numbers and dates, formulas, Markdown, duplicated rows, missing
cells. Imported strictly, each file must end one of three ways, never another:

* refused as a file (FileError) — a Chinese reason, nothing written;
* rows rejected — every reason Chinese, and (strict) nothing written but the import log;
* accepted — every row it read is accounted for (a harmless damage, e.g. a cut inside the last cell).

No exception of any other kind, whatever the bytes; the whole corpus runs within a time cap.
"""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from safetynet.ingest import FileError, import_file
from safetynet.ingest.samples import csv_bytes, example_rows
from tests.support import CJK, LOG_TABLES, table_hashes

SEED = 17
FILES_PER_KIND = 20
TIME_CAP_SECONDS = 120  # per backend: a slow importer fails here rather than slowing CI unnoticed
TODAY = dt.date(2026, 11, 28)
KINDS = ("leads", "calendar", "deadline_rules")
HOSTILE = ("\x00", "\u202e", "\x07", "=HYPERLINK(\"http://198.51.100.7\")", "![x](http://198.51.100.7/p.png)",
           "9" * 40, "-1", "2026-02-30", "１２３", "'; DROP TABLE household; --", "", " ", "NaN", "1e308")


def _damage(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    choice = rng.randrange(7)
    if choice == 0:  # truncation at any byte
        return data[:rng.randrange(1, len(data))]
    if choice == 1:  # a hostile value in a random cell
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(HOSTILE).replace(",", "")
        lines[row] = ",".join(cells)
    elif choice == 2:  # a short row
        row = rng.randrange(1, len(lines))
        lines[row] = ",".join(lines[row].split(",")[:rng.randrange(1, 3)])
    elif choice == 3:  # garbage bytes in the middle
        cut = rng.randrange(len(data))
        return data[:cut] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12))) + data[cut:]
    elif choice == 4:  # duplicated rows
        lines.extend(lines[1:])
    elif choice == 5:  # a header cell damaged
        header = lines[0].split(",")
        header[rng.randrange(len(header))] = rng.choice(("", "备注", "\u202e线索", "姓名\x00"))
        lines[0] = ",".join(header)
    else:  # an extra cell on every row
        lines = [line + "," + rng.choice(HOSTILE).replace(",", "") for line in lines]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _corpus() -> list[tuple[str, bytes]]:
    rng = random.Random(SEED)
    files = []
    for kind in KINDS:
        for i in range(FILES_PER_KIND):
            # leads: half for files that exist (filled in by the test), half for applicants without a file
            rows = example_rows(kind, [] if kind != "leads" or i % 2 else ["__FILE__"], n=rng.randrange(1, 6),
                                today=TODAY)
            files.append((kind, _damage(rng, csv_bytes(rows))))
    return files


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, bytes]]:
    return _corpus()


def test_every_damaged_casework_file_ends_cleanly_with_chinese_reasons(writable_demo_db, corpus):
    engine = writable_demo_db
    with engine.connect() as conn:
        file_no = conn.exec_driver_sql(
            "SELECT file_no FROM household WHERE adcode = '520102' ORDER BY hh_id LIMIT 1").scalar() or \
            conn.exec_driver_sql("SELECT file_no FROM household ORDER BY hh_id LIMIT 1").scalar()
    started = time.monotonic()
    outcomes = {"file": 0, "rows": 0, "accepted": 0}
    for n, (kind, data) in enumerate(corpus):
        data = data.replace(b"__FILE__", file_no.encode())
        before = table_hashes(engine, skip=LOG_TABLES)
        try:
            result = import_file(engine, data, f"fuzz_{n}.csv", kind=kind, mode="strict", today=TODAY)
        except FileError as refused:
            assert CJK.search(refused.message), (n, kind, refused.message)
            assert table_hashes(engine, skip=LOG_TABLES) == before, (n, kind, "a refused file wrote")
            outcomes["file"] += 1
            continue
        if result.problem_rows:
            reasons = result.rejects()["reason"].astype(str)
            assert len(reasons) and reasons.map(lambda r: bool(CJK.search(r))).all(), (n, kind, list(reasons))
            assert table_hashes(engine, skip=LOG_TABLES) == before, (n, kind, "a strict import with errors wrote")
            outcomes["rows"] += 1
        else:
            assert result.status == "done" and result.rejected == 0, (n, kind, result.status)
            outcomes["accepted"] += 1
        assert time.monotonic() - started < TIME_CAP_SECONDS, f"the corpus ran over {TIME_CAP_SECONDS} s at file {n}"
    # the damage is real: most files are refused one way or the other, and each way happens
    assert outcomes["file"] > 0 and outcomes["rows"] > 0, outcomes
    assert outcomes["file"] + outcomes["rows"] > len(corpus) // 2, outcomes
