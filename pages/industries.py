"""行业 — industries: high risk, wage arrears and job losses by industry, over time and by region."""

import streamlit as st

from safetynet import cache, i18n
from safetynet.domain.months import add_months
from safetynet.i18n import t
from safetynet.queries import industries as queries
from safetynet.ui import frame, urlstate, widgets
from safetynet.views import industries as views

ctx = frame.page_context()
frame.page_header("行业", ctx)
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    frame.page_done()
    st.stop()
if note := views.category_note(ctx.filters):
    st.caption(note)

names = views.industry_names(cache.load(ctx.url, ctx.version, queries.load_industries))
table = cache.load(ctx.url, ctx.version, queries.industry_table, ctx.filters, ctx.month)
st.subheader(t("各行业监测情况（{month}）", month=i18n.fmt_month(ctx.month)))
if headline := views.industry_headline(table, names):
    st.markdown(headline)
shown, columns = views.build_industry_table(table, names)
st.dataframe(shown, hide_index=True, column_config=widgets.column_config(columns), key="industries_table", placeholder="—")
st.caption(t("行业帮扶标准系数：1.0 即按当地低保标准（农村监测户为防返贫监测线）认定，1.2 即标准上浮20%。"
             "没有登记行业的农村户计入“其他行业”。"))

st.subheader(t("行业趋势"))
urlstate.seed("industry", ["", *names], "")
focus = st.selectbox(t("重点行业"), ["", *names], key="industry", width=320,
                     format_func=lambda c: names.get(c, t("全部行业")))
urlstate.publish("industry", focus, "")
monthly = cache.load(ctx.url, ctx.version, queries.industry_monthly, ctx.filters, add_months(ctx.month, -23))
widgets.chart(views.build_industry_trend_figure(monthly, names, focus or None), key="industries_trend",
                config={"displaylogo": False})
if not focus:
    st.caption(t("图中为户数最多的{n}个行业，其余行业（含“其他行业”）合并为“其他”（灰色虚线）。", n=views.TOP_INDUSTRIES)
               + t("选择一个重点行业，可单独查看它的趋势并与全部行业比较；点击图例可隐藏或显示某个行业。"))

children = cache.load(ctx.url, ctx.version, queries.industry_children, ctx.filters, ctx.month, focus or None)
region_fig = views.build_region_figure(children, names.get(focus, t("全部行业")))
if region_fig is None:
    st.info(t("{region}没有下级地区的行业数据。", region=ctx.region_name()))
else:
    widgets.chart(region_fig, key="industries_regions", config={"displaylogo": False})
frame.score_disclaimer()
frame.page_done()
