"""The browser cookie is signed: a value this server issued, never one a browser made up (issue 12 §1).

The cookie `sn_browser` (set by downloads.DownloadGuard) reads `<token>.<signature>`: a random token — what a
kept sign-in (sessions.py, stored only as its SHA-256) and a download grant are keyed on — and the
HMAC-SHA256 of that token under the server's secret. A value that does not verify (edited, made up, or
signed under another server's secret) counts as no cookie: the browser is handed a fresh one and is not
signed in. So changing SAFETYNET_SECRET_KEY signs every browser out, and a database copy alone (which holds
token hashes) lets nobody build a cookie.

The secret is SAFETYNET_SECRET_KEY; unset, a random key made once in `.streamlit/session.key` under the
working directory (readable by its owner only, git-ignored), shared by every app process started there.
Several hosts behind one address must be given the same SAFETYNET_SECRET_KEY.

No Streamlit here: the middleware and the script runs both call `token_of`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from safetynet import config

KEY_FILE = Path(".streamlit") / "session.key"
_SIGNED = re.compile(r"^([A-Za-z0-9_-]{20,64})\.([A-Za-z0-9_-]{43})$")  # token_urlsafe . SHA-256 in base64url


def _signature(token: str, secret: bytes) -> str:
    digest = hmac.new(secret, b"sn_browser:" + token.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret: bytes | None = None) -> str:
    """A new cookie value: a fresh random token and its signature."""
    return sign(secrets.token_urlsafe(24), secret)


def sign(token: str, secret: bytes | None = None) -> str:
    """The cookie value for `token` under `secret` (tests build other servers' cookies with it)."""
    return f"{token}.{_signature(token, secret or server_secret())}"


def token_of(value: str | None, secret: bytes | None = None) -> str | None:
    """The token inside a cookie value when its signature verifies under `secret` (default: this server's)."""
    match = _SIGNED.match(value or "")
    if not match:
        return None
    token, signature = match.groups()
    expected = _signature(token, secret or server_secret())
    return token if hmac.compare_digest(signature, expected) else None


@functools.cache
def server_secret() -> bytes:
    """SAFETYNET_SECRET_KEY, or the working directory's key file (made on first use; read once per process)."""
    configured = config.get("SAFETYNET_SECRET_KEY")
    if configured:
        return configured.encode("utf-8")
    return _key_file_secret(Path.cwd() / KEY_FILE)


def _key_file_secret(path: Path) -> bytes:
    """Read the key file, creating it first if there is none. The new key is written to a temporary file and
    linked into place, which fails if another process got there first; then both read the winner's key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass  # another process made it a moment ago: use theirs
        finally:
            scratch.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key (delete it to make a new one, signing every browser out)")
    return key.encode("ascii")
