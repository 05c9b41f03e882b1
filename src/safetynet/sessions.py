"""Signed-in browsers: a reload or a new tab stays signed in (issue 12), and an account change ends sessions.

A Streamlit session lives in one browser tab's websocket, so on its own every reload asked for the password
again. Here a sign-in is also kept in `app_session`, under the SHA-256 of the browser's random HttpOnly,
SameSite=Strict cookie (issued by safetynet.downloads.DownloadGuard; the database never holds the cookie).
A new websocket from that browser finds the row and resumes the session, until one of:

- sign-out (the row is deleted; the browser's other open tabs see that at their next rerun);
- SAFETYNET_SESSION_MINUTES without use (`seen_at`, kept at most a minute behind so a page view is not a write);
- the account is disabled or its password reset (`app_user.session_epoch` moves on; checked on every rerun
  of every session, also those that never had a cookie, so a signed-in user who is disabled is out at once).

No Streamlit here: ui/session.py reads the cookie and calls these.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, delete, insert, select, update

from safetynet.auth import User
from safetynet.db import health
from safetynet.db.errors import DatabaseUnavailable
from safetynet.db.schema import app_session, app_user

SEEN_RESOLUTION = dt.timedelta(minutes=1)  # how far seen_at may lag: one write a minute per active browser


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def current_epoch(engine: Engine, user_id: int) -> int | None:
    """The account's session epoch, or None when it is disabled or gone."""
    with engine.connect() as conn:
        return conn.execute(select(app_user.c.session_epoch)
                            .where(app_user.c.user_id == user_id, app_user.c.active.is_(True))).scalar()


def start(engine: Engine, user: User, token: str | None, now: dt.datetime) -> int:
    """Record a sign-in; returns the account's epoch the session belongs to. Without a cookie (a test run, a
    bare script) nothing is kept and the session lasts as long as its tab. When the database cannot keep the
    row, the sign-in still stands for this tab: a reload will ask again."""
    epoch = current_epoch(engine, user.user_id) or 0
    if not token:
        return epoch
    key = token_hash(token)
    try:
        with health.guard(engine), engine.begin() as conn:
            conn.execute(delete(app_session).where(app_session.c.token_hash == key))
            conn.execute(insert(app_session).values(token_hash=key, user_id=user.user_id, epoch=epoch,
                                                    signed_in_at=now, seen_at=now))
    except DatabaseUnavailable:
        pass
    return epoch


def resume(engine: Engine, token: str | None, now: dt.datetime, idle: dt.timedelta) -> tuple[User, int] | None:
    """The user this browser is signed in as and the session's epoch, or None (no row, idle too long, the
    account disabled or its password reset since: the row is then removed)."""
    if not token:
        return None
    key = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(app_session.c.epoch, app_session.c.seen_at, app_user.c.user_id, app_user.c.username,
                   app_user.c.display_name, app_user.c.role, app_user.c.scope_adcode, app_user.c.active,
                   app_user.c.session_epoch)
            .join(app_user, app_user.c.user_id == app_session.c.user_id)
            .where(app_session.c.token_hash == key)).first()
    if row is None:
        return None
    if not row.active or row.epoch != row.session_epoch or now - row.seen_at > idle:
        end(engine, token)
        return None
    touch(engine, token, now, row.seen_at)
    return User(int(row.user_id), row.username, row.display_name, row.role, row.scope_adcode), int(row.epoch)


def is_kept(engine: Engine, token: str | None, user_id: int) -> bool:
    """Whether this browser still holds a kept sign-in of this user: checked on every rerun of a tab whose
    sign-in was kept, so a sign-out in one tab ends the browser's other open tabs at their next step too."""
    if not token:
        return False
    with engine.connect() as conn:
        found = conn.execute(select(app_session.c.user_id).where(app_session.c.token_hash == token_hash(token))).first()
    return found is not None and int(found.user_id) == user_id


def touch(engine: Engine, token: str | None, now: dt.datetime, seen_at: dt.datetime | None = None) -> None:
    """Note that the session was used (at most one write a minute)."""
    if not token or (seen_at is not None and now - seen_at < SEEN_RESOLUTION):
        return
    try:
        with health.guard(engine), engine.begin() as conn:
            conn.execute(update(app_session).where(app_session.c.token_hash == token_hash(token),
                                                   app_session.c.seen_at < now - SEEN_RESOLUTION)
                         .values(seen_at=now))
    except DatabaseUnavailable:
        pass


def end(engine: Engine, token: str | None) -> None:
    """Sign-out (or expiry) of this browser: its row goes; other browsers of the same user stay signed in."""
    if not token:
        return
    try:
        with health.guard(engine), engine.begin() as conn:
            conn.execute(delete(app_session).where(app_session.c.token_hash == token_hash(token)))
    except DatabaseUnavailable:
        pass
