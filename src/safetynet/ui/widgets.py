"""Small Streamlit renderers shared by pages."""

from __future__ import annotations

import html
import math
from typing import Literal, cast

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig
from streamlit.elements.metric import DeltaColor

from safetynet import i18n, measures
from safetynet.i18n import t
from safetynet.ui import frame
from safetynet.views import figures
from safetynet.views.columns import Column, ColumnSpec
from safetynet.views.kpi import Kpi
from safetynet.views.maps import LegendItem

# st.badge's colours (Streamlit names no type for them, as it does DeltaColor for st.metric)
BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]


def render_kpi_row(kpis: list[Kpi], sparklines: pd.DataFrame | None = None, per_row: int = 7) -> None:
    """KPI tiles: value, 环比 delta and a 同比 badge (each red when the change is bad news), 12-month sparkline.

    More tiles than `per_row` wrap into rows of equal length (9 tiles: 5 + 4, not 7 + 2)."""
    rows = max(1, math.ceil(len(kpis) / per_row))
    per_row = max(1, math.ceil(len(kpis) / rows))
    for start in range(0, len(kpis), per_row):
        row = kpis[start:start + per_row]
        for col, kpi in zip(st.columns(per_row)[:len(row)], row, strict=True):
            spec = kpi.spec
            spark = None
            if sparklines is not None and spec.code in sparklines:
                history = measures.finite(sparklines[spec.code].tail(12))
                spark = history if len(history) >= 2 else None
            value = measures.format_value(kpi.value, spec.kind)
            # 环比 is the metric's own delta; 同比 a badge of the same size and colour rule inside the same
            # border (a grey caption under the card read as a footnote, and a bad 同比 went unnoticed)
            with col, st.container(border=True, height="stretch", gap="small"):
                st.metric(
                    t(kpi.title), f":red[**{value}**]" if measures.alarm(spec, kpi.value) else value,
                    delta=measures.format_delta(kpi.mom, spec.kind),
                    delta_color=cast(DeltaColor, measures.delta_colour(spec)),  # "normal", "inverse" or "off"
                    delta_description=t("环比") if kpi.mom is not None else None,
                    help=t(spec.help), chart_data=spark, chart_type="line",
                )
                yoy = measures.format_delta(kpi.yoy, spec.kind)
                # no arrow: the sign says the direction and the colour the meaning; "+4.3个百分点" needs the room
                st.badge(t("同比 {value}", value=yoy if yoy is not None else "—"),
                         color=cast(BadgeColor, measures.change_colour(spec, kpi.yoy)))  # "red", "green" or "gray"


def render_legend(title: str, items: list[LegendItem]) -> None:
    """A colour legend under a map (deck.gl draws none)."""
    if not items:
        return
    swatches = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:14px;white-space:nowrap">'
        f'<span style="width:18px;height:14px;background:rgb{item.color};border:1px solid #888;'
        f'display:inline-block;margin-right:6px"></span>{html.escape(item.text)}</span>'
        for item in items
    )
    st.markdown(f'<div style="font-size:0.95rem"><b>{html.escape(title)}</b>&nbsp;&nbsp;{swatches}</div>',
                unsafe_allow_html=True)


def file_uploader_words(key: str, types: list[str], limit_mb: int | None = None) -> None:
    """Chinese words on the uploader of widget `key`: Streamlit draws its button ("Upload") and its limit
    ("200MB per file") in English whatever the page's language, with no parameter to change them. Scoped CSS
    hides those two texts and shows ours in their place; the English UI keeps Streamlit's own."""
    if i18n.lang() != "zh":
        return
    limit = limit_mb or int(st.get_option("server.maxUploadSize"))
    words = {"button": t("选择文件"),
             "limit": t("每个文件不超过 {mb}MB · {types}", mb=limit, types="、".join(x.upper() for x in types))}
    safe = {k: v.replace("\\", "").replace('"', "").replace("<", "").replace(">", "") for k, v in words.items()}
    root = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    st.html(f"""<style>
    {root} button [data-testid='stMarkdownContainer'] p {{ font-size: 0; }}
    {root} button [data-testid='stMarkdownContainer'] p::after {{ content: "{safe['button']}"; font-size: 1rem; }}
    {root} [data-testid='stFileUploaderDropzoneInstructions'] span {{ font-size: 0; }}
    {root} [data-testid='stFileUploaderDropzoneInstructions'] span::after {{
        content: "{safe['limit']}"; font-size: 0.875rem; }}
    </style>""")


PHONE_MAP_WIDTH = 360  # pixels: a 390 px phone's content width


def map_fit(width: int, height: int) -> tuple[int, int]:
    """The size a map's view is fitted to. The canvas fills its column, whose width the server does not
    know; a phone (a "Mobile" browser) gets its own narrow width, so the whole country and the 南海诸岛
    inset stay on its screen instead of being cut at a laptop's width."""
    return (min(width, PHONE_MAP_WIDTH), height) if frame.on_phone() else (width, height)


def chart(fig, key: str, container=st, **options):
    """A screen's Plotly chart; on a phone its axis labels are thinned first (figures.for_phone), since the
    server cannot know the width and the desktop's labels ran into each other at 390 px, and the tool bar is
    left off (at 390 px it covered the chart's title and legend; a phone zooms with two fingers anyway)."""
    if frame.on_phone():
        figures.for_phone(fig)
        options["config"] = {**options.get("config", {}), "displayModeBar": False}
    return container.plotly_chart(fig, key=key, **options)


def column_config(spec: ColumnSpec) -> dict[str, ColumnConfig | str]:
    """`st.dataframe`'s column_config for a view's column spec.

    Views describe their tables' columns as plain `Column`s (views/ stays free of Streamlit, see README
    "Contributing"); this is the one place they become Streamlit objects. A plain string is a header and passes
    through as it is. Options a kind of column does not have (an alignment on a bar) are not passed on."""
    return {name: column if isinstance(column, str) else _column(column) for name, column in spec.items()}


def _column(c: Column) -> ColumnConfig:
    if c.kind == "text":
        return st.column_config.TextColumn(c.label, help=c.help, pinned=c.pinned, width=c.width,
                                           alignment=c.alignment)
    if c.kind == "number":
        return st.column_config.NumberColumn(c.label, help=c.help, pinned=c.pinned, width=c.width,
                                             alignment=c.alignment, format=c.format, min_value=c.min_value,
                                             max_value=c.max_value)
    if c.kind == "progress":
        return st.column_config.ProgressColumn(c.label, help=c.help, pinned=c.pinned, width=c.width, format=c.format,
                                               min_value=c.min_value, max_value=c.max_value)
    return st.column_config.LineChartColumn(c.label, help=c.help, pinned=c.pinned, width=c.width)
