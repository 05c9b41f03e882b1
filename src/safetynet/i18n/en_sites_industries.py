"""English for the 安置点 (relocation sites) and 行业 (industries) screens."""

EN = {
    # ---------------------------------------------------------------- 安置点 relocation sites
    "当前地区没有易地扶贫搬迁安置点的数据。": "There are no relocation sites in this area.",
    # KPI tiles
    "**{sites}**个安置点，搬迁 **{households}** 户、**{people}** 人，其中 **{stations}** 个设有工会服务站（项目登记数据）":
        "**{sites}** sites: **{households}** households, **{people}** people relocated; **{stations}** of the sites "
        "have a union service station (programme figures)",
    "搬迁人口": "People relocated",
    "纳入监测户": "Monitored",
    "本月纳入监测的全部户数：在档、帮扶中，以及风险消除后仍在跟踪的户；本页比率均以此为分母":
        "All households monitored this month: open, being assisted, and still followed up after their risk was "
        "eliminated; the rates on this page are shares of this number",
    "搬迁劳动力就业率": "Employment rate",
    "本月已就业的成员 ÷ 有劳动能力的成员（全国2022年为94.5%）":
        "Members in work this month ÷ members able to work (national figure for 2022: 94.5%)",
    "零就业家庭": "Jobless homes",
    "家中有劳动力、但本月无人就业的户数；目标动态清零":
        "Households with members able to work but nobody in work this month; the target is to clear them all",
    "高风险占比": "High-risk share",
    "高风险户 ÷ 本月纳入监测的全部户数": "High-risk households ÷ all households monitored this month",
    "{sites}个安置点共有{n}户零就业家庭（有劳动力但本月无人就业，目标动态清零）：{names}。请优先安排就业帮扶、公益岗位或帮扶车间岗位。":
        "{n} jobless households (members able to work, nobody in work this month; the target is none) "
        "at {sites} site(s): {names}. Give them priority for job help, public-welfare jobs or workshop jobs.",
    "等{n}个安置点": " and others ({n} sites in all)",
    # map and benchmark chart
    "安置点分布": "Where the sites are",
    "圆点为安置点：越大搬迁人口越多，越红高风险占比越高。":
        "Each dot is a site: the larger, the more people relocated; the redder, the higher the high-risk share.",
    "全国2022年 {value}": "National 2022: {value}",
    "搬迁劳动力就业率（最低的{n}个安置点）": "Employment rate of relocated labour: the {n} lowest sites",
    "各安置点搬迁劳动力就业率": "Employment rate of relocated labour by site",
    # table
    "安置点一览": "All sites",
    "排序": "Sort",
    "高风险户多的在前": "Most high-risk households first",
    "就业率低的在前": "Lowest employment rate first",
    "零就业家庭多的在前": "Most jobless households first",
    "帮扶覆盖率低的在前": "Lowest assistance coverage first",
    "搬迁人口多的在前": "Most people relocated first",
    "所在县": "County",
    "安置类型": "Type",
    "搬迁户数": "Households relocated",
    "车间岗位": "Workshop jobs",
    "帮扶车间岗位数": "Jobs in the site's assistance workshops",
    "服务站": "Union station",
    "是否设有工会服务站": "Whether the site has a union service station",
    "就业率": "Employment rate",
    "安置点在县以下：少于5户的数字显示为“<5”，不足5户（人）时不计算比率。点选一行可查看该安置点详情。":
        "Sites are below county level: counts under 5 show as \"<5\" and no rate is computed over fewer than "
        "5 households (or workers). Click a row to open the site.",
    # detail
    "安置点详情": "Site detail",
    "选择安置点": "Choose a site",
    "请选择…": "Choose…",
    "在上表中点选一行，或在此选择一个安置点，查看其就业、风险和帮扶情况。":
        "Click a row in the table above, or choose a site here, to see its jobs, risk and assistance.",
    "{kind}安置点": "{kind} site",
    "{year}年建成": "opened {year}",
    "搬迁{households}户{people}人": "{households} households, {people} people relocated",
    "帮扶车间岗位{n}个": "{n} workshop jobs",
    "工会服务站：有": "Union service station: yes",
    "工会服务站：无": "Union service station: no",
    "近12个月各类帮扶覆盖": "Assistance in the last 12 months",
    "占纳入监测户{n}户的比例": "Share of the {n} households monitored",
    "{share}（{n}户）": "{share} ({n})",
    "纳入监测户少于5户或近12个月无帮扶记录，不显示分类覆盖。":
        "Fewer than 5 monitored households or no assistance in the last 12 months: no breakdown shown.",
    "风险等级构成（按月）": "Risk tiers by month",
    "搬迁劳动力就业率（按月）": "Employment rate by month",
    # ---------------------------------------------------------------- 行业 industries
    "行业汇总按对象类型统计：本页显示“{population}”全部类别，不再细分到“{category}”。":
        "Industry totals are kept per population: this page shows all of \"{population}\", not only \"{category}\".",
    "各行业监测情况（{month}）": "Industries, {month}",
    "欠薪户最多的行业：**{name}**，{n}户{rate}": "Most wage-arrears households: **{name}**, {n}{rate}",
    "占该行业{rate}": "{rate} of the industry",
    "高风险率最高的行业（{n}户以上）：**{name}**，{rate}":
        "Highest high-risk rate (industries with {n}+ households): **{name}**, {rate}",
    "高风险率": "High-risk rate",
    "欠薪户": "Wage arrears",
    "本月有成员被拖欠工资的户数": "Households with a member owed wages this month",
    "欠薪率": "Arrears rate",
    "欠薪户 ÷ 本月纳入监测的全部户数": "Wage-arrears households ÷ all households monitored this month",
    "失业或未返岗户": "Out of work",
    "本月有成员失业或未返岗的户数": "Households with a member unemployed or not back at work this month",
    "户均月收入（元）": "Mean income (¥/mo)",
    "本月家庭总收入 ÷ 户数": "Household income this month ÷ households",
    "收入/标准（中位数）": "Median income ÷ line",
    "（人均收入 − 刚性支出）÷ 帮扶标准的中位数；低于1.0即低于标准，由分组直方图估算":
        "Median of (income − rigid spending) per person ÷ the assistance line; below 1.0 is below the line. "
        "Estimated from the binned histogram.",
    "标准系数": "Line multiplier",
    "行业困难职工帮扶标准系数：1.0 即当地低保标准（农村监测户为防返贫监测线）":
        "Industry multiplier on the hardship line: 1.0 = the local dibao line "
        "(the monitoring line for rural households)",
    "行业帮扶标准系数：1.0 即按当地低保标准（农村监测户为防返贫监测线）认定，1.2 即标准上浮20%。没有登记行业的农村户计入“其他行业”。":
        "Industry line multiplier: 1.0 means the local dibao line (the monitoring line for rural households); "
        "1.2 means a line 20% higher. Rural households without a recorded industry count under \"Other\".",
    "行业趋势": "Trends by industry",
    "重点行业": "Focus on an industry",
    "全部行业": "All industries",
    "选择一个重点行业，可单独查看它的趋势并与全部行业比较；点击图例可隐藏或显示某个行业。":
        "Focus on one industry to see its trends alone, against all industries; click the legend to hide or "
        "show an industry.",
    "{industry}：各地区欠薪率与高风险率（按欠薪户数排序）":
        "{industry}: arrears and high-risk rates by area (most arrears first)",
    "{n}户/{total}户": "{n} of {total} households",
    "{region}没有下级地区的行业数据。": "{region} has no areas below it with industry data.",
}
