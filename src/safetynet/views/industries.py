"""行业 Industries: the industry table, trends per industry and the by-region chart (pure builders).

The measures (high-risk share, arrears rate, mean income, median of r, …) and their
definitions are in safetynet.measures, computed from sums of `rollup_industry_month`.
Region-level counts (county and up) are shown as they are.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from safetynet import i18n, measures
from safetynet.domain import codes
from safetynet.filters import Filters
from safetynet.i18n import fmt_count, fmt_month, fmt_pct, t, t_text
from safetynet.views.columns import Column, ColumnSpec
from safetynet.views.figures import FONT, PALETTE, count_axis, panels_layout, share_axis
from safetynet.views.sites import GRID, colon, month_ticks, paren

MIN_FOR_RATE = 20  # without a focus, a rate line needs this many households a month on average
TOP_INDUSTRIES = 5  # lines in the trend chart besides 其他: nine lines in similar colours were a tangle
OTHER = "__other__"  # the group code of the folded rest
OTHER_INDUSTRY = "Z"  # 其他行业 is no industry of its own: it always goes into 其他
# Colours by rank, far apart (no red: red means 高风险 on every screen); the folded rest is grey.
RANK_COLOURS = (PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[4], PALETTE[5], PALETTE[6], PALETTE[7])
OTHER_COLOUR = "#9e9e9e"


def industry_names(industries: pd.DataFrame) -> dict[str, str]:
    """Industry code → its name in the UI language (from the industry table)."""
    column = "name_en" if i18n.lang() == "en" else "name_zh"
    return dict(zip(industries["code"], industries[column], strict=True))


RATES = ("high_share", "arrears_rate", "mean_income", "median_r")  # what the screen derives from the sums


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds the measures of RATES whose roll-up columns `frame` has (NaN over no households)."""
    present = [code for code in RATES if set(measures.columns(code)) <= set(frame.columns)]
    return measures.with_values(frame, present)


def category_note(filters: Filters) -> str | None:
    """The industry roll-up is kept per population: say so when one category is filtered."""
    if not filters.category:
        return None
    population = "worker" if filters.category.startswith("W") else "rural"
    return t("行业汇总按对象类型统计：本页显示“{population}”全部类别，不再细分到“{category}”。",
             population=i18n.label(codes.POPULATIONS[population]),
             category=i18n.label(codes.CATEGORIES[filters.category]))


def build_industry_table(table: pd.DataFrame, names: dict[str, str]) -> tuple[pd.DataFrame, ColumnSpec]:
    """Industries with households in the month, most households first: (frame indexed by code, column config)."""
    data = with_rates(table.loc[table["households"] > 0]).sort_values(["households", "code"], ascending=[False, True])
    table_codes = measures.codes("industries_table")
    shown = pd.DataFrame({
        "industry": data["code"].map(lambda c: names.get(c, c)),
        **{code: _table_column(data, code) for code in table_codes},
        "line_multiplier": data["line_multiplier"],
    })
    shown.index = data["code"].to_numpy()
    config = {
        "industry": Column("text", t("行业"), pinned=True),
        **{code: _column_config(measures.get(code)) for code in table_codes},
        "line_multiplier": Column(
            "number", t("标准系数"), format="%.2f",
            help=t("行业困难职工帮扶标准系数：1.0 即当地低保标准（农村监测户为防返贫监测线）")),
    }
    return shown, config


def _table_column(data: pd.DataFrame, code: str) -> pd.Series:
    kind = measures.get(code).kind
    if kind == measures.SHARE:
        return data[code] * 100
    return data[code].round(0) if kind == measures.AMOUNT else data[code]


def _column_config(spec: measures.Measure) -> Column:
    fmt = {measures.SHARE: "%.1f%%", measures.RATIO: "%.2f"}.get(spec.kind, "localized")
    return Column("number", t(spec.label), help=t(spec.help), format=fmt)


def industry_headline(table: pd.DataFrame, names: dict[str, str]) -> str | None:
    """One sentence a leader reads first: where arrears and high risk concentrate."""
    data = with_rates(table.loc[table["households"] > 0])
    if data.empty:
        return None
    parts = []
    arrears = data.sort_values(["wage_arrears", "code"], ascending=[False, True]).iloc[0]
    if arrears["wage_arrears"] > 0:
        parts.append(t("欠薪户最多的行业：**{name}**，{n}户{rate}", name=names.get(arrears["code"], arrears["code"]),
                       n=fmt_count(int(arrears["wage_arrears"])),
                       rate=paren(t("占该行业{rate}", rate=fmt_pct(arrears["arrears_rate"])))))
    big = data.loc[data["households"] >= MIN_FOR_RATE]  # a rate over a handful of households says little
    if not big.empty:
        high = big.sort_values(["high_share", "code"], ascending=[False, True]).iloc[0]
        parts.append(t("高风险户占比最高的行业（{n}户以上）：**{name}**，{rate}", n=MIN_FOR_RATE,
                       name=names.get(high["code"], high["code"]), rate=fmt_pct(high["high_share"])))
    return ("；" if i18n.lang() == "zh" else "; ").join(parts) or None


TREND_PANELS = tuple((m.code, m.label, m.kind == measures.SHARE)  # column, title (Chinese), percent axis
                     for m in measures.select("industries_trend"))


def fold_industries(monthly: pd.DataFrame, top_n: int = TOP_INDUSTRIES) -> tuple[pd.DataFrame, list[str]]:
    """The `top_n` industries with the most households over the months shown, the rest summed into OTHER.

    Returns (the roll-up sums per month and industry_code, with the rest as one OTHER row a month; the group
    codes largest first, OTHER last when there is a rest). Rates are derived after summing (`with_rates`),
    so 其他's rate is the rate over all its households. 其他行业 (Z) is always folded into OTHER.
    """
    columns = [c for c in monthly.columns if c not in ("month", "industry_code")]
    size = monthly.groupby("industry_code")["households"].sum()
    size = size[size > 0]
    ranked = sorted(size.index, key=lambda c: (-size[c], c))
    keep = [c for c in ranked if c != OTHER_INDUSTRY][:top_n]
    data = monthly.assign(industry_code=monthly["industry_code"].where(monthly["industry_code"].isin(keep), OTHER))
    folded = data.groupby(["month", "industry_code"], as_index=False)[columns].sum()
    has_rest = bool(set(size.index) - set(keep))
    if not has_rest:
        folded = folded.loc[folded["industry_code"] != OTHER]
    return folded.reset_index(drop=True), keep + ([OTHER] if has_rest else [])


def group_colours(order: list[str]) -> dict[str, str]:
    """A far-apart colour per shown industry by rank; grey for 其他."""
    ranked = [c for c in order if c != OTHER]
    return {**{c: RANK_COLOURS[i % len(RANK_COLOURS)] for i, c in enumerate(ranked)}, OTHER: OTHER_COLOUR}


def build_industry_trend_figure(monthly: pd.DataFrame, names: dict[str, str], focus: str | None = None,
                                height: int = 400, top_n: int = TOP_INDUSTRIES) -> go.Figure:
    """Three panels over months — high-risk rate, wage-arrears households, out-of-work households —
    one line per industry of the `top_n` largest and one for 其他 (the rest summed), or only the focused
    industry (with all industries' high-risk rate for reference).

    Without a focus, the rate panel leaves out groups averaging under MIN_FOR_RATE households:
    a rate over a handful of households jumps about and hides the real movements."""
    titles = [t(title) for _, title, _ in TREND_PANELS]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.06)
    months = sorted(monthly["month"].unique())
    x = [fmt_month(int(m)) for m in months]
    if focus:
        data, shown = with_rates(monthly), [focus]
        colours = {focus: PALETTE[0]}
    else:
        folded, shown = fold_industries(monthly, top_n)
        data, colours = with_rates(folded), group_colours(shown)
    label = {**names, OTHER: t("其他")}
    size = data.groupby("industry_code")["households"].sum() / max(len(months), 1)
    for code in shown:
        rows = data.loc[data["industry_code"] == code].set_index("month").reindex(months)
        for col, (column, _, percent) in enumerate(TREND_PANELS, start=1):
            if percent and not focus and size.get(code, 0) < MIN_FOR_RATE:
                continue
            values = rows[column] if percent else rows[column].fillna(0)
            number = "%{y:.1%}" if percent else "%{y:,d}"
            fig.add_trace(go.Scatter(
                x=x, y=values, name=label.get(code, code), legendgroup=code, showlegend=col == 2,
                mode="lines+markers", line={"width": 3.5 if focus else (2 if code == OTHER else 2.6),
                                            "color": colours.get(code, OTHER_COLOUR),
                                            "dash": "dot" if code == OTHER else "solid"},
                marker={"size": 5}, hovertemplate=label.get(code, code) + colon() + number + "<extra></extra>"),
                row=1, col=col)
    if focus:
        everything = with_rates(data.groupby("month")[["households", "tier_high", "wage_arrears"]].sum()
                                .reindex(months).reset_index())
        fig.add_trace(go.Scatter(x=x, y=everything["high_share"], name=t("全部行业"), mode="lines",
                                 line={"width": 2, "dash": "dash", "color": "#777"},
                                 hovertemplate=t("全部行业") + colon() + "%{y:.1%}<extra></extra>"), row=1, col=1)
    for col, (_, _, percent) in enumerate(TREND_PANELS, start=1):
        plotted = [y for trace in fig.select_traces(row=1, col=col) for y in trace.y]
        axis = share_axis(plotted) if percent else count_axis(plotted)
        fig.update_yaxes(**axis, gridcolor=GRID, row=1, col=col)
        fig.update_xaxes(type="category", tickvals=month_ticks(x, 8), tickangle=0, row=1, col=col)
    return panels_layout(fig, height, top=80, font_size=13, hovermode="x unified")


def build_region_figure(children: pd.DataFrame, industry: str, limit: int = 20, height: int = 420) -> go.Figure | None:
    """Child regions of the filtered region: wage-arrears rate and high-risk rate of one industry (or all),
    regions with the most arrears first."""
    data = with_rates(children.loc[children["households"] > 0])
    if data.empty:
        return None
    data = data.sort_values(["wage_arrears", "arrears_rate", "tier_high", "adcode"],
                            ascending=[False, False, False, True]).head(limit)
    label = data["short_name"].where(data["short_name"].notna() & (data["short_name"] != ""), data["name"])
    fig = go.Figure()
    for column, count, colour in (("arrears_rate", "wage_arrears", PALETTE[2]),
                                  ("high_share", "tier_high", codes.TIERS["高"][2])):
        name = t(measures.get(column).label)
        detail = [paren(t("{n}户/{total}户", n=fmt_count(int(n)), total=fmt_count(int(h))))
                  for n, h in zip(data[count], data["households"], strict=True)]
        fig.add_trace(go.Bar(x=label, y=data[column], name=name, marker_color=colour, customdata=detail,
                             text=[fmt_pct(v, 0) if v > 0 else "" for v in data[column]], textposition="outside",
                             cliponaxis=False,
                             hovertemplate=name + colon() + "%{y:.1%}%{customdata}<extra></extra>"))
    fig.update_yaxes(**share_axis([*data["arrears_rate"], *data["high_share"]], headroom=1.18), gridcolor=GRID)
    fig.update_xaxes(type="category", tickangle=0)
    fig.update_layout(
        title={"text": t_text("{industry}：各地区欠薪率与高风险户占比（按欠薪户数排序）", industry=industry), "x": 0.0,
               "xanchor": "left", "font": {"size": 17}},
        barmode="group", bargap=0.25 if len(data) > 6 else 0.55, height=height,
        margin={"l": 10, "r": 10, "t": 56, "b": 10},
        font={"family": FONT, "size": 14}, hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
    )
    return fig

