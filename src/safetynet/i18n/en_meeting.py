"""English for the meeting screen (会议大屏)."""

EN = {
    "易地搬迁安置点": "Relocation sites",
    "闭环工作排名": "Work ranking",
    "已暂停": "paused",
    "上一页": "Previous",
    "下一页": "Next",
    "暂停": "Pause",
    "继续": "Continue",
    "新增高风险显示名单（已脱敏）": "List the newly high-risk households (masked)",
    "姓名已脱敏；只列出评分最高的{n}户。": "Names are masked; only the {n} highest scores are listed.",
    "本月新增高风险共{n}户（本月为高风险、上月不是）；只显示户数，不列名单。":
        "{n} households newly high risk this month (high now, not last month); counts only, no names.",
    "就业率最低的安置点在前；少于5户的数字显示为“<5”。":
        "Sites with the lowest employment first; numbers under 5 households show as \u201c<5\u201d.",
    "本月没有行业数据。": "No industry figures this month.",
    "高风险户占比高的行业在前；户数为本月评分户。":
        "Industries with the highest high-risk share first; households are those scored this month.",
    "{name}没有下级地区可以排名。": "{name} has no regions below it to rank.",
    "没有可以排名的地区。": "No region can be ranked.",
    "综合：按{n}项比率各自排名后取平均名次，再排序；1为最好。":
        "Overall: the mean of the places in the {n} rates, ranked; 1 is best.",
    "其余{n}个地区": "{n} other regions",
    "链接中的页面名称无效：{names}。可用的页面：{valid}。":
        "The link names slides that do not exist: {names}. Slides: {valid}.",
}
