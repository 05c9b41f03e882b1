"""会议大屏 — presentation mode: ?screens=kpi,map,trend,newly,sites,industries,migrants,work&every=20&theme=dark|light.

Personal data is always masked here; each tick re-reads only the data version,
so the slides refresh from cache until new data arrives. The carousel starts at
the first slide; ← P → (or the buttons) go back, pause and go on.
"""

import time

import streamlit as st

from safetynet.i18n import t
from safetynet.ui import frame, meeting, session, urlstate
from safetynet.views import meeting as view

ctx = frame.page_context()
if ctx.month is None:
    st.info(t("数据库为空。请导入数据或运行 python -m safetynet demo。"))
    st.stop()
refused: list = []
slides, unknown, every, theme = meeting.parse_options(st.query_params.to_dict(), refused)
meeting.style(theme)
for refusal in refused:  # a malformed ?every= or ?theme=: said, and the default used
    urlstate.refuse(refusal)
if unknown:  # a slide that does not exist is an error the presenter sees, not silently left out
    st.error(view.unknown_slides_message(unknown), icon=":material/error:")
paused = meeting.carousel_state(slides).paused


@st.fragment(run_every=None if paused else every)
def carousel() -> None:
    # a timer rerun is not use: an unattended screen expires, and a disabled account is out at the next tick
    if session.current_user(touch=False) is None:
        st.rerun()
    state = meeting.carousel_state(slides).tick(time.time(), every, len(slides))
    meeting.save(slides, state)
    slide = slides[state.position]
    live = frame.refreshed(ctx)
    meeting.header(live, slide, f"{state.position + 1}/{len(slides)}", state.paused)
    meeting.RENDERERS[slide](live, theme)


carousel()
meeting.controls(slides, display=ctx.user.is_display)
frame.page_done()
