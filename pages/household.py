"""一户一档 — one household's file: members, income against the line, score history, events,
help delivered, the paired helper, where it stands in the lifecycle, and 一户一策 with the staff's actions."""

import streamlit as st

from safetynet import cache
from safetynet.domain.lines import LineTable
from safetynet.i18n import t
from safetynet.queries import household_file as q
from safetynet.ui import casework as cw
from safetynet.ui import frame, unmask, widgets
from safetynet.ui import household as hh_ui
from safetynet.views import household as view

ctx = frame.page_context()
frame.page_header("一户一档", ctx)
hh_id = hh_ui.pick_household(ctx)
if hh_id is None:
    frame.page_done()
    st.stop()

scope = ctx.filters.scope
load = lambda fn: cache.load(ctx.url, ctx.version, fn, hh_id, scope)  # noqa: E731
info = load(q.household).iloc[0]
scores, members, months = load(q.scores), load(q.members), load(q.months)
aid, pairs, followups = load(q.assistance), load(q.pairings), load(q.followups)
hh_ui.render_summary(info, load(q.current), members)
labour = int(scores["labour"].iloc[-1]) if not scores.empty else 0
check = view.elimination_check(info, scores, len(aid), labour)

tab_income, tab_score, tab_members, tab_help, tab_life, tab_work = st.tabs(
    [t("收入与线"), t("风险评分"), t("家庭成员"), t("风险事件与帮扶"), t("动态管理"), t("一户一策")],
    default=t("一户一策") if cw.may_act(ctx) else None)  # staff open the file to act on it
with tab_income:
    lines = LineTable(cache.load(ctx.url, ctx.version, q.lines_for, info["adcode"]))
    frame_income = view.income_against_line(months, info, lines, len(members))
    widgets.chart(view.build_income_figure(frame_income, info["population"]), key="hh_income")
    st.caption(t("人均月净收入 =（家庭收入 − 刚性支出）÷ 人数；评分中的收入/线按近12个月计算。"))
with tab_score:
    widgets.chart(view.build_score_figure(scores), key="hh_scores")
    st.dataframe(view.reason_history(scores, view.category_of(info)), hide_index=True, key="hh_reasons",
                 column_config={"month": t("月份"), "score": t("评分"), "tier": t("风险等级"), "r": t("收入/线"),
                                "reasons": st.column_config.TextColumn(t("原因"), width="large")})
    frame.score_disclaimer()
with tab_members:
    reason = unmask.unmask_control(ctx, f"household-{hh_id}")
    if reason:
        unmask.record_unmask(ctx, f"household-{hh_id}", reason, [hh_id])
    st.dataframe(view.members_table(members, int(ctx.month) // 100, unmasked=bool(reason)), hide_index=True,
                 key="hh_members")
    if not reason:
        st.caption(t("姓名、身份证号已脱敏。"))
with tab_help:
    st.subheader(t("风险事件"))
    st.dataframe(view.events_table(load(q.events)), hide_index=True, key="hh_events")
    st.subheader(t("帮扶措施"))
    if aid.empty:
        st.warning(t("尚无帮扶记录。"))
    else:
        widgets.chart(view.build_assistance_figure(aid), key="hh_aid")
    hh_ui.render_helpers(pairs)
with tab_life:
    hh_ui.render_lifecycle(info, load(q.status_history), followups, check)
with tab_work:
    last_followup = followups["followed_on"].max() if not followups.empty else None
    cw.render_file_work(ctx, hh_id, info, pairs, len(aid), last_followup, check)
frame.page_done()
