"""Who is signed in: the sign-in screen, session expiry and the current user.

No page and no data is reachable without a signed-in user. Sessions expire
after SAFETYNET_SESSION_MINUTES of inactivity. A sign-in is kept for the
browser (safetynet.sessions), so a reload or a new tab stays signed in; every
rerun — fragments included — checks expiry and that the account is still
enabled with the same password. With SAFETYNET_AUTH=oidc the identity comes
from Streamlit's st.login (an organisation's identity provider) and is mapped
to a role and scope through app_user.oidc_subject. A wall screen's link
(/meeting?display=<token>, safetynet.display_tokens) signs in as a display
pseudo-user instead: the meeting screen only, masked, no idle expiry, the
token checked on every rerun.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import streamlit as st
from sqlalchemy import Engine

from safetynet import auth, cache, config, display_tokens, i18n, sessions
from safetynet.auth import AuthError, User
from safetynet.db.errors import WriteRefused
from safetynet.i18n import t
from safetynet.text import plain
from safetynet.ui import downloads

KEY = "auth"


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _idle() -> dt.timedelta:
    return dt.timedelta(minutes=config.get_int("SAFETYNET_SESSION_MINUTES"))


def current_user(touch: bool = True) -> User | None:
    """The signed-in user, or None: an idle session, or one whose account was disabled or had its password
    reset, is signed out here. `touch=False` (a slide refreshing itself on a timer) checks without counting
    as use, so an unattended screen still expires."""
    engine = cache.engine(config.db_url())
    state = st.session_state.get(KEY)
    if state and state.get("display") is not None:  # a wall screen: no idle expiry, the token checked instead
        if display_tokens.still_valid(engine, state["display"], _now()):
            st.session_state["user_name"] = state["user"].username
            return state["user"]
        st.session_state.pop(KEY, None)  # revoked or expired: the next call says why (the URL still names it)
        st.session_state["display_ended"] = True
        state = None
    if state and _now() - state["seen"] > _idle():
        st.session_state.pop(KEY, None)
        state = None
        st.session_state["auth_expired"] = True
    if state and sessions.current_epoch(engine, state["user"].user_id) != state.get("epoch"):
        st.session_state.pop(KEY, None)
        sessions.end(engine, downloads.browser())
        st.session_state["auth_ended"] = True
        return None
    if state and state.get("kept") and not sessions.is_kept(engine, downloads.browser(), state["user"].user_id):
        st.session_state.pop(KEY, None)  # signed out in another tab of this browser (or signed in as another user)
        st.session_state["auth_signed_out"] = True
        return None
    if not state and display_tokens.PARAM in st.query_params:  # a wall screen's link: the token decides
        return _open_display(engine, st.query_params[display_tokens.PARAM])
    if not state:
        # a reload, a new tab, or this tab idle while another of the same browser was in use
        resumed = sessions.resume(engine, downloads.browser(), _now(), _idle())
        if resumed is None:
            return None
        user, epoch = resumed
        state = st.session_state[KEY] = {"user": user, "epoch": epoch, "at": _now(), "seen": _now(), "kept": True}
        st.session_state.pop("auth_expired", None)
        st.session_state.pop("auth_signed_out", None)
    if touch:
        state["seen"] = _now()
        last = state.get("touched")  # when this tab last wrote the browser's seen_at: at most once a minute
        if last is None or _now() - last >= sessions.SEEN_RESOLUTION:
            sessions.touch(engine, downloads.browser(), _now())
            state["touched"] = _now()
    st.session_state["user_name"] = state["user"].username
    return state["user"]


def _open_display(engine: Engine, token: str) -> User | None:
    """Start a display token's session (safetynet.display_tokens), audited once; a refusal is kept for the sign-in
    screen and not tried again in this session (each call would add an audit row)."""
    refused = st.session_state.get("display_refused")
    if refused and refused[0] == token:
        return None
    try:
        user, token_id = display_tokens.open_screen(engine, token, _now())
    except AuthError as exc:
        st.session_state["display_refused"] = (token, plain(exc))
        return None
    st.session_state[KEY] = {"user": user, "display": token_id, "at": _now(), "seen": _now()}
    for key in ("display_refused", "display_ended", "auth_expired", "auth_ended", "auth_signed_out"):
        st.session_state.pop(key, None)
    st.session_state["user_name"] = user.username
    return user


class Client(TypedDict):
    """auth.authenticate's keyword arguments for the back-off."""
    browser: str | None
    address: str | None


def _client() -> Client:
    """Who is trying to sign in, for the back-off: this browser's cookie and the address the server sees."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 — no request context (AppTest): no address
        address = None
    return {"browser": downloads.browser(), "address": address}


def sign_in_as(engine: Engine, user: User) -> None:
    browser = downloads.browser()
    epoch = sessions.start(engine, user, browser, _now())
    kept = sessions.is_kept(engine, browser, user.user_id)  # False without a cookie or when the row could not be kept
    st.session_state[KEY] = {"user": user, "epoch": epoch, "at": _now(), "seen": _now(), "touched": _now(),
                             "kept": kept}
    st.session_state["user_name"] = user.username
    st.session_state.pop("auth_expired", None)
    st.session_state.pop("auth_ended", None)
    st.session_state.pop("auth_signed_out", None)


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
    sessions.end(engine, downloads.browser())  # a reload asks for the password again
    downloads.forget_browser()  # this browser's download links stop working now
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if unrecorded:
        st.session_state["sign_out_unrecorded"] = unrecorded


def sign_in_screen(engine: Engine) -> None:
    """The only thing a signed-out visitor sees."""
    st.title(t("工会困难职工动态监测平台"))
    if st.session_state.get("auth_ended"):
        st.warning(t("账号已停用或密码已重置，请重新登录。"))
    elif st.session_state.get("auth_expired"):
        st.warning(t("登录已超时，请重新登录。"))
    elif st.session_state.get("auth_signed_out"):
        st.info(t("已在本浏览器的其他标签页退出登录。"))
    if refused := st.session_state.get("display_refused"):  # a wall screen's link that no longer opens
        st.error(refused[1], icon=":material/tv_off:")
    elif st.session_state.get("display_ended"):
        st.error(t("大屏令牌已失效，请联系管理员重新签发。"), icon=":material/tv_off:")
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
            sign_in_as(engine, auth.authenticate(engine, username, password, **_client()))
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
                sign_in_as(engine, auth.authenticate(engine, username, auth.DEMO_PASSWORD, **_client()))
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
    sign_in_as(engine, user)
    st.rerun()


def user_badge(engine: Engine, user: User) -> None:
    """Sidebar: who is signed in, their scope, and sign-out (a wall screen has no one to sign out)."""
    if user.is_display:
        st.sidebar.caption(f"{plain(user.display_name)} · {t('大屏令牌')}")
        return
    role = i18n.label(auth.ROLES[user.role])
    st.sidebar.caption(f"{plain(user.display_name)} · {role}")  # a display name is stored text
    st.sidebar.button(t("退出登录"), key="sign_out", on_click=sign_out, args=(engine,))
