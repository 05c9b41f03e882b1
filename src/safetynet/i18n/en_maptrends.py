"""English for the map (地图) and trends (趋势) screens."""

EN = {
    # shared by both screens
    "选择指标": "Measure",
    "高风险户数": "High-risk households",
    "高风险户占比": "High-risk share",
    "高风险户 ÷ 本月评分的全部户数": "High-risk households ÷ all households scored this month",
    "收入中位数与线之比": "Median income ÷ line",
    "人均收入（扣除刚性支出）与低保标准或监测线之比的中位数；低于1倍即在线下":
        "Median of income per person (after rigid spending) ÷ the dibao standard or monitoring line; "
        "below 1× means below the line",
    "春节后未返岗": "Not back after Spring Festival",
    "春节后仍未返岗的农民工家庭户数（只在春节后一个月统计）":
        "Migrant households still not back at work after the Spring Festival (counted in the month after it)",
    "暂无监测户": "No monitored households",
    "{measure}（{population}，按{areas}）": "{measure} ({population}; areas: {areas})",
    "南海诸岛": "South China Sea Islands",
    "搬迁人数": "People relocated",
    # map
    "显示易地搬迁安置点": "Relocation sites",
    "上一级：{name}": "Up to {name}",
    "春节后未返岗只在春节后一个月统计，最近一次是{month}。":
        "“Not back after Spring Festival” is only counted in the month after the festival; the latest is {month}.",
    "查看{month}": "Show {month}",
    "{name}在{month}没有监测户。": "{name} had no monitored households in {month}.",
    "安置点（圆点大小 = 搬迁人口）": "Relocation sites (dot size = people relocated)",
    "高风险占比 < 10%": "High-risk share < 10%",
    "点击地图上的地区或表格中的地区名称，进入下一级。": "Click an area on the map, or its name in the table, to open the level below.",
    "各地区{metric}": "{metric} by area",
    "评分户数": "Households scored",
    "本月评分的全部户数，含风险消除后仍在跟踪的户；占比和覆盖率以此为分母":
        "Every household scored this month, including those still followed after their risk was eliminated; "
        "the denominator of the shares and of coverage",
    # trends
    "拆分方式": "Split",
    "显示方式": "Show as",
    "不拆分": "No split",
    "按地区": "By area",
    "按行业": "By industry",
    "按类别": "By category",
    "行业名称": "Industry",
    "指标名称": "Measure",
    "当月数值": "Monthly values",
    "环比变化（较上月）": "change vs last month",
    "同比变化（较去年同月）": "change vs same month last year",
    "其他地区": "Other areas",
    "近12个月": "Last 12 months",
    "线（1倍）": "the line (1×)",
    "本月新增认定": "New files this month",
    "本月新认定纳入监测的户数": "Households newly identified for monitoring this month",
    "风险消除": "Risk eliminated",
    "返贫返困户数": "Relapsed households",
    "有成员失业或未就业": "Someone out of work",
    "本月家中有人失业或未返岗的户数": "Households with someone unemployed or not back at work this month",
    "欠薪户数": "Households with wage arrears",
    "本月存在欠薪的户数": "Households owed wages this month",
    "{name}没有下级地区，按不拆分显示。": "{name} has no areas below it; shown without a split.",
    "行业数据只区分对象类型，不区分类别：此处为所选类别所属对象类型的全部户。":
        "Industry figures distinguish populations, not categories: this shows every household of the "
        "selected category's population.",
    "农民工返岗：按春节对齐比较": "Migrant workers' return: compared around the Spring Festival",
    "{label}：各年春节前后对比": "{label}: each year around the Spring Festival",
    "数据不足一个春节周期，暂无法对齐比较。": "Not enough data around a Spring Festival to compare yet.",
    "春节前后月份": "Months before / after the Spring Festival",
    "春节日期每年不同（{dates}），返乡和返岗的月份也随之移动。按日历月做同比，常常是拿一年的节后和另一年的节前相比。"
    "上图按春节所在月对齐：横轴同一位置都是“节后第几个月”，才是同口径比较。":
        "The Spring Festival falls on a different date every year ({dates}), and the months when migrant workers "
        "go home and come back move with it. A calendar year-on-year comparison often sets one year's weeks after "
        "the festival against another year's weeks before it. The chart aligns each year on the month of the "
        "festival, so every point on the same x position is the same stage of the return.",
    "例：{now}（节后第{n}个月）{label}{v_now}户。按日历同比对照{cal}（{v_cal}户），变化{d_cal}；"
    "按春节对齐应对照{before}（{v_before}户），变化{d_before}。":
        "Example: {now} (month {n} after the festival), {label}: {v_now} households. Against the same calendar "
        "month, {cal} ({v_cal}), the change is {d_cal}; against the same month after last year's festival, "
        "{before} ({v_before}), it is {d_before}.",
}
