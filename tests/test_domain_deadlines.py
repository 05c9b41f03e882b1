"""Deadline rules per region with inheritance, in working days, calendar days and months (DOMAIN §8)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from safetynet.domain.deadlines import DECISION, FIRST_AID, HOME_CHECK, NOTICE, DeadlineRules
from safetynet.domain.workdays import WorkCalendar

CAL = WorkCalendar.shipped()
D = dt.date.fromisoformat


def test_national_defaults_of_domain_section_8():
    rules = DeadlineRules()
    assert rules.due("520102", HOME_CHECK, D("2026-03-09"), CAL) == D("2026-03-16")  # 5 working days
    assert rules.due("520102", DECISION, D("2026-03-09"), CAL) == D("2026-03-30")  # 15 working days
    assert rules.due("520102", NOTICE, D("2026-03-09"), CAL) == D("2026-03-14")  # 5 calendar days
    assert rules.due("520102", FIRST_AID, D("2026-01-31"), CAL) == D("2026-02-28")  # a month, clamped


def test_a_county_inherits_from_its_prefecture_and_province():
    rules = DeadlineRules([("520000", HOME_CHECK, 3, "working"), ("520100", HOME_CHECK, 2, "working"),
                           ("520102", DECISION, 10, "working")])
    assert rules.rule("520102", HOME_CHECK).amount == 2  # prefecture 520100
    assert rules.rule("520203", HOME_CHECK).amount == 3  # province 520000
    assert rules.rule("530102", HOME_CHECK).amount == 5  # another province: the national default
    assert rules.rule("520102", DECISION).amount == 10 and rules.rule("520103", DECISION).amount == 15
    assert rules.rule("520102", HOME_CHECK).label() == "2个工作日"


def test_a_new_database_holds_the_calendar_and_the_defaults(demo_db):
    with demo_db.connect() as conn:
        rules = pd.read_sql(text("SELECT * FROM deadline_rule"), conn)
        days = pd.read_sql(text("SELECT day, kind FROM work_calendar"), conn)
    assert set(rules["adcode"]) == {"000000"} and len(rules) == 6
    stored = WorkCalendar((pd.Timestamp(d).date(), k) for d, k in zip(days["day"], days["kind"], strict=True))
    assert stored.add(D("2026-02-12"), 5) == CAL.add(D("2026-02-12"), 5) == D("2026-02-26")


def test_due_many_agrees_with_due_per_region_and_unit():
    """Region overrides (county over prefecture over province over nation) and every unit, many at once."""
    import numpy as np

    calendar = WorkCalendar.shipped()
    rules = DeadlineRules([("520000", "home_check", 3, "working"), ("522623", "followup", 2, "months"),
                           ("110000", "decision", 20, "calendar")])
    rng = np.random.default_rng(5)
    counties = np.array(["522623", "522601", "520102", "110101", "330102"])[rng.integers(0, 5, 1500)]
    starts = np.datetime64("2024-01-01") + rng.integers(0, 1400, 1500).astype("timedelta64[D]")
    for step in ("home_check", "decision", "followup", "aftercare", "notice"):
        many = rules.due_many(counties, step, starts, calendar)
        assert all(got.astype(dt.date) == rules.due(county, step, start.astype(dt.date), calendar)
                   for got, county, start in zip(many, counties, starts, strict=True)), step
