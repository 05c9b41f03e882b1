"""Working days across weekends, statutory holidays and make-up working days (DOMAIN §8 deadlines).

The expectations are the State Council notices' own words ("1月28日至2月4日放假调休，共8天。1月26日（周日）、
2月8日（周六）上班"), checked day by day, and deadlines counted by hand on a calendar.
"""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.domain.workdays import HOLIDAY, WORKDAY, WorkCalendar, shipped_days

D = dt.date.fromisoformat
CAL = WorkCalendar.shipped()

# (year, the notice's "放假" blocks as (first, last, 共n天), its "上班" days)
NOTICES = {
    2024: ([("2024-02-10", "2024-02-17", 8), ("2024-04-04", "2024-04-06", 3), ("2024-05-01", "2024-05-05", 5),
            ("2024-09-15", "2024-09-17", 3), ("2024-10-01", "2024-10-07", 7)],
           ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29",
            "2024-10-12"]),
    2025: ([("2025-01-01", "2025-01-01", 1), ("2025-01-28", "2025-02-04", 8), ("2025-04-04", "2025-04-06", 3),
            ("2025-05-01", "2025-05-05", 5), ("2025-05-31", "2025-06-02", 3), ("2025-10-01", "2025-10-08", 8)],
           ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]),
    2026: ([("2026-01-01", "2026-01-03", 3), ("2026-02-15", "2026-02-23", 9), ("2026-04-04", "2026-04-06", 3),
            ("2026-05-01", "2026-05-05", 5), ("2026-06-19", "2026-06-21", 3), ("2026-09-25", "2026-09-27", 3),
            ("2026-10-01", "2026-10-07", 7)],
           ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]),
}


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_every_day_of_each_notice(year):
    blocks, workdays = NOTICES[year]
    for first, last, n in blocks:
        days = [D(first) + dt.timedelta(days=i) for i in range((D(last) - D(first)).days + 1)]
        assert len(days) == n
        assert not any(CAL.is_working_day(d) for d in days), (first, last)
        # the block is exactly the run: the days around it are working days (or a plain weekend)
        before, after = D(first) - dt.timedelta(days=1), D(last) + dt.timedelta(days=1)
        assert CAL.is_working_day(before) or before.weekday() >= 5
        assert CAL.is_working_day(after) or after.weekday() >= 5
    for day in workdays:
        assert D(day).weekday() >= 5, day  # a make-up day is a weekend day…
        assert CAL.is_working_day(D(day)), day  # …that is worked


def test_ordinary_weeks_are_monday_to_friday():
    week = [D("2026-03-09") + dt.timedelta(days=i) for i in range(7)]  # no holiday near
    assert [CAL.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_only_exceptions_are_stored():
    rows = shipped_days()
    assert all((r.kind == HOLIDAY) == (r.day.weekday() < 5) for r in rows)
    assert {r.kind for r in rows} == {HOLIDAY, WORKDAY}
    assert len({r.day for r in rows}) == len(rows)


@pytest.mark.parametrize(("received", "n", "deadline"), [
    ("2026-03-09", 5, "2026-03-16"),  # Monday + 5 → next Monday (the weekend does not count)
    ("2026-03-13", 5, "2026-03-20"),  # Friday + 5 → next Friday
    ("2026-02-12", 5, "2026-02-26"),  # Thu: Fri 13, Sat 14 (make-up), then 春节 15–23, Tue 24, Wed 25, Thu 26
    ("2026-09-30", 5, "2026-10-13"),  # Wed: 国庆 1–7, Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13
    # Fri: Sun 26 Jan (make-up) 1, Mon 27 2, 春节 28 Jan–4 Feb, 5–7 Feb 3–5, Sat 8 (make-up) 6, 10–14 7–11, 17–20 12–15
    ("2025-01-24", 15, "2025-02-20"),
])
def test_deadlines_in_working_days(received, n, deadline):
    assert CAL.add(D(received), n) == D(deadline)
    assert CAL.between(D(received), D(deadline)) == n


def test_days_left_and_days_overdue():
    deadline = CAL.add(D("2026-02-12"), 5)  # 2026-02-26
    assert CAL.days_left(deadline, D("2026-02-12")) == 5
    assert CAL.days_left(deadline, D("2026-02-20")) == 3  # during the holiday: Tue, Wed, Thu left
    assert CAL.days_left(deadline, deadline) == 0
    assert CAL.days_left(deadline, D("2026-02-27")) == -1
    assert CAL.days_left(deadline, D("2026-03-02")) == -3  # Fri 27, Sat 28 (make-up day), Mon 2


def test_an_edited_calendar_changes_the_count():
    extra = WorkCalendar([*((d.day, d.kind) for d in shipped_days()), (D("2026-03-11"), HOLIDAY)])
    assert extra.add(D("2026-03-09"), 5) == D("2026-03-17")
    assert CAL.add(D("2026-03-09"), 5) == D("2026-03-16")


def test_nothing_before_or_at_the_start_counts():
    with pytest.raises(ValueError):
        CAL.add(D("2026-03-09"), 0)
    assert CAL.between(D("2026-03-09"), D("2026-03-09")) == 0


def test_many_dates_at_once_agree_with_one_at_a_time():
    """add_many / between_many (the leaders' progress counts thousands of deadlines) give what add / between
    give, across 2024–2027's holidays and make-up days; NaT stays NaT."""
    import numpy as np

    calendar = WorkCalendar.shipped()
    rng = np.random.default_rng(3)
    starts = np.datetime64("2024-01-01") + rng.integers(0, 1460, 2000).astype("timedelta64[D]")
    ends = starts + rng.integers(0, 120, 2000).astype("timedelta64[D]")
    starts[7] = np.datetime64("NaT")
    for n in (1, 5, 15):
        many = calendar.add_many(starts, n)
        assert np.isnat(many[7])
        assert all(got.astype(dt.date) == calendar.add(start.astype(dt.date), n)
                   for i, (got, start) in enumerate(zip(many, starts, strict=True)) if i != 7)
    counted = calendar.between_many(starts, ends)
    assert np.isnan(counted[7])
    assert all(int(got) == calendar.between(s.astype(dt.date), e.astype(dt.date))
               for i, (got, s, e) in enumerate(zip(counted, starts, ends, strict=True)) if i != 7)
