"""Headline KPIs with 环比 (vs last month) and 同比 (vs the same month last year)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from safetynet.domain.months import add_months


@dataclass(frozen=True)
class KpiSpec:
    key: str
    label: str  # Chinese; the UI translates
    kind: str  # "count" or "share"
    higher_is_bad: bool
    help: str


KPI_SPECS = (
    KpiSpec("open_files", "监测户数", "count", False, "在档及帮扶中的档案户数"),
    KpiSpec("tier_high", "高风险户", "count", True, "本月评分为高风险（含硬性触发）的户数"),
    KpiSpec("newly_high", "本月新增高风险", "count", True, "本月为高风险、上月不是高风险的户数"),
    KpiSpec("assist_cov", "帮扶覆盖率", "share", False, "已落实帮扶措施的户数 ÷ 本月纳入监测的全部户数（含消除后跟踪户；目标100%）"),
    KpiSpec("helper_cov", "结对帮扶覆盖率", "share", False, "有结对帮扶责任人的户数 ÷ 本月纳入监测的全部户数"),
    KpiSpec("eliminated", "本月风险消除", "count", False, "本月风险消除、解困或脱困的户数"),
    KpiSpec("relapsed", "本月返贫返困", "count", True, "消除后12个月内重新纳入监测的户数"),
)


@dataclass(frozen=True)
class Kpi:
    spec: KpiSpec
    value: float | None
    mom: float | None  # change vs the previous month (counts) or percentage points (shares)
    yoy: float | None


def kpi_values(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per month: each KPI's value, from roll-up sums (index month)."""
    m = monthly.set_index("month").sort_index()
    households = m["households"].where(m["households"] > 0)
    return pd.DataFrame({
        "open_files": m["open_files"],
        "tier_high": m["tier_high"],
        "newly_high": m["newly_high"],
        "assist_cov": m["assisted"] / households,
        "helper_cov": m["with_helper"] / households,
        "eliminated": m["eliminated"],
        "relapsed": m["relapsed"],
    })


def build_kpis(monthly: pd.DataFrame, month: int) -> list[Kpi]:
    values = kpi_values(monthly)

    def at(key: str, m: int) -> float | None:
        if m not in values.index:
            # an area with files but none scored that month counts zero; shares stay unknown
            kind = next(spec.kind for spec in KPI_SPECS if spec.key == key)
            return 0.0 if kind == "count" and not values.empty and values.index.min() <= m else None
        if pd.isna(values.at[m, key]):
            return None
        return float(values.at[m, key])

    out = []
    for spec in KPI_SPECS:
        now = at(spec.key, month)
        prev = at(spec.key, add_months(month, -1))
        last_year = at(spec.key, add_months(month, -12))
        out.append(Kpi(spec, now,
                       None if now is None or prev is None else now - prev,
                       None if now is None or last_year is None else now - last_year))
    return out
