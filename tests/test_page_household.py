"""一户一档: the household file shows exactly what the database holds, masked, with the elimination checklist."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from safetynet import i18n
from safetynet.domain import lifecycle, risk
from safetynet.domain.lines import LineTable
from safetynet.queries import household_file as q
from safetynet.views import household as view


def _pick(engine, where: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT c.hh_id FROM household_current c WHERE {where} ORDER BY c.hh_id LIMIT 1"))
                   .scalar())


def test_household_page_matches_database(app, demo_db):
    hh = _pick(demo_db, "c.tier = '高'")
    at = app(hh=str(hh)).run()
    at.switch_page("pages/household.py").run()
    assert not at.exception
    members = pd.read_sql(text("SELECT name, id_number FROM person WHERE hh_id = :h"), demo_db, params={"h": hh})
    tables = [d.value for d in at.dataframe]
    member_table = next(t for t in tables if "身份证号" in t.columns)
    assert len(member_table) == len(members)
    assert not set(member_table["身份证号"]) & set(members["id_number"])
    assert all(v[:6] + "*" * 8 + v[-4:] in set(member_table["身份证号"]) for v in members["id_number"])
    full = {n for n in members["name"] if len(n) > 1}
    assert not set(member_table["姓名"]) & full
    scores = pd.read_sql(text("SELECT COUNT(*) n FROM risk_score WHERE hh_id = :h"), demo_db, params={"h": hh})
    history = next(t for t in tables if "reasons" in t.columns)
    assert len(history) == int(scores["n"].iloc[0])
    file_no = pd.read_sql(text("SELECT file_no FROM household WHERE hh_id = :h"), demo_db, params={"h": hh})
    assert any(file_no["file_no"].iloc[0] in s.value for s in at.subheader)
    assert any(m.label == "风险等级" and m.value == "高风险" for m in at.metric)


@pytest.mark.parametrize("raw", ["999999999", "abc", "1 OR 1=1", ""])
def test_unknown_or_hostile_household_parameter(app, raw):
    at = app(hh=raw).run()
    at.switch_page("pages/household.py").run()
    assert not at.exception
    assert not at.dataframe  # nothing shown for a household that isn't there


def test_find_by_file_number(demo_db):
    row = pd.read_sql(text("SELECT hh_id, file_no FROM household ORDER BY hh_id LIMIT 1"), demo_db).iloc[0]
    assert q.find(demo_db, f"  {row['file_no']} ") == int(row["hh_id"])
    assert q.find(demo_db, "nope' OR '1'='1") is None


def test_income_against_line_is_net_per_person(demo_db):
    hh = _pick(demo_db, "c.population = 'worker'")
    info = q.household(demo_db, hh).iloc[0]
    months = q.months(demo_db, hh)
    members = q.members(demo_db, hh)
    lines = LineTable(q.lines_for(demo_db, info["adcode"]))
    frame = view.income_against_line(months, info, lines, len(members))
    first = months.iloc[0]
    income = first[["income_wage", "income_operating", "income_property", "income_transfer"]].sum()
    rigid = first[["spend_medical", "spend_school", "spend_care", "spend_work"]].sum()
    assert frame["net_pc"].iloc[0] == pytest.approx((income - rigid) / len(members))
    year = int(first["month"]) // 100
    assert frame["line"].iloc[0] == pytest.approx(lines.lookup(info["adcode"], year, "urban_dibao_month")
                                                  * float(info["line_multiplier"]))


def test_reason_history_rerenders_stored_components(demo_db):
    hh = _pick(demo_db, "c.tier = '高'")
    scores = q.scores(demo_db, hh)
    current = q.current(demo_db, hh).iloc[0]
    i18n.set_lang("zh")
    history = view.reason_history(scores, current["category"])
    assert history["reasons"].iloc[0] == current["reasons"]  # newest first, equal to the stored text
    assert list(history["score"]) == list(scores["score"].iloc[::-1])


def test_elimination_checklist_uses_latest_six_months(demo_db):
    hh = _pick(demo_db, "c.status IN ('在档', '帮扶中')")
    info = q.household(demo_db, hh).iloc[0]
    scores = q.scores(demo_db, hh)
    check = view.elimination_check(info, scores, 1, 2)
    expected = lifecycle.elimination_check(pd.Timestamp(info["identified_on"]).date(), int(scores["month"].iloc[-1]), 1,
                                           [None if np.isnan(r) else float(r) for r in scores["r"].tail(6)],
                                           int(scores["triggers"].iloc[-1]) != 0, 2)
    assert [c.ok for c in check.conditions] == [c.ok for c in expected.conditions]


def test_score_figure_stacks_every_factor():
    scores = pd.DataFrame({"month": [202601, 202602], "score": [40, 70], "tier": ["中", "高"],
                           **{f"pts_{f}": [5, 9] for f in risk.FACTORS}})
    fig = view.build_score_figure(scores)
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert len(bars) == 8 and fig.layout.barmode == "stack"
    markers = [tr for tr in fig.data if tr.type == "scatter"]
    assert len(markers[0].x) == 1  # one 高 month marked
