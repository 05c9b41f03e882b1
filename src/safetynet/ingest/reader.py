"""File → sheets of text cells, or one clear file-level error.

Formats: CSV/TSV/TXT in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
text") and GB18030 (a superset of GBK/GB2312, what Chinese Excel writes by
default); XLSX/XLSM/XLS/ODS through python-calamine. Every cell arrives as text
(Excel numbers and dates are turned back into the text a user typed), so
validation treats every format alike.

Row numbers are the rows a user sees when opening the file in Excel or WPS:
the header is the row it is on (normally row 1), the template's notes row
(row 2) and any title rows above the header are skipped, fully blank rows are
skipped and not counted, and a CSV record spanning several lines (a quoted
line break) is one row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from safetynet.ingest import kinds as K

if TYPE_CHECKING:  # imported where a workbook is opened: CSV imports never load it
    from python_calamine import CalamineWorkbook

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000
HEADER_SCAN_ROWS = 10
NOTES_PREFIX = "【"
NOTES_SHEETS = ("说明", "填写说明", "代码表", "notes", "readme", "codes")
DELIMITERS = (",", "\t", ";", "|")


# Characters no table cell should hold, because they are invisible or change how the text around them is
# shown: C0 and C1 controls and DEL, bidirectional formatting (U+061C, U+200E/U+200F, U+202A–U+202E,
# U+2066–U+2069: text shown in another order than it is stored), zero-width characters (U+200B–U+200D,
# U+2060) and U+FEFF inside text. Tab and line breaks (HIDDEN_BREAKS) are allowed in free text only.
HIDDEN_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
HIDDEN_BREAKS = "\t\n\r"
_HIDDEN = re.compile(f"[{HIDDEN_CHARS}]")
_HIDDEN_ANY = re.compile(f"[{HIDDEN_CHARS}{HIDDEN_BREAKS}]")


def visible(text: str, breaks: bool = False) -> str:
    """`text` with every hidden character written out as <U+202E> (and tabs, line breaks too with `breaks`)."""
    pattern = _HIDDEN_ANY if breaks else _HIDDEN
    return pattern.sub(lambda m: f"<U+{ord(m.group()):04X}>", text) if pattern.search(text) else text


def _header_text(cell: str) -> str:
    """A header cell as matched and quoted: BOMs dropped (normalize_header ignores them), anything else hidden shown."""
    return visible(cell.replace("\ufeff", "").strip())


class FileError(Exception):
    """A problem with the whole file: nothing is written, and this one message says why."""

    def __init__(self, message: str, code: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS


@dataclass
class RawSheet:
    """One table of text cells with the file row number of every data row."""

    name: str | None  # worksheet name; None for CSV
    header: list[str]  # header cells as written
    header_row: int  # 1-based row of the header
    columns: list[pa.ChunkedArray]  # one per header cell, '' for empty cells
    row_numbers: np.ndarray  # 1-based file row of each data row
    row_problems: list[tuple[int, str]] = field(default_factory=list)  # (data row position, reason)
    notes_row: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.row_numbers)


@dataclass
class SheetRef:
    name: str | None
    peek: list[list[str]]  # the first rows, as text
    height: int  # rows in the sheet (upper bound for CSV)


@dataclass
class Source:
    file_name: str
    format: str  # csv / xlsx / xls / ods
    encoding: str | None
    delimiter: str | None
    size: int
    sha256: str
    sheets: list[SheetRef]
    _data: bytes = b""
    _text: str | None = None
    _workbook: CalamineWorkbook | None = None  # Excel and ODS files

    def describe(self) -> str:
        enc = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带BOM）", "gb18030": "GBK/GB18030", "utf-16": "UTF-16"}
        if self.format == "csv":
            delim = {",": "逗号", "\t": "制表符", ";": "分号", "|": "竖线"}.get(self.delimiter or ",", self.delimiter)
            return f"CSV（{enc.get(self.encoding or '', self.encoding)}，{delim}分隔）"
        return {"xlsx": "Excel 工作簿（.xlsx）", "xls": "Excel 97-2003 工作簿（.xls）", "ods": "OpenDocument 表格（.ods）"}[self.format]


# ---------------------------------------------------------------- sniffing
_MAGIC = (
    (b"%PDF", "这是 PDF 文件，不是表格。请导入 CSV 或 Excel（.xlsx）文件"),
    (b"\x89PNG", "这是图片（PNG），不是表格"),
    (b"\xff\xd8\xff", "这是图片（JPEG），不是表格"),
    (b"GIF8", "这是图片（GIF），不是表格"),
    (b"Rar!", "这是 RAR 压缩包，请先解压，再导入其中的 CSV 或 Excel 文件"),
    (b"7z\xbc\xaf", "这是 7z 压缩包，请先解压，再导入其中的 CSV 或 Excel 文件"),
    (b"\x1f\x8b", "这是 gzip 压缩文件，请先解压"),
    (b"SQLite format 3", "这是数据库文件，不是表格"),
)


def sniff(data: bytes, file_name: str, limits: Limits = Limits()) -> str:
    """The file's format (csv / xlsx / xls / ods) or a FileError saying what it is instead."""
    if len(data) > limits.max_bytes:
        raise FileError(f"文件大小为 {len(data) / 1048576:.1f} MB，超过上限 {limits.max_bytes / 1048576:.0f} MB；"
                        "请拆分后分批导入", "oversize")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileError("文件是空的，没有任何内容", "empty")
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise FileError(message, "not_spreadsheet")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise FileError("文件看起来是 Excel（.xlsx），但已损坏或不完整，无法打开", "corrupt") from None
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            return "ods"
        if any(n.startswith("word/") for n in names):
            raise FileError("这是 Word 文档（.docx），不是表格", "not_spreadsheet")
        if any(n.startswith("ppt/") for n in names):
            raise FileError("这是 PowerPoint 文件，不是表格", "not_spreadsheet")
        raise FileError("这是 ZIP 压缩包，不是 Excel 工作簿；请先解压，再导入其中的 CSV 或 Excel 文件", "not_spreadsheet")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        raise FileError("这是网页（HTML/XML）格式的“伪 Excel”文件；请在 Excel 中“另存为” .xlsx 或 CSV 后再导入",
                        "not_spreadsheet")
    return "csv"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM first, then strict UTF-8, then GB18030 (⊃ GBK ⊃ GB2312) — one encoding per file.

    A file is decoded one way or not at all. A UTF-8 file with one line saved as GBK is not valid
    UTF-8, and GB18030 reads UTF-8 text as plausible-looking nonsense ("张伟" → "寮犱紵"): when a file
    that is not UTF-8 as a whole has lines that are (valid UTF-8 with Chinese characters), it mixes two
    encodings and is refused naming a line of each. A file that stops inside a multi-byte character is
    refused as incomplete, and a NUL byte anywhere in the file (not only in its first 64 KB) makes it
    unusable: no table cell holds one, and PostgreSQL cannot store one.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        try:
            return body.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            _refuse_truncated(exc, body)
            raise FileError(f"文件声明为 UTF-8（带BOM），但第 {_line_of(body, exc.start)} 行不是有效的 UTF-8"
                            "（可能混入了 GBK 编码的内容，或文件已损坏）；请重新另存为“CSV UTF-8”后再导入",
                            "encoding") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise FileError("文件声明为 UTF-16（Unicode 文本），但内容无法解码；文件可能已损坏或不完整", "encoding") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FileError(_nul_message(_line_of(data, nul)), "not_spreadsheet")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if not data[:exc.start].isascii():  # valid UTF-8 with Chinese text up to a character cut off at the end
            _refuse_truncated(exc, data)
    mixed = _mixed_lines(data)
    if mixed is not None:
        utf8_line, other_line = mixed
        raise FileError(f"文件混用了两种字符编码：第 {utf8_line} 行是 UTF-8 编码，第 {other_line} 行却是 GBK 等其他编码。"
                        "同一文件只能使用一种编码，否则部分文字会变成乱码；请在 Excel 或 WPS 中打开后重新另存为"
                        "“CSV UTF-8”再导入", "encoding")
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        _refuse_truncated(exc, data)
        raise FileError(f"无法识别文件的字符编码：既不是 UTF-8 也不是 GBK/GB18030（第 {_line_of(data, exc.start)} 行，"
                        f"第 {exc.start} 字节）。请在 Excel 中另存为“CSV UTF-8”后再导入", "encoding") from None


def _line_of(data: bytes | str, pos: int) -> int:
    """1-based text line of a byte (or character) position."""
    if isinstance(data, bytes):
        return data.count(b"\n", 0, pos) + 1
    return data.count("\n", 0, pos) + 1


def _nul_message(line: int) -> str:
    return (f"文件第 {line} 行含有空字符（NUL，0x00）：这是二进制内容，不是正常的 CSV 文本，文件可能已损坏；"
            "请重新导出后再导入")


def _refuse_truncated(exc: UnicodeDecodeError, data: bytes) -> None:
    """A decoding error only at the very end: the file stops in the middle of a character."""
    if exc.end >= len(data) and exc.reason in ("unexpected end of data", "incomplete multibyte sequence"):
        raise FileError(f"文件不完整：末尾（第 {_line_of(data, exc.start)} 行）在一个字符的中间被截断，可能是下载、复制或"
                        "导出没有完成；请重新导出完整的文件后再导入", "truncated") from None


# a whole line of valid UTF-8 with a non-ASCII character, in text decoded with surrogateescape (bad bytes
# are lone surrogates there); a line is found from the "\n" before it (a fast literal search), and the
# possessive quantifiers give up on a line at its first bad byte instead of backtracking through it
_UTF8_LINE_BODY = "[\x00-\t\x0b-\x7f]*+[^\x00-\x7f\udc80-\udcff][^\n\udc80-\udcff]*+(?=\n|\\Z)"
_UTF8_LINE = re.compile("\n" + _UTF8_LINE_BODY)
_UTF8_FIRST_LINE = re.compile(_UTF8_LINE_BODY)
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _mixed_lines(data: bytes) -> tuple[int, int] | None:
    """(first UTF-8 line, first line that is not UTF-8) of a file that is not UTF-8 as a whole, or None.

    A line counts as UTF-8 only with a character of three or more bytes (every Chinese character is
    one): a short GBK line can happen to be valid two-byte UTF-8, a line of Chinese text practically
    cannot. Costs about as much as decoding the file, and runs only for files that are not UTF-8.
    """
    text = data.decode("utf-8", "surrogateescape")
    bad = _NOT_UTF8.search(text)
    if bad is None:
        return None
    found, line = _UTF8_FIRST_LINE.match(text), 1
    while found is None or max(found.group()) < "\u0800":
        found = _UTF8_LINE.search(text, found.end() if found is not None else 0)
        if found is None:
            return None
        line = _line_of(text, found.start()) + 1  # the match starts at the "\n" ending the line before
    return line, _line_of(text, bad.start())


def _check_text(text: str) -> None:
    nul = text.find("\x00")  # the whole text (a UTF-16 file's NUL characters only show up once decoded)
    if nul >= 0:
        raise FileError(_nul_message(_line_of(text, nul)), "not_spreadsheet")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\x1a\x0c")
    if controls > max(3, len(sample) // 200):
        raise FileError("文件含有大量控制字符，看起来不是文本表格（CSV）", "not_spreadsheet")


# ---------------------------------------------------------------- header matching
_KNOWN: dict[str, set[str]] = {}


def known_headers() -> dict[str, set[str]]:
    """Normalised header → kinds that have a column with that header."""
    if not _KNOWN:
        for spec in K.KINDS.values():
            for key in K.header_index(spec):
                _KNOWN.setdefault(key, set()).add(spec.kind)
    return _KNOWN


def header_key(cell: str) -> str:
    key = K.normalize_header(cell)
    known = known_headers()
    if key not in known:
        stripped = K.strip_unit(key)
        if stripped in known:
            return stripped
    return key


def _header_score(row: list[str]) -> int:
    known = known_headers()
    return sum(1 for cell in row if cell and header_key(cell) in known)


def find_header_row(rows: list[list[str]]) -> int:
    """Index of the header among the first rows: the one with the most known headers (title rows above are skipped)."""
    best, best_score = 0, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _header_score(row)
        if score > best_score:
            best, best_score = i, score
    if best_score == 0:  # nothing known: the first non-empty row is the header (and the error names its columns)
        return next((i for i, row in enumerate(rows) if any(str(c).strip() for c in row)), 0)
    return best


# ---------------------------------------------------------------- opening
def open_source(data: bytes, file_name: str, limits: Limits = Limits()) -> Source:
    """Sniff, decode and peek at every sheet; FileError for anything that is not a readable table."""
    fmt = sniff(data, file_name, limits)
    digest = hashlib.sha256(data).hexdigest()
    if fmt == "csv":
        text, encoding = decode(data)
        _check_text(text)
        if not re.search(r"[^\s,;|\ufeff]", text):
            raise FileError("文件是空的，没有任何内容", "empty")
        delimiter = _sniff_delimiter(text)
        peek = [[_header_text(c) for c in row] for row in _csv_peek(text, delimiter)]
        height = data.count(b"\n") + 1
        return Source(file_name, "csv", encoding, delimiter, len(data), digest,
                      [SheetRef(None, peek, height)], _data=data, _text=text)
    workbook = _open_workbook(data, fmt)
    refs = []
    for meta in workbook.sheets_metadata:
        if str(getattr(meta.typ, "name", meta.typ)) not in ("WorkSheet", "SheetTypeEnum.WorkSheet"):
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
            peek_rows = sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS + 2)
        except Exception as exc:  # noqa: BLE001 - calamine raises many types for broken sheets
            raise FileError(f"工作表“{meta.name}”无法读取：{exc}", "corrupt") from None
        refs.append(SheetRef(meta.name, [[_header_text(_cell_text(v)) for v in row] for row in peek_rows],
                             int(sheet.height)))
    if not refs:
        raise FileError("Excel 工作簿中没有工作表", "empty")
    return Source(file_name, fmt, None, None, len(data), digest, refs, _data=data, _workbook=workbook)


def _open_workbook(data: bytes, fmt: str) -> CalamineWorkbook:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        text = str(exc).lower()
        if "password" in text or "encrypt" in text or type(exc).__name__ == "PasswordError":
            raise FileError("Excel 文件有密码保护，请取消密码后再导入", "encrypted") from None
        name = {"xlsx": "Excel（.xlsx）", "xls": "Excel 97-2003（.xls）", "ods": "OpenDocument（.ods）"}[fmt]
        raise FileError(f"文件看起来是 {name}，但已损坏或不完整，无法打开", "corrupt") from None


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text[:65536].splitlines()[:HEADER_SCAN_ROWS] if ln.strip()]
    best, best_score = ",", (-1, -1)
    for delim in DELIMITERS:
        score = max((_header_score(ln.split(delim)) for ln in lines), default=0)
        fields = max((ln.count(delim) for ln in lines), default=0)
        if (score, fields) > best_score:
            best, best_score = delim, (score, fields)
    return best


def _csv_peek(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text[:262144]), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= HEADER_SCAN_ROWS + 2:
                break
    except csv.Error:
        pass
    return rows


# ---------------------------------------------------------------- Excel cells
def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _column_array(values: tuple) -> pa.Array:
    if all(type(v) is str for v in values):
        return pa.array(values, pa.string())
    return pa.array([_cell_text(v) for v in values], pa.string())


# ---------------------------------------------------------------- loading a sheet
def load_sheet(source: Source, ref: SheetRef, header_index: int, limits: Limits = Limits()) -> RawSheet:
    """All data rows of a sheet below its header (row index `header_index`, 0-based)."""
    if ref.height - header_index - 1 > limits.max_rows + 1:
        raise FileError(f"{_where(ref)}约有 {ref.height - header_index - 1:,} 行数据，超过单次导入上限 {limits.max_rows:,} 行；"
                        "请拆分后分批导入", "oversize")
    if source.format == "csv":
        sheet = _load_csv(source, header_index, limits)
    else:
        sheet = _load_excel(source, ref, header_index)
    _drop_notes_and_blanks(sheet)
    if sheet.n_rows > limits.max_rows:
        raise FileError(f"{_where(ref)}有 {sheet.n_rows:,} 行数据，超过单次导入上限 {limits.max_rows:,} 行；请拆分后分批导入",
                        "oversize")
    return sheet


def _where(ref: SheetRef) -> str:
    return f"工作表“{ref.name}”" if ref.name else "文件"


def _load_excel(source: Source, ref: SheetRef, header_index: int) -> RawSheet:
    try:
        # a workbook's sheet: the workbook is opened with the source and its sheets are named (CSV has neither)
        assert source._workbook is not None and ref.name is not None
        rows = source._workbook.get_sheet_by_name(ref.name).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001
        raise FileError(f"工作表“{ref.name}”无法读取：{exc}", "corrupt") from None
    header = [_header_text(_cell_text(v)) for v in rows[header_index]] if len(rows) > header_index else []
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    header = header[:width]
    body = rows[header_index + 1:]
    warnings = []
    if body and width:
        full = max(len(r) for r in body)
        padded = [r if len(r) >= full else list(r) + [""] * (full - len(r)) for r in body]
        columns_t = list(zip(*padded, strict=True)) if padded else []
        columns = [pa.chunked_array([_column_array(c)]) for c in columns_t[:width]]
        extra = columns_t[width:]
        if any(any(_cell_text(v).strip() for v in col) for col in extra):
            warnings.append("表头右侧没有列名的单元格已忽略")
    else:
        columns = [pa.chunked_array([pa.array([], pa.string())]) for _ in range(width)]
    row_numbers = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    return RawSheet(ref.name, header, header_index + 1, columns, row_numbers, warnings=warnings)


def _load_csv(source: Source, header_index: int, limits: Limits) -> RawSheet:
    text = source._text or ""
    delimiter = source.delimiter or ","
    raw = source._data if source.encoding in ("utf-8", "utf-8-sig") else text.encode("utf-8")
    if raw.count(b"\r") == raw.count(b"\r\n"):
        sheet = _load_csv_fast(text, source, delimiter, header_index)
        if sheet is not None:
            return sheet
    return _load_csv_records(text, delimiter, header_index, limits)


def _load_csv_fast(text: str, source: Source, delimiter: str, header_index: int) -> RawSheet | None:
    """pyarrow's parser, when every record is one line (checked: record count = non-empty line count).

    Returns None — and the caller falls back to Python's csv reader — when a
    cell holds a line break, a row has the wrong number of cells, or a line
    above the header is not a simple line.
    """
    if source.encoding in ("utf-8",):
        body = source._data
    elif source.encoding == "utf-8-sig":
        body = source._data[3:]
    else:
        body = text.encode("utf-8")
    arr = np.frombuffer(body, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(arr)]))
    lengths = ends - starts
    has_cr = lengths > 0
    has_cr[has_cr] = arr[ends[has_cr] - 1] == 13
    lengths = lengths - has_cr
    header_line = header_index  # records are lines here (verified below)
    if header_line >= len(starts):
        return None
    lines_above = [body[starts[i]:starts[i] + lengths[i]].decode("utf-8") for i in range(header_line + 1)]
    if any(line.count('"') % 2 for line in lines_above):
        return None
    header = next(csv.reader([lines_above[-1]], delimiter=delimiter), [])
    header = [_header_text(h) for h in header]
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    nonempty = np.flatnonzero(lengths > 0)
    data_lines = nonempty[nonempty > header_line]
    offset = int(starts[header_line + 1]) if header_line + 1 < len(starts) else len(arr)
    names = [f"c{i}" for i in range(len(header))]
    invalid: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(1)
        return "skip"

    table = None
    if len(data_lines) and names:
        quoted = b'"' in body[offset:]
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(body)[offset:]),
                read_options=pacsv.ReadOptions(column_names=names, block_size=8 << 20),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"' if quoted else False,
                                                 double_quote=True, ignore_empty_lines=True, newlines_in_values=False,
                                                 invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
        except (pa.ArrowInvalid, pa.ArrowException):
            return None
    if invalid or (table is not None and table.num_rows != len(data_lines)):
        return None
    if table is None:
        columns = [pa.chunked_array([pa.array([""] * len(data_lines) if not names else [], pa.string())])
                   for _ in range(width)]
        if len(data_lines) and not names:
            return None
    else:
        columns = [table.column(i) for i in range(width)]
    return RawSheet(None, header[:width], header_line + 1, columns, (data_lines + 1).astype(np.int64))


def _load_csv_records(text: str, delimiter: str, header_index: int, limits: Limits) -> RawSheet:
    """Python's csv reader: quotes, line breaks inside cells, short and long rows (both are row problems).

    A row with fewer cells than the header is not a row of blank cells: spreadsheet programs write
    every cell of every row, so a short row was cut off (a truncated file) or typed with cells
    missing, and which cells are missing is a guess. It is rejected naming the row; its cells are
    padded only so that the other rows' columns stay aligned.
    """
    csv.field_size_limit(1 << 24)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    numbers: list[int] = []
    header: list[str] | None = None
    header_row = header_index + 1
    try:
        for index, record in enumerate(reader):
            if index < header_index:
                continue
            if index == header_index:
                header = [_header_text(c) for c in record]
                continue
            records.append(record)
            numbers.append(index + 1)
            if len(records) > limits.max_rows + 1:
                raise FileError(f"文件数据超过单次导入上限 {limits.max_rows:,} 行；请拆分后分批导入", "oversize")
    except csv.Error as exc:
        raise FileError(f"CSV 格式错误（第 {reader.line_num} 行附近）：{exc}", "not_spreadsheet") from None
    if header is None:
        raise FileError("文件没有表头行", "empty")
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    header = header[:width]
    problems = []
    cols: list[list[str]] = [[] for _ in range(width)]
    for pos, record in enumerate(records):
        if len(record) > width and any(c.strip() for c in record[width:]):
            problems.append((pos, f"该行有 {len(record)} 列，比表头多 {len(record) - width} 列（可能有未加引号的分隔符），各列可能错位"))
        if len(record) < width:
            if any(c.strip() for c in record):  # a missing cell is not a blank cell: the line was cut or mangled
                problems.append((pos, f"该行只有 {len(record)} 列，比表头少 {width - len(record)} 列（行可能被截断）"))
            record = record + [""] * (width - len(record))
        for i in range(width):
            cols[i].append(record[i])
    columns = [pa.chunked_array([pa.array(c, pa.string())]) for c in cols]
    return RawSheet(None, header, header_row, columns, np.asarray(numbers, dtype=np.int64), problems)


def _drop_notes_and_blanks(sheet: RawSheet) -> None:
    """Trim every cell; remove the template's notes row and fully blank rows (neither is counted as read)."""
    if not sheet.columns or sheet.n_rows == 0:
        return
    sheet.columns = [pc.utf8_trim_whitespace(c) for c in sheet.columns]
    nonblank = np.zeros(sheet.n_rows, dtype=bool)
    for col in sheet.columns:
        nonblank |= pc.greater(pc.utf8_length(col), 0).to_numpy(zero_copy_only=False)
    keep = nonblank.copy()
    first = np.flatnonzero(nonblank)
    if len(first):
        i = int(first[0])
        cells = [col[i].as_py() for col in sheet.columns]
        filled = [c for c in cells if c]
        if filled and all(c.startswith(NOTES_PREFIX) for c in filled):
            keep[i] = False
            sheet.notes_row = int(sheet.row_numbers[i])
    if keep.all():
        return
    positions = np.flatnonzero(keep)
    old_to_new = np.full(sheet.n_rows, -1)
    old_to_new[positions] = np.arange(len(positions))
    index = pa.array(positions)
    sheet.columns = [c.take(index) for c in sheet.columns]
    sheet.row_numbers = sheet.row_numbers[positions]
    sheet.row_problems = [(int(old_to_new[p]), r) for p, r in sheet.row_problems if old_to_new[p] >= 0]
