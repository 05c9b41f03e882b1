"""审计日志 — who signed in, unmasked, exported, imported or changed users (administrators only)."""

import datetime as dt

import streamlit as st

from safetynet import cache
from safetynet.i18n import t
from safetynet.queries import audit_log
from safetynet.ui import frame

ctx = frame.page_context()
frame.page_header("审计日志", ctx)
engine = cache.engine(ctx.url)
ACTION_LABELS = {"": "全部", "sign_in": "登录", "sign_in_failed": "登录失败", "sign_out": "退出",
                 "unmask": "查看完整信息", "export": "导出", "import": "导入", "user_change": "用户变更", "demo": "演示数据"}

c1, c2, c3, c4 = st.columns(4)
action = c1.selectbox(t("操作"), list(ACTION_LABELS), format_func=lambda a: t(ACTION_LABELS[a]), key="audit_action")
user = c2.text_input(t("用户"), key="audit_user").strip()
start = c3.date_input(t("起始日期"), dt.date.today() - dt.timedelta(days=30), key="audit_start")
end = c4.date_input(t("结束日期"), dt.date.today(), key="audit_end")
counts = audit_log.counts_by_action(engine, start)
st.caption("，".join(f"{t(ACTION_LABELS.get(a, a))} {n}" for a, n in zip(counts["action"], counts["n"], strict=True)))
rows = audit_log.search(engine, action or None, user or None, start, end)
st.dataframe(rows[["at", "user_name", "action", "target", "detail"]], hide_index=True, key="audit_table",
             column_config={"at": t("时间"), "user_name": t("用户"), "action": t("操作"), "target": t("对象"),
                            "detail": st.column_config.TextColumn(t("详情"), width="large")})
st.caption(t("审计日志只追加、不修改；最多显示最近 {n} 条。", n=audit_log.MAX_ROWS))
frame.page_done()
