"""Months as integers YYYYMM, and the Spring Festival calendar.

Integers keep month arithmetic, SQL comparisons and indexes trivial on every
backend; only the edges (display, dates) convert.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

# 春节 (first day of the lunar year). Migrant work follows it, not the calendar.
SPRING_FESTIVAL = {
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}


def month_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def add_months(month: int, n: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + n
    return (index // 12) * 100 + index % 12 + 1


def months_between(start: int, end: int) -> int:
    """Whole months from start to end (end - start), e.g. 202401→202403 is 2."""
    return (end // 100 - start // 100) * 12 + (end % 100 - start % 100)


def month_range(start: int, end: int) -> list[int]:
    """Inclusive list of months from start to end."""
    return [add_months(start, i) for i in range(months_between(start, end) + 1)]


def first_day(month: int) -> dt.date:
    return dt.date(month // 100, month % 100, 1)


def is_valid_month(month: int) -> bool:
    return 190001 <= month <= 299912 and 1 <= month % 100 <= 12


def label_zh(month: int) -> str:
    """2026年10月 — how dates are shown to people."""
    return f"{month // 100}年{month % 100}月"


def label_en(month: int) -> str:
    return first_day(month).strftime("%b %Y")


def month_index(months: np.ndarray) -> np.ndarray:
    """Vectorised months → running month number (for differences)."""
    months = np.asarray(months)
    return (months // 100) * 12 + (months % 100 - 1)


def festival_month(year: int) -> int:
    """The month that holds the Spring Festival of `year`."""
    return month_of(SPRING_FESTIVAL[year])


def festival_offset(month: int) -> tuple[int, int]:
    """(festival year, months after that year's festival month) for `month`.

    Aligning on this instead of the calendar compares like with like: the
    return-to-work month after a late festival sits one calendar month later.
    Months before the year's festival count from the previous festival.
    """
    year = month // 100
    if year not in SPRING_FESTIVAL:
        raise ValueError(f"Spring Festival date for {year} is not in the calendar")
    offset = months_between(festival_month(year), month)
    if offset < 0 and year - 1 in SPRING_FESTIVAL:
        return year - 1, months_between(festival_month(year - 1), month)
    return year, offset
