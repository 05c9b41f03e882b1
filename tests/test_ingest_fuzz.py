"""A fuzz corpus of every import kind, imported into a database that already holds data (issue 18).

A few hundred files are generated from a fixed seed (nothing is committed): each starts from the
template's header (ingest/templates.py: every column, sometimes with the notes row) or the sample
rows' columns (ingest/samples.py), with rows that are valid against the demo database, and gets one
kind of damage whose consequence is known in advance:

  truncation at a random byte offset · short rows · extra cells and extra columns · a line in the other
  encoding · control, zero-width and bidirectional characters · NUL bytes (CSV and Excel) · blank
  words in any letter case · wrong types · out-of-range values · duplicated and conflicting keys ·
  a new observation without any income

Every file is imported (strict, partial or dry run) through `import_file` and checked for

* the exit code of `python -m safetynet import` (0 accepted, 1 rows rejected, 2 file unusable; the
  CLI's own mapping, exercised through the CLI for one file of each code);
* the rejected rows: exactly the damaged ones, each with a Chinese reason naming its row and the
  damaged column (or the whole row, for row-shaped damage);
* for every file that must change nothing — exit 2, a dry run, a strict import with a rejected row —
  a database whose every table is the same as before (strict imports record the attempt in the
  import log, by design: those three tables are left out for them).

The truncation oracle: a cut before the first data row, or inside a character, leaves an unusable file;
a cut inside a row makes it a short row (rejected) unless it falls inside the row's last cell, whose
values are chosen so that any cut of them is either blank (valid) or an invalid code (rejected).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, text

from safetynet import cli
from safetynet.domain import codes, idcard
from safetynet.ingest import FileError, ImportFailed, import_file, templates
from safetynet.ingest import kinds as K
from safetynet.ingest.samples import example_rows, xlsx_bytes
from safetynet.ingest.validate import BLANKS, message
from tests.support import LOG_TABLES, table_hashes

SEED = 18
FILES = 260
BLOCK = 26
# The scores and roll-ups, which an import changes only through the refresh after a write (and the
# largest tables): fingerprinted around each run of files that must change nothing, not around each file.
DERIVED = ("risk_score", "rollup_region_month", "rollup_industry_month", "rollup_site_month", "rollup_migrant")
# Tables no import writes (regions, industries, organisations, employers, accounts, calendars): fingerprinted
# before and after the whole corpus rather than around every file.
REFERENCE = ("region", "region_line", "industry", "union_org", "employer", "app_user", "saved_view", "work_calendar",
             "alembic_version")
TODAY = dt.date(2026, 11, 28)
KINDS = ("observations", "observations", "households", "persons", "events", "assistance", "pairings", "sites")
# The column every sample row ends with: any cut of its values is blank or not a valid value.
LAST = {"persons": ("是否工会会员", ("是", "否")), "events": ("备注", ("无", "有")),
        "assistance": ("帮扶主体", codes.PROVIDERS), "pairings": ("责任人类型", ("个人", "单位")),
        "sites": ("工会服务站", ("是", "否")), "observations": ("是否欠薪", ("是", "否")),
        "households": ("是否搬迁户", ("是", "否"))}
# A non-key column whose value a conflicting duplicate changes, and the other value it gets.
CONFLICT = {"observations": "工资性收入", "households": "是否搬迁户", "persons": "是否工会会员", "events": "损失金额",
            "assistance": "帮扶主体", "pairings": "责任人类型", "sites": "工会服务站"}
HIDDEN = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9b", "\u061c", "\u200b",
          "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2060",
          "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\t"]
CONDITIONAL = {"id_number", "worker_cat", "monitor_cat"}  # required only together with other cells
ROW_MUTATIONS = ("short_row", "extra_cell", "hidden", "blank_word", "wrong_type", "out_of_range", "dup_exact",
                 "dup_conflict", "no_income")
FILE_MUTATIONS = ("valid", "valid", "extra_column", "truncate", "truncate", "truncate", "mixed", "nul_csv")


@dataclass
class Case:
    label: str
    kind: str
    data: bytes
    file_name: str
    mode: str
    dry_run: bool
    exit: int  # expected exit code
    rejects: dict[int, dict[str | None, str]] = field(default_factory=dict)  # row → {column: reason fragment}

    @property
    def changes_nothing(self) -> bool:
        return self.exit == 2 or self.dry_run or (self.mode == "strict" and self.exit == 1)


# ---------------------------------------------------------------- what the database holds
@dataclass
class Facts:
    file_nos: list[str]
    small: list[str]  # households with few members (persons may be added)
    counter: int = 0

    @classmethod
    def load(cls, engine: Engine) -> Facts:
        with engine.connect() as conn:
            file_nos = [r[0] for r in conn.execute(text("SELECT file_no FROM household ORDER BY hh_id"))]
            small = [r[0] for r in conn.execute(text(
                "SELECT h.file_no FROM household h LEFT JOIN person p ON p.hh_id = h.hh_id GROUP BY h.file_no "
                "HAVING COUNT(p.person_id) < 8 ORDER BY h.file_no"))]
        return cls(file_nos, small)

    def next(self) -> int:
        self.counter += 1
        return self.counter


# ---------------------------------------------------------------- valid rows of every kind
def base_rows(kind: str, facts: Facts, rnd: random.Random, case: int) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows): valid rows of `kind`, ending with the LAST column (sample columns) or the whole template."""
    n = rnd.randint(2, 6)
    pool = facts.small if kind == "persons" else facts.file_nos
    if kind in ("households",):
        fns = [f"FZ{case:03d}-{i}" for i in range(n)]
    else:
        fns = rnd.sample(pool, n)
    rows = [{k: "" if v is None else str(v) for k, v in r.items()} for r in example_rows(kind, fns, n=n, today=TODAY)]
    last, values = LAST[kind]
    for i, r in enumerate(rows):
        if kind == "observations":
            r["月份"] = rnd.choice(["2026-08", "2026-09", "2026-10", "2026-11", "202611", "2026年10月"])
            r["工资性收入"] = str(rnd.randint(0, 6000))
            r["转移净收入"] = f"{rnd.randint(0, 900)}.{rnd.randint(0, 99):02d}"
        elif kind == "persons":  # a new ID number for every member of the corpus
            k = facts.next()
            r["身份证号"] = idcard.make("520102", dt.date(1950 + k // 300, 1 + k % 12, 1 + k % 28), 101 + 2 * (k % 300))
            r["与户主关系"] = rnd.choice(["子", "女", "其他", "20"])
            r["姓名"] = f"成员{case}{'甲乙丙丁戊己'[i]}"
        elif kind == "events":
            r["发生日期"] = (TODAY - dt.timedelta(days=rnd.randint(1, 700))).isoformat()
        elif kind == "assistance":
            r["帮扶类型"] = rnd.choice(list(codes.ASSISTANCE_TYPES))
            r["金额"] = str(rnd.randint(0, 9000))
        elif kind == "pairings":
            r["帮扶责任人"] = f"结对人{case}{'甲乙丙丁戊己'[i]}"
        elif kind == "sites":
            r["安置点名称"] = f"测试安置点{case}-{i}"
        r.pop(last, None)
        r[last] = rnd.choice(values)
    if rnd.random() < 0.4:  # the whole template, in its order, most cells blank
        header = [f.header for f in K.resolve_kind(kind).fields]
    else:
        header = list(rows[0])
    rows = [{h: r.get(h, "") for h in header} for r in rows]
    for r in rows:
        assert all(not set(v) & set(',"\r\n') for v in r.values()), r
    return header, rows


def row_number(i: int, notes: bool) -> int:
    return i + 2 + (1 if notes else 0)


# ---------------------------------------------------------------- writing files
def write_csv(header: list[str], rows: list[dict[str, str]], encoding: str, notes: bool, kind: str,
              newline: str = "\r\n", line_encodings: dict[int, str] | None = None) -> tuple[bytes, list[tuple[int, int]]]:
    """The file and, per line, its (start, end) character offsets in the text (without terminator)."""
    spec = K.resolve_kind(kind)
    by_header = {f.header: f for f in spec.fields}
    lines = [",".join(header)]
    if notes:
        lines.append(",".join(templates.note_cell(by_header[h]) if h in by_header else "【选填】" for h in header))
    lines += [",".join(r[h] if h in r else "" for h in header) if isinstance(r, dict) else r for r in rows]
    spans, pos = [], 0
    for line in lines:
        spans.append((pos, pos + len(line)))
        pos += len(line) + len(newline)
    base = "utf-8" if encoding == "utf-8-sig" else encoding
    chunks = [(line + newline).encode((line_encodings or {}).get(i, base)) for i, line in enumerate(lines)]
    data = b"".join(chunks)
    return (b"\xef\xbb\xbf" + data if encoding == "utf-8-sig" else data), spans


def text_of(data: bytes, encoding: str) -> str:
    if encoding == "utf-8-sig":
        return data[3:].decode("utf-8")
    return data.decode(encoding)


# ---------------------------------------------------------------- the corpus
def _cell_columns(kind: str, header: list[str], row: dict[str, str], want: str) -> list[str]:
    """Columns of `row` a cell mutation `want` can act on."""
    spec = K.resolve_kind(kind)
    fields = {f.header: f for f in spec.fields}
    out = []
    for h in header:
        f, v = fields.get(h), row.get(h, "")
        if f is None or not v:
            continue
        if want == "hidden" and len(v) >= 2:
            out.append(h)
        elif want == "blank_word" and f.name not in CONDITIONAL:
            out.append(h)
        elif want == "wrong_type" and f.type not in ("text", "lookup"):
            out.append(h)
        elif want == "out_of_range" and (f.type in ("money", "date", "month") or (f.type in ("int", "float")
                                                                                   and f.lo is not None)):
            out.append(h)
    return out


def _out_of_range(f: K.Field) -> str:
    if f.type == "money":
        return "-5"
    if f.type == "date":
        return "2099-01-01"
    if f.type == "month":
        return "2099-01"
    return str(int(f.lo) - 1) if f.type == "int" else str(f.lo - 1)


def mutate_rows(kind: str, header: list[str], rows: list, rnd: random.Random, notes: bool, case: int,
                how: list[str], hidden_via: list[str]) -> tuple[list, dict[int, dict[str | None, str]]]:
    """Apply row mutations to distinct rows; returns the new rows (dicts or raw lines) and the expected rejects."""
    spec = K.resolve_kind(kind)
    fields = {f.header: f for f in spec.fields}
    rows = [dict(r) for r in rows]
    expected: dict[int, dict[str | None, str]] = {}
    free = list(range(len(rows)))
    rnd.shuffle(free)
    appended: list = []
    for want in how:
        if not free:
            break
        i = free.pop()
        r = rows[i]
        at = row_number(i, notes)
        if want == "short_row":
            cells = [r[h] for h in header]
            keep = rnd.randint(1, len(cells) - 1)
            rows[i] = ",".join(cells[:keep])
            expected[at] = {None: f"比表头少 {len(cells) - keep} 列"}
        elif want == "extra_cell":
            rows[i] = ",".join([r[h] for h in header] + ["多余的值"])
            expected[at] = {None: "比表头多 1 列"}
        elif want == "hidden":
            cols = _cell_columns(kind, header, r, "hidden")
            h = rnd.choice(cols)
            ch = rnd.choice(hidden_via)
            v = r[h]
            k = rnd.randint(1, len(v) - 1)
            r[h] = v[:k] + ch + v[k:]
            if not (ch == "\t" and fields[h].free_text):
                expected[at] = {h: f"U+{ord(ch):04X}"}
        elif want == "blank_word":
            h = rnd.choice(_cell_columns(kind, header, r, "blank_word"))
            word = rnd.choice([w for w in BLANKS if w] + ["", " "])
            r[h] = "".join(c.upper() if rnd.random() < 0.5 else c for c in word)
            if fields[h].required:
                expected[at] = {h: "必填"}
        elif want == "wrong_type":
            h = rnd.choice(_cell_columns(kind, header, r, "wrong_type"))
            r[h] = rnd.choice(["abc", "不详", "x1", "1-2-3"])
            expected[at] = {h: "值“"}
        elif want == "out_of_range":
            cols = _cell_columns(kind, header, r, "out_of_range")
            if not cols:
                continue
            h = rnd.choice(cols)
            r[h] = _out_of_range(fields[h])
            expected[at] = {h: "值“"}
        elif want == "dup_exact":
            appended.append(dict(r))
            expected[row_number(len(rows) + len(appended) - 1, notes)] = {None: "完全重复"}
        elif want == "dup_conflict":
            other = dict(r)
            col = CONFLICT[kind]
            if col not in header:
                continue
            choices = [v for v in {"是", "否", "个人", "单位", *codes.PROVIDERS} if v != r[col]] \
                if fields[col].type in ("bool", "code") else [str(int(float(r[col] or 0)) + 1)]
            if fields[col].type == "bool":
                choices = ["否" if r[col] == "是" else "是"]
            elif fields[col].name == "helper_kind":
                choices = ["单位" if r[col] == "个人" else "个人"]
            elif fields[col].name == "provider":
                choices = [p for p in codes.PROVIDERS if p != r[col]]
            other[col] = rnd.choice(choices)
            appended.append(other)
            expected[at] = {None: "冲突"}
            expected[row_number(len(rows) + len(appended) - 1, notes)] = {None: "冲突"}
        elif want == "no_income":
            if kind != "observations":
                continue
            # a month no other file writes and the demo does not hold (2021–2023, inside the lines' years):
            # the row is certainly new
            y, m = divmod(case % 36, 12)
            r["月份"] = f"{2021 + y:04d}-{m + 1:02d}"
            for h in ("工资性收入", "经营净收入", "财产净收入", "转移净收入"):
                if h in r:
                    r[h] = rnd.choice(["", "NaN", "null"])
            expected[at] = {"工资性收入": "都是空白"}
    return rows + appended, expected


def truncation_outcome(kind: str, header: list[str], rows: list[dict[str, str]], data: bytes, encoding: str,
                       spans: list[tuple[int, int]], notes: bool, cut: int) -> tuple[int, dict]:
    """(exit code, rejects) of the file cut to data[:cut] (see the module docstring)."""
    try:
        prefix = text_of(data[:cut], encoding) if not (encoding == "utf-8-sig" and cut < 3) else None
    except UnicodeDecodeError:
        prefix = None
    if prefix is None:
        return 2, {}
    n = len(prefix)
    first_data = 2 if notes else 1
    line = max(i for i, (start, _end) in enumerate(spans) if start <= n)
    start, end = spans[line]
    if line < first_data:
        return 2, {}
    k = line - first_data  # the data row the cut falls in
    if n <= start:  # the row is gone entirely
        return (2, {}) if k == 0 else (0, {})
    if n >= end:  # only (part of) its line break is gone
        return 0, {}
    part = prefix[start:n]
    cells = part.split(",")
    at = row_number(k, notes)
    if len(cells) < len(header):
        return 1, {at: {None: f"比表头少 {len(header) - len(cells)} 列"}}
    last = header[-1]
    value = rows[k][last]
    if cells[-1] in ("", value):
        return 0, {}
    return 1, {at: {last: "不在代码表中"}}


def make_case(i: int, facts: Facts, rnd: random.Random) -> Case:
    kind = rnd.choice(KINDS)
    header, rows = base_rows(kind, facts, rnd, i)
    notes = rnd.random() < 0.3
    mode = rnd.choice(["strict"] * 9 + ["partial"] * 4 + ["dry"] * 7)
    dry = mode == "dry"
    mode = "partial" if dry else mode
    what = rnd.choice(FILE_MUTATIONS + ROW_MUTATIONS * 2 + ("xlsx",) * 3)
    label = f"{i:03d}-{kind}-{what}"
    encoding = rnd.choice(["utf-8", "utf-8", "utf-8-sig", "gbk"])

    if what == "xlsx":  # Excel: valid, or one cell mutation (control characters and NUL written as _xHHHH_ escapes)
        how = rnd.choice(["valid", "hidden", "blank_word", "wrong_type", "out_of_range", "dup_exact", "truncate"])
        label += "-" + how
        if how == "truncate":
            data = xlsx_bytes({K.resolve_kind(kind).title: rows}, typed=False)
            return Case(label, kind, data[:rnd.randint(0, len(data) - 1)], "f.xlsx", mode, dry, 2)
        marker = {}
        if how == "hidden":
            rows2, expected = mutate_rows(kind, header, rows, rnd, False, i, ["hidden"], HIDDEN)
            for r in rows2:
                for h, v in r.items():
                    for ch in {c for c in v if c < " "}:  # openpyxl drops C0 characters: Excel's escape for them
                        token = f"QQ{ord(ch):04X}QQ"
                        r[h] = r[h].replace(ch, token)
                        marker[token] = f"_x{ord(ch):04X}_"
        elif how == "valid":
            rows2, expected = rows, {}
        else:
            rows2, expected = mutate_rows(kind, header, rows, rnd, False, i, [how], HIDDEN)
        data = xlsx_with(K.resolve_kind(kind).title, [{h: r.get(h, "") for h in header} for r in rows2], marker)
        return Case(label, kind, data, "f.xlsx", mode, dry, 1 if expected else 0, expected)

    if what in ROW_MUTATIONS:
        how = [what] + ([rnd.choice(ROW_MUTATIONS)] if rnd.random() < 0.3 else [])
        label += "+".join([""] + how[1:])
        via = HIDDEN[1:] if encoding != "gbk" else HIDDEN[1:11]  # GBK cannot write U+061C and the like
        if "hidden" in how and encoding == "gbk" and rnd.random() < 0.5:
            encoding, via = "gb18030", HIDDEN[1:]
        rows2, expected = mutate_rows(kind, header, rows, rnd, notes, i, how, via)
        data, _spans = write_csv(header, rows2, encoding, notes, kind)
        return Case(label, kind, data, "f.csv", mode, dry, 1 if expected else 0, expected)

    if what == "extra_column":
        header = header + ["备注无关列"]
        rows = [{**r, "备注无关列": "随便写的"} for r in rows]
    newline = rnd.choice(["\r\n", "\n"])
    line_encodings = None
    if what == "mixed":
        other = {"gbk": "utf-8", "utf-8": "gbk", "utf-8-sig": "gbk"}[encoding]
        line_encodings = {rnd.randint(1 + notes, len(rows) + notes): other}
    data, spans = write_csv(header, rows, encoding, notes, kind, newline, line_encodings)
    if what == "mixed":
        return Case(label, kind, data, "f.csv", mode, dry, 2)
    if what == "nul_csv":
        if rnd.random() < 0.3:
            body = text_of(data, encoding)
            at = rnd.randint(0, len(body))
            data = (body[:at] + "\x00" + body[at:]).encode("utf-16")
        else:
            at = rnd.randint(0, len(data))
            data = data[:at] + b"\x00" + data[at:]
        return Case(label, kind, data, "f.csv", mode, dry, 2)
    if what == "truncate":
        cut = rnd.randint(0, len(data) - 1)
        code, expected = truncation_outcome(kind, header, rows, data, encoding, spans, notes, cut)
        return Case(f"{label}@{cut}/{len(data)}", kind, data[:cut], "f.csv", mode, dry, code, expected)
    return Case(label, kind, data, "f.csv", mode, dry, 0)


def xlsx_with(sheet: str, rows: list[dict], escapes: dict[str, str]) -> bytes:
    """An .xlsx of `rows` where each marker text is replaced by its OOXML escape (_x0007_: Excel's way to store U+0007)."""
    raw = xlsx_bytes({sheet: rows}, typed=False)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            for marker, escape in escapes.items():
                body = body.replace(marker.encode(), escape.encode())
            zout.writestr(item, body)
    return out.getvalue()


@pytest.fixture
def corpus(writable_demo_db) -> list[Case]:
    facts = Facts.load(writable_demo_db)
    rnd = random.Random(SEED)
    return [make_case(i, facts, rnd) for i in range(FILES)]


# ---------------------------------------------------------------- the test
def exit_code_of(case: Case, engine: Engine):
    """(exit code as the CLI maps it, result or None)."""
    try:
        result = import_file(engine, case.data, case.file_name, mode=case.mode, dry_run=case.dry_run, user="fuzz",
                             today=TODAY)
    except FileError as exc:
        assert exc.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.message), case.label
        return 2, None
    except ImportFailed:
        return 3, None
    return (1 if result.rejected else 0), result


def check_rejects(case: Case, result) -> None:
    rejects = result.rejects()
    got: dict[int, dict[str | None, str]] = {}
    for r in rejects.itertuples():
        column = None if r.column_name is None or r.column_name != r.column_name else r.column_name
        got.setdefault(int(r.row_number), {})[column] = got.get(int(r.row_number), {}).get(column, "") + r.reason
        text_ = message(int(r.row_number), column, r.reason)
        assert text_.startswith(f"第{int(r.row_number)}行"), (case.label, text_)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.reason), (case.label, r.reason)
    assert set(got) == set(case.rejects), (case.label, got, case.rejects)
    for row, columns in case.rejects.items():
        for column, fragment in columns.items():
            assert column in got[row], (case.label, row, column, got[row])
            assert fragment in got[row][column], (case.label, row, column, fragment, got[row][column])


def run_order(corpus: list[Case]) -> list[Case]:
    """Blocks of files, in each the ones that write first, then a run of files that must change nothing."""
    blocks = [corpus[i:i + BLOCK] for i in range(0, len(corpus), BLOCK)]
    return [c for block in blocks for c in sorted(block, key=lambda c: c.changes_nothing)]


def test_fuzz_corpus_of_every_kind_on_a_live_database(writable_demo_db, corpus, tmp_path, capsys):
    engine = writable_demo_db
    by_code: dict[int, Case] = {}
    counts = {0: 0, 1: 0, 2: 0}
    reference = table_hashes(engine, only=REFERENCE)
    direct = derived = None  # fingerprints the current run of files that must change nothing started from
    run: list[str] = []

    def close_run() -> None:
        if run:
            assert table_hashes(engine, only=DERIVED) == derived, ("scores or roll-ups changed during", run)
        run.clear()

    for case in run_order(corpus):
        if case.changes_nothing and direct is None:
            direct, derived = table_hashes(engine, skip=REFERENCE + DERIVED), table_hashes(engine, only=DERIVED)
        elif not case.changes_nothing:
            close_run()
            direct = None
        code, result = exit_code_of(case, engine)
        assert code == case.exit, (case.label, code, case.exit, result.rejects().head(5).to_dict("records")
                                   if result is not None else None)
        counts[code] += 1
        if result is not None:
            check_rejects(case, result)
        if case.changes_nothing:  # every table as before (a strict import's attempt is in the import log)
            after = table_hashes(engine, skip=REFERENCE + DERIVED)
            allowed = LOG_TABLES if (case.exit == 1 and not case.dry_run) else ()
            changed = [t for t in after if t not in allowed and after[t] != direct.get(t)]
            assert not changed, (case.label, changed)
            direct = after
            run.append(case.label)
        by_code.setdefault(case.exit, case)
    close_run()
    assert min(counts.values()) >= 20, counts  # every outcome is well represented
    assert table_hashes(engine, only=REFERENCE) == reference
    # the exit codes are the CLI's: one file of each through `python -m safetynet import --dry-run`
    url = engine.url.render_as_string(hide_password=False)
    for code, case in sorted(by_code.items()):
        path = tmp_path / f"{code}-{case.file_name}"
        path.write_bytes(case.data)
        got = cli.main(["--db", url, "import", str(path), "--dry-run", "--json", "--quiet"])
        answer = json.loads(capsys.readouterr().out)
        assert got == code == answer["exit_code"], (case.label, got, answer)
