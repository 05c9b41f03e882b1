"""Hardship categories (DOMAIN §1): worker 1 深度 / 2 相对 / 3 意外致困, rural 01 / 02 / 03."""
from __future__ import annotations

from fractions import Fraction

import pytest

from safetynet.domain.categories import SUDDEN_SHARE, classify_rural, classify_worker, per_capita_month

DIBAO = 1000.0  # urban 低保, yuan per person per month
# 3 members: per-capita month = (income − rigid) / 36, so income 36000 is exactly 低保


def exact(value: float) -> Fraction:
    return Fraction(str(value))


# ----------------------------------------------------------------- per-capita figure
@pytest.mark.parametrize(
    ("income", "rigid", "members", "expected"),
    [
        (36000.0, 0.0, 3, 1000.0),
        (48000.0, 12000.0, 3, 1000.0),  # rigid spending comes off first
        (12000.0, 0.0, 1, 1000.0),
        (60000.0, 12000.0, 4, 1000.0),
        (10000.0, 16000.0, 2, -250.0),  # rigid above income: negative, still a number
    ],
    ids=["3-members", "with-rigid", "single", "4-members-rigid", "negative"],
)
def test_per_capita_month(income, rigid, members, expected):
    assert per_capita_month(income, rigid, members) == pytest.approx(expected)


@pytest.mark.parametrize("members", [0, -1], ids=["zero", "negative"])
def test_members_below_one_raise(members):
    with pytest.raises(ValueError):
        per_capita_month(36000.0, 0.0, members)
    with pytest.raises(ValueError):
        classify_worker(36000.0, 0.0, members, DIBAO)


# ----------------------------------------------------------------- worker categories
@pytest.mark.parametrize(
    ("income", "rigid", "sudden", "net_after_comp", "expected"),
    [
        (35999.0, 0.0, 0.0, None, 1),  # just below 低保 → 深度
        (18000.0, 0.0, 0.0, None, 1),
        (48000.0, 12001.0, 0.0, None, 1),  # below 低保 only after rigid spending
        (36000.0, 0.0, 0.0, None, 2),  # exactly 低保: not 深度 (strictly less) → 相对
        (71999.0, 0.0, 0.0, None, 2),  # just below 2 × 低保
        (72000.0, 0.0, 0.0, None, None),  # exactly 2 × 低保: not in hardship
        (90000.0, 0.0, 0.0, None, None),
        (90000.0, 18001.0, 0.0, None, 2),  # rigid spending brings it under 2 × 低保
        # sudden event, 80 % of annual household income, strictly more than
        (50000.0, 0.0, 40000.0, None, 2),  # exactly 80 % → not 意外致困
        (50000.0, 0.0, 40001.0, None, 3),  # just above 80 %
        (90000.0, 0.0, 72001.0, None, 3),  # 意外致困 even when otherwise not in hardship
        # precedence
        (18000.0, 0.0, 100000.0, None, 1),  # 深度 beats 意外致困
        (50000.0, 0.0, 45000.0, None, 3),  # 意外致困 beats 相对
        # compensation: the net cost replaces the gross cost
        (50000.0, 0.0, 45000.0, 30000.0, 2),  # compensated below 80 % → back to 相对
        (50000.0, 0.0, 45000.0, 40000.0, 2),  # net exactly 80 % → not 意外致困
        (50000.0, 0.0, 45000.0, 41000.0, 3),  # still above 80 % after compensation
        (50000.0, 0.0, 10000.0, 45000.0, 3),  # the net figure is what counts, even if larger
        (90000.0, 0.0, 80000.0, 0.0, None),  # fully compensated, otherwise fine
    ],
    ids=[
        "below-dibao", "half-dibao", "below-after-rigid", "exactly-dibao", "below-2x", "exactly-2x", "above-2x",
        "rigid-under-2x", "sudden-exactly-80", "sudden-above-80", "sudden-only-hardship", "deep-beats-sudden",
        "sudden-beats-relative", "compensated-below", "compensated-exactly-80", "compensated-still-above",
        "net-figure-counts", "fully-compensated",
    ],
)
def test_classify_worker(income, rigid, sudden, net_after_comp, expected):
    got = classify_worker(income, rigid, 3, DIBAO, sudden, net_after_comp)
    assert got == expected


def test_sudden_share_constant_is_80_percent():
    assert SUDDEN_SHARE == 0.8


@pytest.mark.parametrize(
    ("members", "dibao", "income", "expected"),
    [
        (1, 1510.0, 18119.0, 1),
        (1, 1510.0, 18120.0, 2),
        (4, 1395.0, 66960.0, 2),  # exactly 1395 per person
        (4, 1395.0, 66959.0, 1),
        (4, 1395.0, 133920.0, None),  # exactly 2 × 1395
        (4, 1395.0, 133919.0, 2),
    ],
    ids=["sh-single-below", "sh-single-at", "bj-4-at", "bj-4-below", "bj-4-at-2x", "bj-4-below-2x"],
)
def test_classify_worker_real_dibao_levels(members, dibao, income, expected):
    assert classify_worker(income, 0.0, members, dibao) == expected


# Realistic yuan amounts exactly on an edge in decimal arithmetic, where plain
# float division lands a hair under it (the risk score rounds for this reason).
def test_worker_exactly_at_dibao_from_yuan_amounts_is_not_deep():
    income, rigid, dibao = 65545.68, 11185.68, 1510.0
    assert (exact(income) - exact(rigid)) / 12 / 3 == exact(dibao)
    assert classify_worker(income, rigid, 3, dibao) == 2


def test_worker_exactly_at_twice_dibao_from_yuan_amounts_is_not_relative():
    income, rigid, dibao = 131073.33, 22353.33, 1510.0
    assert (exact(income) - exact(rigid)) / 12 / 3 == 2 * exact(dibao)
    assert classify_worker(income, rigid, 3, dibao) is None


def test_worker_sudden_event_exactly_80pct_from_yuan_amounts_is_not_sudden():
    income, cost = 32768.20, 26214.56
    assert exact(cost) / exact(income) == Fraction(4, 5)
    assert classify_worker(income, 0.0, 2, DIBAO, cost) == 2


# ----------------------------------------------------------------- rural categories
LINE = 7600.0  # monitoring line, yuan per person per year


@pytest.mark.parametrize(
    ("net_pc", "exit_poor", "sudden", "household_income", "expected"),
    [
        (7599.0, True, 0.0, 0.0, "01"),  # below the line, left poverty before → 脱贫不稳定户
        (7599.0, False, 0.0, 0.0, "02"),  # below the line, never registered → 边缘易致贫户
        (3000.0, True, 0.0, 0.0, "01"),
        (7600.0, True, 0.0, 0.0, None),  # exactly the line: not below
        (7600.0, False, 0.0, 0.0, None),
        (9000.0, False, 24001.0, 30000.0, "03"),  # sudden event above 80 % → 突发严重困难户
        (9000.0, True, 24001.0, 30000.0, "03"),
        (9000.0, False, 24000.0, 30000.0, None),  # exactly 80 % → not 03
        (9000.0, False, 23999.0, 30000.0, None),
        (7599.0, True, 100000.0, 30000.0, "01"),  # below the line: the income category wins
        (7599.0, False, 100000.0, 30000.0, "02"),
        (9000.0, False, 5000.0, 0.0, None),  # no household income on file: no share to test
    ],
    ids=[
        "below-exit-poor", "below-edge", "far-below", "at-line-exit-poor", "at-line-edge", "sudden-above-80",
        "sudden-above-80-exit-poor", "sudden-exactly-80", "sudden-below-80", "below-beats-sudden-01",
        "below-beats-sudden-02", "no-household-income",
    ],
)
def test_classify_rural(net_pc, exit_poor, sudden, household_income, expected):
    assert classify_rural(net_pc, LINE, exit_poor, sudden, household_income) == expected


def test_rural_sudden_event_exactly_80pct_from_yuan_amounts_is_not_03():
    income, cost = 32768.20, 26214.56
    assert exact(cost) / exact(income) == Fraction(4, 5)
    assert classify_rural(9000.0, LINE, False, cost, income) is None
