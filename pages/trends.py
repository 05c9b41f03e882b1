"""趋势 — a measure month by month, split and compared; migrant work aligned on the Spring Festival."""

import streamlit as st

from safetynet import cache
from safetynet.i18n import t
from safetynet.queries import trends as trend_data
from safetynet.ui import frame, urlstate, widgets
from safetynet.views import trends

ctx = frame.page_context()
frame.page_header("趋势", ctx)
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    st.stop()

urlstate.seed("series", list(trends.SERIES), "tier_high")
series = st.pills(t("选择指标"), list(trends.SERIES), format_func=lambda c: t(trends.SERIES[c].label),
                  key="series", required=True)
urlstate.publish("series", series, "tier_high")
col_split, col_view = st.columns([3, 2])
urlstate.seed("split", list(trends.SPLITS), "none")
split = col_split.segmented_control(t("拆分方式"), list(trends.SPLITS), format_func=lambda c: t(trends.SPLITS[c]),
                                    key="split", required=True)
urlstate.publish("split", split, "none")
urlstate.seed("view", list(trends.VIEWS), "values")
view = col_view.segmented_control(t("显示方式"), list(trends.VIEWS), format_func=lambda c: t(trends.VIEWS[c]),
                                  key="view", required=True)
urlstate.publish("view", view, "values")
if split == "region" and ctx.child_level() <= ctx.level:
    st.info(t("{name}没有下级地区，按不拆分显示。", name=ctx.region_name()))
    split = "none"
if split == "industry" and ctx.filters.category:
    st.caption(t("行业数据只区分对象类型，不区分类别：此处为所选类别所属对象类型的全部户。"))

spec = trends.SERIES[series]
raw = cache.load(ctx.url, ctx.version, trend_data.monthly_by, ctx.filters, split)
wide = trends.series_wide(raw, series, split)
title = trends.series_title(spec, view, split, ctx.region_name())
widgets.chart(trends.build_series_figure(wide, series, view, title), key="trends_chart",
                config={"displaylogo": False})
st.caption(t(spec.help))
st.dataframe(trends.latest_table(wide, series), hide_index=True, key="trends_table",
             column_config=widgets.column_config(trends.latest_table_config(
                 int(wide.index[-1]) if not wide.empty else ctx.month, t(trends.SPLIT_HEADERS[split]))))

st.subheader(t("农民工返岗：按春节对齐比较"))
urlstate.seed("migrant", list(trends.MIGRANT_SERIES), "not_returned")
migrant = st.segmented_control(t("选择指标"), list(trends.MIGRANT_SERIES), key="migrant", required=True,
                               format_func=lambda c: t(trends.MIGRANT_SERIES[c].label))
urlstate.publish("migrant", migrant, "not_returned")
monthly = cache.load_monthly(ctx.url, ctx.version, ctx.filters)
aligned = trends.festival_align(monthly, migrant)
left, right = st.columns([3, 2])
with left:
    if aligned.empty:
        st.info(t("数据不足一个春节周期，暂无法对齐比较。"))
    else:
        figure_title = t("{label}：各年春节前后对比", label=t(trends.MIGRANT_SERIES[migrant].label))
        widgets.chart(trends.build_festival_figure(aligned, migrant, figure_title), key="trends_festival",
                        config={"displaylogo": False})
with right:
    st.markdown(trends.festival_explanation(aligned, trends.festival_contrast(monthly, migrant), migrant))
    st.caption(t(trends.MIGRANT_SERIES[migrant].help))
frame.score_disclaimer()
frame.page_done()
