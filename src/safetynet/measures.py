"""Measures: every number a screen shows, defined once (pure: no Streamlit, no SQL).

A measure is read from *sums* of roll-up columns — `rollup_region_month`,
`rollup_site_month` and `rollup_industry_month` carry the same columns
(pipeline.rollup.MEASURES), and a query may add a column of its own. A count is
one column; a share, ratio or amount is numerator ÷ denominator *after*
summing; the median of r comes from the summed histogram. So folding areas into
其他, adding months or taking 环比/同比 stays right, and a ratio is computed in
`values` and nowhere else (a denominator of 0 gives NaN, shown as "—").

Labels and help are Chinese, as on screen; `t()` finds their English in
i18n/en_measures.py. Each help says what is counted, over which households
and in which month. Where a screen shows measures is listed in SCREENS at the
bottom: a new measure is one entry in `_ALL` plus its code in SCREENS.

The high-risk share (and every other share of households) is divided by the
households *scored* that month (`households`): the numerator counts households
scored 高 this month, including those still followed after their risk was
eliminated, so the denominator is the same set. The open files (监测户数) are
fewer; dividing by them would mix two populations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from safetynet import i18n
from safetynet.domain import risk

COUNT, SHARE, RATIO, AMOUNT, DAYS = "count", "share", "ratio", "amount", "days"
KINDS = (COUNT, SHARE, RATIO, AMOUNT, DAYS)
R_BINS = tuple(f"r_b{i:02d}" for i in range(12))  # the r histogram of the roll-ups

# Who a measure counts (the denominator's population for shares). Chinese, as help texts name them.
POPULATIONS = {
    "scored": "本月评分户",  # a risk score this month: open files and files followed after elimination
    "open": "在档及帮扶中的档案户",
    "labour": "有劳动能力的成员",
    "migrant": "农民工家庭",
    "workers": "农民工人数",  # persons, not households
    "leads": "未办结的预警线索",
    "followed": "应回访的档案户",  # 帮扶中 (past their first help), and within 12 months of risk elimination
}


@dataclass(frozen=True)
class Measure:
    code: str  # stable: travels in URLs (?metric=high_share) and names table columns
    label: str  # Chinese; t() translates
    help: str  # Chinese definition: numerator ÷ denominator, month, population
    kind: str  # count / share (0–1) / ratio (multiples of the line) / amount (yuan) / days (working days)
    higher_is_bad: bool | None  # None: neither (a rise in files scored is no news by itself)
    numerator: str | tuple[str, ...]  # roll-up column(s) summed, or another measure's code
    denominator: str | None = None  # roll-up column or measure code; None for counts
    population: str = "scored"  # key of POPULATIONS
    median: bool = False  # the median of the numerator's histogram (R_BINS) instead of a quotient
    target: float | None = None  # the policy target: 0 (动态清零) or 1.0 (100 %)
    additive: bool = True  # False: a per-row figure (a median of days) that no sum of rows gives


_ALL = (
    # ---- households scored, files, tiers
    Measure("households", "评分户数",
            "本月有风险评分的全部户数：在档、帮扶中，以及风险消除（解困、脱困）后仍在跟踪的户。"
            "高、中、低风险户合计等于此数；各项占比和覆盖率均以此为分母",
            COUNT, None, "households"),
    Measure("open_files", "监测户数",
            "本月在档或帮扶中的档案户数（不含风险消除后仍在跟踪的户，所以少于评分户数）",
            COUNT, None, "open_files"),
    Measure("tier_high", "高风险户", "本月评分为高风险（含硬性触发）的户数，在本月评分户中统计",
            COUNT, True, "tier_high"),
    Measure("tier_mid", "中风险户", "本月评分为中风险的户数，在本月评分户中统计", COUNT, True, "tier_mid"),
    Measure("tier_low", "低风险户", "本月评分为低风险的户数，在本月评分户中统计", COUNT, None, "tier_low"),
    Measure("high_share", "高风险户占比",
            "高风险户 ÷ 本月评分户数：分子分母都是本月有评分的户（含风险消除后仍在跟踪的户）",
            SHARE, True, "tier_high", "households"),
    Measure("newly_high", "本月新增高风险", "本月为高风险、上月不是高风险（或上月未评分）的户数",
            COUNT, True, "newly_high"),
    # ---- the lifecycle
    Measure("new_ident", "本月新增认定", "本月新认定纳入监测的户数", COUNT, True, "new_ident"),
    Measure("eliminated", "本月风险消除", "本月风险消除、解困或脱困的户数", COUNT, False, "eliminated"),
    Measure("relapsed", "本月返贫返困", "消除后12个月内重新纳入监测的户数", COUNT, True, "relapsed"),
    # ---- assistance
    Measure("assist_cov", "帮扶覆盖率",
            "已落实帮扶措施的户数 ÷ 本月评分户数（含风险消除后仍在跟踪的户；目标100%）",
            SHARE, False, "assisted", "households", target=1.0),
    Measure("helper_cov", "结对帮扶覆盖率", "有结对帮扶责任人的户数 ÷ 本月评分户数",
            SHARE, False, "with_helper", "households"),
    Measure("overdue", "逾期未帮扶户",
            "在档或帮扶中、认定满1个月仍未落实任何帮扶措施的档案户数；按数据截至月判断，只有当月数值，目标动态清零",
            COUNT, True, "overdue", population="open", target=0.0),  # column: queries.overview.monthly_measures
    # ---- the work after a warning (DOMAIN §8): as of a day, from the loop's own dates (domain.progress)
    Measure("overdue_leads", "逾期线索",
            "未办结的预警线索中，当前环节（入户核实或认定决定）已超过期限的条数；期限按工作日计算，截至当日；"
            "目标动态清零",
            COUNT, True, "overdue_leads", population="leads", target=0.0),
    Measure("lead_overdue_share", "线索逾期率", "逾期线索 ÷ 截至当日未办结的预警线索",
            SHARE, True, "overdue_leads", "open_leads", population="leads"),
    Measure("overdue_visits", "逾期回访",
            "应回访的档案户（帮扶中，以及风险消除后12个月内）中，距上次回访（或纳入、消除之日）已超过回访间隔"
            "（默认每季度一次）的户数；截至当日；目标动态清零",
            COUNT, True, "overdue_visits", population="followed", target=0.0),
    Measure("visit_overdue_share", "回访逾期率", "逾期回访 ÷ 截至当日应回访的档案户",
            SHARE, True, "overdue_visits", "followed_files", population="followed"),
    Measure("decision_days", "线索认定用时",
            "截至当日的一个月内作出认定决定的线索，从接收到决定所用工作日的中位数（期限为15个工作日）",
            DAYS, True, "decision_days", population="leads", additive=False),
    Measure("plan_share", "有一户一策的档案",
            "本次纳入以来已制定一户一策（至少一项未取消的帮扶措施）的户 ÷ 截至当日在档及帮扶中的档案户",
            SHARE, False, "with_plan", "files_open", population="open", target=1.0),
    Measure("aid_share", "已落实帮扶的档案",
            "本次纳入以来已落实至少一次帮扶的户 ÷ 截至当日在档及帮扶中的档案户",
            SHARE, False, "with_aid", "files_open", population="open", target=1.0),
    # ---- income
    Measure("median_r", "收入中位数与线之比",
            "本月评分户（人均收入 − 刚性支出）÷ 适用标准（低保标准、行业帮扶标准或防返贫监测线）的中位数，"
            "由分组直方图估算；低于1倍即在标准以下",
            RATIO, False, R_BINS, median=True),
    Measure("mean_income", "户均月收入（元）", "本月评分户的家庭月收入合计 ÷ 本月评分户数",
            AMOUNT, False, "income_sum", "households"),
    # ---- work and migrant workers
    Measure("not_returned", "春节后未返岗",
            "春节后一个月仍有农民工未回到工作岗位的户数，只在春节次月统计；同比按春节对齐，与上一年春节的次月相比",
            COUNT, True, "not_returned", population="migrant"),
    Measure("out_of_work", "失业或未返岗户", "本月家中有成员失业或未返岗的户数（在全部本月评分户中统计，不限农民工家庭）",
            COUNT, True, "out_of_work"),
    Measure("wage_arrears", "欠薪户", "本月有成员被拖欠工资的户数（在全部本月评分户中统计）",
            COUNT, True, "wage_arrears"),
    Measure("arrears_rate", "欠薪率", "欠薪户 ÷ 本月评分户数", SHARE, True, "wage_arrears", "households"),
    Measure("migrant_hh", "农民工家庭", "家庭成员中有农民工的户数（本月评分户）", COUNT, None, "migrant_hh",
            population="migrant"),
    Measure("platform_uninsured", "平台/灵活就业未参保",
            "有成员从事平台或灵活就业、既无养老保险也无工伤保险的户数（在全部本月评分户中统计）",
            COUNT, True, "platform_uninsured"),
    Measure("counselling", "心理疏导转介（新生代农民工）",
            "有成员已转介心理疏导、且有1980年后出生的农民工在外务工的户数。只显示户数，不列名单。",
            COUNT, True, "counselling", population="migrant"),
    # ---- migrant workers as persons (rollup_migrant: the migrants of the households scored this month)
    Measure("migrant_workers", "农民工人数", "本月评分户家庭成员中的农民工人数", COUNT, None, "workers",
            population="workers"),
    Measure("cross_share", "跨省务工占比", "来源地与务工地不在同一省的农民工 ÷ 农民工人数",
            SHARE, None, "cross_province", "workers", population="workers"),
    Measure("in_high_share", "在高风险家庭", "所在家庭本月评分为高风险的农民工 ÷ 农民工人数",
            SHARE, True, "in_high", "workers", population="workers"),
    Measure("uninsured_share", "无养老和工伤保险",
            "养老保险和工伤保险都没有参加的农民工 ÷ 农民工人数（平台和灵活就业者最常见）",
            SHARE, True, "uninsured", "workers", population="workers"),
    # ---- relocation sites (rollup_site_month: the relocated households)
    Measure("emp_rate", "搬迁劳动力就业率", "本月已就业的成员 ÷ 有劳动能力的成员（全国2022年为94.5%）",
            SHARE, False, "employed", "labour", population="labour"),
    Measure("labour_no_job", "零就业家庭", "家中有劳动力、但本月无人就业的户数；目标动态清零",
            COUNT, True, "labour_no_job", target=0.0),
)
MEASURES: dict[str, Measure] = {m.code: m for m in _ALL}

# Where each measure is shown, in order (screen part → measure codes).
SCREENS: dict[str, tuple[str, ...]] = {
    "overview": ("households", "open_files", "tier_high", "high_share", "newly_high", "assist_cov", "overdue",
                 "helper_cov", "eliminated", "relapsed"),
    "overview_trend": ("open_files", "tier_high"),  # also the meeting screen's trend slide
    # the overview's work row and the regions' ranking (排名), as of today (domain.progress)
    "overview_work": ("overdue_leads", "lead_overdue_share", "overdue_visits", "decision_days", "plan_share",
                      "aid_share"),
    # the ranking: its 综合 (composite) is the mean place over the rates of `ranking_composite`
    "ranking": ("lead_overdue_share", "visit_overdue_share", "decision_days", "plan_share", "aid_share",
                "overdue_leads", "overdue_visits"),
    "ranking_composite": ("lead_overdue_share", "visit_overdue_share", "decision_days", "plan_share", "aid_share"),
    "meeting": ("open_files", "tier_high", "newly_high", "assist_cov", "overdue", "helper_cov", "eliminated",
                "relapsed"),
    "map": ("tier_high", "high_share", "open_files", "newly_high", "assist_cov", "median_r", "relapsed",
            "not_returned"),
    "map_table": ("open_files", "households", "tier_high", "high_share", "newly_high", "assist_cov", "median_r",
                  "relapsed", "not_returned"),
    "trends": ("open_files", "tier_high", "high_share", "new_ident", "eliminated", "relapsed", "assist_cov",
               "median_r"),
    "trends_festival": ("not_returned", "out_of_work", "wage_arrears"),
    "sites_scope": ("households", "emp_rate", "labour_no_job", "high_share", "assist_cov"),
    "sites_site": ("households", "tier_high", "emp_rate", "labour_no_job", "assist_cov"),
    "sites_table": ("households", "tier_high", "emp_rate", "labour_no_job", "assist_cov"),
    "sites_map": ("households", "high_share", "emp_rate"),
    "industries_table": ("households", "high_share", "wage_arrears", "arrears_rate", "out_of_work", "mean_income",
                         "median_r"),
    "industries_trend": ("high_share", "wage_arrears", "out_of_work"),
    "migrants": ("migrant_hh", "not_returned", "out_of_work", "wage_arrears", "platform_uninsured", "counselling"),
    "migrants_festival": ("not_returned", "out_of_work"),
    "migrants_workplace": ("migrant_workers", "in_high_share", "uninsured_share"),
}


def get(code: str) -> Measure:
    return MEASURES[code]


def select(screen: str) -> tuple[Measure, ...]:
    """The measures a screen part shows, in order."""
    return tuple(MEASURES[code] for code in SCREENS[screen])


def codes(screen: str) -> list[str]:
    return list(SCREENS[screen])


# ---------------------------------------------------------------- values
def columns(code: str) -> tuple[str, ...]:
    """The roll-up (or query) columns a measure reads."""
    m = MEASURES[code]
    out: list[str] = []
    for part in (m.numerator, m.denominator):
        names = part if isinstance(part, tuple) else (part,) if part else ()
        for name in names:
            deeper = columns(name) if name in MEASURES and name != code else (name,)
            out.extend(c for c in deeper if c not in out)
    return tuple(out)


def _operand(frame: pd.DataFrame, name: str | tuple[str, ...], code: str) -> pd.Series:
    if isinstance(name, tuple):
        return frame[list(name)].astype(float).sum(axis=1, min_count=1)
    if name in frame.columns:
        return frame[name].astype(float)
    if name in MEASURES and name != code:
        return values(frame, name)
    raise KeyError(f"measure {code!r} needs column {name!r}, which the frame does not have")


def values(frame: pd.DataFrame, code: str, min_denominator: float = 0.0) -> pd.Series:
    """The measure row by row from summed roll-up columns (float; NaN where undefined).

    A quotient is NaN where its denominator is 0 — or below `min_denominator` (the
    sites' small-cell rule: no rate over fewer than five households)."""
    m = MEASURES[code]
    if m.median:
        bins = frame[list(m.numerator)].to_numpy(dtype=float)
        return pd.Series([risk.median_from_bins(row) for row in bins], index=frame.index, dtype=float)
    numerator = _operand(frame, m.numerator, code)
    if m.denominator is None:
        return numerator
    denominator = _operand(frame, m.denominator, code)
    usable = (denominator > 0) & (denominator >= min_denominator)
    return (numerator / denominator.where(usable)).astype(float)


def table(frame: pd.DataFrame, codes_: Iterable[str], min_denominator: float = 0.0) -> pd.DataFrame:
    """One column per measure, same index as `frame`."""
    return pd.DataFrame({code: values(frame, code, min_denominator) for code in codes_}, index=frame.index)


def with_values(frame: pd.DataFrame, codes_: Iterable[str], min_denominator: float = 0.0) -> pd.DataFrame:
    """`frame` with a column per measure added (named by its code; a column of that name is replaced)."""
    out = frame.copy()
    for code in codes_:
        out[code] = values(frame, code, min_denominator)
    return out


def total(frame: pd.DataFrame, code: str, min_denominator: float = 0.0) -> float | None:
    """The measure over all rows of `frame` (summed first, so a share stays a ratio of sums); None if undefined."""
    if not MEASURES[code].additive:
        raise ValueError(f"measure {code!r} is not a sum of rows: compute it over the whole set")
    if frame.empty:
        return None
    summed = frame[list(columns(code))].sum(min_count=1).to_frame().T
    value = values(summed, code, min_denominator).iloc[0]
    return None if pd.isna(value) else float(value)


def monthly(frame: pd.DataFrame, codes_: Iterable[str]) -> pd.DataFrame:
    """Per month (index, ascending): each measure, from a frame of summed roll-ups with a `month` column."""
    by_month = frame.set_index("month").sort_index()
    return table(by_month, codes_)


# ---------------------------------------------------------------- text
def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def times_unit() -> str:
    """倍 in Chinese, × in English (multiples of the line)."""
    return "倍" if i18n.lang() == "zh" else "×"


def days_unit() -> str:
    return "个工作日" if i18n.lang() == "zh" else " working days"


def points_unit() -> str:
    return "个百分点" if i18n.lang() == "zh" else " pp"


def format_value(value: float | None, kind: str) -> str:
    """A value as people read it: 1.2万 / 12.5% / 1.35倍 / ¥3,200; "—" where undefined."""
    if _missing(value):
        return "—"
    if kind == SHARE:
        return i18n.fmt_pct(value)
    if kind == RATIO:
        return f"{value:.2f}{times_unit()}"
    if kind == AMOUNT:
        return i18n.fmt_money(value)
    if kind == DAYS:
        return f"{value:.1f}{days_unit()}"
    return i18n.fmt_count(value)


def format_delta(delta: float | None, kind: str) -> str | None:
    """A 环比/同比 difference for a KPI card: "+12", "-3", "+1.5个百分点"; "0" when nothing changed
    (Streamlit draws "0" grey, without an arrow); None when there is nothing to compare."""
    if _missing(delta):
        return None
    assert delta is not None  # not missing: a number
    scaled = delta * 100 if kind == SHARE else delta
    if round(scaled, 1 if kind in (SHARE, RATIO, DAYS) else 0) == 0:
        return "0"
    if kind == SHARE:
        return f"{scaled:+.1f}{points_unit()}"
    if kind == RATIO:
        return f"{delta:+.2f}{times_unit()}"
    if kind == DAYS:
        return f"{delta:+.1f}{days_unit()}"
    return f"{delta:+,.0f}"


def is_worse(delta: float | None, measure: Measure) -> bool:
    """Whether a change is bad news (a rise of a higher-is-bad measure, a fall of a higher-is-good one)."""
    if _missing(delta) or delta == 0 or measure.higher_is_bad is None:
        return False
    assert delta is not None  # not missing: a number
    return (delta > 0) == measure.higher_is_bad


def delta_colour(measure: Measure) -> str:
    """st.metric's delta_color: red for bad news, green for good, grey where a change is neither."""
    if measure.higher_is_bad is None:
        return "off"
    return "inverse" if measure.higher_is_bad else "normal"


def change_colour(measure: Measure, change: float | None) -> str:
    """The colour of a change shown as a badge (同比): red for bad news, green for good, grey otherwise —
    the same meaning as `delta_colour` gives st.metric's own 环比."""
    if measure.higher_is_bad is None or format_delta(change, measure.kind) in (None, "0"):
        return "gray"  # a change too small to show ("0") is no news either way
    return "red" if is_worse(change, measure) else "green"


def alarm(measure: Measure, value: float | None) -> bool:
    """A measure whose target is 0 (动态清零) above 0: shown in red whatever its trend."""
    return measure.target == 0 and value is not None and not _missing(value) and value > 0


def population_label(measure: Measure) -> str:
    return POPULATIONS[measure.population]


def finite(values_: Iterable[float]) -> list[float]:
    """The finite values (a sparkline of a measure skips months without a figure)."""
    return [float(v) for v in values_ if v is not None and np.isfinite(v)]
