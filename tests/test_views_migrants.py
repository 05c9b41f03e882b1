"""Pure builders of the 农民工 screen: festival alignment, KPIs, flow map, tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from safetynet import i18n
from safetynet.i18n.en import EN
from safetynet.views import basemap
from safetynet.views import migrants as views


@pytest.fixture(autouse=True)
def _chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


def _monthly(values: dict[int, dict[str, int]]) -> pd.DataFrame:
    columns = ["households", "migrant_hh", "not_returned", "out_of_work", "wage_arrears", "platform_uninsured",
               "counselling"]
    return pd.DataFrame([{"month": m, **{c: v.get(c, 0) for c in columns}} for m, v in sorted(values.items())])


# 2025's festival is on 29 January, 2026's on 17 February: the return month moves from Feb to Mar.
FRAME = _monthly({
    202411: {"out_of_work": 10}, 202412: {"out_of_work": 11}, 202501: {"out_of_work": 12},
    202502: {"not_returned": 50, "out_of_work": 60}, 202503: {"out_of_work": 40}, 202504: {"out_of_work": 30},
    202505: {"out_of_work": 20}, 202506: {"out_of_work": 15},
    202512: {"out_of_work": 13}, 202601: {"out_of_work": 14}, 202602: {"out_of_work": 16},
    202603: {"not_returned": 80, "out_of_work": 90}, 202604: {"out_of_work": 70},
})


def test_alignment_puts_each_festival_month_at_zero():
    aligned = views.align_to_festival(FRAME)
    at = aligned.set_index(["festival_year", "offset"])["month"]
    assert at[(2025, 0)] == 202501 and at[(2026, 0)] == 202602
    assert at[(2025, 1)] == 202502 and at[(2026, 1)] == 202603  # the return month, a calendar month apart
    assert at[(2025, -2)] == 202411 and at[(2026, -2)] == 202512
    assert at[(2025, 4)] == 202505 and (2025, 5) not in at.index  # −2 … +4 only


def test_alignment_compares_like_with_like_where_the_calendar_does_not():
    aligned = views.align_to_festival(FRAME).set_index(["festival_year", "offset"])
    # aligned: both years' not-returned peak sits at +1
    assert aligned.loc[(2025, 1), "not_returned"] == 50 and aligned.loc[(2026, 1), "not_returned"] == 80
    assert aligned["not_returned"].drop([(2025, 1), (2026, 1)]).eq(0).all()
    # the calendar would compare February 2026 (0, before the return) with February 2025 (50, the return)
    by_month = FRAME.set_index("month")
    assert by_month.at[202602, "not_returned"] == 0 and by_month.at[202502, "not_returned"] == 50


def test_alignment_drops_years_without_their_festival_month():
    partial = FRAME[FRAME["month"] >= 202503]  # 2025's festival month is gone
    aligned = views.align_to_festival(partial)
    assert set(aligned["festival_year"]) == {2026}
    assert views.align_to_festival(FRAME.iloc[0:0]).empty


def test_post_festival_month_is_the_latest_return_month_in_the_data():
    assert views.post_festival_month(FRAME["month"], 202604) == 202603
    assert views.post_festival_month(FRAME["month"], 202602) == 202502  # 2026's return month not yet reached
    assert views.post_festival_month([202411, 202412], 202412) is None


def test_kpis_read_not_returned_in_the_return_month_and_compare_festival_to_festival():
    kpis = {k.spec.code: k for k in views.migrant_kpis(FRAME, 202604)}
    nr = kpis["not_returned"]
    assert nr.value == 80 and nr.yoy == 80 - 50 and nr.mom is None
    assert nr.title == "春节后未返岗（2026年3月）"  # the measure's label, and the month it is read in
    oow = kpis["out_of_work"]
    assert oow.value == 70 and oow.mom == 70 - 90 and oow.yoy == 70 - 30
    assert oow.title == "失业或未返岗户（本月评分户）"  # the roll-up cannot single out migrant households: say so


def test_kpis_without_data_show_nothing():
    kpis = views.migrant_kpis(FRAME.iloc[0:0], 202604)
    assert all(k.value is None and k.mom is None and k.yoy is None for k in kpis)


def test_festival_figure_has_one_line_per_year_in_each_panel():
    fig = views.build_festival_figure(views.align_to_festival(FRAME))
    assert len(fig.data) == 4  # 2 years × 2 panels
    names = {tr.name for tr in fig.data}
    assert names == {"2025年春节（1月29日）", "2026年春节（2月17日）"}
    first = next(tr for tr in fig.data if tr.name.startswith("2026") and tr.xaxis == "x")
    assert list(first.x) == [-2, -1, 0, 1, 2]
    assert list(first.customdata) == ["2025年12月", "2026年1月", "2026年2月", "2026年3月", "2026年4月"]
    assert [tr.showlegend for tr in fig.data].count(True) == 2
    assert fig.layout.xaxis.ticktext[2] == "春节月"
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):  # households: whole-number ticks from zero
        assert axis.tickformat == ",d" and axis.tick0 == 0 and axis.dtick >= 1 and float(axis.dtick).is_integer()
        assert axis.rangemode == "tozero"


def test_festival_figure_of_a_few_households_does_not_repeat_ticks():
    """Issue 12: a county's 0–2 households used to read "0, 0, 0, 1, 1, 1" up the axis."""
    small = _monthly({202601: {"out_of_work": 1}, 202602: {"not_returned": 0, "out_of_work": 2},
                      202603: {"not_returned": 1}, 202604: {}})
    fig = views.build_festival_figure(views.align_to_festival(small))
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):
        assert axis.dtick == 1 and axis.tick0 == 0 and axis.tickmode == "linear" and axis.range[0] == 0
        ticks = [axis.tick0 + k * axis.dtick for k in range(int(axis.range[1] // axis.dtick) + 1)]
        labels = [f"{v:,.0f}" for v in ticks]
        assert len(labels) == len(set(labels)) >= 2, labels


def test_festival_note_quotes_the_dates_that_move():
    note = views.festival_note([2025, 2026])
    assert "2025年1月29日" in note and "2026年2月17日" in note and "1月和2月" in note
    i18n.set_lang("en")
    assert "29 Jan 2025" in views.festival_note([2025, 2026])


FLOWS = pd.DataFrame({
    "origin": ["520000", "530000", "520000", "440000"],
    "origin_name": ["贵州省", "云南省", "贵州省", "广东省"],
    "origin_lon": [107.4, 101.0, 107.4, 113.1], "origin_lat": [27.0, 24.3, 27.0, 23.7],
    "work": ["440000", "440000", "520000", "440000"],
    "work_name": ["广东省", "广东省", "贵州省", "广东省"],
    "work_lon": [113.1, 113.1, 107.4, 113.1], "work_lat": [23.7, 23.7, 27.0, 23.7],
    "workers": [1234, 617, 300, 100], "cross_province": [1234, 617, 0, 0],
})


def _deck(flows: pd.DataFrame, **kw) -> dict:
    deck, legend = views.build_flow_deck(flows, **kw)
    return json.loads(deck.to_json()), legend


def test_arc_width_is_proportional_to_workers():
    assert views.arc_widths(pd.Series([1234, 617, 0]), 1234) == [12.0, 6.5, 1.0]
    assert views.arc_widths(pd.Series([3, 2]), 3) == [2.65, 2.1]  # a few workers draw thin lines
    spec, _ = _deck(FLOWS)
    arcs = next(layer for layer in spec["layers"] if layer["id"] == "flows")
    assert [a["width"] for a in arcs["data"]] == [12.0, round(1 + 11 * 617 / 1234, 2)]
    assert arcs["@@type"] == "ArcLayer" and arcs["widthUnits"] == "pixels"  # a bare string would become "@@=pixels"
    assert arcs["getSourcePosition"] == "@@=[origin_lon, origin_lat]"
    assert arcs["getTargetPosition"] == "@@=[work_lon, work_lat]"


def test_arc_tooltips_read_in_chinese_and_english():
    spec, _ = _deck(FLOWS)
    arcs = next(layer for layer in spec["layers"] if layer["id"] == "flows")
    assert arcs["data"][0]["tooltip"] == "贵州省 → 广东省：1,234人"
    i18n.set_lang("en")
    spec, _ = _deck(FLOWS)
    arcs = next(layer for layer in spec["layers"] if layer["id"] == "flows")
    assert arcs["data"][0]["tooltip"] == "贵州省 → 广东省: 1,234 workers"


def test_nationally_only_flows_between_provinces_are_drawn():
    """Issue 12: the national map's main flows stay inside no province, and it draws no dot per province."""
    spec, legend = _deck(FLOWS)
    arcs = next(layer for layer in spec["layers"] if layer["id"] == "flows")
    assert [a["tooltip"] for a in arcs["data"]] == ["贵州省 → 广东省：1,234人", "云南省 → 广东省：617人"]
    assert "local-flows" not in [layer["id"] for layer in spec["layers"]]
    assert [item.text for item in legend] == ["来源地（线的起点）", "务工地（线的终点）"]


PREF_FLOWS = pd.DataFrame({  # as migrant_flows returns them once 贵州 is filtered: 贵州's prefectures, other provinces
    "origin": ["522600", "522600", "522600", "440000", "520100"],
    "origin_name": ["黔东南州", "黔东南州", "黔东南州", "广东省", "贵阳市"],
    "origin_lon": [108.0, 108.0, 108.0, 113.1, 106.6], "origin_lat": [26.6, 26.6, 26.6, 23.7, 26.6],
    "work": ["440000", "522600", "520100", "440000", "520100"],
    "work_name": ["广东省", "黔东南州", "贵阳市", "广东省", "贵阳市"],
    "work_lon": [113.1, 108.0, 106.6, 113.1, 106.6], "work_lat": [23.7, 26.6, 26.6, 23.7, 26.6],
    "workers": [60, 44, 11, 6, 4], "cross_province": [60, 0, 0, 0, 0],
})


def test_in_a_province_flows_within_one_prefecture_are_dots_not_arcs():
    spec, legend = _deck(PREF_FLOWS, highlight="520000", unit="prefecture")
    arcs = next(layer for layer in spec["layers"] if layer["id"] == "flows")
    dots = next(layer for layer in spec["layers"] if layer["id"] == "local-flows")
    assert [a["tooltip"] for a in arcs["data"]] == ["黔东南州 → 广东省：60人", "黔东南州 → 贵阳市：11人"]
    # a household's member from 广东 working in 广东 is no flow of this province's: no dot over 广东
    assert [d["tooltip"] for d in dots["data"]] == ["黔东南州内流动：44人", "贵阳市内流动：4人"]
    assert dots["radiusUnits"] == "pixels"
    assert [item.text for item in legend][-1] == "圆点：地市内流动"
    table = views.top_flows_table(PREF_FLOWS)
    assert table["务工地"].tolist() == ["广东省", "贵阳市"]
    summary = views.flow_summary(PREF_FLOWS, unit="prefecture")
    assert "共125名" in summary and "2条跨地市流向，共71人" in summary and "内流动的54人不画线" in summary


def test_flow_map_is_offline_and_draws_the_largest_flows_only():
    spec, _ = _deck(FLOWS, max_arcs=1, highlight="520000")
    text = json.dumps(spec)
    assert "mapProvider" not in spec or spec["mapProvider"] in (None, "")
    assert not str(spec.get("mapStyle", "")).startswith("http")
    assert "cartocdn" not in text and "mapbox" not in text and "http" not in text
    assert [layer["id"] for layer in spec["layers"]][:4] == ["sea", "world", "provinces", "boundary-lines"]
    arcs = next(layer for layer in spec["layers"] if layer["id"] == "flows")
    assert len(arcs["data"]) == 1 and arcs["data"][0]["width"] == 12.0
    provinces = spec["layers"][2]["data"]["features"]
    fills = {f["properties"]["adcode"]: f["properties"]["fill"] for f in provinces}
    assert fills["520000"] != fills["440000"]


def test_empty_flows_still_make_a_map():
    spec, legend = _deck(FLOWS.iloc[0:0])
    main = [layer["id"] for layer in spec["layers"] if not layer["id"].startswith(basemap.INSET_LAYER_PREFIX)]
    assert main == ["sea", "world", "provinces", "boundary-lines"]
    assert len(legend) == 2


def test_top_flows_table_and_summary():
    table = views.top_flows_table(FLOWS, n=3)
    assert list(table.columns) == ["来源地", "务工地", "农民工人数", "其中跨省"]
    assert table.values.tolist() == [["贵州省", "广东省", "1,234", "1,234"], ["云南省", "广东省", "617", "617"]]
    summary = views.flow_summary(FLOWS)
    assert "共2,251名" in summary and "跨省务工1,851人（82.2%）" in summary
    assert "2条跨省流向，共1,851人" in summary and "省内流动400人不画线" in summary
    assert "2条跨省流向" in views.flow_summary(FLOWS, max_arcs=5) and "1条跨省流向" in views.flow_summary(FLOWS, 1)


def test_counts_above_ten_thousand_use_wan():
    big = FLOWS.assign(workers=[23456, 617, 300, 100])
    assert views.top_flows_table(big, n=1).iloc[0, 2] == "2.35万"


def test_workplace_table_orders_places_and_adds_a_total():
    risk = pd.DataFrame({"work_place": ["省外", "县内", "", "省内县外"], "workers": [200, 100, 10, 90],
                         "in_high": [50, 10, 0, 9], "uninsured": [40, 20, 5, 0]})
    table = views.workplace_table(risk)
    assert table["务工地点"].tolist() == ["县内", "省内县外", "省外", "未填写务工地点", "合计"]
    assert table["农民工人数"].tolist() == ["100", "90", "200", "10", "400"]
    assert table["在高风险家庭"].tolist() == ["10.0%", "10.0%", "25.0%", "0.0%", "17.2%"]
    assert table["无养老和工伤保险"].tolist() == ["20.0%", "0.0%", "20.0%", "50.0%", "16.2%"]
    i18n.set_lang("en")
    assert views.workplace_table(risk).iloc[:, 0].tolist()[:3] == ["Within county", "Other county, same province",
                                                                  "Other province"]


def test_labels_built_from_constants_have_english():
    texts = [s.label for s in views.MIGRANT_KPI_SPECS] + [s.help for s in views.MIGRANT_KPI_SPECS]
    texts += [s.label for s in views.FESTIVAL_SERIES.values()]
    assert [x for x in texts if x not in EN] == []
