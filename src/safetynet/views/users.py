"""The accounts table of 用户管理 (pure: rows of auth.list_users in, display frame out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from safetynet import i18n
from safetynet.auth import ROLES
from safetynet.i18n import t

COLUMNS = {"username": "用户名", "display_name": "姓名", "role": "角色", "scope": "管辖范围", "state": "状态",
           "locked_until": "锁定至", "last_login_at": "最近登录"}


def _when(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def users_frame(rows: list[dict], region_name: Callable[[str], str], now: dt.datetime | None = None) -> pd.DataFrame:
    """One line per account, every cell words: roles and scopes by name, 启用/停用, a lock only while it holds."""
    now = now or dt.datetime.now()
    out = [{
        "username": r["username"], "display_name": r["display_name"],
        "role": i18n.label(ROLES[r["role"]]) if r["role"] in ROLES else r["role"],
        "scope": region_name(r["scope_adcode"]),
        "state": t("启用") if r["active"] else t("已停用"),
        "locked_until": _when(r["locked_until"]) if r["locked_until"] is not None and r["locked_until"] > now else "",
        "last_login_at": _when(r["last_login_at"]) or t("从未登录"),
    } for r in rows]
    return pd.DataFrame(out, columns=list(COLUMNS))
