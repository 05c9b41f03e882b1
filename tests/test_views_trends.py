"""Trend builders without Streamlit: folding, month-on-month / year-on-year, Spring Festival alignment, figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safetynet import i18n, measures
from safetynet.domain import risk
from safetynet.domain.months import month_range
from safetynet.views import trends

BINS = list(measures.R_BINS)
MEASURES = ("households", "tier_high", "open_files", "assisted", "new_ident", "eliminated", "relapsed",
            "not_returned", "out_of_work", "wage_arrears", *BINS)


@pytest.fixture(autouse=True)
def _chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


def _raw(rows: list[dict]) -> pd.DataFrame:
    """Query-shaped rows: month, group_code, name_zh, name_en and every measure (zeros unless given)."""
    frame = pd.DataFrame(rows)
    for column in ("group_code", "name_zh", "name_en"):
        if column not in frame:
            frame[column] = ""
    for measure in MEASURES:
        if measure not in frame:
            frame[measure] = 0
    return frame


# ---------------------------------------------------------------- series
def test_single_series_fills_missing_months_with_zero_and_leaves_shares_undefined():
    raw = _raw([{"month": 202601, "households": 10, "tier_high": 2},
                {"month": 202603, "households": 20, "tier_high": 5}])
    counts = trends.series_wide(raw, "tier_high", "none")
    assert counts.index.tolist() == [202601, 202602, 202603]
    assert counts.columns.tolist() == ["高风险户"]
    assert counts.iloc[:, 0].tolist() == [2, 0, 5]
    shares = trends.series_wide(raw, "high_share", "none").iloc[:, 0]
    assert shares.iloc[0] == pytest.approx(0.2) and np.isnan(shares.iloc[1]) and shares.iloc[2] == pytest.approx(0.25)


def test_region_split_keeps_the_largest_areas_and_folds_the_rest():
    rows = []
    for i in range(11):  # 11 areas: the 8 largest stay, 3 become 其他地区
        for month in (202609, 202610):
            bins = {b: 0 for b in BINS}
            bins[BINS[i % 12]] = 10
            rows.append({"month": month, "group_code": f"52{i:02d}00", "name_zh": f"地区{i}", "name_en": f"A{i}",
                         "households": 10, "tier_high": i + 1, **bins})
    wide = trends.series_wide(_raw(rows), "tier_high", "region", top_n=8)
    assert wide.columns.tolist() == [f"地区{i}" for i in range(10, 2, -1)] + ["其他地区"]
    assert wide["其他地区"].tolist() == [1 + 2 + 3, 1 + 2 + 3]
    median = trends.series_wide(_raw(rows), "median_r", "region", top_n=8)
    # 其他地区's median comes from the *summed* histogram of the folded areas, not a mean of medians
    folded = np.zeros(12)
    for i in range(11):
        if f"地区{i}" not in median.columns:
            folded[i % 12] += 10
    assert median["其他地区"].iloc[-1] == pytest.approx(risk.median_from_bins(folded))


def test_category_and_industry_labels_follow_the_language():
    raw = _raw([{"month": 202610, "group_code": "W1", "households": 3, "tier_high": 1},
                {"month": 202610, "group_code": "R01", "households": 5, "tier_high": 4}])
    assert trends.series_wide(raw, "tier_high", "category").columns.tolist() == ["脱贫不稳定户", "深度困难职工"]
    industry = _raw([{"month": 202610, "group_code": "C", "name_zh": "制造业", "name_en": "Manufacturing",
                      "households": 3, "tier_high": 1}])
    i18n.set_lang("en")
    assert trends.series_wide(industry, "tier_high", "industry").columns.tolist() == ["Manufacturing"]


def test_month_on_month_and_year_on_year_are_differences():
    months = month_range(202501, 202610)
    wide = pd.DataFrame({"x": np.arange(len(months), dtype=float) ** 2}, index=months)
    mom = trends.apply_view(wide, "mom")["x"]
    yoy = trends.apply_view(wide, "yoy")["x"]
    assert np.isnan(mom.iloc[0]) and mom.iloc[5] == 25 - 16
    assert yoy.iloc[:12].isna().all() and yoy.loc[202610] == 21 ** 2 - 9 ** 2
    assert trends.apply_view(wide, "values").equals(wide)


@pytest.mark.parametrize("delta, kind, text", [(12, "count", "+12"), (-12345, "count", "−1.23万"), (0, "count", "±0"),
                                               (0.015, "share", "+1.5个百分点"), (-0.05, "ratio", "−0.05倍"),
                                               (float("nan"), "count", "—")])
def test_change_formats(delta, kind, text):
    assert trends.format_change(delta, kind) == text


# ---------------------------------------------------------------- figures
def _wide(columns: int, kind_values=None) -> pd.DataFrame:
    months = month_range(202411, 202610)
    data = {f"g{i}": np.linspace(1, 50, len(months)) + i for i in range(columns)}
    return pd.DataFrame(data, index=months)


def test_series_figure_has_one_line_per_group_with_chinese_months():
    fig = trends.build_series_figure(_wide(9), "tier_high", "values", "全国 · 高风险户 · 按地区")
    assert len(fig.data) == 9 and all(trace.type == "scatter" for trace in fig.data)
    assert fig.data[0].x[0] == "2024年11月" and fig.data[0].x[-1] == "2026年10月"
    assert fig.layout.title.text == "全国 · 高风险户 · 按地区"
    assert "Noto Sans CJK SC" in fig.layout.font.family
    assert fig.layout.showlegend is True


def test_single_series_changes_are_bars_red_where_worse():
    wide = pd.DataFrame({"高风险户": [10.0, 12.0, 11.0]}, index=[202608, 202609, 202610])
    fig = trends.build_series_figure(wide, "tier_high", "mom", "t")
    assert len(fig.data) == 1 and fig.data[0].type == "bar"
    assert list(fig.data[0].x) == ["2026年9月", "2026年10月"]  # the first month has nothing to compare with
    red, blue = "#c62828", trends.PALETTE[0]
    assert list(fig.data[0].marker.color) == [red, blue]  # +2 is worse, −1 is better
    assert list(fig.data[0].customdata) == ["+2", "−1"]
    good = trends.build_series_figure(wide.rename(columns={"高风险户": "x"}), "eliminated", "mom", "t")
    assert list(good.data[0].marker.color) == [blue, red]  # fewer eliminations is worse


def test_share_changes_are_plotted_in_percentage_points():
    wide = pd.DataFrame({"s": [0.10, 0.125]}, index=[202609, 202610])
    fig = trends.build_series_figure(wide, "high_share", "mom", "t")
    assert list(fig.data[0].y) == pytest.approx([2.5])
    assert "个百分点" in fig.layout.yaxis.ticksuffix
    values = trends.build_series_figure(wide, "high_share", "values", "t")
    assert values.layout.yaxis.tickformat == ".0%"


def test_ratio_chart_marks_the_line():
    wide = pd.DataFrame({"r": [1.2, 1.1]}, index=[202609, 202610])
    fig = trends.build_series_figure(wide, "median_r", "values", "t")
    assert any(shape.y0 == 1.0 for shape in fig.layout.shapes)


def test_latest_table_gives_value_and_changes():
    months = month_range(202510, 202610)
    wide = pd.DataFrame({"贵州省": np.arange(len(months), dtype=float) + 100}, index=months)
    table = trends.latest_table(wide, "tier_high")
    assert table.to_dict("records")[0] | {"spark": None} == {
        "group": "贵州省", "latest": "112", "mom": "+1", "yoy": "+12", "spark": None}
    assert len(table["spark"].iloc[0]) == 12


# ---------------------------------------------------------------- Spring Festival
def _monthly(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"month": list(values), "not_returned": list(values.values())})


def test_festival_alignment_uses_each_years_festival_month():
    # festivals 2025-01-29 (month 202501) and 2026-02-17 (month 202602)
    months = month_range(202411, 202606)
    monthly = _monthly({m: float(m % 100) for m in months})
    aligned = trends.festival_align(monthly, "not_returned")
    by = {(int(r.festival_year), int(r.offset)): int(r.month) for r in aligned.itertuples()}
    assert by[(2025, -2)] == 202411 and by[(2025, 0)] == 202501 and by[(2025, 1)] == 202502
    assert by[(2025, 4)] == 202505
    assert by[(2026, -2)] == 202512 and by[(2026, 0)] == 202602 and by[(2026, 1)] == 202603
    assert by[(2026, 4)] == 202606
    assert sorted(aligned["festival_year"].unique()) == [2025, 2026]
    assert aligned.groupby("festival_year").size().tolist() == [7, 7]
    assert aligned["offset"].between(-2, 4).all() and not aligned["month"].duplicated().any()


def test_festival_years_with_too_few_months_are_left_out():
    monthly = _monthly({202405: 1.0, 202406: 2.0, **{m: 3.0 for m in month_range(202412, 202606)}})
    assert 2024 not in set(trends.festival_align(monthly, "not_returned")["festival_year"])
    assert 2024 in set(trends.festival_align(monthly, "not_returned", min_points=2)["festival_year"])


def test_festival_contrast_shows_where_the_calendar_misleads():
    monthly = _monthly({m: 0.0 for m in month_range(202411, 202610)} | {202502: 121.0, 202603: 192.0})
    contrast = trends.festival_contrast(monthly, "not_returned")
    assert contrast.year == 2026
    assert contrast.aligned_now == (202603, 192.0)
    assert contrast.aligned_before == (202502, 121.0)  # the month after last year's festival
    assert contrast.calendar_before == (202503, 0.0)  # the same calendar month: a different stage
    text = trends.festival_explanation(trends.festival_align(monthly, "not_returned"), contrast, "not_returned")
    assert "2025年1月29日" in text and "2026年2月17日" in text and "+192" in text and "+71" in text


def test_festival_figure_has_one_line_per_year_on_offsets():
    monthly = _monthly({m: float(m % 100) for m in month_range(202411, 202606)})
    aligned = trends.festival_align(monthly, "not_returned")
    fig = trends.build_festival_figure(aligned, "not_returned", "春节后未返岗：各年春节前后对比")
    assert [trace.name for trace in fig.data] == ["2025年（春节1月29日）", "2026年（春节2月17日）"]
    assert list(fig.data[1].x) == [-2, -1, 0, 1, 2, 3, 4]
    assert list(fig.layout.xaxis.ticktext) == ["节前2个月", "节前1个月", "春节当月", "节后1个月", "节后2个月",
                                               "节后3个月", "节后4个月"]
    assert fig.data[1].line.width > fig.data[0].line.width  # the latest season stands out
    i18n.set_lang("en")
    fig = trends.build_festival_figure(aligned, "not_returned", "t")
    assert fig.data[0].name == "2025 (festival Jan 29)" and fig.layout.xaxis.ticktext[2] == "Festival month"


def test_single_series_title_reads_out_the_latest_month():
    months = month_range(202510, 202610)
    wide = pd.DataFrame({"高风险户": np.arange(len(months), dtype=float) + 100}, index=months)
    assert trends.series_summary(wide, "tier_high") == "2026年10月：112 · 环比 +1 · 同比 +12"
    fig = trends.build_series_figure(wide, "tier_high", "values", "全国 · 高风险户")
    assert fig.layout.title.text.startswith("全国 · 高风险户<br>")
    assert fig.layout.title.text.endswith(">2026年10月：112 · 环比 +1 · 同比 +12</span>")
    assert fig.layout.annotations[0].text == "<b>112</b>"
    assert trends.series_summary(_wide(3), "tier_high") is None


# ---------------------------------------------------------------- issue 12 §5: axes and Top-N
def _whole_number_axis(axis) -> None:
    assert axis.tick0 == 0 and axis.tickmode == "linear" and axis.dtick >= 1 and float(axis.dtick).is_integer()


def test_count_series_tick_at_whole_numbers():
    wide = pd.DataFrame({"高风险户": [0.0, 1.0, 2.0, 1.0]}, index=[202607, 202608, 202609, 202610])
    values = trends.build_series_figure(wide, "tier_high", "values", "t")
    assert values.layout.yaxis.tickformat == ",d" and values.layout.yaxis.range[0] == 0
    _whole_number_axis(values.layout.yaxis)
    assert values.layout.yaxis.dtick == 1  # 0–2 households: not "0, 0, 1, 1, 2, 2"
    changes = trends.build_series_figure(wide, "tier_high", "mom", "t")
    assert changes.layout.yaxis.tickformat == "+,d"
    _whole_number_axis(changes.layout.yaxis)


def test_share_series_axis_starts_at_zero():
    wide = pd.DataFrame({"s": [0.942, 0.951]}, index=[202609, 202610])
    fig = trends.build_series_figure(wide, "high_share", "values", "t")
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= 0.951


def test_festival_figure_counts_tick_at_whole_numbers():
    monthly = _monthly({m: float(m % 3) for m in month_range(202411, 202606)})  # 0, 1, 2 households
    aligned = trends.festival_align(monthly, "not_returned")
    fig = trends.build_festival_figure(aligned, "not_returned", "t")
    assert fig.layout.yaxis.tickformat == ",d"
    _whole_number_axis(fig.layout.yaxis)


def test_industry_split_keeps_the_five_largest_and_folds_the_rest_into_other():
    from safetynet.domain import codes

    rows = [{"month": month, "group_code": code, "name_zh": zh, "name_en": en, "households": 100 + 10 * k,
             "tier_high": 3 * k + (month % 100)}
            for k, (code, _section, zh, en, *_rest) in enumerate(codes.INDUSTRIES) for month in (202609, 202610)]
    raw = _raw(rows)
    wide = trends.series_wide(raw, "tier_high", "industry")
    size = raw.groupby("name_zh")["tier_high"].sum().drop("其他行业").sort_values(ascending=False)
    top = size.index[:trends.TOP_INDUSTRIES].tolist()
    assert wide.columns.tolist() == top + ["其他"]
    rest = raw.loc[~raw["name_zh"].isin(top)]
    assert "其他行业" in set(rest["name_zh"])
    assert wide["其他"].tolist() == rest.groupby("month")["tier_high"].sum().astype(float).tolist()
    fig = trends.build_series_figure(wide, "tier_high", "values", "t")
    colours = [trace.line.color for trace in fig.data]
    assert colours[-1] == trends.OTHER_COLOUR and len(set(colours)) == len(colours)
