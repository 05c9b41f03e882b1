"""DownloadGuard (safetynet.downloads) on its own: a plain ASGI app stands in for Streamlit's media route.

The end-to-end proof — a real export in Chromium, then the same URL fetched without the session — is in
tests/e2e/test_downloads.py."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from safetynet import browser_cookie, downloads
from safetynet.downloads import COOKIE, DownloadGuard, Grants

FILE = "名单,户数\n甲,1\n".encode()
TOKEN = "a" * 32
SIGNED = browser_cookie.sign(TOKEN)  # the cookie this server issues for TOKEN


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def media_app(body: bytes, disposition: bytes | None = b'attachment; filename="x.csv"', chunks: int = 1):
    async def app(scope, receive, send) -> None:
        headers = [(b"content-type", b"text/csv")] + ([(b"content-disposition", disposition)] if disposition else [])
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        size = max(1, len(body) // chunks)
        parts = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
        for i, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1})
    return app


def fetch(guard: DownloadGuard, path: str = "/media/abc123.csv", cookie: str | None = None,
          method: str = "GET") -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict] = []
    headers = [(b"cookie", cookie.encode())] if cookie is not None else []
    scope = {"type": "http", "method": method, "path": path, "headers": headers}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    # on a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, guard(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start.get("headers", [])), body


def test_a_granted_file_reaches_its_browser_only_and_only_for_a_while() -> None:
    clock = Clock()
    grants = Grants(lifetime=60, clock=clock)
    guard = DownloadGuard(media_app(FILE, chunks=3), grants)
    assert fetch(guard, cookie=f"{COOKIE}={SIGNED}")[0] == 403  # no grant yet: the link alone is nothing
    grants.grant(TOKEN, FILE)
    status, headers, body = fetch(guard, cookie=f"other=1; {COOKIE}={SIGNED}")
    assert (status, body) == (200, FILE)
    assert headers[b"cache-control"] == b"no-store"
    status, _, body = fetch(guard, cookie=f"{COOKIE}={'b' * 32}")  # another browser, the same link
    assert status == 403 and FILE not in body and "下载链接已失效".encode() in body
    assert fetch(guard)[0] == 403  # no cookie at all (curl)
    clock.now += 61
    assert fetch(guard, cookie=f"{COOKIE}={SIGNED}")[0] == 403  # expired


def test_sign_out_revokes_and_other_bytes_are_not_covered() -> None:
    grants = Grants()
    grants.grant(TOKEN, FILE)
    assert fetch(DownloadGuard(media_app(FILE + b"x"), grants), cookie=f"{COOKIE}={SIGNED}")[0] == 403
    assert fetch(DownloadGuard(media_app(FILE), grants), cookie=f"{COOKIE}={SIGNED}")[0] == 200
    grants.revoke(TOKEN)
    assert fetch(DownloadGuard(media_app(FILE), grants), cookie=f"{COOKIE}={SIGNED}")[0] == 403


def test_head_of_an_attachment_is_refused_and_media_that_is_not_an_attachment_passes() -> None:
    grants = Grants()
    grants.grant(TOKEN, FILE)
    assert fetch(DownloadGuard(media_app(b""), grants), cookie=f"{COOKIE}={SIGNED}", method="HEAD")[0] == 403
    image = DownloadGuard(media_app(b"\x89PNG", disposition=None), grants)
    assert fetch(image)[:3:2] == (200, b"\x89PNG")  # st.image and the like need no grant


def test_every_browser_gets_a_cookie_once_and_a_forged_cookie_is_none() -> None:
    guard = DownloadGuard(media_app(b"<html>", disposition=None), Grants())
    _, headers, _ = fetch(guard, path="/")
    cookie = headers[b"set-cookie"].decode()
    value = cookie.split(";")[0].removeprefix(f"{COOKIE}=")
    token = downloads.browser_token(f"{COOKIE}={value}")
    assert token and value.startswith(f"{token}.")  # the token, signed
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert b"set-cookie" not in fetch(guard, path="/", cookie=f"{COOKIE}={value}")[1]
    assert downloads.browser_token(f"{COOKIE}=short") is None
    assert downloads.browser_token(f"{COOKIE}={'a' * 30}\"><script>") is None
    assert b"set-cookie" in fetch(guard, path="/", cookie=f"{COOKIE}=short")[1]  # a forged one is replaced
    assert downloads.browser_token(f"{COOKIE}={TOKEN}") is None  # a bare token, unsigned


def test_a_cookie_that_is_edited_or_signed_under_another_key_is_no_cookie() -> None:
    grants = Grants()
    grants.grant(TOKEN, FILE)
    guard = DownloadGuard(media_app(FILE), grants)
    assert fetch(guard, cookie=f"{COOKIE}={SIGNED}")[0] == 200
    other_server = browser_cookie.sign(TOKEN, b"another server's key, 32 bytes or more")
    edited = SIGNED[:-1] + ("A" if SIGNED[-1] != "A" else "B")
    swapped = "b" * 32 + SIGNED[32:]  # another browser's token under this one's signature
    for cookie in (other_server, edited, swapped):
        assert downloads.browser_token(f"{COOKIE}={cookie}") is None
        status, headers, _ = fetch(guard, cookie=f"{COOKIE}={cookie}")
        assert status == 403 and b"set-cookie" in headers  # refused, and handed a fresh cookie of its own


def test_a_granted_cookie_for_a_media_path_elsewhere_in_the_url_still_counts() -> None:
    grants = Grants()
    grants.grant(TOKEN, FILE)
    guard = DownloadGuard(media_app(FILE), grants)
    assert fetch(guard, path="/union/media/abc.csv", cookie=f"{COOKIE}={SIGNED}")[0] == 200  # server.baseUrlPath
    assert fetch(guard, path="/union/media/abc.csv")[0] == 403
