"""Relocation sites (易地扶贫搬迁安置点): site facts, site roll-ups, assistance at one site.

Measures come from `rollup_site_month` (additive sums; rates are computed after
summing). Assistance by type needs the fact rows of one site, read through the
indexed `household_current.site_id` and `assistance (hh_id, delivered_on)`.
A site is in scope when its county lies inside the filtered region.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Date, Engine, bindparam, text

from safetynet.domain.lines import NATION
from safetynet.domain.months import add_months, first_day
from safetynet.filters import Filters

# Roll-up measures this screen reads (a fixed whitelist: only these names reach the SQL text).
MEASURES = ("households", "tier_high", "tier_mid", "tier_low", "labour", "employed",
            "labour_no_job", "assisted")


def _sums(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"SUM({prefix}{m}) AS {m}" for m in MEASURES)


def scope_condition(filters: Filters) -> str:
    """The site's county (region alias g) lies inside the filtered region; the adcode is bound."""
    if filters.region == NATION:
        return "1 = 1"
    return "(g.adcode = :region OR g.pref_adcode = :region OR g.prov_adcode = :region)"


def _params(filters: Filters, **extra: object) -> dict[str, object]:
    return {"region": filters.region, "categories": list(filters.categories()), **extra}


def site_table(engine: Engine, filters: Filters, month: int) -> pd.DataFrame:
    """One row per site in scope: its facts and its roll-up measures in `month`.

    Sites without monitored households in the filtered categories are listed with zeros.
    """
    coalesced = ", ".join(f"COALESCE(m.{c}, 0) AS {c}" for c in MEASURES)
    sql = text(
        "SELECT s.site_id, s.name, s.adcode, g.name AS county, f.name AS pref_name, p.name AS prov_name, "
        "p.short_name AS prov_short, s.site_type, s.households_relocated, s.people_relocated, s.workshop_jobs, "
        f"s.has_service_station, s.opened_year, s.lon, s.lat, {coalesced} "
        "FROM relocation_site s "
        "JOIN region g ON g.adcode = s.adcode "
        "LEFT JOIN region f ON f.adcode = g.pref_adcode "
        "LEFT JOIN region p ON p.adcode = g.prov_adcode "
        f"LEFT JOIN (SELECT site_id, {_sums()} FROM rollup_site_month "
        "           WHERE month = :month AND category IN :categories GROUP BY site_id) m ON m.site_id = s.site_id "
        f"WHERE {scope_condition(filters)} ORDER BY s.site_id"
    ).bindparams(bindparam("categories", expanding=True))
    frame = pd.read_sql(sql, engine, params=_params(filters, month=month))
    frame["has_service_station"] = frame["has_service_station"].astype(bool)
    for column in ("households_relocated", "people_relocated", "workshop_jobs", *MEASURES):
        frame[column] = frame[column].astype("int64")
    return frame


def site_monthly(engine: Engine, filters: Filters, site_id: int | None = None) -> pd.DataFrame:
    """Per month: measures summed over the sites in scope, or of one site (`site_id`)."""
    one = "AND m.site_id = :site " if site_id is not None else ""
    sql = text(
        f"SELECT m.month, {_sums('m')} FROM rollup_site_month m "
        "JOIN relocation_site s ON s.site_id = m.site_id "
        "JOIN region g ON g.adcode = s.adcode "
        f"WHERE {scope_condition(filters)} AND m.category IN :categories {one}"
        "GROUP BY m.month ORDER BY m.month"
    ).bindparams(bindparam("categories", expanding=True))
    frame = pd.read_sql(sql, engine, params=_params(filters, site=site_id))
    for column in MEASURES:
        frame[column] = frame[column].astype("int64")
    return frame


def site_assistance(engine: Engine, filters: Filters, site_id: int, month: int) -> tuple[int, pd.DataFrame]:
    """The site's households monitored in `month` (every status, as the roll-up's `households`) and,
    per assistance type, how many of them received it in the 12 months ending with `month`.

    Returns (monitored households, frame of aid_type, households) — largest first.
    """
    since, until = first_day(add_months(month, -11)), first_day(add_months(month, 1))
    base = (
        "FROM household_current c "
        "JOIN relocation_site s ON s.site_id = c.site_id "
        "JOIN region g ON g.adcode = s.adcode "
    )
    where = f"WHERE c.site_id = :site AND c.month = :month AND c.category IN :categories AND {scope_condition(filters)}"
    params = _params(filters, site=site_id, month=month, since=since, until=until)
    count_sql = text(f"SELECT COUNT(*) {base}{where}").bindparams(bindparam("categories", expanding=True))
    by_type_sql = text(
        f"SELECT a.aid_type, COUNT(DISTINCT a.hh_id) AS households {base}"
        "JOIN assistance a ON a.hh_id = c.hh_id AND a.delivered_on >= :since AND a.delivered_on < :until "
        f"{where} GROUP BY a.aid_type ORDER BY households DESC, a.aid_type"
    ).bindparams(bindparam("categories", expanding=True), bindparam("since", type_=Date),
                 bindparam("until", type_=Date))
    with engine.connect() as conn:
        monitored = int(conn.execute(count_sql, {k: v for k, v in params.items() if k not in ("since", "until")})
                        .scalar() or 0)
    by_type = pd.read_sql(by_type_sql, engine, params=params)
    by_type["households"] = by_type["households"].astype("int64")
    return monitored, by_type
