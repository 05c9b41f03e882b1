"""CSV and Excel exports that are safe to open.

Every export starts with a header line saying who exported what and when — and, for a list chosen by filters,
a second line naming them (`header_lines`: "筛选条件：地区 …；风险等级 …") — and neutralises cells that a
spreadsheet would run as a formula (CSV/formula injection: a value starting with = + - @ — also after blanks
or in full width — or a tab/CR, gets a leading apostrophe). Personal columns arrive here already masked unless
the viewer may see them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook

from safetynet.i18n import t_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Spreadsheets also take a formula after leading blanks, and some (with a Chinese IME's autocorrect) from the
# full-width signs
FULL_WIDTH_START = ("＝", "＋", "－", "＠")
BLANKS = " \u3000\u00a0"


def neutralise(value: object) -> object:
    if isinstance(value, str) and (value.startswith(FORMULA_START)
                                   or value.lstrip(BLANKS).startswith(FORMULA_START + FULL_WIDTH_START)):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def header_line(user: str, what: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now()
    return f"导出人：{user}；导出时间：{when:%Y-%m-%d %H:%M}；内容：{what}"


def header_lines(user: str, what: str, filters: str, when: dt.datetime | None = None) -> tuple[str, str]:
    """The header line, then the filters that chose the rows (views.export_filters.filters_text)."""
    return header_line(user, what, when), t_text("筛选条件：{filters}", filters=filters)


def _header_rows(header: str | Sequence[str]) -> list[list[object]]:
    return [[neutralise(line)] for line in ((header,) if isinstance(header, str) else header)]


def to_csv_bytes(frame: pd.DataFrame, header: str | Sequence[str]) -> bytes:
    """UTF-8 with BOM so Excel on Chinese Windows opens it correctly. `header`: one line, or several (one row
    each)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows(_header_rows(header))
    safe = safe_frame(frame)
    writer.writerow(list(safe.columns))
    writer.writerows(safe.astype(object).where(safe.notna(), "").itertuples(index=False, name=None))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, header: str | Sequence[str], sheet: str = "导出",
                  lines: Sequence[str] = ()) -> bytes:
    """The header line(s), then `lines` (a document's title, region and date: one cell each) and a blank row when
    there are any, then the table."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for row in _header_rows(header):
        ws.append(row)
    for line in lines:
        ws.append([neutralise(line)])
    if lines:
        ws.append([])
    safe = safe_frame(frame)
    ws.append(list(safe.columns))
    for row in safe.astype(object).where(safe.notna(), None).itertuples(index=False, name=None):
        ws.append([neutralise(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
