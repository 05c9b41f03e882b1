"""Leads raised by scoring (系统预警, DOMAIN §8): newly 高, a hard trigger, 返贫预警 — one open lead per household."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from safetynet.auth import SYSTEM, create_user
from safetynet.casework import commands as C
from safetynet.casework import execute
from safetynet.domain.risk import Flag
from safetynet.pipeline import rescore
from tests.support import sql

ELIMINATED = ("风险消除", "已解困", "已脱困")


def expected_alerts(engine) -> pd.Series:
    """Which households the latest month's scores put on the visit list, and why, from the raw rows."""
    cur = sql(engine, "SELECT hh_id, month, tier, flags, triggers FROM household_current")
    hh = sql(engine, "SELECT hh_id, status, eliminated_on FROM household").set_index("hh_id")
    latest = cur["month"].max()
    cur = cur.loc[cur["month"] == latest].set_index("hh_id").join(hh)
    end = pd.Timestamp(year=latest // 100, month=latest % 100, day=1) + pd.offsets.MonthEnd(0)
    relapse = cur["status"].isin(ELIMINATED) & (pd.to_datetime(cur["eliminated_on"]) >= end - pd.DateOffset(months=12))
    newly = (cur["flags"].astype("int64") & int(Flag.NEWLY_HIGH)) != 0
    hit = (cur["tier"] == "高") & (newly | (cur["triggers"] != 0) | relapse) & ~cur["status"].isin(("退档", "注销"))
    alert = pd.Series("newly_high", index=cur.index)
    alert[cur["triggers"] != 0] = "hard_trigger"
    alert[relapse] = "relapse_warning"
    return alert[hit].sort_index()


def test_the_demo_raises_a_lead_for_every_household_the_scores_put_on_the_list(demo_db):
    """Every household the latest month puts on the visit list has a lead raised for that month, or its open
    lead took the alert, or its system lead of the last three months stands; the month's new system leads
    are exactly such households, with the alert the raw rows give."""
    from safetynet.domain.months import add_months

    expected = expected_alerts(demo_db)
    assert len(expected) > 10 and "hard_trigger" in set(expected)
    latest = int(sql(demo_db, "SELECT MAX(month) AS m FROM household_current")["m"].iloc[0])
    leads = sql(demo_db, "SELECT hh_id, alert, alert_month, channel, status, reason FROM lead WHERE hh_id IS NOT NULL")
    raised = leads.loc[(leads["channel"] == "系统预警") & (leads["alert_month"] == latest)]
    assert set(raised["hh_id"].astype(int)) <= set(expected.index)
    assert (raised.set_index("hh_id")["alert"] == expected.reindex(raised["hh_id"]).to_numpy()).all()
    assert raised["reason"].str.startswith("系统预警（").all()
    open_leads = set(leads.loc[leads["status"] != "已办结", "hh_id"].astype(int))
    recent = set(leads.loc[(leads["channel"] == "系统预警")
                           & (leads["alert_month"] >= add_months(latest, -2)), "hh_id"].astype(int))
    covered = set(raised["hh_id"].astype(int)) | open_leads | recent
    assert set(expected.index) <= covered


def test_scoring_again_raises_nothing_new(writable_demo_db):
    before = sql(writable_demo_db, "SELECT * FROM lead ORDER BY lead_id")
    rescore.rescore_all(writable_demo_db)
    after = sql(writable_demo_db, "SELECT * FROM lead ORDER BY lead_id")
    assert len(after) == len(before) > 0
    assert (after["reason"] == before["reason"]).all()


def test_an_open_lead_takes_the_alert_instead_of_a_second_lead(writable_demo_db):
    engine = writable_demo_db
    alerted = expected_alerts(engine)
    hh_id = int(alerted.index[0])
    county = sql(engine, "SELECT adcode FROM household WHERE hh_id = :h", h=hh_id)["adcode"].iloc[0]
    with engine.begin() as conn:  # the scoring lead was decided; a staff member then entered a new one
        conn.execute(text("UPDATE lead SET status = '已办结', decision = '纳入监测', alert_month = 200001 "
                          "WHERE hh_id = :h"), {"h": hh_id})
    staff = create_user(engine, "lead_staff", "pw-lead-001", "staff", county, actor=SYSTEM)
    execute(engine, staff, C.CreateLead(channel="工会排查", reason="走访发现家中困难", hh_id=hh_id,
                                        received_on=dt.date(2026, 11, 2)), dt.date(2026, 11, 30))
    rescore.rescore_all(engine)
    open_leads = sql(engine, "SELECT channel, reason FROM lead WHERE hh_id = :h AND status <> '已办结'", h=hh_id)
    assert len(open_leads) == 1 and open_leads["channel"].iloc[0] == "工会排查"
    assert "走访发现家中困难" in open_leads["reason"].iloc[0] and "；系统预警（" in open_leads["reason"].iloc[0]
    rescore.rescore_all(engine)  # joined once per month, not once per scoring run
    again = sql(engine, "SELECT reason FROM lead WHERE hh_id = :h AND status <> '已办结'", h=hh_id)
    assert again["reason"].iloc[0] == open_leads["reason"].iloc[0]


def test_an_import_that_makes_a_household_high_raises_its_lead(writable_demo_db):
    from safetynet.ingest import import_file

    engine = writable_demo_db
    latest = int(sql(engine, "SELECT MAX(month) AS m FROM household_month")["m"].iloc[0])
    calm = sql(engine, "SELECT c.hh_id, h.file_no FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
                       "WHERE c.tier = '低' AND c.month = :m AND h.status IN ('在档', '帮扶中') AND NOT EXISTS "
                       "(SELECT 1 FROM lead l WHERE l.hh_id = c.hh_id) ORDER BY c.hh_id", m=latest)
    assert len(calm)
    before = sql(engine, "SELECT COUNT(*) AS n FROM lead")["n"].iloc[0]
    rows = "\n".join(f"{f},{latest // 100}-{latest % 100:02d},0,0,0,0,9000,0,0,0,0,6" for f in calm["file_no"][:3])
    data = ("档案编号,月份,工资性收入,经营净收入,财产净收入,转移净收入,医疗自付支出,非义务教育支出,护理支出,务工必要支出,"
            "稳定就业人数,失业或未返岗月数\n" + rows + "\n").encode()
    result = import_file(engine, data, "shock.csv", today=dt.date(2026, 11, 30))
    assert result.rejected == 0
    now_high = sql(engine, "SELECT hh_id FROM household_current WHERE tier = '高' AND hh_id IN ("
                           + ",".join(str(int(h)) for h in calm["hh_id"][:3]) + ")")["hh_id"].tolist()
    raised = sql(engine, "SELECT hh_id FROM lead WHERE channel = '系统预警' AND hh_id IN ("
                         + ",".join(str(int(h)) for h in calm["hh_id"][:3]) + ")")["hh_id"].tolist()
    assert now_high and sorted(raised) == sorted(now_high)
    assert sql(engine, "SELECT COUNT(*) AS n FROM lead")["n"].iloc[0] == before + len(now_high)
