"""URL parameters, parsed strictly: one parser per kind of value a link may carry.

A link is typed by hand, copied, shortened, pasted into chat apps and tampered with, and its values reach
`int()`, SQL parameters and widgets. Each parser here takes the raw text and returns either the value or a
`Refusal` (a Chinese message, a key of the i18n catalogue); none raises, whatever it is handed. Only the
canonical spelling of a value is accepted — ASCII digits, no sign, no leading zeros, no spaces, bounded
length — because Python's `int()` and `str.isdigit()` take much more (full-width "１２", superscript "²",
" 12", "+12", "1_2", Arabic-Indic digits) and some of that overflows a 64-bit column or crashes `int()`.

| kind     | accepted                                    | parser          |
|----------|---------------------------------------------|-----------------|
| id       | 1 … 999999999999999999 (≤ 18 digits)        | `parse_id`      |
| count    | 0 … 999999999999999999                      | `parse_count`   |
| adcode   | exactly 6 ASCII digits                      | `parse_adcode`  |
| month    | YYYYMM or YYYY-MM, 2000-01 … 2099-12        | `parse_month`   |
| choice   | one value of a given set (a code list)      | `parse_choice`  |
| choices  | several values of a set, comma-separated    | `parse_choice_list` |
| flag     | "1" or "0"                                  | `parse_flag`    |

Whether a well-formed value is *offered* (a region inside the user's scope, a household that exists) is the
caller's business: a parser only says the text is a well-formed value of its kind. Pure: no Streamlit here;
`safetynet.ui.urlstate` shows the refusals.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

ID_DIGITS = 18  # 10**18 - 1 < 2**63 - 1: every accepted id fits a 64-bit integer column on every backend
FIRST_MONTH, LAST_MONTH = 200001, 209912

# Chinese first: these are also the keys of the English catalogue (i18n/en_urlparams.py)
INVALID_ID = "链接中的编号无效，已改用默认值。"
INVALID_HOUSEHOLD = "链接中的档案编号无效。"
INVALID_LEAD = "链接中的线索编号无效。"
INVALID_NUMBER = "链接中的数值无效，已改用默认值。"
INVALID_ADCODE = "链接中的地区代码无效，已改用默认地区。"
INVALID_MONTH = "链接中的月份无效，已改用默认月份。"
INVALID_CHOICE = "链接中的选项无效，已改用默认值。"
INVALID_FLAG = "链接中的开关设置无效，已改用默认值。"
MESSAGES = (INVALID_ID, INVALID_HOUSEHOLD, INVALID_LEAD, INVALID_NUMBER, INVALID_ADCODE, INVALID_MONTH,
            INVALID_CHOICE, INVALID_FLAG)

_ID = re.compile(r"[1-9][0-9]*")  # [0-9] is ASCII only, whatever the flags; fullmatch: no trailing newline
_COUNT = re.compile(r"0|[1-9][0-9]*")
_ADCODE = re.compile(r"[0-9]{6}")
_MONTH = re.compile(r"([0-9]{4})-?([0-9]{2})")


@dataclass(frozen=True)
class Refusal:
    """A value a link carried that is not a canonical value of its kind; `message` says so in Chinese."""

    message: str

    def localized(self) -> str:
        from safetynet.i18n import t

        return t(self.message)


def _digits(raw: object, pattern: re.Pattern[str]) -> int | None:
    if not isinstance(raw, str) or len(raw) > ID_DIGITS or pattern.fullmatch(raw) is None:
        return None  # the length is checked first: a 5,000-digit value never reaches the regex or int()
    return int(raw)


def parse_id(raw: object, message: str = INVALID_ID) -> int | Refusal:
    """A row id: 1 to 18 ASCII digits, no sign, no leading zero."""
    value = _digits(raw, _ID)
    return Refusal(message) if value is None else value


def parse_count(raw: object, message: str = INVALID_NUMBER) -> int | Refusal:
    """A non-negative whole number (0 included), spelt canonically like an id."""
    value = _digits(raw, _COUNT)
    return Refusal(message) if value is None else value


def parse_adcode(raw: object, message: str = INVALID_ADCODE) -> str | Refusal:
    """A region code: exactly six ASCII digits (000000 is the nation)."""
    if isinstance(raw, str) and len(raw) == 6 and _ADCODE.fullmatch(raw):
        return raw
    return Refusal(message)


def parse_month(raw: object, message: str = INVALID_MONTH) -> int | Refusal:
    """A month as YYYYMM (202410) or YYYY-MM (2024-10), between 2000-01 and 2099-12; returns the integer YYYYMM."""
    found = _MONTH.fullmatch(raw) if isinstance(raw, str) and len(raw) <= 7 else None
    if found is None:
        return Refusal(message)
    value = int(found.group(1)) * 100 + int(found.group(2))
    if not 1 <= value % 100 <= 12 or not FIRST_MONTH <= value <= LAST_MONTH:
        return Refusal(message)
    return value


def parse_choice(raw: object, allowed: Collection[str], message: str = INVALID_CHOICE) -> str | Refusal:
    """One value of a code list (exact match: no case folding, no trimming)."""
    return raw if isinstance(raw, str) and raw in allowed else Refusal(message)


def parse_choice_list(raw: object, allowed: Collection[str], message: str = INVALID_CHOICE,
                      sep: str = ",") -> list[str] | Refusal:
    """Several values of a code list in one parameter ("kpi,map"): refused when empty or when any is unknown."""
    if not isinstance(raw, str) or not raw:
        return Refusal(message)
    values = raw.split(sep)
    if any(v not in allowed for v in values):
        return Refusal(message)
    return values


def parse_flag(raw: object, message: str = INVALID_FLAG) -> bool | Refusal:
    """An on/off setting: "1" or "0"."""
    if raw == "1":
        return True
    if raw == "0":
        return False
    return Refusal(message)
