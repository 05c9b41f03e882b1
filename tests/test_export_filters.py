"""An export says which filters chose its rows (issue 12 §4): in its header and in its audit row.

The description is checked against text written out here from the test's own inputs (region names read from
the shipped reference table, labels from the code lists), and the watchlist's export is checked end to end:
filters set on the screen, the file's second header line and the export's audit row.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from safetynet import exports, i18n
from safetynet.config import REPO_ROOT
from safetynet.db import reference
from safetynet.domain.months import add_months
from safetynet.filters import Filters
from safetynet.i18n.en import EN
from safetynet.queries.watchlist import WatchlistQuery
from safetynet.views import export_filters
from tests.conftest import TEST_ADMIN, db_url, open_screen, signed_in
from tests.support import sql

MONTH = 202610
REGIONS = reference.region_frame().set_index("adcode", drop=False)
NAMES = dict(zip(reference.region_frame()["adcode"], reference.region_frame()["name"], strict=True))
SITES = pd.DataFrame({"site_id": [7, 12], "name": ["幸福家园安置点", "阳光社区安置点"]})
INDUSTRIES = pd.DataFrame({"code": ["C", "E"], "name_zh": ["制造业", "建筑业"],
                           "name_en": ["Manufacturing", "Construction"]})
# every code a query below carries: none may reach the text
CODES = ("441900", "520102", "110101", "W2", "R01", "worker", "rural", "migrant", "dq", "no_helper", "pending",
         "mine", "overdue", "score", "trigger", "None")


@pytest.fixture(autouse=True)
def chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


def described(query: WatchlistQuery) -> str:
    return export_filters.filters_text(export_filters.describe_watchlist(query, REGIONS, SITES, INDUSTRIES))


def test_no_filter_reads_as_all():
    assert described(WatchlistQuery(Filters(), 0, MONTH)) == (
        "地区 全国；月份 2026年10月；对象类型 全部；类别 全部；风险等级 高风险、中风险；风险因素 全部；安置点 全部；"
        "行业 全部；关注 全部；办理进度 全部；新增高风险 不限；排序 评分从高到低")


def test_every_filter_by_its_label():
    query = WatchlistQuery(
        Filters(region="441900", population="worker", category="W2"), 2, MONTH, tiers=("高",), site_id=12,
        industry="C", factor="b", flags=("dq", "migrant"), new_since=add_months(MONTH, -2),
        work=("pending", "mine"), me="staff_dg", sort="r")
    text_ = described(query)
    assert text_ == (
        f"地区 {NAMES['440000']}{NAMES['441900']}；月份 2026年10月；对象类型 困难职工；类别 相对困难职工；"
        "风险等级 高风险；风险因素 B 收入骤降；安置点 阳光社区安置点；行业 制造业；关注 农民工家庭、数据质量待核；"
        "办理进度 我负责的、待审批消除；新增高风险 近3个月新增；排序 收入/线从低到高")
    assert not [c for c in CODES if c in text_]


def test_a_county_with_every_tier_a_status_and_an_older_month():
    query = WatchlistQuery(Filters(region="520102", population="rural"), 3, MONTH, tiers=(), statuses=("在档",),
                           factor="trigger", work=("overdue",), hh_ids=(), new_since=202601, sort="file")
    text_ = described(query)
    assert text_.startswith(f"地区 {NAMES['520000']}{NAMES['520100']}{NAMES['520102']}；月份 2026年10月；"
                            "对象类型 防返贫监测户；类别 全部；风险等级 全部；档案状态 在档；风险因素 硬性触发；")
    assert text_.endswith("办理进度 逾期未办；新增高风险 2026年1月以来；排序 档案编号")
    # a municipality's district: the city once, not 北京市北京市
    municipality = described(WatchlistQuery(Filters(region="110101"), 3, MONTH))
    assert municipality.startswith(f"地区 {NAMES['110000']}{NAMES['110101']}；")


def test_english_under_the_english_ui():
    i18n.set_lang("en")
    query = WatchlistQuery(Filters(region="441900", category="R01"), 2, MONTH, tiers=("高", "中"), industry="E",
                           flags=("no_helper",), new_since=MONTH, sort="score")
    text_ = described(query)
    assert text_ == (
        f"Region: {NAMES['440000']} {NAMES['441900']}; Month: Oct 2026; Population: All; "
        "Category: Unstable post-poverty household; Tier: High, Medium; Risk factor: All; "
        f"Relocation sites: All; Industries: Construction; Focus: {EN['无结对帮扶']}; Casework: All; "
        f"Newly high risk: {EN['本月新增']}; Sort: {EN['评分从高到低']}")
    assert exports.header_lines("u", "w", text_)[1] == "Filters: " + text_
    assert export_filters.in_chinese(lambda: described(query)).startswith("地区 ")
    assert i18n.lang() == "en"  # the caller's language is left as it was


def test_header_lines_in_csv_and_excel():
    frame = pd.DataFrame({"档案编号": ["A1", "A2"], "地区名称": ["=1+1", "南明区"]})
    header = exports.header_lines("张三", "风险名单", "地区 全国；风险等级 高风险")
    assert header[1] == "筛选条件：地区 全国；风险等级 高风险"
    lines = list(csv.reader(io.StringIO(exports.to_csv_bytes(frame, header).decode("utf-8-sig"))))
    assert lines[0][0].startswith("导出人：张三") and lines[1] == ["筛选条件：地区 全国；风险等级 高风险"]
    assert lines[2] == ["档案编号", "地区名称"] and lines[3:] == [["A1", "'=1+1"], ["A2", "南明区"]]
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes(frame, header))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0].startswith("导出人：张三") and rows[1][0] == header[1] and rows[2] == ["档案编号", "地区名称"]
    assert len(rows) == 5


WORKER = "('W1', 'W2', 'W3')"


def test_the_watchlist_export_lists_its_filters_in_the_file_and_the_audit_log(writable_demo_db, monkeypatch):
    engine = writable_demo_db
    month = int(sql(engine, "SELECT MAX(month) AS m FROM household_current")["m"].iloc[0])
    # the province with the most high-risk worker files this month, and its prefecture with the most
    high = sql(engine, "SELECT prov_adcode, pref_adcode FROM household_current WHERE month = :m AND tier = '高' "
                       f"AND category IN {WORKER}", m=month)
    prov = high["prov_adcode"].value_counts().index[0]
    pref = high.loc[high["prov_adcode"] == prov, "pref_adcode"].value_counts().index[0]
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    built: dict[str, object] = {}
    register = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        built[str(file_name).rsplit(".", 1)[-1]] = data_callable  # the button's file, made when clicked
        return register(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    at = open_screen(engine, TEST_ADMIN, "pages/watchlist.py", prov=prov, pref=pref, tier="高", pop="worker")
    assert not at.exception, at.exception
    built.clear()
    at.selectbox(key="sort").set_value("r").run()  # a filter set on the screen, not only in the link
    assert not at.exception, at.exception
    expected = sql(engine, "SELECT COUNT(*) AS n FROM household_current WHERE month = :m AND pref_adcode = :p "
                           f"AND tier = '高' AND category IN {WORKER}", m=month, p=pref)["n"].iloc[0]
    assert expected > 0, "the demo needs high-risk worker files in the chosen prefecture"

    last = int(sql(engine, "SELECT COALESCE(MAX(audit_id), 0) AS n FROM audit_log")["n"].iloc[0])
    data = built["csv"]()
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    region = NAMES[prov] + NAMES[pref] if NAMES[prov] != NAMES[pref] else NAMES[prov]
    want = (f"地区 {region}；月份 {i18n.fmt_month(month)}；对象类型 困难职工；类别 全部；风险等级 高风险；"
            "风险因素 全部；安置点 全部；行业 全部；关注 全部；办理进度 全部；新增高风险 不限；排序 收入/线从低到高")
    assert lines[0][0].startswith("导出人：" + TEST_ADMIN.username)
    assert lines[1] == ["筛选条件：" + want]
    assert len(lines) == expected + 3  # two header lines, the column headings, the rows

    rows = sql(engine, "SELECT * FROM audit_log WHERE audit_id > :n ORDER BY audit_id", n=last)
    assert list(rows["action"]) == ["export"] and rows["target"].iloc[0] == "watchlist"
    detail = json.loads(rows["detail"].iloc[0])
    assert detail["filters"] == want and detail["rows"] == expected and detail["format"] == "csv"
    assert f"pref={pref}" in detail["query"] and "sort=r" in detail["query"]

    # the Excel file carries the same two lines
    sheet = openpyxl.load_workbook(io.BytesIO(built["xlsx"]())).active
    assert sheet.cell(2, 1).value == "筛选条件：" + want
    assert json.loads(sql(engine, "SELECT detail FROM audit_log ORDER BY audit_id DESC")["detail"].iloc[0])[
        "filters"] == want

    # under the English UI the file names the filters in English; the audit log keeps them in Chinese
    built.clear()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    for key, value in dict(prov=prov, pref=pref, tier="高", pop="worker", sort="r", lang="en").items():
        at.query_params[key] = value
    at.session_state["auth"] = signed_in(engine, TEST_ADMIN)
    i18n.set_lang("en")  # format_func labels are also computed in the test thread
    at.run()
    at = at.switch_page("pages/watchlist.py").run()
    assert not at.exception, at.exception
    lines = list(csv.reader(io.StringIO(built["csv"]().decode("utf-8-sig"))))
    i18n.set_lang("zh")
    assert lines[1][0].startswith("Filters: Region: ") and "Tier: High; " in lines[1][0]
    assert f"Population: {EN['困难职工']}; " in lines[1][0] and f"Sort: {EN['收入/线从低到高']}" in lines[1][0]
    assert json.loads(sql(engine, "SELECT detail FROM audit_log ORDER BY audit_id DESC")["detail"].iloc[0])[
        "filters"] == want
