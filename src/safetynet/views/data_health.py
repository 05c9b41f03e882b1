"""Data-health tables and flag counts for the 数据管理 screen (pure: frames in, display frames out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from safetynet import i18n
from safetynet.domain import codes, lifecycle
from safetynet.i18n import t
from safetynet.ingest.kinds import KINDS
from safetynet.views.audit_log import actor_label

STALE_DAYS = 45  # monthly data older than this is late for a monthly review
STATUS = {"done": "已完成", "rejected": "已拒绝", "failed": "失败", "running": "进行中", "dry-run": "试导入"}
MODE = {"strict": "严格", "partial": "部分导入"}
DQ = (
    ("DQ_NO_ASSISTANCE", lifecycle.DQ_NO_ASSISTANCE_1M),
    ("DQ_FAST_ELIMINATION", lifecycle.DQ_FAST_ELIMINATION),
    ("DQ_SLOW_IDENTIFICATION", lifecycle.DQ_SLOW_IDENTIFICATION),
)


def kind_label(kind: str) -> str:
    if kind == "demo":
        return t("演示数据")
    spec = KINDS.get(kind)
    if spec is None:
        return kind
    return spec.title_en if i18n.lang() == "en" else spec.title


def _newest_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, int | float) and 190001 <= int(value) <= 299912:
        return i18n.fmt_month(int(value))
    return str(value)[:10]


def _freshness_state(days: float | None) -> str:
    if days is None or (isinstance(days, float) and days != days):
        return t("无数据")
    if int(days) < 0:
        return t("日期晚于今天")
    return t("正常") if int(days) <= STALE_DAYS else t("偏旧")


def _when(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return "—"
    return str(value)[:16]


def freshness_frame(tables: pd.DataFrame, last: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """One row per table: rows, newest data, days since, state, the newest import of the kind feeding it."""
    last = last.set_index("kind") if not last.empty else pd.DataFrame(columns=["finished_at", "file_name", "status"])
    out = []
    for row in tables.itertuples(index=False):
        source = row.kind if row.kind in last.index else ("demo" if "demo" in last.index else None)
        imported = last["finished_at"].get(source) if source else None
        imported_day = pd.to_datetime(imported).date() if imported is not None and imported == imported else None
        file_name = (t("演示数据") if source == "demo" else last["file_name"].get(source) or "—") if source else "—"
        out.append({
            t("数据表"): kind_label(row.kind),
            t("记录数"): int(row.rows),
            t("最新数据"): _newest_text(row.newest),
            t("距今（天）"): None if row.days_since_newest is None or row.days_since_newest != row.days_since_newest
            else int(row.days_since_newest),
            t("状态"): (_freshness_state(row.days_since_newest) if pd.notna(row.newest) else "—") if row.rows
            else t("无数据"),
            t("最近导入"): _when(imported),
            t("导入距今（天）"): (today - imported_day).days if imported_day else None,
            t("最近导入文件"): file_name,
        })
    frame = pd.DataFrame(out)
    for col in (t("距今（天）"), t("导入距今（天）")):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def sources_frame(sources: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("发现渠道"): [i18n.label((s, codes.SOURCES.get(s, s))) for s in sources["source"]],
        t("户数"): sources["households"].astype(int),
        t("最近认定"): [_newest_text(v) for v in sources["newest"]],
        t("距今（天）"): pd.array(sources["days_since_newest"].tolist(), dtype="Int64"),
    })


def batches_frame(batches: pd.DataFrame) -> pd.DataFrame:
    """Batch history with Chinese labels; the identity read = accepted + updated + rejected is visible per row."""
    return pd.DataFrame({
        t("批次"): batches["batch_id"].astype(int),
        t("类型"): [kind_label(k) for k in batches["kind"]],
        t("文件"): batches["file_name"].fillna(""),
        t("导入人"): batches["user_name"].map(actor_label).fillna(""),
        t("模式"): [t(MODE.get(m, m or "—")) for m in batches["mode"]],
        t("完成时间"): [_when(v) for v in batches["finished_at"]],
        t("状态"): [t(STATUS.get(s, s)) for s in batches["status"]],
        t("读取"): batches["rows_read"].astype(int),
        t("接受"): batches["rows_accepted"].astype(int),
        t("更新"): batches["rows_updated"].astype(int),
        t("拒绝"): batches["rows_rejected"].astype(int),
        t("问题数"): batches["problems"].astype(int),
    })


def reject_totals_frame(totals: pd.DataFrame) -> pd.DataFrame:
    rows = totals["rows_read"].fillna(0).astype(int)
    rejected = totals["rows_rejected"].fillna(0).astype(int)
    return pd.DataFrame({
        t("类型"): [kind_label(k) for k in totals["kind"]],
        t("批次数"): totals["batches"].astype(int),
        t("被拒绝的批次"): totals["batches_rejected"].fillna(0).astype(int),
        t("读取行数"): rows,
        t("拒绝行数"): rejected,
        t("拒绝比例"): [i18n.fmt_pct(r / n) if n else "—" for r, n in zip(rejected, rows, strict=True)],
    })


def dq_items(counts: Mapping[str, int]) -> list[tuple[str, int, float | None]]:
    """(label, households with the flag, share of households in the filter) per DOMAIN §4 flag."""
    total = counts.get("households", 0)
    out = []
    for key, label_key in DQ:
        n = counts.get(key, 0)
        out.append((i18n.label(lifecycle.DQ_LABELS[label_key]), n, n / total if total else None))
    return out
