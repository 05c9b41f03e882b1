"""English for the measures (safetynet.measures): labels, help texts, populations.

Labels that screens used before the measures list (监测户数, 高风险户, …) keep their English in
the screen catalogues; this file holds the definitions written for the list.
"""

EN = {
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
}
