"""Why a staff action was refused: Chinese text people can act on (nothing was written)."""

from __future__ import annotations

from safetynet.db.errors import WriteRefused

NOT_FOUND = "没有这户档案，或不在您的管辖范围内"
LEAD_NOT_FOUND = "没有这条线索，或不在您的管辖范围内"
CONFLICT = "该档案已被他人修改（{who}），您的修改未保存。请刷新页面，看过最新内容后再提交"
LEAD_CONFLICT = "这条线索已被他人修改（{who}），您的修改未保存。请刷新页面后再提交"
NOT_ALLOWED = "您的角色（{role}）不能办理此事项"


class CaseworkRefused(WriteRefused):
    """A staff action that was not carried out; `message` says why in Chinese."""


class Invalid(CaseworkRefused):
    """The input breaks a rule (the same rules an import applies)."""


class OutOfScope(CaseworkRefused):
    """The object does not exist or lies outside the user's region: the two are not told apart."""


class Conflict(CaseworkRefused):
    """Someone else saved the same file or lead after this form was opened."""
