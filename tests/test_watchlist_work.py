"""The watchlist's casework filters and assigning a file (issue 10 §3 and §5), on SQLite and PostgreSQL.

- 逾期未办 and 无一户一策 select exactly the households a row-by-row walk over the raw tables finds overdue
  (a lead's step or a visit past its deadline, in working days) or open without a plan today
  (tests.support.Raw, the same walk the overview's KPI cards are checked against);
- 我负责的 and 待审批消除 equal plain SQL over household, lead and elimination_request;
- on screen the filters come from the URL (?work=), combine with the tiers, and show the same households;
- 分派档案 on the household file gives the file to a staff member of the county: audited, scoped, versioned,
  and the file then shows under 我负责的 for them at the next rerun.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from safetynet import i18n
from safetynet.auth import SYSTEM, create_user
from safetynet.casework import commands as C
from safetynet.casework.errors import CaseworkRefused, Conflict, OutOfScope
from safetynet.casework.service import execute
from safetynet.domain import progress
from safetynet.filters import Filters
from safetynet.queries import progress as progress_queries
from safetynet.queries import watchlist
from safetynet.queries.casework import calendar_rows, deadline_rows
from safetynet.queries.watchlist import EXPORT_LIMIT, WatchlistQuery
from tests.conftest import db_url, open_screen
from tests.support import Raw, latest_month, sql

TODAY = dt.date.today()


def _listed(engine, filters: Filters, level: int, **kwargs) -> set[int]:
    query = WatchlistQuery(filters, level, latest_month(engine, "household_current"), tiers=(), page_size=EXPORT_LIMIT,
                           **kwargs)
    rows = watchlist.page(engine, query)
    assert watchlist.count(engine, query) == len(rows)
    return {int(h) for h in rows["hh_id"]}


def _behind(engine, filters: Filters, level: int) -> pd.DataFrame:
    """What the watchlist page hands the query (cache.load_households_behind, without Streamlit's cache)."""
    from safetynet.domain.deadlines import DeadlineRules
    from safetynet.domain.workdays import WorkCalendar

    inputs = progress_queries.progress_inputs(engine, filters, level, None, TODAY)
    return progress.households_behind(inputs, TODAY, WorkCalendar(calendar_rows(engine)),
                                      DeadlineRules(deadline_rows(engine)))


def _ids(frame: pd.DataFrame, column: str) -> tuple[int, ...]:
    return tuple(sorted(int(h) for h in frame.loc[frame[column], "hh_id"]))


@pytest.mark.parametrize("where", ["nation", "province"])
def test_overdue_and_no_plan_select_what_a_row_by_row_walk_finds(demo_db, where):
    raw = Raw(demo_db)
    region, level = ("000000", 0)
    if where == "province":
        region, level = sql(demo_db, "SELECT g.prov_adcode AS p FROM household h JOIN region g ON g.adcode = h.adcode "
                                     "GROUP BY g.prov_adcode ORDER BY COUNT(*) DESC")["p"].iloc[0], 1
    filters = Filters(region=region, scope="000000")
    counted = raw.count(region, "household", TODAY)
    overdue = {hh for hh, c in counted.items() if c["overdue_leads"] + c["overdue_visits"] > 0}
    no_plan = {hh for hh, c in counted.items() if c["files_open"] - c["with_plan"] > 0}
    assert overdue and no_plan, "the demo needs overdue files and open files without a plan"
    everyone = _listed(demo_db, filters, level)
    behind = _behind(demo_db, filters, level)
    assert _listed(demo_db, filters, level, work=("overdue",), hh_ids=_ids(behind, "overdue")) == overdue & everyone
    assert _listed(demo_db, filters, level, work=("no_plan",), hh_ids=_ids(behind, "no_plan")) == no_plan & everyone
    both = tuple(sorted(set(_ids(behind, "overdue")) & set(_ids(behind, "no_plan"))))
    assert _listed(demo_db, filters, level, work=("overdue", "no_plan"), hh_ids=both) == overdue & no_plan & everyone


def test_assigned_to_me_and_awaiting_approval_equal_plain_sql(demo_db):
    me = sql(demo_db, "SELECT assignee FROM household WHERE assignee IS NOT NULL GROUP BY assignee "
                      "ORDER BY COUNT(*) DESC, assignee")["assignee"].iloc[0]
    mine = set(sql(demo_db, "SELECT hh_id FROM household WHERE assignee = :me UNION "
                            "SELECT hh_id FROM lead WHERE assignee = :me AND status <> '已办结' AND hh_id IS NOT NULL",
                   me=me)["hh_id"].astype(int))
    pending = set(sql(demo_db, "SELECT hh_id FROM elimination_request WHERE status = '待审批'")["hh_id"].astype(int))
    assert mine and pending, "the demo needs assigned files and pending eliminations"
    everyone = _listed(demo_db, Filters(), 0)
    assert _listed(demo_db, Filters(), 0, work=("mine",), me=me) == mine & everyone
    assert _listed(demo_db, Filters(), 0, work=("pending",)) == pending & everyone
    assert _listed(demo_db, Filters(), 0, work=("mine", "pending"), me=me) == mine & pending & everyone


def test_work_filters_refuse_what_they_cannot_answer():
    with pytest.raises(ValueError):
        WatchlistQuery(Filters(), 0, 202610, work=("overdue OR 1=1",))
    with pytest.raises(ValueError):
        WatchlistQuery(Filters(), 0, 202610, work=("mine",))  # whose?
    with pytest.raises(ValueError):
        WatchlistQuery(Filters(), 0, 202610, work=("overdue",))  # the households were not computed


def test_the_page_filters_overdue_high_and_medium_from_the_url(app, demo_db):
    at = app(work="overdue").run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    assert at.session_state["work"] == ["overdue"]
    month = latest_month(demo_db, "household_current")
    counted = Raw(demo_db).count("000000", "household", TODAY)
    overdue = {hh for hh, c in counted.items() if c["overdue_leads"] + c["overdue_visits"] > 0}
    expected = sql(demo_db, "SELECT c.hh_id, h.file_no FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
                            "WHERE c.month = :m AND c.tier IN ('高', '中') ORDER BY c.score DESC, c.hh_id", m=month)
    expected = expected[expected["hh_id"].isin(overdue)]
    assert len(expected) > 0
    assert list(at.dataframe[0].value["file_no"]) == list(expected["file_no"].head(50))
    summary = next(m.value for m in at.markdown if "共" in m.value)
    assert f"共 {len(expected):,} 户" in summary
    # the tier breakdown is of the rows listed: the selected tiers only, adding up to the total (issue 11)
    breakdown = dict(re.findall(r"(高|中|低) ([\d,]+)", summary))
    assert set(breakdown) == {"高", "中"}
    assert sum(int(n.replace(",", "")) for n in breakdown.values()) == len(expected)
    labels = [p.label for p in at.get("button_group")]
    assert "办理进度" in labels


def test_the_filters_read_in_english(app):
    at = app(work="pending", lang="en").run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    group = next(p for p in at.get("button_group") if p.label == "Casework")
    assert "Elimination awaiting approval" in str(group.proto)


@pytest.fixture
def county_world(writable_demo_db, monkeypatch):
    engine = writable_demo_db
    counts = sql(engine, "SELECT adcode, COUNT(*) AS n FROM household WHERE status IN ('在档', '帮扶中') "
                         "GROUP BY adcode ORDER BY n DESC, adcode")
    county, other = counts["adcode"].iloc[0], counts["adcode"].iloc[1]
    staff = create_user(engine, "wl_staff", "pw-wl-staff-1", "staff", county, display_name="县工作人员", actor=SYSTEM)
    outsider = create_user(engine, "wl_other", "pw-wl-other-1", "staff", other, display_name="邻县人员", actor=SYSTEM)
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    yield {"engine": engine, "county": county, "other": other, "staff": staff, "outsider": outsider}
    i18n.set_lang("zh")


def test_assigning_a_file_on_screen_puts_it_under_assigned_to_me(county_world):
    engine, staff = county_world["engine"], county_world["staff"]
    hh = sql(engine, "SELECT h.hh_id, h.file_no, h.assignee, h.row_version FROM household h "
                     "JOIN household_current c ON c.hh_id = h.hh_id "
                     "WHERE h.adcode = :county AND h.status = '帮扶中' ORDER BY h.hh_id", county=county_world["county"])
    target = hh[hh["assignee"].fillna("") != staff.username].iloc[0]
    before = _listed(engine, Filters(), 0, work=("mine",), me=staff.username)
    assert int(target["hh_id"]) not in before

    at = open_screen(engine, staff, "pages/household.py", hh=str(int(target["hh_id"])))
    assert not at.exception
    at.selectbox(key="cw_file_assign_to").set_value(staff.username)
    at.button(key="cw_file_assign_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("档案已分派给" in s.value for s in at.success), [s.value for s in at.success]

    row = sql(engine, "SELECT assignee, row_version FROM household WHERE hh_id = :h", h=int(target["hh_id"])).iloc[0]
    assert row["assignee"] == staff.username and int(row["row_version"]) == int(target["row_version"]) + 1
    audit_row = sql(engine, "SELECT user_name, detail FROM audit_log WHERE action = 'casework' AND target = :t "
                            "ORDER BY audit_id DESC", t=f"hh:{int(target['hh_id'])}").iloc[0]
    assert audit_row["user_name"] == staff.username and "AssignFile" in audit_row["detail"]
    assert staff.username in audit_row["detail"]

    mine = _listed(engine, Filters(), 0, work=("mine",), me=staff.username)
    assert mine == before | {int(target["hh_id"])}
    listed = open_screen(engine, staff, "pages/watchlist.py", work="mine")
    next(b for b in listed.get("button_group") if b.key == "tier").set_value(["高", "中", "低"]).run()
    assert not listed.exception
    assert str(target["file_no"]) in set(listed.dataframe[0].value["file_no"])


def test_assigning_a_file_refuses_outsiders_stale_forms_and_closed_files(county_world):
    engine, staff, outsider = county_world["engine"], county_world["staff"], county_world["outsider"]
    hh = sql(engine, "SELECT hh_id, row_version FROM household WHERE adcode = :county AND status = '帮扶中' "
                     "ORDER BY hh_id", county=county_world["county"]).iloc[0]
    hh_id, seen = int(hh["hh_id"]), int(hh["row_version"])
    audited = int(sql(engine, "SELECT COUNT(*) AS n FROM audit_log")["n"].iloc[0])
    with pytest.raises(OutOfScope):  # a neighbour county's staff cannot reach the file, whatever the id says
        execute(engine, outsider, C.AssignFile(hh_id, outsider.username, seen))
    with pytest.raises(CaseworkRefused, match="不是该区县范围内在岗的工作人员"):  # nor be given it
        execute(engine, staff, C.AssignFile(hh_id, outsider.username, seen))
    with pytest.raises(Conflict):
        execute(engine, staff, C.AssignFile(hh_id, staff.username, seen - 1))
    assert sql(engine, "SELECT row_version FROM household WHERE hh_id = :h", h=hh_id)["row_version"].iloc[0] == seen
    assert int(sql(engine, "SELECT COUNT(*) AS n FROM audit_log")["n"].iloc[0]) == audited

    execute(engine, staff, C.AssignFile(hh_id, staff.username, seen))
    with pytest.raises(CaseworkRefused, match="已由"):
        execute(engine, staff, C.AssignFile(hh_id, staff.username, seen + 1))


def test_an_eliminated_file_scoring_high_reads_as_a_relapse_warning(demo_db):
    """Issue 11: files out of risk that score 高 are 返贫预警, not one more 高 file; open files keep their tier."""
    from safetynet.views import watchlist as wl_view

    month = latest_month(demo_db, "household_current")
    rows = watchlist.page(demo_db, WatchlistQuery(Filters(), 0, month, tiers=("高",), page_size=EXPORT_LIMIT))
    status = sql(demo_db, "SELECT hh_id, status FROM household").set_index("hh_id")["status"]
    eliminated = rows["hh_id"].map(status).isin(["风险消除", "已解困", "已脱困"]).to_numpy()
    assert eliminated.any() and (~eliminated).any(), "the demo needs both kinds among its 高 files"
    shown = wl_view.display_frame(rows)
    assert (shown.loc[eliminated, "tier"] == "返贫预警（高风险）").all()
    assert (shown.loc[~eliminated, "tier"] == "高风险").all()
    i18n.set_lang("en")
    try:
        assert (wl_view.display_frame(rows).loc[eliminated, "tier"].str.startswith("Relapse warning")).all()
    finally:
        i18n.set_lang("zh")
