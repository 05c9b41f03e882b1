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
