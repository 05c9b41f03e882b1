"""用户管理's 大屏令牌 section: issue a wall screen's link (shown once), list the tokens, revoke one.

The rules (scope inside the administrator's, name, expiry, audit) live in safetynet.display_tokens; this only
collects input and shows the result. A callback runs before the router, so it checks the session again.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import Engine

from safetynet import display_tokens
from safetynet.auth import AuthError
from safetynet.db.errors import WriteRefused
from safetynet.i18n import t
from safetynet.text import plain
from safetynet.ui import session
from safetynet.ui.frame import PageContext
from safetynet.views import users as view

ISSUED = "token_issued"  # the link just issued: popped when shown, so it is shown once
DONE = "token_done"


def _origin() -> str:
    """The app's address as this browser sees it (http://host:port[/base]), or "" when unknown (AppTest)."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 — no request context: a path is still a usable link
        return ""
    return url.split("?", 1)[0].rsplit("/", 1)[0] if "://" in url else ""


def _issue(engine: Engine, origin: str) -> None:
    actor = session.current_user()
    s = st.session_state
    if actor is None:
        return
    try:
        issued = display_tokens.issue(engine, s["token_name"], s["token_scope"], int(s["token_days"]), actor=actor)
    except (AuthError, WriteRefused) as exc:
        s[DONE] = ("error", plain(exc) if isinstance(exc, AuthError) else exc.localized())
        return
    s[ISSUED] = (issued.name, issued.expires_at, display_tokens.link(issued.token, origin))
    s["token_name"] = ""


def _revoke(engine: Engine) -> None:
    actor = session.current_user()
    s = st.session_state
    if actor is None or s.get("token_revoke") is None:
        return
    try:
        display_tokens.revoke(engine, int(s["token_revoke"]), actor=actor)
        s[DONE] = ("success", t("已撤销大屏令牌，使用它的大屏将在下一页时退出。"))
    except (AuthError, WriteRefused) as exc:
        s[DONE] = ("error", plain(exc) if isinstance(exc, AuthError) else exc.localized())


def render(ctx: PageContext, engine: Engine, scopes: list[str]) -> None:
    st.subheader(t("大屏令牌"))
    st.caption(t("会议室大屏的长期链接：无需密码，只能打开会议大屏，始终脱敏，不因无人操作而退出；"
                 "断电重启后打开同一链接即可。链接只在签发时显示一次。"))
    issued = st.session_state.pop(ISSUED, None)
    if issued is not None:
        name, expires, address = issued
        st.success(t("已签发大屏令牌“{name}”，有效期至{date}。请现在复制下面的链接，它不会再次显示。",
                     name=name, date=expires.strftime("%Y-%m-%d")), icon=":material/key:")
        st.code(address, language=None, wrap_lines=True)
    done = st.session_state.pop(DONE, None)
    if done is not None:
        (st.success if done[0] == "success" else st.error)(done[1])

    now = dt.datetime.now()
    rows = display_tokens.list_tokens(engine, ctx.me)
    if rows:
        st.dataframe(view.tokens_frame(rows, ctx.region_name, now), hide_index=True, key="tokens_table",
                     column_config={k: t(v) for k, v in view.TOKEN_COLUMNS.items()})
    else:
        st.caption(t("尚未签发大屏令牌。"))
    active = {r["token_id"]: r for r in rows if view.token_state(r, now) == "active"}

    left, right = st.columns(2)
    with left, st.form("token_issue"):
        st.markdown(f"**{t('签发大屏令牌')}**")
        st.text_input(t("大屏名称"), key="token_name", placeholder=t("例如：三楼会议室"),
                      max_chars=display_tokens.MAX_NAME)
        st.selectbox(t("显示范围"), scopes, format_func=ctx.region_name, key="token_scope")
        st.number_input(t("有效期（天）"), min_value=1, max_value=display_tokens.MAX_DAYS,
                        value=display_tokens.DEFAULT_DAYS, step=1, key="token_days")
        st.form_submit_button(t("签发"), type="primary", key="token_issue_submit", on_click=_issue,
                              args=(engine, _origin()))
    with right, st.form("token_revoke_form"):
        st.markdown(f"**{t('撤销大屏令牌')}**")
        st.selectbox(t("大屏令牌"), list(active), key="token_revoke", placeholder=t("没有有效的大屏令牌"),
                     format_func=lambda i: f"{i} · {active[i]['name']} · {ctx.region_name(active[i]['scope_adcode'])}"
                     if i in active else str(i))
        st.form_submit_button(t("撤销"), key="token_revoke_submit", on_click=_revoke, args=(engine,),
                              disabled=not active)
