"""English for the measures (safetynet.measures): labels, help texts, populations.

Labels that screens used before the measures list (监测户数, 高风险户, …) keep their English in
the screen catalogues; this file holds the definitions written for the list.
"""

EN = {
    "带 * 的数值基数不足{n}条线索或{n}户：只列出，不参与排名。": "Values marked * rest on fewer than {n} leads or files: listed, not ranked.",
    # labels
    "中风险户": "Medium risk",
    "低风险户": "Low risk",
    "逾期未帮扶户": "Overdue cases",
    # help texts
    "在档或帮扶中、认定满1个月仍未落实任何帮扶措施的档案户数；按数据截至月判断，只有当月数值，目标动态清零":
        "Open files with no assistance delivered one month after identification; judged at the data's as-of "
        "month, so there is no figure for earlier months; the target is to clear them all",
    "本月有风险评分的全部户数：在档、帮扶中，以及风险消除（解困、脱困）后仍在跟踪的户。"
    "高、中、低风险户合计等于此数；各项占比和覆盖率均以此为分母":
        "All households with a risk score this month: open files, files receiving help, and files still followed "
        "after their risk was eliminated or hardship relieved. High, medium and low risk add up to this number; "
        "every share and coverage rate is divided by it",
    "本月在档或帮扶中的档案户数（不含风险消除后仍在跟踪的户，所以少于评分户数）":
        "Files open or receiving help this month (without the files still followed after elimination, "
        "so fewer than the households scored)",
    "本月评分为高风险（含硬性触发）的户数，在本月评分户中统计":
        "Households scored high risk this month (hard triggers included), among the households scored this month",
    "本月评分为中风险的户数，在本月评分户中统计":
        "Households scored medium risk this month, among the households scored this month",
    "本月评分为低风险的户数，在本月评分户中统计":
        "Households scored low risk this month, among the households scored this month",
    "高风险户 ÷ 本月评分户数：分子分母都是本月有评分的户（含风险消除后仍在跟踪的户）":
        "High-risk households ÷ households scored this month: numerator and denominator are both the households "
        "with a score this month (files followed after elimination included)",
    "本月为高风险、上月不是高风险（或上月未评分）的户数":
        "Households high risk this month that were not high risk (or not scored) last month",
    "已落实帮扶措施的户数 ÷ 本月评分户数（含风险消除后仍在跟踪的户；目标100%）":
        "Households with assistance delivered ÷ households scored this month (files followed after elimination "
        "included; target 100%)",
    "有结对帮扶责任人的户数 ÷ 本月评分户数": "Households with a paired helper ÷ households scored this month",
    "本月评分户（人均收入 − 刚性支出）÷ 适用标准（低保标准、行业帮扶标准或防返贫监测线）的中位数，"
    "由分组直方图估算；低于1倍即在标准以下":
        "Median over the households scored this month of (income per person − rigid spending) ÷ the standard "
        "that applies (dibao standard, industry standard or monitoring line), estimated from a histogram; "
        "below 1× means below the standard",
    "本月评分户的家庭月收入合计 ÷ 本月评分户数":
        "Total monthly income of the households scored this month ÷ households scored this month",
    "春节后一个月仍有农民工未回到工作岗位的户数，只在春节次月统计；同比按春节对齐，与上一年春节的次月相比":
        "Households with a migrant worker still not back at work a month after the Spring Festival, counted only "
        "in the month after the festival; year on year is aligned on the festival (the month after last year's)",
    "本月家中有成员失业或未返岗的户数（在全部本月评分户中统计，不限农民工家庭）":
        "Households with a member out of work or not back at work this month (among all households scored this "
        "month, not only migrant-worker households)",
    "本月有成员被拖欠工资的户数（在全部本月评分户中统计）":
        "Households with a member owed wages this month (among all households scored this month)",
    "欠薪户 ÷ 本月评分户数": "Households with wage arrears ÷ households scored this month",
    "家庭成员中有农民工的户数（本月评分户）":
        "Households with a migrant worker among their members (households scored this month)",
    "有成员从事平台或灵活就业、既无养老保险也无工伤保险的户数（在全部本月评分户中统计）":
        "Households with a platform or flexible worker who has neither pension nor work-injury insurance "
        "(among all households scored this month)",
    # populations
    "本月评分户": "households scored this month",
    "在档及帮扶中的档案户": "open files",
    "有劳动能力的成员": "members able to work",
    # screen texts that name a measure by its label
    "{industry}：各地区欠薪率与高风险户占比（按欠薪户数排序）":
        "{industry}: arrears rate and high-risk share by area (most arrears first)",
    "高风险户占比最高的行业（{n}户以上）：**{name}**，{rate}":
        "Highest high-risk share (industries with {n}+ households): **{name}**, {rate}",
    "圆点为安置点：越大搬迁人口越多，越红高风险户占比越高。":
        "Each dot is a site: the larger, the more people relocated; the redder, the higher the high-risk share.",
    "高风险户占比 < 10%": "High-risk share < 10%",
    "单位：户。失业、欠薪、未参保在全部本月评分户中统计；春节后未返岗和心理疏导转介只统计有农民工的家庭。":
        "All figures are households. Out of work, wage arrears and uninsured count among all households scored "
        "this month; not back after the festival and counselling referrals count households with migrant "
        "workers only.",
    "占本月评分户{n}户的比例": "Share of the {n} households scored this month",
    # person-level migrant measures
    "跨省务工占比": "Cross-province share",
    "本月评分户家庭成员中的农民工人数": "Migrant workers among the members of the households scored this month",
    "来源地与务工地不在同一省的农民工 ÷ 农民工人数":
        "Migrant workers whose origin and work place are in different provinces ÷ migrant workers",
    "所在家庭本月评分为高风险的农民工 ÷ 农民工人数":
        "Migrant workers whose household is scored high risk this month ÷ migrant workers",
    "养老保险和工伤保险都没有参加的农民工 ÷ 农民工人数（平台和灵活就业者最常见）":
        "Migrant workers with neither pension nor work-injury insurance ÷ migrant workers "
        "(most common among platform and flexible workers)",
    # the work after a warning (domain.progress), as of a day
    "逾期线索": "Overdue leads",
    "线索逾期率": "Leads overdue",
    "逾期回访": "Overdue visits",
    "线索认定用时": "Days to decision",
    "有一户一策的档案": "Files with a plan",
    "已落实帮扶的档案": "Files helped",
    "未办结的预警线索": "open leads",
    "应回访的档案户": "files due for follow-up visits",
    "未办结的预警线索中，当前环节（入户核实或认定决定）已超过期限的条数；期限按工作日计算，截至当日；目标动态清零":
        "Open leads whose current step (home check, or decision) is past its deadline, counted in working days, "
        "as of the day; the target is to clear them all",
    "逾期线索 ÷ 截至当日未办结的预警线索": "Overdue leads ÷ leads still open on the day",
    "回访逾期率": "Visits overdue",
    "逾期回访 ÷ 截至当日应回访的档案户": "Overdue visits ÷ files due for follow-up visits on the day",
    "综合": "Overall",
    "综合：按{n}项比率各自排名后取平均名次，再排序": "Overall: the mean of the places in the {n} rates, ranked",
    "应回访的档案户（帮扶中，以及风险消除后12个月内）中，距上次回访（或纳入、消除之日）已超过回访间隔"
    "（默认每季度一次）的户数；截至当日；目标动态清零":
        "Files due for follow-up visits (receiving help, or within 12 months of risk elimination) whose last visit "
        "(or the day the file was opened or its risk eliminated) is longer ago than the visit interval (quarterly "
        "by default), as of the day; the target is to clear them all",
    "截至当日的一个月内作出认定决定的线索，从接收到决定所用工作日的中位数（期限为15个工作日）":
        "Median working days from receipt to decision, over the leads decided in the month up to the day (the "
        "deadline is 15 working days)",
    "本次纳入以来已制定一户一策（至少一项未取消的帮扶措施）的户 ÷ 截至当日在档及帮扶中的档案户":
        "Files with a household plan (at least one measure not cancelled) since they were last opened ÷ open "
        "files (in file or receiving help) on the day",
    "本次纳入以来已落实至少一次帮扶的户 ÷ 截至当日在档及帮扶中的档案户":
        "Files with help delivered at least once since they were last opened ÷ open files (in file or "
        "receiving help) on the day",
    # the overview's work section and ranking
    "闭环工作进度（截至{day}）": "The work after a warning (as of {day})",
    "预警线索的核实和认定、一户一策、帮扶落实和回访，按当日的期限规则和工作日计算；"
    "环比与一个月前的同一天相比，同比与一年前相比。":
        "Home checks and decisions on leads, household plans, help delivered and follow-up visits, against the "
        "deadline rules in working days; month on month compares with the same day a month ago, year on year "
        "with a year ago.",
    "排名依据": "Rank by",
    "**各地区排名**（按{measure}，1为最好）": "**Ranking of regions** (by {measure}; 1 is best)",
    "排名": "Rank",
    "较上月": "Since last month",
    "按所选指标排名，1为最好": "Rank by the chosen measure; 1 is best",
    "与一个月前同一天的排名相比：▲上升，▼下降": "Compared with the rank a month ago: ▲ up, ▼ down",
    "持平": "same",
    "统计口径：本月评分户 {households} 户 = 高风险 {tier_high} + 中风险 {tier_mid} + 低风险 {tier_low}。"
    "其中在档及帮扶中的档案户（监测户数）{open_files} 户；其余 {followed} 户是风险消除（解困、脱困）后"
    "仍在跟踪的户，评为高风险即返贫预警。各项占比和覆盖率以评分户为分母。":
        "Who is counted: {households} households scored this month = {tier_high} high + {tier_mid} medium + "
        "{tier_low} low risk. Of them, {open_files} are open files (monitored households); the other {followed} "
        "are followed after their risk was eliminated, and a high score on one of them is a relapse warning. "
        "Shares and coverage are over the households scored.",
}
