"""Casework deadlines as data (DOMAIN §8): which step is due when, per region.

A rule is (step, amount, unit). The `deadline_rule` table holds them per region; a county inherits its
prefecture's rule, a prefecture its province's, and 000000 holds the national defaults below. Units:
working days (counted with `workdays.WorkCalendar`), calendar days, or months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from safetynet.domain.workdays import WorkCalendar

NATION = "000000"
WORKING, CALENDAR, MONTHS = "working", "calendar", "months"
UNITS = (WORKING, CALENDAR, MONTHS)

HOME_CHECK = "home_check"  # 入户核实 after a lead is received
DECISION = "decision"  # 纳入监测 / 不纳入 / 并入已有档案 after a lead is received
NOTICE = "notice"  # the shortest public notice (公示) before a file is opened or an elimination takes effect
FIRST_AID = "first_aid"  # the first measure delivered after a file is opened
FOLLOWUP = "followup"  # the longest gap between follow-up visits (回访) while 帮扶中, and after elimination
AFTERCARE = "aftercare"  # how long follow-ups go on after elimination

STEP_LABELS = {HOME_CHECK: "入户核实", DECISION: "认定决定", NOTICE: "公示", FIRST_AID: "首次帮扶",
               FOLLOWUP: "回访间隔", AFTERCARE: "消除后跟踪"}
DEFAULT_RULES: dict[str, tuple[int, str]] = {
    HOME_CHECK: (5, WORKING), DECISION: (15, WORKING), NOTICE: (5, CALENDAR), FIRST_AID: (1, MONTHS),
    FOLLOWUP: (3, MONTHS), AFTERCARE: (12, MONTHS),
}


@dataclass(frozen=True)
class Rule:
    amount: int
    unit: str

    def due(self, start: dt.date, calendar: WorkCalendar) -> dt.date:
        """The last day on which the step is on time, for a clock that starts on `start`."""
        if self.unit == WORKING:
            return calendar.add(start, self.amount)
        if self.unit == CALENDAR:
            return start + dt.timedelta(days=self.amount)
        return (pd.Timestamp(start) + pd.DateOffset(months=self.amount)).date()

    def label(self) -> str:
        return f"{self.amount}{ {WORKING: '个工作日', CALENDAR: '天', MONTHS: '个月'}[self.unit] }"


class DeadlineRules:
    """Rules per region with inheritance up the adcode hierarchy (county → prefecture → province → nation)."""

    def __init__(self, rows: Iterable[tuple[str, str, int, str]] = ()) -> None:
        self._rules: dict[tuple[str, str], Rule] = {
            (NATION, step): Rule(amount, unit) for step, (amount, unit) in DEFAULT_RULES.items()}
        for adcode, step, amount, unit in rows:
            if unit not in UNITS:
                raise ValueError(f"unknown deadline unit {unit!r}")
            self._rules[(adcode, step)] = Rule(int(amount), unit)

    def rule(self, adcode: str, step: str) -> Rule:
        for code in (adcode, adcode[:4] + "00", adcode[:2] + "0000", NATION):
            found = self._rules.get((code, step))
            if found is not None:
                return found
        raise KeyError(step)

    def due(self, adcode: str, step: str, start: dt.date, calendar: WorkCalendar) -> dt.date:
        return self.rule(adcode, step).due(start, calendar)


def default_rule_rows() -> list[dict[str, object]]:
    """The national defaults as `deadline_rule` rows."""
    return [{"adcode": NATION, "step": step, "amount": amount, "unit": unit}
            for step, (amount, unit) in DEFAULT_RULES.items()]
