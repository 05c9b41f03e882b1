"""The router: page config, first-run set-up, language, the page list, run — once per script run.

app.py calls `run(root)` in every session's script run; the module itself is imported once per process, so
the first-run lock below is one lock for every session (as a line of app.py it was a new lock each rerun).
"""

import threading
from pathlib import Path

import streamlit as st

from safetynet import bootstrap, cache, config
from safetynet.i18n import t
from safetynet.text import plain
from safetynet.ui import frame, session
from safetynet.ui.registry import PAGES

_first_run_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def _migrated(url: str) -> bool:
    """Once per process: bring the schema to head and load reference data."""
    bootstrap.ensure_ready(cache.engine(url), demo=False)
    return True


def _first_run(url: str) -> None:
    """An empty database gets demo data, with a progress bar (one session does it; others wait)."""
    engine = cache.engine(url)
    if not config.get_bool("SAFETYNET_AUTO_DEMO") or not bootstrap.needs_demo(engine):
        return
    with _first_run_lock:
        if not bootstrap.needs_demo(engine):
            return
        n = config.get_int("SAFETYNET_DEMO_HOUSEHOLDS")
        label = t("首次启动：正在生成演示数据（约 {n} 户）", n=n)
        bar = st.progress(0.0, text=label)

        def show(done: int, total: int) -> None:  # a bootstrap.Progress returns nothing (a lambda gave the bar)
            bar.progress(done / total, text=label)

        bootstrap.ensure_ready(engine, progress=show)
        bar.empty()


def run(root: Path) -> None:
    """One script run of the app whose page scripts are in `root`/pages."""
    # sidebar "auto": open on a desktop, closed on a phone, where it covered the sign-in form
    st.set_page_config(page_title="工会困难职工动态监测平台", page_icon=str(root / "data" / "icon.png"),
                       layout="wide", initial_sidebar_state="auto")
    frame.house_style()
    frame.language_switch()

    url = config.db_url()
    try:
        _migrated(url)
        _first_run(url)
    except Exception as exc:  # noqa: BLE001 — a broken database URL must say so, not show a traceback
        st.error(f"{t('数据库无法连接或初始化')}：{plain(exc)}")  # a driver's message may quote stored text
        st.stop()

    engine = cache.engine(url)
    frame.database_banner(engine)  # read-only, or the file deleted under the app: said on every page, writes refused
    user = session.current_user()

    # The pages handed to st.navigation are the access check: a URL naming any other page
    # falls back to the default page. Pages check again through frame.page_context().
    # Signed out, navigation still resolves the requested page (hidden, never run), so a
    # shared link opens that page right after sign-in.
    # The default page of st.navigation answers only at "/" (its own url_path is not matched), so a link to
    # /overview would show "page not found". Every screen therefore keeps its own address, and "/" is a hidden
    # page that forwards to the first screen the user may open, query parameters included.
    sections: dict[str, list] = {}
    shown = [p for p in PAGES if (root / "pages" / p.file).exists() and (user is None or user.may_open(p.url_path))]
    screens = [st.Page(root / "pages" / spec.file, title=t(spec.title), icon=spec.icon, url_path=spec.url_path)
               for spec in shown]

    def _home() -> None:
        st.switch_page(screens[0], query_params=st.query_params.to_dict())

    for spec, screen in zip(shown, screens, strict=True):
        sections.setdefault(t(spec.section), []).append(screen)
    sections[next(iter(sections))].insert(0, st.Page(_home, title=t(shown[0].title), url_path="home", default=True,
                                                     visibility="hidden"))
    # a wall screen (display token) gets no menu: its one screen is all it may open
    page = st.navigation(sections, position="top" if user and not user.is_display else "hidden")
    if user is None:
        session.sign_in_screen(engine)
        st.stop()
    session.user_badge(engine, user)
    if config.demo_mode():
        st.sidebar.warning(t("演示模式：数据均为虚构。"))
    st.session_state["_page"] = page.url_path or shown[0].url_path
    page.run()
