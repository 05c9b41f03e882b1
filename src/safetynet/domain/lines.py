"""Lines and thresholds are data (DOMAIN §2).

`region_line` rows hold 低保 and monitoring lines per region and year. A region
without its own row inherits from its prefecture, then its province, then the
nation ("000000"). A year without any row falls back to the latest earlier
year, but a newer year at a wider level wins over an older year at a narrower
one: lines are set yearly, so an old county figure should not outlive a new
provincial one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

NATION = "000000"
KINDS = ("urban_dibao_month", "rural_dibao_year", "monitor_line_year")

# National monitoring floor (yuan per person per year), DOMAIN §2.
NATIONAL_MONITOR_FLOOR = {2021: 6000.0, 2022: 6300.0, 2023: 6900.0, 2024: 7300.0, 2025: 7600.0, 2026: 7900.0}


def region_chain(adcode: str) -> list[str]:
    """The adcode itself, then its prefecture, province and the nation (no repeats)."""
    chain = [adcode, adcode[:4] + "00", adcode[:2] + "0000", NATION]
    out: list[str] = []
    for code in chain:
        if code not in out:
            out.append(code)
    return out


@dataclass(frozen=True)
class LineTable:
    """An in-memory view of `region_line` for fast lookups while scoring."""

    rows: pd.DataFrame  # adcode, year, urban_dibao_month, rural_dibao_year, monitor_line_year

    def __post_init__(self) -> None:
        # derived state, not fields: declared here for the checker, set through object.__setattr__ (frozen)
        self._index: dict[tuple[str, int], Any]  # (adcode, year) → the row (a named tuple)
        self._years: list[int]  # newest first
        index = {}
        for rec in self.rows.itertuples(index=False):
            index[(rec.adcode, int(rec.year))] = rec
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_years", sorted({int(y) for y in self.rows["year"]}, reverse=True))

    def lookup(self, adcode: str, year: int, kind: str) -> float:
        """The line of `kind` in force for `adcode` in `year`; KeyError when none applies."""
        if kind not in KINDS:
            raise ValueError(f"unknown line kind {kind!r}")
        chain = region_chain(adcode)
        for candidate_year in (y for y in self._years if y <= year):
            for code in chain:
                rec = self._index.get((code, candidate_year))
                if rec is not None:
                    value = getattr(rec, kind)
                    if value is not None and not pd.isna(value):
                        return float(value)
        raise KeyError(f"no {kind} line for {adcode} in or before {year}")

    def lookup_many(self, adcodes: np.ndarray, years: np.ndarray, kind: str) -> np.ndarray:
        """Vectorised lookup: unique (adcode, year) pairs are resolved once."""
        keys = pd.DataFrame({"adcode": np.asarray(adcodes, dtype=object), "year": np.asarray(years, dtype=int)})
        unique = keys.drop_duplicates()
        values = {(a, y): self.lookup(a, y, kind) for a, y in zip(unique["adcode"], unique["year"], strict=True)}
        return np.fromiter((values[(a, y)] for a, y in zip(keys["adcode"], keys["year"], strict=True)), float, len(keys))


def reference_line_month(population: str, urban_dibao_month: float, monitor_line_year: float, multiplier: float = 1.0) -> float:
    """Per person per month: urban 低保 for worker files, monitoring line ÷ 12 for rural files,
    times the industry multiplier (行业困难职工帮扶标准)."""
    base = urban_dibao_month if population == "worker" else monitor_line_year / 12.0
    return base * multiplier
