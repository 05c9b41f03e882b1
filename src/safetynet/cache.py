"""The only place with st.cache_*.

Every loader takes the database URL and the data version as its first
arguments: a write anywhere bumps the version, so the next rerun misses the
cache and reads fresh data — no stale dashboards, no TTL guessing, and
auto-refreshing screens that find the same version reuse the cached frames
instead of hammering the database.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from safetynet.db import get_engine, version
from safetynet.domain import progress
from safetynet.domain.deadlines import DeadlineRules
from safetynet.domain.workdays import WorkCalendar
from safetynet.filters import Filters
from safetynet.queries import casework, households, overview, regions
from safetynet.queries import progress as progress_queries

MAX_ENTRIES = 256


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return get_engine(url)


def data_version(url: str) -> tuple[int, int | None]:
    """(version, latest month) — one primary-key read, deliberately not cached."""
    return version.current(engine(url))


@st.cache_data(show_spinner=False, max_entries=8)
def load_regions(url: str, ver: int) -> pd.DataFrame:
    return regions.load_regions(engine(url))


@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def load_monthly(url: str, ver: int, filters: Filters) -> pd.DataFrame:
    return overview.monthly_measures(engine(url), filters)


@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def load_children(url: str, ver: int, filters: Filters, month: int) -> pd.DataFrame:
    return overview.child_measures(engine(url), filters, month)


@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def load_newly_high(url: str, ver: int, filters: Filters, level: int, month: int, limit: int) -> pd.DataFrame:
    return households.newly_high(engine(url), filters, level, month, limit)


@st.cache_data(show_spinner=False, max_entries=8)
def load_deadlines(url: str, ver: int) -> tuple[WorkCalendar, DeadlineRules]:
    """The holiday calendar and the per-region deadline rules (DOMAIN §8), as the casework screens count with."""
    return WorkCalendar(casework.calendar_rows(engine(url))), DeadlineRules(casework.deadline_rows(engine(url)))


@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def load_progress(url: str, ver: int, filters: Filters, level: int, child_level: int,
                  today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The work after a warning as of `today` (domain.progress): over the whole area for today and each of
    the 12 months before it (KPI cards, 环比, 同比, sparklines), and per child region for today and a month
    ago (the ranking). `today` is part of the key: the same data reads differently tomorrow."""
    calendar, rules = load_deadlines(url, ver)
    days = progress.as_of_days(today, 12)
    inputs = progress_queries.progress_inputs(engine(url), filters, level, child_level,
                                              progress.month_before(days[0]))
    return (progress.progress(inputs, days, calendar, rules, by_group=False),
            progress.progress(inputs, days[-2:], calendar, rules))


@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def load_households_behind(url: str, ver: int, filters: Filters, level: int, today: dt.date) -> pd.DataFrame:
    """Households of the area with an overdue lead or visit, or an open file without a plan, as of `today`
    (domain.progress.households_behind: the watchlist's 逾期未办 / 无一户一策 filters)."""
    calendar, rules = load_deadlines(url, ver)
    inputs = progress_queries.progress_inputs(engine(url), filters, level, None, today)
    return progress.households_behind(inputs, today, calendar, rules)


QUERY_PACKAGE = "safetynet.queries."


@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def _run_query(url: str, ver: int, func_path: str, args: tuple, kwargs: tuple) -> object:
    module_name, _, name = func_path.rpartition(".")
    func = getattr(importlib.import_module(module_name), name)
    return func(engine(url), *args, **dict(kwargs))


def load(url: str, ver: int, func: Callable[..., object], *args: object, **kwargs: object) -> object:
    """Cached call of a query function `func(engine, *args, **kwargs)` from safetynet.queries.

    Arguments must be hashable values (Filters, ints, strings, tuples); the cache
    key is (url, data version, function, arguments), so new data shows at once.
    """
    path = f"{func.__module__}.{func.__qualname__}"
    if not path.startswith(QUERY_PACKAGE):
        raise ValueError(f"only safetynet.queries functions are cached, not {path}")
    return _run_query(url, ver, path, args, tuple(sorted(kwargs.items())))


def clear() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
