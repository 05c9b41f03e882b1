"""用户管理 — accounts, roles and region scope (administrators only); every change is audited."""

import pandas as pd
import streamlit as st

from safetynet import auth, cache, i18n
from safetynet.i18n import t
from safetynet.ui import frame

ctx = frame.page_context()
frame.page_header("用户管理", ctx)
engine = cache.engine(ctx.url)
actor = ctx.user.username if ctx.user else None

users = pd.DataFrame(auth.list_users(engine))
if not users.empty:
    users["role"] = users["role"].map(lambda r: i18n.label(auth.ROLES[r]))
    users["scope"] = users["scope_adcode"].map(ctx.region_name)
    st.dataframe(users[["username", "display_name", "role", "scope", "active", "locked_until", "last_login_at"]],
                 hide_index=True, key="users_table",
                 column_config={"username": t("用户名"), "display_name": t("姓名"), "role": t("角色"),
                                "scope": t("管辖范围"), "active": t("启用"), "locked_until": t("锁定至"),
                                "last_login_at": t("最近登录")})

regions = ctx.regions[ctx.regions["level"] <= 3]
scopes = ["000000", *regions.index[regions["level"].between(1, 3)]]
left, right = st.columns(2)
with left, st.form("user_add"):
    st.subheader(t("新增用户"))
    username = st.text_input(t("用户名"), key="new_username")
    name = st.text_input(t("姓名"), key="new_name")
    role = st.selectbox(t("角色"), list(auth.ROLES), format_func=lambda r: i18n.label(auth.ROLES[r]), key="new_role")
    scope = st.selectbox(t("管辖范围"), scopes, format_func=ctx.region_name, key="new_scope")
    password = st.text_input(t("初始密码（至少8位）"), type="password", key="new_password")
    if st.form_submit_button(t("添加"), type="primary"):
        try:
            auth.create_user(engine, username, password, role, scope, name or None, actor=actor)
            st.success(t("已新增用户 {name}", name=username))
        except auth.AuthError as exc:
            st.error(str(exc))
with right, st.form("user_change"):
    st.subheader(t("停用、启用或重置密码"))
    target = st.selectbox(t("用户名"), list(users["username"]) if not users.empty else [], key="change_user")
    change = st.radio(t("操作"), ["disable", "enable", "password"], key="change_kind", horizontal=True,
                      format_func=lambda c: t({"disable": "停用", "enable": "启用", "password": "重置密码"}[c]))
    new_password = st.text_input(t("新密码"), type="password", key="change_password")
    if st.form_submit_button(t("执行")) and target:
        try:
            if change == "password":
                auth.set_password(engine, target, new_password, actor=actor)
            else:
                auth.set_active(engine, target, change == "enable", actor=actor)
            st.success(t("已完成"))
        except auth.AuthError as exc:
            st.error(str(exc))
frame.page_done()
