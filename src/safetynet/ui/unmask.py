"""Unmasking personal data: staff only, inside their scope, with a recorded reason.

Every unmasked display is audited with the reason and the households shown;
the meeting screen never unmasks, whatever the viewer's role. The screen
says 查看已记录 only once the audit row is written: when the database cannot
take it (read-only, or its file gone), the data stays masked and the screen
says why.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from safetynet import audit, cache
from safetynet.db import health
from safetynet.db.errors import WriteRefused
from safetynet.i18n import t
from safetynet.ui.frame import PageContext

MIN_REASON = 4


class Reason(str):
    """The reason given for unmasking, and the place on the screen that says whether the viewing was recorded."""

    slot: DeltaGenerator | None = None


def unmask_control(ctx: PageContext, key: str) -> Reason | None:
    """A reason form; returns the reason once given (kept for this screen), else None."""
    if not ctx.unmask_allowed:
        return None
    state_key = f"unmask_reason_{key}"
    if refused := st.session_state.pop(f"unmask_refused_{key}", None):
        st.error(refused)
    if st.session_state.get(state_key):
        left, right = st.columns([6, 1])
        reason = Reason(st.session_state[state_key])
        reason.slot = left.empty()
        reason.slot.caption(t("正在显示完整个人信息（事由：{reason}）。", reason=reason))
        if right.button(t("恢复脱敏"), key=f"remask_{key}"):
            st.session_state.pop(state_key, None)
            st.rerun()
        return reason
    with st.popover(t("查看完整信息"), icon=":material/visibility:"):
        given = st.text_input(t("查看事由（必填，将记入审计日志）"), key=f"unmask_input_{key}", max_chars=200)
        st.button(t("确认查看"), key=f"unmask_go_{key}", disabled=len(given.strip()) < MIN_REASON,
                  on_click=_confirm, args=(ctx.url, key))
    return None


def _confirm(url: str, key: str) -> None:
    """The reason is kept (and the next run unmasks) only when the viewing can be recorded."""
    try:
        health.check_writable(cache.engine(url))
    except WriteRefused as exc:
        st.session_state[f"unmask_refused_{key}"] = t("无法查看完整信息：{reason}", reason=exc.localized())
        return
    st.session_state[f"unmask_reason_{key}"] = st.session_state.get(f"unmask_input_{key}", "").strip()


def record_unmask(ctx: PageContext, key: str, reason: str, hh_ids: list[int]) -> None:
    """Audit each distinct set of households shown unmasked (once per set per session).

    When the row cannot be written, the reason is withdrawn and the screen reruns masked with the refusal.
    """
    signature = (key, tuple(sorted(hh_ids)))
    seen = st.session_state.setdefault("_unmask_audited", set())
    if not hh_ids:
        return
    if signature not in seen:
        try:
            audit.record(cache.engine(ctx.url), ctx.user.username if ctx.user else None, "unmask", key,
                         region=audit.region_of_households(cache.engine(ctx.url), hh_ids),
                         reason=reason, households=hh_ids[:200], count=len(hh_ids), scope=ctx.filters.scope)
        except WriteRefused as exc:
            st.session_state.pop(f"unmask_reason_{key}", None)
            st.session_state[f"unmask_refused_{key}"] = t("无法查看完整信息：{reason}", reason=exc.localized())
            st.rerun()
        seen.add(signature)  # only once the row is written: a failed record is tried again, never skipped
    slot = getattr(reason, "slot", None)
    if slot is not None:
        slot.caption(t("正在显示完整个人信息（事由：{reason}），查看已记录。", reason=str(reason)))
