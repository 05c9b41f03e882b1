"""Chinese resident identity numbers (GB 11643-1999).

18 characters: 6-digit region code, 8-digit birth date, 3-digit sequence (odd for
men), and a check character computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Province-level codes in use (GB/T 2260), incl. 71 台湾, 81 香港, 82 澳门.
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    reason_zh: str = ""
    reason_en: str = ""
    birth_date: dt.date | None = None
    sex: str | None = None  # 男 / 女


def validate(raw: str, today: dt.date | None = None) -> IdCheck:
    """Check shape, region, birth date and check digit; reasons say which failed."""
    today = today or dt.date.today()
    value = (raw or "").strip().upper()
    if not _SHAPE.match(value):
        return IdCheck(False, "身份证号应为18位，前17位为数字，末位为数字或X", "must be 18 characters: 17 digits then a digit or X")
    if value[:2] not in _PROVINCES:
        return IdCheck(False, f"地区码 {value[:6]} 不是有效的省级代码", f"region code {value[:6]} has no valid province")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return IdCheck(False, f"出生日期 {value[6:14]} 不存在", f"birth date {value[6:14]} does not exist")
    if birth > today or birth.year < today.year - 120:
        return IdCheck(False, f"出生日期 {birth.isoformat()} 不合理", f"birth date {birth.isoformat()} is implausible")
    expected = check_char(value[:17])
    if value[17] != expected:
        return IdCheck(False, f"校验码应为 {expected}，实为 {value[17]}", f"check character should be {expected}, not {value[17]}")
    sex = "男" if int(value[16]) % 2 == 1 else "女"
    return IdCheck(True, birth_date=birth, sex=sex)


def make(region: str, birth: dt.date, sequence: int) -> str:
    """Build a number that passes the check (demo data and tests only)."""
    if not (len(region) == 6 and region.isdigit() and 0 <= sequence <= 999):
        raise ValueError("region must be 6 digits and sequence 0–999")
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
