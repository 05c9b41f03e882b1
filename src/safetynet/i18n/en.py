"""English for every Chinese UI string (key = the Chinese text as written in the code).

Each screen keeps its strings in its own `en_<area>.py` next to this file; they
are merged here. A string defined twice with different English is recorded in
CLASHES (the first definition wins) and a test fails on it.
"""

import importlib
import pkgutil
from pathlib import Path

EN: dict[str, str] = {
    "工会困难职工动态监测平台": "Safety Net Monitor",
    "总览": "Overview",
    "地图": "Map",
    "趋势": "Trends",
    "安置点": "Relocation sites",
    "行业": "Industries",
    "农民工": "Migrant workers",
    "风险名单": "Watchlist",
    "一户一档": "Household file",
    "数据截至{month}": "Data as of {month}",
    "语言": "Language",
    "地区": "Region",
    "省份": "Province",
    "地市": "Prefecture",
    "区县": "County",
    "全部": "All",
    "全国": "China",
    "对象类型": "Population",
    "类别": "Category",
    "监测户数": "Monitored households",
    "高风险户": "High risk",
    "本月新增高风险": "Newly high risk",
    "帮扶覆盖率": "Assistance coverage",
    "结对帮扶覆盖率": "Paired-help coverage",
    "本月风险消除": "Eliminated this month",
    "本月返贫返困": "Relapses this month",
    "环比": "vs last month",
    "同比": "vs last year",
    "同比 {value}": "vs last year {value}",
    "风险评分用于提示走访，不作为资格认定依据。": "A risk score is a prompt for a visit, not an eligibility decision.",
    "正在准备演示数据……": "Preparing demo data…",
    "首次启动：正在生成演示数据（约 {n} 户）": "First start: generating demo data (about {n} households)",
    "数据库为空。请导入数据或运行 python -m safetynet demo。": "The database is empty. Import data or run python -m safetynet demo.",
    "高风险户数（按省）": "High-risk households by province",
    "监测户与高风险户趋势": "Monitored and high-risk households",
    "本月新增高风险名单": "Newly high-risk this month",
    "户主": "Head",
    "地区名称": "Area",
    "评分": "Score",
    "风险等级": "Tier",
    "主要原因": "Main reasons",
    "档案编号": "File no.",
    "月份": "Month",
    "户数": "Households",
    "本月无新增高风险户。": "No household became high risk this month.",
    "困难职工": "Union worker files",
    "防返贫监测户": "Rural monitored households",
    "高风险户数（按地区）": "High-risk households by area",
    "数据库无法连接或初始化": "The database could not be opened or prepared",
    "个百分点": "pp",
    "监测": "Monitoring",
    "管理": "Administration",
    "审计日志": "Audit log",
    "用户管理": "Users",
    "操作": "Action",
    "用户": "User",
    "起始日期": "From",
    "结束日期": "To",
    "全部操作": "All actions",
    "登录失败": "Failed sign-in",
    "查看完整信息": "Show full details",
    "导出": "Export",
    "导入": "Import",
    "用户变更": "User change",
    "演示数据": "Demo data",
    "时间": "Time",
    "对象": "Target",
    "详情": "Details",
    "审计日志只追加、不修改；最多显示最近 {n} 条。": "The audit log is append-only; the latest {n} entries are shown.",
    "角色": "Role",
    "管辖范围": "Region scope",
    "启用": "Enabled",
    "锁定至": "Locked until",
    "最近登录": "Last sign-in",
    "新增用户": "Add a user",
    "初始密码（至少8位）": "Initial password (8+ characters)",
    "添加": "Add",
    "已新增用户 {name}": "Added {name}",
    "停用、启用或重置密码": "Disable, enable or reset a password",
    "停用": "Disable",
    "重置密码": "Reset password",
    "新密码": "New password",
    "执行": "Apply",
    "已完成": "Done",
    "会议大屏": "Meeting screen",
    "核心指标": "Key figures",
    "分布地图": "Map",
    "变化趋势": "Trend",
    "新增高风险": "Newly high risk",
    "高风险户占比": "High-risk share",
    "退出大屏": "Leave the meeting screen",
    "无权访问此页面。": "You may not open this page.",
    "登录已超时，请重新登录。": "Your session has expired; please sign in again.",
    "登录": "Sign in",
    "用户名": "User name",
    "密码": "Password",
    "演示模式：以下为演示账号，数据均为虚构。生产环境请设置 SAFETYNET_DEMO_MODE=0。":
        "Demo mode: demo accounts below, all data fictitious. Set SAFETYNET_DEMO_MODE=0 in production.",
    "演示领导": "Demo leader",
    "演示工作人员（贵州）": "Demo staff (Guizhou)",
    "演示管理员": "Demo administrator",
    "通过单位统一身份认证登录": "Sign in with your organisation's account",
    "此账号尚未开通，请联系管理员。": "This account has not been enabled; ask an administrator.",
    "退出": "Leave",
    "退出登录": "Sign out",
    "演示模式：数据均为虚构。": "Demo mode: all data is fictitious.",
    "专题": "Topics",
    "帮扶": "Casework",
    "在档及帮扶中的档案户数": "Open files (open or being assisted)",
    "本月评分为高风险（含硬性触发）的户数": "Households scored high risk this month (hard triggers included)",
    "本月为高风险、上月不是高风险的户数": "High risk this month but not last month",
    "已落实帮扶措施的户数 ÷ 本月纳入监测的全部户数（含消除后跟踪户；目标100%）": "Households with assistance delivered ÷ all households monitored this month, follow-up included (target 100%)",
    "有结对帮扶责任人的户数 ÷ 本月纳入监测的全部户数": "Households with a paired helper ÷ all households monitored this month",
    "本月风险消除、解困或脱困的户数": "Files whose risk was eliminated or hardship relieved this month",
    "消除后12个月内重新纳入监测的户数": "Files re-opened within 12 months of elimination",
}


CLASHES: list[tuple[str, str]] = []  # (module, key) defined with different English


def _merge() -> None:
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("en_"):
            extra = importlib.import_module(f"safetynet.i18n.{info.name}").EN
            for key, value in extra.items():
                if key in EN and EN[key] != value:
                    CLASHES.append((info.name, key))
                else:
                    EN[key] = value


_merge()
