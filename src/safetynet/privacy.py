"""Masking of personal data and small-cell suppression.

Masking is the default everywhere: a name, ID number, phone or address leaves
this module unmasked only when the caller passes `unmasked=True`, which the
access layer allows for a staff user inside their region scope, after a
reason, with an audit record.
"""

from __future__ import annotations

import pandas as pd

SMALL_CELL = 5  # counts under this are shown as "<5" below county level


def mask_name(name: str | None) -> str:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明."""
    if not name:
        return ""
    name = str(name)
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(number: str | None) -> str:
    """First 6 and last 4 characters visible: 520102********123X."""
    if not number:
        return ""
    number = str(number)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """138****5678."""
    if not phone:
        return ""
    phone = str(phone)
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_address(address: str | None, keep: int = 6) -> str:
    """Keep the leading area (county, town), hide the rest: 晴隆县阿妹戚托安置区3栋 → 晴隆县阿妹戚****."""
    if not address:
        return ""
    address = str(address)
    return address[:keep] + "*" * min(max(len(address) - keep, 0), 8)


MASKERS = {"name": mask_name, "id_number": mask_id, "phone": mask_phone, "address": mask_address}


def mask_frame(frame: pd.DataFrame, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """Mask personal columns of a frame; `columns` maps column → kind (name/id_number/phone/address)."""
    columns = columns or {c: c for c in MASKERS if c in frame.columns}
    out = frame.copy()
    for column, kind in columns.items():
        if column in out.columns:
            out[column] = out[column].map(MASKERS[kind])
    return out


def suppress_small(n: int | float | None) -> str | int | float | None:
    """Counts 1–4 become "<5" (zero stays zero: an empty cell discloses nobody)."""
    if n is None or pd.isna(n):
        return n
    return "<5" if 0 < n < SMALL_CELL else n
