"""Realistic demo data (DOMAIN §7), generated month by month.

Households get real counties, a category from the published mixes, members,
an income that puts them where their category says, and then live through the
months: Spring Festival dips and late returns, job losses and illnesses, a
flood in one prefecture and a manufacturing downturn in two cities. Each month
is scored with the production rules (`pipeline.panel.score_month`), and the
lifecycle follows DOMAIN §4 from those scores: a file is eliminated only when
every condition held the month before, and a re-opening within 12 months is a
relapse. The casework that led there — leads, home checks, decisions, 一户一策,
approvals and visits (DOMAIN §8) — is written with it by `demo.loop`. Everything
is vectorised over a chunk of households and written with bulk inserts; the same
seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, select

from safetynet import audit
from safetynet.db import bulk, reference
from safetynet.db import casework as casework_store
from safetynet.db.schema import (
    app_user,
    assistance,
    attachment,
    elimination_request,
    employer,
    followup,
    helper,
    household,
    household_current,
    household_month,
    household_status,
    import_batch,
    import_reject,
    lead,
    pairing,
    person,
    plan_item,
    region,
    relocation_site,
    risk_event,
    risk_score,
    union_org,
)
from safetynet.demo import loop, people, places
from safetynet.domain import codes, lifecycle
from safetynet.domain.deadlines import DeadlineRules
from safetynet.domain.months import SPRING_FESTIVAL, add_months, month_range
from safetynet.pipeline import refresh, rollup
from safetynet.pipeline.features import household_static
from safetynet.pipeline.panel import (
    CHANGE_ELIMINATED,
    CHANGE_RELAPSE,
    STATUS_CODES,
    WINDOW,
    Panel,
    resolve_lines,
    score_month,
)
from safetynet.pipeline.rescore import SCORE_COLUMNS, current_rows, load_lines, load_multipliers

Progress = Callable[[int, int], None]
CHUNK = 20_000
DEFAULT_END_MONTH = 202610  # the last complete month on 2026-11-28
WORKER_SHARE = 0.55
WORKER_MIX = (0.14, 0.74, 0.12)  # 深度 / 相对 / 意外致困
RURAL_MIX = (0.31, 0.30, 0.39)  # 01 / 02 / 03
SIZE_P = (0.07, 0.17, 0.32, 0.25, 0.12, 0.07)
REGION_WAGE = {"东部": 1.08, "中部": 0.93, "西部": 0.93, "东北": 0.88}
# Main causes of worker files (research/domain.md §4c: illness ≈ 37 %).
WORKER_CAUSES = (("01", 0.37), ("12", 0.18), ("09", 0.12), ("03", 0.10), ("05", 0.10), ("04", 0.08), ("99", 0.05))
RURAL_CAUSES = (("01", 0.30), ("07", 0.18), ("09", 0.12), ("03", 0.10), ("0201", 0.10), ("04", 0.10), ("06", 0.07), ("99", 0.03))
STATUS_INDEX = {s: i for i, s in enumerate(STATUS_CODES)}
ELIMINATION_P = 0.2  # per month once every condition holds: reviews take time
RELAPSE_P = 0.2
CLOSE_P = 0.0012
FLOOD_PREFECTURE = "522600"  # 黔东南州: the demo's summer flood
DOWNTURN_CITIES = ("441900", "320500")  # 东莞, 苏州: a manufacturing downturn
SHOCK_IDENT_SHARE = 0.05


class DemoRefused(RuntimeError):
    """The database holds real (imported) households; demo would replace them."""


@dataclass(frozen=True)
class DemoConfig:
    households: int = 5000
    months: int = 24
    seed: int = 7
    end_month: int = DEFAULT_END_MONTH

    def month_list(self) -> list[int]:
        return month_range(add_months(self.end_month, -(self.months - 1)), self.end_month)


# ---------------------------------------------------------------- top level
DEMO_TABLES = (
    attachment, plan_item, elimination_request, lead,  # casework rows first: they point at households and help
    household_current, risk_score, followup, household_status, pairing, assistance, risk_event,
    household_month, person, household, helper, employer, union_org, relocation_site, import_reject,
)


def wipe_demo(conn: Connection, force: bool = False) -> None:
    """Remove earlier data so a new demo replaces it instead of adding to it."""
    real = conn.execute(
        select(func.count()).select_from(household.join(import_batch, household.c.batch_id == import_batch.c.batch_id,
                                                        isouter=True))
        .where((import_batch.c.kind != "demo") | household.c.batch_id.is_(None))
    ).scalar_one()
    if real and not force:
        raise DemoRefused(f"数据库中有 {real} 户非演示数据；如确需替换，请加 --force")
    for table in DEMO_TABLES:
        conn.execute(delete(table))
    conn.execute(delete(import_batch))
    # the demo's staff accounts (no password, no identity-provider subject: nobody signs in with them)
    conn.execute(delete(app_user).where(app_user.c.username.like(loop.ACCOUNT_PREFIX + "%"),
                                        app_user.c.password_hash.is_(None), app_user.c.oidc_subject.is_(None)))


def generate(engine: Engine, cfg: DemoConfig, progress: Progress | None = None, force: bool = False) -> dict[str, int]:
    """Replace the database's households with a fresh demo set (one transaction)."""
    if cfg.households < 1 or cfg.months < 2:
        raise ValueError("demo needs at least 1 household and 2 months")
    months = cfg.month_list()
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        reference.load_reference(conn)
        wipe_demo(conn, force)
        now = dt.datetime.now().replace(microsecond=0)
        batch_id = conn.execute(import_batch.insert().values(
            kind="demo", file_name=f"演示数据（种子{cfg.seed}，{cfg.households}户×{cfg.months}个月）",
            user_name="system", started_at=now, status="running", mode="strict",
        ).returning(import_batch.c.batch_id)).scalar_one()
        rng = np.random.default_rng(cfg.seed)
        regions = pd.read_sql(select(region), conn)
        world = _plan_places(rng, cfg, regions)
        for name, table in (("relocation_site", relocation_site), ("employer", employer),
                            ("union_org", union_org), ("helper", helper)):
            frame = getattr(world, {"relocation_site": "sites", "employer": "employers",
                                    "union_org": "orgs", "helper": "helpers"}[name])
            counts[name] = bulk.insert_frame(conn, table, frame)
        lines, multipliers = load_lines(conn), load_multipliers(conn)
        region_index = rollup.RegionIndex.load(conn)
        work = loop.Context(loop.accounts(regions, cfg.seed), loop.WorkDays(casework_store.calendar_rows(conn)),
                            DeadlineRules(casework_store.deadline_rows(conn)), months, batch_id, cfg.seed)
        ids = loop.Ids()
        people_helpers = world.helpers.loc[world.helpers["helper_kind"] == "个人"].set_index("helper_id")["name"]
        acc, parts = rollup.combine([]), []
        total = cfg.households
        # A writer thread inserts chunk k while this thread simulates chunk k+1: the
        # driver spends much of an executemany outside the GIL. Only the writer
        # touches the connection until the loop ends.
        with ThreadPoolExecutor(max_workers=1) as writer:
            pending = None
            for chunk_no, start in enumerate(range(0, total, CHUNK)):
                n = min(CHUNK, total - start)
                chunk_rng = np.random.default_rng([cfg.seed, chunk_no])
                sim = _Simulation(chunk_rng, world, months, start + 1, n, lines, multipliers, batch_id)
                out = sim.run()
                tables = dict(out.tables)
                tables[household_current] = current_rows(out.scores, out.static, region_index, out.tables[household],
                                                         out.first_aid, _month_end(months[-1]))
                # the casework that led to what the simulation did (DOMAIN §8), from its own random stream
                named = {table.name: frame for table, frame in tables.items()}
                done = loop.build(work, ids, loop.Chunk(named, sim.h[["hh_id", "worker", "cause"]], sim.pair,
                                                        sim.pair_helper, people_helpers, out.scores),
                                  np.random.default_rng([cfg.seed, chunk_no, 8]))
                tables[followup] = named["followup"]
                tables.update({lead: done["lead"], plan_item: done["plan_item"],
                               elimination_request: done["elimination_request"]})
                parts.append(rollup.contributions(out.scores, region_index))
                if len(parts) == 10:  # fold in batches: re-grouping the growing total per chunk is quadratic
                    acc, parts = rollup.combine([acc, *parts]), []
                if pending is not None:
                    _merge_counts(counts, pending.result())
                pending = writer.submit(_write_tables, conn, tables)
                if progress:
                    progress(start + n, total)
            if pending is not None:
                _merge_counts(counts, pending.result())
        staff = work.account_rows()
        taken = {r[0] for r in conn.execute(select(app_user.c.username).where(
            app_user.c.username.like(loop.ACCOUNT_PREFIX + "%")))}
        counts["app_user"] = bulk.insert_frame(conn, app_user, staff.loc[~staff["username"].isin(taken)])
        written = rollup.write_full(conn, rollup.combine([acc, *parts]), region_index)
        counts.update(written)
        conn.execute(import_batch.update().where(import_batch.c.batch_id == batch_id).values(
            finished_at=dt.datetime.now().replace(microsecond=0), status="done",
            rows_read=total, rows_accepted=total))
        audit.record(conn, "system", "demo", f"演示数据（种子{cfg.seed}）", households=total)
        bulk.reset_sequences(conn, [*DEMO_TABLES, app_user])
        refresh.published(conn, f"demo seed={cfg.seed}", months[-1])
    refresh.after_commit(engine, total, full=True)
    return counts


def _write_tables(conn: Connection, tables: dict) -> dict[str, int]:
    return {table.name: bulk.insert_frame(conn, table, frame) for table, frame in tables.items()}


def _merge_counts(counts: dict[str, int], more: dict[str, int]) -> None:
    for name, n in more.items():
        counts[name] = counts.get(name, 0) + n


def _month_end(month: int) -> pd.Timestamp:
    return pd.Timestamp(year=month // 100, month=month % 100, day=1) + pd.offsets.MonthEnd(0)


def _plan_places(rng: np.random.Generator, cfg: DemoConfig, regions: pd.DataFrame) -> places.Places:
    rural = places.rural_counties(regions)
    workers = places.worker_counties(regions)
    n_rural = int(cfg.households * (1 - WORKER_SHARE))
    n_sites = int(np.clip(n_rural * 0.5 / 60, 6, 4000))
    sites = places.build_sites(rng, rural, n_sites)
    # the flooded prefecture always has sites, so the flood shows on the map
    flood_counties = rural.loc[rural["pref_adcode"] == FLOOD_PREFECTURE]
    if not flood_counties.empty and not sites["adcode"].isin(flood_counties["adcode"]).any():
        extra = places.build_sites(rng, flood_counties, 2, first_id=int(sites["site_id"].max()) + 1)
        sites = pd.concat([sites, extra], ignore_index=True)
    employers = places.build_employers(rng, workers)
    counties = sorted(set(workers["adcode"]) | set(rural["adcode"]))
    orgs = places.build_orgs(regions, counties, employers)
    helper_counties = pd.Series(sorted(set(sites["adcode"]) | set(rural.nlargest(300, "weight")["adcode"])
                                       | set(workers.nlargest(200, "weight")["adcode"])))
    helpers = places.build_helpers(rng, helper_counties, per_county=int(np.clip(cfg.households / 2000, 2, 40)))
    return places.Places(regions, rural, workers, sites, orgs, employers, helpers)


@dataclass
class _Output:
    tables: dict
    scores: pd.DataFrame
    static: pd.DataFrame
    first_aid: pd.Series


class _Simulation:
    """One chunk of households, lived through the demo months."""

    def __init__(self, rng, world: places.Places, months: list[int], first_id: int, n: int,
                 lines, multipliers: dict[str, float], batch_id: int) -> None:
        self.rng, self.world, self.months, self.n = rng, world, np.asarray(months), n
        self.M = len(months)
        self.lines, self.multipliers, self.batch_id = lines, multipliers, batch_id
        self.hh_ids = np.arange(first_id, first_id + n)
        self.flood_t = self._flood_month()
        self.downturn = (max(1, self.M - 9), max(2, self.M - 3))

    # ------------------------------------------------------------ set-up
    def _flood_month(self) -> int:
        julys = [i for i, m in enumerate(self.months) if m % 100 == 7 and i <= self.M - 4]
        return julys[-1] if julys else max(0, self.M // 2)

    def run(self) -> _Output:
        self._draw_households()
        self._draw_persons()
        self._plan_money()
        self._simulate()
        return self._collect()

    def _draw_households(self) -> None:
        rng, n, w = self.rng, self.n, self.world
        worker = rng.random(n) < WORKER_SHARE
        worker_cat = rng.choice([1, 2, 3], size=n, p=WORKER_MIX)
        monitor_cat = rng.choice(["01", "02", "03"], size=n, p=RURAL_MIX)
        # identification: 40 % of files were opened before the window, the rest during it
        before = rng.random(n) < 0.4
        ident_t = np.where(before, -rng.integers(1, 37, n), rng.integers(0, self.M, n))
        adcode = np.empty(n, dtype=object)
        site_id = np.full(n, -1)
        industry = np.empty(n, dtype=object)
        employer_id = np.full(n, -1)
        org = np.zeros(n, dtype=int)

        # shocks bring new files: flood victims (rural, 03) and downturn workers
        flood_new = ~worker & (rng.random(n) < SHOCK_IDENT_SHARE)
        down_new = worker & (rng.random(n) < SHOCK_IDENT_SHARE)
        ident_t[flood_new] = self.flood_t + rng.integers(0, 3, flood_new.sum())
        monitor_cat[flood_new] = "03"
        d0, d1 = self.downturn
        ident_t[down_new] = rng.integers(d0, min(d1 + 2, self.M), down_new.sum())
        worker_cat[down_new] = rng.choice([1, 2], size=down_new.sum(), p=[0.25, 0.75])
        ident_t = np.minimum(ident_t, self.M - 1)

        rural_idx = np.flatnonzero(~worker)
        relocated = rng.random(len(rural_idx)) < 0.5
        sites = w.sites
        site_p = sites["households_relocated"].to_numpy(float)
        pick = rng.choice(len(sites), size=len(rural_idx), p=site_p / site_p.sum())
        counties = w.rural_counties
        county_pick = rng.choice(len(counties), size=len(rural_idx), p=counties["weight"].to_numpy())
        adcode[rural_idx] = np.where(relocated, sites["adcode"].to_numpy()[pick], counties["adcode"].to_numpy()[county_pick])
        site_id[rural_idx] = np.where(relocated, sites["site_id"].to_numpy()[pick], -1)
        flood_sites = sites.loc[sites["adcode"].str[:4] == FLOOD_PREFECTURE[:4]]
        flood_rows = np.flatnonzero(flood_new)
        if len(flood_sites) and len(flood_rows):
            fs = rng.choice(len(flood_sites), size=len(flood_rows))
            adcode[flood_rows] = flood_sites["adcode"].to_numpy()[fs]
            site_id[flood_rows] = flood_sites["site_id"].to_numpy()[fs]
        industry[rural_idx] = "A"

        worker_idx = np.flatnonzero(worker)
        wc = w.worker_counties
        wpick = rng.choice(len(wc), size=len(worker_idx), p=wc["weight"].to_numpy())
        adcode[worker_idx] = wc["adcode"].to_numpy()[wpick]
        down_rows = np.flatnonzero(down_new)
        down_counties = wc.loc[wc["city"].isin(DOWNTURN_CITIES)]
        if len(down_counties) and len(down_rows):
            adcode[down_rows] = down_counties["adcode"].to_numpy()[rng.integers(0, len(down_counties), len(down_rows))]
        emp = w.employers
        # industry by DOMAIN §7 shares (downturn files are in manufacturing), then an employer
        # of that industry in the county when there is one
        codes_ = [c for c, *_ in codes.INDUSTRIES if c != "A"]
        shares = np.array([sh for c, _s, _z, _e, _w, sh in codes.INDUSTRIES if c != "A"])
        wanted = rng.choice(codes_, size=len(worker_idx), p=shares / shares.sum())
        wanted[down_new[worker_idx]] = "C"
        by_key = {k: v.to_numpy() for k, v in emp.groupby(["adcode", "industry_code"])["employer_id"]}
        by_county = {k: v.to_numpy() for k, v in emp.groupby("adcode")["employer_id"]}
        emp_industry = dict(zip(emp["employer_id"], emp["industry_code"], strict=True))
        draws = rng.random(len(worker_idx))
        for j, i in enumerate(worker_idx):
            options = by_key.get((adcode[i], wanted[j]))
            if options is None:
                options = by_county[adcode[i]]
            employer_id[i] = options[int(draws[j] * len(options))]
            industry[i] = emp_industry[employer_id[i]]
        grassroots = w.orgs.loc[w.orgs["level"] == "基层"].reset_index(drop=True)
        emp_org = dict(zip(emp["employer_id"], grassroots["org_id"], strict=True))
        county_org = w.orgs.loc[w.orgs["level"] != "基层"].drop_duplicates("adcode").set_index("adcode")["org_id"].to_dict()
        org = np.array([emp_org[e] if wk else county_org.get(a, 1) for wk, e, a in zip(worker, employer_id, adcode, strict=True)])

        sizes = rng.choice(np.arange(1, 7), size=n, p=SIZE_P)
        big = sizes == 6
        sizes[big] = rng.choice([6, 7, 8], size=big.sum(), p=[0.6, 0.3, 0.1])
        cause = np.where(worker, rng.choice([c for c, _ in WORKER_CAUSES], n, p=[p for _, p in WORKER_CAUSES]),
                         rng.choice([c for c, _ in RURAL_CAUSES], n, p=[p for _, p in RURAL_CAUSES]))
        sudden = (worker & (worker_cat == 3)) | (~worker & (monitor_cat == "03"))
        cause = np.where(sudden & ~np.isin(cause, codes.SUDDEN_RISK_TYPES),
                         rng.choice(["01", "05", "0201"], n, p=[0.5, 0.3, 0.2]), cause)
        cause[flood_new] = "0201"
        cause[down_new] = "12"

        self.h = pd.DataFrame({
            "hh_id": self.hh_ids, "worker": worker, "population": np.where(worker, "worker", "rural"),
            "worker_cat": np.where(worker, worker_cat, 0), "monitor_cat": np.where(worker, "", monitor_cat),
            "adcode": adcode, "site_id": site_id, "industry_code": industry, "employer_id": employer_id,
            "org_id": org, "ident_t": ident_t, "size": sizes, "cause": cause, "sudden": sudden,
            "flood_new": flood_new, "down_new": down_new,
        })
        reg = w.regions.set_index("adcode")
        self.h["macro"] = self.h["adcode"].map(reg["macro_region"]).fillna("西部").to_numpy()
        self.h["pref"] = self.h["adcode"].map(reg["pref_adcode"]).fillna(self.h["adcode"]).to_numpy()

    def _draw_persons(self) -> None:
        rng, h = self.rng, self.h
        n_p = int(h["size"].sum())
        hh_row = np.repeat(np.arange(len(h)), h["size"].to_numpy())
        k = np.arange(n_p) - np.repeat(np.cumsum(h["size"].to_numpy()) - h["size"].to_numpy(), h["size"].to_numpy())
        worker = h["worker"].to_numpy()[hh_row]
        end_year = int(self.months[-1]) // 100
        head_age = np.where(h["worker"].to_numpy(), rng.normal(42, 8, len(h)), rng.normal(47, 10, len(h))).clip(24, 68).astype(int)
        ha = head_age[hh_row]
        married = rng.random(len(h)) < 0.85
        role = np.where(k == 0, "head", np.where((k == 1) & married[hh_row], "spouse", "other"))
        # "other": children while the head is young enough, otherwise parents
        child = (role == "other") & ((k <= 4) | (ha < 45)) & (rng.random(n_p) < 0.8)
        role = np.where(child, "child", role)
        role = np.where(role == "other", "parent", role)
        age = np.select(
            [role == "head", role == "spouse", role == "child"],
            [ha, ha + rng.integers(-4, 3, n_p), ha - rng.integers(22, 34, n_p)],
            ha + rng.integers(22, 32, n_p),
        )
        age = np.clip(age, 0, 92)
        head_male = rng.random(len(h)) < 0.62
        male = np.select([role == "head", role == "spouse"], [head_male[hh_row], ~head_male[hh_row]], rng.random(n_p) < 0.5)
        relation = np.select([role == "head", role == "spouse", (role == "child") & male, role == "child"],
                             ["01", "10", "20", "30"], "50")
        cause = h["cause"].to_numpy()[hh_row]
        health = rng.choice(["健康", "长期慢性病", "患大病", "残疾"], n_p, p=[0.86, 0.09, 0.02, 0.03])
        # the file's cause shows in its members: one adult is ill or disabled
        adult = (age >= 18) & (role != "child")
        first_adult = adult & (pd.Series(adult.astype(int)).groupby(hh_row).cumsum().to_numpy() == 1)
        health = np.where(first_adult & (cause == "01"), rng.choice(["患大病", "长期慢性病"], n_p, p=[0.6, 0.4]), health)
        health = np.where(first_adult & (cause == "03"), "残疾", health)
        grade = np.where(health == "残疾", rng.choice([1, 2, 3, 4], n_p, p=[0.15, 0.25, 0.3, 0.3]), 0)
        capacity = np.select(
            [age < 16, age >= 70, (health == "患大病") & (rng.random(n_p) < 0.5), (grade == 1) | (grade == 2),
             (age >= 60) | (health == "患大病") | (grade == 3), worker & (rng.random(n_p) < 0.25)],
            ["无劳动力", "无劳动力", "丧失劳动力", "丧失劳动力", "弱劳动力或半劳动力", "技能劳动力"],
            "普通劳动力",
        )
        no_labour_hh = h["cause"].to_numpy() == "04"
        lack = no_labour_hh[hh_row] & (capacity != "无劳动力") & (rng.random(n_p) < 0.7)
        capacity = np.where(lack, rng.choice(["丧失劳动力", "弱劳动力或半劳动力"], n_p), capacity)
        able = np.isin(capacity, codes.ABLE_TO_WORK)

        stage = np.select([(age >= 3) & (age <= 5), (age >= 6) & (age <= 11), (age >= 12) & (age <= 14),
                           (age >= 15) & (age <= 17) & (rng.random(n_p) < 0.8),
                           (age >= 18) & (age <= 22) & (role == "child") & (rng.random(n_p) < 0.35)],
                          ["学前", "小学", "初中", np.where(rng.random(n_p) < 0.6, "高中", "中职"), "高校"], "")
        dropout = (age >= 7) & (age <= 15) & (rng.random(n_p) < 0.004)
        stage = np.where(dropout, "", stage)
        education = np.select([age < 6, stage != "", age < 30], ["学龄前", "在校", "高中"], "初中")
        education = np.where(education == "在校", np.where(age < 12, "小学", np.where(age < 15, "初中", "高中")), education)

        # work: worker files' able adults mostly work in the file's industry; rural adults migrate or farm
        industry = h["industry_code"].to_numpy()[hh_row]
        migrant = np.where(worker, (role == "head") & (rng.random(n_p) < 0.38), able & (age < 56) & (rng.random(n_p) < 0.45))
        migrant = migrant | (worker & (role == "spouse") & migrant[np.maximum(np.arange(n_p) - 1, 0)] & (rng.random(n_p) < 0.6))
        migrant &= able
        form = np.full(n_p, "无", dtype=object)
        w_able = worker & able
        form[w_able] = _employment_forms(rng, industry[w_able])
        r_able = ~worker & able
        form[r_able] = np.where(migrant[r_able], rng.choice(["劳动合同", "灵活就业", "劳务派遣", "平台新就业形态"],
                                                            r_able.sum(), p=[0.45, 0.3, 0.15, 0.1]), "务农")
        unemployed = able & (rng.random(n_p) < 0.05)
        form[unemployed] = "失业"
        person_industry = np.where(worker & able, industry, np.where(migrant, rng.choice(["C", "E", "O", "GP"], n_p), "A"))
        person_industry = np.where(form == "无", None, person_industry)  # type: ignore[call-overload]  # numpy stubs reject None
        contract = np.where(form == "劳动合同", rng.choice([6, 12, 24, 36], n_p, p=[0.1, 0.4, 0.3, 0.2]), -1)
        med = rng.random(n_p) > 0.004
        pension = np.where(form == "劳动合同", rng.random(n_p) < 0.9,
                           np.where(np.isin(form, codes.UNSTABLE_FORMS), rng.random(n_p) < 0.25, rng.random(n_p) < 0.6))
        injury = np.where(np.isin(form, ["劳动合同", "劳务派遣"]), rng.random(n_p) < 0.85, rng.random(n_p) < 0.15)
        unemp = (form == "劳动合同") & (rng.random(n_p) < 0.7)
        birth_year = end_year - age
        newgen = migrant & (birth_year >= 1980)
        counselling = newgen & (rng.random(n_p) < 0.06)
        isolated = (h["size"].to_numpy()[hh_row] == 1) & (rng.random(n_p) < 0.3)

        origin = np.where(migrant & worker, self.world.rural_counties["adcode"].to_numpy()[
            rng.choice(len(self.world.rural_counties), n_p, p=self.world.rural_counties["weight"].to_numpy())],
            np.where(migrant, h["adcode"].to_numpy()[hh_row], None))
        wc = self.world.worker_counties
        # rural migrants: some work in their own county (本地农民工), some elsewhere in the
        # province, most in the industrial cities of other provinces
        far = wc["adcode"].to_numpy()[rng.choice(len(wc), n_p, p=wc["weight"].to_numpy())]
        home_county = h["adcode"].to_numpy()[hh_row]
        same_province = self._same_province_county(rng, home_county)
        reach = rng.random(n_p)
        rural_work = np.where(reach < 0.15, home_county, np.where(reach < 0.40, same_province, far))
        work_adcode = np.where(migrant & ~worker, rural_work, np.where(able, home_county, None))
        # 县内 / 省内县外 / 省外 follows from home (origin for migrants) and work place
        home = np.where(origin != None, origin, h["adcode"].to_numpy()[hh_row]).astype(str)  # noqa: E711
        work = np.where(work_adcode != None, work_adcode, home).astype(str)  # noqa: E711
        work_place = np.where(able,  # type: ignore[call-overload]  # numpy stubs reject None
                              np.where(np.asarray([a[:2] for a in home]) == np.asarray([w[:2] for w in work]),
                                       np.where(home == work, "县内", "省内县外"), "省外"), None)
        employer_col = np.where(worker & able & (role == "head"), h["employer_id"].to_numpy()[hh_row], -1)
        birth_month = rng.integers(1, 13, n_p)
        # nobody is born after the last month of the data
        birth_month = np.where(birth_year >= end_year, np.minimum(birth_month, int(self.months[-1]) % 100), birth_month)
        births = np.char.add(birth_year.astype(str), np.char.add(
            np.char.zfill(birth_month.astype(str), 2), np.char.zfill(rng.integers(1, 29, n_p).astype(str), 2)))
        id_region = np.where(origin != None, origin, h["adcode"].to_numpy()[hh_row]).astype(str)  # noqa: E711
        surname_hh = people.surnames(rng, len(h))
        surname = np.where(np.isin(role, ["spouse", "parent"]) & (rng.random(n_p) < 0.8), people.surnames(rng, n_p), surname_hh[hh_row])
        name = surname + people.given_names(rng, male)
        adult_phone = age >= 18

        self.p = pd.DataFrame({
            "person_id": np.arange(len(hh_row)) + 0,  # renumbered globally below
            "hh_id": self.hh_ids[hh_row],
            "name": name,
            "id_number": people.id_numbers(rng, id_region, births, male),
            "phone": np.where(adult_phone, people.phones(rng, n_p), None),  # type: ignore[call-overload]  # numpy stubs reject None
            "relation": relation,
            "sex": np.where(male, "男", "女"),
            "birth_year": birth_year,
            "health": health,
            "disability_grade": pd.array(np.where(grade > 0, grade, 0), dtype="Int64"),
            "labour_capacity": capacity,
            "education": education,
            "school_stage": np.where(stage == "", None, stage),  # type: ignore[call-overload]  # numpy stubs reject None
            "is_dropout": dropout,
            "union_member": worker & able & (rng.random(n_p) < 0.85),
            "is_migrant": migrant,
            "origin_adcode": origin,
            "employment_form": form,
            "contract_months": pd.array(np.where(contract > 0, contract, 0), dtype="Int64"),
            "industry_code": person_industry,
            "employer_id": pd.array(np.where(employer_col > 0, employer_col, 0), dtype="Int64"),
            "work_adcode": work_adcode,
            "work_place": work_place,
            "med_insured": med,
            "pension_insured": pension,
            "unemp_insured": unemp,
            "injury_insured": injury,
            "counselling_referred": counselling,
            "isolated": isolated,
        })
        for col in ("disability_grade", "contract_months", "employer_id"):
            self.p.loc[self.p[col] == 0, col] = pd.NA
        self.p["person_id"] = (self.hh_ids[0] - 1) * 10 + np.arange(len(self.p)) + 1  # ids stay unique across chunks
        self.hh_row = hh_row
        self.able = able
        working = pd.Series((able & ~np.isin(form, ["失业", "无"])).astype(int))
        self.employed0 = working.groupby(hh_row).sum().reindex(range(len(h)), fill_value=0).to_numpy()

    def _same_province_county(self, rng: np.random.Generator, adcodes: np.ndarray) -> np.ndarray:
        """A random county of the same province as each adcode (another town to work in)."""
        leaves = self.world.rural_counties["adcode"].to_numpy()
        by_prov = pd.Series(leaves).groupby(pd.Series(leaves).str[:2]).apply(np.asarray).to_dict()
        draws = rng.random(len(adcodes))
        out = np.array(adcodes, dtype=object)
        for i, code in enumerate(adcodes):
            options = by_prov.get(code[:2])
            if options is not None and len(options):
                out[i] = options[int(draws[i] * len(options))]
        return out

    def _plan_money(self) -> None:
        """Household flags and the income level that places each file where its category says."""
        rng, h = self.rng, self.h
        n = len(h)
        worker = h["worker"].to_numpy()
        cat = np.where(worker, "W" + h["worker_cat"].astype(str), "R" + h["monitor_cat"])
        lab = pd.Series(self.able.astype(int)).groupby(self.hh_row).sum().reindex(range(n), fill_value=0).to_numpy()
        h["on_dibao"] = np.select([lab == 0, cat == "W1", cat == "R01", cat == "R02", cat == "W2"],
                                  [rng.random(n) < 0.85, rng.random(n) < 0.6, rng.random(n) < 0.35, rng.random(n) < 0.2,
                                   rng.random(n) < 0.08], False)
        h["on_tekun"] = (lab == 0) & (h["size"].to_numpy() == 1) & (rng.random(n) < 0.5)
        h["is_exit_poor"] = ~worker & ((cat == "R01") | (rng.random(n) < 0.2))
        h["housing_unsafe"] = ~worker & (rng.random(n) < 0.006)
        h["water_unsafe"] = ~worker & (rng.random(n) < 0.003)
        h["psych_consent"] = rng.random(n) < 0.7
        # target r at the start of the spell, by category (DOMAIN §1)
        lo = {"W1": 0.55, "W2": 1.02, "W3": 0.95, "R01": 0.72, "R02": 0.62, "R03": 1.0}
        hi = {"W1": 0.97, "W2": 1.9, "W3": 2.2, "R01": 1.15, "R02": 1.05, "R03": 1.8}
        r0 = rng.uniform(pd.Series(cat).map(lo).to_numpy(), pd.Series(cat).map(hi).to_numpy())
        # files opened before the window are still open because they have not recovered yet
        r0 = np.where(h["ident_t"].to_numpy() < 0, r0 * rng.uniform(0.7, 0.95, n), r0)
        cause = h["cause"].to_numpy()
        ill = (cause == "01") | np.isin(cause, ["05"])
        med_share = np.where(ill, rng.uniform(0.2, 0.55, n), rng.uniform(0.0, 0.04, n))
        in_school = pd.Series(self.p["school_stage"].isin(["高中", "中职", "高校"]).to_numpy())
        school_kids = in_school.groupby(self.hh_row).any().reindex(range(n), fill_value=False).to_numpy()
        school_share = np.where(school_kids, rng.uniform(0.06, 0.28, n), 0.0) + np.where(cause == "09", 0.08, 0.0)
        care_share = np.where(cause == "03", rng.uniform(0.05, 0.15, n), 0.0)
        work_share = np.where(self.employed0 > 0, 0.03, 0.0)
        rigid_share = np.minimum(med_share + school_share + care_share + work_share, 0.75)
        start_t = np.maximum(h["ident_t"].to_numpy(), 0)
        static = self._static_frame()
        self.panel = Panel.empty(static, self.months)
        self.line_inputs = resolve_lines(self.panel, self.lines)
        start_year = self.months[start_t] // 100
        year_col = np.searchsorted(np.asarray(self.line_inputs.years), start_year)
        line0 = self.line_inputs.line_month[np.arange(n), year_col]
        members = static["members"].to_numpy()
        base_income = r0 * line0 * members / (1.0 - rigid_share)
        macro_mult = pd.Series(h["macro"]).map(REGION_WAGE).fillna(1.0).to_numpy()
        self.base_income = base_income
        self.shares = dict(medical=med_share, school=school_share, care=care_share, work=work_share)
        self.wage_share = np.where(worker, np.where(self.employed0 > 0, 0.9, 0.0), np.where(self.employed0 > 0, 0.55, 0.0))
        self.operating_share = np.where(worker, 0.0, 0.3)
        self.property_share = np.where(worker, 0.01, 0.02)
        self.transfer_share = 1.0 - self.wage_share - self.operating_share - self.property_share
        self.macro_mult = macro_mult
        self.growth = np.where(worker, rng.normal(0.010, 0.012, n), rng.normal(0.013, 0.012, n))
        self.noise_sd = 0.05
        self.has_migrant = static["has_migrant"].to_numpy(dtype=bool)
        self.labour = static["labour"].to_numpy()
        self.cat = cat

    def _static_frame(self) -> pd.DataFrame:
        h = self.h
        hh = self._household_rows(final=False)
        events = pd.DataFrame({"hh_id": h["hh_id"], "risk_type": h["cause"]})
        return household_static(hh, self.p, events, pd.Series(dtype=int), self.multipliers, int(self.months[-1]) // 100)

    def _household_rows(self, final: bool) -> pd.DataFrame:
        h = self.h
        n = len(h)
        if not final:
            ident = [self._date_in(max(-400, t)) for t in h["ident_t"]]
            status = ["在档"] * n
        else:
            ident = self.identified_on
            status = [STATUS_CODES[s] for s in self.status_now]
        return pd.DataFrame({
            "hh_id": h["hh_id"].to_numpy(),
            "population": h["population"].to_numpy(),
            "worker_cat": pd.array([int(c) if w else None for w, c in zip(h["worker"], h["worker_cat"], strict=True)], dtype="Int64"),
            "monitor_cat": np.where(h["worker"], None, h["monitor_cat"]),
            "adcode": h["adcode"].to_numpy(),
            "site_id": pd.array([int(x) if x > 0 else None for x in h["site_id"]], dtype="Int64"),
            "industry_code": h["industry_code"].to_numpy(),
            "status": status,
            "identified_on": ident,
            "is_relocated": (h["site_id"] > 0).to_numpy(),
            "is_exit_poor": h.get("is_exit_poor", pd.Series(False, index=h.index)).to_numpy(),
            "on_dibao": h.get("on_dibao", pd.Series(False, index=h.index)).to_numpy(),
            "on_tekun": h.get("on_tekun", pd.Series(False, index=h.index)).to_numpy(),
            "psych_consent": h.get("psych_consent", pd.Series(False, index=h.index)).to_numpy(),
            "housing_unsafe": h.get("housing_unsafe", pd.Series(False, index=h.index)).to_numpy(),
            "water_unsafe": h.get("water_unsafe", pd.Series(False, index=h.index)).to_numpy(),
        })

    def _date_in(self, t: int, day: int | None = None) -> dt.date:
        """A date inside month column t (t may be negative: before the window).

        Status changes fall on days 1–10 and help on days 11–28, so when both
        happen in one month the stored order matches the simulated one.
        """
        month = add_months(int(self.months[0]), int(t))
        d = day if day is not None else int(self.rng.integers(1, 11))
        return dt.date(month // 100, month % 100, d)

    # ------------------------------------------------------------ months
    def _simulate(self) -> None:
        rng, n, M, h = self.rng, self.n, self.M, self.h
        p = self.panel
        worker = h["worker"].to_numpy()
        ident_t = h["ident_t"].to_numpy()
        self.identified_on = [self._date_in(t) for t in ident_t]
        found_gap = np.where(rng.random(n) < 0.06, rng.integers(16, 40, n), rng.integers(3, 15, n))
        self.found_on = [d - dt.timedelta(days=int(g)) for d, g in zip(self.identified_on, found_gap, strict=True)]
        late = rng.random(n) < 0.08
        # help arrives in the month of identification, except for a few late files (DOMAIN §4 flag)
        first_aid_t = ident_t + np.where(late, rng.integers(2, 5, n), 0)
        aid_period = rng.integers(3, 7, n)
        # paired when help starts inside the window (or before it): no pairing dated in the future
        pair = (rng.random(n) < np.where(worker, 0.5, 0.85)) & (first_aid_t < self.M)
        self.pair_helper = self._pick_helpers(h["adcode"].to_numpy())
        pair_start_t = first_aid_t.copy()

        status = np.zeros(n, dtype=np.int8)
        active = np.zeros(n, dtype=bool)
        pending = np.zeros(n, dtype=np.int8)  # 1 eliminate, 2 relapse, 3 close
        follow_end = np.full(n, -1)
        spell_start = first_aid_t.copy()
        level = self.base_income.copy()
        out_left = np.zeros(n, dtype=int)
        out_run = np.zeros(n, dtype=int)
        ill_left = np.zeros(n, dtype=int)
        ill_extra = np.zeros(n)
        not_back = np.zeros(n, dtype=int)
        pair_end_t = np.full(n, 10_000)
        r_mat = np.full((n, M), np.nan)
        trig_mat = np.zeros((n, M), dtype=np.int64)
        self.changes: list[tuple] = []
        self.aid_parts: list[pd.DataFrame] = []
        self.event_rows: list[tuple] = []
        self.followups: list[tuple] = []
        obs_parts = []
        scores = []
        elim_natural = rng.random(n) < 0.2
        festival_months = {m: y for y, d in SPRING_FESTIVAL.items() for m in [d.year * 100 + d.month]}

        # history before the window: identification and the help given since
        i: int | np.integer  # a household's row: from range() here, from np.flatnonzero() in the loops below
        for i in range(n):
            self.changes.append((self.hh_ids[i], self.identified_on[i], None, "在档", None, False))
        pre = ident_t < 0
        helped_before = pre & (first_aid_t < 0)
        for i in np.flatnonzero(helped_before):
            self.changes.append((self.hh_ids[i], self._aid_date(i, int(first_aid_t[i])), "在档", "帮扶中", None, False))
        step = first_aid_t.copy()
        aid_before = np.zeros(n, dtype=int)
        while True:
            due = helped_before & (step < 0)
            if not due.any():
                break
            rows = np.flatnonzero(due)
            self._add_aid(rows, step[rows], np.zeros(len(rows), dtype=bool))
            aid_before[rows] += 1
            step[rows] += aid_period[rows]
        status[pre] = np.where(helped_before[pre], STATUS_INDEX["帮扶中"], STATUS_INDEX["在档"])
        p.households["aid_before"] = aid_before
        self._events_at_identification(ident_t)

        for t in range(M):
            month = int(self.months[t])
            # 1. decisions taken last month take effect now
            elim = pending == 1
            method_natural = elim & elim_natural
            for i in np.flatnonzero(elim):
                new = lifecycle.eliminated_status(h["population"].iat[i], natural=bool(method_natural[i]))
                self.changes.append((self.hh_ids[i], self._date_in(t), STATUS_CODES[status[i]], new,
                                     "自然消除" if method_natural[i] else "帮扶消除", False))
                status[i] = STATUS_INDEX[new]
                p.change[i, t] = CHANGE_ELIMINATED
                follow_end[i] = t + 12
                pair_end_t[i] = min(pair_end_t[i], t + 6)
                for k in (3, 6, 9, 12):
                    if t + k < M:
                        self.followups.append((self.hh_ids[i], self._date_in(t + k), "电话" if k % 6 else "入户",
                                               "收入稳定，未发现返贫风险", False))
            rel = pending == 2
            for i in np.flatnonzero(rel):
                self.changes.append((self.hh_ids[i], self._date_in(t), STATUS_CODES[status[i]], "在档", None, True))
                self.followups.append((self.hh_ids[i], self._date_in(t), "入户", "回访发现收入下降，重新纳入监测", True))
                status[i] = STATUS_INDEX["在档"]
                p.change[i, t] = CHANGE_RELAPSE
                first_aid_t[i] = t + int(rng.integers(0, 2))
                spell_start[i] = first_aid_t[i]
                follow_end[i] = -1
                self.growth[i] = rng.normal(0.012, 0.01)
            close = pending == 3
            for i in np.flatnonzero(close):
                new = "注销" if rng.random() < 0.5 else "退档"
                self.changes.append((self.hh_ids[i], self._date_in(t), STATUS_CODES[status[i]], new, None, False))
                status[i] = STATUS_INDEX[new]
                pair_end_t[i] = min(pair_end_t[i], t)
            pending[:] = 0
            leaving = (follow_end >= 0) & (t > follow_end) & np.isin(status, [3, 4, 5])
            active &= ~leaving
            gone_closed = np.isin(status, [6, 7]) & ~close
            active &= ~gone_closed
            starting = (ident_t == t) | ((t == 0) & (ident_t < 0))
            active |= starting
            new_now = ident_t == t
            status[new_now] = STATUS_INDEX["在档"]

            # 2. help delivered this month
            open_ = active & np.isin(status, [1, 2])
            regular = open_ & (t >= first_aid_t) & ((t - first_aid_t) % aid_period == 0)
            festival = open_ & worker & (month in festival_months) & (t > first_aid_t)
            aid_now = regular | festival
            aid_cash = np.zeros(n)
            rows = np.flatnonzero(aid_now)
            aid_cash[rows] = self._add_aid(rows, np.full(len(rows), t), festival[rows] & ~regular[rows])
            for i in np.flatnonzero(aid_now & (status == STATUS_INDEX["在档"])):
                self.changes.append((self.hh_ids[i], self._aid_date(i, t), "在档", "帮扶中", None, False))
            status[aid_now & (status == STATUS_INDEX["在档"])] = STATUS_INDEX["帮扶中"]
            p.aid[:, t] = aid_now.astype(np.int16)
            p.helper[:, t] = pair & (t >= pair_start_t) & (t <= pair_end_t)

            # 3. the month's money
            months_since = np.maximum(t - np.maximum(spell_start, 0), 0)
            trend = np.clip((1 + self.growth) ** np.where(t >= spell_start, months_since, 0), 0.6, 2.6)
            noise = rng.lognormal(0, self.noise_sd, n)
            income_level = level * trend * noise
            wage_factor = np.ones(n)
            # Spring Festival: time off in the festival month, late returns after it
            in_festival = month in festival_months
            after_festival = add_months(month, -1) in festival_months
            if in_festival:
                wage_factor = np.where(self.has_migrant, 0.45, 0.9)
                not_back = np.where(self.has_migrant & (rng.random(n) < np.where(self._in_downturn(t), 0.3, 0.14)),
                                    rng.integers(1, 4, n), 0)
            returned = np.full(n, None, dtype=object)
            if after_festival:
                returned = np.where(self.has_migrant, not_back == 0, None)  # type: ignore[assignment]  # numpy stubs reject None
            back_lag = not_back > 0
            if not in_festival and back_lag.any():
                wage_factor = np.where(back_lag, 0.0, wage_factor)
            # job losses, more in the downturn; arrears in the downturn
            downturn = self._in_downturn(t)
            lose = active & (out_left == 0) & (self.employed0 > 0) & (rng.random(n) < np.where(downturn, 0.05, 0.006))
            out_left = np.where(lose, rng.integers(1, 7, n), out_left)
            out_now = (out_left > 0) | (back_lag & ~np.full(n, in_festival))
            out_run = np.where(out_now, out_run + 1, 0)
            share_lost = np.where(self.employed0 > 0, 1.0 / np.maximum(self.employed0, 1), 0.0)
            wage_factor = np.where(out_left > 0, wage_factor * (1 - share_lost), wage_factor)
            wage_factor = np.where(downturn, wage_factor * 0.8, wage_factor)
            arrears = active & (rng.random(n) < np.where(downturn, 0.25, 0.01)) & (self.employed0 > 0)
            flood = self._flooded(t)
            op_factor = np.where(flood, 0.25, 1.0)
            # illness shocks: costs and six months of medical bills
            sick = active & (ill_left == 0) & (rng.random(n) < 0.004)
            cost = np.where(sick, income_level * 12 * rng.uniform(0.2, 1.1, n), 0.0)
            ill_left = np.where(sick, 6, np.maximum(ill_left - 1, 0))
            ill_extra = np.where(sick, cost / 6, np.where(ill_left > 0, ill_extra, 0.0))
            for i in np.flatnonzero(sick):
                self._record_event(i, "01", self._date_in(t), cost[i], "部门筛查预警", "医保平台推送大额自付费用")
            flood_hit = flood & (t == self.flood_t) & active
            for i in np.flatnonzero(flood_hit & ~h["flood_new"].to_numpy()):
                self._record_event(i, "0201", self._date_in(t), income_level[i] * rng.uniform(3, 14),
                                   "部门筛查预警", "应急管理部门推送受灾名单")
            wage = income_level * self.wage_share * wage_factor
            operating = income_level * self.operating_share * op_factor
            prop = income_level * self.property_share
            transfer = income_level * self.transfer_share + aid_cash
            medical = income_level * self.shares["medical"] + ill_extra
            school = income_level * self.shares["school"] * np.where(np.isin(month % 100, [2, 3, 8, 9]), 1.6, 0.8)
            care = income_level * self.shares["care"]
            work = wage * 0.03
            employed = np.maximum(self.employed0 - (out_left > 0) - back_lag.astype(int) * (not in_festival), 0)
            obs = pd.DataFrame({
                "hh_id": self.hh_ids, "month": month,
                "income_wage": np.round(wage, 2), "income_operating": np.round(operating, 2),
                "income_property": np.round(prop, 2), "income_transfer": np.round(transfer, 2),
                "spend_medical": np.round(medical, 2), "spend_school": np.round(school, 2),
                "spend_care": np.round(care, 2), "spend_work": np.round(work, 2),
                "members_employed": employed.astype(int), "months_out_of_work": out_run.astype(int),
                "wage_arrears": arrears, "returned_after_festival": returned,
            }).loc[active]
            obs_parts.append(obs)
            fill_observations(p, obs, t, np.flatnonzero(active))
            out_left = np.maximum(out_left - 1, 0)
            not_back = np.where(in_festival, not_back, np.maximum(not_back - 1, 0))
            p.present[:, t] = active
            p.status[:, t] = status

            # 4. score the month with the production rules
            scored = score_month(p, t, self.line_inputs)
            scores.append(scored)
            rows = np.flatnonzero(active)
            r_mat[rows, t] = scored["r"].to_numpy()
            trig_mat[rows, t] = scored["triggers"].to_numpy()

            # 5. decisions for next month (DOMAIN §4)
            if t + 1 < M:
                last6 = r_mat[:, max(0, t - 5): t + 1]
                stable = (last6.shape[1] == 6) & np.all(last6 >= lifecycle.STABLE_R, axis=1)
                aid_total = p.aid[:, : t + 1].sum(axis=1) + p.households["aid_before"].to_numpy()
                eligible = (active & np.isin(status, [1, 2]) & (t - ident_t >= lifecycle.MIN_MONTHS_IDENTIFIED)
                            & (aid_total >= 1) & stable & (trig_mat[:, t] == 0) & (self.labour > 0))
                pending[eligible & (rng.random(n) < ELIMINATION_P)] = 1
                # re-opened within 12 months of elimination (the change lands next month)
                at_risk = active & np.isin(status, [3, 4, 5]) & (t + 1 < follow_end) & (
                    (trig_mat[:, t] != 0) | (r_mat[:, t] < 1.0))
                pending[at_risk & (rng.random(n) < RELAPSE_P)] = 2
                pending[active & np.isin(status, [1, 2]) & (pending == 0) & (rng.random(n) < CLOSE_P)] = 3

        self.status_now = status
        self.obs = pd.concat(obs_parts, ignore_index=True)
        self.scores = pd.concat(scores, ignore_index=True)
        self.pair, self.pair_start_t, self.pair_end_t = pair, pair_start_t, pair_end_t

    def _in_downturn(self, t: int) -> np.ndarray:
        d0, d1 = self.downturn
        if not (d0 <= t <= d1):
            return np.zeros(self.n, dtype=bool)
        h = self.h
        city = np.where(h["adcode"].isin(DOWNTURN_CITIES), h["adcode"], h["pref"])
        return h["worker"].to_numpy() & np.isin(city, DOWNTURN_CITIES) & (h["industry_code"].to_numpy() == "C")

    def _flooded(self, t: int) -> np.ndarray:
        if not (self.flood_t <= t < self.flood_t + 6):
            return np.zeros(self.n, dtype=bool)
        return (~self.h["worker"].to_numpy()) & (self.h["pref"].to_numpy() == FLOOD_PREFECTURE)

    def _record_event(self, i: int | np.integer, risk_type: str, day: dt.date, cost: float, source: str,
                      note: str) -> None:
        """Keep the event row and, for sudden events in the window, its cost in the panel."""
        cost = round(float(cost), 2)
        self.event_rows.append((self.hh_ids[i], risk_type, day, cost, source, note))
        if risk_type in codes.SUDDEN_RISK_TYPES:
            month = day.year * 100 + day.month
            col = np.searchsorted(self.months, month)
            if col < self.M and self.months[col] == month:
                self.panel.event_cost[i, col] += cost
            elif month < self.months[0]:  # before the first month: counts in the 12-month windows it reaches
                first = int(self.months[0])
                behind = (first // 100 - day.year) * 12 + first % 100 - day.month  # months before column 0
                reach = max(0, min(self.M, WINDOW - behind))
                assert self.panel.event_carry is not None  # made by Panel.empty
                self.panel.event_carry[i, :reach] += cost

    NOTES = {"01": "重病住院", "05": "意外受伤", "0201": "洪涝受灾", "12": "企业停产未返岗", "09": "子女上学负担重",
             "03": "家庭成员残疾", "04": "家庭缺乏劳动力", "07": "务工不稳定", "06": "养殖项目亏损"}

    def _events_at_identification(self, ident_t: np.ndarray) -> None:
        """The event behind each file, dated shortly before identification."""
        rng, n, h = self.rng, self.n, self.h
        worker = h["worker"].to_numpy()
        cause = h["cause"].to_numpy()
        sudden = h["sudden"].to_numpy()
        share = np.where(sudden, np.where(worker, rng.uniform(0.85, 1.8, n), rng.uniform(0.4, 1.6, n)),
                         np.where(np.isin(cause, ["01", "03", "05"]), rng.uniform(0.05, 0.35, n), 0.0))
        t = ident_t - rng.integers(0, 2, n)
        for i in range(n):
            day = min(self._date_in(int(t[i])), self.identified_on[i])
            self._record_event(i, cause[i], day, self.base_income[i] * 12 * share[i],
                               "职工申请" if worker[i] else "农户自主申报", self.NOTES.get(cause[i], "其他困难"))

    def _pick_helpers(self, adcodes: np.ndarray) -> np.ndarray:
        helpers = self.world.helpers
        by_county = helpers.groupby("adcode")["helper_id"].apply(np.asarray).to_dict()
        all_ids = helpers["helper_id"].to_numpy()
        return np.array([self.rng.choice(by_county.get(a, all_ids)) for a in adcodes])

    def _aid_date(self, i: int | np.integer, t: int) -> dt.date:
        month = add_months(int(self.months[0]), int(t))
        return dt.date(month // 100, month % 100, 11 + (int(self.hh_ids[i]) * 7 + t) % 18)

    # Help by the file's cause: (type, min, max yuan); 0 = a service, no cash.
    WORKER_AID = {"01": ("医疗救助", 2000, 12000), "09": ("子女助学", 1000, 5000), "12": ("就业帮扶", 0, 0),
                  "05": ("临时救助", 1000, 6000), "03": ("生活救助", 600, 3000)}
    RURAL_AID = {"01": ("健康帮扶", 1000, 8000), "09": ("教育帮扶", 1000, 4000), "0201": ("临时救助", 2000, 8000),
                 "07": ("就业帮扶", 0, 0), "06": ("产业帮扶", 1000, 6000)}

    def _add_aid(self, rows: np.ndarray, cols: np.ndarray, festival: np.ndarray) -> np.ndarray:
        """Record one measure for each of `rows` in month columns `cols`; returns the cash amounts."""
        rng, k = self.rng, len(rows)
        if k == 0:
            return np.zeros(0)
        worker = self.h["worker"].to_numpy()[rows]
        cause = self.h["cause"].to_numpy()[rows]
        kind = np.empty(k, dtype=object)
        lo = np.zeros(k)
        hi = np.zeros(k)
        for table, mask in ((self.WORKER_AID, worker), (self.RURAL_AID, ~worker)):
            default = ("生活救助", 500, 3000) if table is self.WORKER_AID else ("产业帮扶", 1000, 5000)
            for j in np.flatnonzero(mask):
                kind[j], lo[j], hi[j] = table.get(cause[j], default)
        swap = worker & (rng.random(k) < 0.25)
        kind[swap] = rng.choice(["技能培训", "法律援助", "生活救助"], swap.sum())
        lo[swap], hi[swap] = np.where(kind[swap] == "生活救助", 500, 0), np.where(kind[swap] == "生活救助", 2000, 0)
        site = ~worker & (self.h["site_id"].to_numpy()[rows] > 0) & (rng.random(k) < 0.3)
        kind[site], lo[site], hi[site] = "搬迁后扶", 500, 2000
        job = ~worker & (rng.random(k) < 0.15)
        kind[job], lo[job], hi[job] = "公益岗位", 0, 0
        kind[festival], lo[festival], hi[festival] = "送温暖", 500, 1500
        amount = np.where(hi > 0, np.floor(rng.uniform(lo, hi + 100) / 100) * 100, 0.0)
        provider = np.where(worker, "工会", rng.choice(["乡村振兴", "民政", "人社", "医保"], k))
        days = [self._aid_date(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]
        self.aid_parts.append(pd.DataFrame({
            "hh_id": self.hh_ids[rows], "aid_type": kind, "amount": amount, "delivered_on": days,
            "provider": provider, "helper_id": self.pair_helper[rows],
        }))
        return amount

    # ------------------------------------------------------------ output
    def _collect(self) -> _Output:
        h = self.h
        hh = self._household_rows(final=True)
        changes = pd.DataFrame(self.changes, columns=["hh_id", "changed_on", "from_status", "to_status", "method", "is_relapse"])
        elim = changes.loc[changes["to_status"].isin(codes.ELIMINATED_STATUSES)].groupby("hh_id").last()
        closed = changes.loc[changes["to_status"].isin(codes.CLOSED_STATUSES)].groupby("hh_id").last()
        hh["found_on"] = self.found_on
        hh["eliminated_on"] = hh["hh_id"].map(elim["changed_on"])
        hh["elimination_method"] = hh["hh_id"].map(elim["method"])
        hh["closed_on"] = hh["hh_id"].map(closed["changed_on"])
        hh["close_reason"] = np.where(hh["closed_on"].notna(),  # type: ignore[call-overload]  # numpy stubs reject None
                                      np.where(hh["status"] == "注销", "死亡", "转出"), None)
        hh["file_no"] = [f"{a}-{'G' if w else 'N'}{i:08d}" for a, w, i in zip(h["adcode"], h["worker"], h["hh_id"], strict=True)]
        hh["org_id"] = h["org_id"].to_numpy()
        hh["source"] = np.where(h["worker"], self.rng.choice(["职工申请", "工会排查", "企业报告"], len(h), p=[0.6, 0.3, 0.1]),
                                self.rng.choice(["农户自主申报", "基层干部排查", "部门筛查预警"], len(h), p=[0.3, 0.45, 0.25]))
        hh["address"] = self._addresses()
        hh["batch_id"] = self.batch_id
        changes["change_id"] = None
        changes = changes.drop(columns="change_id")

        aid = pd.concat(self.aid_parts, ignore_index=True)
        paired = aid["hh_id"].map(dict(zip(self.hh_ids, self.pair, strict=True))).to_numpy(dtype=bool)
        aid["helper_id"] = pd.array(np.where(paired, aid["helper_id"], 0), dtype="Int64")
        aid.loc[~paired, "helper_id"] = pd.NA
        events = pd.DataFrame(self.event_rows, columns=["hh_id", "risk_type", "occurred_on", "cost", "source", "note"])
        pairs_idx = np.flatnonzero(self.pair)
        pairs = pd.DataFrame({
            "hh_id": self.hh_ids[pairs_idx],
            "helper_id": self.pair_helper[pairs_idx],
            "start_on": [max(self._date_in(int(self.pair_start_t[i]), 1), self.identified_on[i]) for i in pairs_idx],
            "end_on": [self._date_in(int(self.pair_end_t[i]), 28) if self.pair_end_t[i] < self.M else None for i in pairs_idx],
        })
        follow = pd.DataFrame(self.followups, columns=["hh_id", "followed_on", "method", "finding", "relapse_flag"])
        obs = self.obs.assign(batch_id=self.batch_id)
        scores = self.scores[SCORE_COLUMNS]
        first_aid = aid.merge(hh[["hh_id", "identified_on"]], on="hh_id")
        first_aid = first_aid.loc[pd.to_datetime(first_aid["delivered_on"]) >= pd.to_datetime(first_aid["identified_on"])]
        first_aid = first_aid.groupby("hh_id")["delivered_on"].min()
        tables = {
            household: hh, person: self.p, household_month: obs, risk_event: events, assistance: aid,
            pairing: pairs, followup: follow, household_status: changes, risk_score: scores,
        }
        return _Output(tables, scores, self.panel.households, first_aid)

    def _addresses(self) -> list[str]:
        reg = self.world.regions.set_index("adcode")["name"]
        sites = self.world.sites.set_index("site_id")["name"]
        out = []
        for adcode, site, hid in zip(self.h["adcode"], self.h["site_id"], self.h["hh_id"], strict=True):
            if site > 0:
                out.append(f"{reg.get(adcode, '')}{sites.get(site, '')}{hid % 30 + 1}栋{hid % 6 + 1}单元{hid % 20 + 101}室")
            else:
                out.append(f"{reg.get(adcode, '')}{['城关', '新华', '人民', '建设', '和平'][hid % 5]}街道{hid % 200 + 1}号")
        return out


def _employment_forms(rng: np.random.Generator, industry: np.ndarray) -> np.ndarray:
    forms = np.empty(len(industry), dtype=object)
    table = {
        "GP": (["平台新就业形态", "灵活就业"], [0.85, 0.15]),
        "H": (["劳动合同", "灵活就业", "非全日制"], [0.45, 0.4, 0.15]),
        "O": (["劳动合同", "灵活就业", "非全日制"], [0.4, 0.45, 0.15]),
        "E": (["劳动合同", "劳务派遣", "灵活就业"], [0.5, 0.25, 0.25]),
        "C": (["劳动合同", "劳务派遣", "非全日制"], [0.7, 0.25, 0.05]),
    }
    for code in np.unique(industry):
        mask = industry == code
        options, probs = table.get(code, (["劳动合同", "灵活就业"], [0.8, 0.2]))
        forms[mask] = rng.choice(options, mask.sum(), p=probs)
    return forms


def fill_observations(panel: Panel, obs: pd.DataFrame, t: int, rows: np.ndarray) -> None:
    """Put one month of household_month rows into panel column t, as `load_panel` does."""
    panel.income[rows, t] = obs[["income_wage", "income_operating", "income_property", "income_transfer"]].sum(axis=1).to_numpy()
    panel.medical[rows, t] = obs["spend_medical"].to_numpy()
    panel.school[rows, t] = obs["spend_school"].to_numpy()
    panel.rigid[rows, t] = obs[["spend_medical", "spend_school", "spend_care", "spend_work"]].sum(axis=1).to_numpy()
    panel.employed[rows, t] = obs["members_employed"].to_numpy()
    panel.months_out[rows, t] = obs["months_out_of_work"].to_numpy()
    panel.arrears[rows, t] = obs["wage_arrears"].to_numpy(dtype=bool)
    panel.not_returned[rows, t] = obs["returned_after_festival"].map({False: True, True: False}).fillna(False).to_numpy(dtype=bool)
