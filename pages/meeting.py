"""会议大屏 — presentation mode: ?screens=kpi,map,trend,newly&every=20&theme=dark|light.

Personal data is always masked here; each tick re-reads only the data version,
so the slides refresh from cache until new data arrives.
"""

import time

import streamlit as st

from safetynet.i18n import t
from safetynet.ui import frame, meeting, session, urlstate

ctx = frame.page_context()
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    st.stop()
refused: list = []
slides, every, theme = meeting.parse_options(st.query_params.to_dict(), refused)
meeting.style(theme)
for refusal in refused:  # a malformed ?screens=, ?every= or ?theme=: said, and the default shown
    urlstate.refuse(refusal)


@st.fragment(run_every=every)
def carousel() -> None:
    # a timer rerun is not use: an unattended screen expires, and a disabled account is out at the next tick
    if session.current_user(touch=False) is None:
        st.rerun()
    # the clock picks the slide: extra reruns never skip one, and several screens stay in step
    shown = int(time.time() // every)
    slide = slides[shown % len(slides)]
    live = frame.refreshed(ctx)
    meeting.header(live, slide, f"{shown % len(slides) + 1}/{len(slides)}")
    meeting.RENDERERS[slide](live)


carousel()
st.page_link("pages/overview.py", label=t("退出大屏"), icon=":material/close:")
frame.page_done()
