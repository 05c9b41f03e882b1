"""Relapse-risk score (DOMAIN §3): factors A–H, hard triggers, tiers, reasons.

Worked examples use `score_one` with the neutral household (3 members, line
1000 yuan/month, 12 months, income giving r = 3, everything fine → score 0)
and change only what each rule is about. With that household
`income_period = r * 36000` gives a chosen r.
"""
from __future__ import annotations

import itertools
import re
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from safetynet.domain.risk import (
    FACTOR_MAX,
    FACTORS,
    INPUT_COLUMNS,
    NEUTRAL_INPUTS,
    RULES_VERSION,
    Reason,
    Trigger,
    explain_frame,
    score_frame,
    score_one,
    tiers,
)

NEUTRAL_INCOME = 108000.0  # 3 members × 1000 × 12 months × r 3
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
POINTS = re.compile(r"\(\+(\d+)\)$")


def income_for(r: float) -> float:
    """Income over 12 months for the neutral household (3 members, line 1000)."""
    return round(r * 36000.0, 2)


def exact(value: float | str) -> Fraction:
    return Fraction(str(value))


# ----------------------------------------------------------------- sanity of the fixture
def test_neutral_household_scores_zero_and_green():
    s = score_one()
    assert s["score"] == 0
    assert s["tier"] == "低"
    assert s["triggers"] == 0
    assert s["reason_bits"] == 0
    assert s["r"] == pytest.approx(3.0)
    assert s["reasons"] == []
    assert s["reasons_en"] == []


def test_rules_version_is_a_nonempty_string():
    assert isinstance(RULES_VERSION, str) and RULES_VERSION.strip()


def test_factor_maxima_match_spec_and_sum_to_100():
    assert FACTOR_MAX == {"a": 30, "b": 15, "c": 15, "d": 15, "e": 10, "f": 5, "g": 5, "h": 5}
    assert sum(FACTOR_MAX.values()) == 100


def test_unknown_input_is_rejected():
    with pytest.raises(KeyError, match="incomee"):
        score_one(incomee=1.0)


# ----------------------------------------------------------------- A income adequacy
@pytest.mark.parametrize(
    ("r", "points"),
    [
        (0.0, 30),
        (0.5, 30),
        (0.99, 30),
        (0.999, 30),
        (1.0, 20),
        (1.1, 20),
        (1.19, 20),
        (1.2, 12),
        (1.3, 12),
        (1.49, 12),
        (1.5, 6),
        (1.7, 6),
        (1.99, 6),
        (2.0, 0),
        (2.01, 0),
        (3.0, 0),
    ],
    ids=lambda v: str(v),
)
def test_factor_a_bands(r, points):
    s = score_one(income_period=income_for(r))
    assert s["r"] == pytest.approx(r)
    assert s["pts_a"] == points
    assert bool(s["reason_bits"] & Reason.A_INCOME) == (points > 0)


# Realistic yuan amounts on a band edge. Each example is *exactly* on the edge in
# decimal arithmetic (checked below with Fractions) but naive float division lands
# just below it, so a rule without rounding would put it in the band beneath.
A_EDGE_CASES = [
    # (members, months, line, income, rigid, r on the edge, points)
    (3, 12, 812.5, 35100.00, 0.00, "1.2", 12),
    (3, 12, 812.5, 32779.20, 3529.20, "1.0", 20),
    (3, 12, 1090.0, 65540.18, 18452.18, "1.2", 12),
    (3, 12, 980.0, 65545.68, 23209.68, "1.2", 12),
    (2, 6, 1120.0, 16392.69, 264.69, "1.2", 12),
    (3, 12, 812.5, 65539.79, 21664.79, "1.5", 6),
    (4, 12, 1510.0, 131073.33, 22353.33, "1.5", 6),
    (3, 12, 812.5, 65539.37, 7039.37, "2.0", 0),
    (5, 7, 633.33, 44333.10, 0.00, "2.0", 0),
    (5, 7, 633.33, 22166.55, 0.00, "1.0", 20),
]


@pytest.mark.parametrize(
    ("members", "months", "line", "income", "rigid", "edge", "points"),
    A_EDGE_CASES,
    ids=[f"m{c[0]}-{c[1]}mo-line{c[2]}-r{c[5]}" for c in A_EDGE_CASES],
)
def test_factor_a_exact_edges_from_yuan_amounts(members, months, line, income, rigid, edge, points):
    # the example really is on the edge in exact decimal arithmetic
    assert (exact(income) - exact(rigid)) / members / months / exact(line) == Fraction(edge)
    s = score_one(members=members, period_months=months, line_month=line, dibao_month=line,
                  income_period=income, rigid_period=rigid)
    assert s["r"] == pytest.approx(float(edge))
    assert s["pts_a"] == points


def test_factor_a_uses_net_income_after_rigid_spending():
    # 3 members, 12 months, line 1000: income 72000 alone is r 2.0, minus rigid 36000 → r 1.0
    assert score_one(income_period=72000.0)["pts_a"] == 0
    s = score_one(income_period=72000.0, rigid_period=36000.0)
    assert s["r"] == pytest.approx(1.0)
    assert s["pts_a"] == 20


def test_factor_a_annualises_a_short_period():
    # 6 months of income 27000 for 3 people at line 1000 → 1500 per person-month → r 1.5
    s = score_one(income_period=27000.0, period_months=6)
    assert s["r"] == pytest.approx(1.5)
    assert s["pts_a"] == 6


# ----------------------------------------------------------------- B income shock
@pytest.mark.parametrize(
    ("now", "last_year", "points"),
    [
        (18900.0, 27000.0, 15),  # exactly 30 % down
        (13500.0, 27000.0, 15),  # 50 % down
        (0.0, 27000.0, 15),  # 100 % down
        (18927.0, 27000.0, 8),  # 29.9 % down
        (22950.0, 27000.0, 8),  # exactly 15 % down
        (22977.0, 27000.0, 0),  # 14.9 % down
        (27000.0, 27000.0, 0),  # unchanged
        (35000.0, 27000.0, 0),  # rising income
        (7233.38, 10333.40, 15),  # exactly 30 % down, awkward yuan amounts
        (8783.39, 10333.40, 8),  # exactly 15 % down, awkward yuan amounts
        (10000.0, float("nan"), 0),  # unknown last year
        (10000.0, 0.0, 0),  # nothing last year: no comparison possible
    ],
    ids=[
        "30pct", "50pct", "100pct", "29.9pct", "15pct", "14.9pct", "flat", "rising",
        "30pct-yuan", "15pct-yuan", "unknown-last-year", "zero-last-year",
    ],
)
def test_factor_b_income_shock(now, last_year, points):
    s = score_one(income_3m=now, income_3m_last_year=last_year)
    assert s["pts_b"] == points
    assert bool(s["reason_bits"] & Reason.B_DROP) == (points > 0)


def test_factor_b_awkward_amounts_are_exact_edges():
    assert 1 - exact(7233.38) / exact(10333.40) == Fraction(3, 10)
    assert 1 - exact(8783.39) / exact(10333.40) == Fraction(15, 100)


def test_factor_b_unknown_last_year_has_no_drop_value():
    s = score_one(income_3m=10000.0, income_3m_last_year=float("nan"))
    assert np.isnan(s["income_drop"])


# ----------------------------------------------------------------- C job stability
@pytest.mark.parametrize(
    ("months_out", "arrears", "platform", "contract", "points"),
    [
        (0, False, False, False, 0),
        (3, False, False, False, 15),
        (12, False, False, False, 15),
        (1, False, False, False, 10),
        (2, False, False, False, 10),
        (0, True, False, False, 10),
        (0, False, True, False, 6),
        (0, False, False, True, 3),
        # combinations: the strongest rule, never a sum
        (3, True, True, True, 15),
        (2, True, True, True, 10),
        (1, True, False, False, 10),
        (0, True, True, True, 10),
        (0, False, True, True, 6),
    ],
    ids=[
        "none", "out3", "out12", "out1", "out2", "arrears", "platform", "contract",
        "out3+all", "out2+all", "out1+arrears", "arrears+platform+contract", "platform+contract",
    ],
)
def test_factor_c_job_stability(months_out, arrears, platform, contract, points):
    s = score_one(months_out=months_out, wage_arrears=arrears, platform_uninsured=platform, short_contract=contract)
    assert s["pts_c"] == points


@pytest.mark.parametrize(
    ("kwargs", "bit"),
    [
        ({"months_out": 3}, Reason.C_OUT_LONG),
        ({"months_out": 2}, Reason.C_OUT_SHORT),
        ({"wage_arrears": True}, Reason.C_ARREARS),
        ({"platform_uninsured": True}, Reason.C_PLATFORM),
        ({"short_contract": True}, Reason.C_SHORT_CONTRACT),
        ({"months_out": 4, "platform_uninsured": True, "short_contract": True}, Reason.C_OUT_LONG),
        ({"platform_uninsured": True, "short_contract": True}, Reason.C_PLATFORM),
    ],
    ids=["long", "short", "arrears", "platform", "contract", "long-beats-others", "platform-beats-contract"],
)
def test_factor_c_reason_bit_names_the_winning_rule(kwargs, bit):
    s = score_one(**kwargs)
    c_bits = Reason(s["reason_bits"]) & (
        Reason.C_OUT_LONG | Reason.C_OUT_SHORT | Reason.C_ARREARS | Reason.C_PLATFORM | Reason.C_SHORT_CONTRACT
    )
    assert c_bits == bit


# ----------------------------------------------------------------- D rigid-spending burden
@pytest.mark.parametrize(
    ("income", "medical", "school", "points"),
    [
        (108000.0, 0.0, 0.0, 0),
        (108000.0, 54000.0, 0.0, 15),  # exactly 50 %
        (108000.0, 80000.0, 0.0, 15),
        (108000.0, 53999.0, 0.0, 10),  # just under 50 %
        (108000.0, 32400.0, 0.0, 10),  # exactly 30 %
        (108000.0, 32399.0, 0.0, 0),  # just under 30 %
        (108000.0, 0.0, 21600.0, 6),  # school exactly 20 %
        (108000.0, 0.0, 21599.0, 0),  # school just under 20 %
        (108000.0, 54000.0, 21600.0, 15),  # 15 + 6 capped at 15
        (108000.0, 32400.0, 21600.0, 15),  # 10 + 6 = 16 capped at 15
        (108000.0, 32399.0, 21600.0, 6),  # medical below 30 %, school counts alone
        (0.0, 500.0, 0.0, 15),  # no income but medical spending: share is unbounded
        (0.0, 0.0, 0.0, 0),  # no income, no spending: no burden
        (65539.70, 19661.91, 0.0, 10),  # exactly 30 %, awkward yuan amounts
        (32769.85, 0.0, 6553.97, 6),  # school exactly 20 %, awkward yuan amounts
    ],
    ids=[
        "none", "med50", "med74", "med49.99", "med30", "med29.99", "school20", "school19.99",
        "med15+school6", "med10+school6", "school-only", "zero-income-medical", "zero-income-nothing",
        "med30-yuan", "school20-yuan",
    ],
)
def test_factor_d_rigid_spending(income, medical, school, points):
    s = score_one(income_period=income, medical_period=medical, school_period=school)
    assert s["pts_d"] == points


def test_factor_d_awkward_amounts_are_exact_edges():
    assert exact(19661.91) / exact(65539.70) == Fraction(3, 10)
    assert exact(6553.97) / exact(32769.85) == Fraction(1, 5)


def test_factor_d_reason_bits_and_text_name_both_parts():
    s = score_one(medical_period=32400.0, school_period=21600.0)
    assert Reason.D_MEDICAL in Reason(s["reason_bits"])
    assert Reason.D_SCHOOL in Reason(s["reason_bits"])
    assert "医疗自付占收入30%，非义务教育支出占收入20% (+15)" in s["reasons"]


# ----------------------------------------------------------------- E labour and dependants
@pytest.mark.parametrize(
    ("members", "labour", "ill", "points", "bit"),
    [
        (3, 2, False, 0, None),
        (3, 0, False, 10, Reason.E_NO_LABOUR),
        (1, 0, False, 10, Reason.E_NO_LABOUR),
        (3, 1, False, 10, Reason.E_DEPENDENCY),  # 2 dependants per worker exactly
        (4, 1, False, 10, Reason.E_DEPENDENCY),  # 3 per worker
        (5, 2, False, 0, None),  # 1.5 per worker
        (2, 1, False, 0, None),  # 1 per worker
        (3, 2, True, 5, Reason.E_ILLNESS),
        (3, 1, True, 10, Reason.E_DEPENDENCY),  # 10 beats 5, no sum
        (3, 0, True, 10, Reason.E_NO_LABOUR),  # 10 beats 5, no sum
    ],
    ids=["fine", "no-labour", "single-no-labour", "dep2", "dep3", "dep1.5", "dep1", "illness",
         "dep2+illness", "no-labour+illness"],
)
def test_factor_e_labour(members, labour, ill, points, bit):
    s = score_one(members=members, labour=labour, employed=labour, severe_illness=ill, on_dibao=True)
    assert s["pts_e"] == points
    e_bits = Reason(s["reason_bits"]) & (Reason.E_NO_LABOUR | Reason.E_DEPENDENCY | Reason.E_ILLNESS)
    assert e_bits == (bit if bit is not None else Reason(0))


# ----------------------------------------------------------------- F relocation
@pytest.mark.parametrize(
    ("relocated", "employed", "points"),
    [(True, 0, 5), (True, 1, 0), (True, 2, 0), (False, 0, 0)],
    ids=["relocated-nobody-working", "relocated-one-working", "relocated-two-working", "not-relocated"],
)
def test_factor_f_relocation(relocated, employed, points):
    s = score_one(is_relocated=relocated, employed=employed)
    assert s["pts_f"] == points


# ----------------------------------------------------------------- G protection gaps
@pytest.mark.parametrize(
    ("kwargs", "points", "bit"),
    [
        ({"uninsured": True}, 5, Reason.G_UNINSURED),
        # r 1.1 on line 1000 → 1100 per person-month, below a 低保 of 1200, not enrolled
        ({"income_period": income_for(1.1), "dibao_month": 1200.0}, 5, Reason.G_DIBAO_GAP),
        ({"income_period": income_for(1.1), "dibao_month": 1200.0, "on_dibao": True}, 0, None),
        ({"income_period": income_for(1.1), "dibao_month": 1100.0}, 0, None),  # at 低保: not eligible
        ({"income_period": income_for(1.1), "dibao_month": 1200.0, "uninsured": True}, 5, Reason.G_UNINSURED),
        ({"income_period": income_for(0.5), "on_dibao": True}, 0, None),
    ],
    ids=["uninsured", "dibao-gap", "on-dibao", "at-dibao", "uninsured+gap-capped", "below-but-enrolled"],
)
def test_factor_g_protection_gaps(kwargs, points, bit):
    s = score_one(**kwargs)
    assert s["pts_g"] == points
    g_bits = Reason(s["reason_bits"]) & (Reason.G_UNINSURED | Reason.G_DIBAO_GAP)
    assert g_bits == (bit if bit is not None else Reason(0))


def test_factor_g_no_dibao_gap_exactly_at_dibao_from_yuan_amounts():
    income, rigid, dibao = 65545.68, 11185.68, 1510.0  # 3 members, 12 months
    assert (exact(income) - exact(rigid)) / 3 / 12 == exact(dibao)
    s = score_one(income_period=income, rigid_period=rigid, dibao_month=dibao, line_month=dibao)
    assert s["pts_a"] == 20  # A agrees the household is at, not below, the line
    assert s["pts_g"] == 0


# ----------------------------------------------------------------- H social / psychological
@pytest.mark.parametrize(
    ("consent", "counselling", "isolated", "newgen", "points"),
    [
        (False, True, True, True, 0),  # no consent → nothing, even when referred
        (False, True, False, False, 0),
        (True, False, False, False, 0),
        (True, True, False, False, 5),
        (True, False, True, False, 3),
        (True, False, False, True, 3),
        (True, False, True, True, 5),  # 3 + 3 capped at 5
        (True, True, True, True, 5),
    ],
    ids=["no-consent-all", "no-consent-referred", "consent-nothing", "counselling", "isolated", "newgen",
         "isolated+newgen-capped", "all-capped"],
)
def test_factor_h_only_with_consent_and_capped(consent, counselling, isolated, newgen, points):
    s = score_one(psych_consent=consent, counselling=counselling, isolated=isolated, newgen_migrant=newgen)
    assert s["pts_h"] == points
    if not consent:
        h_bits = Reason.H_COUNSELLING | Reason.H_ISOLATED | Reason.H_NEWGEN
        assert Reason(s["reason_bits"]) & h_bits == Reason(0)
        assert not any("心理" in t or "社会支持" in t or "新生代" in t for t in s["reasons"])


# ----------------------------------------------------------------- total
EVERYTHING_BAD = dict(
    income_period=income_for(0.5),
    income_3m=5000.0,
    income_3m_last_year=27000.0,
    months_out=6,
    wage_arrears=True,
    platform_uninsured=True,
    short_contract=True,
    medical_period=40000.0,
    school_period=20000.0,
    labour=0,
    severe_illness=True,
    is_relocated=True,
    employed=0,
    uninsured=True,
    psych_consent=True,
    counselling=True,
    isolated=True,
    newgen_migrant=True,
    assisted=False,
)


def test_everything_bad_scores_exactly_100():
    s = score_one(**EVERYTHING_BAD)
    assert {f: s[f"pts_{f}"] for f in FACTORS} == FACTOR_MAX
    assert s["score"] == 100
    assert s["tier"] == "高"


VARIATIONS = {
    "income_period": [income_for(0.9), income_for(1.3), NEUTRAL_INCOME],
    "income_3m": [27000.0, 20000.0, 15000.0],
    "months_out": [0, 1, 4],
    "medical_period": [0.0, 40000.0],
    "labour": [0, 1, 2],
    "is_relocated": [False, True],
    "uninsured": [False, True],
    "psych_consent": [False, True],
}


def _variation_rows() -> list[dict]:
    keys = list(VARIATIONS)
    rows = []
    for values in itertools.product(*VARIATIONS.values()):
        row = dict(zip(keys, values, strict=True))
        row.update(employed=0, counselling=True, wage_arrears=row["months_out"] == 0, school_period=25000.0)
        rows.append(row)
    return rows


def test_score_is_the_sum_of_components_within_factor_maxima():
    frame = pd.DataFrame([{**NEUTRAL_INPUTS, **row} for row in _variation_rows()])
    scored = score_frame(frame)
    pts = scored[[f"pts_{f}" for f in FACTORS]]
    assert (scored["score"] == pts.sum(axis=1)).all()
    for f in FACTORS:
        assert scored[f"pts_{f}"].between(0, FACTOR_MAX[f]).all(), f
    assert scored["score"].between(0, 100).all()
    # the variation grid actually exercises a spread of scores, not just zeros
    assert scored["score"].nunique() > 20


# ----------------------------------------------------------------- hard triggers
@pytest.mark.parametrize(
    ("kwargs", "trigger"),
    [
        ({"dropout": True}, Trigger.DROPOUT),
        ({"uninsured": True}, Trigger.NO_MEDICAL_INSURANCE),
        ({"housing_unsafe": True}, Trigger.UNSAFE_HOUSING),
        ({"water_unsafe": True}, Trigger.UNSAFE_WATER),
        ({"event_cost_12m": 0.8 * NEUTRAL_INCOME}, Trigger.SUDDEN_EVENT),  # exactly 80 %
        ({"event_cost_12m": NEUTRAL_INCOME * 2}, Trigger.SUDDEN_EVENT),
        # 6 months on file: 54000 → 108000 a year; 86400 is exactly 80 %
        ({"income_period": 54000.0, "period_months": 6, "event_cost_12m": 86400.0}, Trigger.SUDDEN_EVENT),
        # awkward yuan amounts exactly 80 % (naive float division gives 0.7999999999999999)
        ({"income_period": 30000.15, "members": 1, "labour": 1, "event_cost_12m": 24000.12}, Trigger.SUDDEN_EVENT),
        # 7 months on file: 30000.25 → 51428.99 a year; 41143.20 is exactly 80 %
        ({"income_period": 30000.25, "period_months": 7, "members": 1, "labour": 1, "event_cost_12m": 41143.20},
         Trigger.SUDDEN_EVENT),
        ({"income_period": income_for(0.99), "assisted": False}, Trigger.BELOW_LINE_NO_AID),
        ({"labour": 0, "employed": 0}, Trigger.NO_LABOUR_NO_COVER),
    ],
    ids=["dropout", "no-medical-insurance", "unsafe-housing", "unsafe-water", "event-80pct", "event-200pct",
         "event-80pct-annualised", "event-80pct-yuan", "event-80pct-yuan-7-months", "below-line-no-aid", "no-labour-no-cover"],
)
def test_each_hard_trigger_alone_forces_high(kwargs, trigger):
    s = score_one(**kwargs)
    assert s["triggers"] == trigger
    assert s["score"] < 60  # not red by score alone …
    assert s["tier"] == "高"  # … yet red


def test_event_yuan_examples_are_exactly_80pct():
    assert exact(24000.12) / exact(30000.15) == Fraction(4, 5)
    assert exact(41143.20) / (exact(30000.25) / 7 * 12) == Fraction(4, 5)


@pytest.mark.parametrize(
    ("kwargs", "tier"),
    [
        ({"event_cost_12m": 0.79 * NEUTRAL_INCOME}, "低"),  # 79 %: below the trigger
        ({"income_period": income_for(0.99), "assisted": True}, "中"),  # below line but assisted
        ({"labour": 0, "employed": 0, "on_dibao": True}, "低"),
        ({"labour": 0, "employed": 0, "on_tekun": True}, "低"),
        ({"income_period": income_for(1.0), "assisted": False}, "低"),  # at the line: not below
    ],
    ids=["event-79pct", "below-line-assisted", "no-labour-on-dibao", "no-labour-on-tekun", "at-line-unassisted"],
)
def test_near_misses_do_not_trigger(kwargs, tier):
    s = score_one(**kwargs)
    assert s["triggers"] == 0
    assert s["tier"] == tier


def test_multiple_triggers_are_all_recorded():
    s = score_one(dropout=True, water_unsafe=True, income_period=income_for(0.5), assisted=False)
    assert Trigger(s["triggers"]) == Trigger.DROPOUT | Trigger.UNSAFE_WATER | Trigger.BELOW_LINE_NO_AID


# ----------------------------------------------------------------- tiers
@pytest.mark.parametrize(
    ("kwargs", "score", "tier"),
    [
        # A20 + B15 + C15 + D10 = 60
        ({"income_period": income_for(1.1), "income_3m": 18900.0, "months_out": 3, "medical_period": 13000.0}, 60, "高"),
        # A20 + B15 + C15 + D6 (school) + H3 (isolated) = 59
        ({"income_period": income_for(1.1), "income_3m": 18900.0, "months_out": 3, "school_period": 30000.0,
          "psych_consent": True, "isolated": True}, 59, "中"),
        # A20 + B15 = 35
        ({"income_period": income_for(1.1), "income_3m": 18900.0}, 35, "中"),
        # A20 + B8 + C6 = 34
        ({"income_period": income_for(1.1), "income_3m": 22000.0, "platform_uninsured": True}, 34, "低"),
        # r < 1, assisted and on 低保, nothing else: 30 points but never green
        ({"income_period": income_for(0.99), "on_dibao": True}, 30, "中"),
    ],
    ids=["60-high", "59-mid", "35-mid", "34-low", "below-line-assisted-30-mid"],
)
def test_tier_boundaries_through_score_one(kwargs, score, tier):
    s = score_one(**kwargs)
    assert s["triggers"] == 0
    assert s["score"] == score
    assert s["tier"] == tier


def test_tiers_function_on_arrays():
    score = np.array([100, 60, 59, 35, 34, 0, 0, 10, 34, 0])
    triggers = np.array([0, 0, 0, 0, 0, 0, int(Trigger.UNSAFE_WATER), 0, 0, 0])
    r = np.array([0.5, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.99, 1.0, np.nan])
    got = tiers(score, triggers, r)
    assert list(got) == ["高", "高", "中", "中", "低", "低", "高", "中", "低", "低"]


# ----------------------------------------------------------------- reasons
@pytest.mark.parametrize(
    ("population", "r", "text"),
    [
        ("worker", 0.9, "人均收入为低保标准的0.90倍 (+30)"),
        ("rural", 0.9, "人均收入为监测线的0.90倍 (+30)"),
        ("worker", 1.234, "人均收入为低保标准的1.23倍 (+12)"),
        ("worker", 1.15, "人均收入为低保标准的1.15倍 (+20)"),
        ("rural", 1.5, "人均收入为监测线的1.50倍 (+6)"),
        ("worker", 1.999, "人均收入为低保标准的2.00倍 (+6)"),  # rounding only in the display
    ],
    ids=["worker-0.90", "rural-0.90", "worker-1.23", "worker-1.15", "rural-1.50", "worker-1.999-shown-2.00"],
)
def test_income_reason_quotes_r_to_two_decimals_and_points(population, r, text):
    s = score_one(population=population, income_period=income_for(r))
    assert s["reasons"][0] == text


def test_below_line_trigger_text_names_the_right_line():
    worker = score_one(income_period=income_for(0.8), assisted=False)
    rural = score_one(population="rural", income_period=income_for(0.8), assisted=False)
    assert worker["reasons"][0] == "硬性触发：收入低于低保标准且无帮扶记录"
    assert rural["reasons"][0] == "硬性触发：收入低于监测线且无帮扶记录"
    assert "监测线" not in "".join(worker["reasons"])
    assert "低保标准" not in "".join(rural["reasons"])


def test_reasons_triggers_first_then_points_descending_ties_a_to_h():
    s = score_one(
        housing_unsafe=True,  # trigger
        event_cost_12m=0.9 * income_for(1.1),  # trigger, 90 %
        income_period=income_for(1.1),  # A 20
        income_3m=18900.0,  # B 15 (30 %)
        months_out=4,  # C 15
        medical_period=0.6 * income_for(1.1),  # D 15 (60 %)
        is_relocated=True, employed=0,  # F 5
        psych_consent=True, newgen_migrant=True,  # H 3
    )
    assert s["reasons"] == [
        "硬性触发：住房安全无保障",
        "硬性触发：突发事件支出达年收入的90%",
        "人均收入为低保标准的1.10倍 (+20)",
        "收入同比下降30% (+15)",
        "失业或未返岗4个月 (+15)",
        "医疗自付占收入60% (+15)",
        "搬迁户无人稳定就业 (+5)",
        "新生代农民工无本地支持 (+3)",
    ]


def test_reasons_order_by_points_not_by_factor_letter():
    # A 6 first, then the three fives in A→H order (F, G, H), then C 3; the trigger leads
    s = score_one(income_period=income_for(1.6), short_contract=True, is_relocated=True, employed=0,
                  uninsured=True, psych_consent=True, counselling=True)
    texts = s["reasons"]
    assert texts[0] == "硬性触发：有成员未参加基本医疗保险"
    assert texts[1:] == [
        "人均收入为低保标准的1.60倍 (+6)",
        "搬迁户无人稳定就业 (+5)",
        "有成员未参加基本医保 (+5)",
        "已转介心理疏导 (+5)",
        "劳务派遣或合同不足1年 (+3)",
    ]


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"wage_arrears": True}, "存在欠薪 (+10)"),
        ({"months_out": 2}, "失业或未返岗2个月 (+10)"),
        ({"platform_uninsured": True}, "平台/灵活就业未参加社会保险 (+6)"),
        ({"labour": 1, "employed": 1}, "每名劳动力负担2.0人 (+10)"),
        ({"labour": 0, "employed": 0, "on_dibao": True}, "家庭无劳动力 (+10)"),
        ({"severe_illness": True}, "有重度残疾或患大病成员 (+5)"),
        ({"income_period": income_for(1.1), "dibao_month": 1200.0}, "符合低保条件但未纳入 (+5)"),
        ({"income_3m": 13500.0}, "收入同比下降50% (+15)"),
    ],
    ids=["arrears", "out2", "platform", "dependency", "no-labour", "illness", "dibao-gap", "drop50"],
)
def test_reason_texts(kwargs, text):
    assert text in score_one(**kwargs)["reasons"]


REASON_CASES = [
    {},
    EVERYTHING_BAD,
    {"income_period": income_for(0.95), "dropout": True, "months_out": 1},
    {"population": "rural", "income_period": income_for(1.25), "is_relocated": True, "employed": 0,
     "school_period": 30000.0, "income_3m": 20000.0},
    {"income_period": income_for(1.1), "dibao_month": 1200.0, "severe_illness": True, "wage_arrears": True},
    {"labour": 1, "employed": 1, "psych_consent": True, "isolated": True, "medical_period": 40000.0},
]


@pytest.mark.parametrize("kwargs", REASON_CASES, ids=[f"case{i}" for i in range(len(REASON_CASES))])
def test_reason_points_add_up_to_the_score_in_both_languages(kwargs):
    s = score_one(**kwargs)
    for texts in (s["reasons"], s["reasons_en"]):
        points = [int(m.group(1)) for t in texts if (m := POINTS.search(t))]
        assert sum(points) == s["score"]
        # non-increasing once the (pointless) trigger lines are done
        assert points == sorted(points, reverse=True)
        n_triggers = bin(int(s["triggers"])).count("1")
        assert all(POINTS.search(t) is None for t in texts[:n_triggers])
        assert all(POINTS.search(t) is not None for t in texts[n_triggers:])
    assert len(s["reasons_en"]) == len(s["reasons"])


@pytest.mark.parametrize("kwargs", REASON_CASES, ids=[f"case{i}" for i in range(len(REASON_CASES))])
def test_english_reasons_have_no_chinese(kwargs):
    s = score_one(**kwargs)
    for text in s["reasons_en"]:
        assert CJK.findall(text) == [], text


def test_english_reasons_worked_example():
    s = score_one(income_period=income_for(0.9), assisted=False, dibao_month=1200.0, population="rural")
    assert s["reasons_en"] == [
        "Hard trigger: income below the monitoring line and no assistance recorded",
        "income per person is 0.90 × the monitoring line (+30)",
        "eligible for dibao but not enrolled (+5)",
    ]
    assert s["reasons"] == [
        "硬性触发：收入低于监测线且无帮扶记录",
        "人均收入为监测线的0.90倍 (+30)",
        "符合低保条件但未纳入 (+5)",
    ]


def test_explain_frame_joins_the_same_reasons():
    rows = [{**NEUTRAL_INPUTS, **kw} for kw in REASON_CASES]
    frame = pd.DataFrame(rows)
    scored = score_frame(frame)
    joined = explain_frame(scored, frame["population"])
    for i, kw in enumerate(REASON_CASES):
        assert joined.iloc[i] == "；".join(score_one(**kw)["reasons"])


# ----------------------------------------------------------------- score_frame
COMPARED = ["score", "tier", *[f"pts_{f}" for f in FACTORS], "triggers", "reason_bits"]


def test_score_frame_matches_score_one_row_by_row():
    rows = _variation_rows()[::7] + REASON_CASES
    rows += [
        {"members": m, "period_months": mo, "line_month": line, "dibao_month": line, "income_period": inc,
         "rigid_period": rig}
        for m, mo, line, inc, rig, *_ in A_EDGE_CASES
    ]
    frame = pd.DataFrame([{**NEUTRAL_INPUTS, **row} for row in rows])
    frame.index = pd.Index([f"hh{i:03d}" for i in range(len(frame))])
    scored = score_frame(frame)
    assert list(scored.index) == list(frame.index)
    assert len(scored) == len(rows) > 50
    for (idx, batch), row in zip(scored.iterrows(), rows, strict=True):
        single = score_one(**row)
        for col in COMPARED:
            assert batch[col] == single[col], (idx, col)
        assert batch["r"] == pytest.approx(single["r"]), idx


def test_score_frame_row_independence():
    # a row scores the same alone as next to very different rows
    bad = {**NEUTRAL_INPUTS, **EVERYTHING_BAD}
    fine = dict(NEUTRAL_INPUTS)
    together = score_frame(pd.DataFrame([bad, fine, bad]))
    assert list(together["score"]) == [100, 0, 100]
    assert list(together["tier"]) == ["高", "低", "高"]


def test_score_frame_missing_columns_raise_keyerror_listing_them():
    frame = pd.DataFrame([NEUTRAL_INPUTS]).drop(columns=["members", "assisted"])
    with pytest.raises(KeyError) as info:
        score_frame(frame)
    message = str(info.value)
    assert "members" in message and "assisted" in message
    assert "labour" not in message


def test_input_columns_cover_the_neutral_inputs_exactly():
    assert set(NEUTRAL_INPUTS) == set(INPUT_COLUMNS)

