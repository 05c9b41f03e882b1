"""What the meeting screen (会议大屏) shows, as plain data (pure: no Streamlit, no SQL).

The slides, the carousel's rules (start at the first slide; a timer tick moves on only when the
slide has been up long enough, so an extra rerun never skips one), and each slide's cards and
tables as formatted text. A room sees aggregates only: regions, sites and industries, never a
person, unless the presenter asks for the masked list of newly high-risk households.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from safetynet import i18n, measures
from safetynet.i18n import t
from safetynet.views import kpi, progress
from safetynet.views import sites as site_views
from safetynet.views.maps import AREA_HEADERS

SLIDES = {
    "kpi": "核心指标", "map": "分布地图", "trend": "变化趋势", "newly": "新增高风险",
    "sites": "易地搬迁安置点", "industries": "行业", "migrants": "农民工", "work": "闭环工作排名",
}
ROWS = 10  # rows a table slide shows: readable from the back of a room at 1920×1080
# A timer tick comes every `every` seconds; one that arrives a little early (the timer restarts after a
# click) still moves on rather than leaving the slide up for two periods.
EARLY_TICK = 0.8


def parse_screens(raw: str | None) -> tuple[list[str], list[str]]:
    """(known slides in the order given, unknown names) of ?screens=kpi,map; every slide when absent or when
    no name is known."""
    if raw is None or not raw.strip():
        return list(SLIDES), []
    names = [name.strip() for name in raw.split(",") if name.strip()]
    known = list(dict.fromkeys(name for name in names if name in SLIDES))
    unknown = list(dict.fromkeys(name for name in names if name not in SLIDES))
    return known or list(SLIDES), unknown  # none known: the error is said over every slide, not a blank room


def unknown_slides_message(unknown: list[str]) -> str:
    """Said on screen (Markdown): the names come from the link, so they are cut short (t() escapes them)."""
    names = "、".join(name[:30] for name in unknown[:5]) + ("…" if len(unknown) > 5 else "")
    return t("链接中的页面名称无效：{names}。可用的页面：{valid}。", names=names,
             valid="、".join(f"{code}（{t(label)}）" for code, label in SLIDES.items()))


@dataclass(frozen=True)
class Carousel:
    """Which slide is up, since when, and whether the presenter paused it."""

    position: int = 0
    shown_at: float = 0.0
    paused: bool = False

    def tick(self, now: float, every: float, slides: int) -> Carousel:
        """A timer rerun: the next slide when this one has been up for (about) `every` seconds."""
        if self.paused or slides <= 1 or now - self.shown_at < every * EARLY_TICK:
            return self
        return Carousel((self.position + 1) % slides, now, False)

    def step(self, by: int, now: float, slides: int) -> Carousel:
        """Previous (-1) or next (+1), shown from now; a pause stays a pause."""
        return Carousel((self.position + by) % max(slides, 1), now, self.paused)

    def toggle_pause(self, now: float) -> Carousel:
        return Carousel(self.position, now, not self.paused)


@dataclass(frozen=True)
class Card:
    """A big number with its 环比/同比 lines; tone is "bad", "good" or "muted" (colour by meaning)."""

    label: str
    value: str
    alarm: bool
    changes: tuple[tuple[str, str], ...]


TONES = {"red": "bad", "green": "good", "gray": "muted"}
ALARM_MARKUP = re.compile(r":red\[\*\*(.*)\*\*\]")


def kpi_cards(kpis: list[kpi.Kpi]) -> list[Card]:
    cards = []
    for k in kpis:
        changes = []
        for label, change in (("环比", k.mom), ("同比", k.yoy)):
            text = measures.format_delta(change, k.spec.kind) or "—"  # no month to compare with says so
            changes.append((f"{t(label)} {text}", TONES[measures.change_colour(k.spec, change)]))
        cards.append(Card(t(k.title), measures.format_value(k.value, k.spec.kind),
                          measures.alarm(k.spec, k.value), tuple(changes)))
    return cards


def tile_cards(tiles: list[site_views.Tile]) -> list[Card]:
    """The sites screen's tiles (already formatted and small-cell suppressed) as meeting cards."""
    cards = []
    for tile in tiles:
        changes = []
        if tile.delta:
            rising = not tile.delta.startswith("-")
            good = (tile.delta_color == "normal") == rising
            changes.append((f"{tile.delta_note or t('环比')} {tile.delta}",
                            "muted" if tile.delta_color == "off" or tile.delta in ("0", "+0")
                            else ("good" if good else "bad")))
        if tile.caption:
            changes.append((tile.caption, "muted"))  # the sites screen's 同比 caption carries no judgement
        alarm = ALARM_MARKUP.fullmatch(tile.value)  # the tile's own red, for st.metric: a plain value here
        cards.append(Card(tile.label, alarm.group(1) if alarm else tile.value, bool(alarm), tuple(changes)))
    return cards


def _formatted(values: pd.Series, code: str) -> list[str]:
    return [measures.format_value(v, measures.get(code).kind) for v in values]


def newly_by_region(children: pd.DataFrame, child_level: int, limit: int = ROWS) -> pd.DataFrame:
    """Regions with the most newly high-risk households this month (counts only), with their high-risk
    households; the rest folded into one line so the column adds up to the region's total."""
    if children.empty:
        return pd.DataFrame()
    data = children.sort_values(["newly_high", "tier_high", "adcode"], ascending=[False, False, True])
    data = data[data["newly_high"] > 0]
    shown, rest = data.head(limit), data.iloc[limit:]
    names = list(shown["name"])
    newly, high = list(shown["newly_high"]), list(shown["tier_high"])
    if not rest.empty:
        names.append(t("其余{n}个地区", n=len(rest)))
        newly.append(rest["newly_high"].sum())
        high.append(rest["tier_high"].sum())
    return pd.DataFrame({
        t(AREA_HEADERS.get(child_level, "地区")): names,
        t(measures.get("newly_high").label): _formatted(pd.Series(newly, dtype=float), "newly_high"),
        t(measures.get("tier_high").label): _formatted(pd.Series(high, dtype=float), "tier_high"),
    })


def newly_names(rows: pd.DataFrame, mask) -> pd.DataFrame:
    """The masked list the presenter may ask for: masked names, area, score and the top two reasons."""
    reasons = rows["reasons"] if i18n.lang() == "zh" else rows["reasons_en"]
    sep = "；" if i18n.lang() == "zh" else "; "
    return pd.DataFrame({
        t("户主"): rows["head_name"].map(mask),
        t("地区名称"): rows["area"],
        t("评分"): rows["score"].map(lambda s: f"{int(s)}"),
        t("主要原因"): reasons.fillna("").str.split("；|; ", regex=True).str[:2].str.join(sep),
    })


def worst_sites(table: pd.DataFrame, limit: int = ROWS) -> pd.DataFrame:
    """The sites with the lowest employment of relocated labour (small counts shown as "<5")."""
    shown, _ = site_views.build_site_table(table, "jobs")
    return pd.DataFrame({
        t("安置点"): shown["name"],
        t("所在县"): shown["area"],
        **{t(measures.get(code).label): (shown[code].map(lambda v: "—" if pd.isna(v) else f"{v:.1f}%")
                                         if measures.get(code).kind == measures.SHARE else shown[code])
           for code in ("emp_rate", "labour_no_job", "tier_high")},
    }).head(limit)


def industry_rows(table: pd.DataFrame, names: dict[str, str], limit: int = ROWS) -> pd.DataFrame:
    """Industries with households this month, most high-risk share first."""
    data = table.loc[table["households"] > 0].copy()
    if data.empty:
        return pd.DataFrame()
    for code in ("high_share", "arrears_rate"):
        data[code] = measures.values(data, code)
    data = data.sort_values(["high_share", "households", "code"], ascending=[False, False, True]).head(limit)
    return pd.DataFrame({
        t("行业"): data["code"].map(lambda c: names.get(c, c)),
        **{t(measures.get(code).label): _formatted(data[code], code)
           for code in ("households", "high_share", "wage_arrears", "out_of_work")},
    })


def ranking_rows(ranking: pd.DataFrame, child_level: int, limit: int = ROWS) -> pd.DataFrame:
    """The work ranking (views.progress.ranking, composite) as the room reads it: place, region, change."""
    if ranking.empty:
        return pd.DataFrame()
    data = ranking.head(limit)
    return pd.DataFrame({
        t("排名"): data["rank"].map(lambda r: "—" if pd.isna(r) else str(int(r))),
        t(AREA_HEADERS.get(child_level, "地区")): data["name"],
        t("较上月"): data["change"],
        **{t(measures.get(code).label): data[code] for code in progress.COMPOSITE_CODES},
    })
