"""The one download button of the app: the file is built when clicked, and only this browser may fetch it.

Every `st.download_button` goes through `download_button` here. The file is made on click (Streamlit's
deferred data), by a `build` callable that records the export in the audit log first when the file holds
data; then the bytes are granted to this browser for a minute (safetynet.downloads). The server's
DownloadGuard refuses any attachment without such a grant, so a button that skipped this path would not
download at all rather than hand out an unaudited file.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from safetynet import downloads


def browser() -> str | None:
    """This browser's download cookie as the session's websocket saw it (None in AppTest or without the guard)."""
    try:
        return downloads.browser_token(f"{downloads.COOKIE}={st.context.cookies.get(downloads.COOKIE, '')}")
    except Exception:  # noqa: BLE001 — no request context (a bare script run): no browser, so no grant
        return None


def download_button(label: str, build: Callable[[], bytes], *, file_name: str, mime: str, key: str,
                    disabled: bool = False, icon: str | None = ":material/download:") -> None:
    """`build` runs on a server thread when clicked (no st.* inside it); its bytes are granted to this browser."""
    token = browser()  # read in the script run: the callable runs outside it

    def deliver() -> bytes:
        data = build()
        if token:
            downloads.GRANTS.grant(token, data)
        return data

    st.download_button(label, data=deliver, file_name=file_name, mime=mime, key=key, icon=icon,
                       disabled=disabled, on_click="ignore")


def forget_browser() -> None:
    """Sign-out: this browser's download links stop working at once."""
    downloads.GRANTS.revoke(browser())
