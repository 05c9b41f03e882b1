"""Small example files for every kind: valid rows, CSV and XLSX writers (tests, fuzzing, documentation).

`example_rows(kind, file_nos)` gives rows that pass validation against a
database holding those households; `csv_bytes` and `xlsx_bytes` write them
the way spreadsheet programs do (any encoding, delimiter, BOM, sheet names).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from safetynet.domain import idcard
from safetynet.ingest import kinds as K

Row = dict[str, object]


def example_rows(kind: str, file_nos: list[str], n: int = 3, today: dt.date | None = None) -> list[Row]:
    """`n` valid rows of `kind` (Chinese headers) for the households `file_nos` (cycled)."""
    today = today or dt.date.today()
    spec = K.resolve_kind(kind)
    last_month = (today.replace(day=1) - dt.timedelta(days=1))
    rows: list[Row] = []
    for i in range(n):
        f = file_nos[i % len(file_nos)] if file_nos else f"NEW-{i:04d}"
        if spec.kind == "observations":
            month = _month_back(last_month, i)
            rows.append({"档案编号": f, "月份": f"{month.year}-{month.month:02d}", "工资性收入": 2000 + 10 * i,
                         "经营净收入": 0, "转移净收入": 300, "医疗自付支出": 150.5, "稳定就业人数": 1,
                         "失业或未返岗月数": 0, "是否欠薪": "否"})
        elif spec.kind == "households":
            rows.append({"档案编号": f, "对象类型": "困难职工" if i % 2 == 0 else "防返贫监测户",
                         "职工类别": "2" if i % 2 == 0 else "", "监测类别": "" if i % 2 == 0 else "02",
                         "区县代码": "520102", "档案状态": "在档", "发现渠道": "工会排查", "发现日期": "2026-03-01",
                         "认定日期": "2026-03-10", "是否搬迁户": "否"})
        elif spec.kind == "persons":
            born = dt.date(1970 + i, 1 + i % 12, 1 + i % 28)
            rows.append({"档案编号": f, "姓名": f"测试{i}", "身份证号": idcard.make("520102", born, 901 + 2 * (i % 40)),
                         "与户主关系": "户主" if i == 0 else "子", "健康状况": "健康", "劳动能力": "普通劳动力",
                         "就业形式": "劳动合同", "合同期限（月）": 24})
        elif spec.kind == "events":
            rows.append({"档案编号": f, "风险类型": "因病", "发生日期": (today - dt.timedelta(days=30 + i)).isoformat(),
                         "损失金额": 5000 + i})
        elif spec.kind == "assistance":
            rows.append({"档案编号": f, "帮扶类型": "生活救助", "金额": 500 + i,
                         "帮扶日期": (today - dt.timedelta(days=20 + i)).isoformat(), "帮扶主体": "工会"})
        elif spec.kind == "pairings":
            rows.append({"档案编号": f, "帮扶责任人": f"结对人{i}", "工作单位": "县总工会",
                         "开始日期": (today - dt.timedelta(days=60 + i)).isoformat()})
        elif spec.kind == "leads":
            departments = ("民政", "医保", "人社", "残联", "教育", "住建", "应急")
            row: Row = {"档案编号": f, "来源部门": departments[i % len(departments)],
                        "接收日期": (today - dt.timedelta(days=3 + i)).isoformat(), "线索内容": f"部门比对预警{i}"}
            if not file_nos:  # people without a file yet
                born = dt.date(1975 + i % 30, 1 + i % 12, 1 + i % 28)
                row.update({"档案编号": "", "姓名": f"申请人{i}", "身份证号": idcard.make("520102", born, 501 + 2 * (i % 40)),
                            "区县代码": "520102"})
            rows.append(row)
        elif spec.kind == "calendar":
            day = dt.date(today.year + 1, 1, 1) + dt.timedelta(days=i)
            weekend = day.weekday() >= 5
            rows.append({"日期": day.isoformat(), "类型": "调休上班" if weekend else "休息日",
                         "说明": "调休上班" if weekend else "测试假日"})
        elif spec.kind == "deadline_rules":
            steps = ("入户核实", "认定决定", "公示", "首次帮扶", "回访间隔", "消除后跟踪")
            regions = ("520000", "520100", "520102")
            rows.append({"区域代码": regions[(i // len(steps)) % len(regions)], "环节": steps[i % len(steps)],
                         "期限": 5 + i % 5})
        elif spec.kind == "sites":
            rows.append({"安置点名称": f"测试安置点{i}", "区县代码": "522324", "经度": 105.2, "纬度": 25.8,
                         "安置类型": "城镇", "搬迁户数": 100 + i, "搬迁人数": 420 + i})
    return rows


def _month_back(day: dt.date, n: int) -> dt.date:
    y, m = day.year, day.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def _header(rows: list[Row]) -> list[str]:
    header: list[str] = []
    for r in rows:
        header += [k for k in r if k not in header]
    return header


def csv_bytes(rows: list[Row], encoding: str = "utf-8", delimiter: str = ",", bom: bool = False,
              header: list[str] | None = None, notes: bool = False, kind: str | None = None) -> bytes:
    """Rows as CSV text in `encoding` (optionally with the template's notes row)."""
    header = header or _header(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    if notes and kind:
        spec = K.resolve_kind(kind)
        by_header = {f.header: f for f in spec.fields}
        writer.writerow([("【必填】" if by_header[h].required else "【选填】") if h in by_header else "【选填】" for h in header])
    for r in rows:
        writer.writerow(["" if r.get(h) is None else r.get(h) for h in header])
    text = buf.getvalue()
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom and encoding.replace("-", "").lower() == "utf8" else data


def xlsx_bytes(sheets: dict[str, list[Row]], title_rows: int = 0, typed: bool = True) -> bytes:
    """A workbook with one sheet per entry; numbers stay numbers when `typed` (as Excel stores them)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i in range(title_rows):
            ws.append([f"标题行{i + 1}"])
        header = _header(rows)
        ws.append([_cell(h, False) for h in header])
        for r in rows:
            ws.append([_cell(r.get(h), typed) for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: object, typed: bool) -> object:
    if value is None or value == "":
        return None
    if not typed or isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", str(value))  # Excel cannot hold control characters
    return value
