"""Demo data: deterministic, complete, policy-correct and shaped like DOMAIN §7."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select, text

from safetynet.db import get_engine, migrate
from safetynet.db.schema import metadata
from safetynet.demo.generate import DemoConfig, DemoRefused, generate
from safetynet.domain import codes, idcard, lifecycle
from safetynet.domain.months import add_months, month_of

ORDERED_TABLES = ("household", "person", "household_month", "risk_event", "assistance", "pairing",
                  "household_status", "risk_score", "household_current", "relocation_site", "rollup_region_month")


def _fingerprint(engine: Engine) -> dict[str, str]:
    out = {}
    with engine.connect() as conn:
        for name in ORDERED_TABLES:
            table = metadata.tables[name]
            cols = [c for c in table.columns if c.name not in ("change_id", "aid_id", "event_id", "pairing_id")]
            rows = conn.execute(select(*cols).order_by(*cols[:4])).all()
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def _fresh(tmp_path, name: str) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path / name}")
    migrate.upgrade(engine)
    return engine


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    cfg = DemoConfig(households=250, months=14, seed=3)
    a, b, c = _fresh(tmp_path, "a.db"), _fresh(tmp_path, "b.db"), _fresh(tmp_path, "c.db")
    generate(a, cfg)
    generate(b, cfg)
    generate(c, DemoConfig(households=250, months=14, seed=4))
    fa, fb, fc = _fingerprint(a), _fingerprint(b), _fingerprint(c)
    assert fa == fb
    assert all(fa[t] != fc[t] for t in ("household", "person", "household_month"))


def test_running_demo_again_replaces_it(writable_demo_db):
    generate(writable_demo_db, DemoConfig(households=120, months=13, seed=9))
    with writable_demo_db.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM household")).scalar() == 120
        assert conn.execute(text("SELECT COUNT(DISTINCT month) FROM household_month")).scalar() == 13
        assert conn.execute(text("SELECT COUNT(*) FROM import_batch WHERE kind = 'demo'")).scalar() == 1


def test_demo_refuses_to_replace_real_data(writable_demo_db):
    with writable_demo_db.begin() as conn:
        conn.execute(text("UPDATE household SET batch_id = NULL WHERE hh_id = 1"))
    with pytest.raises(DemoRefused):
        generate(writable_demo_db, DemoConfig(households=50, months=12, seed=1))
    with writable_demo_db.connect() as conn:  # nothing was deleted
        assert conn.execute(text("SELECT COUNT(*) FROM household")).scalar() == 300


def test_referential_integrity(demo_db):
    """Every foreign key resolves (checked by query, so it holds on both backends)."""
    with demo_db.connect() as conn:
        for table in metadata.tables.values():
            for fk in table.foreign_keys:
                child, parent = fk.parent, fk.column
                orphans = conn.execute(text(
                    f"SELECT COUNT(*) FROM {table.name} c WHERE c.{child.name} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {parent.table.name} p WHERE p.{parent.name} = c.{child.name})")).scalar()
                assert orphans == 0, f"{table.name}.{child.name} → {parent.table.name}.{parent.name}: {orphans} orphans"


def test_every_household_has_members_observations_and_a_current_score(demo_db):
    with demo_db.connect() as conn:
        q = lambda sql: conn.execute(text(sql)).scalar()  # noqa: E731
        assert q("SELECT COUNT(*) FROM household h WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.hh_id = h.hh_id)") == 0
        assert q("SELECT COUNT(*) FROM household h WHERE NOT EXISTS (SELECT 1 FROM household_month m WHERE m.hh_id = h.hh_id)") == 0
        assert q("SELECT COUNT(*) FROM household_current") == q("SELECT COUNT(*) FROM household")
        assert q("SELECT COUNT(*) FROM risk_score") == q("SELECT COUNT(*) FROM household_month")


def test_codes_and_ids_are_valid(demo_db):
    persons = pd.read_sql("SELECT * FROM person", demo_db)
    households = pd.read_sql("SELECT * FROM household", demo_db)
    assert persons["labour_capacity"].isin(list(codes.LABOUR_CAPACITY)).all()
    assert persons["relation"].isin(list(codes.RELATIONS)).all()
    assert persons["employment_form"].isin(list(codes.EMPLOYMENT_FORMS)).all()
    assert persons["health"].isin(list(codes.HEALTH)).all()
    assert households["status"].isin(list(codes.FILE_STATUS)).all()
    assert households["source"].isin(list(codes.SOURCES)).all()
    checks = [idcard.validate(n, today=dt.date(2026, 11, 28)) for n in persons["id_number"]]
    assert all(c.ok for c in checks)
    assert persons["id_number"].is_unique
    # synthetic: every sequence code is 900–999, and the ID's sex matches the person's
    assert persons["id_number"].str[14:17].astype(int).between(900, 999).all()
    assert ([c.sex for c in checks] == persons["sex"]).all()
    assert (persons["id_number"].str[6:10].astype(int) == persons["birth_year"]).all()
    events = pd.read_sql("SELECT risk_type FROM risk_event", demo_db)
    assert events["risk_type"].isin(list(codes.RISK_TYPES)).all()
    aid = pd.read_sql("SELECT aid_type FROM assistance", demo_db)
    assert aid["aid_type"].isin(list(codes.ASSISTANCE_TYPES)).all()


def test_geography_is_real_and_weighted(demo_db):
    """Rural files in the relocation programme's provinces; worker files in industrial cities."""
    frame = pd.read_sql("SELECT h.population, h.adcode, r.level, r.prov_adcode, r.macro_region FROM household h "
                        "JOIN region r ON r.adcode = h.adcode", demo_db)
    assert len(frame) == 600
    assert frame["level"].isin([2, 3]).all()
    rural = frame.loc[frame["population"] == "rural"]
    assert rural["macro_region"].isin(["西部", "中部"]).mean() > 0.9
    workers = frame.loc[frame["population"] == "worker"]
    assert workers["macro_region"].isin(["东部", "中部"]).mean() > 0.6
    sites = pd.read_sql("SELECT s.lon, s.lat, r.lon AS clon, r.lat AS clat FROM relocation_site s "
                        "JOIN region r ON r.adcode = s.adcode", demo_db)
    assert ((sites["lon"] - sites["clon"]).abs() < 0.3).all() and ((sites["lat"] - sites["clat"]).abs() < 0.3).all()


@pytest.fixture(scope="module")
def mid_demo(tmp_path_factory) -> Engine:
    """Large enough for distribution checks (SQLite; distributions don't depend on the backend)."""
    engine = _fresh(tmp_path_factory.mktemp("mid"), "mid.db")
    generate(engine, DemoConfig(households=4000, months=24, seed=7))
    return engine


def _shares(series: pd.Series) -> dict:
    return series.value_counts(normalize=True).to_dict()


def test_distributions_follow_domain_7(mid_demo):
    hh = pd.read_sql("SELECT * FROM household", mid_demo)
    workers, rural = hh[hh.population == "worker"], hh[hh.population == "rural"]
    w = _shares(workers["worker_cat"].astype(int))
    assert w[1] == pytest.approx(0.14, abs=0.03) and w[2] == pytest.approx(0.74, abs=0.04) and w[3] == pytest.approx(0.12, abs=0.03)
    r = _shares(rural["monitor_cat"])
    # the flood adds 突发严重困难户 on top of the published 31/30/39 mix
    assert r["01"] == pytest.approx(0.31, abs=0.04) and r["02"] == pytest.approx(0.30, abs=0.04)
    assert r["03"] == pytest.approx(0.39, abs=0.05)
    sizes = pd.read_sql("SELECT hh_id, COUNT(*) n FROM person GROUP BY hh_id", mid_demo)["n"].clip(upper=6)
    expected = {1: 0.07, 2: 0.17, 3: 0.32, 4: 0.25, 5: 0.12, 6: 0.07}
    got = _shares(sizes)
    for size, share in expected.items():
        assert got[size] == pytest.approx(share, abs=0.025), size
    industries = _shares(workers["industry_code"])
    # manufacturing carries the downturn's extra files
    for code, share in {"C": 0.30, "E": 0.14, "F": 0.13, "G": 0.08, "H": 0.08, "O": 0.11, "GP": 0.12, "Z": 0.06}.items():
        assert industries[code] == pytest.approx(share, abs=0.035), code
    migrant = pd.read_sql("SELECT h.hh_id, MAX(p.is_migrant) m FROM household h JOIN person p ON p.hh_id = h.hh_id "
                          "WHERE h.population = 'worker' GROUP BY h.hh_id", mid_demo)["m"].astype(bool).mean()
    assert 0.30 <= migrant <= 0.45
    causes = pd.read_sql("SELECT e.risk_type FROM risk_event e JOIN household h ON h.hh_id = e.hh_id "
                         "WHERE h.population = 'worker' AND e.note <> '医保平台推送大额自付费用'", mid_demo)
    # the first event of each worker file is its main cause: illness leads (≈ 37 %)
    assert _shares(causes["risk_type"])["01"] == max(_shares(causes["risk_type"]).values())


def test_wages_are_low_and_regionally_plausible(mid_demo):
    """Struggling workers earn roughly 0.4–0.8 × their industry's mean wage (DOMAIN §7)."""
    frame = pd.read_sql(
        "SELECT h.industry_code, AVG(m.income_wage * 1.0 / m.members_employed) wage FROM household_month m "
        "JOIN household h ON h.hh_id = m.hh_id WHERE h.population = 'worker' AND m.members_employed > 0 "
        "AND m.income_wage > 0 GROUP BY h.industry_code", mid_demo).set_index("industry_code")["wage"]
    means = {code: wage for code, _s, _z, _e, wage, _sh in codes.INDUSTRIES}
    ratio = frame / pd.Series(means).reindex(frame.index)
    assert ratio.between(0.3, 1.0).all(), ratio.to_dict()


def test_shocks_show_in_the_data(mid_demo):
    """A flood in 黔东南 and a manufacturing downturn in 东莞/苏州 are visible to a leader."""
    new = pd.read_sql("SELECT month, SUM(new_ident) n FROM rollup_region_month WHERE adcode = '522600' GROUP BY month",
                      mid_demo).set_index("month")["n"]
    assert new.max() >= 5 * max(new.median(), 1)
    arrears = pd.read_sql("SELECT r.month, SUM(r.wage_arrears) * 1.0 / SUM(r.households) share FROM rollup_industry_month r "
                          "WHERE r.adcode IN ('441900', '320500') AND r.industry_code = 'C' GROUP BY r.month", mid_demo)
    assert arrears["share"].max() > 0.1 and arrears["share"].min() < 0.05


def test_spring_festival_dip_and_late_returns(mid_demo):
    rows = pd.read_sql("SELECT month, SUM(not_returned) nr, SUM(migrant_hh) mh FROM rollup_region_month "
                       "WHERE adcode = '000000' GROUP BY month ORDER BY month", mid_demo)
    after_festival = rows[rows["month"].isin([202502, 202603])]
    assert (after_festival["nr"] > 0).all()
    assert rows.loc[~rows["month"].isin([202502, 202603]), "nr"].sum() == 0


def test_tiers_all_present_and_sum_to_scored(mid_demo):
    latest = pd.read_sql("SELECT tier, COUNT(*) n FROM risk_score WHERE month = 202610 GROUP BY tier", mid_demo)
    assert set(latest["tier"]) == {"高", "中", "低"}
    share_high = latest.set_index("tier")["n"]["高"] / latest["n"].sum()
    assert 0.05 < share_high < 0.3


def test_eliminations_follow_the_lifecycle_rules(mid_demo):
    """Every elimination held every DOMAIN §4 condition in the month before it."""
    changes = pd.read_sql("SELECT hh_id, changed_on, to_status FROM household_status", mid_demo)
    elim = changes[changes["to_status"].isin(codes.ELIMINATED_STATUSES)]
    assert len(elim) > 100
    scores = pd.read_sql("SELECT hh_id, month, r, triggers, labour FROM risk_score", mid_demo).set_index(["hh_id", "month"])
    hh = pd.read_sql("SELECT hh_id, identified_on FROM household", mid_demo).set_index("hh_id")
    aid = pd.read_sql("SELECT hh_id, delivered_on FROM assistance", mid_demo)
    aid["month"] = pd.to_datetime(aid["delivered_on"]).dt.year * 100 + pd.to_datetime(aid["delivered_on"]).dt.month
    for row in elim.sample(150, random_state=1).itertuples():
        as_of = add_months(month_of(pd.Timestamp(row.changed_on).date()), -1)
        months = [add_months(as_of, -k) for k in range(5, -1, -1)]
        recent = [scores["r"].get((row.hh_id, m)) for m in months]
        n_aid = int(((aid["hh_id"] == row.hh_id) & (aid["month"] <= as_of)).sum())
        at = scores.loc[(row.hh_id, as_of)]
        check = lifecycle.elimination_check(pd.Timestamp(hh.at[row.hh_id, "identified_on"]).date(), as_of, n_aid,
                                            [None if v is None or np.isnan(v) else float(v) for v in recent],
                                            int(at["triggers"]) != 0, int(at["labour"]))
        assert check.eligible, (row.hh_id, row.changed_on, [c for c in check.conditions if not c.ok])


def test_relapses_reopen_within_twelve_months(mid_demo):
    changes = pd.read_sql("SELECT hh_id, changed_on, to_status, is_relapse FROM household_status ORDER BY hh_id, changed_on",
                          mid_demo)
    relapses = changes[changes["is_relapse"].astype(bool)]
    assert len(relapses) > 10
    for row in relapses.itertuples():
        before = changes[(changes["hh_id"] == row.hh_id) & (changes["changed_on"] < row.changed_on)]
        left = before[before["to_status"].isin(codes.ELIMINATED_STATUSES)].iloc[-1]
        assert lifecycle.is_relapse(pd.Timestamp(left["changed_on"]).date(), pd.Timestamp(row.changed_on).date())


def test_data_quality_flags_occur_but_are_rare(mid_demo):
    flags = pd.read_sql("SELECT flags FROM household_current", mid_demo)["flags"]
    from safetynet.domain.risk import Flag
    for flag, upper in ((Flag.DQ_NO_ASSISTANCE, 0.2), (Flag.DQ_SLOW_IDENTIFICATION, 0.15)):
        share = ((flags & int(flag)) != 0).mean()
        assert 0 < share < upper, (flag, share)


def test_other_writers_can_insert_after_the_demo(writable_demo_db):
    """The demo writes explicit ids; PostgreSQL's sequences must still continue after them."""
    with writable_demo_db.begin() as conn:
        before = conn.execute(text("SELECT MAX(change_id) FROM household_status")).scalar()
        conn.execute(text("INSERT INTO household_status (hh_id, changed_on, to_status, is_relapse) "
                          "VALUES (1, '2026-10-05', '在档', false)"))
        conn.execute(text("INSERT INTO assistance (hh_id, aid_type, amount, delivered_on) "
                          "VALUES (1, '送温暖', 500, '2026-10-05')"))
        after = conn.execute(text("SELECT MAX(change_id) FROM household_status")).scalar()
    assert after == before + 1


def test_no_pairing_starts_after_the_data(mid_demo):
    latest = pd.read_sql("SELECT MAX(changed_on) m FROM household_status", mid_demo)["m"].iloc[0]
    starts = pd.read_sql("SELECT MAX(start_on) m FROM pairing", mid_demo)["m"].iloc[0]
    assert str(starts) <= "2026-10-31" and str(latest) <= "2026-10-31"


def test_many_chunks_roll_up_to_the_scores(tmp_path, monkeypatch):
    """Roll-ups are folded every ten chunks: with 13 small chunks they must still equal the scores."""
    from safetynet.demo import generate as gen

    monkeypatch.setattr(gen, "CHUNK", 40)
    engine = get_engine(f"sqlite:///{tmp_path / 'chunks.db'}")
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=500, months=14, seed=3))
    with engine.connect() as conn:
        direct = pd.read_sql(text("SELECT month, COUNT(*) AS households, "
                                  "SUM(CASE WHEN tier = '高' THEN 1 ELSE 0 END) AS tier_high "
                                  "FROM risk_score GROUP BY month ORDER BY month"), conn)
        rolled = pd.read_sql(text("SELECT month, SUM(households) AS households, SUM(tier_high) AS tier_high "
                                  "FROM rollup_region_month WHERE adcode = '000000' GROUP BY month ORDER BY month"),
                             conn)
        sites = conn.execute(text("SELECT SUM(households) FROM rollup_site_month")).scalar()
        relocated = conn.execute(text("SELECT COUNT(*) FROM risk_score WHERE site_id IS NOT NULL")).scalar()
    assert len(direct) == 14 and direct["households"].sum() > 500 * 10
    pd.testing.assert_frame_equal(direct.astype("int64"), rolled.astype("int64"))
    assert sites == relocated
