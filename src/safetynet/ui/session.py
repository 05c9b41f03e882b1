"""Who is signed in: the sign-in screen, session expiry and the current user.

No page and no data is reachable without a signed-in user. Sessions expire
after SAFETYNET_SESSION_MINUTES of inactivity. With SAFETYNET_AUTH=oidc the
identity comes from Streamlit's st.login (an organisation's identity
provider) and is mapped to a role and scope through app_user.oidc_subject.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import Engine

from safetynet import auth, config, i18n
from safetynet.auth import AuthError, User
from safetynet.db.errors import WriteRefused
from safetynet.i18n import t
from safetynet.text import plain
from safetynet.ui import downloads

KEY = "auth"


def _now() -> dt.datetime:
    return dt.datetime.now()


def current_user() -> User | None:
    """The signed-in user, or None (expired sessions are signed out here)."""
    state = st.session_state.get(KEY)
    if not state:
        return None
    idle = dt.timedelta(minutes=config.get_int("SAFETYNET_SESSION_MINUTES"))
    if _now() - state["seen"] > idle:
        st.session_state.pop(KEY, None)
        st.session_state["auth_expired"] = True
        return None
    state["seen"] = _now()
    st.session_state["user_name"] = state["user"].username
    return state["user"]


def sign_in_as(user: User) -> None:
    st.session_state[KEY] = {"user": user, "at": _now(), "seen": _now()}
    st.session_state["user_name"] = user.username
    st.session_state.pop("auth_expired", None)


def sign_out(engine: Engine) -> None:
    """End the session. When the database cannot record it, the session still ends (it would be worse to keep
    it open) and the sign-in screen says that the sign-out is missing from the audit log."""
    from safetynet import audit

    user = current_user()
    unrecorded = None
    if user:
        try:
            audit.record(engine, user.username, "sign_out", user.username)
        except WriteRefused as exc:
            unrecorded = t("退出登录未能记入审计日志：{reason}", reason=exc.localized())
    downloads.forget_browser()  # this browser's download links stop working now
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if unrecorded:
        st.session_state["sign_out_unrecorded"] = unrecorded


def sign_in_screen(engine: Engine) -> None:
    """The only thing a signed-out visitor sees."""
    st.title(t("工会困难职工动态监测平台"))
    if st.session_state.get("auth_expired"):
        st.warning(t("登录已超时，请重新登录。"))
    if unrecorded := st.session_state.pop("sign_out_unrecorded", None):
        st.warning(unrecorded)
    if config.get("SAFETYNET_AUTH") == "oidc":
        _oidc_sign_in(engine)
        return
    with st.form("sign_in", border=True):
        st.subheader(t("登录"))
        username = st.text_input(t("用户名"), key="sign_in_user")
        password = st.text_input(t("密码"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("登录"), type="primary")
    if submitted:
        try:
            sign_in_as(auth.authenticate(engine, username, password))
        except AuthError as exc:
            st.error(plain(exc))
        except WriteRefused as exc:  # the database went away between the check and the write
            st.error(t("无法登录：{reason}", reason=exc.localized()))
        else:
            st.rerun()
    if config.demo_mode():
        _demo_buttons(engine)


def _demo_buttons(engine: Engine) -> None:
    st.info(t("演示模式：以下为演示账号，数据均为虚构。生产环境请设置 SAFETYNET_DEMO_MODE=0。"))
    try:
        auth.ensure_demo_users(engine)
    except AuthError:  # a read-only database: the banner says so, and signing in is refused below
        pass
    cols = st.columns(len(auth.DEMO_USERS))
    for col, (username, name, _role, _scope) in zip(cols, auth.DEMO_USERS, strict=True):
        if col.button(t(name), key=f"demo_{username}", use_container_width=True):
            try:
                sign_in_as(auth.authenticate(engine, username, auth.DEMO_PASSWORD))
            except AuthError as exc:
                st.error(plain(exc))
            except WriteRefused as exc:
                st.error(t("无法登录：{reason}", reason=exc.localized()))
            else:
                st.rerun()


def _oidc_sign_in(engine: Engine) -> None:
    if not st.user.is_logged_in:
        st.button(t("通过单位统一身份认证登录"), on_click=st.login, type="primary", key="oidc_login")
        return
    subject = st.user.get("sub") or st.user.get("email")
    user = auth.user_by_subject(engine, str(subject)) if subject else None
    if user is None:
        st.error(t("此账号尚未开通，请联系管理员。"))
        st.button(t("退出"), on_click=st.logout, key="oidc_logout")
        return
    sign_in_as(user)
    st.rerun()


def user_badge(engine: Engine, user: User) -> None:
    """Sidebar: who is signed in, their scope, and sign-out."""
    role = i18n.label(auth.ROLES[user.role])
    st.sidebar.caption(f"{plain(user.display_name)} · {role}")  # a display name is stored text
    st.sidebar.button(t("退出登录"), key="sign_out", on_click=sign_out, args=(engine,))
