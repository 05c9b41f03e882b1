"""English for the 农民工 (migrant workers) screen."""

EN = {
    # KPI tiles (labels and help of views.migrants.MIGRANT_KPI_SPECS)
    "农民工家庭": "Migrant-worker households",
    "家庭成员中有农民工的户数（本月有评分的监测户）": "Monitored households (scored this month) with a migrant worker among their members",
    "春节后未返岗": "Not back after Spring Festival",
    "节后未返岗（{month}）": "Not back after festival ({month})",
    "春节后一个月仍有农民工未回到工作岗位的户数，取数据中最近一个春节的次月；同比按春节对齐：与上一年春节的次月相比。":
        "Households whose migrant workers were still not back at work one month after the Spring Festival, in the "
        "month after the latest festival in the data; vs last year is aligned on the festival: the month after the "
        "previous year's festival.",
    "失业或未返岗（全部监测户）": "Out of work (all households)",
    "本月有成员失业或未返岗的户数。汇总表不区分农民工家庭，此处按全部监测户统计。":
        "Households with a member unemployed or not back at work this month. The roll-ups cannot single out "
        "migrant households, so this counts all monitored households.",
    "欠薪（全部监测户）": "Wage arrears (all households)",
    "本月有成员被拖欠工资的户数，按全部监测户统计。": "Households with a member owed wages this month, among all monitored households.",
    "平台/灵活就业未参保": "Platform/flexible work, uninsured",
    "有成员从事平台或灵活就业、既无养老保险也无工伤保险的户数（全部监测户）。":
        "Households with a member in platform or flexible work with neither pension nor work-injury insurance "
        "(all monitored households).",
    "心理疏导转介（新生代农民工）": "Counselling (young migrants)",
    "有成员已转介心理疏导、且有1980年后出生的农民工在外务工的户数。只显示户数，不列名单。":
        "Households with a member referred for counselling and a migrant worker born 1980 or later working away "
        "from home. Counts only, no names.",
    "单位：户。失业、欠薪、未参保为全部监测户的户数；春节后未返岗和心理疏导转介只统计有农民工的家庭。":
        "All figures are households. Out of work, wage arrears and uninsured count all monitored households; "
        "not back after the festival and counselling referrals count households with migrant workers only.",
    # Spring Festival chart
    "春节前后：各年按春节对齐": "Around the Spring Festival, year by year",
    "春节后未返岗户": "Households not back after the festival",
    "失业或未返岗户（全部监测户）": "Households out of work (all households)",
    "春节月": "Festival",
    "节前{n}月": "−{n} mo.",
    "节后{n}月": "+{n} mo.",
    "{year}年春节（{date}）": "Spring Festival {year} ({date})",
    "{month}：{value}户": "{month}: {value} households",
    "春节在1月和2月之间浮动（{examples}），按日历月同比会把节前和节后的月份错位相比；按春节所在月对齐后，每条线的同一位置都是同一返岗阶段。":
        "The Spring Festival moves between January and February ({examples}), so comparing calendar months "
        "sets a month before one festival against a month after another; aligned on the festival month, the "
        "same point on every line is the same stage of the return to work.",
    # flows
    "农民工流向：从来源地到务工地（按省）": "Migrant flows: home area → work area (by province)",
    "农民工流向：从来源地到务工地（按地市）": "Migrant flows: home area → work area (by prefecture)",
    "当前范围内没有记录来源地和务工地的农民工。": "No migrant worker in this scope has a recorded home and work place.",
    "线越粗，人数越多": "Thicker line, more workers",
    "来源地（线的起点）": "Home area (start of the line)",
    "务工地（线的终点）": "Work area (end of the line)",
    "圆点：省内流动": "Dots: within one province",
    "圆点：地市内流动": "Dots: within one prefecture",
    "{origin} → {work}：{n}人": "{origin} → {work}: {n} workers",
    "{place}内流动：{n}人": "Within {place}: {n} workers",
    "人数最多的10条流向": "Ten largest flows",
    "来源地": "Home area",
    "务工地": "Works in",
    "其中跨省": "Cross-province",
    "共{total}名农民工有来源地和务工地记录，其中跨省务工{cross}人（{share}）。图中画出人数最多的{arcs}条跨地区流向。":
        "{total} migrant workers have a recorded home and work place; {cross} of them ({share}) work in another "
        "province. The map draws the {arcs} largest flows between areas. ",
    "这些流向就是农村劳动力向城市转移的路径。": "These flows are the routes by which rural labour moves to the cities.",
    "数据中还没有春节所在的月份，暂无法按春节对齐比较。":
        "The data holds no Spring Festival month yet, so nothing can be aligned on the festival.",
    # risk by work place
    "当前范围内没有农民工记录。": "No migrant workers recorded in this scope.",
    "农民工风险在哪里：按务工地点": "Where migrant workers' risk sits, by place of work",
    "务工地点": "Place of work",
    "农民工人数": "Migrant workers",
    "在高风险家庭": "In high-risk households",
    "无养老和工伤保险": "No pension or work-injury insurance",
    "合计": "Total",
    "未填写务工地点": "Not recorded",
    "两个占比的分母都是该行的农民工人数。“在高风险家庭”：所在家庭本月评分为高风险；“无养老和工伤保险”：两项都没有参加（平台和灵活就业者最常见）。":
        "Both shares are of the row's migrant workers. \"In high-risk households\": the worker's household is rated "
        "high risk this month; \"No pension or work-injury insurance\": enrolled in neither (most common in platform "
        "and flexible work).",
    "心理疏导转介只以户数合计显示，不列名单；只有记录了本人同意，才计入风险评分的心理支持因素（H）。":
        "Counselling referrals are shown only as household counts, never as a list; they count towards the risk "
        "score's psychological-support factor (H) only where the person's consent is recorded.",
}
