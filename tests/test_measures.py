"""The measures list (safetynet.measures): one definition per number, and every screen shows that definition.

- every measure computed from the roll-ups the screens read equals pandas over the raw rows
  (risk_score, household_current, person, region — plain SELECTs, never the code's SQL), on both backends;
- a denominator of 0 gives NaN, shown as "—", never an error;
- every screen that shows a measure shows its label and its help (the high-risk share: overview, map, sites);
- labels and help exist in Chinese and English, and each share's help names its denominator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from safetynet import i18n, measures
from safetynet.domain import progress, risk
from safetynet.domain.risk import Flag
from safetynet.filters import Filters
from safetynet.i18n import t
from safetynet.i18n.en import EN
from safetynet.pipeline.rollup import MEASURES as ROLLUP_COLUMNS
from safetynet.queries import industries, migrants, overview, sites
from tests.support import sql

CJK = lambda s: any("\u4e00" <= ch <= "\u9fff" for ch in s)  # noqa: E731
MIGRANT_COLUMNS = {"workers", "cross_province", "in_high", "uninsured"}  # rollup_migrant
QUERY_COLUMNS = {"overdue"}  # columns a query adds beside the roll-ups' (queries.overview.monthly_measures)
PROGRESS_COLUMNS = set(progress.COLUMNS)  # the work after a warning, as of a day (domain.progress)


@pytest.fixture(autouse=True)
def _chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


# ---------------------------------------------------------------- the list itself
def test_codes_kinds_and_populations_are_known():
    assert len(measures.MEASURES) == len(measures._ALL)  # no code twice
    for m in measures.MEASURES.values():
        assert m.kind in measures.KINDS, m.code
        assert m.population in measures.POPULATIONS, m.code
        assert (m.denominator is None) == (m.kind in (measures.COUNT, measures.DAYS) or m.median), m.code
        assert set(measures.columns(m.code)) <= (set(ROLLUP_COLUMNS) | MIGRANT_COLUMNS | QUERY_COLUMNS
                                                 | PROGRESS_COLUMNS), m.code


def test_every_screen_lists_known_measures_once():
    for screen, codes in measures.SCREENS.items():
        assert len(codes) == len(set(codes)), screen
        assert set(codes) <= set(measures.MEASURES), screen


def test_url_codes_stay_stable():
    # ?metric= and ?series= links in the wild must keep working
    assert measures.codes("map") == ["tier_high", "high_share", "open_files", "newly_high", "assist_cov", "median_r",
                                     "relapsed", "not_returned"]
    assert {"open_files", "tier_high", "high_share", "new_ident", "eliminated", "relapsed", "assist_cov",
            "median_r"} <= set(measures.codes("trends"))
    assert measures.codes("trends_festival") == ["not_returned", "out_of_work", "wage_arrears"]


def test_labels_help_and_populations_have_english():
    texts = [s for m in measures.MEASURES.values() for s in (m.label, m.help)] + list(measures.POPULATIONS.values())
    assert [s for s in texts if s not in EN] == []
    assert [s for s in texts if CJK(EN[s])] == []
    i18n.set_lang("en")
    assert t(measures.get("high_share").help).startswith("High-risk households ÷ households scored this month")


def test_every_quotient_says_what_it_divides_by():
    for m in measures.MEASURES.values():
        if m.denominator is None:
            continue
        assert "÷" in m.help, m.code
        assert measures.POPULATIONS[m.population] in m.help, m.code


def test_the_high_risk_share_is_over_households_scored():
    """DOMAIN §6 / issue 11: the numerator counts households scored 高 this month, so the denominator is the
    households scored this month (not the open files), and the help says so."""
    share = measures.get("high_share")
    assert (share.numerator, share.denominator) == ("tier_high", "households")
    assert "本月评分户数" in share.help and "监测户数" not in share.help
    scored = measures.get("households")
    assert "高、中、低风险户合计等于此数" in scored.help


# ---------------------------------------------------------------- values from sums
BINS = list(measures.R_BINS)


def _rows(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {c: [0] * n for c in ("households", "tier_high", "assisted", "open_files", "labour", "employed",
                                 "income_sum", *BINS)}
    base.update(columns)
    return pd.DataFrame(base)


def test_shares_are_ratios_of_sums_and_undefined_without_households():
    rows = _rows(households=[10, 0, 4], tier_high=[3, 0, 4], assisted=[10, 0, 1])
    assert measures.values(rows, "high_share").tolist()[0] == pytest.approx(0.3)
    assert np.isnan(measures.values(rows, "high_share").iloc[1])
    assert measures.values(rows, "assist_cov").tolist()[2] == pytest.approx(0.25)
    assert measures.values(rows, "tier_high").tolist() == [3.0, 0.0, 4.0]


def test_median_r_comes_from_the_histogram():
    # docs/schema.md §8.1: counts 10, 20, 30, 40, 0… → 0.8 + (50 − 30) / 30 × 0.2
    rows = _rows(**{b: [v] for b, v in zip(BINS, [10, 20, 30, 40] + [0] * 8, strict=True)})
    assert measures.values(rows, "median_r").iloc[0] == pytest.approx(0.8 + 20 / 30 * 0.2)
    assert np.isnan(measures.values(_rows(households=[0]), "median_r").iloc[0])


def test_total_sums_before_dividing():
    rows = _rows(households=[10, 30], tier_high=[5, 3])
    assert measures.total(rows, "high_share") == pytest.approx(8 / 40)  # not the mean of 50 % and 10 %
    assert measures.total(rows, "tier_high") == 8
    assert measures.total(rows.iloc[0:0], "tier_high") is None
    assert measures.total(_rows(households=[0]), "high_share") is None


@pytest.mark.parametrize("code", [m.code for m in measures.MEASURES.values() if m.denominator or m.median])
def test_a_zero_denominator_gives_nan_and_a_dash(code):
    zeros = pd.DataFrame({c: [0, 0] for c in measures.columns(code)})
    assert measures.values(zeros, code).isna().all()
    assert measures.total(zeros, code) is None
    assert measures.format_value(measures.total(zeros, code), measures.get(code).kind) == "—"


def test_small_cells_give_no_rate_when_asked():
    rows = _rows(households=[4, 5], tier_high=[1, 1])
    assert measures.values(rows, "high_share", min_denominator=5).isna().tolist() == [True, False]


def test_formats():
    assert measures.format_value(12345, "count") == "1.23万"
    assert measures.format_value(0.1234, "share") == "12.3%"
    assert measures.format_value(1.234, "ratio") == "1.23倍"
    assert measures.format_value(float("nan"), "share") == "—"
    assert measures.format_delta(0.0123, "share") == "+1.2个百分点"
    assert measures.format_delta(-3, "count") == "-3" and measures.format_delta(0, "count") == "0"
    assert measures.format_delta(None, "count") is None
    i18n.set_lang("en")
    assert measures.format_value(1.234, "ratio") == "1.23×"
    assert measures.format_delta(0.0123, "share") == "+1.2 pp"


def test_colour_follows_meaning():
    """Issue 11: more high-risk is red, more help delivered green; more files scored is neither."""
    high, cover, scored = (measures.get(c) for c in ("tier_high", "assist_cov", "households"))
    assert measures.is_worse(3, high) and not measures.is_worse(-3, high) and not measures.is_worse(0, high)
    assert measures.is_worse(-0.1, cover) and not measures.is_worse(0.1, cover)
    assert not measures.is_worse(-18, scored) and not measures.is_worse(18, scored)
    assert [measures.delta_colour(m) for m in (high, cover, scored)] == ["inverse", "normal", "off"]
    no_job = measures.get("labour_no_job")  # target 0: any household is an alarm
    assert measures.alarm(no_job, 1) and not measures.alarm(no_job, 0) and not measures.alarm(no_job, None)
    assert not measures.alarm(high, 300)


# ---------------------------------------------------------------- roll-ups against the raw rows
@dataclass
class Raw:
    """The latest month's raw rows, read with plain SELECTs (never the code's SQL)."""

    month: int
    scored: pd.DataFrame  # risk_score rows of the month, with the county's province
    current: pd.DataFrame  # household_current rows of the month
    files: pd.DataFrame  # every household_current row (each file's latest score, flags judged at the as-of date)
    migrants: pd.DataFrame  # migrant persons of the households in `current`, with their tier and provinces


def _raw(engine: Engine, prov: str | None) -> Raw:
    month = int(sql(engine, "SELECT MAX(month) AS m FROM risk_score")["m"].iloc[0])
    region = sql(engine, "SELECT adcode, prov_adcode FROM region")
    scored = sql(engine, "SELECT * FROM risk_score WHERE month = :m", m=month)
    scored = scored.merge(region, on="adcode", how="left")
    files = sql(engine, "SELECT * FROM household_current")
    current = files[files["month"] == month]
    persons = sql(engine, "SELECT * FROM person")
    persons = persons[persons["is_migrant"].astype(bool)]
    migrants_ = persons.merge(current[["hh_id", "tier", "prov_adcode"]], on="hh_id")
    prov_of = dict(zip(region["adcode"], region["prov_adcode"], strict=True))
    migrants_["origin_prov"] = migrants_["origin_adcode"].map(prov_of)
    migrants_["work_prov"] = migrants_["work_adcode"].map(prov_of)
    if prov:
        scored = scored[scored["prov_adcode"] == prov]
        current = current[current["prov_adcode"] == prov]
        files = files[files["prov_adcode"] == prov]
        migrants_ = migrants_[migrants_["prov_adcode"] == prov]
    return Raw(month, scored, current, files, migrants_)


def _bit(frame: pd.DataFrame, flag: Flag) -> pd.Series:
    return (frame["flags"].astype("int64") & int(flag)) != 0


def _median_within_its_bin(raw: Raw) -> Callable[[float], bool]:
    r = raw.scored["r"].dropna()
    true = float(r.median())
    edges = (-np.inf, *risk.R_BIN_EDGES, np.inf)
    i = int(np.searchsorted(risk.R_BIN_EDGES, true, side="right"))
    low, high = max(edges[i], 0.0), edges[i + 1] if np.isfinite(edges[i + 1]) else true + 1.0
    return lambda shown: low - 1e-9 <= shown <= high + 1e-9  # the histogram's estimate stays in the true bin


OPEN = ("在档", "帮扶中")
# code → (which roll-up the screens read it from, the value from the raw rows)
EXPECTED: dict[str, tuple[str, Callable[[Raw], float]]] = {
    "households": ("region", lambda r: len(r.scored)),
    "open_files": ("region", lambda r: r.scored["status"].isin(OPEN).sum()),
    "tier_high": ("region", lambda r: (r.scored["tier"] == "高").sum()),
    "tier_mid": ("region", lambda r: (r.scored["tier"] == "中").sum()),
    "tier_low": ("region", lambda r: (r.scored["tier"] == "低").sum()),
    "high_share": ("region", lambda r: (r.scored["tier"] == "高").mean()),
    "newly_high": ("region", lambda r: _bit(r.scored, Flag.NEWLY_HIGH).sum()),
    "new_ident": ("region", lambda r: _bit(r.scored, Flag.NEW_IDENT).sum()),
    "eliminated": ("region", lambda r: _bit(r.scored, Flag.ELIMINATED).sum()),
    "relapsed": ("region", lambda r: _bit(r.scored, Flag.RELAPSED).sum()),
    "assist_cov": ("region", lambda r: _bit(r.scored, Flag.ASSISTED).mean()),
    "helper_cov": ("region", lambda r: _bit(r.scored, Flag.HAS_HELPER).mean()),
    "overdue": ("region", lambda r: (r.files["status"].isin(OPEN) & _bit(r.files, Flag.DQ_NO_ASSISTANCE)).sum()),
    "median_r": ("region", _median_within_its_bin),
    "mean_income": ("industry", lambda r: r.scored["income"].mean()),
    "not_returned": ("region", lambda r: _bit(r.scored, Flag.NOT_RETURNED).sum()),
    "out_of_work": ("region", lambda r: _bit(r.scored, Flag.OUT_OF_WORK).sum()),
    "wage_arrears": ("industry", lambda r: _bit(r.scored, Flag.WAGE_ARREARS).sum()),
    "arrears_rate": ("industry", lambda r: _bit(r.scored, Flag.WAGE_ARREARS).mean()),
    "migrant_hh": ("region", lambda r: _bit(r.scored, Flag.MIGRANT).sum()),
    "platform_uninsured": ("region", lambda r: _bit(r.scored, Flag.PLATFORM_UNINSURED).sum()),
    "counselling": ("region", lambda r: _bit(r.scored, Flag.COUNSELLING).sum()),
    "migrant_workers": ("workplace", lambda r: len(r.migrants)),
    "cross_share": ("flows", lambda r: (lambda m: (m["origin_prov"] != m["work_prov"]).mean())(
        r.migrants.dropna(subset=["origin_prov", "work_prov"]))),
    "in_high_share": ("workplace", lambda r: (r.migrants["tier"] == "高").mean()),
    "uninsured_share": ("workplace", lambda r: (~r.migrants["pension_insured"].astype(bool)
                                                & ~r.migrants["injury_insured"].astype(bool)).mean()),
    "emp_rate": ("site", lambda r: (lambda s: s["employed"].sum() / s["labour"].sum())(
        r.scored[r.scored["site_id"].notna()])),
    "labour_no_job": ("site", lambda r: _bit(r.scored[r.scored["site_id"].notna()], Flag.LABOUR_NO_JOB).sum()),
}


def _rollup(engine: Engine, source: str, filters: Filters, month: int) -> pd.DataFrame:
    """The summed roll-up rows a screen reads for `filters` in `month` (through the screens' own queries)."""
    if source == "region":
        frame = overview.monthly_measures(engine, filters)
        return frame[frame["month"] == month]
    if source == "site":
        frame = sites.site_monthly(engine, filters)
        return frame[frame["month"] == month]
    if source == "industry":
        return industries.industry_table(engine, filters, month)
    if source == "workplace":
        return migrants.migrant_workplace_risk(engine, filters, month)
    if source == "flows":
        return migrants.migrant_flows(engine, filters, month)
    raise ValueError(source)


def test_every_measure_has_an_independent_expectation():
    # the work measures are read as of a day from the loop's tables: tests/test_progress.py checks them
    work = {c for c in measures.MEASURES if set(measures.columns(c)) <= PROGRESS_COLUMNS}
    assert work == set(measures.SCREENS["overview_work"]) | set(measures.SCREENS["ranking"])
    assert set(EXPECTED) == set(measures.MEASURES) - work


@pytest.mark.parametrize("prov", [None, "520000"])
def test_every_measure_equals_pandas_over_the_raw_rows(demo_db, prov):
    raw = _raw(demo_db, prov)
    filters = Filters(region=prov or "000000")
    assert len(raw.scored) > 50 and len(raw.migrants) > 10  # the comparison means something
    for code, (source, expected) in EXPECTED.items():
        shown = measures.total(_rollup(demo_db, source, filters, raw.month), code)
        want = expected(raw)
        if callable(want):  # an estimate: a predicate on the shown value
            assert shown is not None and want(shown), (code, shown)
        else:
            assert shown == pytest.approx(float(want)), code


# ---------------------------------------------------------------- screens show the one definition
def _page(app, path: str, **query: str) -> AppTest:
    at = app(**query).run()
    if path != "overview":
        at.switch_page(f"pages/{path}.py").run()
    assert not at.exception, at.exception
    return at


def _measure_for(label: str) -> measures.Measure | None:
    """The measure whose (translated) label a card's label is, or begins with (春节后未返岗（2026年3月）)."""
    found = [m for m in measures.MEASURES.values() if label == t(m.label) or label.startswith(t(m.label) + "（")
             or label.startswith(t(m.label) + " (")]
    return max(found, key=lambda m: len(t(m.label)), default=None)


def _column_helps(at: AppTest) -> dict[str, str]:
    """Column header → help of every table on the page (from the dataframe's column configuration)."""
    out: dict[str, str] = {}
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        for column in config.values():
            if isinstance(column, dict) and column.get("label"):
                out[column["label"]] = column.get("help") or ""
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path, query", [
    ("overview", {}), ("map", {"metric": "high_share"}), ("sites", {}), ("industries", {}), ("migrants", {}),
    ("trends", {"series": "high_share"}),
])
def test_every_card_and_column_of_a_measure_carries_its_help(app, path, query, lang):
    at = _page(app, path, lang=lang, **query)
    cards = 0
    for metric in at.metric:
        measure = _measure_for(metric.label)
        if measure is not None:
            cards += 1
            assert metric.proto.help == t(measure.help), (path, metric.label)
    for label, help_ in _column_helps(at).items():
        measure = _measure_for(label)
        if measure is not None:
            assert help_ == t(measure.help), (path, label)
    assert cards or path in ("industries", "trends", "map")


def test_the_high_risk_share_reads_the_same_on_overview_map_and_sites(app):
    share = measures.get("high_share")
    overview_card = next(m for m in _page(app, "overview").metric if m.label == share.label)
    map_page = _page(app, "map", metric="high_share")
    sites_card = next(m for m in _page(app, "sites").metric if m.label == share.label)
    assert overview_card.proto.help == sites_card.proto.help == share.help
    assert share.help in [c.value for c in map_page.caption]
    assert _column_helps(map_page)[share.label] == share.help  # the table under the map: the same definition


def test_the_meeting_screen_shows_the_overview_numbers(app, demo_db):
    at = _page(app, "meeting", screens="kpi")
    cards = "".join(m.value for m in at.markdown if "sn-kpi" in m.value)
    month = int(sql(demo_db, "SELECT MAX(month) AS m FROM risk_score")["m"].iloc[0])
    monthly = overview.monthly_measures(demo_db, Filters())
    for m in measures.select("meeting"):
        value = measures.format_value(measures.total(monthly[monthly["month"] == month], m.code), m.kind)
        assert re.search(f'<div class="label">{re.escape(m.label)}</div><div class="value( bad)?">{re.escape(value)}</div>',
                         cards), m.code


def test_the_meeting_screen_shows_both_changes_coloured_by_meaning(app, demo_db):
    """Issue 11 §2: each card carries 环比 and 同比; a rise in high-risk households a year on is red."""
    at = _page(app, "meeting", screens="kpi")
    cards = "".join(m.value for m in at.markdown if "sn-kpi" in m.value)
    month = int(sql(demo_db, "SELECT MAX(month) AS m FROM risk_score")["m"].iloc[0])
    monthly = overview.monthly_measures(demo_db, Filters())
    high = measures.get("tier_high")
    now = measures.total(monthly[monthly["month"] == month], "tier_high")
    year_ago = measures.total(monthly[monthly["month"] == month - 100], "tier_high")
    change = measures.format_delta(now - year_ago, high.kind)
    colour = {"red": "bad", "green": "good", "gray": "muted"}[measures.change_colour(high, now - year_ago)]
    card = re.search(f'<div class="label">{re.escape(high.label)}</div>.*?</div></div>', cards).group(0)
    assert f'<div class="delta {colour}">同比 {change}</div>' in card
    assert cards.count(">同比 ") == cards.count('<div class="sn-kpi">') == cards.count(">环比 ")


def test_the_overview_says_whom_it_counts_with_the_months_own_numbers(app, demo_db):
    """The tiers add up to the households scored; the open files are part of them; the rest are followed."""
    statement = next(c.value for c in _page(app, "overview").caption if c.value.startswith("统计口径"))
    month = int(sql(demo_db, "SELECT MAX(month) AS m FROM risk_score")["m"].iloc[0])
    rows = sql(demo_db, "SELECT tier, status FROM risk_score WHERE month = :m", m=month)
    scored, open_files = len(rows), int(rows["status"].isin(["在档", "帮扶中"]).sum())
    tiers = rows["tier"].value_counts()
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", statement)]
    assert numbers == [scored, int(tiers.get("高", 0)), int(tiers.get("中", 0)), int(tiers.get("低", 0)),
                       open_files, scored - open_files]
    assert numbers[1] + numbers[2] + numbers[3] == numbers[0]
