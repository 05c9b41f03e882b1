"""The audit log as people read it (pure: rows in, display frame out).

Actions by their Chinese labels and each row's detail (stored as JSON) as "键：值" text, so the Chinese screen
shows no raw codes (issue 12). Keys and code values without a label are shown as they are stored, never hidden.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pandas as pd

from safetynet import i18n
from safetynet.auth import DISPLAY_PREFIX, ROLES
from safetynet.i18n import t, t_text

ACTION_LABELS = {
    "sign_in": "登录", "sign_in_failed": "登录失败", "sign_out": "退出登录", "unmask": "查看完整信息", "export": "导出",
    "import": "导入", "user_change": "用户变更", "demo": "演示数据", "view_saved": "保存视图", "view_deleted": "删除视图",
    "casework": "工作记录", "display_token": "大屏令牌",
}
DETAIL_LABELS = {
    # unmask, export, import, users, views
    "reason": "事由", "households": "家庭户", "count": "户数", "scope": "管辖范围", "region": "地区", "rows": "行数",
    "format": "格式", "filters": "筛选条件", "query": "链接参数", "masked": "已脱敏", "file": "文件", "batches": "批次",
    "batch_ids": "批次",
    "mode": "导入模式", "hash": "文件指纹", "sheets": "工作表", "change": "变更", "role": "角色", "page": "页面",
    "shared": "共享", "view_id": "视图编号", "replaced": "替换同名视图", "name": "名称",
    # the sheets of an import
    "kind": "数据类型", "title": "数据名称", "sheet": "工作表", "batch_id": "批次", "status": "状态",
    "rows_read": "读取行数", "rows_accepted": "接受", "rows_updated": "更新", "rows_rejected": "拒绝", "inserted": "新增",
    "unchanged": "未变", "problem_rows": "有错误的行", "header_row": "表头行", "columns": "列", "warnings": "提示",
    # casework: the command, what it changed
    "command": "操作类型", "input": "填写内容", "before": "变更前", "after": "变更后",
    "channel": "线索来源", "received_on": "收到日期", "hh_id": "档案内部编号", "adcode": "地区",
    "applicant_name": "申请人", "applicant_phone": "申请人电话", "lead_id": "线索编号", "assignee": "责任人",
    "seen_version": "打开时的版本", "visited_on": "核实日期", "visitors": "核实人员", "finding": "情况",
    "decision": "认定结论", "decided_on": "认定日期", "merge_file_no": "并入档案", "file_no": "档案编号",
    "population": "对象类型", "category": "类别", "aid_type": "帮扶类型", "responsible": "责任人", "due_on": "期限",
    "note": "备注", "amount": "金额（元）", "delivered_on": "帮扶日期", "provider": "提供方", "plan_item_id": "计划项编号",
    "helper_name": "帮扶人", "start_on": "开始日期", "helper_kind": "帮扶人类型", "helper_unit": "帮扶单位",
    "helper_phone": "帮扶人电话", "pairing_id": "结对编号", "end_on": "结束日期", "followed_on": "回访日期",
    "method": "方式", "visitor": "回访人", "relapse_signs": "有返贫迹象", "request_id": "申请编号", "approve": "批准",
    "reverted_on": "回退日期", "aid_id": "帮扶记录编号", "check_by": "核实人员", "check_finding": "核实情况",
    "checked_on": "核实日期", "checklist": "核查清单", "decided_by": "审批人", "decision_note": "审批意见",
    "decision_reason": "认定理由", "eliminated_on": "消除日期", "followup_id": "回访编号", "helper_id": "帮扶人编号",
    "is_relapse": "计为返贫/返困", "item_id": "计划项编号", "key": "项目", "notice_until": "公示截至", "ok": "符合",
    "relapse_flag": "返贫/返困", "text": "说明", "plan_item": "计划项",
    "attachments": "附件", "attachment_id": "附件编号", "file_name": "文件名", "content": "内容", "mime": "文件类型",
    "size": "大小（字节）", "sha256": "校验值（SHA-256）",
    # display tokens
    "token_id": "令牌编号", "expires_at": "有效期至",
}
COMMAND_LABELS = {
    "CreateLead": "登记线索", "AssignLead": "分派线索", "AssignFile": "分派档案", "Attachment": "附件",
    "RecordHomeCheck": "入户核实", "DecideLead": "认定",
    "AddPlanItem": "加入帮扶计划", "RecordAid": "登记帮扶", "AssignHelper": "结对帮扶", "EndPairing": "结束结对",
    "LogFollowup": "回访", "ProposeElimination": "申请风险消除", "DecideElimination": "审批风险消除",
    "ConfirmElimination": "风险消除生效", "RevertElimination": "回退风险消除",
}
VALUE_LABELS = {
    "change": {"create": "新增", "disable": "停用", "enable": "启用", "password": "重置密码",
               "issue": "签发", "revoke": "撤销", "use": "打开大屏", "refused": "拒绝打开"},
    "mode": {"strict": "严格", "partial": "部分导入"},
    "status": {"done": "已完成", "rejected": "已拒绝", "failed": "失败", "running": "进行中", "dry-run": "试导入"},
    "population": {"worker": "困难职工", "rural": "防返贫监测户"},
    "command": COMMAND_LABELS,
    # an export's format, and an attachment download's type, as people name them (not "csv", "image/jpeg")
    "format": {"csv": "CSV", "xlsx": "Excel", "pdf": "PDF", "image/jpeg": "JPG 照片", "image/png": "PNG 图片",
               "application/pdf": "PDF"},
    "mime": {"image/jpeg": "JPG 照片", "image/png": "PNG 图片", "application/pdf": "PDF"},
}
REGION_KEYS = ("scope", "region", "adcode")



def action_label(action: str) -> str:
    return t(ACTION_LABELS.get(action, action))


def _value(key: str, value: object, region_name: Callable[[str], str]) -> str:
    if isinstance(value, dict):
        return "（" + "；".join(_pair(k, v, region_name) for k, v in value.items()) + "）"
    if isinstance(value, list):
        return "、".join(_value(key, v, region_name) for v in value) if value else "—"
    if isinstance(value, bool):
        return t("是") if value else t("否")
    if value is None or value == "":
        return "—"
    if key in REGION_KEYS and isinstance(value, str) and len(value) == 6 and value.isdigit():
        return region_name(value)
    if key == "role" and value in ROLES:
        return i18n.label(ROLES[value])
    if key in VALUE_LABELS and value in VALUE_LABELS[key]:
        return t(VALUE_LABELS[key][value])
    return str(value)


def _pair(key: str, value: object, region_name: Callable[[str], str]) -> str:
    label = t(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key
    return f"{label}{'：' if i18n.lang() == 'zh' else ': '}{_value(key, value, region_name)}"


def detail_text(detail: str | None, region_name: Callable[[str], str] = str) -> str:
    """One row's stored detail as "键：值，键：值" (nested values in brackets); text that is not JSON as it is."""
    if not detail:
        return ""
    try:
        values = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    if not isinstance(values, dict):
        return str(values)
    return "；".join(_pair(k, v, region_name) for k, v in values.items())


# the writers that are no account: the command line and the app's own automatic steps (demo, scoring)
MACHINE_ACTORS = {"system": "系统", "cli": "命令行"}
# what an export, an unmask or a casework write was about, as stored (audit.record's target) → as people name it
TARGET_LABELS = {"watchlist": "风险名单", "rejects": "导入错误行", "public_notice": "公示名单"}
TARGET_PATTERNS = (
    (re.compile(r"^(?:hh:|household-)(\d+)$"), "档案（内部编号{id}）"),
    (re.compile(r"^lead:(\d+)$"), "线索第{id}号"),
    (re.compile(r"^attachment:(\d+)$"), "附件第{id}号"),
)


def target_label(target: object) -> str:
    """An audit row's object in words: 风险名单 rather than "watchlist", 线索第12号 rather than "lead:12".
    Names (an account, a file, a view) are shown as they are."""
    if not isinstance(target, str):
        return ""
    if target in TARGET_LABELS:
        return t_text(TARGET_LABELS[target])
    for pattern, label in TARGET_PATTERNS:
        if match := pattern.match(target):
            return t_text(label, id=match.group(1))
    return target


def actor_label(user_name: object) -> str:
    if not isinstance(user_name, str) or not user_name:
        return t_text("（未知账号）")  # a failed sign-in under a name that is no account: the name is not kept
    if user_name.startswith(DISPLAY_PREFIX):  # a wall screen signed in by a display token
        return t_text("大屏令牌 {id}", id=user_name.removeprefix(DISPLAY_PREFIX))
    return t_text(MACHINE_ACTORS[user_name]) if user_name in MACHINE_ACTORS else user_name


def audit_frame(rows: pd.DataFrame, region_name: Callable[[str], str] = str) -> pd.DataFrame:
    """The rows of queries.audit_log.search for the screen: time, user, action, object, region, detail."""
    regions = rows["region_adcode"].map(lambda r: region_name(r) if isinstance(r, str) and r else "")
    return pd.DataFrame({
        "at": rows["at"], "user_name": rows["user_name"].map(actor_label), "action": rows["action"].map(action_label),
        "target": rows["target"].map(target_label), "region": regions,
        "detail": rows["detail"].map(lambda d: detail_text(d, region_name)),
    })
