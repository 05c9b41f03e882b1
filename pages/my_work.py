"""待办 — my work: my leads and files first, then the unassigned leads of my region, each against its deadline;
assign, check and decide a lead; enter a new one; approve the eliminations proposed from the level below."""

import streamlit as st

from safetynet.i18n import t
from safetynet.ui import casework as cw
from safetynet.ui import frame

ctx = frame.page_context()
frame.page_header("待办", ctx)
if not cw.may_act(ctx):  # leaders look at the work on the overview; this screen is for doing it
    st.error(t("无权访问此页面。"))
    st.stop()
cw.show_flash()
cw.render_approvals_notice(ctx)
cw.render_new_lead(ctx)

st.subheader(t("预警线索"))
status, mine, overdue = cw.render_filters()
leads = cw.load_leads(ctx, status, mine, overdue)
cw.render_lead_list(ctx, leads)
lead = cw.pick_lead(ctx, leads)
if lead is not None:
    cw.render_lead_work(ctx, lead)

cw.render_my_files(ctx)
cw.render_approvals(ctx)
cw.render_public_notice(ctx)
st.caption(t("期限按工作日计算（扣除周末和法定节假日，含调休上班日）：入户核实为接收后5个工作日内，认定为15个工作日内。"))
frame.page_done()
