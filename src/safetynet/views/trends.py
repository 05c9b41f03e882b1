"""Trend figures and tables as pure functions of roll-up frames (unit-tested without Streamlit).

Input frames hold *summed* roll-up measures per month (and group); every
series value is derived after summing — shares as ratios of sums, the median
of r from the summed histogram — so folding small areas into 其他 and
month-on-month or year-on-year differences stay correct.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from safetynet import i18n, measures
from safetynet.domain import codes
from safetynet.domain.codes import TIERS
from safetynet.domain.months import SPRING_FESTIVAL, add_months, festival_month, month_range, months_between
from safetynet.i18n import fmt_month, t
from safetynet.measures import Measure, format_value, times_unit
from safetynet.views.columns import Column, ColumnSpec
from safetynet.views.figures import PALETTE, count_axis, house_layout, share_axis

# The measures the screen plots (definitions: safetynet.measures); codes travel in ?series= and ?migrant=.
SERIES: dict[str, Measure] = {m.code: m for m in measures.select("trends")}
MIGRANT_SERIES: dict[str, Measure] = {m.code: m for m in measures.select("trends_festival")}
SPLITS = {"none": "不拆分", "region": "按地区", "industry": "按行业", "category": "按类别"}
SPLIT_HEADERS = {"none": "指标名称", "region": "地区名称", "industry": "行业名称", "category": "类别"}
VIEWS = {"values": "当月数值", "mom": "环比", "yoy": "同比"}
TOP_N = 8
TOP_INDUSTRIES = 5  # split by industry: the largest five and 其他 (as on the industries screen)
OTHER_INDUSTRY = "Z"
OTHER_COLOUR = "#9e9e9e"
GROUP_PALETTE = (*PALETTE, "#d81b60", "#7cb342", "#3949ab")  # up to 8 areas + 其他, or 9 industries, distinct
MEASURE_COLUMNS_EXCLUDED = ("month", "group_code", "name_zh", "name_en", "group")


# ---------------------------------------------------------------- series
def group_label(row: pd.Series, split: str, series_label: str) -> str:
    if split == "none":
        return series_label
    if split == "category":
        return i18n.label(codes.CATEGORIES.get(row["group_code"], row["group_code"]))
    if split == "industry":
        return str(row["name_en"] if i18n.lang() == "en" else row["name_zh"])
    return str(row["name_zh"])


def fold_groups(raw: pd.DataFrame, code: str, split: str, top_n: int = TOP_N) -> pd.DataFrame:
    """Label the groups and, when split by area, keep the `top_n` largest and sum the rest into 其他地区
    (split by industry: the TOP_INDUSTRIES largest, the rest and 其他行业 summed into 其他).

    Size = the measure summed over the last 12 months for counts; households for
    shares and ratios (a share of a handful of households says little). Returns
    month, group (label) and the summed measures; groups ordered largest first.
    """
    spec = {**SERIES, **MIGRANT_SERIES}[code]
    frame = raw.copy()
    frame["group"] = [group_label(row, split, t(spec.label)) for _, row in frame.iterrows()]
    columns = [c for c in frame.columns if c not in MEASURE_COLUMNS_EXCLUDED]
    size_col = code if spec.kind == "count" else "households"
    recent = frame[frame["month"] > (frame["month"].max() if not frame.empty else 0) - 100]  # last 12 months
    size = recent.groupby("group")[size_col].sum().sort_values(ascending=False, kind="stable")
    order = list(size.index)
    if split == "region" and len(order) > top_n + 1:
        keep, other = order[:top_n], t("其他地区")
        frame["group"] = frame["group"].where(frame["group"].isin(keep), other)
        order = keep + [other]
    elif split == "industry" and len(order) > TOP_INDUSTRIES + 1:  # nine industry lines were a tangle
        misc = set(frame.loc[frame["group_code"] == OTHER_INDUSTRY, "group"])  # 其他行业 is no industry of its own
        keep, other = [g for g in order if g not in misc][:TOP_INDUSTRIES], t("其他")
        frame["group"] = frame["group"].where(frame["group"].isin(keep), other)
        order = keep + [other]
    summed = frame.groupby(["group", "month"], as_index=False)[columns].sum()
    summed["group"] = pd.Categorical(summed["group"], categories=order, ordered=True)
    return summed.sort_values(["group", "month"]).reset_index(drop=True)


def series_wide(raw: pd.DataFrame, code: str, split: str, top_n: int = TOP_N) -> pd.DataFrame:
    """Index = every month from first to last, one column per group, values = the series.

    A month without a roll-up row counts as zero households (counts 0, shares undefined).
    """
    if raw.empty:
        return pd.DataFrame(dtype=float)
    folded = fold_groups(raw, code, split, top_n)
    groups = list(folded["group"].cat.categories)
    months = month_range(int(folded["month"].min()), int(folded["month"].max()))
    full = pd.MultiIndex.from_product([groups, months], names=["group", "month"])
    summed = folded.drop(columns=["group", "month"]).set_axis(
        pd.MultiIndex.from_arrays([folded["group"].astype(str), folded["month"]]), axis=0)
    summed = summed.reindex(full, fill_value=0)
    values = measures.values(summed, code)
    wide = values.unstack("group")[groups]
    wide.columns.name = None
    return wide.astype(float)


def apply_view(wide: pd.DataFrame, view: str) -> pd.DataFrame:
    """values as they are; mom = change vs the previous month; yoy = change vs 12 months earlier."""
    if view == "mom":
        return wide - wide.shift(1)
    if view == "yoy":
        return wide - wide.shift(12)
    return wide


# ---------------------------------------------------------------- formatting
def format_change(delta: float | None, kind: str) -> str:
    """+12 / −1.2万 / +1.5个百分点 / +0.05倍."""
    if delta is None or (isinstance(delta, float) and np.isnan(delta)):
        return "—"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    size = abs(delta)
    if kind == "share":
        return sign + f"{size * 100:.1f}" + (t("个百分点") if i18n.lang() == "zh" else " pp")
    if kind == "ratio":
        return sign + f"{size:.2f}" + times_unit()
    return sign + i18n.fmt_count(size)


def _display(values: pd.Series, kind: str, view: str) -> tuple[pd.Series, list[str]]:
    """What is plotted (shares of changes in percentage points) and the hover text."""
    if view == "values":
        return values, [format_value(v, kind) for v in values]
    plotted = values * 100 if kind == "share" else values
    return plotted, [format_change(v, kind) for v in values]


def _axis(fig: go.Figure, kind: str, view: str) -> None:
    grid = "rgba(128,128,128,0.25)"
    plotted = [y for trace in fig.data for y in trace.y]
    if view == "values":
        if kind == "count":
            fig.update_yaxes(**count_axis(plotted), gridcolor=grid)
        elif kind == "share":
            fig.update_yaxes(**share_axis(plotted), gridcolor=grid)
        else:
            fig.update_yaxes(tickformat=".2f", rangemode="tozero", gridcolor=grid, ticksuffix=times_unit())
        if kind == "ratio":  # the line itself: below 1 means below the 低保 standard / monitoring line
            fig.add_hline(y=1.0, line={"color": TIERS["高"][2], "dash": "dash", "width": 1.5},
                          annotation_text=t("线（1倍）"), annotation_position="bottom right")
    else:
        suffix = {"share": t("个百分点"), "ratio": times_unit(), "count": ""}[kind]
        steps = count_axis(plotted, "+,d") if kind == "count" else {"tickformat": "+.1f"}  # whole households
        fig.update_yaxes(**steps, ticksuffix=" " + suffix if suffix else "",
                         zeroline=True, zerolinecolor="rgba(90,90,90,0.8)", zerolinewidth=1.5, gridcolor=grid)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return house_layout(fig, title, height, top=80, legend_left=True)  # a title with its subtitle line


def series_title(spec: Measure, view: str, split: str, where: str) -> str:
    parts = [where, t(spec.label)]
    if split != "none":
        parts.append(t(SPLITS[split]))
    if view != "values":
        parts.append(t({"mom": "环比变化（较上月）", "yoy": "同比变化（较去年同月）"}[view]))
    return " · ".join(parts)


def _colour(i: int, column: str, code: str, n: int) -> str:
    if column in (t("其他地区"), t("其他")):
        return OTHER_COLOUR
    if n == 1 and code in ("tier_high", "high_share", "relapsed"):
        return TIERS["高"][2]
    return GROUP_PALETTE[i % len(GROUP_PALETTE)]


def build_series_figure(wide: pd.DataFrame, code: str, view: str, title: str, height: int = 460) -> go.Figure:
    """Monthly lines (one per group); a single series' changes are bars, red where things got worse."""
    spec = SERIES.get(code) or MIGRANT_SERIES[code]
    data = apply_view(wide, view)
    if view != "values":  # drop the leading months that have nothing to compare with
        data = data.loc[data.notna().any(axis=1).cummax()]
    x = [fmt_month(int(m)) for m in data.index]
    fig = go.Figure()
    single = len(data.columns) == 1
    for i, column in enumerate(data.columns):
        shown, text = _display(data[column], spec.kind, view)
        colour = _colour(i, column, code, len(data.columns))
        hover = "%{x}<br>" + ("" if single else f"{column}：") + "%{customdata}<extra></extra>"
        if view != "values" and single:
            colours = [TIERS["高"][2] if measures.is_worse(v, spec) else PALETTE[0] for v in shown]
            fig.add_trace(go.Bar(x=x, y=shown, name=str(column), marker={"color": colours},
                                 customdata=text, hovertemplate=hover))
        else:
            fig.add_trace(go.Scatter(x=x, y=shown, name=str(column), mode="lines+markers", customdata=text,
                                     hovertemplate=hover, line={"width": 3 if single else 2.2, "color": colour},
                                     marker={"size": 6 if single else 4}))
    fig.update_xaxes(type="category", tickangle=0, nticks=12)
    _axis(fig, spec.kind, view)
    fig.update_layout(showlegend=not single)
    if single and view == "values" and len(x):  # the number a leader reads out: the latest month's value
        fig.add_annotation(x=x[-1], y=float(shown.iloc[-1]), text=f"<b>{text[-1]}</b>", showarrow=False,
                           xanchor="right", yanchor="bottom", yshift=8, font={"size": 16})
    summary = series_summary(wide, code) if single else None
    subtitle = f'<br><span style="font-size:15px;font-weight:normal">{summary}</span>' if summary else ""
    return _layout(fig, title + subtitle, height)


def series_summary(wide: pd.DataFrame, code: str) -> str | None:
    """2026年10月：397 · 环比 +10 · 同比 +135 — the latest month of a single series in one line."""
    if wide.empty or len(wide.columns) != 1:
        return None
    row = latest_table(wide, code).iloc[0]
    return f"{fmt_month(int(wide.index[-1]))}：{row['latest']} · {t('环比')} {row['mom']} · {t('同比')} {row['yoy']}"


def latest_table(wide: pd.DataFrame, code: str) -> pd.DataFrame:
    """Per group: the latest month's value, its 环比 and 同比 (formatted) and the last 12 months."""
    spec = SERIES.get(code) or MIGRANT_SERIES[code]
    if wide.empty:
        return pd.DataFrame(columns=["group", "latest", "mom", "yoy", "spark"])
    last = wide.index[-1]
    mom, yoy = apply_view(wide, "mom"), apply_view(wide, "yoy")
    rows = []
    for column in wide.columns:
        spark = wide[column].tail(12)
        rows.append({
            "group": str(column),
            "latest": format_value(wide.at[last, column], spec.kind),
            "mom": format_change(mom.at[last, column], spec.kind),
            "yoy": format_change(yoy.at[last, column], spec.kind),
            "spark": [None if pd.isna(v) else float(v) for v in spark],
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- Spring Festival alignment
def festival_align(monthly: pd.DataFrame, code: str, before: int = 2, after: int = 4,
                   min_points: int = 4) -> pd.DataFrame:
    """Each month placed by its distance from that season's Spring Festival month.

    Returns festival_year, offset (−before … +after; 0 = the month that holds
    the festival), month and value. Windows of consecutive years cannot overlap
    (festival months are 11–13 months apart, windows 7 months wide). Years with
    fewer than `min_points` months in the data are left out.
    """
    rows = []
    values = monthly.set_index("month")[code] if not monthly.empty else pd.Series(dtype=float)
    for year in sorted(SPRING_FESTIVAL):
        anchor = festival_month(year)
        for month, value in values.items():
            offset = months_between(anchor, int(month))
            if -before <= offset <= after:
                rows.append({"festival_year": year, "offset": offset, "month": int(month), "value": float(value)})
    aligned = pd.DataFrame(rows, columns=["festival_year", "offset", "month", "value"])
    counts = aligned.groupby("festival_year")["offset"].transform("size")
    return aligned[counts >= min_points].sort_values(["festival_year", "offset"]).reset_index(drop=True)


def offset_label(offset: int) -> str:
    """春节当月 / 节前2个月 / 节后1个月 (tick labels; by language here, not catalogue keys)."""
    zh = i18n.lang() == "zh"
    if offset == 0:
        return "春节当月" if zh else "Festival month"
    if offset < 0:
        return f"节前{-offset}个月" if zh else f"{-offset} mo. before"
    return f"节后{offset}个月" if zh else f"{offset} mo. after"


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if i18n.lang() == "zh" else f"{day.day} {day:%b %Y}"


def festival_year_label(year: int) -> str:
    day = SPRING_FESTIVAL[year]
    if i18n.lang() == "en":
        return f"{year} (festival {day.strftime('%b')} {day.day})"
    return f"{year}年（春节{day.month}月{day.day}日）"


def build_festival_figure(aligned: pd.DataFrame, code: str, title: str, height: int = 420) -> go.Figure:
    """One line per festival year over months before/after the festival; the latest year stands out."""
    spec = MIGRANT_SERIES.get(code) or SERIES[code]
    fig = go.Figure()
    years = sorted(aligned["festival_year"].unique())
    older = ("#90a4ae", "#ef8f00", "#6a3d9a", "#8d6e63")
    for i, year in enumerate(years):
        part = aligned[aligned["festival_year"] == year]
        latest = year == years[-1]
        colour = PALETTE[0] if latest else older[(len(years) - 2 - i) % len(older)]
        text = [f"{fmt_month(int(m))}：{format_value(v, spec.kind)}"
                for m, v in zip(part["month"], part["value"], strict=True)]
        fig.add_trace(go.Scatter(
            x=part["offset"], y=part["value"], name=festival_year_label(int(year)), mode="lines+markers",
            customdata=text, hovertemplate="%{customdata}<extra>" + festival_year_label(int(year)) + "</extra>",
            line={"width": 3.5 if latest else 2, "color": colour, "dash": "solid" if latest else "dot"},
            marker={"size": 8 if latest else 6}))
    offsets = list(range(int(aligned["offset"].min()), int(aligned["offset"].max()) + 1)) if not aligned.empty else []
    fig.update_xaxes(tickmode="array", tickvals=offsets, ticktext=[offset_label(o) for o in offsets],
                     title={"text": t("春节前后月份")})
    fig.add_vline(x=0, line={"color": "rgba(90,90,90,0.6)", "dash": "dash", "width": 1})
    axis = share_axis(aligned["value"]) if spec.kind == "share" else count_axis(aligned["value"])
    fig.update_yaxes(**axis, gridcolor="rgba(128,128,128,0.25)", title={"text": t("户数")})
    _layout(fig, title, height)
    fig.update_layout(hovermode="closest")
    return fig


@dataclass(frozen=True)
class FestivalContrast:
    """The same return month compared by calendar and by festival, for the explanation."""

    year: int
    offset: int
    aligned_now: tuple[int, float]  # (month, value) this season
    aligned_before: tuple[int, float]  # same offset, previous season
    calendar_before: tuple[int, float]  # same calendar month a year earlier


def festival_contrast(monthly: pd.DataFrame, code: str, offset: int = 1) -> FestivalContrast | None:
    """The latest season whose `offset` month falls in a different calendar month than the
    season before (the case where a calendar 同比 misleads); None when there is none."""
    values = monthly.set_index("month")[code] if not monthly.empty else pd.Series(dtype=float)
    for year in sorted(SPRING_FESTIVAL, reverse=True):
        if year - 1 not in SPRING_FESTIVAL:
            continue
        now = add_months(festival_month(year), offset)
        before = add_months(festival_month(year - 1), offset)
        calendar = now - 100
        if now in values.index and before in values.index and calendar in values.index and before != calendar:
            return FestivalContrast(year, offset, (now, float(values[now])), (before, float(values[before])),
                                    (calendar, float(values[calendar])))
    return None



def festival_explanation(aligned: pd.DataFrame, contrast: FestivalContrast | None, code: str) -> str:
    """Why calendar months mislead here, with this data's own example when there is one (Markdown)."""
    spec = MIGRANT_SERIES.get(code) or SERIES[code]
    years = sorted(aligned["festival_year"].unique()) if not aligned.empty else sorted(SPRING_FESTIVAL)[-2:]
    dates = ("、" if i18n.lang() == "zh" else ", ").join(_day(SPRING_FESTIVAL[int(y)]) for y in years)
    text = t("春节日期每年不同（{dates}），返乡和返岗的月份也随之移动。按日历月做同比，常常是拿一年的节后和另一年的节前相比。"
             "上图按春节所在月对齐：横轴同一位置都是“节后第几个月”，才是同口径比较。", dates=dates)
    if contrast is None:
        return text
    (now_m, now_v), (before_m, before_v), (cal_m, cal_v) = (contrast.aligned_now, contrast.aligned_before,
                                                            contrast.calendar_before)
    example = t("例：{now}（节后第{n}个月）{label}{v_now}户。按日历同比对照{cal}（{v_cal}户），变化{d_cal}；"
                "按春节对齐应对照{before}（{v_before}户），变化{d_before}。",
                now=fmt_month(now_m), n=contrast.offset, label=t(spec.label), v_now=i18n.fmt_count(now_v),
                cal=fmt_month(cal_m), v_cal=i18n.fmt_count(cal_v), d_cal=format_change(now_v - cal_v, "count"),
                before=fmt_month(before_m), v_before=i18n.fmt_count(before_v),
                d_before=format_change(now_v - before_v, "count"))
    return text + "\n\n" + example


def latest_table_config(month: int, group_header: str) -> ColumnSpec:
    """Column configuration for `latest_table` (headers in the UI language)."""
    return {
        "group": Column("text", group_header),
        "latest": Column("text", fmt_month(month)),
        "mom": Column("text", t("环比")),
        "yoy": Column("text", t("同比")),
        "spark": Column("line_chart", t("近12个月")),
    }
