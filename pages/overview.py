"""总览 — the leader's cockpit: KPIs with 环比/同比, a small map, a trend, how the work after a warning stands
(with the regions' ranking), the newly high-risk list."""

import streamlit as st

from safetynet import cache, i18n, measures, privacy
from safetynet.i18n import t
from safetynet.ui import frame, progress, widgets
from safetynet.views import figures, kpi, maps

ctx = frame.page_context()
frame.page_header("总览", ctx)
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    st.stop()

monthly = cache.load_monthly(ctx.url, ctx.version, ctx.filters)
widgets.render_kpi_row(kpi.build_kpis(monthly, ctx.month), kpi.kpi_values(monthly), per_row=5)
if statement := kpi.population_statement(monthly, ctx.month):  # which households each number counts
    st.caption(statement)

left, right = st.columns([5, 6])
with left:
    children = cache.load_children(ctx.url, ctx.version, ctx.filters, ctx.month)
    high = measures.get("tier_high")
    center = (ctx.regions.at[ctx.filters.region, "lon"], ctx.regions.at[ctx.filters.region, "lat"])
    deck, legend = maps.build_choropleth(maps.map_values(children, high.code), ctx.filters.region, ctx.level,
                                         ctx.child_level(), t(high.label), maps.formatter(high.kind), center=center,
                                         fit=widgets.map_fit(400, 380))
    st.subheader(t("高风险户数（按地区）"))
    st.pydeck_chart(deck, height=380, key="overview_map")
    widgets.render_legend(maps.legend_title(high, ctx.child_level()), legend)
with right:
    fig = figures.build_trend_figure(monthly.tail(24), measures.codes("overview_trend"),
                                     t("监测户与高风险户趋势"), height=430)
    widgets.chart(fig, key="overview_trend", config={"displaylogo": False})

progress.render_work_progress(ctx)

st.subheader(t("本月新增高风险名单"))
newly = cache.load_newly_high(ctx.url, ctx.version, ctx.filters, ctx.level, ctx.month, 20)
if newly.empty:
    st.success(t("本月无新增高风险户。"))
else:
    shown = privacy.mask_frame(newly, {"head_name": "name"})
    reasons = shown["reasons"] if i18n.lang() == "zh" else shown["reasons_en"]
    table = shown.assign(reasons=reasons.str.split("；|; ").str[:3].str.join("；"))
    st.dataframe(
        table[["file_no", "head_name", "area", "score", "reasons"]],
        hide_index=True, key="overview_newly",
        column_config={
            "file_no": t("档案编号"), "head_name": t("户主"), "area": t("地区名称"),
            "score": st.column_config.ProgressColumn(t("评分"), min_value=0, max_value=100, format="%d"),
            "reasons": st.column_config.TextColumn(t("主要原因"), width="large"),
        },
    )
frame.score_disclaimer()
frame.page_done()
