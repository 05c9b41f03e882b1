"""Headline KPIs with 环比 (vs last month) and 同比 (vs the same month last year).

Which measures a KPI row shows, and what each means, is in safetynet.measures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from safetynet import measures
from safetynet.domain.months import add_months
from safetynet.i18n import t
from safetynet.measures import Measure

KPI_SPECS = measures.select("overview")  # the overview's row; the meeting screen has its own selection


@dataclass(frozen=True)
class Kpi:
    spec: Measure
    value: float | None
    mom: float | None  # change vs the previous month (counts) or percentage points (shares)
    yoy: float | None
    label: str | None = None  # what the card says when it differs from the measure's label (Chinese)

    @property
    def title(self) -> str:
        return self.label or self.spec.label


def kpi_values(monthly: pd.DataFrame, specs: tuple[Measure, ...] = KPI_SPECS) -> pd.DataFrame:
    """Per month (index): each KPI's value, from roll-up sums."""
    return measures.monthly(monthly, [spec.code for spec in specs])


def build_kpis(monthly: pd.DataFrame, month: int, specs: tuple[Measure, ...] = KPI_SPECS) -> list[Kpi]:
    values = kpi_values(monthly, specs)

    def at(spec: Measure, m: int) -> float | None:
        if m not in values.index:
            # an area with files but none scored that month counts zero; shares stay unknown
            known = not values.empty and values.index.min() <= m
            return 0.0 if spec.kind == measures.COUNT and known else None
        value = values.at[m, spec.code]
        return None if pd.isna(value) else float(value)

    out = []
    for spec in specs:
        now = at(spec, month)
        prev = at(spec, add_months(month, -1))
        last_year = at(spec, add_months(month, -12))
        out.append(Kpi(spec, now,
                       None if now is None or prev is None else now - prev,
                       None if now is None or last_year is None else now - last_year))
    return out


POPULATION_CODES = ("households", "tier_high", "tier_mid", "tier_low", "open_files")


def population_statement(monthly: pd.DataFrame, month: int) -> str | None:
    """Which households the overview's numbers count, with the month's own figures: the tiers add up to the
    households scored, of which the open files (监测户数) are a part; the rest are followed after their risk
    was eliminated. None without a score that month."""
    values = measures.monthly(monthly, list(POPULATION_CODES))
    if month not in values.index or not values.at[month, "households"]:
        return None
    n = {code: measures.format_value(values.at[month, code], measures.COUNT) for code in POPULATION_CODES}
    followed = measures.format_value(values.at[month, "households"] - values.at[month, "open_files"], measures.COUNT)
    return t("统计口径：本月评分户 {households} 户 = 高风险 {tier_high} + 中风险 {tier_mid} + 低风险 {tier_low}。"
             "其中在档及帮扶中的档案户（监测户数）{open_files} 户；其余 {followed} 户是风险消除（解困、脱困）后"
             "仍在跟踪的户，评为高风险即返贫预警。各项占比和覆盖率以评分户为分母。", followed=followed, **n)
