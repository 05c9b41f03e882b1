"""Staff actions as commands: what a form submits, checked by the same rules as an import.

A command is a frozen dataclass. `validate()` applies the rules that need no database (code lists, dates,
lengths, required fields) and raises `Invalid` with a Chinese reason; `casework.service.execute` then checks
scope, the row version and the rules that need the database, writes, audits and refreshes. Commands on a
file carry `seen_version`, the file's `row_version` when the form was opened; commands on a lead carry the
lead's.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field

from safetynet.casework.errors import Invalid
from safetynet.domain import codes

LEAD_CHANNELS = ("系统预警", "部门推送", "农户自主申报", "职工申请", "基层干部排查", "工会排查", "企业报告")
ENTERED_CHANNELS = LEAD_CHANNELS[2:]  # what staff enter on screen; 系统预警 comes from scoring, 部门推送 by import
DEPARTMENTS = ("民政", "医保", "人社", "残联", "教育", "住建", "应急")
DECISIONS = ("纳入监测", "不纳入", "并入已有档案")
AID_MAX = 500_000.0
TEXT_MAX = 500
# Attachments of a home check (入户核实): photos and scanned documents, stored in the database. A phone photo
# is 2–6 MB; ten leave room for a multi-page PDF while keeping the database (and its backups) in proportion.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_FILES = 5
# The type is read from the content (its first bytes), never taken from the name or the browser's claim;
# the name must agree with it, so a file opened later opens as what it is.
ATTACHMENT_TYPES: dict[str, tuple[bytes, tuple[str, ...], str]] = {
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), "JPG 照片"),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",), "PNG 图片"),
    "application/pdf": (b"%PDF-", (".pdf",), "PDF 文件"),
}


def _text(value: str | None, label: str, required: bool = True, max_len: int = TEXT_MAX) -> None:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"{label}：必填，不能为空")
    if len(text) > max_len:
        raise Invalid(f"{label}：最多{max_len}个字，现为{len(text)}个字")
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" for ch in text):
        raise Invalid(f"{label}：含有不可见的控制字符，请删除后重新输入")


def _date(day: dt.date | None, label: str, today: dt.date) -> None:
    if day is None:
        raise Invalid(f"{label}：必填，不能为空")
    if day > today:
        raise Invalid(f"{label}：晚于今天，不能填写将来的日期")
    if day.year < 2000:
        raise Invalid(f"{label}：早于2000年，疑为录入错误")


def _choice(value: str, choices: tuple[str, ...] | dict, label: str) -> None:
    if value not in choices:
        raise Invalid(f"{label}：“{value}”不在可选范围内，可选：{'、'.join(choices)}")


def sniff_type(content: bytes) -> str | None:
    """The MIME type of an accepted attachment from its first bytes (None: not one we accept)."""
    return next((mime for mime, (magic, _, _) in ATTACHMENT_TYPES.items() if content.startswith(magic)), None)


@dataclass(frozen=True)
class Attachment:
    """A file uploaded with a home check: its name as the user's computer had it, and its bytes."""

    file_name: str
    content: bytes = field(repr=False)

    @property
    def name(self) -> str:
        """The base name only: a browser may send a path."""
        return self.file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()

    @property
    def mime(self) -> str:
        found = sniff_type(self.content)
        if found is None:
            raise Invalid(f"附件“{self.name}”：只接受 JPG、PNG 照片或 PDF 文件")
        return found

    def validate(self) -> None:
        _text(self.name, "附件文件名", max_len=255)
        if not self.content:
            raise Invalid(f"附件“{self.name}”：是空文件")
        if len(self.content) > ATTACHMENT_MAX_BYTES:
            raise Invalid(f"附件“{self.name}”：{len(self.content) / 1024 / 1024:.1f} MB，"
                          f"超过每个文件 {ATTACHMENT_MAX_BYTES // 1024 // 1024} MB 的上限")
        _, suffixes, label = ATTACHMENT_TYPES[self.mime]
        if not self.name.lower().endswith(suffixes):
            raise Invalid(f"附件“{self.name}”：文件名与内容不符（内容是{label}，扩展名应为 {'、'.join(suffixes)}）")


def _attachments(files: tuple[Attachment, ...]) -> None:
    if len(files) > ATTACHMENT_MAX_FILES:
        raise Invalid(f"附件：一次最多 {ATTACHMENT_MAX_FILES} 个文件，现为 {len(files)} 个")
    for file in files:
        file.validate()


# ---------------------------------------------------------------- leads
@dataclass(frozen=True)
class CreateLead:
    """A lead entered on screen: an application, a staff check or an employer's report."""

    channel: str
    reason: str
    received_on: dt.date
    hh_id: int | None = None  # a file that already exists; else an applicant
    adcode: str | None = None  # the applicant's county (a file's county comes from the file)
    applicant_name: str | None = None
    applicant_phone: str | None = None

    def validate(self, today: dt.date) -> None:
        _choice(self.channel, ENTERED_CHANNELS, "线索来源")
        _text(self.reason, "线索内容")
        _date(self.received_on, "接收日期", today)
        if self.hh_id is None:
            _text(self.applicant_name, "申请人姓名", max_len=32)
            if not (self.adcode or "").isdigit() or len(self.adcode or "") != 6:
                raise Invalid("所在区县：应为6位数字的行政区划代码")
        _text(self.applicant_phone, "联系电话", required=False, max_len=20)


@dataclass(frozen=True)
class AssignLead:
    lead_id: int
    assignee: str
    seen_version: int

    def validate(self, today: dt.date) -> None:
        _text(self.assignee, "经办人", max_len=64)


@dataclass(frozen=True)
class AssignFile:
    """分派档案: the staff member responsible for a household file (its visits, plan and help)."""

    hh_id: int
    assignee: str
    seen_version: int

    def validate(self, today: dt.date) -> None:
        _text(self.assignee, "经办人", max_len=64)


@dataclass(frozen=True)
class RecordHomeCheck:
    """入户核实: the visit that checks a lead."""

    lead_id: int
    visited_on: dt.date
    visitors: str
    finding: str
    seen_version: int
    attachments: tuple[Attachment, ...] = ()  # photos or scanned documents of the visit

    def validate(self, today: dt.date) -> None:
        _date(self.visited_on, "核实日期", today)
        _text(self.visitors, "核实人员", max_len=64)
        _text(self.finding, "核实情况")
        _attachments(self.attachments)


@dataclass(frozen=True)
class DecideLead:
    """纳入监测 (open a file, or confirm the existing one) / 不纳入 (with a reason) / 并入已有档案."""

    lead_id: int
    decision: str
    decided_on: dt.date
    seen_version: int
    reason: str = ""
    merge_file_no: str | None = None  # 并入已有档案: the file the lead belongs to
    # 纳入监测 of an applicant without a file: the new file
    file_no: str | None = None
    population: str | None = None  # worker / rural
    category: str | None = None  # 1/2/3 for workers, 01/02/03 for rural households

    def validate(self, today: dt.date) -> None:
        _choice(self.decision, DECISIONS, "认定结论")
        _date(self.decided_on, "认定日期", today)
        if self.decision == "不纳入":
            _text(self.reason, "不纳入的理由")
        if self.decision == "并入已有档案":
            _text(self.merge_file_no, "并入的档案编号", max_len=32)
        _text(self.reason, "说明", required=False, max_len=255)


# ---------------------------------------------------------------- the file's work
@dataclass(frozen=True)
class AddPlanItem:
    """一户一策: a measure planned for the household, with who is responsible and by when."""

    hh_id: int
    aid_type: str
    responsible: str
    due_on: dt.date
    seen_version: int
    note: str = ""

    def validate(self, today: dt.date) -> None:
        _choice(self.aid_type, codes.ASSISTANCE_TYPES, "帮扶类型")
        _text(self.responsible, "责任人", max_len=64)
        if self.due_on is None:
            raise Invalid("完成期限：必填，不能为空")
        _text(self.note, "备注", required=False, max_len=255)


@dataclass(frozen=True)
class RecordAid:
    """即帮即录: help delivered, recorded when it happens (optionally fulfilling a plan item)."""

    hh_id: int
    aid_type: str
    amount: float
    delivered_on: dt.date
    provider: str
    seen_version: int
    plan_item_id: int | None = None

    def validate(self, today: dt.date) -> None:
        _choice(self.aid_type, codes.ASSISTANCE_TYPES, "帮扶类型")
        _choice(self.provider, codes.PROVIDERS, "帮扶主体")
        _date(self.delivered_on, "帮扶日期", today)
        if self.amount is None or not math.isfinite(self.amount) or self.amount < 0:
            raise Invalid("金额：应为不小于0的数字（非现金措施填0）")
        if self.amount > AID_MAX:
            raise Invalid(f"金额：超过上限{AID_MAX:,.0f}元，疑为录入错误")


@dataclass(frozen=True)
class AssignHelper:
    """结对帮扶: a person or unit paired with the household."""

    hh_id: int
    helper_name: str
    start_on: dt.date
    seen_version: int
    helper_kind: str = "个人"
    helper_unit: str = ""
    helper_phone: str = ""

    def validate(self, today: dt.date) -> None:
        _text(self.helper_name, "帮扶责任人", max_len=64)
        _choice(self.helper_kind, codes.HELPER_KINDS, "责任人类型")
        _text(self.helper_unit, "工作单位", required=False, max_len=128)
        _text(self.helper_phone, "责任人电话", required=False, max_len=20)
        _date(self.start_on, "结对日期", today)


@dataclass(frozen=True)
class EndPairing:
    hh_id: int
    pairing_id: int
    end_on: dt.date
    seen_version: int

    def validate(self, today: dt.date) -> None:
        _date(self.end_on, "结束日期", today)


@dataclass(frozen=True)
class LogFollowup:
    """回访: a follow-up call or visit."""

    hh_id: int
    followed_on: dt.date
    method: str
    visitor: str
    finding: str
    seen_version: int
    relapse_signs: bool = False

    def validate(self, today: dt.date) -> None:
        _date(self.followed_on, "回访日期", today)
        _choice(self.method, codes.FOLLOWUP_METHODS, "回访方式")
        _text(self.visitor, "回访人", max_len=64)
        _text(self.finding, "回访情况", max_len=255)


# ---------------------------------------------------------------- risk elimination
@dataclass(frozen=True)
class ProposeElimination:
    hh_id: int
    method: str
    seen_version: int

    def validate(self, today: dt.date) -> None:
        _choice(self.method, codes.ELIMINATION_METHODS, "消除方式")


@dataclass(frozen=True)
class DecideElimination:
    """The level above approves (then a public notice) or sends it back; never the proposer."""

    request_id: int
    approve: bool
    seen_version: int  # the file's
    note: str = ""

    def validate(self, today: dt.date) -> None:
        _text(self.note, "审批意见", required=not self.approve, max_len=255)


@dataclass(frozen=True)
class ConfirmElimination:
    """After the public notice: the elimination takes effect."""

    request_id: int
    seen_version: int

    def validate(self, today: dt.date) -> None:
        return None


@dataclass(frozen=True)
class RevertElimination:
    """风险消除回退: the file is re-opened; within 12 months of the elimination that is a relapse."""

    hh_id: int
    reverted_on: dt.date
    reason: str
    seen_version: int

    def validate(self, today: dt.date) -> None:
        _date(self.reverted_on, "回退日期", today)
        _text(self.reason, "回退原因", max_len=255)


Command = (CreateLead | AssignLead | AssignFile | RecordHomeCheck | DecideLead | AddPlanItem | RecordAid | AssignHelper
           | EndPairing | LogFollowup | ProposeElimination | DecideElimination | ConfirmElimination
           | RevertElimination)
