"""会议大屏: the presentation mode for projectors and big screens.

No sidebar or menus, large type, a high-contrast light or dark scheme, and a
carousel through the chosen slides (views.meeting) every N seconds, with
previous, pause and next on buttons and keys (← P →; a key cap "Space" would be English on screen). Each tick reruns only
the carousel fragment, whose loaders key on the data version: a new import
shows on the next tick, an unchanged database costs nothing. Personal data is
always masked here, whatever the viewer's role, and a room sees counts unless
the presenter asks for the masked list.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from safetynet import cache, i18n, measures, privacy, urlparams
from safetynet.domain import progress as progress_rules
from safetynet.i18n import t
from safetynet.queries import households, overview
from safetynet.queries import industries as industry_queries
from safetynet.queries import migrants as migrant_queries
from safetynet.queries import sites as site_queries
from safetynet.text import html_text
from safetynet.ui.frame import PageContext
from safetynet.urlparams import Refusal
from safetynet.views import figures, kpi, maps
from safetynet.views import meeting as view
from safetynet.views import migrants as migrant_views
from safetynet.views import progress as progress_views
from safetynet.views import sites as site_views
from safetynet.views.industries import industry_names

SLIDES = view.SLIDES
DEFAULT_EVERY = 20
MIN_EVERY, MAX_EVERY = 5, 600
THEMES = {
    "dark": {"bg": "#05080c", "fg": "#f5f7fa", "muted": "#aeb8c4", "card": "#121a24", "bad": "#ff6b6b",
             "good": "#6ee7a0", "line": "#3a4654"},
    "light": {"bg": "#ffffff", "fg": "#05080c", "muted": "#3c4450", "card": "#eef1f5", "bad": "#b71c1c",
              "good": "#1b5e20", "line": "#b8c0ca"},
}
STATE = "meeting_carousel"  # views.meeting.Carousel in the session
NAMES = "meeting_names"  # the presenter asked for the masked list of newly high-risk households


def parse_options(params: Mapping[str, str], refused: list[Refusal] | None = None
                  ) -> tuple[list[str], list[str], int, str]:
    """Slides, unknown slide names, seconds per slide and theme from the URL. A malformed ?every= or
    ?theme= falls back to the default (20 s, dark) and its refusal is added to `refused`; a well-formed
    number of seconds is kept in 5–600. Unknown slide names are returned, for an error on screen."""
    refused = [] if refused is None else refused

    def read(key: str, parse, default):
        if key not in params:
            return default
        value = parse(params[key])
        if isinstance(value, Refusal):
            refused.append(value)
            return default
        return value

    slides, unknown = view.parse_screens(params.get("screens"))
    every = min(max(read("every", urlparams.parse_count, DEFAULT_EVERY), MIN_EVERY), MAX_EVERY)
    theme = read("theme", lambda raw: urlparams.parse_choice(raw, THEMES), "dark")
    return slides, unknown, every, theme


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
    .sn-meet .bad {{ color: {c["bad"]}; }} .sn-meet .good {{ color: {c["good"]}; }}
    .sn-meet .muted {{ color: {c["muted"]}; }}
    .sn-list {{ width: 100%; border-collapse: collapse; font-size: 1.7rem; color: {c["fg"]}; margin-top: 1rem; }}
    .sn-list td, .sn-list th {{ padding: .5rem .8rem; border: none !important;
                                border-bottom: 1px solid {c["line"]} !important; text-align: left; }}
    .sn-list th {{ color: {c["muted"]}; font-weight: 600; }}
    .sn-list td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
    .sn-note {{ font-size: 1.3rem; color: {c["muted"]}; margin-top: .8rem; }}
    .sn-legend {{ display: flex; flex-wrap: wrap; gap: .6rem 1.6rem; font-size: 1.6rem; color: {c["fg"]};
                  align-items: center; margin-top: .6rem; }}
    .sn-legend .title {{ font-weight: 700; width: 100%; }}
    .sn-legend .swatch {{ display: inline-block; width: 1.6rem; height: 1.6rem; border-radius: 3px;
                          vertical-align: middle; margin-right: .5rem; border: 1px solid {c["line"]}; }}
    .st-key-meeting_controls {{ margin-top: 1.2rem; }}
    .st-key-meeting_controls button {{ font-size: 1.2rem; background: {c["card"]} !important;
                                       color: {c["fg"]} !important; border-color: {c["line"]} !important; }}
    .st-key-meeting_controls p, .st-key-meeting_controls label, .st-key-meeting_controls span
        {{ color: {c["fg"]} !important; }}
    </style>""", unsafe_allow_html=True)


# ---------------------------------------------------------------- pieces
def header(ctx: PageContext, slide: str, position: str, paused: bool) -> None:
    state = f" · {t('已暂停')}" if paused else ""
    st.markdown(
        f'<div class="sn-meet"><h1>{html.escape(t("工会困难职工动态监测平台"))} · {html.escape(t(SLIDES[slide]))}</h1>'
        f'<div class="sub">{html.escape(ctx.region_name())} · '
        f'{html.escape(t("数据截至{month}", month=i18n.fmt_month(ctx.month)))} · '
        f'<span class="sn-position">{html.escape(position)}</span>{html.escape(state)}</div></div>',
        unsafe_allow_html=True)


def cards_html(cards: list[view.Card]) -> str:
    out = []
    for card in cards:
        changes = "".join(f'<div class="delta {tone}">{html.escape(text)}</div>' for text, tone in card.changes)
        alarm = " bad" if card.alarm else ""
        out.append(f'<div class="sn-kpi"><div class="label">{html.escape(card.label)}</div>'
                   f'<div class="value{alarm}">{html.escape(card.value)}</div>{changes}</div>')
    return f'<div class="sn-meet sn-kpis">{"".join(out)}</div>'


def table_html(frame: pd.DataFrame, numeric_from: int = 1) -> str:
    """A table in large type; columns from `numeric_from` on are right-aligned numbers. Stored text
    (site and place names, reasons) is escaped, never read as Markdown."""
    def cls(i: int) -> str:
        return ' class="num"' if i >= numeric_from else ""

    head = "".join(f"<th{cls(i)}>{html.escape(str(c))}</th>" for i, c in enumerate(frame.columns))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{html_text(str(v))}</td>" for i, v in enumerate(row)) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f'<div class="sn-meet"><table class="sn-list"><tr>{head}</tr>{body}</table></div>'


def note(text: str) -> None:
    st.markdown(f'<div class="sn-meet sn-note">{html.escape(text)}</div>', unsafe_allow_html=True)


def nothing(text: str) -> None:
    st.markdown(f'<div class="sn-meet"><div class="sub">{html.escape(text)}</div></div>', unsafe_allow_html=True)


def legend_html(title: str, items: list[maps.LegendItem]) -> str:
    swatches = "".join(f'<span><span class="swatch" style="background: rgb{item.color}"></span>'
                       f'{html.escape(item.text)}</span>' for item in items)
    return f'<div class="sn-legend"><span class="title">{html.escape(title)}</span>{swatches}</div>'


# ---------------------------------------------------------------- slides
def slide_kpi(ctx: PageContext, theme: str) -> None:
    assert ctx.month is not None  # pages/meeting.py stops before any slide when no month is scored
    monthly = cache.load(ctx.url, ctx.version, overview.monthly_measures, ctx.filters)
    cards = view.kpi_cards(kpi.build_kpis(monthly, ctx.month, measures.select("meeting")))
    st.markdown(cards_html(cards), unsafe_allow_html=True)


def slide_map(ctx: PageContext, theme: str) -> None:
    """High-risk households by area (a count: a share makes thinly populated areas look worst)."""
    children = cache.load(ctx.url, ctx.version, overview.child_measures, ctx.filters, ctx.month)
    high = measures.get("tier_high")
    center = (ctx.regions.at[ctx.filters.region, "lon"], ctx.regions.at[ctx.filters.region, "lat"])
    deck, legend = maps.build_choropleth(maps.map_values(children, high.code), ctx.filters.region, ctx.level,
                                         ctx.child_level(), t(high.label), maps.formatter(high.kind),
                                         center=center, fit=(1400, 660))
    st.pydeck_chart(deck, height=680, key=f"meeting_map_{ctx.version}")
    st.markdown(legend_html(maps.legend_title(high, ctx.child_level()), legend), unsafe_allow_html=True)


def slide_trend(ctx: PageContext, theme: str) -> None:
    c = THEMES[theme]
    monthly: pd.DataFrame = cache.load(ctx.url, ctx.version, overview.monthly_measures, ctx.filters)
    fig = figures.build_trend_figure(monthly.tail(24), measures.codes("overview_trend"),
                                     t("监测户与高风险户趋势"), height=720)
    axis = {"tickfont": {"size": 22, "color": c["fg"]}, "gridcolor": c["line"], "linecolor": c["line"],
            "automargin": True}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    fig.update_layout(font={"size": 22, "color": c["fg"]}, title={"font": {"size": 30, "color": c["fg"]}},
                      legend={"font": {"size": 24, "color": c["fg"]}, "y": 1.04},
                      margin={"l": 90, "r": 40, "t": 110, "b": 70},
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    st.plotly_chart(fig, key=f"meeting_trend_{ctx.version}", theme=None, config={"displayModeBar": False})


def slide_newly(ctx: PageContext, theme: str) -> None:
    # a wall screen (display token) never lists households, masked or not: counts only
    if st.session_state.get(NAMES) and not (ctx.user and ctx.user.is_display):
        rows: pd.DataFrame = cache.load(ctx.url, ctx.version, households.newly_high, ctx.filters, ctx.level,
                                        ctx.month, view.ROWS)
        if rows.empty:
            nothing(t("本月无新增高风险户。"))
            return
        st.markdown(table_html(view.newly_names(rows, privacy.mask_name), numeric_from=2), unsafe_allow_html=True)
        note(t("姓名已脱敏；只列出评分最高的{n}户。", n=view.ROWS))
        return
    children = cache.load(ctx.url, ctx.version, overview.child_measures, ctx.filters, ctx.month)
    table = view.newly_by_region(children, ctx.child_level())
    if table.empty:
        nothing(t("本月无新增高风险户。"))
        return
    total = measures.format_value(measures.total(children, "newly_high"), measures.COUNT)
    st.markdown(table_html(table), unsafe_allow_html=True)
    note(t("本月新增高风险共{n}户（本月为高风险、上月不是）；只显示户数，不列名单。", n=total))


def slide_sites(ctx: PageContext, theme: str) -> None:
    assert ctx.month is not None  # pages/meeting.py stops before any slide when no month is scored
    table: pd.DataFrame = cache.load(ctx.url, ctx.version, site_queries.site_table, ctx.filters, ctx.month)
    if table is None or table.empty:
        nothing(t("当前地区没有易地扶贫搬迁安置点的数据。"))
        return
    monthly = cache.load(ctx.url, ctx.version, site_queries.site_monthly, ctx.filters)
    st.markdown(cards_html(view.tile_cards(site_views.build_scope_tiles(monthly, ctx.month))[:4]),
                unsafe_allow_html=True)
    st.markdown(table_html(view.worst_sites(table, 6), numeric_from=2), unsafe_allow_html=True)
    note(t("就业率最低的安置点在前；少于5户的数字显示为“<5”。"))


def slide_industries(ctx: PageContext, theme: str) -> None:
    names = industry_names(cache.load(ctx.url, ctx.version, industry_queries.load_industries))
    table = cache.load(ctx.url, ctx.version, industry_queries.industry_table, ctx.filters, ctx.month)
    rows = view.industry_rows(table, names)
    if rows.empty:
        nothing(t("本月没有行业数据。"))
        return
    st.markdown(table_html(rows), unsafe_allow_html=True)
    note(t("高风险户占比高的行业在前；户数为本月评分户。"))


def slide_migrants(ctx: PageContext, theme: str) -> None:
    assert ctx.month is not None  # pages/meeting.py stops before any slide when no month is scored
    monthly = cache.load(ctx.url, ctx.version, migrant_queries.monthly_migrant_measures, ctx.filters)
    st.markdown(cards_html(view.kpi_cards(migrant_views.migrant_kpis(monthly, ctx.month))), unsafe_allow_html=True)
    note(t("单位：户。失业、欠薪、未参保在全部本月评分户中统计；春节后未返岗和心理疏导转介只统计有农民工的家庭。"))


def slide_work(ctx: PageContext, theme: str, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    child_level = ctx.child_level()
    if child_level <= ctx.level:
        nothing(t("{name}没有下级地区可以排名。", name=ctx.region_name()))
        return
    _, children = cache.load_progress(ctx.url, ctx.version, ctx.filters, ctx.level, child_level, today)
    ranking = progress_views.ranking(children, ctx.regions["name"], progress_views.COMPOSITE, today,
                                     progress_rules.month_before(today))
    rows = view.ranking_rows(ranking, child_level)
    if rows.empty:
        nothing(t("没有可以排名的地区。"))
        return
    st.markdown(table_html(rows, numeric_from=3), unsafe_allow_html=True)
    note(t("综合：按{n}项比率各自排名后取平均名次，再排序；1为最好。", n=len(progress_views.COMPOSITE_CODES))
         + " " + progress_views.small_cells_note())


RENDERERS = {"kpi": slide_kpi, "map": slide_map, "trend": slide_trend, "newly": slide_newly,
             "sites": slide_sites, "industries": slide_industries, "migrants": slide_migrants, "work": slide_work}


# ---------------------------------------------------------------- the carousel
def carousel_state(slides: list[str]) -> view.Carousel:
    """The session's carousel, started at the first slide for this list of slides."""
    saved = st.session_state.get(STATE)
    if not isinstance(saved, tuple) or saved[0] != tuple(slides):
        st.session_state[STATE] = (tuple(slides), view.Carousel(0, time.time(), False))
    return st.session_state[STATE][1]


def save(slides: list[str], state: view.Carousel) -> None:
    st.session_state[STATE] = (tuple(slides), state)


def controls(slides: list[str], display: bool = False) -> None:
    """Previous, pause/continue and next (← P →), the masked list on request, and the way out. A wall screen
    (`display`: signed in by a display token) gets neither the list nor a way to another screen."""
    state = carousel_state(slides)

    def step(by: int) -> None:
        save(slides, carousel_state(slides).step(by, time.time(), len(slides)))

    def toggle() -> None:
        save(slides, carousel_state(slides).toggle_pause(time.time()))

    with st.container(horizontal=True, key="meeting_controls", vertical_alignment="center"):
        st.button(t("上一页"), key="meeting_prev", icon=":material/chevron_left:", shortcut="Left",
                  on_click=step, args=(-1,))
        st.button(t("继续") if state.paused else t("暂停"), key="meeting_pause", shortcut="P",
                  icon=":material/play_arrow:" if state.paused else ":material/pause:", on_click=toggle)
        st.button(t("下一页"), key="meeting_next", icon=":material/chevron_right:", shortcut="Right",
                  on_click=step, args=(1,))
        if display:
            return
        if "newly" in slides:
            st.toggle(t("新增高风险显示名单（已脱敏）"), key=NAMES)
        st.page_link("pages/overview.py", label=t("退出大屏"), icon=":material/close:")
