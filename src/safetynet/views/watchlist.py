"""Watchlist rows → what the table shows and what an export contains (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from safetynet import i18n, privacy
from safetynet.domain import codes
from safetynet.i18n import t

TOP_REASONS = 3
# What a caseworker decides on comes first — who, how risky, why — so that on a 1366 px laptop 主要原因 is on
# screen without scrolling the table sideways (it was the tenth column, off the right edge)
DISPLAY_COLUMNS = ("file_no", "head_name", "tier", "score", "reasons", "area", "site", "category", "status", "r",
                   "high_since")

R_HELP = "近12个月家庭人均月净收入 ÷ 当地监测线。低于1即在线下；低于0表示刚性支出（医疗、教育等）超过了收入。"
TIER_HELP = "已风险消除、已解困或已脱困的档案再次评为高风险，显示为“返贫预警”，需尽快核实。"


def top_reasons(reasons: pd.Series, n: int = TOP_REASONS) -> pd.Series:
    """The first n reasons (they are stored most important first)."""
    sep = "；" if i18n.lang() == "zh" else "; "
    return reasons.fillna("").str.split("；|; ", regex=True).str[:n].str.join(sep)


def display_frame(rows: pd.DataFrame, unmasked: bool = False) -> pd.DataFrame:
    """Rows as shown: masked personal data (unless allowed), labels in the UI language, top 3 reasons."""
    if rows.empty:
        return pd.DataFrame(columns=list(DISPLAY_COLUMNS) + ["hh_id"])
    out = rows.copy()
    if not unmasked:
        out = privacy.mask_frame(out, {"head_name": "name", "head_id": "id_number", "head_phone": "phone"})
    reasons = out["reasons"] if i18n.lang() == "zh" else out["reasons_en"]
    out["reasons"] = top_reasons(reasons)
    out["category"] = out["category"].map(lambda c: i18n.label(codes.CATEGORIES[c]))
    # a file already out of risk that scores 高 again is a relapse warning (DOMAIN §8), not one more 高 file
    relapse = out["status"].isin(codes.ELIMINATED_STATUSES).to_numpy() & (out["tier"] == "高").to_numpy()
    out["tier"] = out["tier"].map(lambda tier: i18n.label(codes.TIERS[tier]))
    out.loc[relapse, "tier"] = t("返贫预警（{tier}）", tier=i18n.label(codes.TIERS["高"]))
    out["status"] = out["status"].map(lambda s: s if i18n.lang() == "zh" else codes.FILE_STATUS.get(s, s))
    out["site"] = out["site"].fillna("")
    out["high_since"] = out["high_since"].map(lambda m: i18n.fmt_month(int(m)) if pd.notna(m) else "")
    out["r"] = out["r"].astype(float).round(2)
    return out[["hh_id", *DISPLAY_COLUMNS]]


def column_labels() -> dict[str, str]:
    return {
        "file_no": t("档案编号"), "head_name": t("户主"), "area": t("地区名称"), "site": t("安置点"),
        "category": t("类别"), "status": t("档案状态"), "score": t("评分"), "tier": t("风险等级"),
        "r": t("收入/线"), "reasons": t("主要原因"), "high_since": t("高风险起始"),
    }


def export_frame(rows: pd.DataFrame, unmasked: bool = False) -> pd.DataFrame:
    """The export: the displayed columns (plus masked ID and phone), headed in the UI language."""
    shown = display_frame(rows, unmasked)
    if rows.empty:
        return shown.rename(columns=column_labels())
    masked = rows if unmasked else privacy.mask_frame(rows, {"head_id": "id_number", "head_phone": "phone"})
    shown.insert(3, "head_id", masked["head_id"].fillna("").to_numpy())
    shown.insert(4, "head_phone", masked["head_phone"].fillna("").to_numpy())
    labels = column_labels() | {"head_id": t("身份证号"), "head_phone": t("联系电话")}
    return shown.drop(columns=["hh_id"]).rename(columns=labels)


def tier_breakdown(counts: Mapping[str, int], chosen: Sequence[str] | None) -> str:
    """"高 74，中 135" ("High 74, Medium 135" in English): the tiers of the rows listed, in the order 高 中 低 —
    those the filter chose, or those present — so the parts add up to 共 n 户. The English screen showed "高 74"."""
    zh = i18n.lang() == "zh"
    shown = [k for k in ("高", "中", "低") if k in (chosen or counts)]
    parts = [f"{k if zh else codes.TIERS[k][1]} {i18n.fmt_count(counts.get(k, 0))}" for k in shown]
    return ("，" if zh else ", ").join(parts)
