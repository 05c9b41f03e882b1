"""The dynamic-management lifecycle (一户一档、动态管理, DOMAIN §4).

在档 → 帮扶中 → 风险消除 / 已解困 / 已脱困 → 退档 / 注销. Re-opening a closed or
eliminated file within 12 months is a relapse (返贫/返困). Risk elimination may
only be *proposed* when every condition holds; it is never automatic for a
household where nobody can work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from safetynet.domain import codes
from safetynet.domain.months import add_months, month_of, months_between

MIN_MONTHS_IDENTIFIED = 6
STABLE_MONTHS = 6
STABLE_R = 1.0
SUGGESTED_BUFFER_R = 1.1
RELAPSE_WINDOW_MONTHS = 12
IDENTIFICATION_DAYS = 15

# Allowed transitions; anything else is a data error an import must reject.
TRANSITIONS: dict[str | None, tuple[str, ...]] = {
    None: ("在档",),
    "在档": ("帮扶中", "退档", "注销", "风险消除", "已解困", "已脱困"),
    "帮扶中": ("风险消除", "已解困", "已脱困", "退档", "注销", "在档"),
    "风险消除": ("在档", "退档", "注销"),
    "已解困": ("在档", "退档", "注销"),
    "已脱困": ("在档", "退档", "注销"),
    "退档": ("在档",),
    "注销": ("在档",),
}


def can_transition(from_status: str | None, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, ())


def is_relapse(left_on: dt.date, reopened_on: dt.date) -> bool:
    """A file re-opened within 12 months of elimination or closure is a relapse."""
    if reopened_on < left_on:
        raise ValueError("re-opening precedes leaving")
    return reopened_on <= _add_months_date(left_on, RELAPSE_WINDOW_MONTHS)


def _add_months_date(day: dt.date, n: int) -> dt.date:
    month = add_months(month_of(day), n)
    year, mon = divmod(month, 100)
    # clamp the day for short months (31 Jan + 1 month → 28/29 Feb)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, mon, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Condition:
    key: str
    ok: bool
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class EliminationCheck:
    conditions: tuple[Condition, ...]
    buffer_ok: bool  # r ≥ 1.1 over the stable months (suggested, not required)
    never_automatic: bool  # nobody can work: stays under follow-up
    eligible: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "eligible", all(c.ok for c in self.conditions) and not self.never_automatic)


def elimination_check(
    identified_on: dt.date,
    as_of_month: int,
    assistance_delivered: int,
    recent_r: list[float | None],
    has_hard_trigger: bool,
    labour: int,
) -> EliminationCheck:
    """Which elimination conditions hold as of `as_of_month`.

    `recent_r` is r for the months up to and including `as_of_month`, oldest
    first; the last six must all be present and ≥ 1.0.
    """
    months_on_file = months_between(month_of(identified_on), as_of_month)
    last = recent_r[-STABLE_MONTHS:]
    stable = len(last) == STABLE_MONTHS and all(r is not None and r >= STABLE_R for r in last)
    buffer_ok = stable and all(r >= SUGGESTED_BUFFER_R for r in last if r is not None)
    conditions = (
        Condition("identified_6m", months_on_file >= MIN_MONTHS_IDENTIFIED,
                  f"认定满6个月（已{months_on_file}个月）", f"identified at least 6 months ago ({months_on_file})"),
        Condition("assisted", assistance_delivered >= 1,
                  f"已落实至少1项帮扶措施（{assistance_delivered}项）",
                  f"at least one assistance measure delivered ({assistance_delivered})"),
        Condition("stable_income", stable,
                  "连续6个月人均收入不低于线（r≥1.0）", "r ≥ 1.0 for 6 consecutive months"),
        Condition("no_trigger", not has_hard_trigger,
                  "无硬性触发（三保障及饮水安全、突发事件等）", "no hard trigger"),
    )
    return EliminationCheck(conditions, buffer_ok, never_automatic=labour <= 0)


# ---------------------------------------------------------------- data quality
DQ_NO_ASSISTANCE_1M = "no_assistance_1m"
DQ_FAST_ELIMINATION = "fast_elimination"
DQ_SLOW_IDENTIFICATION = "slow_identification"
DQ_LABELS = {
    DQ_NO_ASSISTANCE_1M: ("认定满1个月仍无帮扶措施", "no assistance one month after identification"),
    DQ_FAST_ELIMINATION: ("认定当月或次月即消除", "eliminated in the month of identification or the next"),
    DQ_SLOW_IDENTIFICATION: ("识别认定超过15天", "identification took more than 15 days"),
}


def data_quality_flags(
    identified_on: dt.date,
    as_of: dt.date,
    first_assistance_on: dt.date | None,
    eliminated_on: dt.date | None = None,
    found_on: dt.date | None = None,
) -> set[str]:
    """DOMAIN §4 data-quality flags for one household, as of a date."""
    flags: set[str] = set()
    one_month_after = _add_months_date(identified_on, 1)
    if as_of >= one_month_after and (first_assistance_on is None or first_assistance_on > one_month_after):
        flags.add(DQ_NO_ASSISTANCE_1M)
    if eliminated_on is not None and months_between(month_of(identified_on), month_of(eliminated_on)) <= 1:
        flags.add(DQ_FAST_ELIMINATION)
    if found_on is not None and (identified_on - found_on).days > IDENTIFICATION_DAYS:
        flags.add(DQ_SLOW_IDENTIFICATION)
    return flags


def eliminated_status(population: str, natural: bool = False) -> str:
    """The status a file moves to when its risk is resolved."""
    if population == "rural":
        return "风险消除"
    return "已脱困" if natural else "已解困"


assert set(TRANSITIONS) - {None} == set(codes.FILE_STATUS)


def data_quality_frame(
    identified_on: pd.Series,
    as_of: pd.Timestamp,
    first_assistance_on: pd.Series,
    eliminated_on: pd.Series,
    found_on: pd.Series,
) -> pd.DataFrame:
    """`data_quality_flags` for many households at once (same rules, one column per flag)."""
    ident = pd.to_datetime(identified_on)
    one_month_after = ident + pd.DateOffset(months=1)  # clamps 31 Jan → 28/29 Feb like the scalar rule
    first_aid = pd.to_datetime(first_assistance_on)
    elim = pd.to_datetime(eliminated_on)
    found = pd.to_datetime(found_on)
    no_aid = (as_of >= one_month_after) & (first_aid.isna() | (first_aid > one_month_after))
    elim_months = (elim.dt.year - ident.dt.year) * 12 + (elim.dt.month - ident.dt.month)
    fast = elim.notna() & (elim_months <= 1)
    slow = found.notna() & ((ident - found).dt.days > IDENTIFICATION_DAYS)
    return pd.DataFrame({DQ_NO_ASSISTANCE_1M: no_aid.to_numpy(), DQ_FAST_ELIMINATION: fast.to_numpy(),
                         DQ_SLOW_IDENTIFICATION: slow.to_numpy()}, index=identified_on.index)
