"""Model-based tests of imports into a live database (issue 18, data integrity), on SQLite and PostgreSQL.

A Hypothesis state machine imports a random sequence of realistic files (tests/import_files.py) into a
copy of a small demo database — new households, their members and first observations, next month's
observations for most households (others skip it, some come back after a gap), corrections with blank
cells and short rows, months older than the newest, status changes along the lifecycle (and forbidden
ones, which must be rejected), changes to members, re-imports of a file already imported — and after
every import checks:

1. the incremental result equals a full rescore from scratch: every derived table (scores, tiers,
   household_current with high_since, prev_tier and flags, the roll-ups, the migrant roll-up) is read,
   `rescore_all` runs, and the tables must be equal (this leaves the rebuilt state to continue from);
2. no value changed that the file did not name: the core tables before and after differ only in the
   rows and columns its accepted, non-blank cells name, those hold the file's values, new rows get the
   template's defaults, status changes leave one history row each, forbidden moves are rejected, and an
   import that names nothing new changes nothing (no new data version);

and a separate property: two independent files (different households) imported in both orders into two
copies leave every core and derived table the same.

Each example starts from its own copy of one demo database per backend and session (SQLite: the backup
API; PostgreSQL: CREATE DATABASE … TEMPLATE). Profiles (tests/conftest.py): `ci` by default, seeded;
`--hypothesis-profile=soak` for 1,000 import steps per database, shrinking a failure to a minimal sequence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, text

from safetynet.db import dispose_all, make_engine, migrate
from safetynet.demo.generate import DemoConfig, generate
from safetynet.domain.months import add_months, month_range
from safetynet.ingest import import_file
from safetynet.ingest import kinds as K
from safetynet.pipeline.rescore import rescore_all
from tests import import_files as F
from tests.frames import DERIVED_KEYS, assert_frames_equal

DEMO = DemoConfig(households=120, months=15, seed=18)
CORE_KEYS = {"household": ["hh_id"], "person": ["person_id"], "household_month": ["hh_id", "month"],
             "risk_event": ["event_id"], "assistance": ["aid_id"], "pairing": ["pairing_id"],
             "household_status": ["change_id"]}
PROFILES = ("ci", "soak")
STEPS: dict[str, int] = {}  # import steps run per backend in this session


def profile(request: pytest.FixtureRequest) -> settings:
    name = request.config.getoption("hypothesis_profile", None)
    return settings.get_profile(name if name in PROFILES else "ci")


# ---------------------------------------------------------------- copies of one demo per backend
@dataclass
class DemoCopies:
    """One demo database per backend and session; `new()` gives an example its own copy of it."""

    backend: str
    url: str
    facts: F.Facts
    tmp: Path
    pg: object | None = None
    count: itertools.count = field(default_factory=itertools.count)

    def new(self) -> Engine:
        n = next(self.count)
        if self.backend == "sqlite":
            path = self.tmp / f"copy{n}.db"
            src, dst = sqlite3.connect(self.url.removeprefix("sqlite:///")), sqlite3.connect(path)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
            return make_engine(f"sqlite:///{path}")
        base = self.url.rsplit("/", 1)[1]
        name = f"{base}_c{n}"
        for attempt in range(20):  # autovacuum may hold the template for a moment
            try:
                with self.pg.admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{base}"'))
                break
            except Exception:
                if attempt == 19:
                    raise
                time.sleep(0.25)
        self.pg.created.append(name)
        return make_engine(self.pg.admin_url.set(database=name).render_as_string(hide_password=False))

    def drop(self, engine: Engine) -> None:
        engine.dispose()
        if self.backend == "sqlite":
            path = Path(engine.url.database)
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
            return
        with self.pg.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)'))


_copies: dict[str, DemoCopies] = {}


@pytest.fixture
def demo_copies(backend: str, pg_server, tmp_path_factory: pytest.TempPathFactory) -> DemoCopies:
    if backend not in _copies:
        tmp = tmp_path_factory.mktemp(f"stateful_{backend}")
        if backend == "postgres":
            if pg_server is None:
                pytest.skip("PostgreSQL tests need SAFETYNET_TEST_PG_URL")
            url = pg_server.new_database("stateful")
        else:
            url = f"sqlite:///{tmp / 'demo.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        generate(engine, DEMO)
        facts = F.load_facts(engine)
        engine.dispose()
        dispose_all()  # PostgreSQL copies a template only while nobody is connected to it
        _copies[backend] = DemoCopies(backend, url, facts, tmp, pg_server)
    return _copies[backend]


# ---------------------------------------------------------------- reading and comparing tables
def read_tables(engine: Engine, tables) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        return {t: pd.read_sql(text(f"SELECT * FROM {t}"), conn) for t in tables}


def canon(value: object) -> object:
    """One comparable form per value, whatever the backend returns (0/1 or bools, dates or ISO text)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_ | int | np.integer | float | np.floating):
        return round(float(value), 6) + 0.0
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def canon_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`canon` of every cell; numeric columns in one go."""
    out = {}
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            values = np.round(col.astype(float).to_numpy(), 6) + 0.0
            out[c] = pd.Series(values, index=frame.index, dtype=object).where(~np.isnan(values), None)
        else:
            out[c] = pd.Series([canon(v) for v in col.to_numpy(dtype=object)], index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index, dtype=object)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    return (a == b) | (a.isna() & b.isna())


def describe_difference(table: str, inc: pd.DataFrame, full: pd.DataFrame, keys: list[str], limit: int = 4,
                        sides: tuple[str, str] = ("incremental", "full rescore")) -> str:
    """What differs between two versions of a table, readable: rows on one side only, columns with examples."""
    if inc.duplicated(keys).any() or full.duplicated(keys).any():  # no unique key: number the duplicates
        inc = inc.assign(_n=inc.groupby(keys, dropna=False).cumcount())
        full = full.assign(_n=full.groupby(keys, dropna=False).cumcount())
        keys = [*keys, "_n"]
    a, b = inc.set_index(keys), full.set_index(keys)
    out = []
    only_a, only_b = a.index.difference(b.index), b.index.difference(a.index)
    if len(only_a):
        out.append(f"{len(only_a)} rows only in the {sides[0]}, e.g. {list(only_a[:limit])}")
    if len(only_b):
        out.append(f"{len(only_b)} rows only in the {sides[1]}, e.g. {list(only_b[:limit])}")
    common = a.index.intersection(b.index)
    a, b = a.loc[common], b.loc[common]
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y) and not (
                pd.api.types.is_bool_dtype(x) or pd.api.types.is_bool_dtype(y)):
            xf, yf = x.astype(float).to_numpy(), y.astype(float).to_numpy()
            bad = ~((np.isnan(xf) & np.isnan(yf)) | np.isclose(xf, yf, rtol=1e-9, atol=1e-6))
        else:
            cx, cy = canon_frame(x.to_frame()), canon_frame(y.to_frame())
            bad = ~_same(cx, cy).iloc[:, 0].to_numpy()
        if bad.any():
            where = np.flatnonzero(bad)[:limit]
            examples = "; ".join(f"{keys}={common[i]}: {x.iloc[i]!r} vs {y.iloc[i]!r}" for i in where)
            out.append(f"{col}: {int(bad.sum())} rows differ ({sides[0]} vs {sides[1]}), e.g. {examples}")
    return f"{table}: " + " | ".join(out) if out else ""


def _identical(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> bool:
    """Exactly the same rows and values (the common case, and much cheaper than a tolerant comparison)."""
    if len(a) != len(b) or list(a.columns) != list(b.columns):
        return False
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    return a.equals(b)


def check_equals_full_rescore(engine: Engine, after: str) -> None:
    """Invariant 1: what the incremental paths wrote is what a rebuild from scratch writes."""
    incremental = read_tables(engine, DERIVED_KEYS)
    rescore_all(engine)
    full = read_tables(engine, DERIVED_KEYS)
    differ = [t for t, keys in DERIVED_KEYS.items() if not _identical(incremental[t], full[t], keys)]
    problems = [d for t in differ if (d := describe_difference(t, incremental[t], full[t], DERIVED_KEYS[t]))]
    assert not problems, f"incremental != full rescore after {after}:\n  " + "\n  ".join(problems)
    for table in differ:  # equal within the tolerance of float sums (roll-ups adjusted by deltas)
        assert_frames_equal(incremental[table], full[table], DERIVED_KEYS[table])


# ---------------------------------------------------------------- invariant 2: only what the file names
def _expected(value: object) -> object:
    """A value the file sets, in the form `canon_frame` gives the stored one."""
    return value.isoformat() if isinstance(value, dt.date) else canon(value)


@dataclass
class Named:
    """What an accepted file names, in database keys."""

    cells: dict[tuple, dict[str, object]]  # row key → column → the file's value
    new_keys: set[tuple]  # keys of rows the file may insert (named rows not there before)
    status_households: set[int]  # households whose status history may grow (households files)
    missing: list[str]  # accepted rows whose record is not there


def named_by(f: F.ImportFile, accepted: list[int], before: dict[str, pd.DataFrame],
             after: dict[str, pd.DataFrame]) -> Named:
    hh_id = dict(zip(after["household"]["file_no"], after["household"]["hh_id"], strict=True))
    person_id = dict(zip(after["person"]["id_number"], after["person"]["person_id"], strict=True))
    cells: dict[tuple, dict[str, object]] = {}
    missing = []
    for i in accepted:
        key = f.keys[i]
        if f.kind == "households":
            db_key = (hh_id.get(key[0]),)
        elif f.kind == "observations":
            db_key = (hh_id.get(key[0]), key[1])
        else:
            db_key = (person_id.get(key[0]),)
        if None in db_key:
            missing.append(f"{f.table}: accepted row {key} was not written")
            continue
        cells.setdefault(db_key, {}).update(f.values[i])
    old = set(before[f.table].set_index(CORE_KEYS[f.table]).index.to_list())
    old = {k if isinstance(k, tuple) else (k,) for k in old}
    households = {k[0] for k in cells} if f.kind == "households" else set()
    return Named(cells, set(cells) - old, households, missing)


def check_only_named_changed(f: F.ImportFile, result, before: dict[str, pd.DataFrame],
                             after: dict[str, pd.DataFrame], version_moved: bool) -> list[str]:
    """Invariant 2 and the model of one import; returns the problems found."""
    problems: list[str] = []
    rejected_rows = set(result.rejects()["row_number"].astype(int)) if result.problem_rows else set()
    expected_bad = {f.row_number(i) for i in f.invalid}
    may_reject = expected_bad | {f.row_number(i) for i in f.short_rows()}
    if not expected_bad <= rejected_rows <= may_reject:
        problems.append(f"rejected rows {sorted(rejected_rows)}, expected {sorted(expected_bad)}"
                        + (f" (or short rows {sorted(may_reject - expected_bad)})" if may_reject - expected_bad else "")
                        + ": " + "; ".join(result.rejects()["reason"].astype(str).head(4)))
    written = result.status == "done"
    accepted = [i for i in range(len(f.rows)) if written and f.row_number(i) not in rejected_rows]
    named = named_by(f, accepted, before, after)
    spec = K.KINDS[f.kind]
    defaults = {fl.target: fl.default for fl in spec.fields if fl.target and fl.default is not None
                and fl.type != "lookup"}
    if f.kind == "households":
        defaults["status"] = "在档"  # a new file's blank status
    problems += named.missing
    any_change = False
    for table, keys in CORE_KEYS.items():
        b = canon_frame(before[table].set_index(keys))
        a = canon_frame(after[table].set_index(keys))
        b.index = b.index.map(lambda k: k if isinstance(k, tuple) else (k,))
        a.index = a.index.map(lambda k: k if isinstance(k, tuple) else (k,))
        gone = b.index.difference(a.index)
        if len(gone):
            problems.append(f"{table}: {len(gone)} rows deleted, e.g. {list(gone[:3])}")
        new = a.index.difference(b.index)
        if table == f.table:
            stray = [k for k in new if k not in named.new_keys]
        elif table == "household_status":
            stray = [k for k in new if int(after["household_status"].set_index("change_id").loc[k[0], "hh_id"])
                     not in named.status_households]
        else:
            stray = list(new)
        if stray:
            problems.append(f"{table}: {len(stray)} rows inserted the file does not name, e.g. {stray[:3]}")
        any_change |= bool(len(new))
        common = b.index.intersection(a.index)
        same = _same(b.loc[common], a.loc[common])
        for col in same.columns:
            changed_keys = common[~same[col].to_numpy()]
            if not len(changed_keys):
                continue
            if table == f.table:
                allowed = [k in named.cells and (col in named.cells[k] or col == "batch_id" or (
                    col in ("sex", "birth_year") and "id_number" in named.cells[k])) for k in changed_keys]
            else:
                allowed = [False] * len(changed_keys)
            bad = [k for k, ok in zip(changed_keys, allowed, strict=True) if not ok]
            if bad:
                examples = "; ".join(f"{k}: {b.at[k, col]!r} → {a.at[k, col]!r}" for k in bad[:4])
                problems.append(f"{table}.{col} changed where the file names nothing ({len(bad)} rows): {examples}")
            any_change |= any(allowed) and col != "batch_id"
        if table != f.table:
            continue
        for key, values in named.cells.items():  # the file's values are what is stored now
            if key not in a.index:
                problems.append(f"{table}: named row {key} missing after the import")
                continue
            for col, value in values.items():
                if col in a.columns and a.at[key, col] != _expected(value):
                    problems.append(f"{table}.{col} at {key} is {a.at[key, col]!r}, the file says {value!r}")
            if key in named.new_keys:  # a new record: columns the file leaves out take the template's defaults
                for col, default in defaults.items():
                    if col not in values and col in a.columns and a.at[key, col] != canon(default):
                        problems.append(f"{table}.{col} of new row {key} is {a.at[key, col]!r}, default {default!r}")
    if f.kind == "households" and written:
        problems += _check_status_history(f, accepted, before, after, named)
    if version_moved != any_change:
        problems.append(f"data_version {'moved' if version_moved else 'stayed'} but the data "
                        f"{'did not change' if not any_change else 'changed'} ({result.summary()})")
    return problems


def _check_status_history(f: F.ImportFile, accepted: list[int], before: dict[str, pd.DataFrame],
                          after: dict[str, pd.DataFrame], named: Named) -> list[str]:
    """One history row per status change (from the old status to the new), an opening row per new file."""
    problems = []
    old_status = dict(zip(before["household"]["file_no"], before["household"]["status"], strict=True))
    hh_id = dict(zip(after["household"]["file_no"], after["household"]["hh_id"], strict=True))
    new_rows = after["household_status"].loc[~after["household_status"]["change_id"].isin(
        before["household_status"]["change_id"])]
    for i in accepted:
        file_no = f.keys[i][0]
        status = f.values[i].get("status", old_status.get(file_no, "在档"))
        rows = new_rows.loc[new_rows["hh_id"] == hh_id[file_no]]
        if file_no not in old_status:
            want = 1 if status == "在档" else 2
            if len(rows) != want or rows["to_status"].iloc[-1] != status:
                problems.append(f"household_status: new file {file_no} ({status}) got {rows.to_dict('records')}")
        elif status != old_status[file_no]:
            moved = len(rows) == 1 and rows["from_status"].iloc[0] == old_status[file_no]
            if not moved or rows["to_status"].iloc[0] != status:
                problems.append(f"household_status: {file_no} {old_status[file_no]}→{status} got "
                                f"{rows.to_dict('records')}")
        elif len(rows):
            problems.append(f"household_status: {file_no} kept its status but got {rows.to_dict('records')}")
    return problems


def _version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one())


def do_import(engine: Engine, f: F.ImportFile, where: str) -> object:
    """Import one file and check invariant 2 (and the import's own model); returns the ImportResult."""
    before = read_tables(engine, CORE_KEYS)
    v0 = _version(engine)
    result = import_file(engine, f.data(), f.name, kind=f.kind, mode=f.mode, user="stateful", today=F.TODAY)
    after = read_tables(engine, CORE_KEYS)
    problems = check_only_named_changed(f, result, before, after, _version(engine) != v0)
    assert not problems, f"{where}: import of {f!r} ({result.summary()}):\n  " + "\n  ".join(problems)
    return result


# ---------------------------------------------------------------- the state machine
class ImportMachine(RuleBasedStateMachine):
    """Imports into one copy of the demo; every rule is one import, followed by the invariants."""

    copies: DemoCopies  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.engine = self.copies.new()
        self.facts = self.copies.facts
        self.files: list[F.ImportFile] = []
        self.history: list[str] = []
        self.without_members: list[str] = []  # new files still without members
        self.without_obs: list[str] = []  # new files still without observations
        self.seq = 0
        self.turn = 0
        self.changed = False

    def teardown(self) -> None:
        self.copies.drop(self.engine)

    def _import(self, f: F.ImportFile):
        self.history.append(repr(f))
        STEPS[self.copies.backend] = STEPS.get(self.copies.backend, 0) + 1
        result = do_import(self.engine, f, f"step {len(self.history)}")
        self.files.append(f)
        if result.changed:
            self.changed = True
            self.facts = F.load_facts(self.engine)
        return result

    def _written(self, result, f: F.ImportFile) -> list[str]:
        if result.status != "done":
            return []
        rejected = set(result.rejects()["row_number"].astype(int)) if result.problem_rows else set()
        return [f.keys[i][0] for i in range(len(f.rows)) if f.row_number(i) not in rejected]

    # ---- new households, then their members and first observations
    def new_households(self, data) -> None:
        f = data.draw(F.new_households(self.facts, self.seq))
        self.seq += len(f.rows)
        written = self._written(self._import(f), f)
        self.without_members += written
        self.without_obs += written

    def members_of_new_households(self, data) -> None:
        chosen = data.draw(st.lists(st.sampled_from(self.without_members), min_size=1, unique=True))
        f = data.draw(F.members(self.facts, chosen))
        self._import(f)
        self.without_members = [x for x in self.without_members if x not in chosen]

    def first_observations(self, data) -> None:
        """From the month of identification to the newest, with gaps; some skip the newest month."""
        chosen = data.draw(st.lists(st.sampled_from(self.without_obs), min_size=1, unique=True))
        rnd = F.seeded(data.draw, self.facts)
        hh = self.facts.by_file_no()
        pairs = []
        for file_no in chosen:
            ident = hh.loc[file_no, "identified_on"]
            start = max(ident.year * 100 + ident.month, add_months(self.facts.latest, -6))
            months = [m for m in month_range(min(start, self.facts.latest), self.facts.latest) if rnd.random() < 0.8]
            pairs += [(int(hh.loc[file_no, "hh_id"]), m) for m in months or [self.facts.latest]]
        self._import(F.observations_file(rnd, self.facts, pairs, "first_observations"))
        self.without_obs = [x for x in self.without_obs if x not in chosen]

    # ---- months
    @initialize(data=st.data())
    def next_month_for_most(self, data) -> None:
        """Every run starts with the most common import: next month for most households (the others skip it
        and have a gap when they come back)."""
        self._import(data.draw(F.new_month(self.facts, share=data.draw(st.sampled_from([0.6, 0.8, 0.95])))))

    def new_month(self, data) -> None:
        self._import(data.draw(F.new_month(self.facts)))

    def older_month(self, data) -> None:
        self._import(data.draw(F.older_month(self.facts)))

    def corrections(self, data) -> None:
        self._import(data.draw(F.corrections(self.facts)))

    # ---- files and members
    def status_change(self, data) -> None:
        self._import(data.draw(F.status_changes(self.facts)))

    def member_changes(self, data) -> None:
        self._import(data.draw(F.member_changes(self.facts)))

    def new_member(self, data) -> None:
        with_members = self.facts.households.loc[self.facts.households["members"] > 0, "file_no"].tolist()
        chosen = data.draw(st.lists(st.sampled_from(with_members), min_size=1, max_size=3, unique=True))
        self._import(data.draw(F.members(self.facts, chosen, label="new_member")))

    def reimport(self, data) -> None:
        """The same bytes again: whatever they name is already stored unless a later file changed it."""
        f = data.draw(st.sampled_from(self.files))
        again = dataclasses.replace(f, label=f"{f.label}-again")
        again.invalid = F.expected_invalid(again, self.facts)  # the lifecycle from today's statuses
        self._import(again)

    # ---- one import per step: its kind chosen round-robin, moved on by the draw
    IMPORTS = (("corrections", None), ("new_households", None), ("status_change", None), ("older_month", None),
               ("members_of_new_households", "without_members"), ("new_month", None),
               ("first_observations", "without_obs"), ("member_changes", None), ("reimport", "files"),
               ("new_member", None))

    @rule(data=st.data(), pick=st.integers(0, len(IMPORTS) - 1))
    def import_a_file(self, data, pick: int) -> None:
        """One file of one kind. The kind is `pick` places after the previous step's in IMPORTS (among those
        possible now): Hypothesis' simplest examples — all zeros — still import every kind in turn, which
        short seeded runs need, and a shrunk failure still names its kinds (the 'import' draw)."""
        available = [name for name, needs in self.IMPORTS if needs is None or getattr(self, needs)]
        name = available[(pick + self.turn) % len(available)]
        self.turn += 1
        data.draw(st.just(name), label="import")
        getattr(self, name)(data)

    @invariant()
    def incremental_equals_full_rescore(self) -> None:
        if self.changed:
            check_equals_full_rescore(self.engine, " → ".join(h.split(":")[0].lstrip("<") for h in self.history))
            self.changed = False


def test_imports_into_a_live_database_keep_every_invariant(demo_copies: DemoCopies, request: pytest.FixtureRequest,
                                                           record_property) -> None:
    machine = type("LiveImports", (ImportMachine,), {"copies": demo_copies})
    started, steps = time.perf_counter(), STEPS.get(demo_copies.backend, 0)
    run_state_machine_as_test(machine, settings=profile(request))
    steps = STEPS.get(demo_copies.backend, 0) - steps
    record_property("import_steps", steps)
    print(f"{demo_copies.backend}: {steps} import steps in {time.perf_counter() - started:.0f} s")


# ---------------------------------------------------------------- invariant 3: order does not matter
ORDER_KINDS = ("new_month", "corrections", "older_month", "status_changes", "member_changes", "new_households")


def _file_of(kind: str, facts: F.Facts, households: list[int], seq: int):
    if kind == "new_month":
        return F.new_month(facts, households=households)
    if kind == "new_households":
        return F.new_households(facts, seq, label=f"new_households_{seq}")
    return getattr(F, kind)(facts, households=households)


def canonical_tables(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every core and derived table with database ids replaced by natural keys and batch ids dropped."""
    frames = read_tables(engine, [*CORE_KEYS, *DERIVED_KEYS])
    file_no = frames["household"].set_index("hh_id")["file_no"]
    id_number = frames["person"].set_index("person_id")["id_number"]
    out = {}
    for name, frame in frames.items():
        frame = frame.drop(columns=[c for c in ("batch_id", "change_id") if c in frame.columns])
        if "hh_id" in frame.columns:
            frame = frame.assign(hh_id=frame["hh_id"].map(file_no))
        if "person_id" in frame.columns and name != "person":
            frame = frame.assign(person_id=frame["person_id"].map(id_number))
        if name == "person":
            frame = frame.drop(columns="person_id")
        out[name] = frame
    return out


ORDER_KEYS = {"household": ["hh_id"], "household_month": ["hh_id", "month"],
              "person": ["hh_id", "id_number", "name", "relation"],
              "risk_event": ["hh_id", "risk_type", "occurred_on", "event_id"],
              "assistance": ["hh_id", "aid_type", "delivered_on", "aid_id"], "pairing": ["hh_id", "pairing_id"],
              "household_status": ["hh_id", "changed_on", "from_status", "to_status"], **DERIVED_KEYS}


def test_import_order_does_not_change_the_end_state(demo_copies: DemoCopies, request: pytest.FixtureRequest) -> None:
    """Two files about different households, imported A then B and B then A: the same database."""

    @settings(profile(request))
    @given(data=st.data())
    def orders(data) -> None:
        facts = demo_copies.facts
        ids = sorted(int(h) for h in facts.households.index)
        F.seeded(data.draw).shuffle(ids)
        half = len(ids) // 2
        kind_a, kind_b = data.draw(st.sampled_from(ORDER_KINDS)), data.draw(st.sampled_from(ORDER_KINDS))
        fa = data.draw(_file_of(kind_a, facts, sorted(ids[:half]), 0), label="file A")
        fb = data.draw(_file_of(kind_b, facts, sorted(ids[half:]), 100), label="file B")
        # partial: a forbidden status move is rejected in both orders, the rest of the file is written
        fa, fb = dataclasses.replace(fa, mode="partial"), dataclasses.replace(fb, mode="partial")
        first, second = demo_copies.new(), demo_copies.new()
        try:
            for engine, files in ((first, (fa, fb)), (second, (fb, fa))):
                for f in files:
                    import_file(engine, f.data(), f.name, kind=f.kind, mode=f.mode, user="order", today=F.TODAY)
            a, b = canonical_tables(first), canonical_tables(second)
            problems = [d for t in a if (d := describe_difference(t, a[t], b[t], ORDER_KEYS[t],
                                                                  sides=("A then B", "B then A")))]
            assert not problems, f"A={fa!r} then B={fb!r} differs from B then A:\n  " + "\n  ".join(problems)
            for t in a:
                assert_frames_equal(a[t], b[t], ORDER_KEYS[t])
        finally:
            demo_copies.drop(first)
            demo_copies.drop(second)

    orders()


@pytest.fixture(autouse=True, scope="module")
def _report_steps() -> Iterator[None]:
    yield
    for backend, n in STEPS.items():
        print(f"test_import_stateful: {n} import steps on {backend}")
