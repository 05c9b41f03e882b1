"""Helpers shared by the test modules: plain SQL, pages in AppTest, database fingerprints and the raw work count.

Test modules import these from here, never from one another (a test module imported by another is collected
from two places and couples the two files).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import Engine, inspect, text

from safetynet import i18n
from safetynet.domain import codes, progress
from safetynet.domain.deadlines import AFTERCARE, DECISION, FOLLOWUP, HOME_CHECK, DeadlineRules
from safetynet.domain.workdays import WorkCalendar

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

CJK = re.compile(r"[\u4e00-\u9fff]")
# tables an import's bookkeeping writes on every attempt, even when it writes no data
LOG_TABLES = ("import_batch", "import_reject", "audit_log")
BOOKKEEPING = frozenset(LOG_TABLES)


# ---------------------------------------------------------------- plain SQL
def sql(engine, query, **params) -> pd.DataFrame:
    """The rows of `query` (SQL text, or a SQLAlchemy statement) with bound `params`, as a DataFrame."""
    return pd.read_sql(text(query) if isinstance(query, str) else query, engine, params=params)


def one(engine, query: str, **params):
    """The first column of the first row of `query` (None when there is no row), as the driver returns it."""
    with engine.connect() as conn:
        return conn.execute(text(query), params).scalar()


def latest_month(engine, table: str = "risk_score") -> int:
    """MAX(month) of `table` (risk_score: the latest scored month; household_current: the current one)."""
    return int(one(engine, f"SELECT MAX(month) FROM {table}"))


# ---------------------------------------------------------------- pages in AppTest
def open_page(app, page: str, *, run_home: bool = False, reset_lang: bool = False, **query: str) -> AppTest:
    """`page` ("pages/…") opened in an AppTest of the `app` fixture with `query` in the URL; no exception shown.

    run_home: run app.py's first page before switching to `page`; reset_lang: set this process's language to
    the query's again after that (AppTest re-formats widget values in this process).
    """
    at = app(**query)
    if run_home:
        at.run()
    if reset_lang:
        i18n.set_lang(query.get("lang", "zh"))
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def card(at: AppTest, label: str) -> str:
    """The value of the one metric card labelled `label`, without the red emphasis of an overdue figure."""
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, (label, [m.label for m in at.metric])
    return found[0].replace(":red[**", "").replace("**]", "")


def plotly_values(array) -> list:
    """A trace's data as a list (plotly serialises numeric arrays as base64 "bdata" with their dtype)."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def tree_nodes(node) -> Iterator:
    """`node` of an AppTest element tree and every node below it."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from tree_nodes(child)


def proto_strings(message, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string field of a protobuf message, with its dotted path (bytes are skipped)."""
    for field, value in message.ListFields():
        where = f"{path}.{field.name}" if path else field.name
        repeated = hasattr(value, "__len__") and not isinstance(value, str | bytes) and not hasattr(value, "ListFields")
        values = value if repeated else [value]
        for item in values:
            if isinstance(item, str):
                yield where, item
            elif hasattr(item, "ListFields"):
                yield from proto_strings(item, where)


# ---------------------------------------------------------------- database fingerprints
def table_hashes(engine: Engine, skip: tuple[str, ...] = (), only: tuple[str, ...] | None = None) -> dict[str, tuple]:
    """A fingerprint of every table in the database: (row count, digest of all its rows in a fixed order).

    The database builds the text of the rows (PostgreSQL: the row as text; SQLite: every column quoted),
    so fingerprinting before and after each of a few hundred imports stays cheap.
    """
    out = {}
    pg = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            if name in skip or (only is not None and name not in only):
                continue
            if pg:
                row = conn.exec_driver_sql(f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                                           f' FROM "{name}" AS t').one()
            else:
                cols = [r[1] for r in conn.exec_driver_sql(f'PRAGMA table_info("{name}")')]
                cells = " || ',' || ".join(f'quote("{c}")' for c in cols)
                row = conn.exec_driver_sql(f"SELECT count(*), group_concat(r, char(10)) FROM "
                                           f'(SELECT {cells} AS r FROM "{name}" ORDER BY r)').one()
                row = (row[0], hashlib.sha256((row[1] or "").encode("utf-8", "surrogatepass")).hexdigest())
            out[name] = tuple(row)
    return out


def table_contents(engine) -> dict[str, list]:
    """Every row of every table but the import bookkeeping, in a stable order."""
    from safetynet.db.schema import metadata

    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows = conn.execute(table.select()).all()
            out[table.name] = sorted(tuple(str(v) for v in r) for r in rows)
    return out


# ---------------------------------------------------------------- the work after a warning, counted row by row
def as_date(value: object) -> dt.date | None:
    """A stored day or timestamp (a date, a datetime, ISO text; None or NaN when missing) as a date."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def rows(engine: Engine, query: str) -> list[dict]:
    """The rows of `query` as dicts."""
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(query))]


class Raw:
    """The raw tables, read with plain SELECTs, and the work counted one row and one day at a time."""

    def __init__(self, engine: Engine) -> None:
        self.calendar = WorkCalendar((as_date(r["day"]), r["kind"]) for r in rows(engine, "SELECT * FROM work_calendar"))
        self.rules = DeadlineRules((r["adcode"], r["step"], r["amount"], r["unit"])
                                   for r in rows(engine, "SELECT * FROM deadline_rule"))
        self.region = {r["adcode"]: r for r in rows(engine, "SELECT * FROM region")}
        self.leads = rows(engine, "SELECT * FROM lead")
        self.households = {r["hh_id"]: r for r in rows(engine, "SELECT hh_id, adcode FROM household")}
        self.changes: dict[int, list[dict]] = defaultdict(list)
        for r in rows(engine, "SELECT * FROM household_status ORDER BY hh_id, changed_on, change_id"):
            self.changes[r["hh_id"]].append(r)
        self.visits, self.aids, self.plans = defaultdict(list), defaultdict(list), defaultdict(list)
        for r in rows(engine, "SELECT hh_id, followed_on FROM followup"):
            self.visits[r["hh_id"]].append(as_date(r["followed_on"]))
        for r in rows(engine, "SELECT hh_id, delivered_on FROM assistance"):
            self.aids[r["hh_id"]].append(as_date(r["delivered_on"]))
        for r in rows(engine, "SELECT hh_id, created_at, status FROM plan_item"):
            if r["status"] != "已取消":
                self.plans[r["hh_id"]].append(as_date(r["created_at"]))

    def group_of(self, county: str, level: int | str, hh_id: int | None = None) -> str | int | None:
        if level == "household":  # per household (an applicant's lead without a file has none)
            return hh_id
        column = {1: "prov_adcode", 2: "pref_adcode", 3: "adcode"}[level]
        return self.region[county][column]

    def inside(self, county: str, region: str) -> bool:
        r = self.region[county]
        return region == "000000" or region in (r["prov_adcode"], r["pref_adcode"], r["adcode"])

    def count(self, region: str, group_level: int | str | None, day: dt.date) -> dict[object, dict[str, float]]:
        """Every progress column per group (None: the whole region; "household": per hh_id) on `day`."""
        out: dict[str | None, dict] = defaultdict(lambda: defaultdict(float))
        days_taken: dict[str | None, list[int]] = defaultdict(list)
        month_ago = progress.month_before(day)
        for lead in self.leads:
            if not self.inside(lead["adcode"], region):
                continue
            g = self.group_of(lead["adcode"], group_level, lead["hh_id"]) if group_level else None
            if group_level == "household" and g is None:
                continue
            received, checked, decided = (as_date(lead[c]) for c in ("received_on", "checked_on", "decided_on"))
            if received <= day and (decided is None or decided > day):
                out[g]["open_leads"] += 1
                step = DECISION if checked is not None and checked <= day else HOME_CHECK
                if self.rules.due(lead["adcode"], step, received, self.calendar) < day:
                    out[g]["overdue_leads"] += 1
            if decided is not None and month_ago < decided <= day and received <= decided:
                out[g]["decided_leads"] += 1
                days_taken[g].append(self.calendar.between(received, decided))
        for hh_id, changes in self.changes.items():
            county = self.households[hh_id]["adcode"]
            if not self.inside(county, region):
                continue
            g = self.group_of(county, group_level, hh_id) if group_level else None
            before = [c for c in changes if as_date(c["changed_on"]) <= day]
            if not before:
                continue
            status = before[-1]["to_status"]
            is_open, eliminated = status in codes.OPEN_STATUSES, status in codes.ELIMINATED_STATUSES
            if not (is_open or eliminated):
                continue
            spell = as_date(before[-1]["changed_on"])  # back to the first change of this run of statuses
            for c in reversed(before[:-1]):
                if (c["to_status"] in codes.OPEN_STATUSES) != is_open or \
                        (c["to_status"] in codes.ELIMINATED_STATUSES) != eliminated:
                    break
                spell = as_date(c["changed_on"])
            if eliminated and self.rules.due(county, AFTERCARE, spell, self.calendar) < day:
                continue
            helped = any(spell <= d <= day for d in self.aids[hh_id])
            planned = any(spell <= d <= day for d in self.plans[hh_id])
            if is_open:
                out[g]["files_open"] += 1
                out[g]["with_plan"] += planned
                out[g]["with_aid"] += helped
                if status == "在档" and not helped:
                    continue  # first help is due, not a visit
            out[g]["followed_files"] += 1
            last = max([d for d in self.visits[hh_id] if d <= day] + [spell])
            if self.rules.due(county, FOLLOWUP, last, self.calendar) < day:
                out[g]["overdue_visits"] += 1
        for g, taken in days_taken.items():
            out[g]["decision_days"] = statistics.median(taken)
        return out
