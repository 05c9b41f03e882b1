"""The audit log: append-only from the application's side.

Every unmask, export, import, sign-in and user change is one row; the app
never updates or deletes audit rows.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, insert

from safetynet.db.schema import audit_log

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "unmask", "export", "import", "user_change", "demo", "view_saved")


def record(engine: Engine, user: str | None, action: str, target: str | None = None, **detail: object) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with engine.begin() as conn:
        conn.execute(insert(audit_log).values(
            at=dt.datetime.now().replace(microsecond=0), user_name=user, action=action,
            target=(target or "")[:128], detail=json.dumps(detail, ensure_ascii=False, default=str)))
