"""English for data-integrity messages: the database's health, waiting imports, files without scores."""

EN = {
    "另一个导入正在进行，已等待{seconds}秒，请稍后再试":
        "Another import is running; waited {seconds} s. Please try again later.",
    "尚无评分：这户还没有月度观测数据，导入观测后自动评分。":
        "No score yet: this household has no monthly observations; it is scored once they are imported.",
}
