"""地图 — one metric by area: click an area to drill down, relocation sites on top, every area in a table."""

import streamlit as st

from safetynet import cache, measures
from safetynet.i18n import fmt_month, t
from safetynet.queries import mapdata
from safetynet.ui import frame, urlstate, widgets
from safetynet.views import maps

ctx = frame.page_context()
frame.page_header("地图", ctx)
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    st.stop()
MAP_KEY, TABLE_KEY = f"map_{ctx.filters.region}", f"map_table_{ctx.filters.region}"  # new per region: read once


def go_to(adcode: str) -> None:  # callbacks run before the sidebar is drawn, so they may set its keys
    st.session_state.update(maps.region_filter_keys(ctx.regions, adcode))


def on_pick() -> None:  # a click on an area of the map, or on a row of the table, opens that area
    picked = (maps.picked_region(st.session_state.get(MAP_KEY))
              or maps.picked_row(st.session_state.get(TABLE_KEY), list(table.index)))
    if picked and picked != ctx.filters.region and ctx.child_level() > ctx.level:
        go_to(picked)


urlstate.seed("metric", list(maps.MAP_METRICS), "tier_high")
metric = st.pills(t("选择指标"), list(maps.MAP_METRICS), format_func=lambda c: t(maps.MAP_METRICS[c].label),
                  key="metric", required=True)
urlstate.publish("metric", metric, "tier_high")
spec = maps.MAP_METRICS[metric]
months = [str(m) for m in cache.load(ctx.url, ctx.version, mapdata.months, ctx.filters)] or [str(ctx.month)]
left, right = st.columns([4, 1])
with right:
    if ctx.level > 0:
        parent = maps.parent_of(ctx.regions, ctx.filters.region)
        st.button(t("上一级：{name}", name=ctx.region_name(parent)), key="map_up", icon=":material/arrow_upward:",
                  on_click=go_to, args=(parent,), width="stretch")
    urlstate.seed("month", months, months[-1])
    month = int(st.selectbox(t("月份"), months[::-1], format_func=lambda m: fmt_month(int(m)), key="month"))
    urlstate.publish("month", str(month), months[-1])
    urlstate.seed_flag("sites", True)
    show_sites = st.toggle(t("显示易地搬迁安置点"), key="sites")
    urlstate.publish_flag("sites", show_sites, True)

rows = cache.load(ctx.url, ctx.version, mapdata.area_measures, ctx.filters, month, ctx.child_level() > ctx.level)
points = maps.site_points(cache.load(ctx.url, ctx.version, mapdata.sites, ctx.filters, month)) if show_sites else None
deck, legend = maps.build_choropleth(maps.map_values(rows, metric), ctx.filters.region, ctx.level,
                                     ctx.child_level(), t(spec.label), maps.formatter(spec.kind), sites=points,
                                     reverse=spec.higher_is_bad is False,
                                     fit=widgets.map_fit(700, 600))  # the map column at 1366 px
with left:
    st.caption(t(spec.help))
    if note := maps.metric_note(metric, month):  # 未返岗 is only counted after the festival: offer that month
        st.info(note.text)
        st.button(note.button, key="map_month_jump", on_click=st.session_state.update, kwargs={"month": note.month})
    st.pydeck_chart(deck, height=600, key=MAP_KEY, on_select=on_pick, selection_mode="single-object")
with right:
    st.metric(f"{ctx.region_name()} · {fmt_month(month)}",
              measures.format_value(measures.total(rows, metric), spec.kind), help=t(spec.help), border=True)
    widgets.render_legend(maps.legend_title(spec, ctx.child_level()), legend)
    if points is not None:
        widgets.render_legend(t("安置点（圆点大小 = 搬迁人口）"), maps.site_legend())
    if ctx.child_level() > ctx.level:
        st.caption(t("点击地图上的地区或表格中的地区名称，进入下一级。"))

st.subheader(t("各地区{metric}", metric=t(spec.label)))
table = maps.area_table(rows, metric)
if rows.empty:
    st.info(t("{name}在{month}没有监测户。", name=ctx.region_name(), month=fmt_month(month)))
else:
    config = {"hide_index": True, "height": maps.table_height(len(rows)),
              "column_config": widgets.column_config(maps.area_table_config(metric, ctx.child_level()))}
    if ctx.child_level() > ctx.level:  # a name (or a row's box) opens that area; a county has nothing below
        st.dataframe(maps.linked_names(table), key=TABLE_KEY, on_select=on_pick,
                     selection_mode=["single-row", "single-cell"], **config)
    else:
        st.dataframe(table, key=TABLE_KEY, **config)
frame.score_disclaimer()
frame.page_done()
