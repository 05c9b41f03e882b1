"""Downloads delivered with the session that made them (issue 17: exports fetchable by anyone with the link).

Streamlit serves a download button's file from `/media/<id>` to whoever asks, for as long as the session
lives, so a copied link (browser history, a proxy's log) handed out the county's list. Here:

- `DownloadGuard`, the ASGI middleware app.py installs through `st.App`, gives every browser a random, signed
  HttpOnly cookie (`sn_browser`) and refuses with 403 every `/media/` response that is an attachment unless
  a grant matches it: the same browser and the same bytes, not yet expired.
- `GRANTS.grant(browser, data)` is called by the download callable (ui/downloads.py) after the file was built
  and its export recorded; a grant lives `LIFETIME_SECONDS` and is dropped at sign-out.

So a file is fetched only from the browser whose session made it, for a minute at most; any other request
— another browser, no cookie, a stale link, a download button that bypassed ui/downloads — gets 403.
Matching on the bytes' digest, not Streamlit's file id, keeps this independent of Streamlit's internals.
No Streamlit import: the guard runs in the server, outside any script run.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from safetynet import browser_cookie

COOKIE = "sn_browser"
LIFETIME_SECONDS = 60.0
REFUSED_BODY = ("下载链接已失效或不属于当前会话，请回到页面重新导出。\n"
                "This download link has expired or belongs to another session.\n").encode()
_MEDIA_PATH = re.compile(r"(^|/)media/[^/]+$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Grants:
    """Which browser may fetch which bytes, until when. Process-wide, thread-safe (callables run on threads)."""

    lifetime: float = LIFETIME_SECONDS
    clock: Callable[[], float] = time.monotonic
    _grants: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def grant(self, browser: str, data: bytes) -> None:
        now = self.clock()
        with self._lock:
            self._drop_expired(now)
            self._grants[(browser, digest(data))] = now + self.lifetime

    def allows(self, browser: str | None, data: bytes) -> bool:
        if not browser:
            return False
        now = self.clock()
        with self._lock:
            self._drop_expired(now)
            return (browser, digest(data)) in self._grants

    def revoke(self, browser: str | None) -> None:
        """Sign-out: the browser's links stop working at once."""
        with self._lock:
            for key in [k for k in self._grants if k[0] == browser]:
                del self._grants[key]

    def _drop_expired(self, now: float) -> None:
        for key in [k for k, until in self._grants.items() if until <= now]:
            del self._grants[key]


GRANTS = Grants()


def browser_token(cookie_header: str | None, secret: bytes | None = None) -> str | None:
    """The browser's token from our cookie in a Cookie header, when this server signed it (browser_cookie);
    anything else — no cookie, a made-up or edited one, one signed under another secret — is no cookie."""
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return browser_cookie.token_of(value, secret)
    return None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class DownloadGuard:
    """ASGI middleware: hands out the browser cookie and lets an attachment through only with a grant."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], grants: Grants | None = None,
                 secure_cookie: bool = False, secret: bytes | None = None) -> None:
        self.app = app
        self.grants = grants or GRANTS
        self.secure_cookie = secure_cookie
        self.secret = secret or browser_cookie.server_secret()  # read at start: a missing key fails the start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers") or [])
        cookie = _header(headers, b"cookie")
        browser = browser_token(cookie.decode("latin-1") if cookie else None, self.secret)
        new_cookie = None if browser else browser_cookie.issue(self.secret)
        send = self._with_cookie(send, new_cookie)
        if _MEDIA_PATH.search(scope.get("path", "")):
            # Streamlit's own gzip middleware runs inside this one: asked for no encoding, the body we see is
            # the file's own bytes, which the grant's digest was taken of.
            scope = dict(scope, headers=[h for h in headers if h[0].lower() != b"accept-encoding"])
            await self._guarded(scope, receive, send, browser)
            return
        await self.app(scope, receive, send)

    def _with_cookie(self, send: Send, token: str | None) -> Send:
        if token is None:
            return send
        flags = "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if self.secure_cookie else "")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []),
                                      (b"set-cookie", f"{COOKIE}={token}{flags}".encode("latin-1"))]
            await send(message)
        return sending

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, browser: str | None) -> None:
        """Media that is not an attachment (an image, say) passes; an attachment is held until its bytes are
        known, then sent only when granted to this browser."""
        start: Message | None = None
        body: list[bytes] = []
        attachment = False

        async def holding(message: Message) -> None:
            nonlocal start, attachment
            if message["type"] == "http.response.start":
                disposition = _header(list(message.get("headers", [])), b"content-disposition") or b""
                attachment = disposition.lower().startswith(b"attachment")
                if not attachment:
                    await send(message)
                    return
                start = message
                return
            if not attachment:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            data = b"".join(body)
            if scope.get("method") != "HEAD" and self.grants.allows(browser, data):  # HEAD has no bytes to match
                assert start is not None  # held above: the response's start comes before its body
                start = dict(start)
                start["headers"] = [*(h for h in start.get("headers", []) if h[0].lower() != b"cache-control"),
                                    (b"cache-control", b"no-store")]  # a proxy keeps no copy
                await send(start)
                await send({"type": "http.response.body", "body": data})
                return
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": REFUSED_BODY})

        await self.app(scope, receive, holding)
