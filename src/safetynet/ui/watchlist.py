"""Watchlist controls: filters bound to the URL, saved views, paging, exports."""

from __future__ import annotations

import datetime as dt
import math
import urllib.parse
from collections.abc import Sequence
from typing import TypedDict, cast

import pandas as pd
import streamlit as st

from safetynet import audit, cache, exports, i18n, text
from safetynet.db import health
from safetynet.db.errors import WriteRefused
from safetynet.domain import codes, risk
from safetynet.domain.months import add_months
from safetynet.i18n import t
from safetynet.queries import regions as region_queries
from safetynet.queries import saved_views, watchlist
from safetynet.queries.watchlist import WatchlistQuery
from safetynet.ui import downloads, urlstate
from safetynet.ui.casework import plain
from safetynet.ui.frame import ALL, PageContext, labels_of
from safetynet.views import export_filters
from safetynet.views import watchlist as wl_view

# the options' labels live with the description of an export's filters, which names them the same way
FLAG_LABELS, WORK_LABELS = export_filters.FLAG_LABELS, export_filters.WORK_LABELS
SORT_LABELS, NEW_SINCE = export_filters.SORT_LABELS, export_filters.NEW_SINCE
WORK_HELP = ("逾期未办：预警线索的入户核实或认定决定、或回访已超过期限（按工作日和各地时限计算，截至今天）。"
             "我负责的：档案或未办结的线索分配给您。待审批消除：已提出风险消除、等待上级审批。"
             "无一户一策：在档或帮扶中、本次纳入以来还没有帮扶措施的档案。")
# every key the watchlist keeps in the URL (saved views store exactly these)
URL_KEYS = ("prov", "pref", "county", "pop", "cat", "tier", "factor", "site", "ind", "wflag", "work", "new", "sort")
MULTI_KEYS = ("tier", "wflag", "work")


_factor_label = export_filters.factor_label


def render_filters(ctx: PageContext) -> WatchlistQuery:
    """The watchlist's own filters (the sidebar holds region and category)."""
    sites: pd.DataFrame = cache.load(ctx.url, ctx.version, watchlist.sites_in_scope, ctx.filters, ctx.level)
    industries: pd.DataFrame = cache.load(ctx.url, ctx.version, watchlist.industries)
    site_names = dict(zip(sites["site_id"].astype(str), sites["name"], strict=True))
    ind_col = "name_zh" if i18n.lang() == "zh" else "name_en"
    ind_names = dict(zip(industries["code"], industries[ind_col], strict=True))

    c1, c2, c3, c4 = st.columns([3, 3, 3, 3])
    with c1:
        urlstate.seed_many("tier", list(codes.TIERS), watchlist.DEFAULT_TIERS)
        tiers = st.pills(t("风险等级"), list(codes.TIERS), selection_mode="multi", key="tier",
                         format_func=lambda k: i18n.label(codes.TIERS[k]))
        urlstate.publish("tier", tiers, list(watchlist.DEFAULT_TIERS))
    with c2:
        factors = [ALL, "trigger", *risk.FACTORS]
        urlstate.seed("factor", factors, ALL)
        factor = st.selectbox(t("风险因素"), factors, key="factor", format_func=_factor_label)
        urlstate.publish("factor", factor, ALL)
    with c3:
        site_options = [ALL, *site_names]
        urlstate.seed("site", site_options, ALL)
        site = st.selectbox(t("安置点"), site_options, key="site",
                            format_func=lambda s: t("全部") if s == ALL else site_names[s])
        urlstate.publish("site", site, ALL)
    with c4:
        ind_options = [ALL, *ind_names]
        urlstate.seed("ind", ind_options, ALL)
        industry = st.selectbox(t("行业"), ind_options, key="ind",
                                format_func=lambda c: t("全部") if c == ALL else ind_names[c])
        urlstate.publish("ind", industry, ALL)

    # 关注 has five long pills: a row of its own, or the last one is cut off on a laptop
    urlstate.seed_many("wflag", list(FLAG_LABELS))
    flags = st.pills(t("关注"), list(FLAG_LABELS), selection_mode="multi", key="wflag",
                     format_func=lambda k: t(FLAG_LABELS[k]))
    urlstate.publish("wflag", flags, [])

    me = ctx.user.username if ctx.user else None
    work_options = [k for k in WORK_LABELS if k != "mine" or me]
    c5, c6, c7 = st.columns([6, 3, 3])
    with c5:
        urlstate.seed_many("work", work_options)
        work = st.pills(t("办理进度"), work_options, selection_mode="multi", key="work",
                        format_func=lambda k: t(WORK_LABELS[k]), help=t(WORK_HELP))
        urlstate.publish("work", work, [])
    with c6:
        urlstate.seed("new", list(NEW_SINCE), "")
        new = st.selectbox(t("新增高风险"), list(NEW_SINCE), key="new", format_func=lambda k: t(NEW_SINCE[k]))
        urlstate.publish("new", new, "")
    with c7:
        urlstate.seed("sort", list(SORT_LABELS), "score")
        sort = st.selectbox(t("排序"), list(SORT_LABELS), key="sort", format_func=lambda k: t(SORT_LABELS[k]))
        urlstate.publish("sort", sort, "score")

    assert ctx.month is not None  # the page stops before its filters when no month is scored yet
    new_since = add_months(ctx.month, -(int(new) - 1)) if new else None
    return WatchlistQuery(
        filters=ctx.filters, level=ctx.level, month=ctx.month, tiers=tuple(tiers or ()),
        site_id=int(site) if site != ALL else None, industry=industry or None, factor=factor or None,
        flags=tuple(flags or ()), new_since=new_since, sort=sort,
        work=tuple(work or ()), me=me, hh_ids=_households_behind(ctx, tuple(work or ())),
    )


def _households_behind(ctx: PageContext, work: tuple[str, ...]) -> tuple[int, ...] | None:
    """The households domain.progress finds overdue / without a plan today, for the filters that need them."""
    computed = [w for w in work if w in watchlist.COMPUTED_WORK]
    if not computed:
        return None
    behind = cache.load_households_behind(ctx.url, ctx.version, ctx.filters, ctx.level, dt.date.today())
    return tuple(sorted(int(h) for h in behind.loc[behind[computed].all(axis=1), "hh_id"]))


def current_page(query: WatchlistQuery, total: int) -> tuple[int, int]:
    """The page of `total` matching households to list, and how many pages there are: (page number, pages).

    The page number lives in the URL-bound "page" key (a string, so ?page=3 reopens the same page and an invalid
    or too large one falls back to 1). New filters start again at page 1: page 7 of the old list means nothing in
    the new one (the last query is kept in "wl_query" to notice the change). Seeded here, before the rows are
    loaded, because the rows depend on it; `render_pager` draws the pager under the table."""
    pages = max(1, math.ceil(total / query.page_size))
    if st.session_state.get("wl_query") not in (None, query):  # new filters start again at page 1
        st.session_state["page"] = "1"
    st.session_state["wl_query"] = query
    urlstate.seed("page", [str(i) for i in range(1, pages + 1)], "1")
    return int(st.session_state["page"]), pages


def render_pager(pages: int, page_no: int) -> None:
    """The pager under the table, mirrored into the URL-bound "page" key `current_page` reads.

    st.pagination's own value is a number, so it cannot be the URL-bound key itself: its choice is copied into
    "page" and the script reruns, since the rows above were loaded for the old page. Its key names the page count
    and the page, so that when either changes outside the pager (new filters reset the page to 1 and change the
    count) a fresh pager starts at the right page instead of keeping its old value. Then the page goes into the
    URL (absent when it is 1)."""
    chosen = st.pagination(pages, default=page_no, key=f"pager_{pages}_{page_no}")
    if str(chosen) != st.session_state["page"]:
        st.session_state["page"] = str(chosen)
        st.rerun()
    urlstate.publish("page", st.session_state["page"], "1")


def current_query_string() -> str:
    """The view's URL parameters (codes), as a saved view stores them."""
    pairs = [(k, v) for k in URL_KEYS for v in st.query_params.get_all(k)]
    return urllib.parse.urlencode(pairs)


def apply_query_string(query: str) -> None:
    """Load a saved view: reset the watchlist's widgets and seed them from the stored query."""
    parsed = urllib.parse.parse_qs(query)
    for key in URL_KEYS:
        st.session_state.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]
    for key, values in parsed.items():
        if key in URL_KEYS:
            st.query_params[key] = values if len(values) > 1 or key in MULTI_KEYS else values[0]
    st.session_state.pop("page", None)


def _view_label(view) -> str:
    """A view in the list: own ones by name, shared ones with who shared them.

    Select options are plain text (never Markdown): the stored name is filled into the translated template as it
    is, not escaped."""
    if view.own:
        return t("{name}（我共享的）").format(name=view.name) if view.shared else str(view.name)
    owner = next((str(o) for o in (view.owner_name, view.owner) if isinstance(o, str) and o), None)
    if owner is None:  # a view from before views had owners, shared nationwide by the migration
        return t("{name}（共享）").format(name=view.name)
    return t("{name}（{owner}共享）").format(name=view.name, owner=owner)


def _flash(kind: str, text: str) -> None:
    st.session_state["view_flash"] = (kind, text)


def _picked_view() -> int:
    """The view chosen in the list: its select is drawn above the buttons whose callbacks read it."""
    return cast(int, st.session_state.get("view_pick"))


def _open_view(engine, user) -> None:
    query = saved_views.open_view(engine, _picked_view(), "watchlist", user)
    if query is None:
        _flash("error", t(saved_views.NOT_FOUND))
    else:
        apply_query_string(query)


def _save_view(engine, user) -> None:
    name = st.session_state.get("view_name", "")
    try:
        saved_views.save_view(engine, name, "watchlist", current_query_string(), user,
                              shared=bool(st.session_state.get("view_shared")))
    except WriteRefused as exc:
        _flash("error", t("无法保存视图：{reason}", reason=exc.localized()))
    else:
        _flash("success", t("已保存：{name}", name=plain(name.strip())))


def _delete_view(engine, user, name: str) -> None:
    try:
        saved_views.delete_view(engine, _picked_view(), user)
    except WriteRefused as exc:
        _flash("error", t("无法删除视图：{reason}", reason=exc.localized()))
    else:
        st.session_state.pop("view_pick", None)
        _flash("success", t("已删除：{name}", name=plain(name)))


def render_saved_views(ctx: PageContext) -> None:
    """The user's own views and those shared with them; save (optionally shared in scope), open, delete own.

    The buttons act in callbacks, before the script reruns: the list drawn after them is already the new one."""
    engine, user = cache.engine(ctx.url), ctx.me
    views = saved_views.list_views(engine, "watchlist", user).set_index("view_id")
    with st.expander(t("已保存的视图"), expanded=False):
        flash = st.session_state.pop("view_flash", None)
        if flash:
            (st.success if flash[0] == "success" else st.error)(flash[1])
        left, right = st.columns(2)
        with left:
            if views.empty:
                st.caption(t("还没有保存的视图。"))
            else:
                labels = {int(v.view_id): _view_label(v) for v in views.reset_index().itertuples(index=False)}
                chosen = st.selectbox(t("打开视图"), list(labels), key="view_pick", format_func=labels_of(labels))
                st.button(t("打开"), key="view_open", on_click=_open_view, args=(engine, user))
                if chosen in views.index and views.at[chosen, "own"]:
                    st.button(t("删除视图"), key="view_delete", on_click=_delete_view,
                              args=(engine, user, str(views.at[chosen, "name"])))
        with right:
            name = st.text_input(t("将当前筛选保存为"), key="view_name", max_chars=saved_views.MAX_NAME)
            st.checkbox(t("共享给管辖范围内的同事"), key="view_shared",
                        help=t("管辖范围在{region}以内的同事能看到并打开这个视图；只有您能修改或删除它。",
                               region=ctx.region_name(user.scope)))
            st.button(t("保存视图"), key="view_save", disabled=not name.strip(), on_click=_save_view,
                      args=(engine, user))


def describe_filters(query: WatchlistQuery, regions: pd.DataFrame, sites: pd.DataFrame,
                     industries: pd.DataFrame) -> str:
    """The query's filters by name ("地区 贵州省；风险等级 高风险；…") in the current language."""
    return export_filters.filters_text(export_filters.describe_watchlist(query, regions, sites, industries))


def build_export(engine, query: WatchlistQuery, user: str | None, header: str | Sequence[str], fmt: str, *,
                 unmasked: bool, view_query: str, region: str, scope: str) -> bytes:
    """The export file's bytes; records the export (rows, filters, masking) in the audit log.

    The audit row names the filters in Chinese, read from the query itself (so no caller can record other
    filters than the rows were chosen by), next to the URL's parameters (`query`) that reopen the view.
    The audit row is written before the file is made: when it cannot be (WriteRefused), there is no file."""
    frame = wl_view.export_frame(watchlist.export_rows(engine, query), unmasked=unmasked)
    regions = region_queries.load_regions(engine).set_index("adcode", drop=False)
    filters = export_filters.in_chinese(lambda: describe_filters(
        query, regions, watchlist.sites_in_scope(engine, query.filters, query.level), watchlist.industries(engine)))
    audit.record(engine, user, "export", "watchlist", rows=len(frame), format=fmt, filters=filters, query=view_query,
                 region=region, scope=scope, masked=not unmasked)
    return exports.to_csv_bytes(frame, header) if fmt == "csv" else exports.to_xlsx_bytes(frame, header)


class ExportOptions(TypedDict):
    """build_export's keyword arguments, the same for both formats."""
    unmasked: bool
    view_query: str
    region: str
    scope: str


def render_exports(ctx: PageContext, query: WatchlistQuery, total: int, user: str | None,
                   unmasked: bool = False) -> None:
    engine = cache.engine(ctx.url)
    view_query = current_query_string()  # read here: the download callable runs outside the script thread
    what = f"{t('风险名单')} · {ctx.region_name()} · {t('共 {n} 户', n=total)}"
    sites = cache.load(ctx.url, ctx.version, watchlist.sites_in_scope, ctx.filters, ctx.level)
    industries = cache.load(ctx.url, ctx.version, watchlist.industries)
    # the header in the reader's language, made here: the download callable runs outside this run's language
    header = exports.header_lines(user or t("未登录用户"), what, describe_filters(query, ctx.regions, sites, industries))
    options = ExportOptions(unmasked=unmasked and ctx.unmask_allowed, view_query=view_query,
                            region=ctx.filters.region, scope=ctx.filters.scope)
    refused = health.problem(engine)  # an export must be recorded: refused while the database cannot take it
    if refused is not None:
        st.error(t("无法导出：{reason}", reason=refused.localized()))
    off = total == 0 or refused is not None
    left, right, _ = st.columns([2, 2, 8])
    with left:
        downloads.download_button(t("导出 CSV"), lambda: build_export(engine, query, user, header, "csv", **options),
                                  file_name=f"watchlist-{ctx.month}.csv", mime=exports.CSV_MIME, key="export_csv",
                                  disabled=off)
    with right:
        downloads.download_button(t("导出 Excel"), lambda: build_export(engine, query, user, header, "xlsx", **options),
                                  file_name=f"watchlist-{ctx.month}.xlsx", key="export_xlsx", mime=exports.XLSX_MIME,
                                  disabled=off)
    if total > watchlist.EXPORT_LIMIT:
        st.caption(t("导出最多 {n} 行，请缩小筛选范围。", n=i18n.fmt_count(watchlist.EXPORT_LIMIT)))


def render_cards(shown: pd.DataFrame) -> None:
    """A phone's watchlist: a compact card per household with its file one tap away (the twelve-column table
    showed a 390 px screen 档案编号 and 户主, nothing it could act on). `shown` is already masked."""
    high = i18n.label(codes.TIERS["高"])
    colours = {high: "red", i18n.t_text("返贫预警（{tier}）", tier=high): "red",
               i18n.label(codes.TIERS["中"]): "orange"}
    for row in shown.itertuples(index=False):
        with st.container(border=True, gap="small", key=f"wl_card_{int(row.hh_id)}"):
            colour = colours.get(str(row.tier), "gray")
            st.markdown(text.fill("**{name}** · {file_no}", {"name": row.head_name, "file_no": row.file_no}))
            st.markdown(text.fill(":{colour}-badge[{tier}]　{score_label} {score}　{area}",
                                  {"colour": text.md(colour), "tier": row.tier, "score_label": t("评分"),
                                   "score": int(row.score), "area": row.area}))
            if row.reasons:
                st.caption(text.plain(row.reasons))
            st.page_link("pages/household.py", label=t("打开一户一档"), icon=":material/folder_open:",
                         query_params={"hh": str(int(row.hh_id))})
