"""Headline KPIs with 环比 (vs last month) and 同比 (vs the same month last year).

Which measures a KPI row shows, and what each means, is in safetynet.measures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from safetynet import measures
from safetynet.domain.months import add_months
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
