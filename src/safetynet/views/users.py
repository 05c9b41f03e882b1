"""The tables of 用户管理 (pure: rows of auth.list_users / display_tokens.list_tokens in, display frames out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from safetynet import i18n
from safetynet.auth import ROLES
from safetynet.i18n import t, t_text

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


TOKEN_COLUMNS = {"token_id": "编号", "name": "大屏名称", "scope": "显示范围", "state": "状态", "issued_by": "签发人",
                 "issued_at": "签发时间", "last_used_at": "最近使用", "expires_at": "有效期至", "revoked_at": "撤销时间",
                 "revoked_by": "撤销人"}
TOKEN_STATES = {"active": "有效", "revoked": "已撤销", "expired": "已过期"}


def token_state(row: dict, now: dt.datetime) -> str:
    """"active", "revoked" or "expired" (a revocation counts first: it was someone's decision)."""
    if row["revoked_at"] is not None:
        return "revoked"
    return "expired" if row["expires_at"] <= now else "active"


def tokens_frame(rows: list[dict], region_name: Callable[[str], str], now: dt.datetime | None = None) -> pd.DataFrame:
    """One line per display token (rows of display_tokens.list_tokens), every cell words or a time."""
    now = now or dt.datetime.now()
    out = [{
        "token_id": int(r["token_id"]), "name": r["name"], "scope": region_name(r["scope_adcode"]),
        "state": t_text(TOKEN_STATES[token_state(r, now)]), "issued_by": r["issued_by"], "issued_at": _when(r["issued_at"]),
        "last_used_at": _when(r["last_used_at"]) or t_text("从未使用"), "expires_at": _when(r["expires_at"]),
        "revoked_at": _when(r["revoked_at"]), "revoked_by": r["revoked_by"] or "",
    } for r in rows]
    return pd.DataFrame(out, columns=list(TOKEN_COLUMNS))
