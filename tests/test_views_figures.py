"""The overview's and meeting screen's trend figure: month labels that do not collide on a laptop."""

from __future__ import annotations

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
