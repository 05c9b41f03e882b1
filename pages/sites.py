"""安置点 — relocation sites (易地扶贫搬迁后续扶持): jobs for relocated labour, risk and assistance per site."""

import streamlit as st

from safetynet import cache
from safetynet.i18n import t
from safetynet.queries import sites as queries
from safetynet.text import plain
from safetynet.ui import frame, urlstate, widgets
from safetynet.views import sites as views

PLOTLY = {"displaylogo": False}

def show_tiles(tiles: list[views.Tile]) -> None:
    for col, tile in zip(st.columns(len(tiles)), tiles, strict=True):
        # the 同比 caption inside the card's border, as on 总览 (below it, a phone read it as the next card's)
        with col, st.container(border=True, height="stretch", gap="small"):
            st.metric(**{**tile.metric_kwargs(), "border": False, "height": "content"})
            st.caption(tile.caption)


ctx = frame.page_context()
frame.page_header("安置点", ctx)
table = cache.load(ctx.url, ctx.version, queries.site_table, ctx.filters, ctx.month) if ctx.month else None
if table is None or table.empty:
    st.info(t("当前地区没有易地扶贫搬迁安置点的数据。"))
    frame.page_done()
    st.stop()

monthly = cache.load(ctx.url, ctx.version, queries.site_monthly, ctx.filters)
st.markdown(views.scope_summary(table))
show_tiles(views.build_scope_tiles(monthly, ctx.month))
if alert := views.no_job_alert(table):
    st.error(alert, icon=":material/work_off:")

left, right = st.columns([5, 7])
with left:
    st.subheader(t("安置点分布"))
    st.pydeck_chart(views.build_site_map(table, ctx.regions, ctx.filters.region, ctx.level, ctx.child_level()),
                    height=400, key="sites_map")
    st.caption(t("圆点为安置点：越大搬迁人口越多，越红高风险户占比越高。"))
with right:
    widgets.chart(views.build_employment_by_site_figure(table), key="sites_jobs", config=PLOTLY)

st.subheader(t("安置点一览"))
urlstate.seed("sort", list(views.SORTS), views.DEFAULT_SORT)
sort = st.selectbox(t("排序"), list(views.SORTS), format_func=lambda c: t(views.SORTS[c][0]), key="sort", width=260)
urlstate.publish("sort", sort, views.DEFAULT_SORT)
shown, columns = views.build_site_table(table, sort)


def open_clicked_row() -> None:  # a click in the table opens that site below
    if rows := st.session_state["sites_table"].selection.rows:
        st.session_state["site"] = str(shown.index[rows[0]])


st.dataframe(shown, hide_index=True, column_config=widgets.column_config(columns), key="sites_table",
             on_select=open_clicked_row, selection_mode="single-row", height=views.table_height(len(shown)),
             placeholder="—")
st.caption(t("安置点在县以下：少于5户的数字显示为“<5”，不足5户（人）时不计算比率。点选一行可查看该安置点详情。"))

st.subheader(t("安置点详情"))
options = views.site_options(table)
urlstate.seed("site", ["", *options], "")
site = st.selectbox(t("选择安置点"), ["", *options], key="site", width=420,
                    format_func=lambda s: options.get(s, t("请选择…")))
urlstate.publish("site", site, "")
if not site:
    st.info(t("在上表中点选一行，或在此选择一个安置点，查看其就业、风险和帮扶情况。"))
else:
    title, facts = views.site_facts(table, int(site))
    st.markdown(f"#### {plain(title)}\n{facts}")  # a site's name is imported text
    one = cache.load(ctx.url, ctx.version, queries.site_monthly, ctx.filters, int(site))
    show_tiles(views.build_site_tiles(one, ctx.month))
    monitored, by_type = cache.load(ctx.url, ctx.version, queries.site_assistance, ctx.filters, int(site), ctx.month)
    aid, mix, jobs = st.columns(3)
    if (aid_fig := views.build_assistance_figure(by_type, monitored)) is None:
        aid.info(t("纳入监测户少于5户或近12个月无帮扶记录，不显示分类覆盖。"))
    else:
        widgets.chart(container=aid, fig=aid_fig, key="sites_aid", config=PLOTLY)
    widgets.chart(container=mix, fig=views.build_risk_mix_figure(one), key="sites_mix", config=PLOTLY)
    widgets.chart(container=jobs, fig=views.build_employment_trend_figure(one), key="sites_trend", config=PLOTLY)
frame.score_disclaimer()
frame.page_done()
