"""Working days (工作日): weekends and statutory holidays off, make-up working days (调休上班) on.

Casework deadlines are counted in working days (DOMAIN §8: a home check within 5 working days of receipt, a
decision within 15). Whether a day is a working day comes from a holiday calendar, which is data: the
`work_calendar` table holds one row per exception to "Monday to Friday" — a holiday on a weekday, or a
make-up working day on a weekend — and users can edit it by import. `SHIPPED` below is what a new database
starts with: the State Council's notices for 2024, 2025 and 2026 (国务院办公厅关于…年部分节假日安排的通知)
and, for 2027, only the statutory holidays of the 2024 《全国年节及纪念日放假办法》 (the 2027 notice with its
bridging days and make-up days was not yet published when this was written; import it when it is).

Counting rules (tested in tests/test_domain_workdays.py):
* "within n working days of d" ends on the n-th working day after d (the day of receipt does not count);
* days left on day t before deadline D = working days in (t, D]; after D it is minus the working days in (D, t].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

HOLIDAY, WORKDAY = "holiday", "workday"


def _days(first: str, last: str | None = None) -> list[dt.date]:
    start = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last) if last else start
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# (first day, last day or None, kind, name, source)
_NOTICES: tuple[tuple[str, str | None, str, str, str], ...] = (
    # 国办发明电〔2023〕7号
    ("2024-01-01", None, HOLIDAY, "元旦", "2024"),
    ("2024-02-10", "2024-02-17", HOLIDAY, "春节", "2024"),
    ("2024-02-04", None, WORKDAY, "春节调休上班", "2024"),
    ("2024-02-18", None, WORKDAY, "春节调休上班", "2024"),
    ("2024-04-04", "2024-04-06", HOLIDAY, "清明节", "2024"),
    ("2024-04-07", None, WORKDAY, "清明节调休上班", "2024"),
    ("2024-05-01", "2024-05-05", HOLIDAY, "劳动节", "2024"),
    ("2024-04-28", None, WORKDAY, "劳动节调休上班", "2024"),
    ("2024-05-11", None, WORKDAY, "劳动节调休上班", "2024"),
    ("2024-06-10", None, HOLIDAY, "端午节", "2024"),
    ("2024-09-15", "2024-09-17", HOLIDAY, "中秋节", "2024"),
    ("2024-09-14", None, WORKDAY, "中秋节调休上班", "2024"),
    ("2024-10-01", "2024-10-07", HOLIDAY, "国庆节", "2024"),
    ("2024-09-29", None, WORKDAY, "国庆节调休上班", "2024"),
    ("2024-10-12", None, WORKDAY, "国庆节调休上班", "2024"),
    # 国办发明电〔2024〕12号
    ("2025-01-01", None, HOLIDAY, "元旦", "2025"),
    ("2025-01-28", "2025-02-04", HOLIDAY, "春节", "2025"),
    ("2025-01-26", None, WORKDAY, "春节调休上班", "2025"),
    ("2025-02-08", None, WORKDAY, "春节调休上班", "2025"),
    ("2025-04-04", "2025-04-06", HOLIDAY, "清明节", "2025"),
    ("2025-05-01", "2025-05-05", HOLIDAY, "劳动节", "2025"),
    ("2025-04-27", None, WORKDAY, "劳动节调休上班", "2025"),
    ("2025-05-31", "2025-06-02", HOLIDAY, "端午节", "2025"),
    ("2025-10-01", "2025-10-08", HOLIDAY, "国庆节、中秋节", "2025"),
    ("2025-09-28", None, WORKDAY, "国庆节调休上班", "2025"),
    ("2025-10-11", None, WORKDAY, "国庆节调休上班", "2025"),
    # 国务院办公厅 2025年11月4日
    ("2026-01-01", "2026-01-03", HOLIDAY, "元旦", "2026"),
    ("2026-01-04", None, WORKDAY, "元旦调休上班", "2026"),
    ("2026-02-15", "2026-02-23", HOLIDAY, "春节", "2026"),
    ("2026-02-14", None, WORKDAY, "春节调休上班", "2026"),
    ("2026-02-28", None, WORKDAY, "春节调休上班", "2026"),
    ("2026-04-04", "2026-04-06", HOLIDAY, "清明节", "2026"),
    ("2026-05-01", "2026-05-05", HOLIDAY, "劳动节", "2026"),
    ("2026-05-09", None, WORKDAY, "劳动节调休上班", "2026"),
    ("2026-06-19", "2026-06-21", HOLIDAY, "端午节", "2026"),
    ("2026-09-25", "2026-09-27", HOLIDAY, "中秋节", "2026"),
    ("2026-10-01", "2026-10-07", HOLIDAY, "国庆节", "2026"),
    ("2026-09-20", None, WORKDAY, "国庆节调休上班", "2026"),
    ("2026-10-10", None, WORKDAY, "国庆节调休上班", "2026"),
    # 2027: statutory days only (《全国年节及纪念日放假办法》 2024年修订), until the year's notice is imported
    ("2027-01-01", None, HOLIDAY, "元旦", "2027 法定（待国务院通知）"),
    ("2027-02-05", "2027-02-08", HOLIDAY, "春节", "2027 法定（待国务院通知）"),  # 除夕 to 正月初三
    ("2027-04-05", None, HOLIDAY, "清明节", "2027 法定（待国务院通知）"),
    ("2027-05-01", "2027-05-02", HOLIDAY, "劳动节", "2027 法定（待国务院通知）"),
    ("2027-06-09", None, HOLIDAY, "端午节", "2027 法定（待国务院通知）"),
    ("2027-09-15", None, HOLIDAY, "中秋节", "2027 法定（待国务院通知）"),
    ("2027-10-01", "2027-10-03", HOLIDAY, "国庆节", "2027 法定（待国务院通知）"),
)


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str
    source: str


def shipped_days() -> list[CalendarDay]:
    """The calendar rows a new database starts with (only exceptions to Monday–Friday are stored)."""
    out = []
    for first, last, kind, name, source in _NOTICES:
        for day in _days(first, last):
            weekend = day.weekday() >= 5
            if (kind == HOLIDAY and not weekend) or (kind == WORKDAY and weekend):
                out.append(CalendarDay(day, kind, name, source))
    return out


class WorkCalendar:
    """Working days from the exceptions to Monday–Friday."""

    def __init__(self, rows: Iterable[tuple[dt.date, str]]) -> None:
        self.holidays: set[dt.date] = set()
        self.workdays: set[dt.date] = set()
        for day, kind in rows:
            (self.holidays if kind == HOLIDAY else self.workdays).add(day)

    @classmethod
    def shipped(cls) -> WorkCalendar:
        return cls((d.day, d.kind) for d in shipped_days())

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (n ≥ 1); `start` itself never counts."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, left = start, n
        while left:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + dt.timedelta(days=i)))

    def days_left(self, deadline: dt.date, today: dt.date) -> int:
        """Working days left until `deadline` (0 on the day itself); negative: working days overdue."""
        return self.between(today, deadline)

    # ---- many dates at once (the leaders' progress measures count thousands of deadlines per screen)
    def working_days(self, first: dt.date, last: dt.date) -> np.ndarray:
        """Every working day in [first, last], ascending, as datetime64[D]."""
        days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday (3)
        working = weekday < 5
        working[np.isin(days, np.array(sorted(self.holidays), dtype="datetime64[D]"))] = False
        working[np.isin(days, np.array(sorted(self.workdays), dtype="datetime64[D]"))] = True
        return days[working]

    def add_many(self, starts: np.ndarray, n: int) -> np.ndarray:
        """`add` for an array of datetime64[D] starts (NaT stays NaT)."""
        return self._add(starts, n, self._span(starts, extra_days=7 * n + 60))

    def between_many(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """`between` for arrays of datetime64[D] (start ≤ end; float, NaN where either is NaT)."""
        both = np.concatenate([starts, ends])
        table = self._span(both, extra_days=0)
        counted = (np.searchsorted(table, ends, side="right")
                   - np.searchsorted(table, starts, side="right")).astype(float)
        counted[np.isnat(starts) | np.isnat(ends)] = np.nan
        return counted

    def _span(self, days: np.ndarray, extra_days: int) -> np.ndarray:
        known = days[~np.isnat(days)]
        if known.size == 0:
            return np.array([], dtype="datetime64[D]")
        first = known.min().astype(dt.date) - dt.timedelta(days=1)
        last = known.max().astype(dt.date) + dt.timedelta(days=extra_days)
        return self.working_days(first, last)

    @staticmethod
    def _add(starts: np.ndarray, n: int, table: np.ndarray) -> np.ndarray:
        if n < 1:
            raise ValueError("n must be at least 1")
        out = np.full(starts.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        known = ~np.isnat(starts)
        if known.any():
            out[known] = table[np.searchsorted(table, starts[known], side="right") + n - 1]
        return out
