"""Blank import templates, one per kind, as CSV and XLSX, built from the kind specs.

Both formats put the Chinese headers in row 1 and a notes row in row 2 (every
cell starts with 【必填】 or 【选填】, so the importer recognises and skips it);
data starts in row 3. The XLSX adds a 说明 sheet with every column, its
English name, type and code list, drop-downs for code columns, and text format
for ID numbers and codes so Excel does not turn them into numbers.
`python -m safetynet template KIND` writes one; `data/templates/` holds them all.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from safetynet.config import REPO_ROOT
from safetynet.ingest import kinds as K

TEMPLATE_DIR = REPO_ROOT / "data" / "templates"
FORMATS = ("xlsx", "csv")
TYPE_TEXT = {
    "text": "文本", "code": "代码", "int": "整数", "money": "金额（元）", "float": "数字", "date": "日期",
    "month": "月份", "bool": "是/否", "idcard": "身份证号", "adcode": "区划代码", "phone": "电话", "lookup": "名称",
}
TEXT_TYPES = ("idcard", "adcode", "phone", "text", "code", "lookup", "month")
GENERAL_RULES = (
    "第1行为表头，第2行为填写说明（可保留，导入时自动跳过），从第3行开始每行一条记录；空行会被忽略。",
    "可以删去不用的选填列；列的顺序不限；表头也可用英文列名。",
    "导入时逐行校验，错误会写明行号、列名、值和原因。严格模式：有任何错误则整个文件不导入；部分导入模式：只导入正确的行，错误行可下载修改后重新导入。",
    "同一文件重复导入不会产生重复记录：已有的记录按唯一标识更新，内容相同的不做改动。",
    "空白单元格表示“未填写”：已有记录的空白列保留系统中的原值（不会被清空或改为0），新记录的空白列按各列说明中的默认值"
    "（如“空白按0”），必填列不能空白。NULL、None、NaN、#N/A、N/A（不区分大小写）也视同空白。"
    "要把已有的值改为0或“否”，请明确填写。",
    "月度观测的四项收入不能全部空白；本月确实没有收入时请填0。",
    "每行的列数须与表头相同：列数少于表头的行（例如文件被截断）整行不导入。",
    "单元格中不能含有看不见的控制字符、零宽字符或双向文本控制字符（从网页、聊天软件复制的文字常带有），含有时该行不导入；"
    "只有家庭住址、备注、线索内容可以换行。",
    "CSV 可用 UTF-8 或 GBK 编码保存，但同一文件只能使用一种编码；Excel 请保存为 .xlsx。",
)


def file_name(kind: str, fmt: str) -> str:
    spec = K.resolve_kind(kind)
    return f"{spec.kind}_{spec.title}.{fmt}"


def note_cell(f: K.Field) -> str:
    tag = "【必填】" if f.required else "【选填】"
    text = TYPE_TEXT[f.type]
    if f.note:
        text += "；" + f.note
    return tag + text


def build_csv(kind: str) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows opens it correctly), header and notes rows."""
    spec = K.resolve_kind(kind)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([f.header for f in spec.fields])
    writer.writerow([note_cell(f) for f in spec.fields])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def build_xlsx(kind: str) -> bytes:
    spec = K.resolve_kind(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    header_font = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFE699")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    note_font = Font(italic=True, color="666666", size=9)
    for col, f in enumerate(spec.fields, start=1):
        letter = get_column_letter(col)
        cell = ws.cell(row=1, column=col, value=f.header)
        cell.font = header_font
        cell.fill = required_fill if f.required else optional_fill
        note = ws.cell(row=2, column=col, value=note_cell(f))
        note.font = note_font
        note.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = max(12, min(28, len(f.header) * 2 + 4))
        if f.type in TEXT_TYPES:
            ws.column_dimensions[letter].number_format = "@"
        choices = _choices(f)
        if choices:
            formula = '"' + ",".join(choices) + '"'
            if len(formula) <= 255:
                dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
                dv.add(f"{letter}3:{letter}5000")
                ws.add_data_validation(dv)
    ws.row_dimensions[2].height = 60
    ws.freeze_panes = "A3"
    notes = wb.create_sheet("说明")
    notes.append([f"{spec.title}（{spec.kind}）导入模板"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append([spec.description])
    for rule in GENERAL_RULES:
        notes.append([rule])
    notes.append([])
    notes.append(["列名", "英文列名", "必填", "类型", "说明", "可填的值"])
    for cell in notes[notes.max_row]:
        cell.font = header_font
    for f in spec.fields:
        notes.append([f.header, f.name, "是" if f.required else "", TYPE_TEXT[f.type], f.note,
                      "、".join(_choices(f, labels=False))])
    for letter, width in zip("ABCDEF", (18, 22, 6, 12, 60, 60), strict=True):
        notes.column_dimensions[letter].width = width
    wb.properties.creator = "Safety Net Monitor"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _choices(f: K.Field, labels: bool = True) -> list[str]:
    if f.type == "bool":
        return ["是", "否"]
    if f.type != "code" or not f.codes:
        return []
    if labels:
        return list(dict.fromkeys(f.codes.values()))
    return [lab if c == lab or f.internal_codes else f"{c} {lab}" for c, lab in f.codes.items()]


def build(kind: str, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    return build_xlsx(kind) if fmt == "xlsx" else build_csv(kind)


def write(kind: str, fmt: str, target: Path) -> Path:
    """Write one template; a directory target gets the standard file name."""
    target = Path(target)
    if target.is_dir():
        target = target / file_name(kind, fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build(kind, fmt))
    return target


def write_all(directory: Path = TEMPLATE_DIR) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return [write(kind, fmt, directory) for kind in K.KINDS for fmt in FORMATS]
