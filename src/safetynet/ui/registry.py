"""Every screen in one list: app.py builds the navigation from it, tests visit each entry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str  # under pages/
    title: str  # Chinese; translated at render time
    icon: str
    url_path: str
    section: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "总览", ":material/dashboard:", "overview", "监测"),
    PageSpec("map.py", "地图", ":material/map:", "map", "监测"),
    PageSpec("trends.py", "趋势", ":material/show_chart:", "trends", "监测"),
    PageSpec("sites.py", "安置点", ":material/home_work:", "sites", "专题"),
    PageSpec("industries.py", "行业", ":material/factory:", "industries", "专题"),
    PageSpec("migrants.py", "农民工", ":material/directions_walk:", "migrants", "专题"),
    PageSpec("my_work.py", "待办", ":material/assignment:", "my_work", "帮扶"),
    PageSpec("watchlist.py", "风险名单", ":material/checklist:", "watchlist", "帮扶"),
    PageSpec("household.py", "一户一档", ":material/folder_shared:", "household", "帮扶"),
    PageSpec("meeting.py", "会议大屏", ":material/co_present:", "meeting", "监测"),
    PageSpec("users.py", "用户管理", ":material/manage_accounts:", "users", "管理"),
    PageSpec("audit.py", "审计日志", ":material/policy:", "audit", "管理"),
    PageSpec("data_admin.py", "数据管理", ":material/upload_file:", "data", "管理"),
)
