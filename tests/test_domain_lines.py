"""Lines are data (DOMAIN §2): inheritance county → prefecture → province → nation, year fallback."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safetynet.domain.lines import (
    KINDS,
    NATION,
    NATIONAL_MONITOR_FLOOR,
    LineTable,
    reference_line_month,
    region_chain,
)

NAN = float("nan")
# adcode, year, urban_dibao_month, rural_dibao_year, monitor_line_year
ROWS = [
    ("000000", 2024, 700.0, 6000.0, 7300.0),
    ("520000", 2024, 800.0, 6600.0, 7500.0),  # 贵州省
    ("520100", 2024, 900.0, 7000.0, 7700.0),  # 贵阳市
    ("520102", 2024, 1000.0, 7200.0, 7900.0),  # 南明区 (own row)
    ("520103", 2024, NAN, 7300.0, NAN),  # 云岩区: only a rural 低保 of its own
    ("530000", 2023, 750.0, 6400.0, 7000.0),  # 云南省, only 2023
    ("440000", 2025, 1100.0, 9000.0, 8000.0),  # 广东省, new provincial row in 2025
    ("440100", 2024, 1300.0, 11000.0, 9000.0),  # 广州市, older prefecture row
    ("440104", 2023, 1250.0, 10500.0, 8800.0),  # 越秀区, even older county row
]


@pytest.fixture(scope="module")
def table() -> LineTable:
    return LineTable(pd.DataFrame(ROWS, columns=["adcode", "year", *KINDS]))


def test_region_chain():
    assert region_chain("520102") == ["520102", "520100", "520000", NATION]
    assert region_chain("520100") == ["520100", "520000", NATION]
    assert region_chain("520000") == ["520000", NATION]
    assert region_chain(NATION) == [NATION]


@pytest.mark.parametrize(
    ("adcode", "year", "kind", "expected"),
    [
        ("520102", 2024, "urban_dibao_month", 1000.0),  # county's own row wins
        ("520102", 2024, "monitor_line_year", 7900.0),
        ("520105", 2024, "urban_dibao_month", 900.0),  # county without a row → prefecture
        ("520100", 2024, "urban_dibao_month", 900.0),  # the prefecture itself
        ("520201", 2024, "urban_dibao_month", 800.0),  # prefecture without a row → province
        ("520000", 2024, "rural_dibao_year", 6600.0),
        ("620102", 2024, "urban_dibao_month", 700.0),  # province without a row → nation
        ("000000", 2024, "monitor_line_year", 7300.0),
        # a county row with the value missing inherits that value only
        ("520103", 2024, "rural_dibao_year", 7300.0),
        ("520103", 2024, "urban_dibao_month", 900.0),
        ("520103", 2024, "monitor_line_year", 7700.0),
    ],
    ids=["county-own", "county-own-monitor", "county-to-prefecture", "prefecture-own", "prefecture-to-province",
         "province-own", "province-to-nation", "nation", "partial-row-own-value", "partial-row-inherits-urban",
         "partial-row-inherits-monitor"],
)
def test_inheritance_chain(table, adcode, year, kind, expected):
    assert table.lookup(adcode, year, kind) == expected


@pytest.mark.parametrize(
    ("adcode", "year", "expected"),
    [
        ("520102", 2025, 1000.0),  # 2025 asked, only 2024 rows in the chain → 2024
        ("520102", 2030, 1000.0),
        ("530102", 2024, 700.0),  # 2023 Yunnan row is older than the 2024 nation row
        ("530102", 2023, 750.0),  # in 2023 Yunnan's own row applies
        # newer provincial year beats older narrower years (module docstring)
        ("440104", 2025, 1100.0),  # Guangdong 2025 beats Guangzhou 2024 and Yuexiu 2023
        ("440104", 2024, 1300.0),  # Guangzhou 2024 beats Yuexiu 2023
        ("440104", 2023, 1250.0),  # Yuexiu's own 2023 row
        ("440106", 2025, 1100.0),
        ("440106", 2024, 1300.0),
    ],
    ids=["fallback-2025-to-2024", "fallback-far", "nation-2024-beats-province-2023", "province-2023",
         "province-2025-beats-older", "prefecture-2024-beats-county-2023", "county-2023",
         "other-county-2025", "other-county-2024"],
)
def test_year_fallback_and_newer_wider_wins(table, adcode, year, expected):
    assert table.lookup(adcode, year, "urban_dibao_month") == expected


@pytest.mark.parametrize(
    ("adcode", "year"),
    [("520102", 2022), ("440104", 2022), ("000000", 2020)],
    ids=["before-any-row", "before-county-row", "nation-before-any-row"],
)
def test_keyerror_when_nothing_applies(table, adcode, year):
    with pytest.raises(KeyError):
        table.lookup(adcode, year, "urban_dibao_month")


def test_keyerror_without_a_nation_row():
    only_guizhou = LineTable(pd.DataFrame([("520000", 2024, 800.0, 6600.0, 7500.0)], columns=["adcode", "year", *KINDS]))
    assert only_guizhou.lookup("520102", 2024, "urban_dibao_month") == 800.0
    with pytest.raises(KeyError):
        only_guizhou.lookup("530102", 2024, "urban_dibao_month")


def test_unknown_kind_is_a_valueerror(table):
    with pytest.raises(ValueError, match="kind"):
        table.lookup("520102", 2024, "urban_dibao_year")


def test_lookup_many_equals_lookup(table):
    adcodes = np.array(["520102", "520105", "440104", "440104", "620102", "520102", "530102", "520103"], dtype=object)
    years = np.array([2024, 2024, 2025, 2023, 2024, 2026, 2023, 2024])
    for kind in KINDS:
        many = table.lookup_many(adcodes, years, kind)
        single = [table.lookup(a, int(y), kind) for a, y in zip(adcodes, years, strict=True)]
        assert list(many) == single
    assert list(table.lookup_many(adcodes, years, "urban_dibao_month")) == [
        1000.0, 900.0, 1100.0, 1250.0, 700.0, 1000.0, 750.0, 900.0,
    ]


def test_lookup_many_propagates_keyerror(table):
    with pytest.raises(KeyError):
        table.lookup_many(np.array(["520102"], dtype=object), np.array([2000]), "urban_dibao_month")


@pytest.mark.parametrize(
    ("population", "urban", "monitor_year", "multiplier", "expected"),
    [
        ("worker", 1000.0, 9000.0, 1.0, 1000.0),
        ("worker", 1000.0, 9000.0, 1.2, 1200.0),
        ("rural", 1000.0, 9000.0, 1.0, 750.0),
        ("rural", 1000.0, 9000.0, 1.2, 900.0),
        ("rural", 1510.0, 7600.0, 1.0, 7600.0 / 12),
    ],
    ids=["worker", "worker-x1.2", "rural", "rural-x1.2", "rural-7600"],
)
def test_reference_line_month(population, urban, monitor_year, multiplier, expected):
    assert reference_line_month(population, urban, monitor_year, multiplier) == pytest.approx(expected)


def test_reference_line_default_multiplier_is_one():
    assert reference_line_month("worker", 1234.0, 9999.0) == 1234.0
    assert reference_line_month("rural", 1234.0, 9600.0) == 800.0


def test_national_monitoring_floor_matches_spec():
    assert NATIONAL_MONITOR_FLOOR[2021] == 6000.0  # [C]
    assert NATIONAL_MONITOR_FLOOR[2022] == 6300.0  # ≈ [L]
    assert NATIONAL_MONITOR_FLOOR[2023] == 6900.0  # ≈ [L]
    assert 7100.0 <= NATIONAL_MONITOR_FLOOR[2024] <= 7500.0  # [U] range
    years = sorted(NATIONAL_MONITOR_FLOOR)
    assert all(NATIONAL_MONITOR_FLOOR[a] < NATIONAL_MONITOR_FLOOR[b] for a, b in zip(years, years[1:], strict=False))
