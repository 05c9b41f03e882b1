"""Roll-ups: the small tables every dashboard reads.

Every measure is a sum over risk_score rows, so the same function serves a
full rebuild (sum over all chunks) and an incremental refresh after an import
(subtract the affected households' old rows, add their new ones). The region
roll-up holds every level — county, prefecture, province, nation — so a page
never aggregates the fact table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from safetynet.db import bulk
from safetynet.db.schema import (
    ROLLUP_KEYS,
    region,
    rollup_industry_month,
    rollup_region_month,
    rollup_site_month,
)
from safetynet.domain import risk
from safetynet.domain.lines import NATION

COUNT_MEASURES = (
    "households", "persons", "tier_high", "tier_mid", "tier_low", "labour", "employed", "r_n",
    *risk.FLAG_MEASURES.keys(),
)
BIN_MEASURES = tuple(f"r_b{i:02d}" for i in range(12))
SUM_MEASURES = ("income_sum", "r_sum")
MEASURES = COUNT_MEASURES + BIN_MEASURES + SUM_MEASURES
TABLES = {t.name: t for t in (rollup_region_month, rollup_industry_month, rollup_site_month)}


@dataclass(frozen=True)
class RegionIndex:
    """adcode → level and ancestors, for lifting county rows to every level."""

    level: dict[str, int]
    pref: dict[str, str | None]
    prov: dict[str, str | None]

    @classmethod
    def load(cls, conn: Connection) -> RegionIndex:
        rows = conn.execute(select(region.c.adcode, region.c.level, region.c.pref_adcode, region.c.prov_adcode)).all()
        return cls({r[0]: int(r[1]) for r in rows}, {r[0]: r[2] for r in rows}, {r[0]: r[3] for r in rows})

    def ancestors(self, adcode: str) -> list[str]:
        """The region itself and every distinct wider region up to the nation."""
        out = [adcode]
        for code in (self.pref.get(adcode), self.prov.get(adcode), NATION):
            if code and code not in out:
                out.append(code)
        return out


def measures(scores: pd.DataFrame) -> pd.DataFrame:
    """One row of additive measures per risk_score row."""
    tier = scores["tier"].to_numpy()
    flags = scores["flags"].to_numpy(dtype=np.int64)
    r = scores["r"].to_numpy(dtype=float)
    known = np.isfinite(r)
    bins = risk.r_bins(r)
    data: dict[str, np.ndarray] = {
        "households": np.ones(len(scores), dtype=np.int64),
        "persons": scores["members"].to_numpy(dtype=np.int64),
        "tier_high": (tier == "高").astype(np.int64),
        "tier_mid": (tier == "中").astype(np.int64),
        "tier_low": (tier == "低").astype(np.int64),
        "labour": scores["labour"].to_numpy(dtype=np.int64),
        "employed": scores["employed"].to_numpy(dtype=np.int64),
        "r_n": known.astype(np.int64),
    }
    for name, flag in risk.FLAG_MEASURES.items():
        data[name] = ((flags & int(flag)) != 0).astype(np.int64)
    for i, name in enumerate(BIN_MEASURES):
        data[name] = (bins == i).astype(np.int64)
    data["income_sum"] = scores["income"].to_numpy(dtype=float)
    data["r_sum"] = np.where(known, r, 0.0)
    return pd.DataFrame(data, index=scores.index)


def _population(category: pd.Series) -> np.ndarray:
    return np.where(category.str.startswith("W"), "worker", "rural")


def contributions(scores: pd.DataFrame, regions: RegionIndex, sign: int = 1) -> dict[str, pd.DataFrame]:
    """Roll-up rows (keys + measures) that `scores` add (sign=1) or take away (sign=-1)."""
    if scores.empty:
        return {name: pd.DataFrame(columns=[*ROLLUP_KEYS[name], *MEASURES]) for name in TABLES}
    m = measures(scores) * sign
    base = pd.concat(
        [scores[["adcode", "industry_code", "category", "month", "site_id"]].reset_index(drop=True),
         m.reset_index(drop=True)], axis=1)
    base["population"] = _population(base["category"])
    base["industry_code"] = base["industry_code"].fillna("Z")

    out: dict[str, pd.DataFrame] = {}
    county = base.groupby(["adcode", "population", "category", "month"], as_index=False)[list(MEASURES)].sum()
    out["rollup_region_month"] = _lift(county, regions, ["population", "category", "month"])
    by_industry = base.groupby(["adcode", "industry_code", "population", "month"], as_index=False)[list(MEASURES)].sum()
    out["rollup_industry_month"] = _lift(by_industry, regions, ["industry_code", "population", "month"])
    at_site = base.loc[base["site_id"].notna()]
    site = at_site.groupby(["site_id", "category", "month"], as_index=False).agg(
        adcode=("adcode", "first"), **{c: (c, "sum") for c in MEASURES})
    site["site_id"] = site["site_id"].astype(np.int64)
    out["rollup_site_month"] = site
    return out


def _lift(frame: pd.DataFrame, regions: RegionIndex, keys: list[str]) -> pd.DataFrame:
    """Copy county-level rows to every ancestor and sum per (region, keys)."""
    codes = frame["adcode"].unique()
    pairs = [(code, anc) for code in codes for anc in regions.ancestors(code)]
    mapping = pd.DataFrame(pairs, columns=["adcode", "target"])
    lifted = frame.merge(mapping, on="adcode").drop(columns="adcode").rename(columns={"target": "adcode"})
    lifted = lifted.groupby(["adcode", *keys], as_index=False)[list(MEASURES)].sum()
    lifted["level"] = lifted["adcode"].map(regions.level).fillna(0).astype(np.int64)
    return lifted


def combine(parts: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Sum contributions from several chunks (or old-minus-new deltas)."""
    out: dict[str, pd.DataFrame] = {}
    for name, keys in ROLLUP_KEYS.items():
        frames = [p[name] for p in parts if name in p and not p[name].empty]
        if not frames:
            out[name] = pd.DataFrame(columns=[*keys, *MEASURES])
            continue
        frame = pd.concat(frames, ignore_index=True)
        extra = [c for c in frame.columns if c not in keys and c not in MEASURES]
        agg = {c: "sum" for c in MEASURES} | {c: "first" for c in extra}
        out[name] = frame.groupby(list(keys), as_index=False).agg(agg)
    return out


def _with_parent(frame: pd.DataFrame, regions: RegionIndex) -> pd.DataFrame:
    parent: list[str | None] = []  # None for the nation
    for code, level in zip(frame["adcode"], frame["level"], strict=True):
        if level == 0:
            parent.append(None)
        elif level == 1:
            parent.append(NATION)
        else:
            anc = regions.ancestors(code)
            parent.append(anc[1] if len(anc) > 1 else None)
    return frame.assign(parent_adcode=parent)


def write_full(conn: Connection, rollups: dict[str, pd.DataFrame], regions: RegionIndex) -> dict[str, int]:
    """Replace every roll-up table with `rollups`."""
    written = {}
    for name, table in TABLES.items():
        conn.execute(delete(table))
        frame = rollups[name]
        if name == "rollup_region_month" and not frame.empty:
            frame = _with_parent(frame, regions)
        frame = frame.loc[frame["households"] != 0] if not frame.empty else frame
        written[name] = bulk.insert_frame(conn, table, frame[[c for c in frame.columns if c in table.c]])
    return written


def replace_month(conn: Connection, rollups: dict[str, pd.DataFrame], regions: RegionIndex, month: int) -> None:
    """Replace one month's rows of every roll-up table with `rollups` (all of that month's households)."""
    for name, table in TABLES.items():
        conn.execute(delete(table).where(table.c.month == month))
        frame = rollups[name]
        if frame.empty:
            continue
        if name == "rollup_region_month":
            frame = _with_parent(frame, regions)
        frame = frame.loc[frame["households"] != 0]
        bulk.insert_frame(conn, table, frame[[c for c in frame.columns if c in table.c]])


def apply_deltas(conn: Connection, deltas: dict[str, pd.DataFrame], regions: RegionIndex) -> None:
    """Add signed contributions to the stored roll-ups (upsert), dropping emptied rows."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for name, table in TABLES.items():
        frame = deltas[name]
        if frame.empty:
            continue
        if name == "rollup_region_month":
            frame = _with_parent(frame, regions)
        frame = frame.loc[(frame[list(MEASURES)] != 0).any(axis=1)]
        if frame.empty:
            continue
        cols = [c for c in frame.columns if c in table.c]
        records = frame[cols].astype(object).where(frame[cols].notna(), None).to_dict("records")
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(ROLLUP_KEYS[name]),
            set_={m: table.c[m] + stmt.excluded[m] for m in MEASURES},
        )
        for start in range(0, len(records), 5000):
            conn.execute(stmt, records[start:start + 5000])
        conn.execute(delete(table).where(table.c.households <= 0))
