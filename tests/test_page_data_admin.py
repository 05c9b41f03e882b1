"""数据管理: the page renders, its health numbers equal SQL, and the functions behind its buttons work on bytes."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from safetynet import i18n
from safetynet.db import get_engine, migrate, reference
from safetynet.domain.risk import Flag
from safetynet.i18n.en import EN
from safetynet.ingest import KINDS, FileError, templates
from safetynet.ingest.samples import csv_bytes, example_rows, xlsx_bytes
from safetynet.ui import data_admin
from safetynet.views import data_health as view
from tests.support import one


def test_page_renders_with_health_equal_to_sql(app, demo_db):
    at = app().run()
    at.switch_page("pages/data_admin.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "数据管理"
    metrics = {m.label: m.value for m in at.metric}
    for flag, label in ((Flag.DQ_NO_ASSISTANCE, "认定满1个月仍无帮扶措施"), (Flag.DQ_FAST_ELIMINATION, "认定当月或次月即消除"),
                        (Flag.DQ_SLOW_IDENTIFICATION, "识别认定超过15天")):
        expected = one(demo_db, f"SELECT COUNT(*) FROM household_current WHERE (flags & {int(flag)}) <> 0")
        assert metrics[label] == i18n.fmt_count(expected)
    tables = {tuple(d.value.columns): d.value for d in at.dataframe}
    fresh = next(v for k, v in tables.items() if "数据表" in k).set_index("数据表")
    assert fresh.loc["月度观测", "记录数"] == one(demo_db, "SELECT COUNT(*) FROM household_month")
    assert fresh.loc["家庭户", "记录数"] == one(demo_db, "SELECT COUNT(*) FROM household")
    latest = one(demo_db, "SELECT MAX(month) FROM household_month")
    assert fresh.loc["月度观测", "最新数据"] == i18n.fmt_month(latest)
    batches = next(v for k, v in tables.items() if "批次" in k and "导入人" in k)
    assert batches["批次"].iloc[0] == one(demo_db, "SELECT MAX(batch_id) FROM import_batch")
    assert (batches["读取"] == batches["接受"] + batches["更新"] + batches["拒绝"]).all()
    # a template per import kind, in both formats (AppTest keeps download buttons as generic elements)
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels.count("XLSX") == labels.count("CSV") == len(KINDS)
    assert any("第1行为表头" in c.value for c in at.caption)


def test_page_in_english(app):
    at = app(lang="en").run()
    i18n.set_lang("en")  # AppTest re-formats widget values in this process
    at.switch_page("pages/data_admin.py").run()
    assert not at.exception
    assert at.title[0].value == "Data management"


def test_every_label_the_screen_builds_has_english():
    texts = [s.description for s in KINDS.values()] + list(view.STATUS.values()) + list(view.MODE.values())
    texts += ["管理", "数据管理", "读取行数", "新增", "更新", "未变", "拒绝"]
    assert [x for x in texts if x not in EN] == []


@pytest.fixture
def small_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ui.db'}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
    monkeypatch.setenv("SAFETYNET_DB_URL", url)
    return url, engine


def test_preview_check_and_import_on_bytes(small_db):
    url, engine = small_db
    households = example_rows("households", ["U-1", "U-2"], n=2)
    months = example_rows("observations", ["U-1", "U-2"], n=4) + [{"档案编号": "U-1", "月份": "2026-13"}]
    data = xlsx_bytes({"家庭户": households, "月度观测": months})
    shown = data_admin.preview(data, "book.xlsx", None)
    assert [(s, k) for s, k, _f in shown.sheets] == [("家庭户", "家庭户"), ("月度观测", "月度观测")]
    assert len(shown.sheets[1][2]) == 5 and "Excel" in shown.file_format
    before = one(engine, "SELECT COUNT(*) FROM import_batch")
    report = data_admin.check(url, data, "book.xlsx", None, "partial", "tester")
    assert report.dry_run and one(engine, "SELECT COUNT(*) FROM import_batch") == before
    assert data_admin.metrics(report) == {"读取行数": 7, "新增": 6, "更新": 0, "未变": 0, "拒绝": 1}
    steps = []
    result = data_admin.run_import(url, data, "book.xlsx", None, "partial", "tester",
                                   progress=lambda f, text_: steps.append(f))
    assert result.status == "done" and steps[-1] == 1.0 and steps == sorted(steps)
    assert one(engine, "SELECT COUNT(*) FROM household_month") == 4
    stored = data_admin.data_health.rejects(engine, result.batch_ids[1], "000000")
    assert stored["row_number"].tolist() == [6]
    with pytest.raises(FileError):
        data_admin.preview(b"%PDF-1.4", "x.pdf", None)


def test_rejects_downloads_and_masking():
    rejects = pd.DataFrame({"sheet": ["家庭成员", "家庭成员"], "row_number": [3, 2],
                            "column_name": ["身份证号", None], "value": ["520102198005069119", None],
                            "reason": ["值“520102198005069119”校验码错误：末位应为X，实为9", "与第3行冲突"]})
    masked = data_admin.masked_rejects(rejects.drop(columns=["sheet"]))
    assert masked["value"].iloc[0] == "520102********9119"
    assert "520102********9119" in masked["reason"].iloc[0] and "1980" not in masked["reason"].iloc[0]
    table = data_admin.report.rejects_table(rejects)
    assert list(table.columns) == ["工作表", "行号", "列", "值", "原因"] and table["行号"].tolist() == [2, 3]
    assert table["列"].tolist()[0] == "（整行）"
    csv_data = data_admin.report.rejects_csv(rejects, "tester", "p.csv")
    assert csv_data.startswith("\ufeff".encode()) and "导入问题清单" in csv_data.decode("utf-8")
    sheet = openpyxl.load_workbook(io.BytesIO(data_admin.report.rejects_xlsx(rejects, "tester", "p.csv"))).active
    assert [c.value for c in sheet[2]] == ["工作表", "行号", "列", "值", "原因"]


# ---------------------------------------------------------------- templates
@pytest.mark.parametrize("kind", list(KINDS))
def test_committed_templates_match_the_specs_and_import(kind, small_db):
    url, engine = small_db
    committed_csv = (templates.TEMPLATE_DIR / templates.file_name(kind, "csv")).read_bytes()
    assert committed_csv == templates.build_csv(kind), "run: python -m safetynet template all --format both --out data/templates"
    book = openpyxl.load_workbook(templates.TEMPLATE_DIR / templates.file_name(kind, "xlsx"))
    fresh = openpyxl.load_workbook(io.BytesIO(templates.build_xlsx(kind)))
    assert book.sheetnames == fresh.sheetnames == [KINDS[kind].title, "说明"]
    for name in book.sheetnames:
        assert [[c.value for c in r] for r in book[name].iter_rows()] == [[c.value for c in r] for r in fresh[name].iter_rows()]
    assert [c.value for c in book[KINDS[kind].title][1]] == [f.header for f in KINDS[kind].fields]
    # a filled-in template imports: the notes row is skipped, row numbers start at 3
    seed = example_rows("households", ["T-1", "T-2"], n=2)
    data_admin.run_import(url, csv_bytes(seed), "seed.csv", "households", "strict", "tester")
    rows = example_rows(kind, ["T-1", "T-2"], n=2)
    template_rows = templates.build_csv(kind).decode("utf-8-sig").splitlines()
    header = template_rows[0].split(",")
    filled = csv_bytes([{h: r.get(h, "") for h in header} for r in rows], header=header, notes=True, kind=kind)
    result = data_admin.check(url, filled, f"{kind}.csv", None, "strict", "tester")
    assert result.sheets[0].kind == kind and result.rejected == 0, result.rejects()
    broken = next(f.header for f in KINDS[kind].fields if f.required and f.type != "text")
    bad = csv_bytes([{h: "x" if h == broken else r.get(h, "") for h in header} for r in rows[:1]],
                    header=header, notes=True, kind=kind)
    problems = data_admin.check(url, bad, f"{kind}.csv", kind, "partial", "tester").rejects()
    assert problems["row_number"].min() == 3


def test_template_xlsx_has_dropdowns_and_text_columns():
    book = openpyxl.load_workbook(io.BytesIO(templates.build_xlsx("persons")))
    sheet = book["家庭成员"]
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert any("户主" in f for f in lists) and any("是,否" in f for f in lists)
    id_col = [f.header for f in KINDS["persons"].fields].index("身份证号") + 1
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(id_col)].number_format == "@"
    assert sheet["A2"].value.startswith("【必填】")


def test_dates_and_freshness_view():
    tables = pd.DataFrame([{"table": "household_month", "label": "月度观测", "kind": "observations", "rows": 10,
                            "newest": 202610, "days_since_newest": 28},
                           {"table": "person", "label": "家庭成员", "kind": "persons", "rows": 3, "newest": None,
                            "days_since_newest": None},
                           {"table": "risk_event", "label": "风险事件", "kind": "events", "rows": 0, "newest": None,
                            "days_since_newest": None}])
    last = pd.DataFrame([{"kind": "observations", "finished_at": "2026-11-20 10:00:00", "file_name": "a.csv",
                          "status": "done"}])
    frame = view.freshness_frame(tables, last, dt.date(2026, 11, 28))
    assert frame["状态"].tolist() == ["正常", "—", "无数据"]
    assert frame["最新数据"].tolist()[0] == "2026年10月" and frame["导入距今（天）"].tolist()[0] == 8
