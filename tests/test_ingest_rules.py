"""Every validation rule of the importer, each with a failing and a passing example.

The examples run as dry runs against one small SQLite database (reference
data and a few households), so the reasons can be checked word for word and
nothing is written.
"""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.db import get_engine, migrate, reference
from safetynet.domain import idcard
from safetynet.ingest import import_file
from safetynet.ingest.samples import csv_bytes, xlsx_bytes

TODAY = dt.date(2026, 11, 28)
HEAD_ID = idcard.make("520102", dt.date(1980, 5, 6), 911)
OTHER_ID = idcard.make("520102", dt.date(1990, 1, 2), 913)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory):
    """Households W-1 (worker, 在档), R-1 (rural, 在档), C-1 (closed); W-1 has a head with HEAD_ID; R-1 has OTHER_ID."""
    url = f"sqlite:///{tmp_path_factory.mktemp('rules') / 'rules.db'}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
    households = [
        {"档案编号": "W-1", "对象类型": "困难职工", "职工类别": "1", "区县代码": "520102", "发现渠道": "工会排查",
         "认定日期": "2025-01-10", "档案状态": "在档"},
        {"档案编号": "R-1", "对象类型": "防返贫监测户", "监测类别": "01", "区县代码": "522324", "发现渠道": "基层干部排查",
         "认定日期": "2025-02-10", "档案状态": "在档"},
        {"档案编号": "C-1", "对象类型": "困难职工", "职工类别": "2", "区县代码": "520102", "发现渠道": "工会排查",
         "认定日期": "2024-02-10", "档案状态": "退档", "退档日期": "2025-06-01", "退档原因": "转出"},
    ]
    persons = [
        {"档案编号": "W-1", "姓名": "王一", "身份证号": HEAD_ID, "与户主关系": "户主", "健康状况": "健康", "劳动能力": "普通劳动力"},
        {"档案编号": "R-1", "姓名": "李二", "身份证号": OTHER_ID, "与户主关系": "户主", "健康状况": "健康", "劳动能力": "普通劳动力"},
    ]
    helpers = [{"档案编号": "R-1", "帮扶责任人": "赵帮扶", "工作单位": "县总工会", "开始日期": "2025-03-01"}]
    data = xlsx_bytes({"家庭户": households, "家庭成员": persons, "结对帮扶": helpers})
    result = import_file(engine, data, "base.xlsx", today=TODAY, rescore=False)
    assert result.status == "done" and result.rejected == 0, result.rejects()
    return engine


def dry(engine, kind: str, rows: list[dict]):
    return import_file(engine, csv_bytes(rows), f"{kind}.csv", kind=kind, mode="partial", dry_run=True, today=TODAY)


def problems(result) -> list[tuple[int, str | None, str]]:
    return [(int(r.row_number), r.column_name, r.reason) for r in result.rejects().itertuples()]


OBS = {"档案编号": "W-1", "月份": "2026-09", "工资性收入": "2500", "医疗自付支出": "100", "稳定就业人数": "1",
       "是否欠薪": "否"}
HH = {"档案编号": "N-1", "对象类型": "困难职工", "职工类别": "2", "区县代码": "520102", "发现渠道": "工会排查",
      "认定日期": "2026-03-05", "发现日期": "2026-03-01"}
PERSON = {"档案编号": "W-1", "姓名": "王小", "身份证号": idcard.make("520102", dt.date(2008, 3, 4), 915),
          "与户主关系": "子", "健康状况": "健康", "劳动能力": "无劳动力"}
EVENT = {"档案编号": "W-1", "风险类型": "01", "发生日期": "2026-08-01", "损失金额": "12000"}
AID = {"档案编号": "R-1", "帮扶类型": "就业帮扶", "金额": "0", "帮扶日期": "2026-08-01", "帮扶主体": "工会"}
PAIR = {"档案编号": "W-1", "帮扶责任人": "孙新", "开始日期": "2026-05-01", "结束日期": ""}
SITE = {"安置点名称": "幸福新村", "区县代码": "522324", "经度": "105.2", "纬度": "25.8", "安置类型": "城镇",
        "搬迁户数": "100", "搬迁人数": "400"}

# (id, kind, base row, failing override, expected column, expected reason fragment, passing override)
RULES = [
    ("required", "observations", OBS, {"月份": ""}, "月份", "必填，不能为空", {"月份": "2026-09"}),
    ("money_type", "observations", OBS, {"工资性收入": "三千"}, "工资性收入", "不是有效的金额", {"工资性收入": "3,000.50"}),
    ("money_yuan_sign", "observations", OBS, {"工资性收入": "abc元"}, "工资性收入", "不是有效的金额", {"工资性收入": "¥3000元"}),
    ("negative_income", "observations", OBS, {"工资性收入": "-300"}, "工资性收入", "值“-300”为负数，收入不能为负",
     {"工资性收入": "300"}),
    ("negative_spending", "observations", OBS, {"医疗自付支出": "-1"}, "医疗自付支出", "为负数，支出不能为负",
     {"医疗自付支出": "0"}),
    ("money_upper_bound", "observations", OBS, {"工资性收入": "250000"}, "工资性收入", "超过上限200,000，疑为录入错误",
     {"工资性收入": "199999"}),
    ("not_a_number", "observations", OBS, {"工资性收入": "nan"}, None, None, {"工资性收入": "12"}),
    ("integer", "observations", OBS, {"稳定就业人数": "1.5"}, "稳定就业人数", "应为整数", {"稳定就业人数": "2"}),
    ("members_range", "observations", OBS, {"稳定就业人数": "21"}, "稳定就业人数", "大于上限20", {"稳定就业人数": "20"}),
    ("months_out_range", "observations", OBS, {"失业或未返岗月数": "-1"}, "失业或未返岗月数", "小于下限0",
     {"失业或未返岗月数": "3"}),
    ("month_invalid", "observations", OBS, {"月份": "2026-13"}, "月份", "月份不存在（月应为1–12）", {"月份": "2026-10"}),
    ("month_shape", "observations", OBS, {"月份": "十月"}, "月份", "不是有效的月份", {"月份": "2026年10月"}),
    ("month_future", "observations", OBS, {"月份": "2026-12"}, "月份", "晚于当前月份（2026年11月）", {"月份": "2026-11"}),
    ("month_too_early", "observations", OBS, {"月份": "199912"}, "月份", "早于2000年1月", {"月份": "202101"}),
    ("month_slash", "observations", OBS, {"月份": "2026/13"}, "月份", "月份不存在", {"月份": "2026/9"}),
    ("month_dot", "observations", OBS, {"月份": "2026.0"}, "月份", "月份不存在", {"月份": "2026.08"}),
    ("month_excel_date", "observations", OBS, {"月份": "2026-08-15"}, "月份", "不是有效的月份", {"月份": "2026-08-01"}),
    ("bool", "observations", OBS, {"是否欠薪": "也许"}, "是否欠薪", "应为 是 或 否", {"是否欠薪": "Y"}),
    ("reference", "observations", OBS, {"档案编号": "NOPE-9"}, "档案编号", "在系统中和本文件中都找不到", {"档案编号": "R-1"}),
    ("text_too_long", "households", HH, {"档案编号": "X" * 33}, "档案编号", "长度为33个字，超过上限32个字",
     {"档案编号": "X" * 32}),
    ("code_list", "households", HH, {"发现渠道": "网上"}, "发现渠道", "不在代码表中，可填：农户自主申报", {"发现渠道": "企业报告"}),
    ("adcode_unknown", "households", HH, {"区县代码": "999999"}, "区县代码", "不是现行的行政区划代码", {"区县代码": "110101"}),
    ("adcode_level", "households", HH, {"区县代码": "520000"}, "区县代码", "应填写区县一级的代码", {"区县代码": "520103"}),
    ("adcode_shape", "households", HH, {"区县代码": "52010"}, "区县代码", "应为6位数字", {"区县代码": "429004"}),
    ("date_invalid", "households", HH, {"认定日期": "2026-02-30"}, "认定日期", "日期不存在", {"认定日期": "2026/3/5"}),
    ("date_shape", "households", HH, {"认定日期": "3月5日"}, "认定日期", "不是有效的日期", {"认定日期": "2026年3月5日"}),
    ("date_future", "households", HH, {"认定日期": "2026-12-01"}, "认定日期", "晚于今天", {"认定日期": "20260305"}),
    ("date_too_early", "households", HH, {"发现日期": "1989-12-31"}, "发现日期", "早于1990年", {"发现日期": "2026-02-28"}),
    ("date_order", "households", HH, {"发现日期": "2026-03-09"}, "发现日期", "发现日期晚于认定日期", {"发现日期": "2026-03-05"}),
    ("worker_category", "households", HH, {"职工类别": ""}, "职工类别", "对象类型为困难职工时必填", {"职工类别": "深度困难职工"}),
    ("rural_category", "households", {**HH, "对象类型": "防返贫监测户", "职工类别": ""}, {"监测类别": ""}, "监测类别",
     "对象类型为防返贫监测户时必填", {"监测类别": "3"}),
    ("category_mismatch", "households", HH, {"监测类别": "01"}, "监测类别", "对象类型为困难职工时应为空", {"监测类别": ""}),
    ("elimination_status", "households", {**HH, "对象类型": "防返贫监测户", "职工类别": "", "监测类别": "02",
                                           "消除日期": "2026-09-01", "消除方式": "帮扶消除"},
     {"档案状态": "已解困"}, "档案状态", "应为“风险消除”", {"档案状态": "风险消除"}),
    ("elimination_needs_date", "households", {**HH, "档案状态": "已解困", "消除方式": "帮扶消除"}, {"消除日期": ""},
     "消除日期", "档案状态为消除类状态时必填", {"消除日期": "2026-09-01"}),
    ("closing_needs_reason", "households", {**HH, "档案状态": "注销", "退档日期": "2026-09-01"}, {"退档原因": ""},
     "退档原因", "档案状态为退档或注销时必填", {"退档原因": "死亡"}),
    ("lifecycle", "households", {**HH, "档案编号": "C-1", "认定日期": "2024-02-10", "发现日期": ""},
     {"档案状态": "帮扶中"}, "档案状态", "档案状态不能从“退档”直接变为“帮扶中”", {"档案状态": "在档"}),
    ("site_reference", "households", HH, {"安置点": "没有这个点"}, "安置点", "在系统中找不到", {"安置点": ""}),
    ("id_check_digit", "persons", PERSON, {"身份证号": HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")}, "身份证号",
     "校验码错误：末位应为", {}),
    ("id_shape", "persons", PERSON, {"身份证号": "52010219800506911"}, "身份证号", "身份证号应为18位", {}),
    ("id_excel_number", "persons", PERSON, {"身份证号": "5.20102198005069E+17"}, "身份证号", "科学计数法", {}),
    ("id_birth_date", "persons", PERSON, {"身份证号": "52010219800230911" + idcard.check_char("52010219800230911")},
     "身份证号", "其中的出生日期不存在", {}),
    ("id_birth_future", "persons", PERSON, {"身份证号": "52010220300101911" + idcard.check_char("52010220300101911")},
     "身份证号", "出生日期不合理", {}),
    ("id_province", "persons", PERSON, {"身份证号": "99010219800506911" + idcard.check_char("99010219800506911")},
     "身份证号", "前两位不是有效的省级行政区划代码", {}),
    ("id_lower_x", "persons", PERSON, {"身份证号": "ABCDEFG"}, "身份证号", "身份证号应为18位", {}),
    ("sex_vs_id", "persons", PERSON, {"性别": "女"}, "性别", "与身份证号不符（身份证号显示为男）", {"性别": "男"}),
    ("birth_year_vs_id", "persons", PERSON, {"出生年份": "2007"}, "出生年份", "与身份证号不符", {"出生年份": "2008"}),
    ("sex_required_without_id", "persons", {**PERSON, "身份证号": "", "出生年份": "2008"}, {"性别": ""}, "性别",
     "未填写身份证号时必填", {"性别": "男"}),
    ("relation_code", "persons", PERSON, {"与户主关系": "老板"}, "与户主关系", "不在代码表中", {"与户主关系": "20"}),
    ("relation_padding", "persons", PERSON, {"与户主关系": "3"}, "与户主关系", "不在代码表中", {"与户主关系": "30"}),
    ("phone", "persons", PERSON, {"联系电话": "12345"}, "联系电话", "不是有效的电话号码", {"联系电话": "13800138000"}),
    ("second_head", "persons", PERSON, {"与户主关系": "户主"}, "与户主关系", "户主只能有一人", {"与户主关系": "配偶"}),
    ("id_in_other_household", "persons", PERSON, {"身份证号": OTHER_ID}, "身份证号", "已登记在档案“R-1”下", {}),
    ("disability_grade", "persons", {**PERSON, "残疾等级": "2"}, {"健康状况": "健康"}, "残疾等级", "健康状况不是“残疾”",
     {"健康状况": "残疾"}),
    ("risk_type", "events", EVENT, {"风险类型": "88"}, "风险类型", "不在代码表中", {"风险类型": "201"}),
    ("event_member", "events", {**EVENT, "涉及成员身份证号": OTHER_ID}, {}, "涉及成员身份证号", "不是该户已登记的成员",
     {"涉及成员身份证号": HEAD_ID}),
    ("event_cost", "events", EVENT, {"损失金额": "-5"}, "损失金额", "为负数，金额不能为负", {"损失金额": ""}),
    ("aid_helper", "assistance", AID, {"帮扶责任人": "无此人"}, "帮扶责任人", "在系统中找不到", {"帮扶责任人": "赵帮扶"}),
    ("aid_provider", "assistance", AID, {"帮扶主体": "银行"}, "帮扶主体", "不在代码表中", {"帮扶主体": "民政"}),
    ("pairing_dates", "pairings", PAIR, {"结束日期": "2026-04-01"}, "结束日期", "结束日期早于开始日期",
     {"结束日期": "2026-10-01"}),
    ("site_people", "sites", SITE, {"搬迁人数": "50"}, "搬迁人数", "搬迁人数少于搬迁户数", {"搬迁人数": "100"}),
    ("site_location", "sites", SITE, {"经度": "120.0"}, "经度", "经纬度离所填区县超过约300公里", {"经度": "106.0"}),
    ("site_lat_range", "sites", SITE, {"纬度": "60"}, "纬度", "大于上限53.6", {"纬度": "26"}),
]


@pytest.mark.parametrize("case", RULES, ids=[r[0] for r in RULES])
def test_rule_fails_then_passes(base, case):
    _id, kind, row, bad, column, fragment, good = case
    if _id == "not_a_number":  # "nan" is a blank marker, not a number: the cell counts as blank, not as an error
        assert problems(dry(base, kind, [{**row, **bad, "转移净收入": "300"}])) == []
        # ... and a new month whose only income cell is blank says nothing about income: refused, not read as 0
        only = problems(dry(base, kind, [{**row, **bad}]))
        assert [(r, col) for r, col, _why in only] == [(2, "工资性收入")] and "都是空白" in only[0][2]
        return
    if _id == "id_lower_x":
        lower = idcard.make("110101", dt.date(1990, 1, 1), 1)
        while not lower.endswith("X"):
            lower = idcard.make("110101", dt.date(1990, 1, 1), int(lower[14:17]) + 1)
        good = {"身份证号": lower.lower()}
    failing = problems(dry(base, kind, [{**row, **bad}]))
    assert failing, f"{_id}: expected a problem"
    assert any(col == column and fragment in reason for _r, col, reason in failing), failing
    assert all(r == 2 for r, _c, _why in failing)  # the header is row 1: the first data row is row 2
    passing = problems(dry(base, kind, [{**row, **good}]))
    assert passing == [], f"{_id}: {passing}"


def test_month_formats_all_mean_the_same_month(base):
    rows = [{**OBS, "月份": m, "档案编号": f} for m, f in
            (("202608", "W-1"), ("2026-8", "R-1"), ("2026年8月", "C-1"))]
    result = dry(base, "observations", rows)
    assert problems(result) == []
    again = dry(base, "observations", [{**OBS, "月份": "2026-08"}, {**OBS, "月份": "2026年08月"}])
    assert [(r, why[:4]) for r, _c, why in problems(again)] == [(3, "与第2行")]


def test_identical_duplicates_reject_the_later_copies_only(base):
    result = dry(base, "observations", [OBS, {**OBS, "月份": "2026-08"}, OBS, OBS])
    assert problems(result) == [
        (4, None, "与第2行完全重复（档案编号+月份相同，内容相同），只导入第一行"),
        (5, None, "与第2行完全重复（档案编号+月份相同，内容相同），只导入第一行"),
    ]
    assert result.sheets[0].inserted == 2


def test_conflicting_rows_reject_both_and_name_each_other(base):
    result = dry(base, "observations", [OBS, {**OBS, "月份": "2026-08"}, {**OBS, "工资性收入": "9999"}])
    assert problems(result) == [
        (2, None, "与第4行的档案编号+月份相同但内容不同（冲突），请核对后只保留一行"),
        (4, None, "与第2行的档案编号+月份相同但内容不同（冲突），请核对后只保留一行"),
    ]


def test_equivalent_spellings_are_duplicates_not_conflicts(base):
    result = dry(base, "observations", [OBS, {**OBS, "月份": "202609", "工资性收入": "2,500.00", "是否欠薪": "N"}])
    assert [why for _r, _c, why in problems(result)] == ["与第2行完全重复（档案编号+月份相同，内容相同），只导入第一行"]


def test_person_with_same_id_twice_conflicts(base):
    result = dry(base, "persons", [PERSON, {**PERSON, "姓名": "王小二"}])
    assert [(r, why[:4]) for r, _c, why in problems(result)] == [(2, "与第3行"), (3, "与第2行")]


def test_household_size_is_plausible(base):
    rows = [{**PERSON, "身份证号": "", "姓名": f"成员{i}", "性别": "女", "出生年份": "2000"} for i in range(20)]
    result = dry(base, "persons", rows)
    # W-1 already has its head: the 20th new member would be the 21st
    assert [(r, why) for r, _c, why in problems(result)] == [(21, "该户成员将超过20人，不合常理，请核对是否重复或归户错误")]
    assert problems(dry(base, "persons", rows[:19])) == []


def test_several_problems_in_one_row_are_all_reported(base):
    result = dry(base, "observations", [{**OBS, "工资性收入": "-1", "医疗自付支出": "x", "是否欠薪": "?"}])
    assert {c for _r, c, _w in problems(result)} == {"工资性收入", "医疗自付支出", "是否欠薪"}
    assert result.sheets[0].rejected == 1 and result.sheets[0].problem_rows == 1


def test_reasons_read_as_sentences(base):
    from safetynet.ingest.validate import message

    result = dry(base, "observations", [OBS, OBS, {**OBS, "月份": "2026-07", "工资性收入": "-300"}])
    lines = [message(r, c, w) for r, c, w in problems(result)]
    assert "第4行 工资性收入：值“-300”为负数，收入不能为负" in lines
    assert "第3行：与第2行完全重复（档案编号+月份相同，内容相同），只导入第一行" in lines
