"""Region lookups: names, levels and the hierarchy for cascading filters and maps."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from safetynet.db.schema import region


def load_regions(engine: Engine) -> pd.DataFrame:
    """Every region (≈3,300 rows): adcode, name, short_name, level, parent, prov, pref, centroid."""
    frame = pd.read_sql(select(region).order_by(region.c.adcode), engine)
    return frame


def region_column(level: int) -> str:
    """The household_current column that holds a region of `level`."""
    return {1: "prov_adcode", 2: "pref_adcode", 3: "adcode"}[level]
