"""Dynamic-management lifecycle (DOMAIN §4): elimination, data-quality flags, relapse, transitions."""
from __future__ import annotations

import datetime as dt

import pytest

from safetynet.domain import codes
from safetynet.domain.lifecycle import (
    DQ_FAST_ELIMINATION,
    DQ_LABELS,
    DQ_NO_ASSISTANCE_1M,
    DQ_SLOW_IDENTIFICATION,
    TRANSITIONS,
    can_transition,
    data_quality_flags,
    eliminated_status,
    elimination_check,
    is_relapse,
)

D = dt.date
IDENTIFIED = D(2026, 1, 15)
SIX_MONTHS_ON = 202607  # as-of month six months after January 2026
OK_R = [1.3, 1.2, 1.25, 1.4, 1.3, 1.2]


def check(**overrides):
    args = dict(
        identified_on=IDENTIFIED,
        as_of_month=SIX_MONTHS_ON,
        assistance_delivered=1,
        recent_r=OK_R,
        has_hard_trigger=False,
        labour=2,
    )
    args.update(overrides)
    return elimination_check(**args)


def failed(result) -> set[str]:
    return {c.key for c in result.conditions if not c.ok}


# ----------------------------------------------------------------- risk elimination
@pytest.mark.parametrize(
    ("overrides", "eligible", "failing"),
    [
        ({}, True, set()),
        ({"recent_r": [1.0] * 6}, True, set()),  # exactly 1.0 is enough
        ({"recent_r": [1.0, 1.0, 0.99, 1.0, 1.0, 1.0]}, False, {"stable_income"}),
        ({"recent_r": [1.3, 1.3, 1.3, 1.3, 1.3, 0.99]}, False, {"stable_income"}),
        ({"recent_r": [0.5, 0.7] + OK_R}, True, set()),  # only the last six months count
        ({"recent_r": OK_R[:5]}, False, {"stable_income"}),  # fewer than six months of r
        ({"recent_r": []}, False, {"stable_income"}),
        ({"recent_r": [1.3, 1.3, None, 1.3, 1.3, 1.3]}, False, {"stable_income"}),  # a gap
        ({"as_of_month": 202606}, False, {"identified_6m"}),  # five months
        ({"as_of_month": 202612}, True, set()),
        ({"identified_on": D(2026, 1, 31)}, True, set()),  # month granularity
        ({"identified_on": D(2026, 2, 1)}, False, {"identified_6m"}),
        ({"assistance_delivered": 0}, False, {"assisted"}),
        ({"assistance_delivered": 3}, True, set()),
        ({"has_hard_trigger": True}, False, {"no_trigger"}),
        ({"as_of_month": 202605, "assistance_delivered": 0, "has_hard_trigger": True, "recent_r": [0.8] * 6},
         False, {"identified_6m", "assisted", "no_trigger", "stable_income"}),
    ],
    ids=["all-ok", "r-exactly-1.0", "one-month-0.99", "latest-month-0.99", "older-bad-months-ignored",
         "five-r-values", "no-r-values", "missing-r", "five-months-identified", "eleven-months",
         "identified-end-of-month", "identified-next-month", "no-assistance", "three-measures", "hard-trigger",
         "everything-fails"],
)
def test_elimination_conditions(overrides, eligible, failing):
    result = check(**overrides)
    assert result.eligible is eligible
    assert failed(result) == failing
    assert result.never_automatic is False


@pytest.mark.parametrize("labour", [0, -1], ids=["labour-0", "labour-negative"])
def test_never_eligible_when_nobody_can_work(labour):
    result = check(labour=labour, recent_r=[2.0] * 6, assistance_delivered=5)
    assert failed(result) == set()  # every listed condition holds …
    assert result.never_automatic is True
    assert result.eligible is False  # … and still no proposal


def test_one_worker_is_enough_for_elimination():
    assert check(labour=1).eligible is True


@pytest.mark.parametrize(
    ("recent_r", "buffer_ok"),
    [
        ([1.1] * 6, True),
        ([1.5] * 6, True),
        ([1.0] * 6, False),
        ([1.1, 1.1, 1.1, 1.09, 1.1, 1.1], False),
        ([0.5, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1], True),  # older month outside the window
        ([1.1] * 5, False),  # not stable at all
        ([1.1, 1.1, None, 1.1, 1.1, 1.1], False),
    ],
    ids=["exactly-1.1", "1.5", "1.0", "one-1.09", "old-month-ignored", "five-months", "gap"],
)
def test_buffer(recent_r, buffer_ok):
    result = check(recent_r=recent_r)
    assert result.buffer_ok is buffer_ok


def test_buffer_is_a_suggestion_not_a_condition():
    result = check(recent_r=[1.05] * 6)
    assert result.buffer_ok is False
    assert result.eligible is True


def test_condition_texts_quote_the_numbers():
    result = check(as_of_month=202606, assistance_delivered=0)
    texts = {c.key: c.text_zh for c in result.conditions}
    assert texts["identified_6m"] == "认定满6个月（已5个月）"
    assert texts["assisted"] == "已落实至少1项帮扶措施（0项）"
    assert {c.key for c in result.conditions} == {"identified_6m", "assisted", "stable_income", "no_trigger"}


# ----------------------------------------------------------------- data-quality flags
ID_DAY = D(2026, 3, 15)  # one month later: 2026-04-15


@pytest.mark.parametrize(
    ("as_of", "first_assistance", "flagged"),
    [
        (D(2026, 4, 14), None, False),  # not yet a month
        (D(2026, 3, 15), None, False),
        (D(2026, 4, 16), None, True),  # a month has passed, nothing delivered
        (D(2026, 9, 1), None, True),
        (D(2026, 9, 1), D(2026, 3, 20), False),
        (D(2026, 9, 1), D(2026, 3, 15), False),  # same day
        (D(2026, 9, 1), D(2026, 4, 15), False),  # exactly one month after
        (D(2026, 9, 1), D(2026, 4, 16), True),  # one day late
        (D(2026, 9, 1), D(2026, 8, 1), True),
    ],
    ids=["day-before-month", "same-day", "month-plus-one-none", "months-later-none", "assisted-early",
         "assisted-same-day", "assisted-exactly-1m", "assisted-1m-plus-1d", "assisted-very-late"],
)
def test_no_assistance_after_one_month(as_of, first_assistance, flagged):
    flags = data_quality_flags(ID_DAY, as_of, first_assistance)
    assert (DQ_NO_ASSISTANCE_1M in flags) is flagged
    assert flags <= {DQ_NO_ASSISTANCE_1M}


@pytest.mark.parametrize(
    ("first_assistance", "flagged"),
    [(D(2026, 2, 28), False), (D(2026, 3, 1), True)],
    ids=["31jan+1m-is-28feb", "1mar-late"],
)
def test_one_month_after_the_31st_clamps_to_month_end(first_assistance, flagged):
    flags = data_quality_flags(D(2026, 1, 31), D(2026, 6, 1), first_assistance)
    assert (DQ_NO_ASSISTANCE_1M in flags) is flagged


@pytest.mark.parametrize(
    ("identified", "eliminated", "flagged"),
    [
        (D(2026, 3, 15), D(2026, 3, 31), True),  # same month
        (D(2026, 3, 15), D(2026, 4, 30), True),  # next month
        (D(2026, 3, 15), D(2026, 5, 1), False),  # two months later
        (D(2026, 3, 15), D(2026, 9, 15), False),
        (D(2025, 12, 10), D(2026, 1, 31), True),  # next month across the year end
        (D(2025, 12, 10), D(2026, 2, 1), False),
    ],
    ids=["same-month", "next-month", "two-months", "six-months", "next-month-new-year", "two-months-new-year"],
)
def test_fast_elimination(identified, eliminated, flagged):
    flags = data_quality_flags(identified, identified, identified, eliminated_on=eliminated)
    assert (DQ_FAST_ELIMINATION in flags) is flagged


@pytest.mark.parametrize(
    ("found", "flagged"),
    [
        (D(2026, 3, 15), False),
        (D(2026, 3, 1), False),  # 14 days
        (D(2026, 2, 28), False),  # 15 days exactly
        (D(2026, 2, 27), True),  # 16 days
        (D(2025, 12, 1), True),
        (None, False),
    ],
    ids=["same-day", "14-days", "15-days", "16-days", "months", "unknown"],
)
def test_slow_identification(found, flagged):
    identified = D(2026, 3, 15)
    assert (identified - D(2026, 2, 28)).days == 15  # fixture sanity
    flags = data_quality_flags(identified, identified, identified, found_on=found)
    assert (DQ_SLOW_IDENTIFICATION in flags) is flagged


def test_all_flags_together_and_labels():
    flags = data_quality_flags(D(2026, 3, 15), D(2026, 6, 1), None, eliminated_on=D(2026, 4, 2),
                               found_on=D(2026, 1, 2))
    assert flags == {DQ_NO_ASSISTANCE_1M, DQ_FAST_ELIMINATION, DQ_SLOW_IDENTIFICATION}
    assert set(DQ_LABELS) == flags
    for zh, en in DQ_LABELS.values():
        assert zh and en


def test_clean_household_has_no_flags():
    assert data_quality_flags(D(2026, 3, 15), D(2026, 12, 1), D(2026, 3, 20), eliminated_on=D(2026, 10, 1),
                              found_on=D(2026, 3, 10)) == set()


# ----------------------------------------------------------------- relapse
@pytest.mark.parametrize(
    ("left", "reopened", "relapse"),
    [
        (D(2025, 3, 10), D(2025, 3, 10), True),  # same day
        (D(2025, 3, 10), D(2025, 9, 1), True),
        (D(2025, 3, 10), D(2026, 3, 10), True),  # exactly 12 months
        (D(2025, 3, 10), D(2026, 3, 11), False),  # a day later
        (D(2025, 3, 10), D(2027, 1, 1), False),
        (D(2024, 2, 29), D(2025, 2, 28), True),  # leap day: 12 months later is 28 Feb
        (D(2024, 2, 29), D(2025, 3, 1), False),
        (D(2025, 12, 31), D(2026, 12, 31), True),
        (D(2025, 12, 31), D(2027, 1, 1), False),
    ],
    ids=["same-day", "six-months", "exactly-12m", "12m-plus-1d", "two-years", "leap-day-12m",
         "leap-day-12m-plus-1d", "new-years-eve-12m", "new-years-eve-12m-plus-1d"],
)
def test_is_relapse(left, reopened, relapse):
    assert is_relapse(left, reopened) is relapse


def test_reopening_before_leaving_raises():
    with pytest.raises(ValueError):
        is_relapse(D(2025, 3, 10), D(2025, 3, 9))


# ----------------------------------------------------------------- transitions
@pytest.mark.parametrize(
    ("src", "dst", "allowed"),
    [
        (None, "在档", True),
        (None, "帮扶中", False),
        (None, "退档", False),
        ("在档", "帮扶中", True),
        ("帮扶中", "风险消除", True),
        ("帮扶中", "已解困", True),
        ("帮扶中", "已脱困", True),
        ("在档", "退档", True),
        ("帮扶中", "注销", True),
        ("风险消除", "在档", True),  # re-opening an eliminated file (relapse)
        ("已解困", "在档", True),
        ("退档", "在档", True),  # re-opening a closed file
        ("注销", "在档", True),
        ("风险消除", "帮扶中", False),
        ("退档", "帮扶中", False),
        ("退档", "风险消除", False),
        ("注销", "退档", False),
        ("在档", None, False),
        ("在档", "无此状态", False),
        ("无此状态", "在档", False),
    ],
    ids=lambda v: str(v),
)
def test_can_transition(src, dst, allowed):
    assert can_transition(src, dst) is allowed


def test_transition_table_covers_every_status():
    statuses = set(codes.FILE_STATUS)
    assert set(TRANSITIONS) - {None} == statuses
    reachable = {dst for targets in TRANSITIONS.values() for dst in targets}
    assert reachable == statuses
    # every eliminated or closed file can be re-opened, and only re-opened when closed
    for status in (*codes.ELIMINATED_STATUSES, *codes.CLOSED_STATUSES):
        assert can_transition(status, "在档"), status
    for status in codes.CLOSED_STATUSES:
        assert TRANSITIONS[status] == ("在档",)


@pytest.mark.parametrize(
    ("population", "natural", "status"),
    [("rural", False, "风险消除"), ("rural", True, "风险消除"), ("worker", False, "已解困"), ("worker", True, "已脱困")],
    ids=["rural-assisted", "rural-natural", "worker-assisted", "worker-natural"],
)
def test_eliminated_status(population, natural, status):
    assert eliminated_status(population, natural) == status
    assert status in codes.ELIMINATED_STATUSES
