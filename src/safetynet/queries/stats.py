"""Headline counts for `stats --json` and the first-run check."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from safetynet.db import version
from safetynet.db.schema import household, household_month, person, relocation_site, risk_score


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
