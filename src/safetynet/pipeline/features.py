"""Household features the rules need, derived from household and person rows.

Used by the demo generator and by `rescore`, so both derive labour, insurance
gaps and the rest in exactly one way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safetynet.domain import codes

NEWGEN_BIRTH_YEAR = 1980  # 新生代农民工
SCHOOL_AGES = (6, 17)


def person_features(persons: pd.DataFrame, as_of_year: int) -> pd.DataFrame:
    """Per-household aggregates of person rows (index hh_id)."""
    p = persons
    age = as_of_year - p["birth_year"].to_numpy()
    able = p["labour_capacity"].isin(codes.ABLE_TO_WORK).to_numpy()
    severe = (p["health"].eq("患大病") | p["disability_grade"].isin([1, 2])).to_numpy()
    unstable = p["employment_form"].isin(codes.UNSTABLE_FORMS).to_numpy()
    social = (p["pension_insured"].astype(bool) | p["injury_insured"].astype(bool)).to_numpy()
    contract = p["contract_months"].astype(float).to_numpy()
    short = (p["employment_form"].eq("劳务派遣").to_numpy()
             | (p["employment_form"].eq("劳动合同").to_numpy() & (np.nan_to_num(contract, nan=99) < 12)))
    migrant = p["is_migrant"].astype(bool).to_numpy()
    away = p["work_place"].isin(["省内县外", "省外"]).to_numpy()
    school = (((age >= SCHOOL_AGES[0]) & (age <= SCHOOL_AGES[1]))
              | p["school_stage"].isin(["小学", "初中", "高中", "中职"]).to_numpy())
    frame = pd.DataFrame({
        "hh_id": p["hh_id"].to_numpy(),
        "members": 1,
        "labour": able.astype(int),
        "severe_illness": severe,
        "uninsured": ~p["med_insured"].astype(bool).to_numpy(),
        "platform_uninsured": unstable & ~social,
        "short_contract": short,
        "dropout": p["is_dropout"].astype(bool).to_numpy(),
        "counselling": p["counselling_referred"].astype(bool).to_numpy(),
        "isolated": p["isolated"].astype(bool).to_numpy(),
        "newgen_migrant": migrant & (p["birth_year"].to_numpy() >= NEWGEN_BIRTH_YEAR) & away,
        # the same person: a new-generation migrant who was referred for counselling
        "newgen_counselling": (migrant & (p["birth_year"].to_numpy() >= NEWGEN_BIRTH_YEAR) & away
                               & p["counselling_referred"].astype(bool).to_numpy()),
        "has_migrant": migrant,
        "school_child": school,
    })
    return frame.groupby("hh_id").agg(
        members=("members", "sum"), labour=("labour", "sum"),
        **{c: (c, "any") for c in frame.columns if c not in ("hh_id", "members", "labour")},
    )


def household_static(
    households: pd.DataFrame,
    persons: pd.DataFrame,
    events: pd.DataFrame,
    aid_before: pd.Series,
    multipliers: dict[str, float],
    as_of_year: int,
) -> pd.DataFrame:
    """Panel.households: one row per household in `households` order."""
    hh = households.reset_index(drop=True)
    feats = person_features(persons, as_of_year).reindex(hh["hh_id"])
    feats["members"] = feats["members"].fillna(1).astype(int)
    feats["labour"] = feats["labour"].fillna(0).astype(int)
    feats = feats.fillna(False).reset_index(drop=True)
    yinxue = set(events.loc[events["risk_type"] == "09", "hh_id"]) if not events.empty else set()
    category = [codes.category_code(p, w, m) for p, w, m in
                zip(hh["population"], hh["worker_cat"], hh["monitor_cat"], strict=True)]
    ident = pd.to_datetime(hh["identified_on"])
    out = pd.DataFrame({
        "hh_id": hh["hh_id"].to_numpy(),
        "population": hh["population"].to_numpy(),
        "category": category,
        "adcode": hh["adcode"].to_numpy(),
        "site_id": hh["site_id"].astype("Int64").to_numpy(),
        "industry_code": hh["industry_code"].to_numpy(),
        "identified_month": (ident.dt.year * 100 + ident.dt.month).to_numpy(),
        "yinxue_event": hh["hh_id"].isin(yinxue).to_numpy(),
        "aid_before": aid_before.reindex(hh["hh_id"]).fillna(0).astype(int).to_numpy(),
        "line_multiplier": hh["industry_code"].map(multipliers).fillna(1.0).to_numpy(),
    })
    for col in ("is_relocated", "on_dibao", "on_tekun", "psych_consent", "housing_unsafe", "water_unsafe"):
        out[col] = hh[col].astype(bool).to_numpy()
    return pd.concat([out, feats], axis=1)

