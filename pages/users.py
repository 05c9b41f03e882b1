"""用户管理 — accounts, roles and region scope, and the wall screens' display tokens (administrators only); every
change is audited.

An administrator sees and manages only the accounts inside their own scope, and grants only a scope inside
their own and a role no higher than their own (the rules live in auth; this page offers only what they allow).
"""

import streamlit as st

from safetynet import auth, cache, i18n
from safetynet.i18n import t
from safetynet.ui import display_tokens as token_section
from safetynet.ui import frame, session
from safetynet.views import users as view

ctx = frame.page_context()
frame.page_header("用户管理", ctx)
engine = cache.engine(ctx.url)
actor = ctx.user

rows = auth.list_users(engine, actor)
st.dataframe(view.users_frame(rows, ctx.region_name), hide_index=True, key="users_table",
             column_config={k: t(v) for k, v in view.COLUMNS.items()})

regions = ctx.regions[ctx.regions["level"].between(1, 3)]
scopes = auth.grantable_scopes(actor, [auth.NATION, *regions.index])


def _add(engine) -> None:
    actor = session.current_user()  # a callback runs before the router: check the session here too
    s = st.session_state
    if actor is None:
        return
    try:
        auth.create_user(engine, s["new_username"], s["new_password"], s["new_role"], s["new_scope"],
                         s["new_name"] or None, actor=actor)
        s["users_done"] = ("success", t("已新增用户 {name}", name=s["new_username"]))
    except auth.AuthError as exc:
        s["users_done"] = ("error", str(exc))


def _change(engine) -> None:
    actor = session.current_user()  # a callback runs before the router: check the session here too
    s = st.session_state
    if actor is None or not s.get("change_user"):
        return
    try:
        if s["change_kind"] == "password":
            auth.set_password(engine, s["change_user"], s["change_password"], actor=actor)
        else:
            auth.set_active(engine, s["change_user"], s["change_kind"] == "enable", actor=actor)
        s["users_done"] = ("success", t("已完成"))
    except auth.AuthError as exc:
        s["users_done"] = ("error", str(exc))


left, right = st.columns(2)
with left, st.form("user_add"):
    st.subheader(t("新增用户"))
    st.text_input(t("用户名"), key="new_username")
    st.text_input(t("姓名"), key="new_name")
    st.selectbox(t("角色"), auth.grantable_roles(actor), format_func=lambda r: i18n.label(auth.ROLES[r]), key="new_role")
    st.selectbox(t("管辖范围"), scopes, format_func=ctx.region_name, key="new_scope")
    st.text_input(t("初始密码（至少8位）"), type="password", key="new_password")
    st.form_submit_button(t("添加"), type="primary", key="user_add_submit", on_click=_add, args=(engine,))
with right, st.form("user_change"):
    st.subheader(t("停用、启用或重置密码"))
    st.selectbox(t("用户名"), [r["username"] for r in rows], key="change_user")
    st.radio(t("操作"), ["disable", "enable", "password"], key="change_kind", horizontal=True,
             format_func=lambda c: t({"disable": "停用", "enable": "启用", "password": "重置密码"}[c]))
    st.text_input(t("新密码"), type="password", key="change_password")
    st.form_submit_button(t("执行"), key="user_change_submit", on_click=_change, args=(engine,))
done = st.session_state.pop("users_done", None)
if done is not None:
    (st.success if done[0] == "success" else st.error)(done[1])
st.divider()
token_section.render(ctx, engine, scopes)  # 大屏令牌: a meeting room's wall screen, shown once, revocable
frame.page_done()
