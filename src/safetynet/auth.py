"""Users, roles, region scope and sign-in (no Streamlit here).

Passwords are hashed with argon2id (argon2-cffi) and never stored or logged in
clear. Five failed sign-ins in a row pause an account for 30 seconds (again after
every further failure), and a client that keeps failing waits longer and longer
(`Throttle`): the attacker is slowed, the owner is not locked out. Roles decide which
screens a user gets and whether personal data may be unmasked; the region
scope (an adcode: a province, prefecture or county user sees only that area)
is applied to every query through `Filters`, never only in the UI.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, Row, insert, select, update

from safetynet import audit
from safetynet.db import health
from safetynet.db.errors import DatabaseUnavailable
from safetynet.db.schema import app_user, region
from safetynet.domain.lines import NATION
from safetynet.i18n import t

ROLES = {"leader": ("领导", "Leader"), "staff": ("工作人员", "Staff"), "admin": ("管理员", "Administrator")}
MAX_FAILURES = 5
MIN_PASSWORD = 8
_hasher = PasswordHasher()

# The screens each role may open (url paths of ui.registry.PAGES). The page list handed
# to st.navigation *is* the access check; pages check again (defence in depth).
MONITORING = ("overview", "map", "trends", "sites", "industries", "migrants", "meeting")
ROLE_PAGES = {
    "leader": (*MONITORING, "watchlist", "household"),
    "staff": (*MONITORING, "my_work", "watchlist", "household"),
    "admin": (*MONITORING, "my_work", "watchlist", "household", "data", "users", "audit"),
    # a wall screen signed in by a display token (safetynet.display_tokens): no account, no other screen
    "display": ("meeting",),
}
CAN_UNMASK = ("staff", "admin")
DISPLAY = "display"  # the role of a display token's session: read-only, always masked, the meeting screen only
DISPLAY_PREFIX = "display:"  # a display session's name in the audit log (display:<token_id>); no account has it


class AuthError(ValueError):
    """A user-facing reason a sign-in or user change was refused (Chinese)."""


def _writable(engine: Engine, refused: str) -> None:
    """AuthError when the database cannot keep this change (read-only, or its file gone): nothing is written.

    A sign-in writes its record and its failure count; when neither can be kept the sign-in is refused, so the
    lockout after five failures can never be switched off by a read-only database."""
    try:
        health.check_writable(engine)
    except DatabaseUnavailable as exc:
        raise AuthError(refused.format(reason=exc.localized())) from exc


@dataclass(frozen=True)
class User:
    user_id: int
    username: str
    display_name: str
    role: str
    scope: str  # adcode; "000000" = nationwide

    def may_open(self, url_path: str) -> bool:
        return url_path in ROLE_PAGES.get(self.role, ())

    @property
    def may_unmask(self) -> bool:
        return self.role in CAN_UNMASK

    @property
    def is_display(self) -> bool:
        """A wall screen signed in by a display token, not a person."""
        return self.role == DISPLAY


def scope_prefix(adcode: str) -> str:
    """The adcode prefix a scope covers: 520000 → "52", 520100 → "5201", 520102 → "520102", nation → ""."""
    if adcode == NATION:
        return ""
    code = adcode
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def within(adcode: str, scope: str) -> bool:
    """Is region `adcode` inside `scope` (itself included)?"""
    return adcode.startswith(scope_prefix(scope)) and (scope == NATION or adcode != NATION)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少{MIN_PASSWORD}位")
    return _hasher.hash(password)


def _row_to_user(row) -> User:
    return User(int(row.user_id), row.username, row.display_name, row.role, row.scope_adcode)


# ---------------------------------------------------------------- administration, bounded by the actor
# An administrator sees and manages only the accounts whose scope lies inside their own (`within`), grants a
# scope only inside their own and a role no higher than their own. Ranks: leader 1 < staff 2 < admin 3; only
# administrators administer at all, so in practice the role bound keeps a non-administrator (a stale session,
# a programming mistake) from granting anything. A nationwide administrator can therefore be created only by a
# nationwide administrator, or by the command line, which acts as the system (`CLI`, `SYSTEM`: nationwide
# administrators that are no account). An account outside the actor's scope is answered exactly like one that
# does not exist: the same message, found by the same single statement.
ROLE_RANK = {"leader": 1, "staff": 2, "admin": 3}
SYSTEM = User(0, "system", "系统", "admin", NATION)
CLI = User(0, "cli", "命令行", "admin", NATION)


def _administrator(actor: User) -> User:
    if not isinstance(actor, User):  # a bare name would carry no scope to bound the change by
        raise TypeError("actor must be the acting auth.User (auth.CLI / auth.SYSTEM outside the app)")
    if actor.role != "admin":
        raise AuthError(t("只有管理员可以管理用户"))
    return actor


def grantable_roles(actor: User) -> list[str]:
    """The roles `actor` may give: none above their own."""
    return [r for r in ROLES if ROLE_RANK[r] <= ROLE_RANK.get(actor.role, 0)]


def grantable_scopes(actor: User, adcodes) -> list[str]:
    """Of `adcodes`, those `actor` may grant (inside their own scope; 全国 only for a nationwide actor)."""
    return [a for a in adcodes if within(a, actor.scope)]


def _managed(actor: User):
    """The WHERE clause of the accounts `actor` may see and manage (scope inside theirs, role not above)."""
    return (app_user.c.scope_adcode.like(scope_prefix(actor.scope) + "%")
            & app_user.c.role.in_(grantable_roles(actor)))


def _unknown(username: str) -> AuthError:
    return AuthError(t("没有用户 {name}", name=username))


def create_user(engine: Engine, username: str, password: str | None, role: str, scope: str,
                display_name: str | None = None, *, actor: User, oidc_subject: str | None = None) -> User:
    """A new account, created by `actor` inside the actor's scope with a role no higher than the actor's."""
    _administrator(actor)
    username = username.strip()
    if not username or len(username) > 64:
        raise AuthError("用户名须为1–64个字符")
    if username.startswith(DISPLAY_PREFIX):  # the audit log's name of a display screen: no account may take it
        raise AuthError(t("用户名不能以 {prefix} 开头", prefix=DISPLAY_PREFIX))
    if role not in ROLES:
        raise AuthError(f"角色须为 {', '.join(ROLES)} 之一")
    if ROLE_RANK[role] > ROLE_RANK[actor.role]:
        raise AuthError(t("不能授予高于自己的角色"))
    scope = (scope or "").strip()
    if role == "admin" and scope == NATION and actor.scope != NATION:
        raise AuthError(t("全国范围的管理员只能由全国范围的管理员或命令行创建"))
    if not (len(scope) == 6 and scope.isascii() and scope.isdigit()):
        raise AuthError(t("管辖范围须为6位地区代码"))
    if not within(scope, actor.scope):
        raise AuthError(t("管辖范围须在您自己的管辖范围之内"))
    _writable(engine, t("无法保存用户变更：{reason}"))
    with engine.begin() as conn:
        if scope != NATION and conn.execute(select(region.c.adcode).where(region.c.adcode == scope)).first() is None:
            raise AuthError(f"地区代码 {scope} 不存在")
        if conn.execute(select(app_user.c.user_id).where(app_user.c.username == username)).first():
            raise AuthError(f"用户 {username} 已存在")
        user_id = conn.execute(insert(app_user).values(
            username=username, display_name=display_name or username,
            password_hash=hash_password(password) if password else None, role=role, scope_adcode=scope,
            active=True, failed_attempts=0, created_at=dt.datetime.now().replace(microsecond=0),
            oidc_subject=oidc_subject,
        ).returning(app_user.c.user_id)).scalar_one()
        audit.record(conn, actor.username, "user_change", username, region=scope, change="create", role=role,
                     scope=scope)
    return User(int(user_id), username, display_name or username, role, scope)


def _change(engine: Engine, actor: User, username: str, change: str, **values: object) -> None:
    """One account inside `actor`'s reach changed, with its audit row, in one transaction; else "没有用户"."""
    _writable(engine, t("无法保存用户变更：{reason}"))
    with engine.begin() as conn:
        target_scope = conn.execute(update(app_user).where(app_user.c.username == username, _managed(actor))
                                    .values(**values).returning(app_user.c.scope_adcode)).scalar()
        if target_scope is None:
            raise _unknown(username)
        audit.record(conn, actor.username, "user_change", username, region=target_scope, change=change)


def set_active(engine: Engine, username: str, active: bool, *, actor: User) -> None:
    """Enable or disable an account; disabling ends its sessions (session_epoch moves on)."""
    _administrator(actor)
    values: dict = {"active": active, "failed_attempts": 0, "locked_until": None}
    if not active:
        values["session_epoch"] = app_user.c.session_epoch + 1
    _change(engine, actor, username, "enable" if active else "disable", **values)


def set_password(engine: Engine, username: str, password: str, *, actor: User) -> None:
    """A new password; every session signed in with the old one ends (session_epoch moves on)."""
    _administrator(actor)
    hashed = hash_password(password)  # hashed for an unknown or out-of-scope name too: the same time
    _change(engine, actor, username, "password", password_hash=hashed, failed_attempts=0, locked_until=None,
            session_epoch=app_user.c.session_epoch + 1)


def list_users(engine: Engine, actor: User) -> list[dict]:
    """The accounts `actor` may see and manage."""
    _administrator(actor)
    with engine.connect() as conn:
        rows = conn.execute(select(app_user.c.username, app_user.c.display_name, app_user.c.role,
                                   app_user.c.scope_adcode, app_user.c.active, app_user.c.locked_until,
                                   app_user.c.last_login_at).where(_managed(actor))
                            .order_by(app_user.c.username)).mappings().all()
    return [dict(r) for r in rows]


class Throttle:
    """Back-off in memory: after `free` failures under one key, each further attempt waits `pause` seconds,
    doubling per failure up to `longest` (thread-safe; sessions run on threads). A success clears the key."""

    def __init__(self, free: int, pause: float, longest: float) -> None:
        self.free, self.pause, self.longest = free, pause, longest
        self._failures: dict[str, tuple[int, dt.datetime]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, key: str | None, now: dt.datetime) -> int:
        if not key:
            return 0
        with self._lock:
            count, last = self._failures.get(key, (0, now))
        if count < self.free:
            return 0
        wait = min(self.pause * 2 ** (count - self.free), self.longest)
        return max(0, math.ceil(wait - (now - last).total_seconds()))

    def failed(self, key: str | None, now: dt.datetime) -> None:
        if key:
            with self._lock:
                if len(self._failures) > 100_000:  # a flood of made-up keys must not eat the memory
                    self._failures.clear()
                self._failures[key] = (self._failures.get(key, (0, now))[0] + 1, now)

    def succeeded(self, key: str | None) -> None:
        with self._lock:
            self._failures.pop(key or "", None)


# Lock-out slows the attacker, not the owner (issue 17): an account pauses ACCOUNT_PAUSE_SECONDS after
# MAX_FAILURES failures in a row — every further failure pauses it again, never longer, so the owner waits
# half a minute at most — while a client (browser, address) that keeps failing waits longer and longer.
ACCOUNT_PAUSE_SECONDS = 30
CLIENT_BACKOFF = Throttle(free=MAX_FAILURES, pause=ACCOUNT_PAUSE_SECONDS, longest=15 * 60)
ADDRESS_BACKOFF = Throttle(free=4 * MAX_FAILURES, pause=ACCOUNT_PAUSE_SECONDS, longest=15 * 60)  # a shared NAT
# unknown usernames pause like accounts do, so a pause does not tell that an account exists
UNKNOWN_NAMES = Throttle(free=MAX_FAILURES, pause=ACCOUNT_PAUSE_SECONDS, longest=ACCOUNT_PAUSE_SECONDS)


@functools.cache
def _decoy_hash() -> str:
    """A hash to verify against when there is no account, so an unknown name costs what a known one does."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _plausible(username: str) -> bool:
    return 0 < len(username) <= 64 and not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in username)


def _too_often(seconds: int) -> AuthError:
    return AuthError(t("登录尝试过于频繁，请{n}秒后再试", n=seconds))


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None, *,
                 browser: str | None = None, address: str | None = None) -> User:
    """The signed-in user, or AuthError with the reason; every attempt that is checked is audited.

    The answer takes the same time whether the name exists or not (a password hash is verified either way),
    and the audit row of a failure names the account only when there is one: what was typed into the name
    box (perhaps a password) is never stored. `browser` and `address` identify the client for its back-off.
    """
    now = now or dt.datetime.now().replace(microsecond=0)
    name = username.strip()
    clients = (f"browser:{browser}" if browser else None, f"address:{address}" if address else None)
    waits = [CLIENT_BACKOFF.wait_seconds(clients[0], now), ADDRESS_BACKOFF.wait_seconds(clients[1], now)]
    if max(waits) > 0:
        raise _too_often(max(waits))
    _writable(engine, t("无法登录：{reason}"))
    # Read and verify outside any write transaction, then write in a transaction whose first statement is the
    # write: on SQLite a transaction that reads before it writes cannot take the write lock once another
    # sign-in has committed in between (SQLITE_BUSY_SNAPSHOT, busy_timeout does not help), so ten people
    # signing in at once would fail with "database is locked".
    row = None
    if _plausible(name):  # a NUL or a 5,000-character name is no account: never sent to the database
        with engine.connect() as conn:
            row = conn.execute(select(app_user).where(app_user.c.username == name)).first()
    known = row is not None and row.active and bool(row.password_hash)
    # The account's row, read only where `known` (or `verified`, which needs it) holds: then there is a row,
    # though the checker cannot follow the flag
    account_row = cast("Row[Any]", row)
    try:
        _hasher.verify(account_row.password_hash if known else _decoy_hash(), password)
        verified = known
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        verified = False
    paused = (account_row.locked_until is not None and account_row.locked_until > now) if known else False
    if not known:
        paused = UNKNOWN_NAMES.wait_seconds(f"name:{name.casefold()}", now) > 0
    if verified and not paused:
        values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
        if _hasher.check_needs_rehash(account_row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        with engine.begin() as conn:
            conn.execute(update(app_user).where(app_user.c.user_id == account_row.user_id).values(**values))
        for key, throttle in zip(clients, (CLIENT_BACKOFF, ADDRESS_BACKOFF), strict=True):
            throttle.succeeded(key)
        audit.record(engine, account_row.username, "sign_in", account_row.username)
        return _row_to_user(account_row)
    for key, throttle in zip(clients, (CLIENT_BACKOFF, ADDRESS_BACKOFF), strict=True):
        throttle.failed(key, now)
    if paused:
        reason = "账号暂停中"
    elif known:
        reason = "密码错误"
        with engine.begin() as conn:  # counted in SQL, so simultaneous failures all count
            failures = conn.execute(update(app_user).where(app_user.c.user_id == account_row.user_id)
                                    .values(failed_attempts=app_user.c.failed_attempts + 1)
                                    .returning(app_user.c.failed_attempts)).scalar_one()
            if failures >= MAX_FAILURES:
                conn.execute(update(app_user).where(app_user.c.user_id == account_row.user_id)
                             .values(locked_until=now + dt.timedelta(seconds=ACCOUNT_PAUSE_SECONDS)))
                reason = "密码连续错误，账号暂停"
    else:
        reason = "无此用户或已停用"
        UNKNOWN_NAMES.failed(f"name:{name.casefold()}", now)
    account = row.username if row is not None else None
    audit.record(engine, account, "sign_in_failed", account, reason=reason,
                 **({"address": address} if address else {}))
    if paused:
        raise _too_often(ACCOUNT_PAUSE_SECONDS)
    raise AuthError(t("用户名或密码不正确"))


def user_by_subject(engine: Engine, subject: str) -> User | None:
    """An identity-provider user (st.login) mapped to our roles and scope by `oidc_subject`."""
    with engine.connect() as conn:
        row = conn.execute(select(app_user).where(app_user.c.oidc_subject == subject)
                           .where(app_user.c.active.is_(True))).first()
    return _row_to_user(row) if row else None


DEMO_USERS = (
    ("demo_leader", "演示领导", "leader", NATION),
    ("demo_staff", "演示工作人员（贵州）", "staff", "520000"),
    ("demo_admin", "演示管理员", "admin", NATION),
)
DEMO_PASSWORD = "demo-only-2026"


def ensure_demo_users(engine: Engine) -> None:
    """Demo accounts for demo mode only (never created in production configuration)."""
    with engine.connect() as conn:
        existing = {r[0] for r in conn.execute(select(app_user.c.username))}
    for username, name, role, scope in DEMO_USERS:
        if username not in existing:
            create_user(engine, username, DEMO_PASSWORD, role, scope, display_name=name, actor=SYSTEM)
