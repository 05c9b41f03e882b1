"""农民工 screen builders: KPIs, the Spring-Festival-aligned chart, the flow map and its tables.

Pure functions of the frames `safetynet.queries.migrants` returns (unit-tested
without Streamlit). Everything here is an aggregate: no names, no files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from plotly.subplots import make_subplots

from safetynet import geo, i18n, measures
from safetynet.domain import codes
from safetynet.domain.months import SPRING_FESTIVAL, add_months, festival_month, festival_offset
from safetynet.i18n import fmt_count, fmt_month, fmt_pct, t, t_text
from safetynet.measures import Measure
from safetynet.views import basemap, maps
from safetynet.views.figures import count_axis, panels_layout
from safetynet.views.kpi import Kpi
from safetynet.views.maps import LegendItem, view_for
from safetynet.views.sites import paren

# ---------------------------------------------------------------- KPIs
# The tiles (definitions: safetynet.measures). Counts of all scored households, not only migrant-worker
# households (the roll-up cannot single them out), say so in their label on this screen.
MIGRANT_KPI_SPECS = measures.select("migrants")
NOT_RETURNED = measures.get("not_returned")


def tile_label(spec: Measure) -> str:
    """The measure's label, with the population in brackets where it is not the migrant-worker households."""
    if spec.population == "migrant":
        return t(spec.label)
    return t(spec.label) + paren(t(measures.population_label(spec)))


def post_festival_month(months: pd.Series | list[int], upto: int) -> int | None:
    """The latest month ≤ `upto` in `months` that is the month right after a Spring Festival month."""
    found = []
    for m in months:
        m = int(m)
        try:
            if m <= upto and festival_offset(m)[1] == 1:
                found.append(m)
        except ValueError:  # a year outside the festival calendar
            continue
    return max(found) if found else None


def migrant_kpis(monthly: pd.DataFrame, month: int) -> list[Kpi]:
    """KPI tiles for `month`: 环比 vs last month, 同比 vs the same month last year.

    春节后未返岗 is read in the most recent post-festival month instead (labelled with
    that month); its 同比 compares with the month after the previous festival, and it
    has no 环比 (the month before is the festival month itself, when nobody is due back).
    """
    values = monthly.set_index("month").sort_index() if not monthly.empty else pd.DataFrame(
        columns=[s.code for s in MIGRANT_KPI_SPECS], index=pd.Index([], name="month"))

    def at(key: str, m: int | None) -> float | None:
        if m is None or m not in values.index or pd.isna(values.at[m, key]):
            return None
        return float(values.at[m, key])

    def delta(now: float | None, before: float | None) -> float | None:
        return None if now is None or before is None else now - before

    out = []
    for spec in MIGRANT_KPI_SPECS:
        if spec is NOT_RETURNED:
            post = post_festival_month(values.index, month)
            label = tile_label(spec) + paren(fmt_month(post)) if post else tile_label(spec)
            previous = None
            if post is not None and festival_offset(post)[0] - 1 in SPRING_FESTIVAL:
                previous = add_months(festival_month(festival_offset(post)[0] - 1), 1)
            now = at(spec.code, post)
            out.append(Kpi(spec, now, None, delta(now, at(spec.code, previous)), label=label))
            continue
        now = at(spec.code, month)
        out.append(Kpi(spec, now, delta(now, at(spec.code, add_months(month, -1))),
                       delta(now, at(spec.code, add_months(month, -12))), label=tile_label(spec)))
    return out


# ---------------------------------------------------------------- Spring Festival alignment
OFFSETS = range(-2, 5)
FESTIVAL_SERIES = {m.code: m for m in measures.select("migrants_festival")}


def align_to_festival(monthly: pd.DataFrame, columns: tuple[str, ...] = tuple(FESTIVAL_SERIES),
                      offsets: range = OFFSETS) -> pd.DataFrame:
    """Months re-indexed by festival: one row per (festival year, months from the festival month).

    The festival month (offset 0) is the calendar month holding that year's
    春节, so offset +1 is the return-to-work month whether the festival fell in
    January or February. Columns: festival_year, offset, month, *columns. Only
    months present in `monthly` appear, and only festival years whose festival
    month is in `monthly` (a line without its anchor would mislead).
    """
    by_month = monthly.set_index("month")
    rows = []
    for year in sorted(SPRING_FESTIVAL):
        start = festival_month(year)
        for k in offsets:
            m = add_months(start, k)
            if m in by_month.index:
                rows.append({"festival_year": year, "offset": k, "month": m,
                             **{c: by_month.at[m, c] for c in columns}})
    aligned = pd.DataFrame(rows, columns=["festival_year", "offset", "month", *columns])
    with_festival_month = aligned.loc[aligned["offset"] == 0, "festival_year"]
    return aligned[aligned["festival_year"].isin(with_festival_month)].reset_index(drop=True)


def offset_label(k: int) -> str:
    """Short axis labels (they must fit seven to a half-width chart at 1366 px)."""
    if k == 0:
        return t("春节月")
    return t("节前{n}月", n=-k) if k < 0 else t("节后{n}月", n=k)


def festival_name(year: int) -> str:
    day = SPRING_FESTIVAL[year]
    date = f"{day.month}月{day.day}日" if i18n.lang() == "zh" else f"{day:%b} {day.day}"
    return t("{year}年春节（{date}）", year=year, date=date)


def festival_date(year: int) -> str:
    day = SPRING_FESTIVAL[year]
    return f"{day.year}年{day.month}月{day.day}日" if i18n.lang() == "zh" else f"{day.day} {day:%b} {day.year}"


def festival_note(years: list[int]) -> str:
    """One sentence on why the chart aligns on the festival, quoting the festival dates shown."""
    shown = [y for y in years if y in SPRING_FESTIVAL][-3:]
    examples = ("、" if i18n.lang() == "zh" else ", ").join(festival_date(y) for y in shown)
    return t("春节在1月和2月之间浮动（{examples}），按日历月同比会把节前和节后的月份错位相比；"
             "按春节所在月对齐后，每条线的同一位置都是同一返岗阶段。", examples=examples)


def year_colours(years: list[int]) -> dict[int, str]:
    """The latest festival year stands out; the one before is a contrast colour; older ones grey."""
    palette = ["#1f5fa8", "#ef8f00"]
    ordered = sorted(years, reverse=True)
    return {y: palette[i] if i < len(palette) else "#9e9e9e" for i, y in enumerate(ordered)}


def build_festival_figure(aligned: pd.DataFrame, height: int = 380) -> go.Figure:
    """Two panels (not back after the festival; out of work), one line per festival year."""
    series = [c for c in FESTIVAL_SERIES if c in aligned.columns]
    fig = make_subplots(rows=1, cols=len(series), subplot_titles=[tile_label(FESTIVAL_SERIES[c]) for c in series],
                        horizontal_spacing=0.08)
    years = sorted(aligned["festival_year"].unique().tolist()) if not aligned.empty else []
    colours = year_colours(years)
    for col, column in enumerate(series, start=1):
        for year in years:
            part = aligned[aligned["festival_year"] == year].sort_values("offset")
            latest = year == max(years)
            fig.add_trace(go.Scatter(
                x=part["offset"], y=part[column], name=festival_name(year), legendgroup=str(year),
                showlegend=col == 1, mode="lines+markers",
                line={"width": 3.5 if latest else 2.5, "color": colours[year]}, marker={"size": 7},
                customdata=[fmt_month(int(m)) for m in part["month"]],
                hovertemplate=t_text("{month}：{value}户", month="%{customdata}", value="%{y:,}")  # Plotly's syntax
                + "<extra>" + festival_name(year) + "</extra>",
            ), row=1, col=col)
        fig.add_vrect(x0=-0.45, x1=0.45, fillcolor="rgba(198,40,40,0.08)", line_width=0, row=1, col=col)
    fig.update_xaxes(tickmode="array", tickvals=list(OFFSETS), ticktext=[offset_label(k) for k in OFFSETS],
                     range=[min(OFFSETS) - 0.4, max(OFFSETS) + 0.4], tickangle=0)
    for col, column in enumerate(series, start=1):  # households: whole-number ticks from zero, per panel
        fig.update_yaxes(**count_axis(aligned[column]), gridcolor="rgba(128,128,128,0.25)", row=1, col=col)
    return panels_layout(fig, height, top=70, font_size=14, hovermode="closest")


# ---------------------------------------------------------------- flows
ORIGIN_COLOUR = (31, 95, 168)
WORK_COLOUR = (239, 143, 0)
MIN_WIDTH, MAX_WIDTH = 1.0, 12.0
MAX_ARCS = 15  # the main flows: forty arcs from a few provinces into Guangdong were a tangle nobody could read
FULL_WIDTH_WORKERS = 20.0


def flow_tooltip(origin: str, work: str, workers: int) -> str:
    return t("{origin} → {work}：{n}人", origin=origin, work=work, n=fmt_count(workers))


def local_tooltip(place: str, workers: int) -> str:
    return t("{place}内流动：{n}人", place=place, n=fmt_count(workers))


def main_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """The flows between two different areas (largest first): what the map draws and the table lists."""
    return flows[flows["origin"] != flows["work"]]


def local_flows(flows: pd.DataFrame, highlight: str | None) -> pd.DataFrame:
    """Flows within one prefecture of the filtered province (dots); none nationally, where a dot per
    province would only repeat that most migrant workers stay in their own province."""
    if highlight is None:
        return flows.iloc[0:0]
    return flows[(flows["origin"] == flows["work"]) & (flows["work"].str[:2] == highlight[:2])]


def build_flow_deck(flows: pd.DataFrame, highlight: str | None = None, unit: str = "province",
                    max_arcs: int = MAX_ARCS) -> tuple[pdk.Deck, list[LegendItem]]:
    """Arcs from origin to work place, width by migrant workers; flows within one prefecture as dots.

    `flows` as `queries.migrants.migrant_flows` (sorted largest first: provinces nationally; inside a
    filtered province its prefectures, outside it provinces). The `max_arcs` largest flows between
    different areas are drawn. `highlight`: the filtered province's adcode (None nationally), shaded.
    `unit`: "province" or "prefecture", for the legend of the dots.
    """
    provinces = geo.load_layer("province", coarse=True)
    for feature in provinces["features"]:
        inside = highlight is not None and feature["properties"]["adcode"] == highlight
        feature["properties"]["fill"] = [214, 226, 240, 255] if inside else [*basemap.CHINA_FILL, 255]
    layers = [
        basemap.sea_layer(),
        basemap.foreign_layer(),
        pdk.Layer("GeoJsonLayer", provinces, id="provinces", filled=True, stroked=True,
                  get_fill_color="properties.fill", get_line_color=[*basemap.CHINA_LINE], line_width_min_pixels=0.8),
        basemap.boundary_layer(),
    ]
    between = main_flows(flows).head(max_arcs).copy()
    local = local_flows(flows, highlight).copy()
    top = float(pd.concat([between["workers"], local["workers"]]).max()) if len(between) + len(local) else 1.0
    if not between.empty:
        between["width"] = arc_widths(between["workers"], top)
        between["tooltip"] = [flow_tooltip(o, w, n) for o, w, n in
                              zip(between["origin_name"], between["work_name"], between["workers"], strict=True)]
        layers.append(pdk.Layer(
            "ArcLayer", between[["origin_lon", "origin_lat", "work_lon", "work_lat", "width", "tooltip"]], id="flows",
            pickable=True, auto_highlight=True, get_source_position="[origin_lon, origin_lat]",
            get_target_position="[work_lon, work_lat]", get_source_color=[*ORIGIN_COLOUR, 200],
            get_target_color=[*WORK_COLOUR, 220], get_width="width", width_units="'pixels'", get_height=0.6))
    if not local.empty:
        local["radius"] = np.sqrt(local["workers"] / top) * 16 + 3
        local["tooltip"] = [local_tooltip(p, n) for p, n in zip(local["work_name"], local["workers"], strict=True)]
        layers.append(pdk.Layer(
            "ScatterplotLayer", local[["work_lon", "work_lat", "radius", "tooltip"]], id="local-flows",
            pickable=True, get_position="[work_lon, work_lat]", get_radius="radius", radius_units="'pixels'",
            get_fill_color=[*WORK_COLOUR, 110], get_line_color=[*WORK_COLOUR, 255], stroked=True,
            line_width_min_pixels=1.5))
    if highlight is None:  # the whole country: the standard view, with the South China Sea in its inset
        layers += basemap.south_sea_inset(provinces, line=basemap.CHINA_LINE)
        view = basemap.national_view(360, 440)
    else:
        view = fit_view(between if not between.empty else local)
    deck = maps.CompactDeck(layers=layers, initial_view_state=view,
                    map_provider=None,
                    tooltip={"html": "{tooltip}", "style": {"fontSize": "14px"}})
    legend = [LegendItem(ORIGIN_COLOUR, t("来源地（线的起点）")), LegendItem(WORK_COLOUR, t("务工地（线的终点）"))]
    if not local.empty:
        legend.append(LegendItem(WORK_COLOUR, t("圆点：省内流动") if unit == "province" else t("圆点：地市内流动")))
    return deck, legend


def fit_view(flows: pd.DataFrame, width_px: int = 440, height_px: int = 440) -> pdk.ViewState:
    """A view that frames the drawn flows' ends (China as a whole when there are none).

    Sized for the narrowest map the page draws (half of a 1366 px screen).
    """
    if flows.empty:
        return view_for(0, None, None)
    lons = pd.concat([flows["origin_lon"], flows["work_lon"]]).dropna()
    lats = pd.concat([flows["origin_lat"], flows["work_lat"]]).dropna()
    if lons.empty:
        return view_for(0, None, None)
    lon_span = max(float(lons.max() - lons.min()), 2.0) * 1.25
    lat_span = max(float(lats.max() - lats.min()), 2.0) * 1.25 * 1.2  # Mercator stretch at China's latitudes
    zoom = min(np.log2(width_px * 360 / (512 * lon_span)), np.log2(height_px * 360 / (512 * lat_span)))
    return pdk.ViewState(longitude=float(lons.min() + lons.max()) / 2, latitude=float(lats.min() + lats.max()) / 2,
                         zoom=float(np.clip(zoom, 2.9, 7.0)), min_zoom=2, max_zoom=10)


def arc_widths(workers: pd.Series, top: float) -> list[float]:
    """Pixels, proportional to workers: the largest flow is MAX_WIDTH, none thinner than MIN_WIDTH.

    A county's handful of workers should not draw as fat as a province's
    hundreds: the full width stands for at least FULL_WIDTH_WORKERS.
    """
    top = max(float(top), FULL_WIDTH_WORKERS)
    return [round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * float(n) / top, 2) for n in workers]


def top_flows_table(flows: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The n largest flows between two areas with Chinese column headers (translated), counts formatted."""
    top = main_flows(flows).head(n)
    return pd.DataFrame({
        t("来源地"): top["origin_name"].tolist(),
        t("务工地"): top["work_name"].tolist(),
        t("农民工人数"): [fmt_count(v) for v in top["workers"]],
        t("其中跨省"): [fmt_count(v) for v in top["cross_province"]],
    })


def flow_title(unit: str) -> str:
    """The section heading: what an end of a flow is at this level."""
    if unit == "province":
        return t("农民工跨省流向：从来源省到务工省")
    return t("农民工流向：省内按地市，省外按省")


def flow_summary(flows: pd.DataFrame, max_arcs: int = MAX_ARCS, unit: str = "province") -> str:
    """One line under the map: how many migrant workers, how many across provinces, what the map draws
    and what it leaves out (the flows that stay within one area)."""
    total = int(flows["workers"].sum()) if not flows.empty else 0
    cross = int(flows["cross_province"].sum()) if not flows.empty else 0
    between = main_flows(flows) if not flows.empty else flows
    drawn = between.head(max_arcs)
    local = total - int(between["workers"].sum()) if not flows.empty else 0
    share = measures.total(flows, "cross_share")
    text = t("共{total}名农民工有来源地和务工地记录，其中跨省务工{cross}人（{share}）。",
             total=fmt_count(total), cross=fmt_count(cross), share=fmt_pct(share))
    numbers = {"arcs": len(drawn), "drawn": fmt_count(int(drawn["workers"].sum())), "local": fmt_count(local)}
    if unit == "province":
        return text + t("图中画出人数最多的{arcs}条跨省流向，共{drawn}人；省内流动{local}人不画线。", **numbers)
    return text + t("图中画出人数最多的{arcs}条跨地市流向，共{drawn}人；在同一地市（或同一外省）内流动的{local}人不画线。",
                    **numbers)


# ---------------------------------------------------------------- risk by work place
def workplace_table(risk: pd.DataFrame) -> pd.DataFrame:
    """Migrant workers by work place, with the share in 高 households and without social insurance."""
    order = [*codes.WORK_PLACES, ""]
    frame = risk.set_index("work_place").reindex([p for p in order if p in set(risk["work_place"])])
    total = frame[["workers", "in_high", "uninsured"]].sum()
    frame.loc["__total__"] = total

    def place(code: str) -> str:
        if code == "__total__":
            return t("合计")
        if code == "":
            return t("未填写务工地点")
        return i18n.label((code, codes.WORK_PLACES[code]))

    shown = measures.select("migrants_workplace")
    values = measures.table(frame, [m.code for m in shown])
    return pd.DataFrame({
        t("务工地点"): [place(c) for c in frame.index],
        **{t(m.label): [measures.format_value(v, m.kind) for v in values[m.code]] for m in shown},
    })
