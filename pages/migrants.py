"""农民工 — migrant workers: late returns after 春节, wage arrears, where they come from and go to."""

import streamlit as st

from safetynet import cache
from safetynet.i18n import t
from safetynet.queries import migrants as queries
from safetynet.ui import frame, widgets
from safetynet.views import migrants as views

ctx = frame.page_context()
frame.page_header("农民工", ctx)
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    st.stop()

monthly = cache.load(ctx.url, ctx.version, queries.monthly_migrant_measures, ctx.filters)
widgets.render_kpi_row(views.migrant_kpis(monthly, ctx.month), per_row=3)
st.caption(t("单位：户。失业、欠薪、未参保在全部本月评分户中统计；春节后未返岗和心理疏导转介只统计有农民工的家庭。"))

st.subheader(t("春节前后：各年按春节对齐"))
aligned = views.align_to_festival(monthly)
if aligned.empty:
    st.info(t("数据中还没有春节所在的月份，暂无法按春节对齐比较。"))
else:
    widgets.chart(views.build_festival_figure(aligned), key="migrants_festival", config={"displaylogo": False})
    st.caption(views.festival_note(sorted(aligned["festival_year"].unique().tolist())))

unit = queries.flow_unit(ctx.level)
flows = cache.load(ctx.url, ctx.version, queries.migrant_flows, ctx.filters, ctx.month)
st.subheader(views.flow_title(unit))
if flows.empty:
    st.info(t("当前范围内没有记录来源地和务工地的农民工。"))
else:
    left, right = st.columns(2)
    with left:
        scope = None if ctx.level == 0 else ctx.filters.region[:2] + "0000"
        deck, legend = views.build_flow_deck(flows, highlight=scope, unit=unit)
        st.pydeck_chart(deck, height=460, key="migrants_flow_map")
        widgets.render_legend(t("线越粗，人数越多"), legend)
    with right:
        st.markdown(f"**{t('人数最多的10条流向')}**")
        st.dataframe(views.top_flows_table(flows), hide_index=True, key="migrants_top_flows")
        st.caption(views.flow_summary(flows, unit=unit) + t("这些流向就是农村劳动力向城市转移的路径。"))

st.subheader(t("农民工风险在哪里：按务工地点"))
risk = cache.load(ctx.url, ctx.version, queries.migrant_workplace_risk, ctx.filters, ctx.month)
if not risk.empty:
    st.dataframe(views.workplace_table(risk), hide_index=True, key="migrants_workplace")
    st.caption(t("两个占比的分母都是该行的农民工人数。“在高风险家庭”：所在家庭本月评分为高风险；"
                 "“无养老和工伤保险”：两项都没有参加（平台和灵活就业者最常见）。"))
else:
    st.info(t("当前范围内没有农民工记录。"))
st.caption(t("心理疏导转介只以户数合计显示，不列名单；只有记录了本人同意，"
             "才计入风险评分的心理支持因素（H）。"))
frame.score_disclaimer()
frame.page_done()
