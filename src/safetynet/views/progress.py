"""The leaders' view of the work after a warning: a KPI row as of today and a ranking of regions (排名).

Both read domain.progress's rows; what each figure means is in safetynet.measures (SCREENS "overview_work"
and "ranking"). The KPI row reuses views.kpi: the as-of days (today and the same day of each earlier month)
are keyed by their month, so 环比 compares with a month ago and 同比 with a year ago, as on the other cards.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from safetynet import measures
from safetynet.i18n import t, t_text
from safetynet.measures import Measure
from safetynet.views import kpi
from safetynet.views.columns import Column, ColumnSpec
from safetynet.views.maps import AREA_HEADERS

WORK_SPECS = measures.select("overview_work")
RANKING_CODES = measures.codes("ranking")


def month_key(day: dt.date) -> int:
    return day.year * 100 + day.month


def by_month(totals: pd.DataFrame) -> pd.DataFrame:
    """domain.progress rows over the whole area (one per as-of day) as kpi.build_kpis reads them."""
    return totals.assign(month=[month_key(d) for d in totals["as_of"]]).drop(columns="as_of")


def work_kpis(totals: pd.DataFrame, today: dt.date) -> tuple[list[kpi.Kpi], pd.DataFrame]:
    """The work KPI cards as of `today` (环比: a month ago, 同比: a year ago) and their 12-month sparklines."""
    frame = by_month(totals)
    return kpi.build_kpis(frame, month_key(today), WORK_SPECS), kpi.kpi_values(frame, WORK_SPECS)


COMPOSITE = "composite"  # 综合: the mean place over the rates of SCREENS["ranking_composite"]
COMPOSITE_CODES = measures.codes("ranking_composite")
RANK_BY = (COMPOSITE, *RANKING_CODES)


def rank_by_label(code: str) -> str:
    return t_text("综合") if code == COMPOSITE else t_text(measures.get(code).label)


def _places(values: pd.Series, spec: Measure) -> pd.Series:
    """1 = best: the lowest value of a higher-is-bad measure, the highest of a higher-is-good one; regions
    without a figure get no place (ties share the better place)."""
    return values.rank(method="min", ascending=bool(spec.higher_is_bad), na_option="keep")


# Small cells: a rate over fewer than MIN_BASE leads or files is shown (marked) but not ranked — one overdue
# lead of one would rank a quiet county last on 100 %, one of two on 50 %.
MIN_BASE = 5
_MEDIAN_BASE = {"decision_days": "decided_leads"}  # a median's base is the count it is the median of


def base_of(rows: pd.DataFrame, code: str) -> pd.Series | None:
    """How many leads or files a rate of `rows` rests on (None for a count, which has no base)."""
    spec = measures.get(code)
    column = _MEDIAN_BASE.get(code) or (spec.denominator if spec.kind != measures.COUNT else None)
    return pd.to_numeric(rows[column]) if column in rows else None


def rankable(rows: pd.DataFrame, code: str) -> pd.Series:
    """The values of `code` that take part in a ranking: NaN where the base is below MIN_BASE."""
    values = measures.values(rows, code)
    base = base_of(rows, code)
    return values if base is None else values.where(base.to_numpy() >= MIN_BASE)


def ranks(rows: pd.DataFrame, code: str) -> pd.Series:
    """Each region's rank by `code` (rows: domain.progress columns, one row per region). 综合 ranks the
    mean of a region's places in the composite's rates, over the rates it has a figure for; a rate over
    fewer than MIN_BASE leads or files gives no place."""
    if code != COMPOSITE:
        return _places(rankable(rows, code), measures.get(code))
    places = pd.DataFrame({c: _places(rankable(rows, c), measures.get(c)) for c in COMPOSITE_CODES},
                          index=rows.index)
    return places.mean(axis=1, skipna=True).rank(method="min", ascending=True, na_option="keep")


def change_text(rank_now: float, rank_before: float) -> str:
    """▲2 (up two places), ▼1, 持平, or — where either day has no rank."""
    if pd.isna(rank_now) or pd.isna(rank_before):
        return "—"
    moved = int(rank_before - rank_now)
    if moved > 0:
        return f"▲{moved}"
    if moved < 0:
        return f"▼{-moved}"
    return t_text("持平")


def ranking(children: pd.DataFrame, names: pd.Series, code: str, today: dt.date, before: dt.date) -> pd.DataFrame:
    """One row per child region, best first: its rank by `code` today, the change since `before`, and every
    ranking measure today as people read it (12.5% / 8.0个工作日 / 1,024; "—" where undefined).
    `names` maps adcode → name; the index is the adcode."""
    now = children[children["as_of"] == today].set_index("group")
    then = children[children["as_of"] == before].set_index("group")
    rank_now = ranks(now, code)
    rank_before = ranks(then, code).reindex(rank_now.index)
    out = pd.DataFrame(index=now.index)
    out["rank"] = rank_now.astype("Int64")
    out["name"] = [names.get(a, a) for a in out.index]  # place names stay as they are
    out["change"] = [change_text(a, b) for a, b in zip(rank_now, rank_before, strict=True)]
    for column in RANKING_CODES:
        spec = measures.get(column)
        base = base_of(now, column)
        few = (base < MIN_BASE).to_numpy() if base is not None else [False] * len(now)
        out[column] = [measures.format_value(v, spec.kind) + (SMALL_MARK if small and pd.notna(v) else "")
                       for v, small in zip(measures.values(now, column), few, strict=True)]
    out.index.name = "adcode"
    return out.sort_values(["rank", "name"], na_position="last", kind="stable")


SMALL_MARK = " *"


def small_cells_note() -> str:
    return t("带 * 的数值基数不足{n}条线索或{n}户：只列出，不参与排名。", n=MIN_BASE)


def ranking_config(code: str, child_level: int) -> ColumnSpec:
    rank_help = (t("综合：按{n}项比率各自排名后取平均名次，再排序", n=len(COMPOSITE_CODES)) if code == COMPOSITE
                 else t("按所选指标排名，1为最好"))
    return {
        "rank": Column("number", t("排名"), format="%d", help=rank_help),
        "name": Column("text", t(AREA_HEADERS.get(child_level, "地区"))),
        "change": Column("text", t("较上月"), help=t("与一个月前同一天的排名相比：▲上升，▼下降")),
        **{c: Column("text", t(measures.get(c).label), help=t(measures.get(c).help))
           for c in RANKING_CODES},
    }
