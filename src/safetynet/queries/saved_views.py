"""Named views of a screen, stored in the database and shared by everyone in scope.

A view is just the screen's URL query string (codes only), so opening it is
the same as opening the link; the region scope is re-applied on every load.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from safetynet.db import health
from safetynet.db.schema import saved_view

MAX_NAME = 64


def list_views(engine: Engine, page: str) -> pd.DataFrame:
    return pd.read_sql(select(saved_view.c.view_id, saved_view.c.name, saved_view.c.query, saved_view.c.owner)
                       .where(saved_view.c.page == page).order_by(saved_view.c.name), engine)


def save_view(engine: Engine, name: str, page: str, query: str, owner: str | None) -> None:
    """Create or replace the view called `name` on `page`."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"视图名称须为1–{MAX_NAME}个字符")
    now = dt.datetime.now().replace(microsecond=0)
    with health.guard(engine), engine.begin() as conn:  # DatabaseUnavailable when it cannot be kept
        existing = conn.execute(select(saved_view.c.view_id).where(saved_view.c.name == name)).scalar()
        if existing is None:
            conn.execute(insert(saved_view).values(name=name, page=page, query=query, owner=owner, created_at=now))
        else:
            conn.execute(update(saved_view).where(saved_view.c.view_id == existing)
                         .values(page=page, query=query, owner=owner, created_at=now))


def delete_view(engine: Engine, view_id: int) -> None:
    with health.guard(engine), engine.begin() as conn:
        conn.execute(delete(saved_view).where(saved_view.c.view_id == view_id))
