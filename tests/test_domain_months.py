"""Months as YYYYMM integers and Spring Festival alignment (DOMAIN §6)."""
from __future__ import annotations

import datetime as dt

import pytest

from safetynet.domain.months import (
    SPRING_FESTIVAL,
    add_months,
    festival_month,
    festival_offset,
    label_zh,
    month_of,
    month_range,
    months_between,
)


@pytest.mark.parametrize(
    ("month", "n", "expected"),
    [
        (202601, 0, 202601),
        (202601, 1, 202602),
        (202611, 1, 202612),
        (202612, 1, 202701),  # across the year end
        (202612, 13, 202801),
        (202601, 24, 202801),
        (202601, -1, 202512),  # negative across the year start
        (202603, -15, 202412),
        (202601, -12, 202501),
        (202601, -13, 202412),
        (202612, -11, 202601),
        (202612, -12, 202512),
        (200001, -1, 199912),
    ],
    ids=lambda v: str(v),
)
def test_add_months(month, n, expected):
    assert add_months(month, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (202401, 202403, 2),
        (202401, 202401, 0),
        (202411, 202502, 3),
        (202412, 202501, 1),
        (202502, 202411, -3),
        (202001, 202612, 83),
    ],
    ids=lambda v: str(v),
)
def test_months_between(start, end, expected):
    assert months_between(start, end) == expected


def test_add_months_and_months_between_are_inverse():
    for start in (199912, 202001, 202406, 202512):
        for n in range(-40, 41):
            end = add_months(start, n)
            assert 1 <= end % 100 <= 12
            assert months_between(start, end) == n


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (202411, 202502, [202411, 202412, 202501, 202502]),
        (202601, 202601, [202601]),
        (202603, 202601, []),
    ],
    ids=["across-year", "single", "reversed-empty"],
)
def test_month_range_inclusive(start, end, expected):
    assert month_range(start, end) == expected


def test_month_range_covers_a_full_year():
    months = month_range(202501, 202512)
    assert months == [202500 + m for m in range(1, 13)]


@pytest.mark.parametrize(
    ("month", "label"),
    [(202610, "2026年10月"), (202601, "2026年1月"), (202512, "2025年12月")],
    ids=["oct", "jan-no-zero-padding", "dec"],
)
def test_label_zh(month, label):
    assert label_zh(month) == label


def test_month_of():
    assert month_of(dt.date(2026, 2, 17)) == 202602
    assert month_of(dt.date(2025, 12, 31)) == 202512


def test_festival_calendar_known_dates():
    assert SPRING_FESTIVAL[2026] == dt.date(2026, 2, 17)
    assert SPRING_FESTIVAL[2025] == dt.date(2025, 1, 29)
    assert SPRING_FESTIVAL[2024] == dt.date(2024, 2, 10)
    # the festival always falls between 21 January and 20 February
    for year, day in SPRING_FESTIVAL.items():
        assert day.year == year
        assert dt.date(year, 1, 21) <= day <= dt.date(year, 2, 20)
    assert festival_month(2026) == 202602
    assert festival_month(2025) == 202501


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (202602, (2026, 0)),  # the 2026 festival month
        (202603, (2026, 1)),  # return-to-work month
        (202612, (2026, 10)),
        (202601, (2025, 12)),  # before the 2026 festival: counts from the 2025 festival (Jan 2025)
        (202501, (2025, 0)),  # 2025 festival in January
        (202412, (2024, 10)),  # 2024 festival in February
        (202502, (2025, 1)),
        (202402, (2024, 0)),
        (202401, (2023, 12)),  # 2023 festival in January
    ],
    ids=lambda v: str(v),
)
def test_festival_offset(month, expected):
    assert festival_offset(month) == expected


def test_festival_offset_aligns_the_return_to_work_month():
    # one month after the festival: 2025-02 (festival 29 Jan) and 2026-03 (festival 17 Feb)
    assert festival_offset(202502)[1] == festival_offset(202603)[1] == 1


def test_festival_offset_unknown_year():
    with pytest.raises(ValueError):
        festival_offset(203506)
