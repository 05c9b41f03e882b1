"""English for display tokens (大屏令牌): a meeting room's wall screen signed in by a long-lived link."""

EN: dict[str, str] = {
    # 用户管理: the section
    "大屏令牌": "Display tokens",
    "会议室大屏的长期链接：无需密码，只能打开会议大屏，始终脱敏，不因无人操作而退出；断电重启后打开同一链接即可。"
    "链接只在签发时显示一次。":
        "A long-lived link for a meeting room's wall screen: no password, the meeting screen only, always masked, "
        "no sign-out when nobody touches it; after a power cut, open the same link again. The link is shown once, "
        "when it is issued.",
    "已签发大屏令牌“{name}”，有效期至{date}。请现在复制下面的链接，它不会再次显示。":
        "Display token “{name}” issued, valid until {date}. Copy the link below now: it will not be shown again.",
    "已撤销大屏令牌，使用它的大屏将在下一页时退出。":
        "Display token revoked; a screen using it stops at its next slide.",
    "尚未签发大屏令牌。": "No display tokens issued yet.",
    "签发大屏令牌": "Issue a display token",
    "撤销大屏令牌": "Revoke a display token",
    "大屏名称": "Screen name",
    "例如：三楼会议室": "e.g. Meeting room, 3rd floor",
    "显示范围": "Region shown",
    "有效期（天）": "Valid for (days)",
    "签发": "Issue",
    "撤销": "Revoke",
    "没有有效的大屏令牌": "No valid display tokens",
    # the tokens table
    "签发人": "Issued by",
    "签发时间": "Issued at",
    "最近使用": "Last used",
    "从未使用": "Never",
    "有效期至": "Valid until",
    "撤销时间": "Revoked at",
    "撤销人": "Revoked by",
    "有效": "Valid",
    "已撤销": "Revoked",
    "已过期": "Expired",
    # refusals of an issue or a revocation
    "大屏名称须为1–{n}个字符": "The screen name must be 1–{n} characters",
    "有效期须为1–{n}天": "The validity must be 1–{n} days",
    "地区代码 {code} 不存在": "Region code {code} does not exist",
    "无法保存大屏令牌：{reason}": "Cannot save the display token: {reason}",
    "没有此大屏令牌，或它已被撤销": "No such display token, or it was already revoked",
    "用户名不能以 {prefix} 开头": "A username cannot start with {prefix}",
    # the wall screen's link refused
    "大屏令牌无效，请核对链接，或联系管理员重新签发。":
        "This display token is not valid: check the link, or ask an administrator for a new one.",
    "此大屏令牌已被撤销，请联系管理员重新签发。":
        "This display token was revoked; ask an administrator for a new one.",
    "此大屏令牌已过期，请联系管理员重新签发。": "This display token has expired; ask an administrator for a new one.",
    "大屏令牌已失效，请联系管理员重新签发。": "This display token no longer works; ask an administrator for a new one.",
    "无法打开大屏：{reason}": "Cannot open the wall screen: {reason}",
    # the audit log
    "令牌编号": "Token number",
    "打开大屏": "screen opened",
    "拒绝打开": "screen refused",
    "大屏令牌 {id}": "Display token {id}",
}
