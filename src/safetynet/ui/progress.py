"""The overview's section on the work after a warning: KPI cards as of today and the regions' ranking (排名)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from safetynet import cache
from safetynet.domain import progress
from safetynet.i18n import t
from safetynet.ui import urlstate, widgets
from safetynet.ui.frame import PageContext
from safetynet.views import maps
from safetynet.views import progress as view
from safetynet.views.casework import fmt_day

DEFAULT_RANK_BY = view.COMPOSITE


def render_work_progress(ctx: PageContext, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    child_level = ctx.child_level()
    totals, children = cache.load_progress(ctx.url, ctx.version, ctx.filters, ctx.level, child_level, today)
    st.subheader(t("闭环工作进度（截至{day}）", day=fmt_day(today)))
    st.caption(t("预警线索的核实和认定、一户一策、帮扶落实和回访，按当日的期限规则和工作日计算；"
                 "环比与一个月前的同一天相比，同比与一年前相比。"))
    cards, sparklines = view.work_kpis(totals, today)
    widgets.render_kpi_row(cards, sparklines, per_row=5)  # six cards: two rows of three, wide enough for 10.5个工作日
    if child_level <= ctx.level:
        return  # a county has no regions below it to rank
    urlstate.seed("rank_by", view.RANK_BY, DEFAULT_RANK_BY)
    code = st.selectbox(t("排名依据"), view.RANK_BY, key="rank_by", format_func=view.rank_by_label)
    urlstate.publish("rank_by", code, DEFAULT_RANK_BY)
    names = ctx.regions["name"]
    table = view.ranking(children, names, code, today, progress.month_before(today))
    st.markdown(t("**各地区排名**（按{measure}，1为最好）", measure=view.rank_by_label(code)))
    st.dataframe(table, hide_index=True, key="overview_ranking", height=maps.table_height(len(table), 460),
                 column_config=widgets.column_config(view.ranking_config(code, child_level)))
    st.caption(view.small_cells_note())
