"""Hardship categories (DOMAIN §1).

Worker files (困难职工): the per-capita figure is
(household income − rigid spending) ÷ 12 ÷ members, compared with the local
urban 低保 (monthly). Rural monitoring households (防返贫监测对象) compare annual
per-capita net income with the monitoring line.
"""

from __future__ import annotations

SUDDEN_SHARE = 0.8  # a sudden event costing more than 80 % of annual household income
# Money compares in yuan rounded to fen, so a figure that is exactly on a line
# in decimal arithmetic is on it here too (float division would miss by 1e-13).


def _cents(value: float) -> float:
    return round(value, 2)


def per_capita_month(income_year: float, rigid_year: float, members: int) -> float:
    if members < 1:
        raise ValueError("a household has at least one member")
    return (income_year - rigid_year) / 12.0 / members


def classify_worker(
    income_year: float,
    rigid_year: float,
    members: int,
    urban_dibao_month: float,
    sudden_cost_year: float = 0.0,
    net_cost_after_compensation: float | None = None,
) -> int | None:
    """1 深度, 2 相对, 3 意外致困, or None when the household is not in hardship.

    深度 (below 低保) takes precedence; a sudden event above 80 % of annual income
    then makes the file 意外致困 even when the household would also be 相对,
    because the cause decides the help. 意外致困 needs the household still to be in
    hardship after compensation: when `net_cost_after_compensation` is given it
    replaces the gross cost in the 80 % test.
    """
    pc = _cents(per_capita_month(income_year, rigid_year, members))
    if pc < _cents(urban_dibao_month):
        return 1
    cost = sudden_cost_year if net_cost_after_compensation is None else net_cost_after_compensation
    if income_year > 0 and _cents(cost) > _cents(SUDDEN_SHARE * income_year):
        return 3
    if income_year <= 0 and cost > 0:
        return 3
    if pc < _cents(2 * urban_dibao_month):
        return 2
    return None


def classify_rural(
    net_income_pc_year: float,
    monitor_line_year: float,
    is_exit_poor: bool,
    sudden_cost_year: float = 0.0,
    household_income_year: float = 0.0,
) -> str | None:
    """01 脱贫不稳定户, 02 边缘易致贫户, 03 突发严重困难户, or None.

    Below the monitoring line: 01 for a household that has left poverty, 02 for
    one that never registered. At or above the line, a sudden event costing more
    than 80 % of the year's household income makes it 03.
    """
    if _cents(net_income_pc_year) < _cents(monitor_line_year):
        return "01" if is_exit_poor else "02"
    if household_income_year > 0 and _cents(sudden_cost_year) > _cents(SUDDEN_SHARE * household_income_year):
        return "03"
    return None
