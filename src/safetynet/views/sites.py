"""安置点 Relocation sites: KPI tiles, the site table, the site map and the site-detail charts.

Pure builders (DataFrame → tiles / table config / figure / deck). Sites are below
county level, so every household count leaves here through `privacy.suppress_small`
("<5"), and a rate is not computed over fewer than five households or workers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from safetynet import geo, i18n, measures
from safetynet.domain import codes
from safetynet.domain.months import add_months
from safetynet.i18n import fmt_count, fmt_month, fmt_pct, t, t_text
from safetynet.measures import Measure
from safetynet.privacy import SMALL_CELL, suppress_small
from safetynet.text import figure_text
from safetynet.views import basemap, maps
from safetynet.views.columns import Column, ColumnSpec
from safetynet.views.figures import PALETTE, house_layout, share_axis

# Employment rate of relocated labour, national figure for 2022 (DOMAIN §6).
NATIONAL_EMPLOYMENT_RATE = 0.945
RED = codes.TIERS["高"][2]
GRID = "rgba(128,128,128,0.25)"


# The measures the tiles and the site table show (definitions: safetynet.measures).
TILE_SPECS: dict[str, Measure] = {m.code: m for m in measures.select("sites_scope") + measures.select("sites_site")}
SCOPE_TILES = measures.codes("sites_scope")
SITE_TILES = measures.codes("sites_site")
# the shares these screens show (the site map colours by high_share)
RATES = tuple(dict.fromkeys(code for part in ("sites_scope", "sites_site", "sites_table", "sites_map")
                            for code in measures.SCREENS[part] if measures.get(code).kind == measures.SHARE))


@dataclass(frozen=True)
class Tile:
    """One st.metric, with every text already translated, formatted and suppressed."""

    label: str
    value: str
    delta: str | None = None  # 环比
    delta_color: str = "normal"
    delta_note: str | None = None  # what the delta is: 环比
    help: str | None = None
    chart: tuple[float, ...] | None = None
    caption: str = ""  # under the tile: 同比

    def metric_kwargs(self) -> dict[str, object]:
        return {"label": self.label, "value": self.value, "delta": self.delta, "delta_color": self.delta_color,
                "delta_description": self.delta_note, "help": self.help, "border": True,
                "chart_data": list(self.chart) if self.chart else None, "chart_type": "line", "height": "stretch"}


# ---------------------------------------------------------------- numbers
def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Roll-up sums with emp_rate, high_share and assist_cov added; no rate over fewer than five
    households or workers (NaN)."""
    return measures.with_values(frame, RATES, min_denominator=SMALL_CELL)


def count_text(n: float | None) -> str:
    """A household count as shown below county level: 0, "<5", 12, "1.2万"."""
    shown = suppress_small(n)
    return shown if isinstance(shown, str) else fmt_count(shown)


def paren(text: str) -> str:
    """Brackets as each language writes them: （…） in Chinese, " (…)" in English."""
    return f"（{text}）" if i18n.lang() == "zh" else f" ({text})"


def colon() -> str:
    return "：" if i18n.lang() == "zh" else ": "


def listing(items: list[str]) -> str:
    return ("、" if i18n.lang() == "zh" else ", ").join(items)


def _is_small(n: float | None) -> bool:
    return n is not None and not pd.isna(n) and 0 < n < SMALL_CELL


def _tile(spec: Measure, values: pd.DataFrame, month: int) -> Tile:
    def at(m: int) -> float | None:
        if m not in values.index or pd.isna(values.at[m, spec.code]):
            return None
        return float(values.at[m, spec.code])

    now, prev, last_year = at(month), at(add_months(month, -1)), at(add_months(month, -12))

    def change(other: float | None) -> str | None:
        if now is None or other is None or (spec.kind == "count" and (_is_small(now) or _is_small(other))):
            return None
        return measures.format_delta(now - other, spec.kind)

    if spec.kind == "share":  # "100%" rather than "100.0%", which no longer fits a narrow tile
        value = fmt_pct(now, 0 if now is not None and now >= 0.9995 else 1)
    else:
        value = count_text(now)
    alarm = measures.alarm(spec, now)
    history = values[spec.code][values.index <= month].tail(12).dropna()
    # a sparkline of counts would draw the small counts the tile hides
    hidden = spec.kind == "count" and any(_is_small(v) for v in history)
    mom, yoy = change(prev), change(last_year)
    return Tile(
        label=t(spec.label), value=f":red[**{value}**]" if alarm else value, delta=mom,
        delta_note=t("环比") if mom is not None else None,
        delta_color=measures.delta_colour(spec), help=t(spec.help),
        chart=None if hidden or len(history) < 2 else tuple(float(v) for v in history),
        caption=t("同比 {value}", value=yoy or "—"))


def _monthly_values(monthly: pd.DataFrame) -> pd.DataFrame:
    return with_rates(monthly).set_index("month").sort_index()


def scope_summary(table: pd.DataFrame) -> str:
    """One line of programme facts over the sites in scope (markdown)."""
    return t("**{sites}**个安置点，搬迁 **{households}** 户、**{people}** 人，"
             "其中 **{stations}** 个设有工会服务站（项目登记数据）",
             sites=fmt_count(len(table)), households=fmt_count(int(table["households_relocated"].sum())),
             people=fmt_count(int(table["people_relocated"].sum())),
             stations=fmt_count(int(table["has_service_station"].sum())))


def build_scope_tiles(monthly: pd.DataFrame, month: int) -> list[Tile]:
    """The headline tiles over the sites in scope, with 环比 and 同比."""
    values = _monthly_values(monthly)
    return [_tile(TILE_SPECS[key], values, month) for key in SCOPE_TILES]


def build_site_tiles(monthly: pd.DataFrame, month: int) -> list[Tile]:
    """KPI tiles of one site with 环比 (vs last month) and 同比."""
    return [_tile(TILE_SPECS[key], _monthly_values(monthly), month) for key in SITE_TILES]


def no_job_alert(table: pd.DataFrame) -> str | None:
    """The call to action when households with labour have nobody in work (target 0)."""
    hit = table.loc[table["labour_no_job"] > 0]
    if hit.empty:
        return None
    total = int(hit["labour_no_job"].sum())
    names = hit.sort_values(["labour_no_job", "site_id"], ascending=[False, True])["name"].tolist()
    listed = listing(names[:5]) + (t("等{n}个安置点", n=len(names)) if len(names) > 5 else "")
    return t("{sites}个安置点共有{n}户零就业家庭（有劳动力但本月无人就业，目标动态清零）：{names}。"
             "请优先安排就业帮扶、公益岗位或帮扶车间岗位。",
             sites=len(hit), n=count_text(total), names=listed)


# ---------------------------------------------------------------- the table
SORTS = {  # code in the URL → (label, column, ascending)
    "risk": ("高风险户多的在前", "tier_high", False),
    "jobs": ("就业率低的在前", "emp_rate", True),
    "nojob": ("零就业家庭多的在前", "labour_no_job", False),
    "cover": ("帮扶覆盖率低的在前", "assist_cov", True),
    "size": ("搬迁人口多的在前", "people_relocated", False),
}
DEFAULT_SORT = "risk"


def site_type_label(code: str) -> str:
    return codes.SITE_TYPES.get(code, code) if i18n.lang() == "en" else code


def site_area(row: pd.Series) -> str:
    """Province (short) and county: 贵州 施秉县."""
    prov = next((v for v in (row.get("prov_short"), row.get("prov_name")) if isinstance(v, str) and v), "")
    return f"{prov} {row['county']}".strip()


def site_areas(table: pd.DataFrame) -> list[str]:
    """site_area for every row (a Python loop over rows costs ~0.3 s per call at 2,000 sites)."""
    def column(name: str) -> pd.Series:
        return table[name] if name in table else pd.Series([None] * len(table), index=table.index, dtype=object)

    prov = column("prov_short").where(column("prov_short").astype(bool) & column("prov_short").notna(),
                                      column("prov_name")).fillna("")
    return [f"{p} {c}".strip() for p, c in zip(prov, table["county"], strict=True)]


def _table_column(data: pd.DataFrame, code: str) -> pd.Series:
    """A measure as the site table shows it: shares in %, counts suppressed ("<5"), ⚠ above a target of 0."""
    spec = measures.get(code)
    if spec.kind == measures.SHARE:
        return data[code] * 100
    return data[code].map(lambda n: ("⚠ " if measures.alarm(spec, n) else "") + count_text(n))


def build_site_table(table: pd.DataFrame, sort: str = DEFAULT_SORT) -> tuple[pd.DataFrame, ColumnSpec]:
    """The sortable site table: (frame indexed by site_id, its columns' spec)."""
    _, column, ascending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    data = with_rates(table).sort_values([column, "site_id"], ascending=[ascending, True], na_position="last")
    shown = pd.DataFrame({
        "name": data["name"],
        "area": site_areas(data),
        "site_type": data["site_type"].map(site_type_label),
        "households_relocated": data["households_relocated"],
        "people_relocated": data["people_relocated"],
        "workshop_jobs": data["workshop_jobs"],
        "station": data["has_service_station"].map(lambda v: "✓" if v else ""),  # reads the same in both languages
        **{code: _table_column(data, code) for code in measures.SCREENS["sites_table"]},
    })
    shown.index = data["site_id"].to_numpy()

    def measure(code: str) -> Column:  # suppressed counts are text ("<5"), right-aligned like numbers
        spec = measures.get(code)
        if spec.kind == measures.SHARE:
            return Column("number", t(spec.label), help=t(spec.help), format="%.1f%%")
        return Column("text", t(spec.label), help=t(spec.help), alignment="right")

    config: dict[str, Column | str] = {
        "name": Column("text", t("安置点"), pinned=True),  # stays in view when scrolled sideways
        "area": t("所在县"),
        "site_type": Column("text", t("安置类型"), width="small"),
        "households_relocated": Column("number", t("搬迁户数"), format="localized"),
        "people_relocated": Column("number", t("搬迁人口"), format="localized"),
        "workshop_jobs": Column("number", t("车间岗位"), format="localized", help=t("帮扶车间岗位数")),
        "station": Column("text", t("服务站"), alignment="center", help=t("是否设有工会服务站")),
        **{code: measure(code) for code in measures.SCREENS["sites_table"]},
    }
    return shown, config


def table_height(rows: int, max_rows: int = 16) -> int:
    """Pixels for st.dataframe to show up to `max_rows` rows without an inner scroll bar."""
    return 38 + 35 * max(1, min(rows, max_rows)) + 2


def site_options(table: pd.DataFrame) -> dict[str, str]:
    """Site id (as text, for the URL) → name with county, in name order."""
    ordered = table.sort_values(["name", "site_id"])
    return {str(int(i)): name + paren(area)
            for i, name, area in zip(ordered["site_id"], ordered["name"], site_areas(ordered), strict=True)}


# ---------------------------------------------------------------- figures
def month_ticks(labels: list[str], every: int = 6) -> list[str]:
    """Every `every`-th month label, counted back from the latest, so the axis never crowds."""
    return labels[::-1][::every][::-1]


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return house_layout(fig, title, height, top=56, title_size=17, hovermode=None)


def _benchmark(fig: go.Figure, horizontal: bool) -> None:
    text = t("全国2022年 {value}", value=fmt_pct(NATIONAL_EMPLOYMENT_RATE))
    line = {"dash": "dash", "color": "#555", "width": 2}
    if horizontal:
        fig.add_vline(x=NATIONAL_EMPLOYMENT_RATE, line=line, layer="below", annotation_text=text,
                      annotation_position="top")
    else:
        fig.add_hline(y=NATIONAL_EMPLOYMENT_RATE, line=line, annotation_text=text,
                      annotation_position="bottom left")


def build_employment_by_site_figure(table: pd.DataFrame, limit: int = 15, height: int = 420) -> go.Figure:
    """Sites with the lowest employment rate of relocated labour, against the national figure."""
    data = with_rates(table).dropna(subset=["emp_rate"]).sort_values(["emp_rate", "site_id"]).head(limit)
    data = data.iloc[::-1]  # lowest at the top
    colors = [RED if r < NATIONAL_EMPLOYMENT_RATE else PALETTE[0] for r in data["emp_rate"]]
    fig = go.Figure(go.Bar(
        x=data["emp_rate"], y=data["name"].map(figure_text), orientation="h", marker_color=colors,  # imported names
        text=[fmt_pct(r) for r in data["emp_rate"]], textposition="outside", cliponaxis=False,
        customdata=site_areas(data),
        hovertemplate="%{y}" + paren("%{customdata}") + "<br>" + t(measures.get("emp_rate").label) + colon() + "%{text}<extra></extra>"))
    # from zero: an axis starting at 86 % made 94.2 % against 94.5 % look like a collapse
    fig.update_xaxes(**share_axis([*data["emp_rate"], NATIONAL_EMPLOYMENT_RATE]), gridcolor=GRID)
    fig.update_yaxes(type="category", automargin=True)
    _benchmark(fig, horizontal=True)
    height = min(height, 150 + 26 * len(data))  # a few sites get slim bars, not a wall of colour
    if len(table) > limit:
        _layout(fig, t("搬迁劳动力就业率（最低的{n}个安置点）", n=len(data)), height)
    else:
        _layout(fig, t("各安置点搬迁劳动力就业率"), height)
    fig.update_layout(showlegend=False, bargap=0.3, margin={"r": 56})
    return fig


def build_assistance_figure(by_type: pd.DataFrame, monitored: int, height: int = 380) -> go.Figure | None:
    """Share of the site's monitored households that received each assistance type in 12 months."""
    if monitored < SMALL_CELL or by_type.empty:
        return None
    data = by_type.assign(share=by_type["households"] / monitored).sort_values(["share", "aid_type"])
    names = [codes.ASSISTANCE_TYPES.get(a, a) if i18n.lang() == "en" else a for a in data["aid_type"]]
    labels = [t_text("{share}（{n}户）", share=fmt_pct(s, 0), n=count_text(n))  # figure text: "<5" as it is
              for s, n in zip(data["share"], data["households"], strict=True)]
    fig = go.Figure(go.Bar(x=data["share"], y=names, orientation="h", marker_color=PALETTE[0], text=labels,
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}" + colon() + "%{text}<extra></extra>"))
    fig.update_xaxes(range=[0, 1.15], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1.0], gridcolor=GRID,
                     title={"text": t_text("占本月评分户{n}户的比例", n=count_text(monitored)), "font": {"size": 13}})
    fig.update_yaxes(type="category", automargin=True)
    _layout(fig, t("近12个月各类帮扶覆盖"), height)
    fig.update_layout(showlegend=False)
    return fig


def build_risk_mix_figure(monthly: pd.DataFrame, months: int = 24, height: int = 380) -> go.Figure:
    """高/中/低 as shares of the site's scored households, month by month (stacked to 100 %)."""
    data = monthly.sort_values("month").tail(months)
    total = data["households"].where(data["households"] >= SMALL_CELL)
    x = [fmt_month(int(m)) for m in data["month"]]
    fig = go.Figure()
    for tier, column in (("高", "tier_high"), ("中", "tier_mid"), ("低", "tier_low")):
        zh, en, colour = codes.TIERS[tier]
        name = en if i18n.lang() == "en" else zh
        counts = [count_text(n) for n in data[column]]
        fig.add_trace(go.Bar(x=x, y=data[column] / total, name=name, marker_color=colour, customdata=counts,
                             hovertemplate=name + colon() + "%{y:.0%}" + paren("%{customdata}") + "<extra></extra>"))
    fig.update_yaxes(**share_axis([1.0]), gridcolor=GRID)
    fig.update_xaxes(type="category", tickvals=month_ticks(x, 8), tickangle=0)
    _layout(fig, t("风险等级构成（按月）"), height)
    fig.update_layout(barmode="stack", hovermode="x unified", bargap=0.15, margin={"b": 50},  # legend under the bars
                      legend={"traceorder": "normal", "yanchor": "top", "y": -0.1, "xanchor": "left", "x": 0.0})
    return fig


def build_employment_trend_figure(monthly: pd.DataFrame, months: int = 24, height: int = 380) -> go.Figure:
    """The site's employment rate of relocated labour by month, with the national benchmark."""
    data = with_rates(monthly.sort_values("month").tail(months))
    x = [fmt_month(int(m)) for m in data["month"]]
    fig = go.Figure(go.Scatter(x=x, y=data["emp_rate"], name=t(measures.get("emp_rate").label), mode="lines+markers",
                               line={"width": 3, "color": PALETTE[0]}, marker={"size": 6},
                               hovertemplate="%{x}" + colon() + "%{y:.1%}<extra></extra>"))
    _benchmark(fig, horizontal=False)
    fig.update_yaxes(**share_axis([*data["emp_rate"], NATIONAL_EMPLOYMENT_RATE]), gridcolor=GRID)
    fig.update_xaxes(type="category", tickvals=month_ticks(x, 8), tickangle=0)
    _layout(fig, t("搬迁劳动力就业率（按月）"), height)
    fig.update_layout(showlegend=False)
    return fig


# ---------------------------------------------------------------- detail header and map
def site_facts(table: pd.DataFrame, site_id: int) -> tuple[str, str]:
    """(title, one line of facts) for the detail header."""
    row = table.loc[table["site_id"] == site_id].iloc[0]
    places = [row.get("prov_name"), row.get("pref_name"), row["county"]]
    where = "".join(dict.fromkeys(p for p in places if isinstance(p, str) and p))
    facts = [
        where,
        t("{kind}安置点", kind=site_type_label(row["site_type"])),
        t("{year}年建成", year=int(row["opened_year"])) if pd.notna(row.get("opened_year")) else None,
        t("搬迁{households}户{people}人", households=fmt_count(int(row["households_relocated"])),
          people=fmt_count(int(row["people_relocated"]))),
        t("帮扶车间岗位{n}个", n=fmt_count(int(row["workshop_jobs"]))),
        t("工会服务站：有") if row["has_service_station"] else t("工会服务站：无"),
    ]
    return str(row["name"]), " · ".join(f for f in facts if f)


def _site_points(table: pd.DataFrame) -> pd.DataFrame:
    data = with_rates(table)
    c = colon()
    people = t("搬迁人口")
    households, high, emp = (t(measures.get(code).label) for code in ("households", "high_share", "emp_rate"))
    tooltips = [  # deck.gl renders the tooltip as HTML: names from the database are escaped
        f"<b>{html.escape(str(name))}</b><br/>{html.escape(area)}"
        f"<br/>{people}{c}{fmt_count(int(n_people))}"
        f"<br/>{households}{c}{count_text(n_hh)}<br/>{high}{c}{fmt_pct(share)}"
        f"<br/>{emp}{c}{fmt_pct(rate)}"
        for name, area, n_people, n_hh, share, rate in zip(
            data["name"], site_areas(data), data["people_relocated"], data["households"], data["high_share"],
            data["emp_rate"], strict=True)
    ]
    share = data["high_share"].fillna(0).clip(0, 1)
    return pd.DataFrame({
        "lon": data["lon"], "lat": data["lat"], "tooltip": tooltips,
        "radius": np.sqrt(data["people_relocated"].clip(lower=1)) * 60,
        "color": [[int(40 + 200 * s), int(90 * (1 - s)), int(200 * (1 - s)), 225] for s in share],
    })


def build_site_map(table: pd.DataFrame, regions: pd.DataFrame, region: str, level: int, child_level: int) -> pdk.Deck:
    """Offline map: the filtered region's outlines and one dot per site (size: people; red: high-risk share).

    `regions` is indexed by adcode (centroids); the view centres on `region`.
    """
    within = None if level == 0 else region
    outlines = geo.load_layer(maps.LAYER_BY_LEVEL[max(child_level, 1)], within=within, coarse=within is None)
    if child_level <= level:
        outlines["features"] = [f for f in outlines["features"] if f["properties"]["adcode"] == region]
    for feature in outlines["features"]:
        feature["properties"]["tooltip"] = feature["properties"]["name"]
    layers = [
        basemap.sea_layer(),
        basemap.foreign_layer(),
        pdk.Layer("GeoJsonLayer", outlines, id="regions", filled=True, stroked=True, pickable=False,
                  get_fill_color=[*basemap.CHINA_FILL, 255], get_line_color=[*basemap.CHINA_LINE],
                  line_width_min_pixels=1),
        basemap.boundary_layer(),
        pdk.Layer("ScatterplotLayer", _site_points(table), id="sites", pickable=True, get_position="[lon, lat]",
                  get_radius="radius", radius_min_pixels=5, radius_max_pixels=30, get_fill_color="color",
                  get_line_color=[255, 255, 255], line_width_min_pixels=1, stroked=True),
    ]
    if level == 0:  # the whole country: the standard map's 南海诸岛 inset
        layers += basemap.south_sea_inset(outlines, fill=[*basemap.CHINA_FILL], line=basemap.CHINA_LINE)
    lon, lat = (regions.at[region, "lon"], regions.at[region, "lat"]) if region in regions.index else (None, None)
    return maps.CompactDeck(layers=layers, initial_view_state=maps.view_for(level, lon, lat), map_provider=None,
                    tooltip={"html": "{tooltip}", "style": {"fontSize": "14px"}})
