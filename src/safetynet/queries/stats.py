"""Headline counts for `stats --json` and the first-run check."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from safetynet.db import version
from safetynet.db.schema import (
    elimination_request,
    household,
    household_month,
    lead,
    person,
    relocation_site,
    risk_score,
)


def summary(engine: Engine) -> dict:
    data_version, latest = version.current(engine)
    with engine.connect() as conn:
        count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar_one()  # noqa: E731
        months = conn.execute(select(func.count(func.distinct(household_month.c.month)))).scalar_one()
        tiers = {"高": 0, "中": 0, "低": 0}
        if latest is not None:
            rows = conn.execute(
                select(risk_score.c.tier, func.count()).where(risk_score.c.month == latest).group_by(risk_score.c.tier)
            ).all()
            tiers.update({tier: int(n) for tier, n in rows})
        return {
            "households": count(household),
            "persons": count(person),
            "sites": count(relocation_site),
            "months": int(months),
            "latest_month": latest,
            "tiers": tiers,
            "scored_latest_month": sum(tiers.values()),
            "data_version": data_version,
        }


def casework_counts(engine: Engine) -> dict:
    """Leads by status and elimination requests awaiting approval, nationwide (overdue needs the calendar)."""
    with engine.connect() as conn:
        by_status: dict[str, int] = dict(
            conn.execute(select(lead.c.status, func.count()).group_by(lead.c.status)).all())
        pending = conn.execute(select(func.count()).select_from(elimination_request)
                               .where(elimination_request.c.status == "待审批")).scalar_one()
    return {"open": int(sum(n for s, n in by_status.items() if s != "已办结")),
            "closed": int(by_status.get("已办结", 0)), "approvals_pending": int(pending)}
