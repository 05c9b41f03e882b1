"""What each import file holds: one declarative spec per kind.

A spec lists the columns users see (Chinese header, English and other alias
headers), their type, whether they are required, ranges, code lists, the
natural key and the target table. Everything else — templates, header
matching, validation, the upsert — is driven from these specs, so adding a
column is one line here.

Column types (`Field.type`):
  text   free text, trimmed, at most `max_len` characters
  code   one of `codes` (accepts the stored code or its Chinese/English label)
  int    whole number in [lo, hi]
  money  yuan, ≥ 0 and ≤ hi (thousands separators, ¥ and 元 are tolerated)
  float  decimal number in [lo, hi]
  date   calendar day: 2026-10-05, 2026/10/5, 20261005, 2026年10月5日
  month  month: 202610, 2026-10, 2026/10, 2026.10, 2026年10月 (stored as YYYYMM)
  bool   是/否, Y/N, 1/0, true/false, √/×, 有/无
  idcard 18-character resident ID (GB 11643-1999 check character, birth date, province)
  adcode 6-digit GB/T 2260 code that exists in the region table
  phone  mobile (11 digits starting 1) or landline with area code
  lookup a name resolved against a reference table (site, union organisation, helper)

A blank cell means "not given" (validate.BLANKS lists what counts as blank): a required field rejects
it; on a record that already exists the stored value is kept (a file never clears or zeroes a value by
leaving it out); on a new record the field's `default` applies (empty where there is none). New
monthly observations need at least one of the four incomes (a row with all four blank says nothing
about the household's income; no income is written as 0). The template notes say this per column.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from safetynet.casework.commands import DEPARTMENTS
from safetynet.domain import codes, deadlines, workdays

MONEY_MONTH_MAX = 200_000.0  # one month's amount of one kind for a household in hardship
AID_MAX = 500_000.0
EVENT_COST_MAX = 10_000_000.0
MAX_MEMBERS = 20  # plausible household size (DOMAIN §7: 1–8 in practice)
EARLIEST_DATE = dt.date(1990, 1, 1)
EARLIEST_MONTH = 200001

BOOL_KEEP_NOTE = "是/否；新记录空白按否，已有记录空白保留原值"


@dataclass(frozen=True)
class Field:
    name: str  # logical name; the target column unless `column` says otherwise
    header: str  # Chinese header in templates
    type: str
    required: bool = False  # the column must exist and every cell must be filled
    aliases: tuple[str, ...] = ()
    codes: Mapping[str, str] | None = None  # stored code → Chinese label (for `code`)
    code_aliases: Mapping[str, str] = field(default_factory=dict)  # extra accepted input → stored code
    zfill: int = 0  # pad digit-only codes (Excel drops leading zeros: 1 → 01); -1 = pad odd lengths (1 → 01, 201 → 0201)
    lo: float | None = None
    hi: float | None = None
    max_len: int | None = None
    note: str = ""  # explanation shown in templates
    # value for a blank cell of a new record (an existing record keeps its value)
    default: bool | int | float | str | None = None
    column: str | None = None  # target column (None: same as name; "" = not stored directly)
    example: str = ""
    free_text: bool = False  # `text` that may hold tabs and line breaks (other control characters never)
    future: bool = False  # `date` that may lie after today (a holiday calendar is planned ahead)
    internal_codes: bool = False  # `code` stored as English identifiers: users see and write the labels only

    @property
    def target(self) -> str | None:
        if self.column == "":
            return None
        return self.column or self.name

    def accepted_headers(self) -> tuple[str, ...]:
        return (self.header, self.name, *self.aliases)


@dataclass(frozen=True)
class KindSpec:
    kind: str  # import_batch.kind
    title: str  # Chinese name, also the sheet name in templates
    title_en: str
    table: str  # target table
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # natural key (logical names)
    description: str
    sheet_aliases: tuple[str, ...] = ()
    national_only: bool = False  # reference data for the whole country: only a nationwide administrator imports it

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    def sheet_names(self) -> tuple[str, ...]:
        return (self.title, self.kind, self.title_en, *self.sheet_aliases)


def normalize_header(text: object) -> str:
    """Header text as compared: NFKC (full-width → half-width), no spaces or '*', lower case."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    for ch in (" ", "\t", "*", "\u3000", "\ufeff", "\n", "\r", "【必填】", "【选填】"):
        s = s.replace(ch, "")
    return s


def strip_unit(header: str) -> str:
    """'工资性收入(元)' → '工资性收入': a trailing bracketed unit does not change the column."""
    if header.endswith(")") and "(" in header:
        return header[: header.rindex("(")]
    return header


def _labels(mapping: Mapping[str, object]) -> dict[str, str]:
    """code → Chinese label from the code lists' (zh, en) tuples or plain strings."""
    return {str(k): (v[0] if isinstance(v, tuple) else str(v)) for k, v in mapping.items()}


def _self(values) -> dict[str, str]:
    return {str(v): str(v) for v in values}


POPULATION = {"worker": "困难职工", "rural": "防返贫监测户"}
POPULATION_ALIASES = {"职工": "worker", "困难职工档案": "worker", "农村": "rural", "防返贫": "rural",
                      "防返贫监测对象": "rural", "监测户": "rural", "w": "worker", "r": "rural"}
WORKER_CAT = {str(k): v[0] for k, v in codes.WORKER_CATEGORIES.items()}
WORKER_CAT_ALIASES = {"深度": "1", "相对": "2", "意外致困": "3", "w1": "1", "w2": "2", "w3": "3"}
MONITOR_CAT = {k: v[0] for k, v in codes.MONITOR_CATEGORIES.items()}
MONITOR_CAT_ALIASES = {"脱贫不稳定": "01", "边缘易致贫": "02", "突发严重困难": "03", "r01": "01", "r02": "02", "r03": "03"}
SEX_ALIASES = {"m": "男", "f": "女", "male": "男", "female": "女", "男性": "男", "女性": "女"}
BOOL_TRUE = ("是", "y", "yes", "true", "t", "1", "√", "✓", "有", "对")
BOOL_FALSE = ("否", "n", "no", "false", "f", "0", "×", "✗", "无", "不是", "没有")
INDUSTRY = {code: zh for code, _sec, zh, _en, _w, _s in codes.INDUSTRIES}

FILE_NO = Field("file_no", "档案编号", "text", required=True, max_len=32, aliases=("档案号", "户编号", "编号"),
                note="户档案的唯一编号，用于与已有档案对应", column="", example="520102-N00012345")


KEEPS = "已有记录空白保留原值"  # what every optional column's blank does to a stored record
INCOMES = ("income_wage", "income_operating", "income_property", "income_transfer")


def _money(name: str, header: str, aliases: tuple[str, ...], note: str, hi: float = MONEY_MONTH_MAX) -> Field:
    income = "；四项收入不能全部空白，本月确无收入请填0" if name in INCOMES else ""
    return Field(name, header, "money", aliases=aliases, lo=0, hi=hi, default=0.0,
                 note=f"{note}；元，不能为负；新记录空白按0，{KEEPS}{income}", example="0")


HOUSEHOLDS = KindSpec(
    "households", "家庭户", "Households", "household",
    (
        Field("file_no", "档案编号", "text", required=True, max_len=32, aliases=("档案号", "户编号", "编号"),
              note="户档案的唯一编号；已存在的编号更新原档案，新编号建立新档案", example="520102-N00012345"),
        Field("population", "对象类型", "code", required=True, codes=POPULATION, code_aliases=POPULATION_ALIASES,
              aliases=("人群", "类型"), note="困难职工 或 防返贫监测户", example="防返贫监测户"),
        Field("worker_cat", "职工类别", "code", codes=WORKER_CAT, code_aliases=WORKER_CAT_ALIASES,
              aliases=("困难职工类别",), note="困难职工必填：1 深度困难职工 / 2 相对困难职工 / 3 意外致困职工"),
        Field("monitor_cat", "监测类别", "code", codes=MONITOR_CAT, code_aliases=MONITOR_CAT_ALIASES, zfill=2,
              aliases=("监测对象类别",), note="防返贫监测户必填：01 脱贫不稳定户 / 02 边缘易致贫户 / 03 突发严重困难户",
              example="02"),
        Field("adcode", "区县代码", "adcode", required=True, aliases=("居住地区县代码", "行政区划代码", "区划代码"),
              note="居住地区县的6位行政区划代码（GB/T 2260）", example="520102"),
        Field("site_name", "安置点", "lookup", max_len=128, aliases=("安置点名称", "搬迁安置点"), column="site_id",
              note="易地搬迁安置点名称，须已在安置点表中"),
        Field("org_name", "所属工会", "lookup", max_len=128, aliases=("工会组织", "负责工会"), column="org_id",
              note="负责该档案的工会组织名称，须已在系统中"),
        Field("industry_code", "行业", "code", codes=INDUSTRY, aliases=("行业代码", "主要劳动力行业"),
              note="主要劳动力所在行业（代码或名称，如 C 或 制造业）"),
        Field("status", "档案状态", "code", codes=_self(codes.FILE_STATUS), aliases=("状态",),
              note="在档 / 帮扶中 / 风险消除 / 已解困 / 已脱困 / 退档 / 注销；"
                   "新档案空白按在档，已有档案空白保留原状态；变更须符合动态管理流程",
              example="在档"),
        Field("status_changed_on", "状态变更日期", "date", column="",
              note="状态变更的日期；空白时消除按消除日期、退档按退档日期、其他按导入当天"),
        Field("source", "发现渠道", "code", required=True, codes=_self(codes.SOURCES), aliases=("来源",),
              note="农户自主申报 / 职工申请 / 基层干部排查 / 部门筛查预警 / 工会排查 / 企业报告", example="工会排查"),
        Field("found_on", "发现日期", "date", aliases=("发现时间",), note="首次发现风险的日期，不晚于认定日期"),
        Field("identified_on", "认定日期", "date", required=True, aliases=("认定时间", "纳入日期"),
              note="档案认定（纳入监测）的日期，如 2026-03-15", example="2026-03-15"),
        Field("closed_on", "退档日期", "date", note="退档或注销的日期"),
        Field("close_reason", "退档原因", "code", codes=_self(codes.CLOSE_REASONS), note="死亡 / 退休 / 转出 / 识别不准"),
        Field("eliminated_on", "消除日期", "date", aliases=("风险消除日期", "解困日期"), note="风险消除（解困、脱困）的日期"),
        Field("elimination_method", "消除方式", "code", codes=_self(codes.ELIMINATION_METHODS), note="帮扶消除 / 自然消除"),
        Field("address", "家庭住址", "text", max_len=255, aliases=("住址", "地址"), note="个人信息，系统内脱敏显示；可以换行",
              free_text=True),
        Field("is_relocated", "是否搬迁户", "bool", default=False, aliases=("易地搬迁户",), note=BOOL_KEEP_NOTE),
        Field("is_exit_poor", "是否脱贫户", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("on_dibao", "是否享受低保", "bool", default=False, aliases=("低保户", "是否低保"), note=BOOL_KEEP_NOTE),
        Field("on_tekun", "是否特困供养", "bool", default=False, aliases=("特困", "是否特困"), note=BOOL_KEEP_NOTE),
        Field("housing_unsafe", "住房安全无保障", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("water_unsafe", "饮水安全无保障", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("psych_consent", "同意记录心理支持信息", "bool", default=False, aliases=("心理信息同意",),
              note="是/否；新记录空白按否，已有记录空白保留原值；未同意时不记录心理支持因素"),
    ),
    key=("file_no",),
    description="每户一行：档案编号、对象类型与类别、区县、状态、认定日期等。已有档案编号更新原档案。",
    sheet_aliases=("户", "户档案", "家庭", "household"),
)

PERSONS = KindSpec(
    "persons", "家庭成员", "Members", "person",
    (
        FILE_NO,
        Field("name", "姓名", "text", required=True, max_len=32, note="个人信息，系统内脱敏显示", example="张三"),
        Field("id_number", "身份证号", "idcard", aliases=("身份证号码", "公民身份号码", "证件号码"),
              note="18位居民身份证号，校验码须正确；请将Excel列设为文本，避免被存为数字"),
        Field("phone", "联系电话", "phone", aliases=("电话", "手机号", "手机"), note="11位手机号或带区号的固定电话"),
        Field("relation", "与户主关系", "code", required=True, codes=_labels(codes.RELATIONS), zfill=2,
              aliases=("关系",), note="01 户主 / 10 配偶 / 20 子 / 30 女 / 40 孙子女 / 50 父母 / 60 祖父母 / 70 兄弟姐妹 / 99 其他",
              example="户主"),
        Field("sex", "性别", "code", codes=_self(codes.SEXES), code_aliases=SEX_ALIASES,
              note="男/女；填写身份证号时可空（按身份证号推断）"),
        Field("birth_year", "出生年份", "int", aliases=("出生年",), lo=1900, note="四位年份；填写身份证号时可空"),
        Field("health", "健康状况", "code", required=True, codes=_self(codes.HEALTH), aliases=("健康",),
              note="健康 / 长期慢性病 / 患大病 / 残疾", example="健康"),
        Field("disability_grade", "残疾等级", "int", lo=1, hi=4, note="1–4级；非残疾空白（已有成员空白保留原值）"),
        Field("labour_capacity", "劳动能力", "code", required=True, codes=_self(codes.LABOUR_CAPACITY),
              note="技能劳动力 / 普通劳动力 / 弱劳动力或半劳动力 / 丧失劳动力 / 无劳动力", example="普通劳动力"),
        Field("education", "文化程度", "code", codes=_self(codes.EDUCATION), aliases=("学历",),
              note="研究生 / 大学 / 大专 / 中职 / 高中 / 初中 / 小学 / 文盲或半文盲 / 学龄前"),
        Field("school_stage", "在校阶段", "code", codes=_self(codes.SCHOOL_STAGES),
              note="学前 / 小学 / 初中 / 高中 / 中职 / 高校；不在校空白（已有成员空白保留原值）"),
        Field("is_dropout", "是否辍学", "bool", default=False, note="义务教育阶段失学辍学：是/否；新记录空白按否，已有记录空白保留原值"),
        Field("union_member", "是否工会会员", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("is_migrant", "是否农民工", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("origin_adcode", "户籍地区县代码", "adcode", aliases=("户籍地",), note="农民工户籍所在区县的6位代码"),
        Field("employment_form", "就业形式", "code", codes=_self(codes.EMPLOYMENT_FORMS),
              note="劳动合同 / 劳务派遣 / 非全日制 / 灵活就业 / 平台新就业形态 / 务农 / 失业 / 未返岗 / 无"),
        Field("contract_months", "合同期限（月）", "int", lo=0, hi=600, aliases=("合同期限",), note="劳动合同期限，月数"),
        Field("industry_code", "从事行业", "code", codes=INDUSTRY, aliases=("行业", "行业代码"), note="行业代码或名称"),
        Field("work_adcode", "务工地区县代码", "adcode", aliases=("工作地区县代码",), note="工作所在区县的6位代码"),
        Field("work_place", "务工地点", "code", codes=_self(codes.WORK_PLACES), note="县内 / 省内县外 / 省外"),
        Field("med_insured", "基本医疗保险", "bool", default=True, aliases=("医保", "是否参加医保"),
              note="是否参加基本医疗保险：是/否；新记录空白按是，已有记录空白保留原值"),
        Field("pension_insured", "养老保险", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("unemp_insured", "失业保险", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("injury_insured", "工伤保险", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("counselling_referred", "心理疏导转介", "bool", default=False, note=BOOL_KEEP_NOTE),
        Field("isolated", "独居或无本地支持", "bool", default=False, note=BOOL_KEEP_NOTE),
    ),
    key=("id_number",),  # or (file_no, name, relation) when the ID is blank
    description="每人一行，按档案编号归户。有身份证号的按身份证号对应，没有的按档案编号+姓名+与户主关系对应。",
    sheet_aliases=("成员", "人员", "家庭成员信息", "person"),
)

OBSERVATIONS = KindSpec(
    "observations", "月度观测", "Monthly observations", "household_month",
    (
        FILE_NO,
        Field("month", "月份", "month", required=True, aliases=("年月", "统计月份", "所属月份"),
              note="2026-10、202610 或 2026年10月；不能晚于当前月份", example="2026-10"),
        _money("income_wage", "工资性收入", ("工资收入", "收入_工资"), "本月家庭工资性收入"),
        _money("income_operating", "经营净收入", ("经营收入", "收入_经营"), "本月家庭经营净收入"),
        _money("income_property", "财产净收入", ("财产收入", "收入_财产"), "本月家庭财产净收入"),
        _money("income_transfer", "转移净收入", ("转移收入", "收入_转移"), "本月家庭转移净收入（养老金、低保金、补贴等）"),
        _money("spend_medical", "医疗自付支出", ("医疗支出", "医疗自付", "支出_医疗"), "本月医疗自付费用"),
        _money("spend_school", "非义务教育支出", ("教育支出", "支出_教育"), "本月非义务教育阶段就学费用"),
        _money("spend_care", "护理支出", ("残疾护理支出", "支出_护理"), "本月残疾与长期护理费用"),
        _money("spend_work", "务工必要支出", ("务工支出", "支出_务工"), "本月务工必要费用（通勤、工具等）"),
        Field("members_employed", "稳定就业人数", "int", lo=0, hi=MAX_MEMBERS, default=0, aliases=("就业人数",),
              note="本月稳定就业的家庭成员人数，0–20；新记录空白按0，已有记录空白保留原值", example="1"),
        Field("months_out_of_work", "失业或未返岗月数", "int", lo=0, hi=120, default=0, aliases=("失业月数", "未返岗月数"),
              note="截至本月成员中最长的连续失业或未返岗月数，0–120；新记录空白按0，已有记录空白保留原值", example="0"),
        Field("wage_arrears", "是否欠薪", "bool", default=False, aliases=("欠薪",),
              note="本月是否有成员被拖欠工资：是/否；新记录空白按否，已有记录空白保留原值"),
        Field("returned_after_festival", "节后是否返岗", "bool", aliases=("春节后是否返岗", "是否返岗"),
              note="春节后农民工是否已返岗：是/否；非返岗季或无农民工留空（已有记录空白保留原值）"),
    ),
    key=("file_no", "month"),
    description="每户每月一行：收入、刚性支出、就业与欠薪。同一户同一月份再次导入时更新原记录。",
    sheet_aliases=("月度数据", "监测数据", "月度", "household_month"),
)

EVENTS = KindSpec(
    "events", "风险事件", "Risk events", "risk_event",
    (
        FILE_NO,
        Field("risk_type", "风险类型", "code", required=True, codes=_labels(codes.RISK_TYPES), zfill=-1,
              aliases=("致贫返贫风险类型", "风险类别"),
              note="01 因病 / 0201–0299 因灾 / 03 因残 / 04 缺劳动力 / 05 因意外 / 06 产业失败 / 07 务工就业不稳 / "
                   "09 因学 / 10 因疫 / 11 欠薪/劳动争议 / 12 未返岗/失业 / 99 其他",
              example="因病"),
        Field("occurred_on", "发生日期", "date", required=True, aliases=("发生时间",), note="事件发生的日期，不晚于今天",
              example="2026-07-12"),
        Field("cost", "损失金额", "money", lo=0, hi=EVENT_COST_MAX, default=0.0, aliases=("支出金额", "损失", "金额"),
              note="事件造成的支出和损失（扣除赔偿和保险后），元；新记录空白按0，已有记录空白保留原值", example="8000"),
        Field("source", "发现渠道", "code", codes=_self(codes.SOURCES), aliases=("来源",), note="同户档案的发现渠道"),
        Field("note", "备注", "text", max_len=255, aliases=("说明",), note="自由文字，最多255字，可以换行",
              free_text=True),
        Field("person_idcard", "涉及成员身份证号", "idcard", column="person_id", aliases=("成员身份证号",),
              note="事件涉及的家庭成员的身份证号，须已登记为该户成员；可空"),
    ),
    key=("file_no", "risk_type", "occurred_on"),
    description="每个风险事件一行（因病、因灾、意外、欠薪等），按档案编号+风险类型+发生日期对应。",
    sheet_aliases=("事件", "风险", "risk_event"),
)

ASSISTANCE = KindSpec(
    "assistance", "帮扶措施", "Assistance", "assistance",
    (
        FILE_NO,
        Field("aid_type", "帮扶类型", "code", required=True, codes=_self(codes.ASSISTANCE_TYPES), aliases=("帮扶措施", "措施类型"),
              note=" / ".join(codes.ASSISTANCE_TYPES), example="医疗救助"),
        Field("amount", "金额", "money", required=True, lo=0, hi=AID_MAX, aliases=("帮扶金额", "金额（元）"),
              note="现金价值，元；非现金措施填0", example="2000"),
        Field("delivered_on", "帮扶日期", "date", required=True, aliases=("落实日期", "发放日期"), note="措施落实的日期，不晚于今天",
              example="2026-08-01"),
        Field("provider", "帮扶主体", "code", codes=_self(codes.PROVIDERS), aliases=("实施单位", "提供方"),
              note=" / ".join(codes.PROVIDERS)),
        Field("helper_name", "帮扶责任人", "lookup", max_len=64, column="helper_id", aliases=("责任人",),
              note="结对帮扶责任人姓名或单位名称，须已登记（可先导入结对帮扶）"),
        Field("person_idcard", "受助成员身份证号", "idcard", column="person_id", aliases=("成员身份证号",),
              note="受助的家庭成员身份证号，须已登记为该户成员；可空"),
    ),
    key=("file_no", "aid_type", "delivered_on", "amount"),
    description="每项帮扶措施一行，按档案编号+帮扶类型+帮扶日期+金额对应。",
    sheet_aliases=("帮扶", "帮扶记录", "救助"),
)

PAIRINGS = KindSpec(
    "pairings", "结对帮扶", "Paired helpers", "pairing",
    (
        FILE_NO,
        Field("helper_name", "帮扶责任人", "text", required=True, max_len=64, aliases=("责任人", "帮扶人"),
              note="个人姓名或单位名称；系统中没有时自动登记", example="王建国"),
        Field("helper_kind", "责任人类型", "code", codes={"个人": "个人", "单位": "单位"}, default="个人",
              note="个人 / 单位；新登记的责任人空白按个人"),
        Field("helper_unit", "工作单位", "text", max_len=128, aliases=("责任人单位",), note="个人责任人的工作单位"),
        Field("helper_phone", "责任人电话", "phone", aliases=("联系电话",), note="个人信息，系统内脱敏显示"),
        Field("start_on", "开始日期", "date", required=True, aliases=("结对日期", "结对开始日期"), example="2026-01-10",
              note="结对开始的日期"),
        Field("end_on", "结束日期", "date", aliases=("结对结束日期",),
              note="结对结束的日期；仍在结对留空（已有结对空白保留原结束日期）"),
    ),
    key=("file_no", "helper_name", "helper_unit", "start_on"),
    description="每个结对关系一行，按档案编号+责任人(姓名、单位)+开始日期对应；新责任人自动登记。",
    sheet_aliases=("结对", "帮扶责任人", "pairing"),
)

SITES = KindSpec(
    "sites", "安置点", "Relocation sites", "relocation_site",
    (
        Field("name", "安置点名称", "text", required=True, max_len=128, aliases=("安置点", "名称"), example="幸福家园安置区"),
        Field("adcode", "区县代码", "adcode", required=True, aliases=("所在区县代码", "行政区划代码"),
              note="安置点所在区县的6位代码", example="522324"),
        Field("lon", "经度", "float", required=True, lo=73.0, hi=135.5, aliases=("longitude",), note="WGS-84经度，73–135.5",
              example="105.21"),
        Field("lat", "纬度", "float", required=True, lo=3.5, hi=53.6, aliases=("latitude",), note="WGS-84纬度，3.5–53.6",
              example="25.79"),
        Field("site_type", "安置类型", "code", required=True, codes=_self(codes.SITE_TYPES), note="城镇 / 集镇 / 中心村",
              example="城镇"),
        Field("households_relocated", "搬迁户数", "int", required=True, lo=0, hi=100_000, example="1200", note="0–100000"),
        Field("people_relocated", "搬迁人数", "int", required=True, lo=0, hi=500_000, example="5100",
              note="不少于搬迁户数"),
        Field("workshop_jobs", "帮扶车间岗位", "int", lo=0, hi=100_000, default=0, aliases=("车间岗位",),
              note="新记录空白按0，已有记录空白保留原值"),
        Field("has_service_station", "工会服务站", "bool", default=False, aliases=("是否有工会服务站",),
              note=BOOL_KEEP_NOTE),
        Field("opened_year", "建成年份", "int", lo=2000, aliases=("建成时间",), note="四位年份"),
    ),
    key=("name", "adcode"),
    description="每个易地扶贫搬迁安置点一行，按名称+区县代码对应。",
    sheet_aliases=("安置点表", "site", "relocation_site"),
)

LEAD_CHANNEL = "部门推送"  # the channel of every imported lead (DOMAIN §8: department batches are imported)
DEPARTMENT_ALIASES = {
    "民政局": "民政", "民政部门": "民政", "医疗保障局": "医保", "医保局": "医保", "医保部门": "医保",
    "人力资源和社会保障局": "人社", "人社局": "人社", "人社部门": "人社", "残疾人联合会": "残联", "残联部门": "残联",
    "教育局": "教育", "教育部门": "教育", "住房和城乡建设局": "住建", "住建局": "住建", "住建部门": "住建",
    "应急管理局": "应急", "应急局": "应急", "应急管理部门": "应急", "应急管理": "应急",
}
LEAD_REASON_MAX = 500  # as a lead entered on screen (casework.commands.TEXT_MAX)

LEADS = KindSpec(
    "leads", "部门推送线索", "Department leads", "lead",
    (
        Field("file_no", "档案编号", "text", max_len=32, aliases=("档案号", "户编号", "编号"), column="",
              note="已建档的填写档案编号（须在您的管辖范围内）；尚未建档的人员留空，填写姓名、身份证号和区县代码",
              example="520102-N00012345"),
        Field("name", "姓名", "text", max_len=32, aliases=("人员姓名", "申请人姓名", "申请人"), column="applicant_name",
              note="未填档案编号时必填；个人信息，系统内脱敏显示", example="张三"),
        Field("id_number", "身份证号", "idcard", aliases=("身份证号码", "公民身份号码", "证件号码"), column="",
              note="未填档案编号时必填；18位居民身份证号，校验码须正确；已登记为某户成员的，线索归入该户档案；"
                   "只用于核对，不保存在线索中；请将Excel列设为文本"),
        Field("adcode", "区县代码", "adcode", aliases=("居住地区县代码", "行政区划代码", "区划代码"),
              note="未填档案编号时必填：居住地区县的6位代码；已建档的可空（按档案所在区县），填写时须与档案一致",
              example="520102"),
        Field("phone", "联系电话", "phone", aliases=("电话", "手机号", "手机"), column="applicant_phone",
              note="尚未建档人员的联系电话，11位手机号或带区号的固定电话；个人信息，系统内脱敏显示"),
        Field("department", "来源部门", "code", required=True, codes=_self(DEPARTMENTS), code_aliases=DEPARTMENT_ALIASES,
              aliases=("推送部门", "部门"), note=" / ".join(DEPARTMENTS), example="民政"),
        Field("received_on", "接收日期", "date", required=True, aliases=("推送日期", "发现日期", "线索日期"),
              note="工会收到部门推送线索的日期，不晚于今天；入户核实等期限从这一天起按工作日计算", example="2026-03-02"),
        Field("reason", "线索内容", "text", required=True, max_len=LEAD_REASON_MAX, free_text=True,
              aliases=("线索原因", "预警原因", "预警信息", "原因", "内容"),
              note=f"部门推送的预警原因，最多{LEAD_REASON_MAX}字，可以换行", example="低收入人口动态监测预警：家庭人均收入低于监测标准"),
    ),
    key=("file_no", "id_number", "department", "received_on", "reason"),
    description="每条部门推送的预警线索一行（民政、医保、人社、残联、教育、住建、应急）。已建档的按档案编号或成员身份证号归户，"
                "该户已有未办结线索的并入该线索；尚未建档的人员按姓名、身份证号和区县代码登记为新线索。",
    sheet_aliases=("线索", "预警线索", "部门推送", "lead"),
)

CALENDAR_KINDS = {workdays.HOLIDAY: "休息日", workdays.WORKDAY: "调休上班"}
CALENDAR = KindSpec(
    "calendar", "节假日安排", "Holiday calendar", "work_calendar",
    (
        Field("day", "日期", "date", required=True, future=True, aliases=("放假日期", "调休日期"),
              note="公历日期，如 2027-02-08；可以是将来的日期", example="2027-02-08"),
        Field("kind", "类型", "code", required=True, codes=CALENDAR_KINDS, aliases=("安排",), internal_codes=True,
              code_aliases={"放假": "holiday", "节假日": "holiday", "假日": "holiday", "休": "holiday",
                            "调休上班": "workday", "上班": "workday", "补班": "workday", "班": "workday"},
              note="休息日（放假，含周一至周五的法定节假日）/ 调休上班（周六、周日上班）", example="休息日"),
        Field("name", "说明", "text", max_len=32, aliases=("节日", "名称", "节假日名称"),
              note="如 春节、国庆节调休上班；新记录空白按类型，已有记录空白保留原值", example="春节"),
        Field("source", "依据", "text", max_len=32, aliases=("来源", "通知"),
              note="如 国务院办公厅2027年通知；已有记录空白保留原值"),
    ),
    key=("day",),
    description="每天一行：法定节假日放假（休息日）和调休上班日，用于按工作日计算核实、认定等期限。同一日期再次导入时更新原记录。"
                "全国统一，只有全国范围的管理员可以导入。",
    sheet_aliases=("节假日", "工作日历", "放假安排", "work_calendar"),
    national_only=True,
)

STEP_ALIASES = {"核实": deadlines.HOME_CHECK, "入户": deadlines.HOME_CHECK, "认定": deadlines.DECISION,
                "决定": deadlines.DECISION, "认定结论": deadlines.DECISION, "首次帮扶措施": deadlines.FIRST_AID,
                "回访": deadlines.FOLLOWUP, "消除后回访": deadlines.AFTERCARE}
UNIT_LABELS = {deadlines.WORKING: "工作日", deadlines.CALENDAR: "天", deadlines.MONTHS: "月"}
UNIT_MAX = {deadlines.WORKING: 60, deadlines.CALENDAR: 365, deadlines.MONTHS: 36}
DEADLINE_RULES = KindSpec(
    "deadline_rules", "期限规则", "Deadline rules", "deadline_rule",
    (
        Field("region_code", "区域代码", "adcode", required=True, column="adcode",
              aliases=("行政区划代码", "区划代码", "地区代码"),
              note="规则适用的地区：000000 全国，或省、市、区县的6位代码；区县未设的沿用所在市、省、全国的规则",
              example="520000"),
        Field("step", "环节", "code", required=True, codes=dict(deadlines.STEP_LABELS), code_aliases=STEP_ALIASES,
              internal_codes=True,
              note=" / ".join(deadlines.STEP_LABELS.values()), example="入户核实"),
        Field("amount", "期限", "int", required=True, lo=1, hi=max(UNIT_MAX.values()), aliases=("工作日数", "天数", "时限"),
              note="工作日不超过60，天不超过365，月不超过36", example="5"),
        Field("unit", "单位", "code", codes=UNIT_LABELS, internal_codes=True,
              code_aliases={"工作日数": "working", "个工作日": "working", "日": "calendar", "自然日": "calendar",
                            "个月": "months", "月数": "months"},
              note="工作日 / 天 / 月；新规则空白按该环节的默认单位（入户核实、认定决定为工作日，公示为天，其余为月），"
                   "已有规则空白保留原值"),
    ),
    key=("region_code", "step"),
    description="每个地区每个环节一行：入户核实、认定决定、公示、首次帮扶、回访间隔、消除后跟踪的期限。"
                "同一地区同一环节再次导入时更新原规则；只能设置您管辖范围内的地区。",
    sheet_aliases=("期限", "时限规则", "deadline_rule"),
)

# Import order inside one workbook: references first.
KINDS: dict[str, KindSpec] = {s.kind: s for s in (SITES, HOUSEHOLDS, PERSONS, OBSERVATIONS, EVENTS, PAIRINGS, ASSISTANCE,
                                                  LEADS, CALENDAR, DEADLINE_RULES)}
KIND_ALIASES = {"household": "households", "person": "persons", "members": "persons", "observation": "observations",
                "months": "observations", "household_month": "observations", "event": "events",
                "risk_events": "events", "aid": "assistance", "pairing": "pairings", "helpers": "pairings",
                "site": "sites", "relocation_sites": "sites", "lead": "leads", "预警线索": "leads",
                "work_calendar": "calendar", "holidays": "calendar", "节假日": "calendar", "deadlines": "deadline_rules",
                "deadline_rule": "deadline_rules", "rules": "deadline_rules"}
for _spec in KINDS.values():
    for _alias in (_spec.title, _spec.title_en.lower()):
        KIND_ALIASES.setdefault(_alias, _spec.kind)


def resolve_kind(name: str) -> KindSpec:
    """A kind by its name, a common alias or its Chinese title; KeyError lists the valid names."""
    key = (name or "").strip()
    key = KIND_ALIASES.get(key, KIND_ALIASES.get(key.lower(), key.lower()))
    if key not in KINDS:
        raise KeyError(f"未知的数据类型“{name}”，可选：" + "、".join(f"{s.kind}（{s.title}）" for s in KINDS.values()))
    return KINDS[key]


def header_index(spec: KindSpec) -> dict[str, str]:
    """Normalised header text → field name, for one kind."""
    out: dict[str, str] = {}
    for f in spec.fields:
        for text in f.accepted_headers():
            out.setdefault(normalize_header(text), f.name)
    return out


def accepted_inputs(f: Field) -> dict[str, str]:
    """Normalised input text → stored code, for a `code` field (codes, labels, English labels, aliases)."""
    out: dict[str, str] = {}
    source = {
        "relation": codes.RELATIONS, "risk_type": codes.RISK_TYPES, "population": codes.POPULATIONS,
        "worker_cat": {str(k): v for k, v in codes.WORKER_CATEGORIES.items()}, "monitor_cat": codes.MONITOR_CATEGORIES,
    }.get(f.name)
    for code, label in (f.codes or {}).items():
        out[normalize_value(code)] = code
        out.setdefault(normalize_value(label), code)
    if source:
        for code, labels in source.items():
            for label in labels if isinstance(labels, tuple) else (labels,):
                out.setdefault(normalize_value(label), str(code))
    if f.name in ("industry_code",):
        for code, _sec, _zh, en, _w, _s in codes.INDUSTRIES:
            out.setdefault(normalize_value(en), code)
    english = {"status": codes.FILE_STATUS, "source": codes.SOURCES, "health": codes.HEALTH,
               "labour_capacity": codes.LABOUR_CAPACITY, "employment_form": codes.EMPLOYMENT_FORMS,
               "school_stage": codes.SCHOOL_STAGES, "work_place": codes.WORK_PLACES, "site_type": codes.SITE_TYPES,
               "aid_type": codes.ASSISTANCE_TYPES, "close_reason": codes.CLOSE_REASONS,
               "elimination_method": codes.ELIMINATION_METHODS, "sex": codes.SEXES}.get(f.name)
    if english:
        for code, en in english.items():
            out.setdefault(normalize_value(en), code)
    for alias, code in f.code_aliases.items():
        out.setdefault(normalize_value(alias), code)
    return out


def normalize_value(text: object) -> str:
    """Cell text as compared with code lists: NFKC, trimmed, lower case, no inner spaces."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "").replace("\u3000", "")


def code_choices(f: Field, limit: int = 12) -> str:
    """The valid codes of a field, for a reason text: '01 户主、10 配偶…'."""
    items = [(c, lab) for c, lab in (f.codes or {}).items()]
    shown = [lab if c == lab or f.internal_codes else f"{c} {lab}" for c, lab in items[:limit]]
    return "、".join(shown) + ("…" if len(items) > limit else "")
