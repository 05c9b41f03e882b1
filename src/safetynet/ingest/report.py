"""The rejects report users download: one row per problem, Chinese column names, safe to open in Excel."""

from __future__ import annotations

import pandas as pd

from safetynet import exports

COLUMNS = {"sheet": "工作表", "row_number": "行号", "column_name": "列", "value": "值", "reason": "原因"}


def rejects_table(rejects: pd.DataFrame) -> pd.DataFrame:
    """Problems with Chinese headers (工作表 only when present), sorted by sheet and row."""
    frame = rejects.copy()
    if frame.empty:
        return pd.DataFrame(columns=[v for k, v in COLUMNS.items() if k != "sheet"])
    keys = [c for c in ("sheet", "row_number") if c in frame.columns]
    frame = frame.sort_values(keys, kind="stable")
    frame = frame[[c for c in COLUMNS if c in frame.columns]].rename(columns=COLUMNS)
    frame["列"] = frame["列"].fillna("（整行）")
    frame["值"] = frame["值"].fillna("")
    return frame.reset_index(drop=True)


def _header(user: str, file_name: str) -> str:
    return exports.header_line(user, f"导入问题清单：{file_name}（行号为原文件中的行，表头在第1行）")


def rejects_csv(rejects: pd.DataFrame, user: str, file_name: str) -> bytes:
    return exports.to_csv_bytes(rejects_table(rejects), _header(user, file_name))


def rejects_xlsx(rejects: pd.DataFrame, user: str, file_name: str) -> bytes:
    return exports.to_xlsx_bytes(rejects_table(rejects), _header(user, file_name), sheet="导入问题")
