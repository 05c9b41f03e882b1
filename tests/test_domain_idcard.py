"""Resident ID numbers (DOMAIN §5): GB 11643-1999 check character (ISO 7064 MOD 11-2),
plausible birth date and region code."""
from __future__ import annotations

import datetime as dt

import pytest

from safetynet.domain.idcard import check_char, make, validate

TODAY = dt.date(2026, 11, 1)


def oracle_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 written from its definition: weights 2^(17-i) mod 11,
    check value (12 − S mod 11) mod 11, with 10 written as X."""
    s = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - s % 11) % 11
    return "X" if value == 10 else str(value)


def full_number_is_consistent(number: str) -> bool:
    """The whole 18 characters (X = 10) weighted by 2^(17-i) sum to 1 mod 11."""
    digits = [10 if c == "X" else int(c) for c in number]
    return sum(d * pow(2, 17 - i, 11) for i, d in enumerate(digits)) % 11 == 1


# ----------------------------------------------------------------- known numbers
def test_textbook_example_validates():
    check = validate("11010519491231002X", today=TODAY)
    assert check.ok
    assert check.reason_zh == ""
    assert check.birth_date == dt.date(1949, 12, 31)
    assert check.sex == "女"  # 17th digit 2 is even
    assert full_number_is_consistent("11010519491231002X")


def test_second_textbook_example_validates_when_the_date_is_plausible():
    # 440524188001010014 is the other standard example; born 1880, so plausible only for an earlier "today"
    assert validate("440524188001010014", today=dt.date(1950, 1, 1)).ok
    old = validate("440524188001010014", today=TODAY)
    assert not old.ok
    assert "1880-01-01" in old.reason_zh and "不合理" in old.reason_zh


def test_make_reproduces_the_textbook_example():
    assert make("110105", dt.date(1949, 12, 31), 2) == "11010519491231002X"


@pytest.mark.parametrize(
    ("region", "birth", "seq"),
    [
        ("520102", dt.date(1985, 6, 15), 123),
        ("110105", dt.date(1949, 12, 31), 2),
        ("440305", dt.date(2000, 2, 29), 0),
        ("650102", dt.date(1970, 1, 1), 999),
        ("810000", dt.date(1990, 7, 1), 45),
        ("710000", dt.date(1960, 10, 10), 456),
        ("820000", dt.date(2010, 12, 20), 88),
        ("330106", dt.date(2026, 11, 1), 11),  # born today
        ("130102", dt.date(1906, 1, 1), 17),  # exactly 120 years by calendar year
    ],
    ids=["guiyang", "beijing", "leap-day", "urumqi-999", "hong-kong", "taiwan", "macao", "born-today", "oldest"],
)
def test_made_numbers_validate_and_match_the_oracle(region, birth, seq):
    number = make(region, birth, seq)
    assert len(number) == 18
    assert number[17] == oracle_check(number[:17]) == check_char(number[:17])
    assert full_number_is_consistent(number)
    check = validate(number, today=TODAY)
    assert check.ok, check.reason_zh
    assert check.birth_date == birth


def test_check_char_matches_the_oracle_for_many_prefixes():
    prefixes = [f"{i * 7919 % 10**17:017d}" for i in range(1, 400)]
    assert [check_char(p) for p in prefixes] == [oracle_check(p) for p in prefixes]
    assert {check_char(p) for p in prefixes} == set("0123456789X")  # all eleven values occur


@pytest.mark.parametrize(
    ("region", "seq"),
    [("52010", 1), ("5201021", 1), ("52010a", 1), ("520102", -1), ("520102", 1000)],
    ids=["region-5", "region-7", "region-letter", "seq-negative", "seq-1000"],
)
def test_make_rejects_bad_parts(region, seq):
    with pytest.raises(ValueError):
        make(region, dt.date(1985, 6, 15), seq)


# ----------------------------------------------------------------- what fails, and why
def test_wrong_check_character_names_the_expected_one():
    bad = validate("110105194912310021", today=TODAY)
    assert not bad.ok
    assert bad.reason_zh == "校验码应为 X，实为 1"
    assert "X" in bad.reason_en


@pytest.mark.parametrize("wrong", [c for c in "0123456789X" if c != "3"])
def test_every_wrong_check_character_is_rejected(wrong):
    number = make("520102", dt.date(1985, 6, 15), 123)
    assert number[17] == "3"  # fixture sanity: the right character is 3 (worked by hand with the oracle)
    check = validate(number[:17] + wrong, today=TODAY)
    assert not check.ok
    assert f"校验码应为 {number[17]}" in check.reason_zh
    assert f"实为 {wrong}" in check.reason_zh


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002",  # 17 characters
        "11010519491231002X1",  # 19 characters
        "1101051949123100X2",  # X not last
        "11010519491231A02X",  # a letter among the digits
        "11010519491231002Y",  # Y is not a check character
        "",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
    ],
    ids=["17-chars", "19-chars", "x-in-middle", "letter", "y-check", "empty", "full-width"],
)
def test_bad_shape(raw):
    check = validate(raw, today=TODAY)
    assert not check.ok
    assert "18位" in check.reason_zh


def _with_check(first17: str) -> str:
    return first17 + oracle_check(first17)


def test_impossible_birth_date_19990230():
    number = _with_check("110105" + "19990230" + "001")  # right check char: only the date is wrong
    check = validate(number, today=TODAY)
    assert not check.ok
    assert "19990230" in check.reason_zh and "不存在" in check.reason_zh


@pytest.mark.parametrize("date8", ["19991301", "19990000", "19990431", "20230229"], ids=["month13", "zeros", "apr31", "non-leap-feb29"])
def test_other_impossible_dates(date8):
    check = validate(_with_check("110105" + date8 + "001"), today=TODAY)
    assert not check.ok
    assert "不存在" in check.reason_zh


@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        (dt.date(2026, 11, 2), False),  # tomorrow
        (dt.date(2030, 1, 1), False),
        (dt.date(2026, 11, 1), True),  # today
        (dt.date(1906, 1, 1), True),
        (dt.date(1905, 12, 31), False),  # more than 120 years
    ],
    ids=["tomorrow", "2030", "today", "120-years", "121-years"],
)
def test_birth_date_plausibility(birth, ok):
    check = validate(make("110105", birth, 1), today=TODAY)
    assert check.ok is ok
    if not ok:
        assert birth.isoformat() in check.reason_zh and "不合理" in check.reason_zh


@pytest.mark.parametrize("region", ["990101", "000000", "100101", "300101", "720000", "910101"])
def test_bad_province_code(region):
    number = make(region, dt.date(1985, 6, 15), 123)  # right check char
    check = validate(number, today=TODAY)
    assert not check.ok
    assert region in check.reason_zh and "省级" in check.reason_zh


def test_lower_case_x_and_surrounding_spaces_accepted():
    for raw in ("11010519491231002x", " 11010519491231002X ", "11010519491231002x\n"):
        check = validate(raw, today=TODAY)
        assert check.ok, raw
        assert check.birth_date == dt.date(1949, 12, 31)


@pytest.mark.parametrize("seq", list(range(100, 110)), ids=lambda s: f"digit17-{s % 10}")
def test_sex_from_the_17th_digit(seq):
    number = make("520102", dt.date(1985, 6, 15), seq)
    assert number[16] == str(seq % 10)
    assert validate(number, today=TODAY).sex == ("男" if seq % 2 == 1 else "女")


def test_default_today_rejects_a_far_future_birth():
    # without an explicit today the real date is used; 2999 is in the future for any run of this suite
    check = validate(make("110105", dt.date(2999, 1, 1), 1))
    assert not check.ok
