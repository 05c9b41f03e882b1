"""Unmasking personal data: staff only, inside their scope, with a recorded reason.

Every unmasked display is audited with the reason and the households shown;
the meeting screen never unmasks, whatever the viewer's role.
"""

from __future__ import annotations

import streamlit as st

from safetynet import audit, cache
from safetynet.i18n import t
from safetynet.ui.frame import PageContext

MIN_REASON = 4


def unmask_control(ctx: PageContext, key: str) -> str | None:
    """A reason form; returns the reason once given (kept for this screen), else None."""
    if not ctx.unmask_allowed:
        return None
    state_key = f"unmask_reason_{key}"
    if st.session_state.get(state_key):
        left, right = st.columns([6, 1])
        left.caption(t("正在显示完整个人信息（事由：{reason}），查看已记录。", reason=st.session_state[state_key]))
        if right.button(t("恢复脱敏"), key=f"remask_{key}"):
            st.session_state.pop(state_key, None)
            st.rerun()
        return st.session_state[state_key]
    with st.popover(t("查看完整信息"), icon=":material/visibility:"):
        reason = st.text_input(t("查看事由（必填，将记入审计日志）"), key=f"unmask_input_{key}", max_chars=200)
        if st.button(t("确认查看"), key=f"unmask_go_{key}", disabled=len(reason.strip()) < MIN_REASON):
            st.session_state[state_key] = reason.strip()
            st.rerun()
    return None


def record_unmask(ctx: PageContext, key: str, reason: str, hh_ids: list[int]) -> None:
    """Audit each distinct set of households shown unmasked (once per set per session)."""
    signature = (key, tuple(sorted(hh_ids)))
    seen = st.session_state.setdefault("_unmask_audited", set())
    if signature in seen or not hh_ids:
        return
    seen.add(signature)
    audit.record(cache.engine(ctx.url), ctx.user.username if ctx.user else None, "unmask", key,
                 reason=reason, households=hh_ids[:200], count=len(hh_ids), scope=ctx.filters.scope)
