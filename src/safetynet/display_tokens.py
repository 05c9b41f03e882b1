"""Display tokens (大屏令牌): a wall screen's long-lived sign-in for the meeting screen (issue 12 §1).

A meeting room's screen must come back after a power cut without anyone typing a password, and must never show
a person. An administrator issues a token for a region inside their own scope, with a name (where the screen
hangs) and an expiry; the link /meeting?display=<token> is shown once, and the database keeps only its SHA-256
(as app_session does). Opening the link starts a session of a pseudo-user with the role `display`
(auth.DISPLAY): no account, the meeting screen only (auth.ROLE_PAGES), never unmasked, no idle expiry. Every
rerun checks the token is still valid, so a revocation or the expiry ends an open screen at its next slide.

Issue and revoke are validated and audited in one transaction with the change; the start of a screen session
is audited with the token's last use. No Streamlit here: ui/session.py reads the URL and calls these.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from safetynet import audit
from safetynet.auth import DISPLAY, DISPLAY_PREFIX, AuthError, User, _administrator, _writable, scope_prefix, within
from safetynet.db import health
from safetynet.db.errors import DatabaseUnavailable
from safetynet.db.schema import display_token, region
from safetynet.domain.lines import NATION
from safetynet.i18n import t
from safetynet.sessions import token_hash

PARAM = "display"  # the URL parameter: /meeting?display=<token>
DEFAULT_DAYS = 365
MAX_DAYS = 3650
MAX_NAME = 64
USE_RESOLUTION = dt.timedelta(hours=1)  # how far last_used_at may lag while a screen runs: one write an hour
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")  # what secrets.token_urlsafe(32) gives, with room to spare


@dataclass(frozen=True)
class Issued:
    """A token just issued: `token` is shown once and never stored."""
    token_id: int
    token: str
    name: str
    scope: str
    expires_at: dt.datetime

    @property
    def link(self) -> str:
        return link(self.token)


def link(token: str, base: str = "") -> str:
    """The screen's address: `base` is the app's origin (http://host:port), empty for a path."""
    return f"{base.rstrip('/')}/meeting?{PARAM}={token}"


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _user(row) -> User:
    return User(0, f"{DISPLAY_PREFIX}{row.token_id}", row.name, DISPLAY, row.scope_adcode)


def _valid_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        raise AuthError(t("大屏名称须为1–{n}个字符", n=MAX_NAME))
    return name


def issue(engine: Engine, name: str, scope: str, days: int = DEFAULT_DAYS, *, actor: User,
          now: dt.datetime | None = None) -> Issued:
    """A new token for the screen `name`, showing region `scope` (inside the actor's), valid for `days` days."""
    _administrator(actor)
    name = _valid_name(name)
    scope = (scope or "").strip()
    if not (len(scope) == 6 and scope.isascii() and scope.isdigit()):
        raise AuthError(t("管辖范围须为6位地区代码"))
    if not within(scope, actor.scope):
        raise AuthError(t("管辖范围须在您自己的管辖范围之内"))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise AuthError(t("有效期须为1–{n}天", n=MAX_DAYS))
    now = now or _now()
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(days=days)
    _writable(engine, t("无法保存大屏令牌：{reason}"))
    with engine.begin() as conn:
        if scope != NATION and conn.execute(select(region.c.adcode).where(region.c.adcode == scope)).first() is None:
            raise AuthError(t("地区代码 {code} 不存在", code=scope))
        token_id = conn.execute(insert(display_token).values(
            token_hash=token_hash(token), name=name, scope_adcode=scope, issued_by=actor.username, issued_at=now,
            expires_at=expires).returning(display_token.c.token_id)).scalar_one()
        audit.record(conn, actor.username, "display_token", name, region=scope, change="issue", token_id=token_id,
                     scope=scope, expires_at=expires.strftime("%Y-%m-%d"))
    return Issued(int(token_id), token, name, scope, expires)


def revoke(engine: Engine, token_id: int, *, actor: User, now: dt.datetime | None = None) -> None:
    """End the token now (an open screen stops at its next slide). A token outside the actor's scope is
    answered like one that does not exist."""
    _administrator(actor)
    now = now or _now()
    _writable(engine, t("无法保存大屏令牌：{reason}"))
    with engine.begin() as conn:
        row = conn.execute(update(display_token)
                           .where(display_token.c.token_id == int(token_id), display_token.c.revoked_at.is_(None),
                                  display_token.c.scope_adcode.like(scope_prefix(actor.scope) + "%"))
                           .values(revoked_at=now, revoked_by=actor.username)
                           .returning(display_token.c.name, display_token.c.scope_adcode)).first()
        if row is None:
            raise AuthError(t("没有此大屏令牌，或它已被撤销"))
        audit.record(conn, actor.username, "display_token", row.name, region=row.scope_adcode, change="revoke",
                     token_id=int(token_id))


def list_tokens(engine: Engine, actor: User) -> list[dict]:
    """The tokens inside `actor`'s scope, newest first, revoked and expired ones included."""
    _administrator(actor)
    c = display_token.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.token_id, c.name, c.scope_adcode, c.issued_by, c.issued_at, c.expires_at,
                                   c.last_used_at, c.revoked_at, c.revoked_by)
                            .where(c.scope_adcode.like(scope_prefix(actor.scope) + "%"))
                            .order_by(c.issued_at.desc(), c.token_id.desc())).mappings().all()
    return [dict(r) for r in rows]


def _lookup(engine: Engine, token: str | None):
    if not token or not _TOKEN.fullmatch(token):  # not even shaped like a token: never sent to the database
        return None
    c = display_token.c
    with engine.connect() as conn:
        return conn.execute(select(c.token_id, c.name, c.scope_adcode, c.expires_at, c.revoked_at, c.last_used_at)
                            .where(c.token_hash == token_hash(token))).first()


def open_screen(engine: Engine, token: str | None, now: dt.datetime | None = None) -> tuple[User, int]:
    """Start a screen session: the display user and the token's id. An unknown, revoked or expired token is
    refused with the reason (AuthError, Chinese). The start is audited with the token's last use; when the
    database cannot keep that row the screen is refused too, as a sign-in is."""
    now = now or _now()
    row = _lookup(engine, token)
    if row is None:
        raise AuthError(t("大屏令牌无效，请核对链接，或联系管理员重新签发。"))
    if row.revoked_at is not None or row.expires_at <= now:
        revoked = row.revoked_at is not None
        try:  # someone still uses a token that was ended: worth a row, but never a reason to fail differently
            audit.record(engine, f"{DISPLAY_PREFIX}{row.token_id}", "display_token", row.name,
                         region=row.scope_adcode, change="refused", reason="已撤销" if revoked else "已过期")
        except DatabaseUnavailable:
            pass
        raise AuthError(t("此大屏令牌已被撤销，请联系管理员重新签发。") if revoked
                        else t("此大屏令牌已过期，请联系管理员重新签发。"))
    _writable(engine, t("无法打开大屏：{reason}"))
    with engine.begin() as conn:
        conn.execute(update(display_token).where(display_token.c.token_id == row.token_id)
                     .values(last_used_at=now))
        audit.record(conn, f"{DISPLAY_PREFIX}{row.token_id}", "display_token", row.name, region=row.scope_adcode,
                     change="use", token_id=int(row.token_id))
    return _user(row), int(row.token_id)


def still_valid(engine: Engine, token_id: int, now: dt.datetime | None = None) -> bool:
    """Checked on every rerun of a screen session: not revoked, not expired. Notes the use at most hourly."""
    now = now or _now()
    c = display_token.c
    with engine.connect() as conn:
        row = conn.execute(select(c.expires_at, c.revoked_at, c.last_used_at)
                           .where(c.token_id == token_id)).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return False
    if row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION:
        try:
            with health.guard(engine), engine.begin() as conn:
                conn.execute(update(display_token).where(c.token_id == token_id).values(last_used_at=now))
        except DatabaseUnavailable:
            pass
    return True
