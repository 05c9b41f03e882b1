"""会议大屏: the presentation mode for projectors and big screens.

No sidebar or menus, large type, a high-contrast light or dark scheme, and a
carousel through chosen slides every N seconds. Each tick reruns only the
carousel fragment, whose loaders key on the data version: a new import shows
on the next tick, an unchanged database costs nothing. Personal data is always
masked here, whatever the viewer's role.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from safetynet import cache, i18n, measures, privacy, urlparams
from safetynet.i18n import t
from safetynet.queries import households, overview
from safetynet.text import html_text
from safetynet.ui import widgets
from safetynet.ui.frame import PageContext
from safetynet.urlparams import Refusal
from safetynet.views import figures, kpi, maps

SLIDES = {"kpi": "核心指标", "map": "分布地图", "trend": "变化趋势", "newly": "新增高风险"}
DEFAULT_EVERY = 20
MIN_EVERY, MAX_EVERY = 5, 600
THEMES = {
    "dark": {"bg": "#05080c", "fg": "#f5f7fa", "muted": "#aeb8c4", "card": "#121a24", "bad": "#ff6b6b", "good": "#6ee7a0"},
    "light": {"bg": "#ffffff", "fg": "#05080c", "muted": "#3c4450", "card": "#eef1f5", "bad": "#b71c1c", "good": "#1b5e20"},
}


def parse_options(params: Mapping[str, str], refused: list[Refusal] | None = None) -> tuple[list[str], int, str]:
    """Slides, seconds per slide and theme from the URL. A malformed value falls back to the default (every
    slide, 20 s, dark) and its refusal is added to `refused`; a well-formed number of seconds is kept in 5–600."""
    refused = [] if refused is None else refused

    def read(key: str, parse, default):
        if key not in params:
            return default
        value = parse(params[key])
        if isinstance(value, Refusal):
            refused.append(value)
            return default
        return value

    slides = read("screens", lambda raw: urlparams.parse_choice_list(raw, SLIDES), list(SLIDES))
    every = min(max(read("every", urlparams.parse_count, DEFAULT_EVERY), MIN_EVERY), MAX_EVERY)
    theme = read("theme", lambda raw: urlparams.parse_choice(raw, THEMES), "dark")
    return slides, every, theme


def style(theme: str) -> None:
    c = THEMES[theme]
    st.markdown(f"""<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
    [data-testid="stToolbar"], [data-testid="stTopNavigation"] {{ display: none !important; }}
    .stApp, [data-testid="stAppViewContainer"] {{ background: {c["bg"]} !important; color: {c["fg"]} !important; }}
    [data-testid="stMainBlockContainer"] {{ padding-top: 1.2rem; max-width: 100% !important; }}
    .sn-meet h1 {{ font-size: 3.2rem; margin: 0; color: {c["fg"]}; }}
    .sn-meet .sub {{ font-size: 1.5rem; color: {c["muted"]}; }}
    .sn-kpis {{ display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1.2rem; margin-top: 1.5rem; }}
    .sn-kpi {{ background: {c["card"]}; border-radius: 14px; padding: 1.4rem 1.6rem; }}
    .sn-kpi .label {{ font-size: 1.6rem; color: {c["muted"]}; }}
    .sn-kpi .value {{ font-size: 4.6rem; font-weight: 800; line-height: 1.1; color: {c["fg"]}; }}
    .sn-kpi .delta {{ font-size: 1.5rem; }}
    .sn-kpi .bad {{ color: {c["bad"]}; }} .sn-kpi .good {{ color: {c["good"]}; }}
    .sn-kpi .muted {{ color: {c["muted"]}; }}
    .sn-list {{ width: 100%; border-collapse: collapse; font-size: 1.7rem; color: {c["fg"]}; }}
    .sn-list td, .sn-list th {{ padding: .55rem .8rem; border-bottom: 1px solid {c["muted"]}; text-align: left; }}
    .sn-dots {{ font-size: 1.4rem; color: {c["muted"]}; margin-top: .6rem; }}
    </style>""", unsafe_allow_html=True)


def _change_html(label: str, change: float | None, k: kpi.Kpi) -> str:
    """环比 or 同比 of a card, coloured by what the change means (measures.change_colour)."""
    text = measures.format_delta(change, k.spec.kind) or "—"  # unknown (no month to compare with) says so
    cls = {"red": "bad", "green": "good", "gray": "muted"}[measures.change_colour(k.spec, change)]
    return f'<div class="delta {cls}">{html.escape(t(label))} {html.escape(text)}</div>'


def header(ctx: PageContext, slide: str, position: str) -> None:
    st.markdown(
        f'<div class="sn-meet"><h1>{html.escape(t("工会困难职工动态监测平台"))} · {html.escape(t(SLIDES[slide]))}</h1>'
        f'<div class="sub">{html.escape(ctx.region_name())} · '
        f'{html.escape(t("数据截至{month}", month=i18n.fmt_month(ctx.month)))} · {html.escape(position)}</div></div>',
        unsafe_allow_html=True)


def slide_kpi(ctx: PageContext) -> None:
    monthly = cache.load(ctx.url, ctx.version, overview.monthly_measures, ctx.filters)
    cards = []
    for k in kpi.build_kpis(monthly, ctx.month, measures.select("meeting")):
        value = measures.format_value(k.value, k.spec.kind)
        alarm = " bad" if measures.alarm(k.spec, k.value) else ""
        cards.append(f'<div class="sn-kpi"><div class="label">{html.escape(t(k.title))}</div>'
                     f'<div class="value{alarm}">{html.escape(value)}</div>'
                     f'{_change_html("环比", k.mom, k)}{_change_html("同比", k.yoy, k)}</div>')
    st.markdown(f'<div class="sn-kpis">{"".join(cards)}</div>', unsafe_allow_html=True)


def slide_map(ctx: PageContext) -> None:
    children = cache.load(ctx.url, ctx.version, overview.child_measures, ctx.filters, ctx.month)
    share = measures.get("high_share")
    center = (ctx.regions.at[ctx.filters.region, "lon"], ctx.regions.at[ctx.filters.region, "lat"])
    deck, legend = maps.build_choropleth(maps.map_values(children, share.code), ctx.filters.region, ctx.level,
                                         ctx.child_level(), t(share.label), maps.formatter(share.kind),
                                         center=center, fit=(1400, 700))
    st.pydeck_chart(deck, height=720, key=f"meeting_map_{ctx.version}")
    widgets.render_legend(t(share.label), legend)


def slide_trend(ctx: PageContext) -> None:
    monthly = cache.load(ctx.url, ctx.version, overview.monthly_measures, ctx.filters)
    fig = figures.build_trend_figure(monthly.tail(24), measures.codes("overview_trend"),
                                     t("监测户与高风险户趋势"), height=720)
    fig.update_layout(font={"size": 22}, title={"font": {"size": 30}}, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)")
    st.plotly_chart(fig, key=f"meeting_trend_{ctx.version}", theme=None)


def slide_newly(ctx: PageContext) -> None:
    rows = cache.load(ctx.url, ctx.version, households.newly_high, ctx.filters, ctx.level, ctx.month, 10)
    if rows.empty:
        st.markdown(f'<div class="sn-meet"><div class="sub">{html.escape(t("本月无新增高风险户。"))}</div></div>',
                    unsafe_allow_html=True)
        return
    masked = meeting_rows(rows)
    head = "".join(f"<th>{html.escape(t(h))}</th>" for h in ("户主", "地区名称", "评分", "主要原因"))
    body = "".join(
        f"<tr><td>{html_text(r.head_name)}</td><td>{html_text(r.area)}</td><td>{int(r.score)}</td>"
        f"<td>{html_text(r.reasons)}</td></tr>" for r in masked.itertuples())  # stored text: never Markdown
    st.markdown(f'<table class="sn-list"><tr>{head}</tr>{body}</table>', unsafe_allow_html=True)


def meeting_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """What the meeting screen may show of a household list: masked names, top two reasons, no IDs."""
    reasons = rows["reasons"] if i18n.lang() == "zh" else rows["reasons_en"]
    sep = "；" if i18n.lang() == "zh" else "; "
    return pd.DataFrame({
        "head_name": rows["head_name"].map(privacy.mask_name),
        "area": rows["area"],
        "score": rows["score"],
        "reasons": reasons.fillna("").str.split("；|; ", regex=True).str[:2].str.join(sep),
    })


RENDERERS = {"kpi": slide_kpi, "map": slide_map, "trend": slide_trend, "newly": slide_newly}
