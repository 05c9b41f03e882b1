"""Pieces of the household file screen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from safetynet import cache, i18n, privacy, urlparams
from safetynet.domain import codes, lifecycle
from safetynet.i18n import t
from safetynet.queries import household_file
from safetynet.ui import urlstate
from safetynet.ui.casework import plain, render_checklist
from safetynet.ui.frame import PageContext
from safetynet.views.casework import fmt_day
from safetynet.views.household import category_of


def pick_household(ctx: PageContext) -> int | None:
    """The household named by ?hh= (from the watchlist), or one found by file number."""
    hh_id = urlstate.url_id("hh", urlparams.INVALID_HOUSEHOLD)  # malformed: refused before any query
    with st.form("hh_find", border=False):
        left, right = st.columns([4, 1], vertical_alignment="bottom")
        file_no = left.text_input(t("档案编号"), key="hh_file_no", placeholder="520102-N00000123")
        found = right.form_submit_button(t("打开档案"))
    if found and file_no.strip():
        hit = household_file.find(cache.engine(ctx.url), file_no, ctx.filters.scope)
        if hit is None:
            st.error(t("未找到档案编号 {no}", no=file_no.strip()))
        else:
            st.query_params["hh"] = str(hit)
            hh_id = hit
    if hh_id is None:
        st.info(t("请从风险名单点击一户，或输入档案编号。"))
        return None
    household: pd.DataFrame = cache.load(ctx.url, ctx.version, household_file.household, hh_id, ctx.filters.scope)
    if household.empty:
        st.error(t("没有这户档案，或不在您的管辖范围内。"))
        return None
    return hh_id


def render_summary(info: pd.Series, current: pd.DataFrame, members: pd.DataFrame) -> None:
    head = members[members["relation"] == "01"]
    head_name = privacy.mask_name(head["name"].iloc[0]) if not head.empty else "—"
    category = category_of(info)
    tier = current["tier"].iloc[0] if not current.empty else None
    score = int(current["score"].iloc[0]) if not current.empty else None
    st.subheader(plain(f"{info['file_no']} · {head_name}"))  # file numbers are entered on screen too
    r = current["r"].iloc[0] if not current.empty else None
    cols = st.columns(4)
    cols[0].metric(t("风险等级"), i18n.label(codes.TIERS[tier]) if tier else "—", border=True)
    cols[1].metric(t("评分"), score if score is not None else "—", border=True)
    cols[2].metric(t("收入/线"), f"{r:.2f}" if r is not None and pd.notna(r) else "—", border=True,
                   help=t("（家庭收入 − 刚性支出）÷ 人数 ÷ 线，近12个月"))
    cols[3].metric(t("家庭人口"), len(members), border=True)
    status = info["status"] if i18n.lang() == "zh" else codes.FILE_STATUS[info["status"]]
    st.markdown(f"**{i18n.label(codes.CATEGORIES[category])}** · {t('档案状态')}：**{plain(status)}**")
    facts = [info["area"], info["site_name"] if pd.notna(info["site_name"]) else None,
             f"{t('认定日期')} {fmt_day(info['identified_on'])}", f"{t('发现渠道')} {info['source']}",
             info["org_name"] if pd.notna(info["org_name"]) else None]
    st.caption(plain(" · ".join(str(f) for f in facts if f)))
    if current.empty:
        st.info(t("尚无评分：这户还没有月度观测数据，导入观测后自动评分。"))
    else:
        reasons = current["reasons"].iloc[0] if i18n.lang() == "zh" else current["reasons_en"].iloc[0]
        if reasons:
            st.markdown(f"**{t('主要原因')}**：{plain(reasons)}")  # stored: other systems write the shared tables


def render_helpers(pairs: pd.DataFrame) -> None:
    st.subheader(t("结对帮扶"))
    if pairs.empty:
        st.warning(t("尚未安排结对帮扶责任人。"))
        return
    shown = pd.DataFrame({
        t("帮扶责任人"): [n if kind == "单位" else privacy.mask_name(n)
                     for n, kind in zip(pairs["helper_name"], pairs["helper_kind"], strict=True)],
        t("类型"): pairs["helper_kind"], t("单位"): pairs["unit"].fillna(""),
        t("联系电话"): pairs["helper_phone"].map(privacy.mask_phone),
        t("开始"): pairs["start_on"].map(fmt_day), t("结束"): pairs["end_on"].map(fmt_day),
    })
    st.dataframe(shown, hide_index=True, key="hh_helpers")


def render_lifecycle(info: pd.Series, history: pd.DataFrame, followups: pd.DataFrame,
                     check: lifecycle.EliminationCheck) -> None:
    st.subheader(t("风险消除条件（截至最新月份）"))
    render_checklist([(c.ok, c.text_zh if i18n.lang() == "zh" else c.text_en) for c in check.conditions])
    if check.never_automatic:
        st.warning(t("整户无劳动力：不自动消除，持续跟踪。"))
    elif check.eligible:
        st.success(t("各项条件均已满足，可以提出风险消除（仍需入户核实、评议公示和审核）。")
                   + ("" if check.buffer_ok else " " + t("建议：收入/线尚未稳定在1.1以上。")))
    else:
        st.info(t("尚不满足风险消除条件。"))
    st.subheader(t("档案状态变化"))
    if not history.empty:
        st.dataframe(pd.DataFrame({
            t("日期"): history["changed_on"].map(fmt_day),
            t("原状态"): history["from_status"].fillna(""), t("新状态"): history["to_status"],
            t("消除方式"): history["method"].fillna(""),
            t("返贫返困"): history["is_relapse"].map(lambda x: t("是") if bool(x) else ""),
        }), hide_index=True, key="hh_history")
    if not followups.empty:
        st.subheader(t("回访记录"))
        st.dataframe(pd.DataFrame({
            t("日期"): followups["followed_on"].map(fmt_day), t("方式"): followups["method"].map(t),
            t("回访人"): followups["visitor"].fillna(""), t("发现"): followups["finding"].fillna(""),
        }), hide_index=True, key="hh_followups")
