"""Formats, encodings, row numbering and file-level errors: one clear message, nothing written."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import text

from safetynet.db import get_engine, migrate, reference
from safetynet.ingest import FileError, Limits, import_file
from safetynet.ingest.samples import csv_bytes, xlsx_bytes

TODAY = dt.date(2026, 11, 28)
ROWS = [
    {"档案编号": "户-甲", "月份": "2026-08", "工资性收入": "2500", "备注无关列": "x"},
    {"档案编号": "户-甲", "月份": "2026-09", "工资性收入": "2600", "备注无关列": ""},
    {"档案编号": "户-乙", "月份": "2026-09", "工资性收入": "-5", "备注无关列": ""},
]
COUNTED = ("household", "household_month", "import_batch", "import_reject", "audit_log", "data_version")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite:///{tmp_path_factory.mktemp('files') / 'files.db'}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
    households = [{"档案编号": f, "对象类型": "防返贫监测户", "监测类别": "02", "区县代码": "522324",
                   "发现渠道": "基层干部排查", "认定日期": "2025-05-01"} for f in ("户-甲", "户-乙")]
    assert import_file(engine, xlsx_bytes({"家庭户": households}), "hh.xlsx", today=TODAY, rescore=False).status == "done"
    return engine


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in COUNTED}


def dry(engine, data: bytes, name: str = "f.csv", **kw):
    return import_file(engine, data, name, mode="partial", dry_run=True, today=TODAY, **kw)


def rejects(result) -> list[tuple[int, str | None]]:
    return [(int(r.row_number), r.column_name) for r in result.rejects().itertuples()]


# ---------------------------------------------------------------- encodings and formats
@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False),
                                            ("utf-16", False)])
def test_every_encoding_reads_the_same(db, encoding, bom):
    data = csv_bytes(ROWS, encoding=encoding, bom=bom)
    result = dry(db, data)
    sheet = result.sheets[0]
    assert (sheet.rows_read, sheet.inserted, sheet.rejected) == (3, 2, 1)
    assert rejects(result) == [(4, "工资性收入")]
    assert any("备注无关列" in w for w in sheet.warnings)


def test_gb18030_beyond_gbk_is_read(db):
    rows = [{**ROWS[0], "档案编号": "户-甲", "备注无关列": "䶮𠀀"}]  # characters GBK cannot encode
    data = csv_bytes(rows, encoding="gb18030")
    with pytest.raises(UnicodeEncodeError):
        csv_bytes(rows, encoding="gbk")
    assert dry(db, data).sheets[0].inserted == 1


@pytest.mark.parametrize("typed", [True, False])
def test_xlsx_reads_like_csv_with_the_same_row_numbers(db, typed):
    result = dry(db, xlsx_bytes({"月度观测": ROWS}, typed=typed), "f.xlsx")
    assert rejects(result) == [(4, "工资性收入")]
    assert result.sheets[0].sheet == "月度观测"


def test_title_rows_notes_row_and_blank_rows_keep_file_row_numbers(db):
    body = csv_bytes(ROWS, notes=True, kind="observations").decode("utf-8")
    lines = body.split("\r\n")
    text_ = "\r\n".join(["某县困难职工月度数据", ""] + lines[:3] + ["", ",,,"] + lines[3:])
    result = dry(db, text_.encode("gbk"))
    # title (1), blank (2), header (3), notes (4), row 5, blank (6), only commas (7), rows 8 and 9
    assert result.sheets[0].header_row == 3
    assert result.sheets[0].rows_read == 3
    assert rejects(result) == [(9, "工资性收入")]
    wb = xlsx_bytes({"Sheet1": ROWS}, title_rows=2)
    assert rejects(dry(db, wb, "f.xlsx")) == [(6, "工资性收入")]


def test_quoted_cells_and_line_breaks_count_as_one_row(db):
    data = ('档案编号,月份,工资性收入,备注无关列\r\n户-甲,2026-08,"2,500","第一行\r\n第二行"\r\n'
            '户-乙,2026-09,-5,"带""引号"""\r\n').encode()
    assert rejects(dry(db, data)) == [(3, "工资性收入")]
    semicolon = csv_bytes(ROWS, delimiter=";")
    assert rejects(dry(db, semicolon)) == [(4, "工资性收入")]
    tabs = csv_bytes(ROWS, delimiter="\t", encoding="utf-16")
    assert rejects(dry(db, tabs, "f.txt")) == [(4, "工资性收入")]


def test_rows_with_extra_or_missing_cells_are_rejected_not_shifted(db):
    data = "档案编号,月份,工资性收入\n户-甲,2026-08,2500\n户-甲,2026-09,2,600\n户-乙,2026-09\n".encode()
    result = dry(db, data)
    assert rejects(result) == [(3, None), (4, None)]  # a short row is not a row of blank cells: it may be cut off
    assert "比表头多 1 列" in result.rejects()["reason"].iloc[0]
    assert result.rejects()["reason"].iloc[1] == "该行只有 2 列，比表头少 1 列（行可能被截断）"
    assert result.sheets[0].inserted == 1


def test_english_headers_and_units_are_recognised(db):
    data = "file_no,month,income_wage,工资性收入(元)\n户-甲,202608,1,\n".encode()
    with pytest.raises(FileError, match="都是“工资性收入”"):
        dry(db, data)
    ok = "file_no,month,医疗自付支出（元）,是否欠薪\n户-甲,202608,12.5,是\n".encode()
    assert dry(db, ok).sheets[0].columns == ["档案编号", "月份", "医疗自付支出", "是否欠薪"]


# ---------------------------------------------------------------- file-level errors
def _pdf() -> bytes:
    return b"%PDF-1.4 fake"


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    return buf.getvalue()


def _broken_xlsx() -> bytes:
    return xlsx_bytes({"月度观测": ROWS})[:400]


def _no_sheet() -> bytes:
    return xlsx_bytes({"说明": [{"说明": "x"}], "统计": [{"合计": 1}]})


FILE_ERRORS = [
    ("empty", b"", "empty", "文件是空的"),
    ("whitespace", b" \r\n\r\n ,,,\r\n", "empty", "文件是空的"),
    ("header_only", "档案编号,月份,工资性收入\r\n".encode(), "no_rows", "只有表头，没有数据行"),
    ("template_only", csv_bytes([], header=["档案编号", "月份"], notes=True, kind="observations"), "no_rows",
     "只有表头"),
    ("unknown_kind", "姓名,年龄\r\n张三,30\r\n".encode(), "unknown_kind", "没有找到可识别的表头"),
    ("missing_columns", "档案编号,工资性收入\r\n户-甲,1\r\n".encode(), "missing_columns", "缺少必填列：月份"),
    ("ambiguous", "档案编号,风险类型,发生日期,月份,帮扶类型,金额,帮扶日期\r\n户-甲,01,2026-01-01,202601,生活救助,1,2026-01-01\r\n"
     .encode(), "ambiguous_kind", "请指定数据类型"),
    ("pdf", _pdf(), "not_spreadsheet", "PDF"),
    ("png", b"\x89PNG\r\n\x1a\nxxxx", "not_spreadsheet", "图片"),
    ("docx", _docx(), "not_spreadsheet", "Word"),
    ("zip", b"PK\x05\x06" + b"\x00" * 18, "not_spreadsheet", "ZIP"),
    ("broken_xlsx", _broken_xlsx(), "corrupt", "已损坏"),
    ("html_xls", b"<html><table><tr><td>x</td></tr></table></html>", "not_spreadsheet", "另存为"),
    ("binary", bytes(range(256)) * 8, "not_spreadsheet", "二进制"),
    ("undecodable", "档案编号,月份\r\n".encode() + b"\xff\xfe\x80\x81,\x82\r\n" * 3, "encoding", "字符编码"),
    ("bad_bom", b"\xef\xbb\xbf" + "档案编号,月份\r\n".encode() + b"\xc3\x28\r\n", "encoding", "UTF-8（带BOM）"),
    ("wrong_sheet", _no_sheet(), "unknown_kind", "工作表"),
]


@pytest.mark.parametrize("case", FILE_ERRORS, ids=[c[0] for c in FILE_ERRORS])
def test_file_level_problems_give_one_message_and_write_nothing(db, case):
    _id, data, code, fragment = case
    before = counts(db)
    for dry_run in (True, False):
        with pytest.raises(FileError) as info:
            import_file(db, data, "f.xlsx" if data[:2] == b"PK" else "f.csv", mode="strict", dry_run=dry_run, today=TODAY)
        assert info.value.code == code, info.value.message
        assert fragment in info.value.message, info.value.message
        assert "\n" not in info.value.message
    assert counts(db) == before


def test_wrong_kind_names_the_missing_columns_and_the_sheets(db):
    with pytest.raises(FileError, match=r"缺少必填列：风险类型、发生日期"):
        import_file(db, csv_bytes(ROWS), "f.csv", kind="events", today=TODAY)
    with pytest.raises(FileError, match="工作表 “统计”、“Sheet”") as info:
        import_file(db, xlsx_bytes({"统计": [{"合计": 1}], "Sheet": [{"档案编号": "x"}]}), "f.xlsx", kind="observations",
                    today=TODAY)
    assert info.value.code == "wrong_sheet"
    with pytest.raises(KeyError, match="未知的数据类型"):
        import_file(db, csv_bytes(ROWS), "f.csv", kind="nonsense", today=TODAY)


def test_a_sheet_named_like_the_kind_wins_and_others_are_explained(db):
    data = xlsx_bytes({"Sheet1": [{"档案编号": "户-甲", "月份": "2026-07"}], "月度观测": ROWS})
    result = dry(db, data, "f.xlsx", kind="observations")
    assert result.sheets[0].sheet == "月度观测"
    other = xlsx_bytes({"说明": [{"说明": "x"}], "数据": ROWS})
    result = dry(db, other, "f.xlsx", kind="observations")
    assert result.sheets[0].sheet == "数据"
    assert any("已使用工作表“数据”" in w for w in result.sheets[0].warnings)


def test_size_and_row_limits(db):
    data = csv_bytes(ROWS * 20)
    before = counts(db)
    with pytest.raises(FileError, match="超过上限") as info:
        import_file(db, data, "f.csv", limits=Limits(max_bytes=100), today=TODAY)
    assert info.value.code == "oversize"
    with pytest.raises(FileError, match="超过单次导入上限 10 行"):
        import_file(db, data, "f.csv", limits=Limits(max_rows=10), today=TODAY)
    with pytest.raises(FileError, match="超过单次导入上限 10 行"):
        import_file(db, xlsx_bytes({"月度观测": ROWS * 20}), "f.xlsx", limits=Limits(max_rows=10), today=TODAY)
    assert counts(db) == before


def test_excel_numbers_dates_and_booleans_become_the_text_users_typed(db):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["档案编号", "月份", "工资性收入", "稳定就业人数", "是否欠薪"])
    ws.append(["户-甲", dt.date(2026, 8, 1), 2500.0, 1.0, True])  # Excel turned 2026-08 into a date
    ws.append(["户-乙", dt.datetime(2026, 9, 1), 1234.5, 2, False])
    buf = io.BytesIO()
    wb.save(buf)
    result = dry(db, buf.getvalue(), "f.xlsx")
    assert result.rejected == 0 and result.sheets[0].inserted == 2


def test_excel_mangled_id_numbers_get_a_specific_reason(db):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["档案编号", "姓名", "身份证号", "与户主关系", "健康状况", "劳动能力"])
    ws.append(["户-甲", "张三", 520102198005069119, "户主", "健康", "普通劳动力"])
    buf = io.BytesIO()
    wb.save(buf)
    result = dry(db, buf.getvalue(), "f.xlsx")
    assert "科学计数法" in result.rejects()["reason"].iloc[0]
