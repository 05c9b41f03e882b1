"""`python -m safetynet leads` and the casework counts of `stats --json` (issue 10, item 7)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from safetynet import cli
from tests.conftest import db_url
from tests.support import sql


def _add_lead(engine, adcode: str, received: dt.date, status: str = "待核实") -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO lead (adcode, channel, reason, received_on, status, created_at, row_version, "
                          "applicant_name, applicant_phone) VALUES (:a, '职工申请', '测试', :r, :s, :now, 1, "
                          "'保密姓名', '13900000000')"),
                     {"a": adcode, "r": received, "s": status, "now": dt.datetime.now()})


def test_leads_lists_the_open_leads_of_a_region_with_their_deadlines(writable_demo_db, capsys):
    engine = writable_demo_db
    county = sql(engine, "SELECT adcode FROM household ORDER BY hh_id")["adcode"].iloc[0]
    _add_lead(engine, county, dt.date(2026, 9, 1))  # months ago: the 5-working-day home check is long overdue
    _add_lead(engine, county, dt.date.today())  # today: 5 working days left
    _add_lead(engine, county, dt.date(2026, 9, 1), status="已办结")
    assert cli.main(["--db", db_url(engine), "leads", "--scope", county, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = sql(engine, f"SELECT lead_id FROM lead WHERE adcode = '{county}' AND status <> '已办结' ORDER BY lead_id")
    assert [r["lead_id"] for r in out["leads"]] == expected["lead_id"].tolist()
    mine = [r for r in out["leads"] if r["channel"] == "职工申请"]
    assert [r["overdue"] for r in mine] == [True, False]
    assert mine[0]["working_days_left"] < -20 and mine[1]["working_days_left"] == 5
    assert mine[0]["due_on"] == "2026-09-08"  # Tue 1 Sep + 5 working days
    assert "保密姓名" not in json.dumps(out, ensure_ascii=False) and "13900000000" not in json.dumps(out)
    assert out["overdue"] == sum(r["overdue"] for r in out["leads"])


def test_stats_counts_leads_and_pending_approvals(writable_demo_db, capsys):
    engine = writable_demo_db
    county = sql(engine, "SELECT adcode FROM household ORDER BY hh_id")["adcode"].iloc[0]
    _add_lead(engine, county, dt.date(2026, 9, 1))
    _add_lead(engine, county, dt.date(2026, 9, 1), status="已办结")
    assert cli.main(["--db", db_url(engine), "stats", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    leads = sql(engine, "SELECT status FROM lead")
    assert out["leads"]["open"] == int((leads["status"] != "已办结").sum())
    assert out["leads"]["closed"] == int((leads["status"] == "已办结").sum()) >= 1
    assert 1 <= out["leads"]["overdue"] <= out["leads"]["open"]
    pending = sql(engine, "SELECT COUNT(*) AS n FROM elimination_request WHERE status = '待审批'")["n"].iloc[0]
    assert out["approvals_pending"] == int(pending)
