"""The overview's and meeting screen's trend figure: month labels that do not collide on a laptop."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from safetynet import measures
from safetynet.domain.months import add_months
from safetynet.i18n import fmt_month
from safetynet.views import figures


def test_at_most_five_month_labels_with_the_latest_month_labelled():
    for months in (1, 4, 5, 6, 12, 23, 24, 36):
        labels = [fmt_month(add_months(202610, -k)) for k in range(months - 1, -1, -1)]
        ticks = figures.month_ticks(labels)
        assert 1 <= len(ticks) <= figures.MAX_MONTH_TICKS, (months, ticks)
        assert ticks[-1] == fmt_month(202610)
        assert set(ticks) <= set(labels) and ticks == sorted(ticks, key=labels.index)
        if months <= figures.MAX_MONTH_TICKS:
            assert ticks == labels  # short series: every month
        gaps = {labels.index(b) - labels.index(a) for a, b in zip(ticks, ticks[1:], strict=False)}
        assert len(gaps) <= 1  # evenly spaced


def test_the_trend_figure_uses_those_labels(demo_db):
    from safetynet.filters import Filters
    from safetynet.queries import overview

    monthly = overview.monthly_measures(demo_db, Filters()).tail(24)
    fig = figures.build_trend_figure(monthly, measures.codes("overview_trend"), "趋势")
    shown = list(fig.layout.xaxis.tickvals)
    assert shown == figures.month_ticks([fmt_month(int(m)) for m in monthly["month"]])
    assert len(shown) <= figures.MAX_MONTH_TICKS and shown[-1] == fmt_month(int(monthly["month"].iloc[-1]))


def test_a_change_is_coloured_by_what_it_means():
    """Issue 11: more high-risk households is bad news (red) whatever the card's other numbers; more help
    delivered is good news (green); a change in a neutral count, or none, is grey."""
    high, covered = measures.get("tier_high"), measures.get("assist_cov")
    assert high.higher_is_bad is True and covered.higher_is_bad is False
    assert measures.change_colour(high, 133) == "red" and measures.change_colour(high, -3) == "green"
    assert measures.change_colour(covered, 0.02) == "green" and measures.change_colour(covered, -0.02) == "red"
    assert measures.change_colour(high, 0) == "gray" and measures.change_colour(high, None) == "gray"
    neutral = next(m for m in measures.MEASURES.values() if m.higher_is_bad is None)
    assert measures.change_colour(neutral, 50) == "gray"


def test_the_overview_cards_show_yoy_as_a_badge_coloured_like_the_month_on_month_change(app, demo_db):
    at = app().run()
    assert not at.exception
    badges = [m.value for m in at.markdown if "-badge[" in m.value and "同比" in m.value]
    assert len(badges) == len(at.metric) and at.metric, (len(badges), len(at.metric))
    assert not [c.value for c in at.caption if c.value.startswith("同比")]  # no grey footnote any more


def test_a_change_too_small_to_show_is_grey():
    covered = measures.get("assist_cov")
    assert measures.format_delta(0.0004, covered.kind) == "0"
    assert measures.change_colour(covered, 0.0004) == "gray" and measures.change_colour(covered, -0.0004) == "gray"


# ---------------------------------------------------------------- issue 12 §5: axes a leader reads at a glance
def _ticks(axis) -> list[float]:
    """The tick values Plotly draws for a linear axis with a fixed step, over its explicit range."""
    low, high = axis["range"]
    first = axis["tick0"] + axis["dtick"] * math.ceil((low - axis["tick0"]) / axis["dtick"])
    return [first + k * axis["dtick"] for k in range(int((high - first) // axis["dtick"]) + 1)]


@pytest.mark.parametrize("values", [[0, 0, 0], [0, 1, 1], [0, 1, 2, 1], [3, 4], [0, 7, 12], [120, 980], [0, 23456]])
def test_count_axes_tick_at_whole_numbers_only(values):
    axis = figures.count_axis(values)
    assert axis["tickformat"] == ",d" and axis["tickmode"] == "linear" and axis["tick0"] == 0
    assert isinstance(axis["dtick"], int) and axis["dtick"] >= 1
    top = max(values)
    shown = dict(axis, range=axis.get("range", [0, top * 1.05 or 1]))
    ticks = _ticks(shown)
    assert all(float(v).is_integer() for v in ticks), ticks
    labels = [f"{v:,.0f}" for v in ticks]
    assert len(labels) == len(set(labels)) >= 2, labels  # never "0, 0, 0, 1, 1, 1"
    assert len(ticks) <= 2 * figures.COUNT_TICKS + 1


def test_count_steps_are_round():
    assert [figures.count_step(s) for s in (0, 1, 4, 5, 9, 12, 40, 980, 23456)] == [1, 1, 1, 1, 2, 5, 10, 200, 5000]


def test_count_changes_keep_their_sign_and_whole_steps():
    axis = figures.count_axis([-3, 2, 7], "+,d")
    assert axis["tickformat"] == "+,d" and axis["rangemode"] == "normal" and axis["dtick"] == 2


@pytest.mark.parametrize("values", [[0.942, 0.95], [0.02, 0.031], [0.0], [0.4, 0.6], [1.0]])
def test_share_axes_start_at_zero(values):
    axis = figures.share_axis(values)
    assert axis["range"][0] == 0 and axis["range"][1] >= max(values) and axis["range"][1] <= 1.0
    assert axis["tickformat"] == ".0%"


def test_the_trend_figure_has_whole_number_counts_and_shares_from_zero():
    frame = pd.DataFrame({"month": [202608, 202609, 202610], "households": [400, 402, 401],
                          "tier_high": [0, 1, 1], "open_files": [2, 2, 3]})
    counts = [c for c in ("tier_high", "open_files") if measures.get(c).kind == measures.COUNT]
    fig = figures.build_trend_figure(frame, counts, "趋势")
    axis = fig.layout.yaxis
    assert axis.tickformat == ",d" and axis.tick0 == 0 and axis.dtick == 1 and axis.range[0] == 0
    labels = [f"{v:,.0f}" for v in _ticks(axis.to_plotly_json())]
    assert len(labels) == len(set(labels)), labels
    shares = figures.build_trend_figure(frame, ["high_share"], "趋势")
    assert shares.layout.yaxis.tickformat == ".0%" and shares.layout.yaxis.range[0] == 0


# ---------------------------------------------------------------- a phone's narrow chart (issue 12 §2)
def test_a_phone_keeps_three_month_labels_counted_back_from_the_latest():
    months = [add_months(202510, -k) for k in range(23, -1, -1)]
    frame = pd.DataFrame({"month": months, "households": [400] * 24, "tier_high": range(24)})
    fig = figures.build_trend_figure(frame, ["tier_high"], "趋势")
    desktop = list(fig.layout.xaxis.tickvals)
    assert len(desktop) > figures.PHONE_TICKS
    phone = list(figures.for_phone(fig).layout.xaxis.tickvals)
    assert len(phone) <= figures.PHONE_TICKS and phone[-1] == fmt_month(202510)
    assert set(phone) <= set(desktop)


def test_panels_side_by_side_share_the_phone_labels_and_plotly_ticks_are_capped():
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=3)
    labels = [f"{m}月" for m in range(1, 13)]
    for col in (1, 2, 3):
        fig.add_scatter(x=labels, y=list(range(12)), row=1, col=col)
        fig.update_xaxes(type="category", tickvals=labels[::2], ticktext=labels[::2], row=1, col=col)
    figures.for_phone(fig)
    for axis in (fig.layout.xaxis, fig.layout.xaxis2, fig.layout.xaxis3):
        assert list(axis.tickvals) == ["11月"] and list(axis.ticktext) == ["11月"]
    auto = go_figure_with_nticks(12)
    figures.for_phone(auto)
    assert auto.layout.xaxis.nticks == figures.PHONE_TICKS and auto.layout.xaxis.tickangle is None
    bars = go_figure_with_nticks(12)
    bars.update_xaxes(nticks=None)
    figures.for_phone(bars)
    assert bars.layout.xaxis.tickangle == -90 and bars.layout.xaxis.tickfont.size == 10


def go_figure_with_nticks(n: int):
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[f"{m}月" for m in range(1, 25)], y=list(range(24))))
    fig.update_xaxes(type="category", tickangle=0, nticks=n)
    return fig
