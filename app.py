"""Safety Net Monitor — 工会困难职工动态监测平台.

`streamlit run app.py` finds the ASGI app below and serves through it, so every HTTP response passes our
middleware: DownloadGuard hands a file only to the browser whose session made it (safetynet.downloads).
Each session's script run (and AppTest) runs the router; the server's own import of this file does not.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.scriptrunner import get_script_run_ctx

from safetynet.downloads import DownloadGuard

app = st.App(__file__, middleware=[Middleware(DownloadGuard)])

if get_script_run_ctx() is not None:
    from safetynet.ui import router

    router.run(Path(__file__).parent)
