"""The leaders' view of the work after a warning (issue 10 §5, DOMAIN §8 "Leaders look at").

- domain.progress equals a row-by-row count over the raw tables (plain SELECTs; each lead, file and day
  walked in Python with the scalar calendar and deadline rules), for the whole country, a province and
  each child region, today and a month ago, on SQLite and PostgreSQL;
- deadlines count working days across the National Day holiday and its make-up working day;
- a re-opened file starts a new spell: a plan or help from before does not count for it;
- the overview shows the same figures, and the ranking ranks regions by them (1 = best) with the change
  since a month ago; a staff action (a follow-up visit) moves the figures at the next rerun.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from safetynet import measures
from safetynet.auth import User
from safetynet.casework import commands as C
from safetynet.casework.service import execute
from safetynet.config import REPO_ROOT
from safetynet.domain import progress
from safetynet.domain.deadlines import FOLLOWUP, DeadlineRules
from safetynet.domain.workdays import WorkCalendar
from safetynet.filters import Filters
from safetynet.queries import progress as progress_queries
from tests.conftest import TEST_ADMIN, db_url, signed_in
from tests.support import Raw, as_date, card

TODAY = dt.date.today()


def _computed(engine: Engine, region: str, level: int, child_level: int, days: list[dt.date]):
    raw = Raw(engine)
    inputs = progress_queries.progress_inputs(engine, Filters(region=region), level, child_level,
                                              progress.month_before(min(days)))
    return raw, (progress.progress(inputs, days, raw.calendar, raw.rules, by_group=False),
                 progress.progress(inputs, days, raw.calendar, raw.rules))


def _same(row: pd.Series, want: dict[str, float], label: object) -> None:
    for column in progress.COLUMNS:
        expected = want.get(column, np.nan if column == "decision_days" else 0)
        got = row[column]
        if column == "decision_days" and np.isnan(expected):
            assert np.isnan(got), (label, column)
        else:
            assert got == pytest.approx(expected), (label, column)


@pytest.mark.parametrize("region, level, child_level", [("000000", 0, 1), ("520000", 1, 2)])
def test_progress_equals_a_row_by_row_count_over_the_raw_tables(demo_db, region, level, child_level):
    days = [progress.month_before(TODAY), TODAY]
    raw, (totals, children) = _computed(demo_db, region, level, child_level, days)
    leads_seen = 0
    for day in days:
        want = raw.count(region, None, day)[None]
        assert want["files_open"] > 20 and want["followed_files"] > 20  # the comparison means something
        leads_seen += want["open_leads"] + want["decided_leads"]
        _same(totals.set_index("as_of").loc[day], want, day)
        by_group = raw.count(region, child_level, day)
        shown = children[children["as_of"] == day].set_index("group")
        assert set(by_group) <= set(shown.index)
        for group in shown.index:
            _same(shown.loc[group], by_group.get(group, {}), (day, group))
    assert leads_seen > 0
    overdue = totals.set_index("as_of").loc[TODAY]
    assert 0 < overdue["overdue_visits"] < overdue["followed_files"]  # the demo has some, not all, late


def _lead_inputs(received: str, checked: str | None = None) -> progress.Inputs:
    lead = pd.DataFrame({"group": ["522623"], "adcode": ["522623"], "received_on": [pd.Timestamp(received)],
                         "checked_on": [pd.Timestamp(checked) if checked else pd.NaT], "decided_on": [pd.NaT]})
    empty = pd.DataFrame({"hh_id": pd.Series([], dtype="int64"), "group": [], "adcode": [],
                          "changed_on": pd.Series([], dtype="datetime64[ns]"), "change_id": [], "to_status": []})
    none = pd.DataFrame({"hh_id": pd.Series([], dtype="int64"), "on": pd.Series([], dtype="datetime64[ns]")})
    return progress.Inputs(leads=lead, changes=empty, followups=none.rename(columns={"on": "followed_on"}),
                           aids=none.rename(columns={"on": "delivered_on"}),
                           plans=none.rename(columns={"on": "created_on"}))


def test_a_home_check_deadline_counts_working_days_across_the_national_day_holiday():
    """Received Wednesday 30 September 2026: 1–7 October are holidays, Saturday 10 October a make-up working
    day, so the 5th working day is Tuesday 13 October — not 5 October, nor 15 October without the make-up."""
    calendar, rules = WorkCalendar.shipped(), DeadlineRules()
    inputs = _lead_inputs("2026-09-30")
    days = [dt.date(2026, 10, 5), dt.date(2026, 10, 13), dt.date(2026, 10, 14)]
    frame = progress.progress(inputs, days, calendar, rules, by_group=False).set_index("as_of")
    assert list(frame["open_leads"]) == [1, 1, 1]
    assert list(frame["overdue_leads"]) == [0, 0, 1]
    # once checked, the decision deadline (15 working days) runs from receipt: 8, 9, 10 (make-up), 12–16,
    # 19–23, 26, 27 October — due Tuesday 27 October
    checked = progress.progress(_lead_inputs("2026-09-30", "2026-10-09"), [dt.date(2026, 10, 14),
                                dt.date(2026, 10, 27), dt.date(2026, 10, 28)], calendar, rules, by_group=False)
    assert list(checked["overdue_leads"]) == [0, 0, 1]


def test_a_reopened_file_starts_a_new_spell():
    """A file eliminated and re-opened (返贫): help and a plan from before the re-opening do not make the new
    spell "helped" or "planned"; a visit before it does not count either."""
    calendar, rules = WorkCalendar.shipped(), DeadlineRules()
    changes = pd.DataFrame({"hh_id": [1, 1, 1, 1], "group": ["522623"] * 4, "adcode": ["522623"] * 4,
                            "changed_on": pd.to_datetime(["2025-01-10", "2025-02-01", "2025-09-01", "2026-06-01"]),
                            "change_id": [1, 2, 3, 4], "to_status": ["在档", "帮扶中", "风险消除", "在档"]})
    inputs = progress.Inputs(
        leads=pd.DataFrame(columns=["group", "adcode", "received_on", "checked_on", "decided_on"]),
        changes=changes,
        followups=pd.DataFrame({"hh_id": [1], "followed_on": pd.to_datetime(["2026-05-20"])}),
        aids=pd.DataFrame({"hh_id": [1], "delivered_on": pd.to_datetime(["2025-03-01"])}),
        plans=pd.DataFrame({"hh_id": [1], "created_on": pd.to_datetime(["2025-02-05"])}))
    days = [dt.date(2025, 4, 1), dt.date(2025, 12, 15), dt.date(2026, 6, 10)]
    frame = progress.progress(inputs, days, calendar, rules, by_group=False).set_index("as_of")
    first, after, reopened = (frame.loc[d] for d in days)
    assert (first["files_open"], first["with_plan"], first["with_aid"]) == (1, 1, 1)
    # eliminated 1 Sept 2025, last visit none since: the quarterly visit was due 1 Dec 2025
    assert (after["files_open"], after["followed_files"], after["overdue_visits"]) == (0, 1, 1)
    # re-opened 1 June 2026 in 在档 with no help yet: first help is due, not a visit; nothing planned or helped
    assert (reopened["files_open"], reopened["with_plan"], reopened["with_aid"]) == (1, 0, 0)
    assert reopened["followed_files"] == 0


def test_a_median_is_never_summed():
    with pytest.raises(ValueError):
        measures.total(pd.DataFrame({"decision_days": [3.0, 9.0]}), "decision_days")


# ---------------------------------------------------------------- the overview
def _open(app, **query: str) -> AppTest:
    at = app(**query).run()
    assert not at.exception, at.exception
    return at


def test_the_overview_shows_the_work_as_of_today_and_ranks_the_provinces(app, demo_db):
    at = _open(app)
    raw = Raw(demo_db)
    want = raw.count("000000", None, TODAY)[None]
    assert card(at, "逾期线索") == f"{int(want['overdue_leads']):,}"
    assert card(at, "逾期回访") == f"{int(want['overdue_visits']):,}"
    assert card(at, "已落实帮扶的档案") == f"{want['with_aid'] / want['files_open'] * 100:.1f}%"
    assert card(at, "有一户一策的档案") == f"{want['with_plan'] / want['files_open'] * 100:.1f}%"
    assert card(at, "线索逾期率") == f"{want['overdue_leads'] / want['open_leads'] * 100:.1f}%"
    assert card(at, "线索认定用时") == f"{want['decision_days']:.1f}个工作日"

    table = next(d.value for d in at.dataframe if "change" in d.value.columns)  # indexed by adcode
    now, before = raw.count("000000", 1, TODAY), raw.count("000000", 1, progress.month_before(TODAY))
    assert set(now) <= set(table.index)  # and regions with files but nothing to count today
    expected, expected_before = _composite(now), _composite(before)
    assert expected.notna().sum() > 3
    for adcode, rank in expected.items():
        row = table.loc[adcode]
        assert (pd.isna(row["rank"]) and pd.isna(rank)) or row["rank"] == rank, adcode  # unranked: every cell small
        assert row["name"] == raw.region[adcode]["name"]
        c = now[adcode]
        shown_share = f"{c['overdue_leads'] / c['open_leads'] * 100:.1f}%" if c.get("open_leads") else "—"
        if 0 < c.get("open_leads", 0) < SMALL:
            shown_share += " *"  # shown, marked, not ranked
        assert row["lead_overdue_share"] == shown_share, adcode
        if adcode in expected_before.dropna().index and pd.notna(rank):
            moved = int(expected_before[adcode] - rank)
            assert row["change"] == (f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "持平"), adcode
        else:
            assert row["change"] == "—", adcode
    assert list(table["rank"].dropna()) == sorted(table["rank"].dropna())  # best first
    assert any(c.value.startswith("带 * 的数值基数不足5条线索或5户") for c in at.caption)  # the rule is said


# the five rates of the overall ranking, each with whether a higher value is worse
# (numerator, denominator, base): a rate over fewer than SMALL leads or files takes no place in a ranking
RATES = {"lead_overdue_share": (("overdue_leads", "open_leads", "open_leads"), True),
         "visit_overdue_share": (("overdue_visits", "followed_files", "followed_files"), True),
         "decision_days": (("decision_days", None, "decided_leads"), True),
         "plan_share": (("with_plan", "files_open", "files_open"), False),
         "aid_share": (("with_aid", "files_open", "files_open"), False)}
SMALL = 5


def _rate(counts: dict, numerator: str, denominator: str | None, base: str) -> float:
    if counts.get(base, 0) < SMALL:
        return np.nan
    if denominator is None:
        return counts.get(numerator, np.nan)
    return counts.get(numerator, 0) / counts[denominator]


def _composite(by_region: dict) -> pd.Series:
    """综合: each region's place in each rate (1 = best, ties share the better place), averaged, ranked."""
    places = pd.DataFrame({
        code: pd.Series({g: _rate(c, *parts) for g, c in by_region.items()}, dtype=float)
        .rank(method="min", ascending=worse) for code, (parts, worse) in RATES.items()})
    return places.mean(axis=1, skipna=True).rank(method="min")


def test_ranking_by_another_measure_and_in_english(app, demo_db):
    at = _open(app, rank_by="aid_share", lang="en")
    assert any(m.label == "Files helped" for m in at.metric)
    table = next(d.value for d in at.dataframe if "change" in d.value.columns)
    raw = Raw(demo_db).count("000000", 1, TODAY)
    shares = pd.Series({g: c["with_aid"] / c["files_open"] for g, c in raw.items() if c.get("files_open", 0) >= SMALL})
    expected = shares.rank(method="min", ascending=False)  # a higher-is-good measure: the highest share ranks 1
    assert expected.max() > 1  # regions differ
    assert table["rank"].dropna().astype(int).to_dict() == expected.astype(int).to_dict()
    assert table["rank"].iloc[0] == 1
    rank_by = next(box for box in at.selectbox if box.label == "Rank by")
    assert "Overall" in rank_by.options and rank_by.value == "aid_share"


def test_a_follow_up_visit_moves_the_figures_at_the_next_rerun(writable_demo_db, monkeypatch):
    """Writes on a database that holds the demo: a staff member logs the overdue visit of one file; the
    overview's 逾期回访 falls by one at the next rerun (the data version moved)."""
    engine = writable_demo_db
    raw = Raw(engine)
    days = [TODAY]
    inputs = progress_queries.progress_inputs(engine, Filters(), 0, 1, progress.month_before(TODAY))
    before = progress.progress(inputs, days, raw.calendar, raw.rules, by_group=False).iloc[0]
    assert before["overdue_visits"] > 0
    # one overdue file, found row by row
    target = None
    for hh_id, changes in raw.changes.items():
        if changes[-1]["to_status"] == "帮扶中":
            spell = as_date(changes[-1]["changed_on"])
            last = max([d for d in raw.visits[hh_id] if d <= TODAY] + [spell])
            county = raw.households[hh_id]["adcode"]
            if raw.rules.due(county, FOLLOWUP, last, raw.calendar) < TODAY:
                target = (hh_id, county)
                break
    assert target is not None
    hh_id, county = target
    staff = User(user_id=0, username="progress_staff", display_name="回访人员", role="staff", scope=county)
    signed_in(engine, staff)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT row_version FROM household WHERE hh_id = :h"), {"h": hh_id}).scalar_one()
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.session_state["auth"] = signed_in(engine, TEST_ADMIN)
    at.run()
    assert not at.exception
    assert card(at, "逾期回访") == f"{int(before['overdue_visits']):,}"
    execute(engine, staff, C.LogFollowup(hh_id, TODAY, "入户", "回访人员", "情况稳定", int(version)), TODAY)
    at.run()
    assert not at.exception
    assert card(at, "逾期回访") == f"{int(before['overdue_visits']) - 1:,}"


def test_a_rate_over_a_few_leads_is_listed_marked_and_not_ranked():
    """One overdue lead of one would put a quiet county last on 100 %: under five it takes no place."""
    from safetynet.views import progress as view

    today = dt.date(2026, 12, 3)
    rows = pd.DataFrame({"as_of": [today] * 3, "group": ["A", "B", "C"], "open_leads": [1, 10, 20],
                         "overdue_leads": [1, 3, 2], "decided_leads": [0, 6, 8], "decision_days": [np.nan, 9.0, 12.0],
                         "files_open": [40, 50, 3], "with_plan": [40, 45, 3], "with_aid": [30, 40, 1],
                         "followed_files": [40, 50, 3], "overdue_visits": [0, 5, 3]})
    table = view.ranking(rows, pd.Series({"A": "甲县", "B": "乙县", "C": "丙县"}), "lead_overdue_share", today,
                         progress.month_before(today))
    assert pd.isna(table.loc["A", "rank"]) and table.loc["A", "lead_overdue_share"] == "100.0% *"
    assert (table.loc["C", "rank"], table.loc["B", "rank"]) == (1, 2)  # 10 % beats 30 %
    by_plan = view.ranking(rows, pd.Series(dtype=str), "plan_share", today, progress.month_before(today))
    assert pd.isna(by_plan.loc["C", "rank"]) and by_plan.loc["C", "plan_share"] == "100.0% *"
