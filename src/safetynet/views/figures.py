"""Plotly figures as pure functions of DataFrames (unit-tested without Streamlit)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from safetynet import measures
from safetynet.domain.codes import TIERS
from safetynet.i18n import fmt_month, t

PALETTE = ("#1f5fa8", "#c62828", "#ef8f00", "#2e7d32", "#6a3d9a", "#00838f", "#8d6e63", "#546e7a")
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 18}},
        height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"family": FONT, "size": 14},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        hovermode="x unified",
    )
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
    fig.update_yaxes(rangemode="tozero", tickformat=".0%" if percent else ",d", gridcolor="rgba(128,128,128,0.25)")
    fig.update_xaxes(type="category", tickangle=0, tickmode="array", tickvals=month_ticks(x))
    return _layout(fig, title, height)


MAX_MONTH_TICKS = 5  # "2026年10月" is ~85 px: five fit the half-width chart of a 1366 px laptop without touching


def month_ticks(labels: list[str]) -> list[str]:
    """Every k-th month label, counted back from the latest (always labelled), at most MAX_MONTH_TICKS."""
    step = max(1, math.ceil(len(labels) / MAX_MONTH_TICKS))
    return labels[::-1][::step][::-1]
