"""English for data-integrity messages: the database's health, waiting imports, files without scores."""

EN = {
    "数据库当前为只读，无法写入（{where}）：登录、退出登录、查看完整信息、导出和导入都需要写入记录，已暂停。请联系管理员。":
        "The database is read-only ({where}): signing in and out, showing full details, exports and imports all "
        "write a record and are paused. Please contact an administrator.",
    "数据库文件已被删除或替换（{where}）：继续写入的记录会在重启后丢失，写入已停止。请恢复数据库文件并重启应用，或联系管理员。":
        "The database file was deleted or replaced ({where}): anything written now would be lost at the next "
        "restart, so writing has stopped. Restore the database file and restart the app, or contact an administrator.",
    "无法登录：{reason}": "Cannot sign in: {reason}",
    "无法保存用户变更：{reason}": "Cannot save the user change: {reason}",
    "退出登录未能记入审计日志：{reason}": "You are signed out, but the sign-out is missing from the audit log: {reason}",
    "无法查看完整信息：{reason}": "Cannot show full details: {reason}",
    "正在显示完整个人信息（事由：{reason}）。": "Showing full personal data (reason: {reason}).",
    "无法导出：{reason}": "Cannot export: {reason}",
    "无法保存视图：{reason}": "Cannot save the view: {reason}",
    "另一个导入正在进行，已等待{seconds}秒，请稍后再试":
        "Another import is running; waited {seconds} s. Please try again later.",
    "尚无评分：这户还没有月度观测数据，导入观测后自动评分。":
        "No score yet: this household has no monthly observations; it is scored once they are imported.",
}
