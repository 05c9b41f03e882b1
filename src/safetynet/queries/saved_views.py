"""Named views of a screen, stored in the database; each belongs to the user who saved it.

A view is just the screen's URL query string (codes only), so opening it is
the same as opening the link; the region scope is re-applied on every load.

A view is private to its owner unless the owner shares it: a shared view is
seen by the users whose own scope lies inside the scope the owner had when
saving it (a Guizhou provincial user's shared view by everyone inside Guizhou).
Every lookup — the list, opening, deleting — carries that rule in its WHERE
clause, so another user's private view behaves exactly like one that does not
exist. Saving and deleting are audited in their own transaction.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
from sqlalchemy import Engine, and_, case, delete, insert, or_, select, true, update
from sqlalchemy.sql.elements import ColumnElement

from safetynet import audit, auth
from safetynet.db import health
from safetynet.db.errors import WriteRefused
from safetynet.db.schema import app_user, saved_view
from safetynet.domain.lines import NATION

MAX_NAME = 64
MAX_ID = 2**31 - 1  # view_id is an INTEGER: a larger number names no view (and would overflow SQLite's binding)
NAME_RULE = "视图名称须为1–{n}个字符，不能含换行或控制字符"
NOT_FOUND = "没有这个视图，或它不属于您"


class ViewRefused(WriteRefused):
    """A saved-view change refused with a Chinese reason (nothing was written)."""


def _covering_scopes(scope: str) -> list[str]:
    """The scopes a view may have been shared in for a user of `scope` to see it: nation, province,
    prefecture and the scope itself, kept only where auth.within says so (the one definition of "inside")."""
    candidates = {NATION, scope[:2] + "0000", scope[:4] + "00", scope}
    return sorted(s for s in candidates if auth.within(scope, s))


def _visible_to(user: auth.User) -> ColumnElement[bool]:
    """The user's own views, and views others shared in a scope that covers the user's."""
    shared = and_(saved_view.c.shared == true(), saved_view.c.scope_adcode.in_(_covering_scopes(user.scope)))
    return or_(saved_view.c.owner == user.username, shared)


def list_views(engine: Engine, page: str, user: auth.User) -> pd.DataFrame:
    """The views of `page` the user may open: view_id, name, query, owner, owner_name, shared, own.

    The user's own views come first, then those shared by others, each by name."""
    frame = pd.read_sql(
        select(saved_view.c.view_id, saved_view.c.name, saved_view.c.query, saved_view.c.owner,
               app_user.c.display_name.label("owner_name"), saved_view.c.shared)
        .select_from(saved_view.outerjoin(app_user, app_user.c.username == saved_view.c.owner))
        .where(saved_view.c.page == page, _visible_to(user))
        .order_by(case((saved_view.c.owner == user.username, 0), else_=1), saved_view.c.name,
                  saved_view.c.view_id), engine)
    frame["shared"] = frame["shared"].astype(bool)
    frame["own"] = frame["owner"] == user.username
    return frame


def open_view(engine: Engine, view_id: int, page: str, user: auth.User) -> str | None:
    """The query string of a view the user may open; None when it is missing or not theirs to see."""
    if not 0 < view_id <= MAX_ID:
        return None
    with engine.connect() as conn:
        return conn.execute(select(saved_view.c.query).where(
            saved_view.c.view_id == view_id, saved_view.c.page == page, _visible_to(user))).scalar()


def clean_name(name: str) -> str:
    """The name as stored (stripped); ViewRefused when it is empty, too long or holds control characters."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
                                               for ch in name):
        raise ViewRefused(NAME_RULE, n=MAX_NAME)
    return name


def save_view(engine: Engine, name: str, page: str, query: str, user: auth.User, shared: bool = False) -> int:
    """Create or replace the user's own view called `name` on `page`; returns its id.

    Another user's view of the same name is a different row and stays as it is. Shared views are seen inside
    the user's scope as it is now (recorded with the view)."""
    name = clean_name(name)
    now = dt.datetime.now().replace(microsecond=0)
    values = dict(query=query, shared=bool(shared), scope_adcode=user.scope, created_at=now)
    with health.guard(engine), engine.begin() as conn:  # DatabaseUnavailable when it cannot be kept
        existing = conn.execute(select(saved_view.c.view_id).where(
            saved_view.c.owner == user.username, saved_view.c.page == page, saved_view.c.name == name)).scalar()
        if existing is None:
            view_id = conn.execute(insert(saved_view).values(name=name, page=page, owner=user.username, **values)
                                   .returning(saved_view.c.view_id)).scalar_one()
        else:
            view_id = existing
            conn.execute(update(saved_view).where(saved_view.c.view_id == existing).values(**values))
        audit.record(conn, user.username, "view_saved", name, page=page, shared=bool(shared), view_id=view_id,
                     replaced=existing is not None)
    return int(view_id)


def delete_view(engine: Engine, view_id: int, user: auth.User) -> None:
    """Delete one of the user's own views; ViewRefused (as for a missing id) for anyone else's."""
    if not 0 < view_id <= MAX_ID:
        raise ViewRefused(NOT_FOUND)
    mine = and_(saved_view.c.view_id == view_id, saved_view.c.owner == user.username)
    with health.guard(engine), engine.begin() as conn:
        row = conn.execute(select(saved_view.c.name, saved_view.c.page).where(mine)).first()
        if row is None or conn.execute(delete(saved_view).where(mine)).rowcount != 1:
            raise ViewRefused(NOT_FOUND)
        audit.record(conn, user.username, "view_deleted", row.name, page=row.page, view_id=view_id)
