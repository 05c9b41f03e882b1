"""数据管理 — import files (check first, then confirm), download templates, watch data health."""

import streamlit as st

from safetynet.i18n import t
from safetynet.ui import data_admin as admin
from safetynet.ui import frame

ctx = frame.page_context()
frame.page_header("数据管理", ctx)
user = ctx.user.username if getattr(ctx, "user", None) else st.session_state.get("user_name")

tab_import, tab_health, tab_templates = st.tabs([t("导入数据"), t("数据健康"), t("导入模板")])
with tab_import:
    admin.render_import(ctx, user)
with tab_health:
    admin.render_health(ctx)
with tab_templates:
    admin.render_templates()
frame.page_done()
