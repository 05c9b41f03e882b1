"""The audit log: append-only from the application's side.

Every unmask, export, import, sign-in and user change is one row; the app
never updates or deletes audit rows. A row that cannot be kept (the database
is read-only, or its file was deleted under the app) raises
DatabaseUnavailable before anything is written, so the action it records is
refused rather than done unrecorded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, Engine, insert, select

from safetynet.db import health
from safetynet.db.schema import app_user, audit_log, household, lead
from safetynet.domain.lines import NATION

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "unmask", "export", "import", "user_change", "demo", "view_saved",
           "casework", "view_deleted", "display_token")


def record(db: Connection | Engine, user: str | None, action: str, target: str | None = None, *,
           region: str | None = None, **detail: object) -> None:
    """Append one audit row.

    Given the connection of a write, the row shares that write's transaction: both are kept or neither is.
    Given the engine (an unmask, an export, a sign-in: nothing else is written), it commits on its own.

    `region` (an adcode) is the region the row is about — a household's county, a user's scope, a batch's
    scope; an administrator reads only the rows inside their own scope. Without it the row takes the acting
    user's scope (app_user by `user`, read in the same transaction), else NULL, which only nationwide
    administrators read.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    values = dict(at=dt.datetime.now().replace(microsecond=0), user_name=user, action=action,
                  target=(target or "")[:128], detail=json.dumps(detail, ensure_ascii=False, default=str))
    if isinstance(db, Connection):
        with health.guard(db):
            db.execute(insert(audit_log).values(**values, region_adcode=_region(db, region, user)))
        return
    with health.guard(db), db.begin() as conn:
        conn.execute(insert(audit_log).values(**values, region_adcode=_region(conn, region, user)))


def _region(conn: Connection, region: str | None, user: str | None):
    """The row's region: the one given, else the writer's scope as a scalar subquery (NULL for no such user)."""
    if region is not None:
        return region
    if not user:
        return None
    return select(app_user.c.scope_adcode).where(app_user.c.username == user).scalar_subquery()


def region_of_households(db: Connection | Engine, hh_ids: Iterable[int]) -> str | None:
    """The narrowest region holding every household of `hh_ids` (their county when they share one, else the
    prefecture, the province, or 000000); None for no known household."""
    ids = sorted({int(h) for h in hh_ids})
    if not ids:
        return None
    counties: set[str] = set()
    with _connection(db) as conn:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            counties.update(r[0] for r in conn.execute(select(household.c.adcode).distinct()
                                                       .where(household.c.hh_id.in_(chunk))))
    return common_region(counties)


def region_of_lead(db: Connection | Engine, lead_id: int | None, hh_id: int | None = None) -> str | None:
    """A casework row's region: the household's county, else the lead's county (a lead without a file)."""
    if hh_id is not None:
        return region_of_households(db, [hh_id])
    if lead_id is None:
        return None
    with _connection(db) as conn:
        return conn.execute(select(lead.c.adcode).where(lead.c.lead_id == lead_id)).scalar()


def common_region(adcodes: Iterable[str]) -> str | None:
    """The narrowest region containing all `adcodes`: 520102+520103 → 520100, 520102+530102 → 000000."""
    codes = [c for c in adcodes if c]
    if not codes:
        return None
    for length in (6, 4, 2):
        if len({c[:length] for c in codes}) == 1:
            return codes[0][:length].ljust(6, "0")
    return NATION


@contextlib.contextmanager
def _connection(db: Connection | Engine) -> Iterator[Connection]:
    if isinstance(db, Connection):
        yield db
        return
    with db.connect() as conn:
        yield conn
