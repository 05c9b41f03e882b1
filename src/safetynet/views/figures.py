"""Plotly figures as pure functions of DataFrames (unit-tested without Streamlit)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from safetynet import measures
from safetynet.domain.codes import TIERS
from safetynet.i18n import fmt_month, t

PALETTE = ("#1f5fa8", "#c62828", "#ef8f00", "#2e7d32", "#6a3d9a", "#00838f", "#8d6e63", "#546e7a")
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def house_layout(fig: go.Figure, title: str, height: int, *, top: int = 50, title_size: int = 18,
                 legend_left: bool = False, hovermode: str | None = "x unified") -> go.Figure:
    """The house style of a chart: title top left, a horizontal legend above the plot (at the right, or at the
    left where a long title leaves no room), the project's font. One place, so every screen's charts agree."""
    legend = ({"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0} if legend_left
              else {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0})
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": title_size}},
        height=height, margin={"l": 10, "r": 10, "t": top, "b": 10},
        font={"family": FONT, "size": 14}, legend=legend,
    )
    if hovermode is not None:
        fig.update_layout(hovermode=hovermode)
    return fig


def panels_layout(fig: go.Figure, height: int, *, top: int, font_size: int, hovermode: str) -> go.Figure:
    """Side-by-side panels (make_subplots) sharing one legend above them: the panel titles (annotations) sit
    between the legend and the plots, so the legend goes higher than a single chart's."""
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": top, "b": 10}, font={"family": FONT, "size": font_size},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.12, "xanchor": "left", "x": 0.0},
        hovermode=hovermode,
    )
    fig.update_annotations(font={"size": 15})
    return fig


def build_trend_figure(frame: pd.DataFrame, codes: list[str], title: str, height: int = 360) -> go.Figure:
    """Lines over months, one per measure (`codes`, safetynet.measures) of a frame of monthly roll-up sums;
    the legend is each measure's label. Shares get a percent axis (do not mix them with counts)."""
    fig = go.Figure()
    x = [fmt_month(int(m)) for m in frame["month"]]
    for i, code in enumerate(codes):
        color = TIERS["高"][2] if code == "tier_high" else PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=x, y=measures.values(frame, code), name=t(measures.get(code).label),
                                 mode="lines+markers", line={"width": 3, "color": color}, marker={"size": 6}))
    percent = bool(codes) and all(measures.get(code).kind == measures.SHARE for code in codes)
    plotted = [y for trace in fig.data for y in trace.y]
    fig.update_yaxes(**(share_axis(plotted) if percent else count_axis(plotted)), gridcolor="rgba(128,128,128,0.25)")
    fig.update_xaxes(type="category", tickangle=0, tickmode="array", tickvals=month_ticks(x))
    return house_layout(fig, title, height)


MAX_MONTH_TICKS = 5  # "2026年10月" is ~85 px: five fit the half-width chart of a 1366 px laptop without touching


def month_ticks(labels: list[str]) -> list[str]:
    """Every k-th month label, counted back from the latest (always labelled), at most MAX_MONTH_TICKS."""
    step = max(1, math.ceil(len(labels) / MAX_MONTH_TICKS))
    return labels[::-1][::step][::-1]


# ---------------------------------------------------------------- axes a leader reads at a glance
COUNT_TICKS = 5  # about this many gridlines on a count axis


def count_step(span: float, ticks: int = COUNT_TICKS) -> int:
    """A whole-number tick step (1, 2, 5, 10, 20, 50, …) giving about `ticks` gridlines over `span`."""
    if not span > 0 or not math.isfinite(span):
        return 1
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return max(1, int(round(step)))


def _finite(values: Iterable[object]) -> list[float]:
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    return [float(v) for v in numbers if pd.notna(v) and math.isfinite(v)]


def count_axis(values: Iterable[object], tickformat: str = ",d") -> dict[str, object]:
    """Axis settings for counts: ticks at whole numbers from zero (never "0, 0, 0, 1, 1, 1").

    Plotly's own ticks over a range like 0–1.05 fall at 0.2, 0.4, …, which ",d" prints as repeated
    integers; a fixed whole-number step from tick0 = 0 cannot. Counts that never go below zero start
    the axis at zero; a tiny range (all zeros, or ones) gets an explicit one so the step is visible.
    """
    numbers = _finite(values)
    low, high = min([0.0, *numbers]), max([0.0, *numbers])
    step = count_step(high - low)
    axis: dict[str, object] = {"tickformat": tickformat, "tickmode": "linear", "tick0": 0, "dtick": step,
                               "rangemode": "tozero" if low >= 0 else "normal"}
    if low >= 0 and high < 1:
        axis["range"] = [0, 1]
    elif low >= 0 and high < COUNT_TICKS:
        axis["range"] = [0, high * 1.1]
    return axis


def share_axis(values: Iterable[object], tickformat: str = ".0%", headroom: float = 1.12) -> dict[str, object]:
    """Axis settings for shares (0–1): the axis starts at zero, so 94 % never looks like a collapse.

    The top leaves room above the highest value (and is 100 % once values come near it).
    """
    high = max([0.0, *_finite(values)])
    top = 1.0 if high * headroom >= 0.9 else max(high * headroom, 0.05)
    return {"tickformat": tickformat, "range": [0, max(top, high)], "rangemode": "tozero"}


# ---------------------------------------------------------------- a phone's narrow chart
PHONE_TICKS = 3  # "2026年10月" is ~85 px: three fit a 390 px phone's chart


def for_phone(fig: go.Figure, max_labels: int = PHONE_TICKS) -> go.Figure:
    """The same figure for a 390 px screen, where the desktop's labels ran into each other.

    An axis with chosen ticks (months, festival offsets) keeps at most `max_labels` of them (shared between
    panels side by side), counted back from the latest (always labelled); names under bars (provinces) are
    turned upright in a smaller type."""
    names = [key for key in fig.layout.to_plotly_json() if key.startswith("xaxis")]
    per_axis = max(1, max_labels // max(len(names), 1))  # panels side by side share the width
    for name in names:
        axis = fig.layout[name]
        if axis.nticks and axis.nticks > per_axis:
            axis.nticks = per_axis
        if axis.tickvals is not None and len(axis.tickvals) > per_axis:
            step = math.ceil(len(axis.tickvals) / per_axis)
            keep = list(range(len(axis.tickvals) - 1, -1, -step))[::-1]
            axis.tickvals = [axis.tickvals[i] for i in keep]
            if axis.ticktext is not None:
                axis.ticktext = [axis.ticktext[i] for i in keep]
        elif axis.tickangle == 0 and axis.tickvals is None and axis.nticks is None:
            axis.tickangle = -90  # names under bars stand upright, in a smaller type (20 provinces in 360 px)
            axis.tickfont.size = 10
        elif axis.tickangle == 0:
            axis.tickangle = None  # Plotly's own choice: turned to fit
    return fig
