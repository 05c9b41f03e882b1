"""Which filters produced an export, as people read them (pure: no Streamlit, no SQL).

An export's header and its audit row say under which filters the rows were chosen (issue 12 §4): every filter
the watchlist offers, by its label in the UI language — never a code — and "全部" where none is set. The
watchlist's option labels live here, so the filter bar (ui/watchlist.py) and the export describe a filter
with the same words.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from typing import TypeVar

import pandas as pd

from safetynet import i18n
from safetynet.domain import codes, risk
from safetynet.domain.lines import NATION
from safetynet.domain.months import add_months
from safetynet.i18n import t_text
from safetynet.queries.watchlist import WatchlistQuery

# The watchlist's options (keys are the codes the URL carries; values are keys of the i18n catalogue)
FLAG_LABELS = {
    "migrant": "农民工家庭",
    "no_assistance": "尚未落实帮扶",
    "no_helper": "无结对帮扶",
    "school_risk": "学龄子女因学/辍学风险",
    "dq": "数据质量待核",
}
WORK_LABELS = {"overdue": "逾期未办", "mine": "我负责的", "pending": "待审批消除", "no_plan": "无一户一策"}
SORT_LABELS = {"score": "评分从高到低", "r": "收入/线从低到高", "new": "最近转为高风险", "file": "档案编号"}
NEW_SINCE = {"": "不限", "1": "本月新增", "3": "近3个月新增", "6": "近6个月新增"}

Filter = tuple[str, str]  # (label, value), both in the UI language
T = TypeVar("T")


def factor_label(code: str) -> str:
    """A risk-factor option: "" is every factor, "trigger" the hard triggers, a–h the score's factors."""
    if not code:
        return t_text("全部")
    if code == "trigger":
        return t_text("硬性触发")
    zh, en = risk.FACTOR_LABELS[code]
    return f"{code.upper()} {zh if i18n.lang() == 'zh' else en}"


def region_path(regions: pd.DataFrame, adcode: str) -> str:
    """A region with the province and prefecture above it ("广东省东莞市"); `regions` is indexed by adcode
    (queries.regions.load_regions). A code the table does not hold is shown as it is, never hidden."""
    if adcode == NATION:
        return t_text("全国")
    if adcode not in regions.index:
        return adcode
    row = regions.loc[adcode]
    names: list[str] = []
    for code in (row["prov_adcode"], row["pref_adcode"], adcode):
        if isinstance(code, str) and code in regions.index:
            name = str(regions.at[code, "name"])
            if not names or names[-1] != name:  # municipalities repeat their name at the prefecture level
                names.append(name)
    return ("" if i18n.lang() == "zh" else " ").join(names)


def _listed(labels: Sequence[str]) -> str:
    return ("、" if i18n.lang() == "zh" else ", ").join(labels) if labels else t_text("全部")


def _new_since_label(month: int, new_since: int | None) -> str:
    if new_since is None:
        return t_text(NEW_SINCE[""])
    for key in NEW_SINCE:  # the screen's options: 高 since the month 1, 3 or 6 months back counted inclusively
        if key and add_months(month, -(int(key) - 1)) == new_since:
            return t_text(NEW_SINCE[key])
    return t_text("{month}以来", month=i18n.fmt_month(new_since))


def _name(frame: pd.DataFrame | None, key_column: str, key: object, column: str) -> str:
    """A code's name from a reference frame; a code it does not hold is shown as it is, never hidden."""
    if frame is not None and not frame.empty:
        found = frame.loc[frame[key_column].astype(str) == str(key), column]
        if not found.empty:
            return str(found.iloc[0])
    return str(key)


def describe_region(regions: pd.DataFrame, adcode: str) -> list[Filter]:
    """A list filtered by region only (the public notice)."""
    return [(t_text("地区"), region_path(regions, adcode))]


def describe_watchlist(query: WatchlistQuery, regions: pd.DataFrame, sites: pd.DataFrame | None = None,
                       industries: pd.DataFrame | None = None) -> list[Filter]:
    """Every filter of `query` as (label, value): region, month, population, category, tier, status (when
    narrowed), factor, site, industry, focus flags, casework progress, newly high risk, sort.

    `regions` is indexed by adcode; `sites` has site_id, name and `industries` code, name_zh, name_en
    (queries.watchlist)."""
    f = query.filters
    site = t_text("全部")
    if query.site_id is not None:
        site = _name(sites, "site_id", query.site_id, "name")
    industry = t_text("全部")
    if query.industry:
        industry = _name(industries, "code", query.industry, "name_zh" if i18n.lang() == "zh" else "name_en")
    tiers = [i18n.label(codes.TIERS[k]) for k in codes.TIERS if k in query.tiers]
    described: list[Filter] = [
        (t_text("地区"), region_path(regions, f.region)),
        (t_text("月份"), i18n.fmt_month(query.month)),
        (t_text("对象类型"), i18n.label(codes.POPULATIONS[f.population]) if f.population else t_text("全部")),
        (t_text("类别"), i18n.label(codes.CATEGORIES[f.category]) if f.category else t_text("全部")),
        (t_text("风险等级"), _listed(tiers)),
    ]
    if query.statuses:  # the screen has no status filter; a query that narrows by one says so
        described.append((t_text("档案状态"), _listed([s if i18n.lang() == "zh" else codes.FILE_STATUS[s]
                                                   for s in query.statuses])))
    described += [
        (t_text("风险因素"), factor_label(query.factor or "")),
        (t_text("安置点"), site),
        (t_text("行业"), industry),
        (t_text("关注"), _listed([t_text(FLAG_LABELS[k]) for k in FLAG_LABELS if k in query.flags])),
        (t_text("办理进度"), _listed([t_text(WORK_LABELS[k]) for k in WORK_LABELS if k in query.work])),
        (t_text("新增高风险"), _new_since_label(query.month, query.new_since)),
        (t_text("排序"), t_text(SORT_LABELS[query.sort])),
    ]
    return described


def filters_text(described: Sequence[Filter]) -> str:
    """"地区 广东省东莞市；风险等级 高风险；…" (English: "Region: …; Tier: High; …")."""
    if i18n.lang() == "zh":
        return "；".join(f"{label} {value}" for label, value in described)
    return "; ".join(f"{label}: {value}" for label, value in described)


def in_chinese(build: Callable[[], T]) -> T:
    """`build()` with the UI language set to Chinese, leaving the caller's language as it was: the audit log
    keeps an export's filters in Chinese whatever language the export was made in."""
    def run() -> T:
        i18n.set_lang("zh")
        return build()
    return contextvars.copy_context().run(run)
