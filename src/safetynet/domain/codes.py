"""Code lists with the labels users see (DOMAIN §1, §4, §5).

Stored values are the codes on the left; Chinese is the default label and the
English label serves the English UI. Imports validate against these lists.
"""

from __future__ import annotations

POPULATIONS = {"worker": ("困难职工", "Union worker files"), "rural": ("防返贫监测户", "Rural monitored households")}

WORKER_CATEGORIES = {
    1: ("深度困难职工", "Deep hardship"),
    2: ("相对困难职工", "Relative hardship"),
    3: ("意外致困职工", "Hardship from a sudden event"),
}
MONITOR_CATEGORIES = {
    "01": ("脱贫不稳定户", "Unstable post-poverty household"),
    "02": ("边缘易致贫户", "Edge household at risk"),
    "03": ("突发严重困难户", "Sudden severe hardship"),
}
# One code per (population, category) for roll-ups and filters.
CATEGORIES = {
    "W1": WORKER_CATEGORIES[1], "W2": WORKER_CATEGORIES[2], "W3": WORKER_CATEGORIES[3],
    "R01": MONITOR_CATEGORIES["01"], "R02": MONITOR_CATEGORIES["02"], "R03": MONITOR_CATEGORIES["03"],
}


def category_code(population: str, worker_cat: int | None, monitor_cat: str | None) -> str:
    if population == "worker":
        assert worker_cat is not None  # a worker household has its category (the importer refuses one without)
        return f"W{int(worker_cat)}"
    return f"R{monitor_cat}"


FILE_STATUS = {
    "在档": "Open",
    "帮扶中": "Being assisted",
    "风险消除": "Risk eliminated",
    "已解困": "Hardship relieved",
    "已脱困": "Out of hardship",
    "退档": "Closed (left the files)",
    "注销": "Closed (deregistered)",
}
OPEN_STATUSES = ("在档", "帮扶中")
ELIMINATED_STATUSES = ("风险消除", "已解困", "已脱困")
CLOSED_STATUSES = ("退档", "注销")
CLOSE_REASONS = {"死亡": "Death", "退休": "Retirement", "转出": "Transferred", "识别不准": "Wrongly identified"}
ELIMINATION_METHODS = {"帮扶消除": "Through assistance", "自然消除": "Resolved naturally"}

SOURCES = {
    "农户自主申报": "Self-report (rural)",
    "职工申请": "Worker application",
    "基层干部排查": "Village cadre check",
    "部门筛查预警": "Department screening alert",
    "工会排查": "Union check",
    "企业报告": "Employer report",
}

RISK_TYPES = {
    "01": ("因病", "Illness"),
    "0201": ("因灾·洪涝", "Disaster: flood"),
    "0202": ("因灾·地质灾害", "Disaster: geological"),
    "0203": ("因灾·干旱", "Disaster: drought"),
    "0204": ("因灾·生物灾害", "Disaster: biological"),
    "0205": ("因灾·气象灾害", "Disaster: weather"),
    "0206": ("因灾·地震", "Disaster: earthquake"),
    "0299": ("因灾·其他", "Disaster: other"),
    "03": ("因残", "Disability"),
    "04": ("缺劳动力", "Lack of labour"),
    "05": ("因意外", "Accident"),
    "06": ("产业失败", "Failed farm or business"),
    "07": ("务工就业不稳", "Unstable wage work"),
    "09": ("因学", "Schooling costs"),
    "10": ("因疫", "Epidemic"),
    "11": ("欠薪/劳动争议", "Wage arrears / labour dispute"),
    "12": ("未返岗/失业", "Not back at work / unemployed"),
    "99": ("其他", "Other"),
}
# Events that count as "sudden" for 意外致困 / 突发严重困难 and the 80 % trigger.
SUDDEN_RISK_TYPES = ("01", "05", "0201", "0202", "0203", "0204", "0205", "0206", "0299", "10")

ASSISTANCE_TYPES = {
    "生活救助": "Living aid",
    "医疗救助": "Medical aid",
    "子女助学": "School aid",
    "就业帮扶": "Job help",
    "技能培训": "Skills training",
    "法律援助": "Legal aid",
    "心理疏导": "Counselling",
    "送温暖": "Holiday visit (送温暖)",
    "临时救助": "Emergency aid",
    "转介低保": "Referred to dibao",
    "产业帮扶": "Farm/business support",
    "公益岗位": "Public-welfare job",
    "搬迁后扶": "Post-relocation support",
    "健康帮扶": "Health support",
    "教育帮扶": "Education support",
    "金融帮扶": "Microcredit",
}
PROVIDERS = ("工会", "民政", "人社", "医保", "企业", "社会组织", "乡村振兴")

EMPLOYMENT_FORMS = {
    "劳动合同": "Labour contract",
    "劳务派遣": "Agency dispatch",
    "非全日制": "Part-time",
    "灵活就业": "Flexible work",
    "平台新就业形态": "Platform work",
    "务农": "Farming",
    "失业": "Unemployed",
    "未返岗": "Not back at work",
    "无": "Not working",
}
UNSTABLE_FORMS = ("灵活就业", "平台新就业形态")
OUT_OF_WORK_FORMS = ("失业", "未返岗")

LABOUR_CAPACITY = {
    "技能劳动力": "Skilled labour",
    "普通劳动力": "Ordinary labour",
    "弱劳动力或半劳动力": "Weak or half labour",
    "丧失劳动力": "Lost capacity to work",
    "无劳动力": "No labour (child, elderly)",
}
ABLE_TO_WORK = ("技能劳动力", "普通劳动力", "弱劳动力或半劳动力")

HEALTH = {"健康": "Healthy", "长期慢性病": "Chronic illness", "患大病": "Major illness", "残疾": "Disabled"}

RELATIONS = {
    "01": ("户主", "Head"),
    "10": ("配偶", "Spouse"),
    "20": ("子", "Son"),
    "30": ("女", "Daughter"),
    "40": ("孙子女", "Grandchild"),
    "50": ("父母", "Parent"),
    "60": ("祖父母", "Grandparent"),
    "70": ("兄弟姐妹", "Sibling"),
    "99": ("其他", "Other"),
}
SEXES = {"男": "Male", "女": "Female"}
EDUCATION = ("研究生", "大学", "大专", "中职", "高中", "初中", "小学", "文盲或半文盲", "学龄前")
SCHOOL_STAGES = {"学前": "Pre-school", "小学": "Primary", "初中": "Junior secondary", "高中": "Senior secondary",
                 "中职": "Vocational", "高校": "Higher education"}
COMPULSORY_STAGES = ("小学", "初中")
WORK_PLACES = {"县内": "Within county", "省内县外": "Other county, same province", "省外": "Other province"}
SITE_TYPES = {"城镇": "Town", "集镇": "Market town", "中心村": "Central village"}
ORG_LEVELS = ("全总", "省", "市", "县", "基层")
HELPER_KINDS = ("个人", "单位")
FOLLOWUP_METHODS = ("电话", "入户")

TIERS = {"高": ("高风险", "High", "#c62828"), "中": ("中风险", "Medium", "#ef8f00"), "低": ("低风险", "Low", "#2e7d32")}

# GB/T 4754 sections; GP is our split of 交通运输/居民服务 for platform delivery work.
INDUSTRIES = (
    # code, section, zh, en, mean monthly wage (DOMAIN §7), demo share of worker files
    ("C", "C", "制造业", "Manufacturing", 4978.0, 0.28),
    ("E", "E", "建筑业", "Construction", 5743.0, 0.14),
    ("F", "F", "批发和零售业", "Wholesale and retail", 4362.0, 0.13),
    ("G", "G", "交通运输、仓储和邮政业", "Transport and logistics", 5635.0, 0.08),
    ("H", "H", "住宿和餐饮业", "Hotels and catering", 4141.0, 0.08),
    ("O", "O", "居民服务、修理和其他服务业", "Domestic and resident services", 4023.0, 0.11),
    ("GP", "G", "快递外卖平台", "Delivery and platform work", 5500.0, 0.12),
    ("Z", "S", "其他行业", "Other", 4500.0, 0.06),
    ("A", "A", "农、林、牧、渔业", "Agriculture", 2600.0, 0.0),
)
