"""The shared frame every page runs inside: language, filters, freshness.

`page_context()` renders the sidebar filters (each bound to the URL so a link
reproduces the view on a projector) and returns everything a page needs to
call the cached loaders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar, cast

import pandas as pd
import streamlit as st

from safetynet import cache, config, i18n
from safetynet.auth import User
from safetynet.db import health
from safetynet.domain import codes
from safetynet.domain.lines import NATION
from safetynet.filters import Filters
from safetynet.i18n import t
from safetynet.ui import session, urlstate

ALL = ""
K = TypeVar("K")


@dataclass(frozen=True)
class PageContext:
    url: str
    version: int
    month: int | None  # latest scored month
    filters: Filters
    level: int  # level of filters.region (0 nation … 3 county)
    regions: pd.DataFrame  # indexed by adcode
    user: User | None = None  # the signed-in user (role, scope)

    @property
    def me(self) -> User:
        """The signed-in user, for what acts or reads as them: page_context() stops a page that has none."""
        assert self.user is not None, "page_context() stops a page without a signed-in user"
        return self.user

    @property
    def unmask_allowed(self) -> bool:
        """Personal data may be shown unmasked (after a recorded reason) — never on the meeting screen."""
        return bool(self.user and self.user.may_unmask and not st.session_state.get("meeting_mode"))

    def region_name(self, adcode: str | None = None) -> str:
        code = adcode or self.filters.region
        if code == NATION:
            return t("全国")
        return str(self.regions.at[code, "name"]) if code in self.regions.index else code

    def child_level(self) -> int:
        """Level of the regions directly below the filtered one (itself for a leaf)."""
        children = self.regions[self.regions["parent_adcode"] == self.filters.region]
        return int(children["level"].min()) if not children.empty else self.level


# One stylesheet for the layout rules Streamlit has no parameter for; every rule says which screen it fixes.
HOUSE_STYLE = """<style>
/* a KPI's 环比 goes under its delta when the card is narrow (a 1366 px laptop cut "+0.1个百分点 环比" to "环…") */
[data-testid="stMetric"] div:has(> [data-testid="stMetricDelta"]) { flex-wrap: wrap; row-gap: 0.25rem; }
[data-testid="stMetricDeltaDescription"] { flex-shrink: 0; }
/* a KPI's label wraps instead of ending in "…" (地图's card "全国 · 2026年1…" beside the map at 1366 px) */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; word-break: keep-all !important; overflow-wrap: break-word; }
/* a page link's label wraps: the household file's "本户有未办结的线索第962号（待核实），到待办办理" ended in "到待办办…"
   on a phone, hiding where the link goes */
[data-testid="stPageLink-NavLink"] { height: auto !important; }
[data-testid="stPageLink-NavLink"] * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
@media (max-width: 640px) {
  /* a phone stacks the KPI cards two abreast and without their sparklines (the trend chart below the cards
     shows the history): one card a row, ten of them took eleven screens */
  [data-testid="stMetric"] [data-testid="stMetricChart"] { display: none !important; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) > [data-testid="stColumn"] {
    min-width: calc(50% - 8px) !important; }
  /* half a phone's width holds "9.0个工作日" only in a smaller type */
  [data-testid="stMetricValue"] { font-size: 1.45rem !important; }
  [data-testid="stMetricValue"] * { white-space: normal !important; overflow: visible !important; }
}
</style>"""


def house_style() -> None:
    st.html(HOUSE_STYLE)


def on_phone() -> bool:
    """A phone's browser (its user agent says "Mobile"). The server never learns the window's width, so what
    CSS cannot rearrange — filters behind a button, a card per household instead of a wide table — is chosen
    here; a tablet or a narrow desktop window gets the desktop layout, which scrolls."""
    return "Mobile" in (st.context.headers.get("User-Agent") or "")


def language_switch() -> None:
    """中文 | English in the sidebar, bound to ?lang=, applied before anything is drawn."""
    default = config.get("SAFETYNET_LANG") if config.get("SAFETYNET_LANG") in i18n.LANGS else "zh"
    urlstate.seed("lang", list(i18n.LANGS), default)
    with st.sidebar:
        choice = st.segmented_control("语言 Language", list(i18n.LANGS), format_func=labels_of(i18n.LANGS),
                                      key="lang", required=True)
    urlstate.publish("lang", choice, default)
    i18n.set_lang(choice or default)


def labels_of(labels: Mapping[K, str]) -> Callable[[K], str]:
    """A select's format_func for options that are the keys of `labels`. It is `labels.get`, not `labels[k]`:
    Streamlit also formats the session's value to find it among the options, and a stale value gets None there,
    not a KeyError. Typed as returning str, which it does for every option."""
    return cast(Callable[[K], str], labels.get)


def database_banner(engine) -> None:
    """On every page, signed in or not: the database cannot take writes now (read-only, or its file gone)."""
    refused = health.problem(engine)
    if refused is not None:
        st.error(refused.localized(), icon=":material/error:")


def bound_selectbox(label: str, options: list[str], key: str, format_func, default: str = ALL) -> str:
    """A sidebar selectbox whose value travels in the URL as its code and survives page switches."""
    urlstate.seed(key, options, default)
    value = st.sidebar.selectbox(label, options, format_func=format_func, key=key)
    urlstate.publish(key, value, default)
    return value


def region_filter(regions: pd.DataFrame, scope: str = NATION) -> str:
    """Cascading province → prefecture → county selectors inside the user's scope.

    A level the scope fixes offers only the scope's own region (no "全部"), so no
    widget — and no URL — can name a region outside it.
    """
    def name(code: str) -> str:
        return t("全部") if code == ALL else str(regions.at[code, "name"])

    def children(parent: str) -> list[str]:
        return regions.index[regions["parent_adcode"] == parent].tolist()

    chain = [] if scope == NATION else [c for c in (regions.at[scope, "prov_adcode"], regions.at[scope, "pref_adcode"],
                                                    scope) if isinstance(c, str)]
    chain = list(dict.fromkeys(chain))  # municipalities and 东莞-like units repeat codes

    def options(level_index: int, parent: str) -> list[str]:
        if level_index < len(chain):
            return [chain[level_index]]
        return [ALL] + children(parent)

    provinces = options(0, NATION)
    if provinces[0] == ALL:
        provinces = [ALL] + [c for c in provinces[1:] if c[:2] not in ("71", "81", "82")]
    prov = bound_selectbox(t("省份"), provinces, "prov", name, default=provinces[0])
    if prov == ALL:
        for key in ("pref", "county"):
            urlstate.publish(key, None, ALL)
        return NATION
    prefectures = options(1, prov)
    if prefectures == [ALL]:
        return prov
    pref = bound_selectbox(t("地市"), prefectures, "pref", name, default=prefectures[0])
    if pref == ALL:
        urlstate.publish("county", None, ALL)
        return prov
    counties = options(2, pref)
    if counties == [ALL]:
        return pref
    county = bound_selectbox(t("区县"), counties, "county", name, default=counties[0])
    return pref if county == ALL else county


def population_filter() -> tuple[str | None, str | None]:
    pops = [ALL, *codes.POPULATIONS]
    pop = bound_selectbox(t("对象类型"), pops, "pop",
                          lambda p: t("全部") if p == ALL else i18n.label(codes.POPULATIONS[p]))
    cats = [ALL] + [c for c in codes.CATEGORIES if pop == ALL or c.startswith("W" if pop == "worker" else "R")]
    cat = bound_selectbox(t("类别"), cats, "cat",
                          lambda c: t("全部") if c == ALL else i18n.label(codes.CATEGORIES[c]))
    return (pop or None), (cat or None)


def ensure_routed() -> None:
    """Make sure app.py (the router) runs around every page.

    With a `pages/` folder next to app.py, a fresh server answers the first
    request in Streamlit's legacy multipage mode, which runs a deep-linked page
    file alone — no page config, no language switch, no sign-in gate. The first
    st.navigation call switches the process to the new mode for good; when a
    page finds itself running in legacy mode, it switches the flag the same way
    and reruns, so the router runs with the same URL. A session whose first run
    began in legacy mode while another session flipped the flag finds the flag
    already off but has never been through the router (app.py sets `_page`
    before it runs a page): it reruns too, instead of showing "no access".
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory or "_page" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_context(url: str | None = None) -> PageContext:
    """Check the signed-in user may see this page, render the shared sidebar, return the context."""
    ensure_routed()
    user = session.current_user()
    page = st.session_state.get("_page")
    if user is None or (page and not user.may_open(page)):
        st.error(t("无权访问此页面。"))
        st.stop()
    # the meeting screen masks everything, whatever the role (PageContext.unmask_allowed)
    st.session_state["meeting_mode"] = page == "meeting"
    url = url or config.db_url()
    version, month = cache.data_version(url)
    regions = cache.load_regions(url, version).set_index("adcode", drop=False)
    region = region_filter(regions, user.scope)
    population, category = population_filter()
    filters = Filters(region=region, population=population, category=category, scope=user.scope)
    level = 0 if region == NATION else int(regions.at[region, "level"])
    return PageContext(url, version, month, filters, level, regions, user)


def refreshed(ctx: PageContext) -> PageContext:
    """The same context with the current data version (for auto-refreshing fragments)."""
    version, month = cache.data_version(ctx.url)
    return replace(ctx, version=version, month=month) if version != ctx.version else ctx


def page_header(title: str, ctx: PageContext) -> None:
    st.title(t(title))
    parts = [ctx.region_name()]
    if ctx.filters.category:
        parts.append(i18n.label(codes.CATEGORIES[ctx.filters.category]))
    elif ctx.filters.population:
        parts.append(i18n.label(codes.POPULATIONS[ctx.filters.population]))
    parts.append(t("数据截至{month}", month=i18n.fmt_month(ctx.month)))
    st.caption(" · ".join(parts))


def score_disclaimer() -> None:
    st.caption(t("风险评分用于提示走访，不作为资格认定依据。"))


def page_done() -> None:
    """Marks the end of a page's output: browser tests wait for it instead of guessing delays."""
    st.markdown('<span class="sn-page-done" style="display:none"></span>', unsafe_allow_html=True)
