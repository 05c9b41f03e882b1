"""Comparing whole tables: what an incremental path wrote against what a full rebuild writes."""

from __future__ import annotations

import numpy as np
import pandas as pd

# The derived tables every scoring path writes, with the key that identifies a row.
DERIVED_KEYS = {"risk_score": ["hh_id", "month"], "household_current": ["hh_id"],
                "rollup_region_month": ["adcode", "population", "category", "month"],
                "rollup_industry_month": ["adcode", "industry_code", "population", "month"],
                "rollup_site_month": ["site_id", "category", "month"],
                "rollup_migrant": ["adcode", "category", "month", "origin", "work", "work_place"]}


def assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    """Same rows (matched on `keys`), floats to 1e-9 relative, NULLs equal to NULLs only."""
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            np.testing.assert_allclose(x.astype(float), y.astype(float), rtol=1e-9, atol=1e-6, err_msg=col)
        else:
            norm = lambda v: v.astype(object).where(v.notna(), "<null>").astype(str)  # noqa: E731
            assert (norm(x) == norm(y)).all(), (col, a.loc[norm(x) != norm(y)].head(3).to_dict("records"),
                                                 y[norm(x) != norm(y)].head(3).tolist())
