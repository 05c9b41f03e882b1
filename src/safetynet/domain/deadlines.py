"""Casework deadlines as data (DOMAIN §8): which step is due when, per region.

A rule is (step, amount, unit). The `deadline_rule` table holds them per region; a county inherits its
prefecture's rule, a prefecture its province's, and 000000 holds the national defaults below. Units:
working days (counted with `workdays.WorkCalendar`), calendar days, or months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
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

    def due_many(self, starts: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
        """`due` for an array of datetime64[D] starts (NaT stays NaT)."""
        if self.unit == WORKING:
            return calendar.add_many(starts, self.amount)
        if self.unit == CALENDAR:
            return starts + np.timedelta64(self.amount, "D")
        shifted = pd.DatetimeIndex(starts) + pd.DateOffset(months=self.amount)  # month ends clamp, as in `due`
        return shifted.values.astype("datetime64[D]")

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

    def due_many(self, adcodes: np.ndarray, step: str, starts: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
        """`due` for arrays of county adcodes and datetime64[D] starts (NaT stays NaT): one pass per
        distinct rule, since a few rules cover thousands of counties."""
        out = np.full(starts.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        codes, where = np.unique(np.asarray(adcodes, dtype=object).astype(str), return_inverse=True)
        by_rule: dict[Rule, list[int]] = {}
        for i, code in enumerate(codes):
            by_rule.setdefault(self.rule(code, step), []).append(i)
        for rule, members in by_rule.items():
            rows = np.isin(where, members)
            out[rows] = rule.due_many(starts[rows], calendar)
        return out


def default_rule_rows() -> list[dict[str, object]]:
    """The national defaults as `deadline_rule` rows."""
    return [{"adcode": NATION, "step": step, "amount": amount, "unit": unit}
            for step, (amount, unit) in DEFAULT_RULES.items()]
