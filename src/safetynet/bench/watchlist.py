"""Watchlist query timings: `queries.watchlist.count` and `page` for typical filter combinations.

The combinations are those staff use: the default list (高+中, national), a
province, a county, 高 + migrant households, factor C without a helper, a
relocation site, manufacturing newly 高 in the last three months, sorted by r,
and page 20. The regions, site and industry are the largest in the database,
so each combination returns rows. Every query is timed uncached (`runs` times,
after one warm-up call), p50 and p95 reported in milliseconds.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from sqlalchemy import Engine, text

from safetynet.bench.stats import repeat, summary_ms
from safetynet.db import version
from safetynet.domain.months import add_months
from safetynet.filters import Filters
from safetynet.queries import watchlist as wl
from safetynet.queries.watchlist import WatchlistQuery


def _largest(engine: Engine, sql: str, **params: object):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def combinations(engine: Engine) -> dict[str, WatchlistQuery]:
    """The named filter combinations, on this database's largest province, county and site."""
    _, month = version.current(engine)
    if month is None:
        raise RuntimeError("the benchmark database has no scores")
    prov = _largest(engine, "SELECT prov_adcode FROM household_current WHERE month = :m "
                            "GROUP BY prov_adcode ORDER BY COUNT(*) DESC, prov_adcode LIMIT 1", m=month)
    county = _largest(engine, "SELECT adcode FROM household_current WHERE month = :m "
                              "GROUP BY adcode ORDER BY COUNT(*) DESC, adcode LIMIT 1", m=month)
    county_level = _largest(engine, "SELECT level FROM region WHERE adcode = :a", a=county)
    site = _largest(engine, "SELECT site_id FROM household_current WHERE month = :m AND site_id IS NOT NULL "
                            "GROUP BY site_id ORDER BY COUNT(*) DESC, site_id LIMIT 1", m=month)
    nation = WatchlistQuery(Filters(), level=0, month=month)
    return {
        "default 高+中 national": nation,
        f"province {prov}": replace(nation, filters=Filters(region=prov), level=1),
        f"county {county}": replace(nation, filters=Filters(region=county), level=int(county_level)),
        "tier 高 + migrant": replace(nation, tiers=("高",), flags=("migrant",)),
        "factor C + no helper": replace(nation, factor="c", flags=("no_helper",)),
        f"site {site}": replace(nation, site_id=int(site), tiers=()),
        "industry C + newly 高 ≤3 months": replace(nation, industry="C", tiers=("高",),
                                                  new_since=add_months(month, -2)),
        "sort by r": replace(nation, sort="r"),
        "page 20": replace(nation, page=20),
    }


def measure_watchlist(engine: Engine, runs: int = 20) -> dict:
    """p50/p95 of count() and page() for each combination."""
    out: dict[str, dict[str, Any]] = {}  # per combination: its counts and timings
    for name, query in combinations(engine).items():
        wl.count(engine, query)  # warm-up: statement compiled, pages in the OS cache
        count_times, total = repeat(partial(wl.count, engine, query), runs)
        wl.page(engine, query)
        page_times, rows = repeat(partial(wl.page, engine, query), runs)
        out[name] = {"matches": int(total), "page_rows": len(rows),
                     "count": summary_ms(count_times), "page": summary_ms(page_times)}
    worst = max(max(v["count"]["p95_ms"], v["page"]["p95_ms"]) for v in out.values())
    return {"runs": runs, "combinations": out, "worst_p95_ms": worst}
