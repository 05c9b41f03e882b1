"""公示名单 as Excel and PDF (issue 10 §6, DOMAIN §8), on SQLite and PostgreSQL, and safetynet.pdf on its own.

On a demo database with eliminations in their public notice, 待办 is run through AppTest from app.py and its
two download buttons are clicked the way the browser does: the button's deferred callable (the one
`safetynet.ui.downloads` hands Streamlit) is called. The Excel rows must be the 公示中 requests that independent
SQL over elimination_request, household, person and region finds inside the viewer's scope, with the head's
name masked; neither file may hold an ID number, phone, file number, address, unmasked name or health value
of any member of those households (searched as stored, in the unzipped workbook, the PDF's bytes and its text
from pdftotext); the PDF holds the title and every masked name, embeds a subset font file; each download
writes one export row to the audit log. English headings with ?lang=en; without a Chinese font there is no PDF
button, a Chinese note instead, and the Excel export still works.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from safetynet import i18n, pdf
from safetynet.auth import SYSTEM, create_user
from safetynet.config import REPO_ROOT
from safetynet.demo.generate import DemoConfig, generate
from safetynet.domain import codes
from safetynet.i18n.en import EN
from safetynet.views.casework import GENERIC_REASON
from tests.conftest import TEST_ADMIN, db_url, signed_in
from tests.support import sql

NOTICE_DEMO = DemoConfig(households=600, months=18, seed=5)  # its loop leaves several files in notice
HEADINGS = ("户主姓名", "村（社区）", "类别", "公示理由", "公示截止")
TITLE = "风险消除公示名单"
SUBSET_TAG = re.compile(rb"/BaseFont\s*/([A-Z]{6})\+")


def masked(name: str) -> str:
    """The published form of a name, written out here rather than taken from safetynet.privacy."""
    return name[0] + "*" if len(name) == 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def chinese_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils (.ci/run installs it)")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_text(data: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return poppler("pdftotext", *options, str(path), "-")


def xlsx_rows(data: bytes) -> list[list[object]]:
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()]


def xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(book.read(name).decode("utf-8") for name in book.namelist())


def in_notice(engine, prefix: str) -> pd.DataFrame:
    """The 公示中 requests of households under `prefix`, from the raw tables, in notice order."""
    return sql(engine, """
        SELECT r.request_id, r.hh_id, r.notice_until, r.method, h.population, h.worker_cat, h.monitor_cat,
               g.name AS area, p.name AS head
        FROM elimination_request r
        JOIN household h ON h.hh_id = r.hh_id
        JOIN region g ON g.adcode = h.adcode
        LEFT JOIN person p ON p.hh_id = h.hh_id AND p.relation = '01'
        WHERE r.status = :s AND h.adcode LIKE :p
        ORDER BY r.notice_until, r.request_id""", s="公示中", p=prefix + "%")


def forbidden_values(engine, hh_ids: list[int], areas: set[str]) -> set[str]:
    """What a public notice must never show about these households, as stored: every member's ID number,
    phone, full name (unless it happens to be part of a shown place name) and health, and the household's
    file number and address."""
    ids = ",".join(str(int(h)) for h in hh_ids)
    people = sql(engine, f"SELECT name, id_number, phone, health FROM person WHERE hh_id IN ({ids})")
    homes = sql(engine, f"SELECT file_no, address FROM household WHERE hh_id IN ({ids})")
    values = {v for col in ("id_number", "phone", "health") for v in people[col].dropna().astype(str)}
    values |= {n for n in people["name"].dropna().astype(str) if len(n) > 1 and not any(n in a for a in areas)}
    values |= {v for col in ("file_no", "address") for v in homes[col].dropna().astype(str)}
    assert len(values) > 3 * len(hh_ids)  # the search has something to look for
    return {v for v in values if v}


def category(row: pd.Series, lang: str = "zh") -> str:
    pair = (codes.WORKER_CATEGORIES[int(row["worker_cat"])] if row["population"] == "worker"
            else codes.MONITOR_CATEGORIES[str(row["monitor_cat"])])
    return pair[0] if lang == "zh" else pair[1]


@pytest.fixture
def notice(empty_db, monkeypatch):
    """A demo database with files in notice, a nationwide administrator and the staff of the province with the
    most of them; `open(who)` runs 待办 and returns it with the download callables its buttons registered."""
    engine = empty_db
    generate(engine, NOTICE_DEMO)
    rows = in_notice(engine, "")
    assert len(rows) >= 2 and rows["area"].nunique() >= 2, "the demo should leave files in notice"
    provinces = rows.hh_id.map(dict(sql(engine, "SELECT hh_id, adcode FROM household").values)).str[:2]
    counts = provinces.value_counts()
    province = min(counts.index, key=lambda p: (-counts[p], p))
    users = {"admin": TEST_ADMIN,
             "province": create_user(engine, "prov_staff", "pw-prov-001", "staff", province + "0000",
                                     display_name="省工作人员", actor=SYSTEM)}
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    built: dict[str, object] = {}
    register = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        built[str(file_name).rsplit(".", 1)[-1]] = data_callable  # the button's file, made when clicked
        return register(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)

    def open_page(who: str, **query: str) -> tuple[AppTest, dict]:
        built.clear()
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        at.session_state["auth"] = signed_in(engine, users[who])
        i18n.set_lang(query.get("lang", "zh"))
        at.run()
        at = at.switch_page("pages/my_work.py").run()
        assert not at.exception, at.exception
        return at, dict(built)

    pdf._find_font.cache_clear()
    yield {"engine": engine, "province_code": province, "open": open_page, "users": users}
    pdf._find_font.cache_clear()
    i18n.set_lang("zh")


def download(engine, build) -> tuple[bytes, list[pd.Series]]:
    """Click: the file, and the audit rows the click wrote."""
    last = int(sql(engine, "SELECT COALESCE(MAX(audit_id), 0) AS n FROM audit_log")["n"].iloc[0])
    data = build()
    return data, [r for _, r in sql(engine, "SELECT * FROM audit_log WHERE audit_id > :n ORDER BY audit_id",
                                    n=last).iterrows()]


def assert_one_export(rows: list[pd.Series], user: str, fmt: str, n: int) -> None:
    assert len(rows) == 1, rows
    detail = json.loads(rows[0]["detail"])
    assert (rows[0]["user_name"], rows[0]["action"], rows[0]["target"]) == (user, "export", "public_notice")
    assert (detail["format"], detail["rows"], detail["masked"]) == (fmt, n, True)


def table_of(rows: list[list[object]], headings: tuple[str, ...]) -> tuple[list[list[object]], list[list[object]]]:
    """(the lines above the table, its rows) of a sheet, split at the heading row: exactly `headings`, so a
    column more (or fewer) fails here."""
    at = next(i for i, r in enumerate(rows) if tuple(r) == headings)
    return rows[:at], rows[at + 1:]


@pytest.mark.parametrize("who", ["admin", "province"])
def test_the_notice_downloads_are_the_files_in_notice_masked_and_audited(notice, who, tmp_path):
    engine = notice["engine"]
    user = notice["users"][who]
    prefix = "" if who == "admin" else notice["province_code"]
    expected = in_notice(engine, prefix)
    assert 0 < len(expected) and (who == "admin" or len(expected) < len(in_notice(engine, "")))
    at, built = notice["open"](who)
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"导出 Excel", "导出 PDF"} <= labels and set(built) == {"xlsx", "pdf"}

    # Excel: the header line, the title with region and date, then exactly the files in notice
    data, audit_rows = download(engine, built["xlsx"])
    assert_one_export(audit_rows, user.username, "xlsx", len(expected))
    above, table = table_of(xlsx_rows(data), HEADINGS)
    region = "全国" if who == "admin" else sql(engine, "SELECT name FROM region WHERE adcode = :a",
                                               a=prefix + "0000")["name"].iloc[0]
    assert str(above[0][0]).startswith("导出人：" + user.username) and TITLE in str(above[0][0])
    assert above[1][0] == TITLE
    assert region in str(above[2][0]) and chinese_day(dt.date.today()) in str(above[2][0])
    want = [[masked(r["head"]), r["area"], category(r), chinese_day(pd.Timestamp(r["notice_until"]).date())]
            for _, r in expected.iterrows()]
    assert [[r[0], r[1], r[2], r[4]] for r in table] == want
    assert {r[3] for r in table} <= set(GENERIC_REASON.values())
    forbidden = forbidden_values(engine, expected["hh_id"].tolist(), set(expected["area"]))
    sheet = xlsx_text(data)
    assert sorted(v for v in forbidden if v in sheet) == []

    # PDF: the title and every masked name in its text, no forbidden value in its bytes or text, a subset font
    data, audit_rows = download(engine, built["pdf"])
    assert_one_export(audit_rows, user.username, "pdf", len(expected))
    assert data.startswith(b"%PDF-")
    words = pdf_text(data, tmp_path)
    flat = re.sub(r"\s+", "", words)
    assert TITLE in flat and region in flat and chinese_day(dt.date.today()) in flat
    assert all(masked(name) in flat for name in expected["head"])
    assert "第1页/共" in flat and "导出人：" + user.username in flat
    raw = data.decode("latin-1")
    assert sorted(v for v in forbidden if v in words or v in flat or v in raw) == []
    assert re.search(rb"/FontFile[23]\b", data) and SUBSET_TAG.search(data)
    fonts = poppler("pdffonts", str(tmp_path / "notice.pdf")).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\b", line) for line in fonts), fonts  # embedded, subset


def test_english_headings_and_no_pdf_without_a_chinese_font(notice, monkeypatch, tmp_path):
    engine = notice["engine"]
    expected = in_notice(engine, "")
    at, built = notice["open"]("admin", lang="en")
    assert {b.proto.label for b in at.get("download_button")} >= {"Export Excel", "Export PDF"}
    data, audit_rows = download(engine, built["xlsx"])
    assert_one_export(audit_rows, TEST_ADMIN.username, "xlsx", len(expected))
    above, table = table_of(xlsx_rows(data), tuple(EN[h] for h in HEADINGS))
    assert above[1][0] == EN[TITLE] and f"{dt.date.today():%b} {dt.date.today().year}" in str(above[2][0])
    assert [r[2] for r in table] == [category(r, "en") for _, r in expected.iterrows()]
    data, _ = download(engine, built["pdf"])
    flat = re.sub(r"\s+", " ", pdf_text(data, tmp_path))
    assert EN[TITLE] in flat and "Page 1 of" in flat and all(EN[h] in flat for h in HEADINGS)
    cells = re.sub(r"\s+", " ", pdf_text(data, tmp_path, "-raw"))  # a cell's lines in order: wrapped at spaces
    assert all(category(r, "en") in cells for _, r in expected.iterrows())

    # a server without a Chinese font: a note where the PDF button was, and Excel still works
    monkeypatch.setenv(pdf.FONT_ENV, str(tmp_path / "no-such-font.ttf"))
    monkeypatch.setattr(pdf, "KNOWN_FONTS", ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",))
    pdf._find_font.cache_clear()
    at, built = notice["open"]("admin")
    assert set(built) == {"xlsx"} and {b.proto.label for b in at.get("download_button")} >= {"导出 Excel"}
    assert "导出 PDF" not in {b.proto.label for b in at.get("download_button")}
    assert any("服务器未安装中文字体" in c.value for c in at.caption)
    data, audit_rows = download(engine, built["xlsx"])
    assert_one_export(audit_rows, TEST_ADMIN.username, "xlsx", len(expected))
    assert len(table_of(xlsx_rows(data), HEADINGS)[1]) == len(expected)


# ---------------------------------------------------------------- safetynet.pdf on its own (no database)
def _font() -> pdf.Font:
    pdf._find_font.cache_clear()
    font = pdf.find_font()
    if font is None:
        pytest.fail("no Chinese font for PDFs: apt-get install fonts-noto-cjk (.ci/run installs it)")
    return font


def test_a_long_table_repeats_its_header_wraps_its_cells_and_numbers_its_pages(tmp_path):
    long_text = "经帮扶，家庭人均收入连续6个月稳定高于监测线，拟消除返贫致贫风险。" * 3
    frame = pd.DataFrame({"编号": [f"第{i}行" for i in range(120)],
                          "说明": [long_text + f"（完{i}）" for i in range(120)],
                          "地区": ["贵州省黔东南苗族侗族自治州雷山县"] * 120})
    data = pdf.render("测试文档", ["第一行说明", "第二行说明"], [pdf.Table(frame, caption="表一")], font=_font(),
                      fine_print=["导出人：测试"])
    (tmp_path / "doc.pdf").write_bytes(data)
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(tmp_path / "doc.pdf"))).group(1))
    assert pages > 2
    texts = [pdf_text(data, tmp_path, "-raw", "-f", str(p), "-l", str(p)) for p in range(1, pages + 1)]
    for number, page in enumerate(texts, start=1):
        flat = re.sub(r"\s+", "", page)
        assert "编号" in flat and "说明" in flat and "地区" in flat  # the header row on every page
        assert f"第{number}页/共{pages}页" in flat
    whole = re.sub(r"\s+", "", "".join(texts))
    # every long cell is there whole, wrapped inside its column, not clipped at its edge
    assert all(re.sub(r"\s+", "", long_text) + f"（完{i}）" in whole for i in range(120))
    assert "测试文档" in whole and "第二行说明" in whole and "表一" in whole


def test_column_widths_fill_the_page_and_give_long_text_the_room():
    doc = pdf.FPDF()
    doc.add_font(pdf.FAMILY, "", str(_font().path), collection_font_number=_font().index)
    doc.set_font(pdf.FAMILY, size=pdf.TABLE_PT)
    rows = [["王*某", "家庭人均收入连续6个月稳定高于监测线" * 4, "2026年12月8日"]]
    widths = pdf.column_widths(doc, ["姓名", "理由", "截止"], rows, 180)
    assert sum(widths) == pytest.approx(180)
    assert widths[1] == max(widths) and widths[0] >= doc.get_string_width("王*某")
    assert widths[2] >= doc.get_string_width("2026年12月8日")
    short = pdf.column_widths(doc, ["a", "b"], [["x", "y"]], 180)
    assert sum(short) == pytest.approx(180) and short[0] == pytest.approx(short[1])


def test_the_font_is_found_through_the_setting_then_the_system(monkeypatch, tmp_path):
    system = _font()
    collection = next((p for p in pdf.KNOWN_FONTS if p.endswith(".ttc") and Path(p).is_file()), None)
    if collection:  # a face chosen with #N is used as it is
        monkeypatch.setenv(pdf.FONT_ENV, f"{collection}#0")
        pdf._find_font.cache_clear()
        assert pdf.find_font() == pdf.Font(Path(collection), 0)
    for unusable in (tmp_path / "missing.ttf", Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                     tmp_path / "broken.ttf"):
        (tmp_path / "broken.ttf").write_bytes(b"not a font")
        monkeypatch.setenv(pdf.FONT_ENV, str(unusable))
        pdf._find_font.cache_clear()
        assert pdf.find_font() == system  # an unusable setting falls back to the system font
    monkeypatch.setattr(pdf, "KNOWN_FONTS", (str(tmp_path / "broken.ttf"),))
    pdf._find_font.cache_clear()
    assert pdf.find_font() is None
    pdf._find_font.cache_clear()
