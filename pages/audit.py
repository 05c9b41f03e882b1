"""审计日志 — who signed in, unmasked, exported, imported or changed users (administrators only).

An administrator reads only the rows about regions inside their own scope (queries.audit_log)."""

import datetime as dt

import streamlit as st

from safetynet import cache
from safetynet.i18n import t
from safetynet.queries import audit_log
from safetynet.ui import frame
from safetynet.views import audit_log as view

ctx = frame.page_context()
frame.page_header("审计日志", ctx)
engine = cache.engine(ctx.url)
scope = ctx.user.scope if ctx.user else ctx.filters.scope

c1, c2, c3, c4 = st.columns(4)
action = c1.selectbox(t("操作"), ["", *view.ACTION_LABELS], key="audit_action",
                      format_func=lambda a: view.action_label(a) if a else t("全部"))
user = c2.text_input(t("用户"), key="audit_user").strip()
start = c3.date_input(t("起始日期"), dt.date.today() - dt.timedelta(days=30), key="audit_start")
end = c4.date_input(t("结束日期"), dt.date.today(), key="audit_end")
counts = audit_log.counts_by_action(engine, scope, start)
st.caption("，".join(f"{view.action_label(a)} {n}" for a, n in zip(counts["action"], counts["n"], strict=True)))
rows = view.audit_frame(audit_log.search(engine, scope, action or None, user or None, start, end), ctx.region_name)
st.dataframe(rows, hide_index=True, key="audit_table",
             column_config={"at": t("时间"), "user_name": t("用户"), "action": t("操作"), "target": t("对象"),
                            "region": t("地区"), "detail": st.column_config.TextColumn(t("详情"), width="large")})
st.caption(t("审计日志只追加、不修改；只显示您管辖范围内的记录，最多显示最近 {n} 条。", n=audit_log.MAX_ROWS))
frame.page_done()
