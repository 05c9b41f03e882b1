"""风险名单 — filter, sort and page the watchlist in the database; open a household's file."""

from dataclasses import replace

import streamlit as st

from safetynet import cache, i18n
from safetynet.i18n import t
from safetynet.queries import watchlist
from safetynet.ui import frame, unmask
from safetynet.ui import watchlist as controls
from safetynet.views import watchlist as wl_view

ctx = frame.page_context()
frame.page_header("风险名单", ctx)
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    st.stop()
user = st.session_state.get("user_name")

phone = frame.on_phone()
# on a phone the ten filters would push the list two screens down: they wait behind one tap
with st.expander(t("筛选条件"), icon=":material/filter_list:") if phone else st.container():
    query = controls.render_filters(ctx)
total = cache.load(ctx.url, ctx.version, watchlist.count, query)
page_no, pages = controls.current_page(query, total)
rows = cache.load(ctx.url, ctx.version, watchlist.page, replace(query, page=page_no))

# the breakdown of the rows listed (it adds up to 共 n 户), not of tiers the filter leaves out
tiers = cache.load(ctx.url, ctx.version, watchlist.tier_counts, query)
counts = wl_view.tier_breakdown(tiers, query.tiers)
st.markdown(f"**{t('共 {n} 户', n=i18n.fmt_count(total))}**　{counts}　·　"
            f"{t('第 {p}/{n} 页', p=page_no, n=pages)}")

reason = unmask.unmask_control(ctx, "watchlist")
if reason:
    unmask.record_unmask(ctx, "watchlist", reason, [int(h) for h in rows["hh_id"]])
shown = wl_view.display_frame(rows, unmasked=bool(reason))
if phone:
    controls.render_cards(shown)
    event = None
else:
    event = st.dataframe(
        shown.drop(columns=["hh_id"]), hide_index=True, key="watchlist_table", on_select="rerun",
        selection_mode="single-row", height=min(38 + 35 * max(len(shown), 1), 38 + 35 * 20),
        column_config=wl_view.column_labels() | {
            "score": st.column_config.ProgressColumn(t("评分"), min_value=0, max_value=100, format="%d"),
            "r": st.column_config.NumberColumn(t("收入/线"), format="%.2f", help=t(wl_view.R_HELP)),
            "tier": st.column_config.TextColumn(t("风险等级"), help=t(wl_view.TIER_HELP)),
            "reasons": st.column_config.TextColumn(t("主要原因"), width="large"),
        },
    )
if event is not None and event.selection.rows:
    st.switch_page("pages/household.py", query_params={"hh": str(int(shown.iloc[event.selection.rows[0]]["hh_id"]))})
how_to_open = t("点一户的“打开一户一档”查看详情。") if phone else t("点击一行打开一户一档。")
st.caption(how_to_open + ("" if reason else t("姓名、身份证号已脱敏。")))

controls.render_pager(pages, page_no)

controls.render_exports(ctx, query, total, user, unmasked=bool(reason))
controls.render_saved_views(ctx)
frame.score_disclaimer()
frame.page_done()
