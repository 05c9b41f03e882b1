"""Household × month panels and the one function that scores them.

Both the demo generator (while it simulates months) and `rescore` (from the
database) hold data as a `Panel`: one row per household, one column per month.
`score_month` builds the rule inputs for a month from the columns up to that
month only, so a month scored during simulation equals the same month scored
later from stored data — one scoring path, never two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from safetynet.domain import risk
from safetynet.domain.lines import LineTable
from safetynet.domain.risk import Flag

WINDOW = 12  # months for income adequacy (r)
SHOCK = 3  # months compared year on year for the income shock

# Static household features the rules need (from household + person rows).
STATIC_COLUMNS = (
    "hh_id", "population", "category", "adcode", "site_id", "industry_code", "identified_month",
    "members", "labour", "severe_illness", "uninsured", "platform_uninsured", "short_contract",
    "dropout", "counselling", "isolated", "newgen_migrant", "newgen_counselling", "has_migrant", "school_child",
    "yinxue_event", "is_relocated", "on_dibao", "on_tekun", "psych_consent", "housing_unsafe",
    "water_unsafe", "aid_before", "line_multiplier",
)

STATUS_CODES = ("", "在档", "帮扶中", "风险消除", "已解困", "已脱困", "退档", "注销")
OPEN_CODES = (1, 2)
CHANGE_NONE, CHANGE_ELIMINATED, CHANGE_RELAPSE = 0, 1, 2


@dataclass
class Panel:
    households: pd.DataFrame  # STATIC_COLUMNS, row i ↔ matrix row i
    months: np.ndarray  # consecutive YYYYMM
    present: np.ndarray  # (H, M) bool: an observation exists
    income: np.ndarray  # (H, M) household income, 0 where absent
    rigid: np.ndarray
    medical: np.ndarray
    school: np.ndarray
    employed: np.ndarray  # int
    months_out: np.ndarray  # int
    arrears: np.ndarray  # bool
    not_returned: np.ndarray  # bool: returned_after_festival is False
    event_cost: np.ndarray  # sudden-event costs occurring in the month
    aid: np.ndarray  # int: measures delivered in the month
    helper: np.ndarray  # bool: pairing active
    status: np.ndarray  # int8 index into STATUS_CODES
    change: np.ndarray  # int8 CHANGE_*
    # None only in a Panel built by hand: `empty`, which builds every panel, fills both
    tier_high: np.ndarray | None = field(default=None)  # bool, filled as months are scored
    # costs of sudden events dated before the first month that still fall in column t's 12-month window: a
    # household's score must not depend on where the panel (the data's first month) happens to start
    event_carry: np.ndarray | None = field(default=None)

    @classmethod
    def empty(cls, households: pd.DataFrame, months: np.ndarray) -> Panel:
        h, m = len(households), len(months)
        f = lambda dtype: np.zeros((h, m), dtype=dtype)  # noqa: E731
        return cls(
            households=households.reset_index(drop=True), months=np.asarray(months),
            present=f(bool), income=f(float), rigid=f(float), medical=f(float), school=f(float),
            employed=f(np.int16), months_out=f(np.int16), arrears=f(bool), not_returned=f(bool),
            event_cost=f(float), aid=f(np.int16), helper=f(bool), status=f(np.int8), change=f(np.int8),
            tier_high=f(bool), event_carry=f(float),
        )


def _window_sum(x: np.ndarray, t: int, length: int) -> np.ndarray:
    return x[:, max(0, t - length + 1): t + 1].sum(axis=1)


@dataclass(frozen=True)
class LineInputs:
    """Per household × year lines, resolved once per panel."""

    line_month: np.ndarray  # (H, years)
    dibao_month: np.ndarray
    years: tuple[int, ...]


def resolve_lines(panel: Panel, lines: LineTable) -> LineInputs:
    hh = panel.households
    years = tuple(sorted({int(m) // 100 for m in panel.months}))
    adcodes = hh["adcode"].to_numpy(dtype=object)
    worker = (hh["population"] == "worker").to_numpy()
    mult = hh["line_multiplier"].to_numpy(dtype=float)
    line = np.zeros((len(hh), len(years)))
    dibao = np.zeros((len(hh), len(years)))
    for j, year in enumerate(years):
        yrs = np.full(len(hh), year)
        urban = lines.lookup_many(adcodes, yrs, "urban_dibao_month")
        rural_dibao = lines.lookup_many(adcodes, yrs, "rural_dibao_year") / 12.0
        monitor = lines.lookup_many(adcodes, yrs, "monitor_line_year") / 12.0
        line[:, j] = np.where(worker, urban, monitor) * mult
        dibao[:, j] = np.where(worker, urban, rural_dibao)
    return LineInputs(line, dibao, years)


def inputs_at(panel: Panel, t: int, lines: LineInputs) -> pd.DataFrame:
    """Rule inputs (risk.INPUT_COLUMNS) for every household at month column t."""
    hh = panel.households
    j = lines.years.index(int(panel.months[t]) // 100)
    assert panel.event_carry is not None  # made by Panel.empty
    present = panel.present
    n_period = _window_sum(present, t, WINDOW)
    last3 = _window_sum(panel.income, t, SHOCK)
    ly_t = t - 12
    if ly_t >= 0:
        ly3 = _window_sum(panel.income, ly_t, SHOCK)
        ly_known = _window_sum(present, ly_t, SHOCK) == SHOCK
        last_year = np.where(ly_known & (_window_sum(present, t, SHOCK) == SHOCK), ly3, np.nan)
    else:
        last_year = np.full(len(hh), np.nan)
    aid_so_far = panel.aid[:, : t + 1].sum(axis=1) + hh["aid_before"].to_numpy()
    return pd.DataFrame({
        "population": hh["population"].to_numpy(),
        "members": hh["members"].to_numpy(),
        "labour": hh["labour"].to_numpy(),
        "line_month": lines.line_month[:, j],
        "dibao_month": lines.dibao_month[:, j],
        "income_period": _window_sum(panel.income, t, WINDOW),
        "rigid_period": _window_sum(panel.rigid, t, WINDOW),
        "medical_period": _window_sum(panel.medical, t, WINDOW),
        "school_period": _window_sum(panel.school, t, WINDOW),
        "period_months": np.maximum(n_period, 1),
        "income_3m": last3,
        "income_3m_last_year": last_year,
        "months_out": panel.months_out[:, t],
        "wage_arrears": panel.arrears[:, t],
        "platform_uninsured": hh["platform_uninsured"].to_numpy(dtype=bool),
        "short_contract": hh["short_contract"].to_numpy(dtype=bool),
        "severe_illness": hh["severe_illness"].to_numpy(dtype=bool),
        "is_relocated": hh["is_relocated"].to_numpy(dtype=bool),
        "employed": panel.employed[:, t],
        "uninsured": hh["uninsured"].to_numpy(dtype=bool),
        "on_dibao": hh["on_dibao"].to_numpy(dtype=bool),
        "on_tekun": hh["on_tekun"].to_numpy(dtype=bool),
        "psych_consent": hh["psych_consent"].to_numpy(dtype=bool),
        "counselling": hh["counselling"].to_numpy(dtype=bool),
        "isolated": hh["isolated"].to_numpy(dtype=bool),
        "newgen_migrant": hh["newgen_migrant"].to_numpy(dtype=bool),
        "dropout": hh["dropout"].to_numpy(dtype=bool),
        "housing_unsafe": hh["housing_unsafe"].to_numpy(dtype=bool),
        "water_unsafe": hh["water_unsafe"].to_numpy(dtype=bool),
        "event_cost_12m": _window_sum(panel.event_cost, t, WINDOW) + panel.event_carry[:, t],
        "assisted": aid_so_far > 0,
    })


def score_month(panel: Panel, t: int, lines: LineInputs) -> pd.DataFrame:
    """Score every household present at column t; returns risk_score rows (without reasons).

    Also records which households are 高 at t, which `NEWLY_HIGH` at t+1 needs.
    """
    rows = np.flatnonzero(panel.present[:, t])
    hh = panel.households.iloc[rows]
    inputs = inputs_at(panel, t, lines).iloc[rows].reset_index(drop=True)
    scored = risk.score_frame(inputs)
    high = scored["tier"].to_numpy() == "高"
    assert panel.tier_high is not None  # made by Panel.empty
    panel.tier_high[rows, t] = high
    was_high = panel.tier_high[rows, t - 1] & panel.present[rows, t - 1] if t > 0 else np.zeros(len(rows), bool)

    status = panel.status[rows, t]
    change = panel.change[rows, t]
    month = int(panel.months[t])
    flags = np.zeros(len(rows), dtype=np.int64)

    def set_flag(mask: np.ndarray, flag: Flag) -> None:
        nonlocal flags
        flags |= np.where(mask, int(flag), 0)

    set_flag(np.isin(status, OPEN_CODES), Flag.OPEN)
    set_flag(inputs["assisted"].to_numpy(), Flag.ASSISTED)
    set_flag(panel.helper[rows, t], Flag.HAS_HELPER)
    set_flag(high & ~was_high, Flag.NEWLY_HIGH)
    set_flag(hh["identified_month"].to_numpy() == month, Flag.NEW_IDENT)
    set_flag(change == CHANGE_ELIMINATED, Flag.ELIMINATED)
    set_flag(change == CHANGE_RELAPSE, Flag.RELAPSED)
    has_migrant = hh["has_migrant"].to_numpy(dtype=bool)
    set_flag(has_migrant, Flag.MIGRANT)
    set_flag(has_migrant & panel.not_returned[rows, t], Flag.NOT_RETURNED)
    set_flag(panel.months_out[rows, t] > 0, Flag.OUT_OF_WORK)
    set_flag(panel.arrears[rows, t], Flag.WAGE_ARREARS)
    set_flag(hh["platform_uninsured"].to_numpy(dtype=bool), Flag.PLATFORM_UNINSURED)
    # counted only with recorded consent (DOMAIN §3 H), as factor H is: a referral stored without it was counted
    # in the migrants' 心理疏导转介 although the template says it is not recorded
    set_flag(hh["newgen_counselling"].to_numpy(dtype=bool) & hh["psych_consent"].to_numpy(dtype=bool),
             Flag.COUNSELLING)
    school_pressure = hh["dropout"].to_numpy(dtype=bool) | hh["yinxue_event"].to_numpy(dtype=bool) | (
        (scored["reason_bits"].to_numpy() & int(risk.Reason.D_SCHOOL)) != 0)
    set_flag(hh["school_child"].to_numpy(dtype=bool) & school_pressure, Flag.SCHOOL_RISK)
    labour = hh["labour"].to_numpy()
    employed = panel.employed[rows, t]
    set_flag((labour > 0) & (employed <= 0), Flag.LABOUR_NO_JOB)

    out = scored.assign(
        hh_id=hh["hh_id"].to_numpy(),
        month=month,
        rules_version=risk.RULES_VERSION,
        adcode=hh["adcode"].to_numpy(),
        site_id=hh["site_id"].to_numpy(),
        industry_code=hh["industry_code"].to_numpy(),
        category=hh["category"].to_numpy(),
        status=np.asarray(STATUS_CODES, dtype=object)[status],
        members=hh["members"].to_numpy(),
        labour=labour,
        employed=np.minimum(employed, np.maximum(labour, 0)),
        income=panel.income[rows, t],
        flags=flags,
    )
    return out


def score_panel(panel: Panel, lines: LineTable) -> pd.DataFrame:
    """Score every present household-month of the panel, oldest month first."""
    resolved = resolve_lines(panel, lines)
    frames = [score_month(panel, t, resolved) for t in range(len(panel.months)) if panel.present[:, t].any()]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)
