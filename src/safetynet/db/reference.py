"""Reference data every installation needs: regions, industries, default lines.

Loaded by `init-db` (and the app's first start) into empty tables only, so a
union that has edited its lines or multipliers never has them overwritten.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, inspect, select

from safetynet import geo
from safetynet.db import bulk
from safetynet.db.schema import deadline_rule, industry, region, region_line, work_calendar
from safetynet.domain import codes
from safetynet.domain.deadlines import default_rule_rows
from safetynet.domain.lines import NATION, NATIONAL_MONITOR_FLOOR
from safetynet.domain.workdays import shipped_days

# Urban 低保, yuan per person per month, 2024, by province (research/domain.md §4c:
# tier-1 1,300–1,500, east 900–1,150, centre 700–850, west/north-east 650–800).
URBAN_DIBAO_2024 = {
    "11": 1395, "12": 1110, "13": 830, "14": 720, "15": 850, "21": 760, "22": 650, "23": 660,
    "31": 1510, "32": 920, "33": 1150, "34": 780, "35": 830, "36": 850, "37": 900, "41": 700,
    "42": 760, "43": 650, "44": 1000, "45": 830, "46": 670, "50": 700, "51": 700, "52": 730,
    "53": 730, "54": 950, "61": 720, "62": 730, "63": 720, "64": 720, "65": 620,
}
# Large cities set their own, higher lines: these rows show prefecture-level inheritance.
CITY_URBAN_DIBAO_2024 = {
    "440300": 1365, "440100": 1338, "330100": 1229, "320100": 1100, "320500": 1175,
    "510100": 780, "420100": 900, "610100": 830, "370200": 1050, "350200": 1090,
}
# Eastern provinces set their monitoring lines above the national floor.
EAST_UPLIFT = 1.25
YEARS = range(2021, 2027)
GROWTH = 0.04  # yearly rise of 低保 standards


def _scaled(value_2024: float, year: int) -> float:
    return round(value_2024 * (1 + GROWTH) ** (year - 2024))


def default_lines(regions: pd.DataFrame) -> pd.DataFrame:
    """Lines for the nation, every province and a few cities, 2021–2026."""
    macro = regions.loc[regions["level"] == 1].set_index("adcode")["macro_region"].to_dict()
    # adcode, year, urban_dibao_month, rural_dibao_year, monitor_line_year (a city sets only its urban dibao)
    rows: list[tuple[str, int, float, int | None, float | None]] = []
    for year in YEARS:
        floor = NATIONAL_MONITOR_FLOOR[year]
        rows.append((NATION, year, _scaled(780, year), round(_scaled(780, year) * 12 * 0.72), floor))
        for prov, urban in URBAN_DIBAO_2024.items():
            adcode = prov + "0000"
            uplift = EAST_UPLIFT if macro.get(adcode) == "东部" else 1.0
            urban_y = _scaled(urban, year)
            rural_y = round(urban_y * 12 * 0.72)
            monitor = round(max(floor * uplift, rural_y * 1.05))
            rows.append((adcode, year, urban_y, rural_y, monitor))
        for city, urban in CITY_URBAN_DIBAO_2024.items():
            rows.append((city, year, _scaled(urban, year), None, None))
    return pd.DataFrame(rows, columns=["adcode", "year", "urban_dibao_month", "rural_dibao_year", "monitor_line_year"])


def region_frame() -> pd.DataFrame:
    regions = geo.load_regions()
    short = pd.read_csv(geo.geo_dir() / "china_provinces.csv", dtype={"adcode": str})[["adcode", "short_name"]]
    regions = regions.merge(short, on="adcode", how="left")
    nation = pd.DataFrame([{
        "adcode": NATION, "name": "全国", "short_name": "全国", "level": 0, "parent_adcode": None,
        "prov_adcode": None, "pref_adcode": None, "macro_region": None, "lon": 104.5, "lat": 35.5,
    }])
    regions.loc[regions["level"] == 1, "parent_adcode"] = NATION
    return pd.concat([nation, regions], ignore_index=True)[[c.name for c in region.columns]]


def industry_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [(code, sec, zh, en, wage, 1.0) for code, sec, zh, en, wage, _share in codes.INDUSTRIES],
        columns=["code", "gb_section", "name_zh", "name_en", "mean_wage", "line_multiplier"],
    )


def load_reference(conn: Connection) -> dict[str, int]:
    """Fill empty reference tables; returns rows written per table."""
    written: dict[str, int] = {}
    if conn.execute(select(func.count()).select_from(region)).scalar_one() == 0:
        regions = region_frame()
        written["region"] = bulk.insert_frame(conn, region, regions)
    if conn.execute(select(func.count()).select_from(industry)).scalar_one() == 0:
        written["industry"] = bulk.insert_frame(conn, industry, industry_frame())
    if conn.execute(select(func.count()).select_from(region_line)).scalar_one() == 0:
        regions = pd.read_sql(select(region.c.adcode, region.c.level, region.c.macro_region), conn)
        written["region_line"] = bulk.insert_frame(conn, region_line, default_lines(regions))
    # (a database still at an older revision has no casework tables yet: they are filled after its upgrade)
    has_table = inspect(conn).has_table
    if has_table("work_calendar") and conn.execute(select(func.count()).select_from(work_calendar)).scalar_one() == 0:
        days = pd.DataFrame([{"day": d.day, "kind": d.kind, "name": d.name, "source": d.source} for d in shipped_days()])
        written["work_calendar"] = bulk.insert_frame(conn, work_calendar, days)
    if has_table("deadline_rule") and conn.execute(select(func.count()).select_from(deadline_rule)).scalar_one() == 0:
        written["deadline_rule"] = bulk.insert_frame(conn, deadline_rule, pd.DataFrame(default_rule_rows()))
    return written
