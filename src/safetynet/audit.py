"""The audit log: append-only from the application's side.

Every unmask, export, import, sign-in and user change is one row; the app
never updates or deletes audit rows. A row that cannot be kept (the database
is read-only, or its file was deleted under the app) raises
DatabaseUnavailable before anything is written, so the action it records is
refused rather than done unrecorded.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, Engine, insert

from safetynet.db import health
from safetynet.db.schema import audit_log

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "unmask", "export", "import", "user_change", "demo", "view_saved",
           "casework", "view_deleted")


def record(db: Connection | Engine, user: str | None, action: str, target: str | None = None, **detail: object) -> None:
    """Append one audit row.

    Given the connection of a write, the row shares that write's transaction: both are kept or neither is.
    Given the engine (an unmask, an export, a sign-in: nothing else is written), it commits on its own.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = insert(audit_log).values(
        at=dt.datetime.now().replace(microsecond=0), user_name=user, action=action,
        target=(target or "")[:128], detail=json.dumps(detail, ensure_ascii=False, default=str))
    if isinstance(db, Connection):
        with health.guard(db):
            db.execute(row)
        return
    with health.guard(db), db.begin() as conn:
        conn.execute(row)
