"""English for signing in and staying signed in (persistent sessions, back-off)."""

EN: dict[str, str] = {
    "已在本浏览器的其他标签页退出登录。": "You signed out in another tab of this browser.",
    "登录尝试过于频繁，请{n}秒后再试": "Too many sign-in attempts; please try again in {n} seconds",
    "用户名或密码不正确": "Wrong username or password",
    "账号已停用或密码已重置，请重新登录。":
        "Your account was disabled or its password was reset; please sign in again.",
    # the audit log's writers that are no account
    "系统": "System",
    "命令行": "Command line",
    "（未知账号）": "(no such account)",
}
