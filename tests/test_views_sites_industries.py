"""Pure tests of the 安置点 and 行业 view builders (no Streamlit run, no database)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from safetynet import i18n, measures
from safetynet.domain import codes, risk
from safetynet.filters import Filters
from safetynet.i18n.en import EN
from safetynet.views import industries as iv
from safetynet.views import sites as sv

MEASURES = ("households", "open_files", "tier_high", "tier_mid", "tier_low", "labour", "employed", "labour_no_job",
            "assisted")


@pytest.fixture(autouse=True)
def chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


def _sites() -> pd.DataFrame:
    rows = [
        # site_id, name, households, tier_high, labour, employed, labour_no_job, assisted, people
        (1, "甲安置区", 40, 12, 90, 80, 3, 38, 5000),
        (2, "乙安置区", 3, 1, 4, 4, 0, 3, 900),
        (3, "丙安置区", 20, 0, 50, 49, 0, 10, 3000),
        (4, "丁安置区", 0, 0, 0, 0, 0, 0, 700),
    ]
    frame = pd.DataFrame(rows, columns=["site_id", "name", "households", "tier_high", "labour", "employed",
                                        "labour_no_job", "assisted", "people_relocated"])
    return frame.assign(
        adcode="522623", county="施秉县", pref_name="黔东南苗族侗族自治州", prov_name="贵州省", prov_short="贵州",
        site_type=["城镇", "集镇", "中心村", "城镇"], households_relocated=frame["people_relocated"] // 4,
        workshop_jobs=[100, 5, 30, 0], has_service_station=[True, False, True, False], opened_year=2019,
        lon=108.1, lat=27.0, open_files=frame["households"], tier_mid=0,
        tier_low=frame["households"] - frame["tier_high"])


def _monthly(months: list[int], **columns: list[int]) -> pd.DataFrame:
    data = {m: [0] * len(months) for m in MEASURES}
    data.update(columns)
    return pd.DataFrame({"month": months, **data})


# ---------------------------------------------------------------- sites: numbers
def test_counts_under_five_are_suppressed():
    assert [sv.count_text(n) for n in (0, 1, 4, 5, 12345)] == ["0", "<5", "<5", "5", "1.23万"]
    rates = sv.with_rates(_monthly([1, 2, 3], households=[4, 0, 5], tier_high=[3, 0, 4]))
    assert rates["high_share"].isna().tolist() == [True, True, False]  # no rate over fewer than five
    assert rates["high_share"].iloc[2] == pytest.approx(0.8)


def test_site_table_suppresses_and_sorts():
    shown, config = sv.build_site_table(_sites(), "risk")
    assert list(shown.index) == [1, 2, 3, 4]  # most high-risk first, ties by site id
    assert shown.at[2, "households"] == "<5" and shown.at[2, "tier_high"] == "<5"
    assert shown.at[1, "labour_no_job"] == "⚠ <5" and shown.at[3, "labour_no_job"] == "0"
    assert pd.isna(shown.at[2, "emp_rate"])  # four workers: no rate
    assert shown.at[1, "emp_rate"] == pytest.approx(100 * 80 / 90)
    assert pd.isna(shown.at[4, "assist_cov"])
    assert shown.at[1, "station"] == "✓" and shown.at[2, "station"] == ""
    assert shown.at[1, "area"] == "贵州 施秉县"
    assert set(config) == set(shown.columns)
    by_jobs, _ = sv.build_site_table(_sites(), "jobs")
    assert list(by_jobs.index) == [1, 3, 2, 4]  # lowest rate first, sites without a rate last
    fallback, _ = sv.build_site_table(_sites(), "no-such-sort")
    assert list(fallback.index) == list(shown.index)


def test_every_sort_has_a_column_and_english():
    sites = sv.with_rates(_sites())
    for code, (label, column, _) in sv.SORTS.items():
        assert column in sites.columns, code
        assert label in EN, label


def test_scope_tiles_red_only_above_zero_and_no_small_deltas():
    months = [202509, 202510, 202609, 202610]
    monthly = _monthly(months, households=[30, 30, 40, 40], tier_high=[3, 3, 8, 10], labour=[60, 60, 80, 80],
                       employed=[58, 58, 70, 72], labour_no_job=[0, 0, 2, 3], assisted=[30, 30, 39, 40])
    tiles = {tile.label: tile for tile in sv.build_scope_tiles(monthly, 202610)}
    no_job = tiles["零就业家庭"]
    assert no_job.value == ":red[**<5**]"
    assert no_job.delta is None  # 2 → 3: a difference of suppressed counts is not shown
    assert no_job.chart is None  # nor a sparkline of them
    households = tiles["评分户数"]
    assert households.value == "40" and households.delta == "0" and households.caption == "同比 +10"
    employment = tiles["搬迁劳动力就业率"]
    assert employment.value == "90.0%" and employment.delta == "+2.5个百分点"
    calm = sv.build_scope_tiles(monthly.assign(labour_no_job=0), 202610)
    assert next(t for t in calm if t.label == "零就业家庭").value == "0"
    kwargs = households.metric_kwargs()
    assert kwargs["border"] is True and kwargs["delta_description"] == "环比"


def test_full_share_fits_the_tile():
    monthly = _monthly([202610], households=[20], labour=[30], employed=[30], assisted=[20])
    tiles = {tile.label: tile.value for tile in sv.build_site_tiles(monthly, 202610)}
    assert tiles["搬迁劳动力就业率"] == "100%" and tiles["帮扶覆盖率"] == "100%"


def test_tiles_without_data_do_not_fail():
    tiles = sv.build_site_tiles(_monthly([]), 202610)
    assert [t.value for t in tiles] == ["—", "—", "—", "—", "—"]


def test_tile_labels_and_help_have_english():
    for spec in sv.TILE_SPECS.values():
        assert spec.label in EN and spec.help in EN, spec.key


def test_no_job_alert_names_the_sites():
    assert sv.no_job_alert(_sites().assign(labour_no_job=0)) is None
    alert = sv.no_job_alert(_sites())
    assert "1个安置点" in alert and "甲安置区" in alert and "<5户" in alert
    many = pd.concat([_sites().assign(site_id=_sites()["site_id"] + 10 * i, labour_no_job=6) for i in range(2)])
    assert "等8个安置点" in sv.no_job_alert(many)  # five names, then the count


def test_scope_summary_and_site_facts():
    summary = sv.scope_summary(_sites())
    assert "**4**个安置点" in summary and "**9,600** 人" in summary and "**2** 个设有工会服务站" in summary
    title, facts = sv.site_facts(_sites(), 1)
    assert title == "甲安置区"
    assert facts.startswith("贵州省黔东南苗族侗族自治州施秉县")
    assert "城镇安置点" in facts and "2019年建成" in facts and "工会服务站：有" in facts


def test_site_options_are_codes_to_names():
    options = sv.site_options(_sites())
    assert set(options) == {"1", "2", "3", "4"}
    assert options["1"] == "甲安置区（贵州 施秉县）"


def test_table_height_grows_to_a_limit():
    assert sv.table_height(1) < sv.table_height(10) < sv.table_height(16) == sv.table_height(400)


# ---------------------------------------------------------------- sites: figures and map
def test_assistance_figure_shares_and_small_sites():
    by_type = pd.DataFrame({"aid_type": ["搬迁后扶", "公益岗位"], "households": [20, 3]})
    fig = sv.build_assistance_figure(by_type, 40)
    shares = dict(zip(fig.data[0].y, fig.data[0].x, strict=True))
    assert shares == {"搬迁后扶": 0.5, "公益岗位": 0.075}
    assert any("<5户" in text for text in fig.data[0].text)
    assert sv.build_assistance_figure(by_type, 4) is None
    assert sv.build_assistance_figure(by_type.iloc[0:0], 40) is None


def test_risk_mix_uses_tier_colours_and_sums_to_one():
    monthly = _monthly([202609, 202610], households=[10, 20], tier_high=[2, 5], tier_mid=[3, 5], tier_low=[5, 10])
    fig = sv.build_risk_mix_figure(monthly)
    assert [tr.marker.color for tr in fig.data] == [codes.TIERS[t][2] for t in ("高", "中", "低")]
    totals = np.sum([np.asarray(tr.y, dtype=float) for tr in fig.data], axis=0)
    assert totals == pytest.approx([1.0, 1.0])
    small = sv.build_risk_mix_figure(_monthly([202610], households=[3], tier_high=[1], tier_low=[2]))
    assert all(np.isnan(np.asarray(tr.y, dtype=float)).all() for tr in small.data)  # no shares over 3 households


def test_employment_figures_show_the_national_benchmark():
    monthly = _monthly([202609, 202610], labour=[50, 50], employed=[45, 48])
    fig = sv.build_employment_trend_figure(monthly)
    assert list(fig.data[0].y) == pytest.approx([0.9, 0.96])
    assert any(shape.y0 == sv.NATIONAL_EMPLOYMENT_RATE for shape in fig.layout.shapes)
    by_site = sv.build_employment_by_site_figure(_sites())
    assert list(by_site.data[0].y) == ["丙安置区", "甲安置区"]  # sites with under 5 workers left out; lowest on top
    assert by_site.data[0].marker.color == (sv.PALETTE[0], sv.RED)
    assert any(shape.x0 == sv.NATIONAL_EMPLOYMENT_RATE for shape in by_site.layout.shapes)


def test_share_axes_of_the_site_figures_start_at_zero():
    """Issue 12: an axis from 86 % made 94.2 % (against 94.5 % nationally) look like a collapse."""
    sites = _sites()
    by_site = sv.build_employment_by_site_figure(sites)
    assert by_site.layout.xaxis.range[0] == 0 and by_site.layout.xaxis.range[1] >= max(by_site.data[0].x)
    assert by_site.layout.xaxis.tickformat == ".0%"
    high = _monthly([202609, 202610], labour=[500, 500], employed=[471, 473])  # 94.2 %, 94.6 %
    trend = sv.build_employment_trend_figure(high)
    assert trend.layout.yaxis.range[0] == 0 and trend.layout.yaxis.range[1] >= 0.946
    mix = sv.build_risk_mix_figure(_monthly([202609, 202610], households=[10, 10], tier_high=[1, 2],
                                            tier_mid=[4, 4], tier_low=[5, 4]))
    assert list(mix.layout.yaxis.range) == [0, 1]
    aid = sv.build_assistance_figure(pd.DataFrame({"aid_type": ["慰问", "助学"], "households": [9, 6]}), 10)
    assert aid.layout.xaxis.range[0] == 0 and max(aid.layout.xaxis.tickvals) == 1.0


def test_site_map_is_offline():
    regions = pd.DataFrame({"lon": [106.7], "lat": [26.8]}, index=["520000"])
    deck = sv.build_site_map(_sites(), regions, "520000", 1, 2)
    spec = json.loads(deck.to_json())
    assert [layer["id"] for layer in spec["layers"]] == ["sea", "world", "regions", "boundary-lines", "sites"]
    assert "mapbox" not in json.dumps(spec) and "cartocdn" not in json.dumps(spec)
    assert not spec.get("mapStyle", "").startswith("http")
    sites_layer = spec["layers"][-1]
    assert len(sites_layer["data"]) == 4
    assert "<5" in sites_layer["data"][1]["tooltip"]  # 乙安置区's three households


def test_month_ticks_keep_the_latest():
    labels = [f"m{i}" for i in range(14)]
    assert sv.month_ticks(labels) == ["m1", "m7", "m13"]


def test_english_punctuation():
    i18n.set_lang("en")
    assert sv.paren("x") == " (x)" and sv.colon() == ": " and sv.listing(["a", "b"]) == "a, b"
    shown, config = sv.build_site_table(_sites())
    assert shown.at[1, "site_type"] == "Town" and shown.at[1, "station"] == "✓"
    tiles = sv.build_site_tiles(_monthly([202609, 202610], households=[30, 40], labour=[50, 50],
                                         employed=[40, 45], assisted=[30, 40]), 202610)
    assert tiles[2].delta == "+10.0 pp"


# ---------------------------------------------------------------- industries
def _industries() -> pd.DataFrame:
    bins = {f"r_b{i:02d}": 0 for i in range(12)}
    rows = []
    for code, households, high, arrears, out, income in (("C", 100, 20, 12, 9, 700000.0), ("E", 50, 5, 1, 2, 400000.0),
                                                         ("GP", 8, 4, 0, 0, 60000.0), ("A", 0, 0, 0, 0, 0.0)):
        row = {"code": code, "name_zh": code, "name_en": code, "line_multiplier": 1.2 if code == "C" else 1.0,
               "households": households, "open_files": households - 2, "tier_high": high, "wage_arrears": arrears,
               "out_of_work": out, "income_sum": income, **bins}
        row["r_b02"], row["r_b05"] = households // 2, households - households // 2
        rows.append(row)
    return pd.DataFrame(rows)


NAMES = {"C": "制造业", "E": "建筑业", "GP": "快递外卖平台", "A": "农、林、牧、渔业"}


def test_industry_table_rates_and_median():
    shown, config = iv.build_industry_table(_industries(), NAMES)
    assert list(shown.index) == ["C", "E", "GP"]  # industries without households left out, largest first
    c = shown.loc["C"]
    assert c["industry"] == "制造业" and c["households"] == 100
    assert c["high_share"] == pytest.approx(20.0) and c["arrears_rate"] == pytest.approx(12.0)
    assert c["mean_income"] == 7000 and c["line_multiplier"] == 1.2
    assert c["median_r"] == pytest.approx(risk.median_from_bins(_industries().loc[0, list(measures.R_BINS)].to_numpy(float)))
    assert set(config) == set(shown.columns)


def test_industry_headline_and_small_industries():
    line = iv.industry_headline(_industries(), NAMES)
    assert "欠薪户最多的行业：**制造业**，12户（占该行业12.0%）" in line
    assert "**制造业**，20.0%" in line  # GP's 50 % over 8 households is not "the highest"
    assert iv.industry_headline(_industries().assign(households=0), NAMES) is None


def test_category_note_only_for_one_category():
    assert iv.category_note(Filters()) is None
    assert iv.category_note(Filters(population="worker")) is None
    note = iv.category_note(Filters(category="W1"))
    assert "困难职工" in note and "深度困难职工" in note


def _trend() -> pd.DataFrame:
    rows = []
    for i, month in enumerate((202608, 202609, 202610)):
        rows.append({"month": month, "industry_code": "C", "households": 100, "tier_high": 10 + i,
                     "wage_arrears": [1, 15, 30][i], "out_of_work": 2})
        rows.append({"month": month, "industry_code": "GP", "households": 5, "tier_high": i, "wage_arrears": 0,
                     "out_of_work": 0})
    return pd.DataFrame(rows)


def test_trend_figure_all_industries_and_focus():
    fig = iv.build_industry_trend_figure(_trend(), NAMES)
    names = [(tr.name, tr.xaxis) for tr in fig.data]
    assert ("制造业", "x") in names and ("快递外卖平台", "x") not in names  # 5 households: no rate line
    assert ("快递外卖平台", "x2") in names
    arrears = next(tr for tr in fig.data if tr.name == "制造业" and tr.xaxis == "x2")
    assert list(arrears.y) == [1, 15, 30]
    focused = iv.build_industry_trend_figure(_trend(), NAMES, focus="GP")
    assert [tr.name for tr in focused.data] == ["快递外卖平台"] * 3 + ["全部行业"]
    everything = focused.data[-1]
    assert list(everything.y) == pytest.approx([10 / 105, 12 / 105, 14 / 105])


def _nine_industries() -> pd.DataFrame:
    """Every industry of the code list over six months, sizes spread so the top five are clear."""
    rng = np.random.default_rng(12)
    rows = []
    for k, (code, *_rest) in enumerate(codes.INDUSTRIES):
        for month in (202605, 202606, 202607, 202608, 202609, 202610):
            households = int(rng.integers(20, 40)) + 40 * (len(codes.INDUSTRIES) - k)
            rows.append({"month": month, "industry_code": code, "households": households,
                         "tier_high": int(rng.integers(0, households // 4)),
                         "wage_arrears": int(rng.integers(0, 12)), "out_of_work": int(rng.integers(0, 9))})
    return pd.DataFrame(rows)


def test_trend_figure_shows_the_top_five_and_sums_the_rest_into_other():
    """Issue 12: nine lines in near-identical colours were a tangle; five plus 其他, in far-apart colours."""
    monthly = _nine_industries()
    names = {code: zh for code, _s, zh, *_ in codes.INDUSTRIES}
    fig = iv.build_industry_trend_figure(monthly, names)
    size = monthly.groupby("industry_code")["households"].sum()
    top = size.drop("Z").sort_values(ascending=False).index[:iv.TOP_INDUSTRIES].tolist()
    rest = sorted(set(size.index) - set(top))
    assert "Z" in rest  # 其他行业 is never a line of its own
    for axis in ("x", "x2", "x3"):
        panel = [tr for tr in fig.data if tr.xaxis == axis]
        assert len(panel) <= iv.TOP_INDUSTRIES + 1
        assert [tr.name for tr in panel] == [names[c] for c in top] + ["其他"]
    by_month = monthly.set_index(["industry_code", "month"]).sort_index()
    months = sorted(monthly["month"].unique())
    for column, axis in (("wage_arrears", "x2"), ("out_of_work", "x3")):
        other = next(tr for tr in fig.data if tr.name == "其他" and tr.xaxis == axis)
        expected = [int(by_month.loc[(rest, m), column].sum()) for m in months]
        assert list(other.y) == expected, column
    other_rate = next(tr for tr in fig.data if tr.name == "其他" and tr.xaxis == "x")
    expected = [by_month.loc[(rest, m), "tier_high"].sum() / by_month.loc[(rest, m), "households"].sum() for m in months]
    assert list(other_rate.y) == pytest.approx(expected)  # the rate over the summed households, not a mean of rates
    colours = [tr.line.color for tr in fig.data if tr.xaxis == "x2"]
    assert len(set(colours)) == len(colours) and codes.TIERS["高"][2] not in colours


def test_industry_panels_have_whole_number_count_axes_and_share_axes_from_zero():
    fig = iv.build_industry_trend_figure(_trend(), NAMES)
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.yaxis.range[0] == 0
    for axis in (fig.layout.yaxis2, fig.layout.yaxis3):
        assert axis.tickformat == ",d" and axis.tick0 == 0 and axis.tickmode == "linear"
        assert axis.dtick >= 1 and float(axis.dtick).is_integer()
    # out of work is 0–2 households: without a whole-number step the axis read "0, 0, 1, 1, 2, 2"
    assert fig.layout.yaxis3.dtick == 1 and fig.layout.yaxis3.range[0] == 0


def test_few_industries_fold_nothing():
    folded, order = iv.fold_industries(_trend())
    assert order == ["C", "GP"] and set(folded["industry_code"]) == {"C", "GP"}


def test_region_figure_sorted_by_arrears():
    children = pd.DataFrame({"adcode": ["441900", "440300", "440100"], "name": ["东莞市", "深圳市", "广州市"],
                             "short_name": [None, None, None], "households": [40, 60, 0], "open_files": [30, 50, 0],
                             "tier_high": [10, 6, 0], "wage_arrears": [8, 2, 0], "out_of_work": [3, 1, 0]})
    fig = iv.build_region_figure(children, "制造业")
    assert list(fig.data[0].x) == ["东莞市", "深圳市"]
    assert list(fig.data[0].y) == pytest.approx([0.2, 2 / 60])
    assert list(fig.data[1].y) == pytest.approx([0.25, 0.1])
    assert "制造业" in fig.layout.title.text
    assert iv.build_region_figure(children.iloc[2:], "制造业") is None


def test_industry_names_follow_the_language():
    table = pd.DataFrame({"code": ["C"], "name_zh": ["制造业"], "name_en": ["Manufacturing"]})
    assert iv.industry_names(table) == {"C": "制造业"}
    i18n.set_lang("en")
    assert iv.industry_names(table) == {"C": "Manufacturing"}


def test_trend_panel_titles_have_english():
    for _, title, _ in iv.TREND_PANELS:
        assert title in EN


def test_site_areas_equals_site_area_row_by_row():
    from safetynet.views.sites import site_area, site_areas

    table = pd.DataFrame({"prov_short": ["贵州", "", None, "云南"], "prov_name": ["贵州省", "四川省", None, None],
                          "county": ["施秉县", "昭觉县", "某县", "会泽县"]})
    assert site_areas(table) == [site_area(r) for _, r in table.iterrows()] == \
        ["贵州 施秉县", "四川省 昭觉县", "某县", "云南 会泽县"]
