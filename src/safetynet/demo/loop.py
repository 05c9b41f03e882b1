"""The work after a warning in the demo (DOMAIN §8): leads, home checks, decisions, 一户一策, approvals, visits.

The simulation (`demo.generate`) decides what happened to each household — when a file was opened, when help
arrived, when it was eliminated and when it relapsed. This module writes the casework that must have led to
it, by the rules of `safetynet.casework`, so that a staff member opening the demo finds a history that adds up:

* every file opened inside the window came from a lead (预警线索): the household's discovery channel
  (农户自主申报 / 职工申请 applicants, 基层干部排查 / 工会排查 / 企业报告 entered by staff, 部门推送 from a
  department), received on the file's `found_on`, checked within 5 working days or not, and decided 纳入监测 on
  the day the file was identified;
* applicants and department matches that were turned down (不纳入, with a reason) or turned out to be an existing
  file (并入已有档案), and the 系统预警 leads the scores of past months raised (newly 高 or a hard trigger, not
  re-raised within three months); the latest month's are left to `refresh.raise_leads`, which by the same
  rules joins an open lead or skips a household alerted in the last three months; a few leads are still open
  now, some of them overdue;
* 一户一策 for every open file: delivered items linked to the assistance rows, the next measure due (some
  overdue), a few cancelled;
* a risk-elimination request for every elimination: proposed by the county's staff, approved by the level
  above, 公示 for 5 days and in effect on the elimination date (已回退 when the file relapsed), a few sent back
  first, and some in progress now (待审批 / 公示中 / 已退回);
* quarterly follow-up visits while 帮扶中, every visit with who made it; the file's assignee.

Staff are demo accounts (`accounts`): two per county and one approver per prefecture (the province for a
county directly under it), named ``demo-<adcode>[-k]``, with no password — nobody signs in with them; they are
the names the history is written in. "Now" for the demo is `today(end_month)`: four weeks after the data's
last month, when that month's data has come in. Everything is vectorised over a chunk of households.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from safetynet.demo import people
from safetynet.domain import codes, lifecycle, risk
from safetynet.domain.deadlines import DECISION, HOME_CHECK, WORKING, DeadlineRules
from safetynet.domain.months import add_months
from safetynet.domain.workdays import HOLIDAY

ACCOUNT_PREFIX = "demo-"  # with no password and no identity-provider subject: demo data, replaced with it
STAFF_PER_COUNTY = 2
DAY = np.timedelta64(1, "D")

# how the work goes (shares of leads / files / requests)
LATE_CHECK_P = 0.14  # home check after the deadline
LATE_DECISION_P = 0.05
STALLED_P = 0.05  # a recent lead nobody has got to yet
EXTRA_LEAD_SHARE = 0.45  # leads turned down, per file opened in the window
RECENT_EXTRA_SHARE = 0.08  # of those, received in the last month (the open ones now)
MERGE_P = 0.04  # open files that got a second report (并入已有档案)
SYSTEM_REJECT_P = 0.12
SENT_BACK_P = 0.08  # eliminations whose first request was sent back
CANCEL_P = 0.05
PLAN_OVERDUE_P = 0.12  # the next measure of a file already helped is past its due date
NO_PLAN_YET_P = 0.3  # a file opened but not helped yet whose 一户一策 is still to be drawn up
LATE_VISIT_P = 0.08
PENDING_P, NOTICE_P, RETURNED_P = 0.12, 0.08, 0.04  # of the files eligible for elimination now

SOURCE_CHANNEL = {"部门筛查预警": "部门推送"}  # household.source → lead channel (the others are the same words)
APPLICANT_CHANNELS = ("农户自主申报", "职工申请")
CAUSE_DEPARTMENT = {"01": "医保", "0201": "应急", "03": "残联", "09": "教育", "12": "人社", "07": "人社",
                    "05": "医保", "04": "民政", "06": "民政", "99": "民政"}
DEPARTMENT_REASON = {
    "医保": "医保部门推送：年度医疗费用个人自付超过家庭收入一半",
    "应急": "应急管理部门推送：受灾人员名单",
    "残联": "残联推送：新增重度残疾人家庭",
    "教育": "教育部门推送：家庭经济困难学生",
    "人社": "人社部门推送：失业登记或未返岗人员",
    "民政": "民政部门推送：低收入人口动态监测预警",
    "住建": "住建部门推送：农村住房安全鉴定为C级",
}
CAUSE_TEXT = {"01": "家庭成员重病住院，医疗支出大", "05": "家庭成员意外受伤", "0201": "房屋和庄稼洪涝受灾",
              "12": "所在企业停产，未能返岗", "09": "子女上学负担重", "03": "家庭成员残疾，需长期照护",
              "04": "家庭缺乏劳动力", "07": "外出务工不稳定，收入下降", "06": "养殖项目亏损"}
REJECT_REASONS = {
    "rural": ("家庭人均纯收入高于监测线，不符合纳入条件", "经数据比对，家庭有商品房和小汽车，不符合条件",
              "已纳入低保兜底保障，无返贫致贫风险", "困难为临时性，已给予临时救助，暂不纳入",
              "申请人户籍和居住地不在本辖区，已转所在地核实"),
    "worker": ("家庭人均收入高于当地低保标准2倍，不符合困难职工条件", "经核对，家庭有经营性收入，不符合建档条件",
               "非工会会员，已转介民政部门", "困难为临时性，已给予送温暖慰问，暂不建档"),
}
REJECT_FINDINGS = ("家庭成员有稳定工作，收入来源稳定", "入户核实收入与申报不符", "家中无大额医疗和教育支出",
                   "经核对银行流水和社保缴费记录，收入正常")
SENT_BACK_NOTES = ("佐证材料不全：请补充近6个月家庭收入核算表", "请补充帮扶措施落实的影像资料后再报",
                   "回访记录不足，请补充入户回访后再报", "收入来源以临时务工为主，稳定性存疑，请继续跟踪")
VISIT_FINDINGS = ("家庭情况稳定，帮扶措施已落实", "收入有所恢复，继续落实帮扶措施", "仍有困难，已反映需求",
                  "子女就学正常，医疗报销已办理", "已稳定就业，收入逐月增加", "户主身体好转，已能从事轻体力劳动")
WORKER_UNITS = ("县总工会帮扶中心", "基层工会", "县总工会")
RURAL_UNITS = ("乡镇帮扶干部", "驻村工作队", "村委会")
# the help planned first for a file with no delivery yet, by its main cause
WORKER_FIRST = {"01": "医疗救助", "09": "子女助学", "12": "就业帮扶", "05": "临时救助", "03": "生活救助"}
RURAL_FIRST = {"01": "健康帮扶", "09": "教育帮扶", "0201": "临时救助", "07": "就业帮扶", "06": "产业帮扶"}


def today(end_month: int) -> dt.date:
    """The demo's "now": four weeks after the last month of data (2026-11-28 for 2026-10)."""
    first = dt.date(end_month // 100, end_month % 100, 1)
    return (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date() + dt.timedelta(days=28)


# ---------------------------------------------------------------- working days, vectorised
class WorkDays:
    """`workdays.WorkCalendar` over arrays of datetime64[D]: the same rules (weekends, holidays, make-up days)."""

    def __init__(self, rows: list[tuple[dt.date, str]], first: str = "2015-01-01", last: str = "2032-12-31") -> None:
        self.first = np.datetime64(first, "D")
        days = np.arange(self.first, np.datetime64(last, "D") + DAY)
        working = np.is_busday(days)
        index = {d: i for i, d in enumerate(days.astype(object))}
        for day, kind in rows:
            i = index.get(day)
            if i is not None:
                working[i] = kind != HOLIDAY
        self.days = days
        self.cum = np.cumsum(working)

    def add(self, start: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day after each start (n ≥ 1; the start itself never counts)."""
        i = (start - self.first).astype(np.int64)
        return self.days[np.searchsorted(self.cum, self.cum[i] + np.asarray(n), side="left")]

    def between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days in (start, end]; negative when end is before start."""
        return (self.cum[(end - self.first).astype(np.int64)] - self.cum[(start - self.first).astype(np.int64)])


# ---------------------------------------------------------------- the staff
def accounts(regions: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Every demo account the history may name: staff of each county, an approver above each county.

    Columns: username, display_name, scope_adcode, county (the county it serves, for lookups), k (1… for county
    staff, 0 for the approver). Deterministic per seed and independent of which households exist.
    """
    reg = regions.set_index("adcode")
    leaves = regions.loc[regions["level"].isin([2, 3]), "adcode"].sort_values().to_numpy()
    pref = reg["pref_adcode"].reindex(leaves).to_numpy()
    prov = reg["prov_adcode"].reindex(leaves).to_numpy()
    above = np.where(pd.isna(pref) | (pref == leaves) | (pref == prov), prov, pref)
    ok = ~pd.isna(above) & (above != leaves)
    leaves, above = leaves[ok], above[ok].astype(object)
    rng = np.random.default_rng([seed, 8_001])
    staff = pd.DataFrame({"county": np.repeat(leaves, STAFF_PER_COUNTY),
                          "k": np.tile(np.arange(1, STAFF_PER_COUNTY + 1), len(leaves))})
    staff["username"] = ACCOUNT_PREFIX + staff["county"] + "-" + staff["k"].astype(str)
    staff["scope_adcode"] = staff["county"]
    approvers = pd.DataFrame({"county": leaves, "k": 0, "scope_adcode": above})
    approvers["username"] = ACCOUNT_PREFIX + approvers["scope_adcode"]
    out = pd.concat([staff, approvers], ignore_index=True)
    male = rng.random(len(out)) < 0.55
    out["display_name"] = people.surnames(rng, len(out)) + people.given_names(rng, male)
    # an approver serves several counties: one name for one account
    out["display_name"] = out.groupby("username")["display_name"].transform("first")
    return out


@dataclass
class Context:
    """What every chunk shares: the accounts, the calendar and rules, the window and the demo's now."""

    staff: pd.DataFrame  # `accounts`
    workdays: WorkDays
    rules: DeadlineRules
    months: list[int]
    batch_id: int
    seed: int
    now: np.datetime64 = field(init=False)
    window_start: np.datetime64 = field(init=False)
    data_end: np.datetime64 = field(init=False)
    used_counties: set = field(default_factory=set)

    def __post_init__(self) -> None:
        latest = self.months[-1]
        self.now = np.datetime64(today(latest), "D")
        first = self.months[0]
        self.window_start = np.datetime64(dt.date(first // 100, first % 100, 1), "D")
        self.data_end = self.now - 28 * DAY
        by_key = self.staff.set_index(["county", "k"])
        self._user = by_key["username"]
        self._name = self.staff.drop_duplicates("username").set_index("username")["display_name"]
        self._amounts: dict[tuple[str, str], int] = {}

    def username(self, county: np.ndarray, k: np.ndarray) -> np.ndarray:
        index = pd.MultiIndex.from_arrays([np.asarray(county, dtype=object), np.asarray(k)])
        return self._user.reindex(index).to_numpy(dtype=object)

    def name_of(self, usernames: np.ndarray) -> np.ndarray:
        return self._name.reindex(np.asarray(usernames, dtype=object)).to_numpy(dtype=object)

    def amount(self, adcodes: np.ndarray, step: str) -> np.ndarray:
        """Working days a step may take in each county (the region's rule; the default when not in working days)."""
        unique = pd.unique(np.asarray(adcodes, dtype=object))
        for code in unique:
            if (code, step) not in self._amounts:
                rule = self.rules.rule(str(code), step)
                self._amounts[(code, step)] = rule.amount if rule.unit == WORKING else (5 if step == HOME_CHECK else 15)
        return pd.Series([self._amounts[(c, step)] for c in unique], index=unique).reindex(adcodes).to_numpy()

    def account_rows(self) -> pd.DataFrame:
        """The accounts of the counties that have households, and their approvers, as app_user rows."""
        used = self.staff.loc[self.staff["county"].isin(self.used_counties)]
        rows = used.drop_duplicates("username").sort_values("username")
        return pd.DataFrame({
            "username": rows["username"].to_numpy(), "display_name": rows["display_name"].to_numpy(),
            "password_hash": None, "role": "staff", "scope_adcode": rows["scope_adcode"].to_numpy(),
            "active": True, "failed_attempts": 0, "created_at": dt.datetime.combine(today(self.months[-1]), dt.time(8)),
        })


@dataclass
class Ids:
    """Explicit ids across chunks (plan items link to assistance rows, so those get ids here too)."""

    aid: int = 0
    lead: int = 0
    item: int = 0
    request: int = 0

    def take(self, name: str, n: int) -> np.ndarray:
        start = getattr(self, name)
        setattr(self, name, start + n)
        return np.arange(start + 1, start + n + 1)


# ---------------------------------------------------------------- helpers
def _d64(values: object) -> np.ndarray:
    """Dates (python dates, Timestamps, None) as datetime64[D]."""
    return pd.to_datetime(pd.Series(values), errors="coerce").to_numpy().astype("datetime64[D]")


def _dates(values: np.ndarray) -> np.ndarray:
    """datetime64[D] (NaT = missing) as python dates / None, the way the bulk writer stores Date columns."""
    out = np.asarray(values, dtype="datetime64[D]").astype(object)
    out[np.isnat(values)] = None
    return out


def _stamps(days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A time of day in office hours on each day, as datetime64[s]."""
    seconds = rng.integers(8 * 3600 + 1800, 17 * 3600 + 1800, len(days))
    return days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def _pick(rng: np.random.Generator, options: tuple, n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def _one_month_after(days: np.ndarray) -> np.ndarray:
    """The same day a month later (the month's last day when it has no such day), as DateOffset(months=1)."""
    month = days.astype("datetime64[M]")
    offset = days - month.astype("datetime64[D]")
    return np.minimum((month + 1).astype("datetime64[D]") + offset, (month + 2).astype("datetime64[D]") - DAY)


def _first_day(months: np.ndarray) -> np.ndarray:
    months = np.asarray(months, dtype=np.int64)
    return ((months // 100 - 1970) * 12 + months % 100 - 1).astype("datetime64[M]").astype("datetime64[D]")


# ---------------------------------------------------------------- one chunk
@dataclass
class Chunk:
    """What the simulation of one chunk produced, as the loop needs it."""

    tables: dict  # the chunk's table frames by name (household, household_status, assistance, followup, person, …)
    static: pd.DataFrame  # hh_id, worker, cause, pref (the simulation's household attributes)
    pair: np.ndarray  # paired with a helper
    pair_helper: np.ndarray  # helper ids (by household row)
    helper_names: pd.Series  # helper_id → name
    scores: pd.DataFrame  # every scored household-month of the chunk


def build(ctx: Context, ids: Ids, chunk: Chunk, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The chunk's casework rows; also fills household.assignee, followup visitors, assistance ids and notes."""
    t = chunk.tables
    hh = t["household"]
    ctx.used_counties.update(pd.unique(hh["adcode"]))
    facts = _facts(ctx, chunk)
    aid = t["assistance"]
    aid.insert(0, "aid_id", ids.take("aid", len(aid)))
    requests = _requests(ctx, ids, chunk, facts, rng)
    plans = _plans(ctx, ids, chunk, facts, rng)
    leads = _leads(ctx, ids, chunk, facts, rng)
    t["followup"] = _followups(ctx, chunk, facts, rng)
    open_or_followed = hh["status"].isin(codes.OPEN_STATUSES + codes.ELIMINATED_STATUSES).to_numpy()
    hh["assignee"] = np.where(open_or_followed, facts.assignee,  # type: ignore[call-overload]  # numpy stubs reject None
                              None)
    return {"lead": leads, "plan_item": plans, "elimination_request": requests}


class Facts:
    """Per household of the chunk, as numpy arrays (the chunk's hh_ids are consecutive): `take` picks rows."""

    # the columns `_facts` passes, set as attributes by __init__ (declared here for the type checker)
    hh_id: np.ndarray
    adcode: np.ndarray
    population: np.ndarray
    status: np.ndarray
    identified: np.ndarray  # datetime64[D]
    file_no: np.ndarray
    assignee: np.ndarray
    staff_name: np.ndarray
    approver: np.ndarray
    worker: np.ndarray  # bool
    cause: np.ndarray
    head_name: np.ndarray
    head_phone: np.ndarray
    helper: np.ndarray  # the paired helper's name, or None
    spell_start: np.ndarray  # datetime64[D]

    def __init__(self, **cols: np.ndarray) -> None:
        self.cols = cols
        self.__dict__.update(cols)
        self.first = int(cols["hh_id"][0]) if len(cols["hh_id"]) else 0

    def __len__(self) -> int:
        return len(self.cols["hh_id"])

    def rows(self, hh_ids: object) -> np.ndarray:
        return np.asarray(hh_ids, dtype=np.int64) - self.first

    def take(self, rows: np.ndarray) -> Facts:
        out = Facts(**{k: v[rows] for k, v in self.cols.items()})
        out.first = self.first
        return out

    def of(self, hh_ids: object) -> Facts:
        return self.take(self.rows(hh_ids))


def _facts(ctx: Context, chunk: Chunk) -> Facts:
    """Per household: county, staff, approver, the start of the current spell, the head's name and phone."""
    hh = chunk.tables["household"]
    hh_id = hh["hh_id"].to_numpy(dtype=np.int64)
    assert (np.diff(hh_id) == 1).all()
    adcode = hh["adcode"].to_numpy(dtype=object)
    assignee = ctx.username(adcode, 1 + hh_id % STAFF_PER_COUNTY)
    st = chunk.static.set_index("hh_id").reindex(hh_id)
    heads = chunk.tables["person"]
    heads = heads.loc[heads["relation"] == "01"].drop_duplicates("hh_id").set_index("hh_id")
    helper_name = chunk.helper_names.reindex(chunk.pair_helper).to_numpy(dtype=object)
    changes = chunk.tables["household_status"]
    opened = changes["to_status"].to_numpy() == "在档"
    spell = pd.Series(_d64(changes["changed_on"])[opened]).groupby(changes["hh_id"].to_numpy()[opened]).max()
    return Facts(
        hh_id=hh_id, adcode=adcode, population=hh["population"].to_numpy(dtype=object),
        status=hh["status"].to_numpy(dtype=object), identified=_d64(hh["identified_on"]),
        file_no=hh["file_no"].to_numpy(dtype=object), assignee=assignee, staff_name=ctx.name_of(assignee),
        approver=ctx.username(adcode, np.zeros(len(hh_id), dtype=int)),
        worker=st["worker"].to_numpy(dtype=bool), cause=st["cause"].to_numpy(dtype=object),
        head_name=heads["name"].reindex(hh_id).to_numpy(dtype=object),
        head_phone=heads["phone"].reindex(hh_id).to_numpy(dtype=object),
        helper=np.where(chunk.pair, helper_name, None),  # type: ignore[arg-type]  # numpy stubs reject None
        spell_start=spell.reindex(hh_id).to_numpy().astype("datetime64[D]"))


# ---------------------------------------------------------------- leads
def _leads(ctx: Context, ids: Ids, chunk: Chunk, f: Facts, rng: np.random.Generator) -> pd.DataFrame:
    parts = [_intake(ctx, chunk, f, rng), _system(ctx, chunk, f, rng), _turned_down(ctx, f, rng)]
    merged = _merged(ctx, f, parts[1], rng)
    parts.append(merged)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame()
    leads = pd.concat(parts, ignore_index=True)
    leads = _timeline(ctx, leads, rng)
    leads = leads.sort_values(["received_on", "adcode", "hh_id", "channel"], kind="stable", na_position="first")
    leads.insert(0, "lead_id", ids.take("lead", len(leads)))
    leads["hh_id"] = pd.array(leads["hh_id"], dtype="Int64")
    leads["alert_month"] = pd.array(leads["alert_month"], dtype="Int64")
    for col in ("received_on", "checked_on", "decided_on"):
        leads[col] = _dates(leads[col].to_numpy())
    leads["created_at"] = _stamps(_d64(leads["received_on"]), rng)
    leads["row_version"] = leads["versions"]
    keep = ["lead_id", "hh_id", "adcode", "channel", "alert", "alert_month", "department", "applicant_name",
            "applicant_phone", "reason", "received_on", "assignee", "status", "checked_on", "check_by",
            "check_finding", "decision", "decision_reason", "decided_on", "decided_by", "batch_id", "created_by",
            "created_at", "row_version"]
    return leads[keep].reset_index(drop=True)


def _base(n: int, **cols: object) -> pd.DataFrame:
    frame = pd.DataFrame({"hh_id": np.full(n, np.nan), "alert": None, "alert_month": np.nan, "department": None,
                          "applicant_name": None, "applicant_phone": None, "batch_id": None,
                          "decided_fixed": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                          "stalled": False})
    for name, value in cols.items():
        frame[name] = value
    return frame


def _intake(ctx: Context, chunk: Chunk, f: Facts, rng: np.random.Generator) -> pd.DataFrame:
    """The lead behind every file opened in the window: received on found_on, decided on identified_on."""
    hh = chunk.tables["household"]
    rows = np.flatnonzero(f.identified >= ctx.window_start)
    g = f.take(rows)
    n = len(rows)
    source = hh["source"].to_numpy()[rows]
    channel = pd.Series(source).replace(SOURCE_CHANNEL).to_numpy(dtype=object)
    dept = pd.Series(g.cause).map(CAUSE_DEPARTMENT).fillna("民政").to_numpy(dtype=object)
    department = np.where(channel == "部门推送", dept, None)
    cause_text = pd.Series(g.cause).map(CAUSE_TEXT).fillna("家庭生活困难").to_numpy(dtype=object)
    reason = np.select(
        [np.isin(channel, APPLICANT_CHANNELS), channel == "部门推送", channel == "企业报告"],
        ["本人申请：" + cause_text, pd.Series(department).map(DEPARTMENT_REASON).fillna("").to_numpy(dtype=object),
         "企业工会报告：职工" + cause_text],
        "走访排查发现：" + cause_text)
    worker = g.worker
    decision_reason = np.where(worker, "经入户核实符合困难职工建档条件，公示无异议，建立档案",
                               "经入户核实、民主评议并公示无异议，纳入防返贫监测")
    return _base(
        n, hh_id=g.hh_id.astype(float), adcode=g.adcode, channel=channel, department=department,
        applicant_name=np.where(channel == "部门推送",  # type: ignore[call-overload]  # numpy stubs reject None
                                None, g.head_name),
        applicant_phone=np.where(np.isin(channel, APPLICANT_CHANNELS),  # type: ignore[call-overload]  # numpy stubs reject None
                                 g.head_phone, None),
        reason=reason, received_on=_d64(hh["found_on"].to_numpy()[rows]), decided_fixed=g.identified,
        assignee=g.assignee, staff_name=g.staff_name,
        created_by=np.where(channel == "部门推送", g.approver, g.assignee),
        batch_id=np.where(channel == "部门推送",  # type: ignore[call-overload]  # numpy stubs reject None
                          ctx.batch_id, None), decision="纳入监测",
        decision_reason=decision_reason, check_finding="核实属实：" + cause_text)


def _system(ctx: Context, chunk: Chunk, f: Facts, rng: np.random.Generator) -> pd.DataFrame:
    """系统预警 of past months: newly 高 or a hard trigger on an open file, not re-raised within three months."""
    s = chunk.scores
    latest = ctx.months[-1]
    month_index = {m: i for i, m in enumerate(ctx.months)}
    hit = ((s["tier"] == "高") & (((s["flags"].to_numpy(dtype=np.int64) & int(risk.Flag.NEWLY_HIGH)) != 0)
                                   | (s["triggers"] != 0)) & s["status"].isin(codes.OPEN_STATUSES)
           & (s["month"] < latest))
    c = s.loc[hit].sort_values(["hh_id", "month"])
    if c.empty:
        return _base(0)
    t = c["month"].map(month_index).to_numpy()
    gap = pd.Series(t).groupby(c["hh_id"].to_numpy()).diff().to_numpy()
    c = c.loc[np.isnan(gap) | (gap >= 3)]
    # still an open file the month after (no lead about a file that was being closed)
    after = s.set_index(["hh_id", "month"])["status"]
    nxt = after.reindex(pd.MultiIndex.from_arrays([c["hh_id"], c["month"].map(lambda m: add_months(int(m), 1))]))
    c = c.loc[nxt.isin(codes.OPEN_STATUSES).to_numpy()]
    g = f.of(c["hh_id"])
    n = len(c)
    if n == 0:
        return _base(0)
    months = c["month"].to_numpy()
    received = _first_day(np.array([add_months(int(m), 1) for m in months])) + rng.integers(2, 9, n) * DAY
    hard = c["triggers"].to_numpy() != 0
    reasons = risk.explain_frame(c.reset_index(drop=True), g.population, "zh").to_numpy(dtype=object)
    label = pd.Series(months // 100).astype(str).to_numpy(dtype=object) + "年" + \
        pd.Series(months % 100).astype(str).to_numpy(dtype=object) + "月"
    reason = ("系统预警（" + label + "）：" + np.where(hard, "硬性触发", "本月新增高风险") + "，评分"
              + c["score"].astype(str).to_numpy(dtype=object) + np.where(reasons == "", "", "；" + reasons))
    reject = rng.random(n) < SYSTEM_REJECT_P
    return _base(
        n, hh_id=c["hh_id"].to_numpy(float), adcode=g.adcode, channel="系统预警",
        alert=np.where(hard, "hard_trigger", "newly_high"), alert_month=months.astype(float), reason=reason,
        received_on=received, assignee=g.assignee, staff_name=g.staff_name,
        created_by="system", decision=np.where(reject, "不纳入", "纳入监测"),
        decision_reason=np.where(reject, "核实为收入数据漏报，补录后人均收入高于监测线，情况正常",
                                 "预警属实，档案继续监测，已调整帮扶措施"),
        check_finding=np.where(reject, "入户核实：家庭收入正常，系统预警不属实",
                               np.where(hard, "入户核实：存在硬性触发情形属实", "入户核实：家庭收入明显下降属实")),
        stalled=(received >= ctx.data_end - 45 * DAY) & (rng.random(n) < STALLED_P * 3))


def _turned_down(ctx: Context, f: Facts, rng: np.random.Generator) -> pd.DataFrame:
    """Applications, staff reports and department matches that were checked and not opened (不纳入)."""
    opened = int((f.identified >= ctx.window_start).sum())
    n = round(opened * EXTRA_LEAD_SHARE)
    if n == 0:
        return _base(0)
    who = rng.integers(0, len(f), n)  # a county in proportion to its files, and its kind of files
    g = f.take(who)
    worker = g.worker
    channel = np.where(worker, rng.choice(["职工申请", "工会排查", "企业报告"], n, p=[0.55, 0.3, 0.15]),
                       rng.choice(["农户自主申报", "基层干部排查", "部门推送"], n, p=[0.4, 0.25, 0.35])).astype(object)
    department = np.where(channel == "部门推送",  # type: ignore[call-overload]  # numpy stubs reject None
                          _pick(rng, tuple(DEPARTMENT_REASON), n), None)
    span = int((ctx.now - ctx.window_start) / DAY)
    received = ctx.window_start + rng.integers(0, span, n) * DAY
    recent = rng.random(n) < RECENT_EXTRA_SHARE
    received = np.where(recent, ctx.now - rng.integers(0, 30, n) * DAY, received)
    male = rng.random(n) < 0.55
    names = people.surnames(rng, n) + people.given_names(rng, male)
    cause_text = _pick(rng, tuple(CAUSE_TEXT.values()), n)
    reason = np.select([np.isin(channel, APPLICANT_CHANNELS), channel == "部门推送", channel == "企业报告"],
                       ["本人申请：" + cause_text, pd.Series(department).map(DEPARTMENT_REASON).to_numpy(dtype=object),
                        "企业工会报告：职工" + cause_text], "走访排查发现：" + cause_text)
    rejected = np.where(worker, _pick(rng, REJECT_REASONS["worker"], n), _pick(rng, REJECT_REASONS["rural"], n))
    k = rng.integers(1, STAFF_PER_COUNTY + 1, n)
    assignee = ctx.username(g.adcode, k)
    return _base(
        n, adcode=g.adcode, channel=channel, department=department,
        applicant_name=np.where(channel == "部门推送", None, names),
        applicant_phone=np.where(np.isin(channel, APPLICANT_CHANNELS),  # type: ignore[call-overload]  # numpy stubs reject None
                                 people.phones(rng, n), None),
        reason=reason, received_on=received, assignee=assignee, staff_name=ctx.name_of(assignee),
        created_by=np.where(channel == "部门推送", g.approver, assignee),
        batch_id=np.where(channel == "部门推送",  # type: ignore[call-overload]  # numpy stubs reject None
                          ctx.batch_id, None), decision="不纳入", decision_reason=rejected,
        check_finding="入户核实：" + _pick(rng, REJECT_FINDINGS, n),
        stalled=(received >= ctx.now - 40 * DAY) & (rng.random(n) < STALLED_P))


def _merged(ctx: Context, f: Facts, system: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A second report about a household already on file: 并入已有档案 (never while another lead is open)."""
    open_now = np.isin(f.status, codes.OPEN_STATUSES)
    start = np.maximum(f.spell_start + 30 * DAY, ctx.window_start)
    # days to now as timedelta64 (the stubs read a datetime64 minus an array of them as datetime64)
    room = cast("npt.NDArray[np.timedelta64]", ctx.now - 10 * DAY - start) / DAY
    pick = open_now & (room > 0) & (rng.random(len(f)) < MERGE_P)
    g = f.take(pick)
    n = len(g)
    if n == 0:
        return _base(0)
    received = start[pick] + (rng.random(n) * room[pick]).astype(int) * DAY
    # not near a 系统预警 of the same household (leads are at most ~2 months long)
    if len(system):
        near = pd.DataFrame({"hh_id": g.hh_id.astype(float), "received": received}).merge(
            system[["hh_id", "received_on"]], on="hh_id", how="inner")
        clash = near.loc[np.abs((near["received"] - near["received_on"]) / DAY) < 75, "hh_id"].unique()
        keep = ~np.isin(g.hh_id.astype(float), clash)
        g, received, n = g.take(keep), received[keep], int(keep.sum())
    worker = g.worker
    channel = np.where(worker, _pick(rng, ("工会排查", "企业报告"), n),
                       _pick(rng, ("基层干部排查", "部门推送"), n)).astype(object)
    department = np.where(channel == "部门推送",  # type: ignore[call-overload]  # numpy stubs reject None
                          _pick(rng, tuple(DEPARTMENT_REASON), n), None)
    reason = np.where(channel == "部门推送", pd.Series(department).map(DEPARTMENT_REASON).to_numpy(dtype=object),
                      "走访排查发现：家庭收入下降")
    return _base(
        n, hh_id=g.hh_id.astype(float), adcode=g.adcode, channel=channel, department=department,
        applicant_name=g.head_name, reason=reason, received_on=received,
        assignee=g.assignee, staff_name=g.staff_name,
        created_by=np.where(channel == "部门推送", g.approver, g.assignee),
        batch_id=np.where(channel == "部门推送",  # type: ignore[call-overload]  # numpy stubs reject None
                          ctx.batch_id, None), decision="并入已有档案",
        decision_reason="该户已是监测对象（档案" + g.file_no + "），线索并入已有档案",
        check_finding="入户核实：该户已建档，帮扶责任人已落实")


def _timeline(ctx: Context, leads: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Home check and decision dates in working days after receipt; what lies after now has not happened yet."""
    n = len(leads)
    wd = ctx.workdays
    received = leads["received_on"].to_numpy().astype("datetime64[D]")
    check_days = ctx.amount(leads["adcode"].to_numpy(), HOME_CHECK)
    decide_days = ctx.amount(leads["adcode"].to_numpy(), DECISION)
    late = rng.random(n) < LATE_CHECK_P
    on_time = np.minimum(rng.choice([1, 2, 3, 4, 5], n, p=[0.12, 0.28, 0.27, 0.2, 0.13]), check_days)
    k = np.where(late, check_days + rng.integers(1, 8, n), on_time)
    checked = wd.add(received, k)
    fixed = leads["decided_fixed"].to_numpy().astype("datetime64[D]")
    has_fixed = ~np.isnat(fixed)
    checked = np.where(has_fixed, np.maximum(np.minimum(checked, fixed), received), checked)
    late_decision = rng.random(n) < LATE_DECISION_P
    room = np.maximum(decide_days - k, 1)
    k2 = np.where(late_decision, room + rng.integers(1, 10, n), 1 + (rng.random(n) * room).astype(int))
    decided = np.where(has_fixed, fixed, wd.add(checked, k2))
    stalled = leads["stalled"].to_numpy(dtype=bool) & ~has_fixed
    halfway = stalled & (rng.random(n) < 0.4) & (checked <= ctx.now)
    checked = np.where(stalled & ~halfway, np.datetime64("NaT"), checked)
    decided = np.where(stalled, np.datetime64("NaT"), decided)
    checked = np.where(checked > ctx.now, np.datetime64("NaT"), checked)
    decided = np.where(np.isnat(checked) | (decided > ctx.now), np.datetime64("NaT"), decided)
    done, seen = ~np.isnat(decided), ~np.isnat(checked)
    leads["status"] = np.where(done, "已办结", np.where(seen, "待决定", "待核实"))
    leads["checked_on"] = checked
    leads["decided_on"] = decided
    cadre = people.surnames(rng, n) + people.given_names(rng, rng.random(n) < 0.6)
    leads["check_by"] = np.where(seen, leads["staff_name"].to_numpy(dtype=object) + "、" + cadre, None)
    leads["check_finding"] = np.where(seen, leads["check_finding"], None)
    for col in ("decision", "decision_reason"):
        leads[col] = np.where(done, leads[col], None)
    leads["decided_by"] = np.where(done, leads["assignee"], None)
    # a lead gets a version per save: entered, assigned, checked, decided
    leads["versions"] = 2 + seen.astype(int) + done.astype(int)
    return leads


# ---------------------------------------------------------------- 一户一策
def _plans(ctx: Context, ids: Ids, chunk: Chunk, f: Facts, rng: np.random.Generator) -> pd.DataFrame:
    """Plans of the open files: the measures delivered in the current spell, the next one due, a few cancelled."""
    is_open = np.isin(f.status, codes.OPEN_STATUSES)
    if not is_open.any():
        return pd.DataFrame()
    aid = chunk.tables["assistance"]
    a = pd.DataFrame({"aid_id": aid["aid_id"].to_numpy(), "hh_id": aid["hh_id"].to_numpy(),
                      "aid_type": aid["aid_type"].to_numpy(dtype=object), "delivered": _d64(aid["delivered_on"])})
    row = f.rows(a["hh_id"])
    a = a.loc[is_open[row] & (a["delivered"].to_numpy() >= f.spell_start[row])]
    a = a.sort_values(["hh_id", "delivered", "aid_id"])
    a = a.loc[a.groupby("hh_id").cumcount(ascending=False) < 3]  # the plan as it stands: the last three measures
    n = len(a)
    lead_days = rng.integers(7, 45, n) * DAY
    spell = f.of(a["hh_id"]).spell_start
    created = np.maximum(a["delivered"].to_numpy() - lead_days, spell)
    late = rng.random(n) < 0.1
    due = np.where(late, a["delivered"].to_numpy() - rng.integers(3, 25, n) * DAY,
                   a["delivered"].to_numpy() + rng.integers(0, 20, n) * DAY)
    due = np.maximum(due, created + DAY)
    delivered = pd.DataFrame({"hh_id": a["hh_id"].to_numpy(), "aid_type": a["aid_type"].to_numpy(), "due": due,
                              "status": "已落实", "aid_id": a["aid_id"].to_numpy(), "note": None, "created": created})
    # the next measure: after the last delivery (or, for a file not helped yet, within a month of opening)
    last = a.groupby("hh_id").agg(aid_type=("aid_type", "last"), delivered=("delivered", "max"))
    o = f.take(np.flatnonzero(is_open))
    last = last.reindex(o.hh_id)
    m = len(o)
    first = np.where(o.worker, pd.Series(o.cause).map(WORKER_FIRST).fillna("生活救助").to_numpy(dtype=object),
                     pd.Series(o.cause).map(RURAL_FIRST).fillna("产业帮扶").to_numpy(dtype=object))
    never = last["delivered"].isna().to_numpy()
    base = np.where(never, o.spell_start, last["delivered"].to_numpy().astype("datetime64[D]"))
    created_next = np.minimum(base + rng.integers(1, 6, m) * DAY, ctx.now)
    behind = (rng.random(m) < PLAN_OVERDUE_P) & (created_next + 7 * DAY < ctx.now)
    next_due = np.where(behind, np.maximum(ctx.now - rng.integers(1, 45, m) * DAY, created_next + 7 * DAY),
                        np.maximum(ctx.now + rng.integers(3, 90, m) * DAY, created_next + 30 * DAY))
    next_due[never] = _one_month_after(base[never])  # the first measure: within a month of opening
    pending = pd.DataFrame({"hh_id": o.hh_id, "aid_type": np.where(never, first, last["aid_type"].to_numpy(dtype=object)),
                            "due": next_due, "status": "待落实", "aid_id": None, "note": None,
                            "created": created_next}).loc[~(never & (rng.random(m) < NO_PLAN_YET_P))]
    # a few measures were dropped when the household's situation changed
    cancel = rng.random(m) < CANCEL_P
    other = np.where(o.worker, _pick(rng, ("技能培训", "法律援助", "心理疏导"), m),
                     _pick(rng, ("技能培训", "公益岗位", "产业帮扶"), m))
    c_created = o.spell_start + rng.integers(5, 30, m) * DAY
    cancelled = pd.DataFrame({"hh_id": o.hh_id, "aid_type": other, "due": c_created + 30 * DAY,
                              "status": "已取消", "aid_id": None, "note": "户情变化，改为其他帮扶措施",
                              "created": c_created}).loc[cancel & (c_created + 30 * DAY < ctx.now)]
    plans = pd.concat([delivered, pending, cancelled], ignore_index=True)
    who = f.of(plans["hh_id"])
    unit = np.where(who.worker, _pick(rng, WORKER_UNITS, len(plans)), _pick(rng, RURAL_UNITS, len(plans)))
    responsible = np.where(pd.isna(who.helper), unit + " " + who.staff_name, who.helper)
    plans = plans.sort_values(["hh_id", "created", "status"], kind="stable")
    plans = plans.assign(responsible=responsible[plans.index], created_by=who.assignee[plans.index])
    return pd.DataFrame({
        "item_id": ids.take("item", len(plans)), "hh_id": plans["hh_id"].to_numpy(),
        "aid_type": plans["aid_type"].to_numpy(), "responsible": plans["responsible"].to_numpy(),
        "due_on": _dates(plans["due"].to_numpy().astype("datetime64[D]")), "status": plans["status"].to_numpy(),
        "aid_id": pd.array(plans["aid_id"].to_numpy(), dtype="Int64"), "note": plans["note"].to_numpy(),
        "created_by": plans["created_by"].to_numpy(),
        "created_at": _stamps(plans["created"].to_numpy().astype("datetime64[D]"), rng),
    })


# ---------------------------------------------------------------- risk elimination
def _checklist(months_on_file: np.ndarray, aid: np.ndarray) -> np.ndarray:
    """The §4 checklist as the service stores it when a request is proposed (every condition met)."""
    pairs = pd.DataFrame({"m": np.asarray(months_on_file, dtype=int), "a": np.asarray(aid, dtype=int)})
    texts = {}
    for m, a in pairs.drop_duplicates().itertuples(index=False):
        check = lifecycle.elimination_check(dt.date(2000, 1, 1), add_months(200001, int(m)), int(a),
                                            [1.2] * lifecycle.STABLE_MONTHS, False, 1)
        texts[(m, a)] = json.dumps([{"key": c.key, "ok": c.ok, "text": c.text_zh} for c in check.conditions],
                                   ensure_ascii=False)
    return np.array([texts[k] for k in zip(pairs["m"], pairs["a"], strict=True)], dtype=object)


def _month_int(days: np.ndarray) -> np.ndarray:
    """YYYYMM of each datetime64 day."""
    m = np.asarray(days, dtype="datetime64[M]").astype(np.int64)
    return (m // 12 + 1970) * 100 + m % 12 + 1


def _requests(ctx: Context, ids: Ids, chunk: Chunk, f: Facts, rng: np.random.Generator) -> pd.DataFrame:
    """One request per elimination (已生效, or 已回退 when the file relapsed), some sent back first; and the
    requests in progress now for open files that meet the §4 conditions."""
    changes = chunk.tables["household_status"]
    changes["note"] = None
    order = changes.sort_values("hh_id", kind="stable")  # each household's changes are in time order already
    nxt_relapse = order.groupby("hh_id")["is_relapse"].shift(-1).fillna(False).astype(bool)
    elim_rows = order.index[order["to_status"].isin(codes.ELIMINATED_STATUSES).to_numpy()]
    aid = chunk.tables["assistance"][["hh_id", "delivered_on"]]
    parts = []
    if len(elim_rows):
        e = order.loc[elim_rows]
        n = len(e)
        effect = _d64(e["changed_on"])
        notice_until = effect - DAY
        decided = notice_until - 5 * DAY
        proposed = decided - rng.integers(1, 9, n) * DAY
        g = f.of(e["hh_id"])
        ident = g.identified
        as_of = _month_int(effect.astype("datetime64[M]") - 1)  # the month whose scores the proposal rests on
        ident_month = _month_int(ident)
        months_on_file = (as_of // 100 - ident_month // 100) * 12 + (as_of % 100 - ident_month % 100)
        counted = _aid_between(aid, e["hh_id"].to_numpy(), ident, proposed)
        checklist = _checklist(months_on_file, counted)
        status = np.where(nxt_relapse.loc[elim_rows].to_numpy(), "已回退", "已生效")
        main = pd.DataFrame({"hh_id": e["hh_id"].to_numpy(), "method": e["method"].to_numpy(), "checklist": checklist,
                             "proposed_by": g.assignee, "proposed": proposed, "status": status,
                             "decided_by": g.approver, "decided": decided, "decision_note": None,
                             "notice_until": notice_until, "row": elim_rows})
        back = rng.random(n) < SENT_BACK_P
        b_proposed = proposed - rng.integers(20, 40, n) * DAY
        sent = main.loc[back].assign(proposed=b_proposed[back], decided=b_proposed[back] + rng.integers(2, 7, back.sum()) * DAY,
                                     status="已退回", decision_note=_pick(rng, SENT_BACK_NOTES, int(back.sum())),
                                     notice_until=np.datetime64("NaT"), row=-1)
        parts += [main, sent]
    parts.append(_in_progress(ctx, chunk, f, aid, rng))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame()
    req = pd.concat(parts, ignore_index=True)
    req = req.sort_values(["proposed", "hh_id"], kind="stable").reset_index(drop=True)
    req["request_id"] = ids.take("request", len(req))
    # the status history names the request that took effect, and a reversion says so (风险消除回退)
    took = req.loc[req["row"] >= 0]
    changes.loc[took["row"].to_numpy(), "note"] = "风险消除申请第" + took["request_id"].astype(str).to_numpy(dtype=object) + "号"
    changes.loc[changes["is_relapse"].to_numpy(dtype=bool), "note"] = "风险消除回退：回访发现收入下降，重新纳入监测"
    pending = req["status"] == "待审批"
    return pd.DataFrame({
        "request_id": req["request_id"].to_numpy(), "hh_id": req["hh_id"].to_numpy(), "method": req["method"].to_numpy(),
        "checklist": req["checklist"].to_numpy(), "proposed_by": req["proposed_by"].to_numpy(),
        "proposed_at": _stamps(req["proposed"].to_numpy().astype("datetime64[D]"), rng), "status": req["status"].to_numpy(),
        "decided_by": np.where(pending, None, req["decided_by"]),
        "decided_at": pd.Series(_stamps(req["decided"].to_numpy().astype("datetime64[D]"), rng)).where(~pending),
        "decision_note": req["decision_note"].to_numpy(),
        "notice_until": _dates(req["notice_until"].to_numpy().astype("datetime64[D]")),
    })


def _aid_between(aid: pd.DataFrame, hh_ids: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Assistance rows of each (household, start, end) with start ≤ delivered_on ≤ end."""
    ask = pd.DataFrame({"hh_id": hh_ids, "start": start, "end": end, "i": np.arange(len(hh_ids))})
    got = ask.merge(pd.DataFrame({"hh_id": aid["hh_id"].to_numpy(), "on": _d64(aid["delivered_on"])}), on="hh_id")
    got = got.loc[(got["on"] >= got["start"]) & (got["on"] <= got["end"])]
    return got.groupby("i").size().reindex(np.arange(len(hh_ids)), fill_value=0).to_numpy()


def _in_progress(ctx: Context, chunk: Chunk, f: Facts, aid: pd.DataFrame,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Open files that meet §4 as of the latest month: some proposed (待审批), in notice (公示中) or sent back."""
    latest = ctx.months[-1]
    s = chunk.scores
    last6 = s.loc[s["month"] >= add_months(latest, -5)]
    agg = last6.groupby("hh_id").agg(n=("month", "size"), r=("r", "min"), trig=("triggers", "max"),
                                     last=("month", "max"), labour=("labour", "last"))
    ok = agg.loc[(agg["n"] == 6) & (agg["r"] >= 1.0) & (agg["trig"] == 0) & (agg["last"] == latest)
                 & (agg["labour"] > 0)]
    g = f.of(ok.index)
    g = g.take(np.isin(g.status, codes.OPEN_STATUSES)
               & (g.identified <= _first_day(np.array([add_months(latest, -6)]))[0] + 27 * DAY))
    n = len(g)
    if n == 0:
        return pd.DataFrame()
    counted = _aid_between(aid, g.hh_id, g.identified, np.full(n, ctx.now))
    g = g.take(counted > 0)
    counted = counted[counted > 0]
    n = len(g)
    draw = rng.random(n)
    state = np.select([draw < PENDING_P, draw < PENDING_P + NOTICE_P, draw < PENDING_P + NOTICE_P + RETURNED_P],
                      ["待审批", "公示中", "已退回"], "")
    pick = state != ""
    g, state, counted = g.take(pick), state[pick], counted[pick]
    n = len(g)
    ident = g.identified
    ident_month = _month_int(ident)
    months_on_file = (latest // 100 - ident_month // 100) * 12 + (latest % 100 - ident_month % 100)
    decided = np.where(state == "公示中", ctx.now - rng.integers(0, 5, n) * DAY, ctx.now - rng.integers(0, 12, n) * DAY)
    proposed = np.where(state == "待审批", ctx.now - rng.integers(0, 20, n) * DAY, decided - rng.integers(1, 8, n) * DAY)
    return pd.DataFrame({
        "hh_id": g.hh_id, "method": np.where(rng.random(n) < 0.2, "自然消除", "帮扶消除"),
        "checklist": _checklist(months_on_file, counted), "proposed_by": g.assignee,
        "proposed": proposed, "status": state, "decided_by": g.approver, "decided": decided,
        "decision_note": np.where(state == "已退回",  # type: ignore[call-overload]  # numpy stubs reject None
                                  _pick(rng, SENT_BACK_NOTES, n), None),
        "notice_until": np.where(state == "公示中", decided + 5 * DAY, np.datetime64("NaT")), "row": -1,
    })


# ---------------------------------------------------------------- follow-up visits
def _aftercare_visits(ctx: Context, changes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The simulation visits an eliminated file 3, 6, 9 and 12 months on, but only within the data's months;
    the ones due between the data's last month and the demo's "now" happen too (else every file eliminated
    in the last year reads as overdue for a visit on the day the demo is built)."""
    last = changes.sort_values(["hh_id", "changed_on"], kind="stable").groupby("hh_id").tail(1)
    eliminated = last.loc[last["to_status"].isin(codes.ELIMINATED_STATUSES)]
    data_after = np.datetime64(dt.date(ctx.months[-1] // 100, ctx.months[-1] % 100, 1), "D")
    data_after = (pd.Timestamp(data_after) + pd.DateOffset(months=1)).to_datetime64().astype("datetime64[D]")
    parts = []
    for k in (3, 6, 9, 12):
        when = (pd.DatetimeIndex(_d64(eliminated["changed_on"].to_numpy())) + pd.DateOffset(months=k)).to_numpy()
        when = when.astype("datetime64[D]") + rng.integers(0, 10, len(eliminated)) * DAY
        keep = (when >= data_after) & (when <= ctx.now)
        parts.append(pd.DataFrame({"hh_id": eliminated["hh_id"].to_numpy()[keep], "followed_on": _dates(when[keep]),
                                   "method": "电话" if k % 6 else "入户", "finding": "收入稳定，未发现返贫风险",
                                   "relapse_flag": False}))
    return pd.concat(parts, ignore_index=True)


def _followups(ctx: Context, chunk: Chunk, f: Facts, rng: np.random.Generator) -> pd.DataFrame:
    """The simulation's visits (after elimination, at a relapse) plus quarterly visits while 帮扶中, with names."""
    existing = chunk.tables["followup"]
    changes = chunk.tables["household_status"]
    order = changes.sort_values("hh_id", kind="stable")
    starts = order["to_status"].eq("帮扶中").to_numpy()
    end = order.groupby("hh_id")["changed_on"].shift(-1)
    spans = pd.DataFrame({"hh_id": order["hh_id"].to_numpy()[starts], "start": _d64(order["changed_on"].to_numpy()[starts]),
                          "end": _d64(end.to_numpy()[starts])})
    # visits go on after the data's last month, up to the demo's "now" (a file still 帮扶中 is still visited)
    spans["end"] = np.where(np.isnat(spans["end"].to_numpy()), ctx.now, spans["end"].to_numpy())
    spans = spans.loc[spans["end"] > spans["start"]]
    s = len(spans)
    longest = int((spans["end"] - spans["start"]).max() / DAY) if s else 0
    k = longest // 62 + 2
    gaps = rng.integers(62, 92, (s, k))
    late = rng.random((s, k)) < LATE_VISIT_P
    gaps = np.where(late, rng.integers(100, 140, (s, k)), gaps)
    gaps[:, 0] = rng.integers(25, 85, s)
    when = spans["start"].to_numpy()[:, None] + np.cumsum(gaps, axis=1) * DAY
    ok = (when < spans["end"].to_numpy()[:, None]) & (when <= ctx.now) & (when >= ctx.window_start)
    rows, cols = np.nonzero(ok)
    m = len(rows)
    visits = pd.DataFrame({"hh_id": spans["hh_id"].to_numpy()[rows], "followed_on": _dates(when[rows, cols]),
                           "method": np.where(rng.random(m) < 0.65, "入户", "电话"),
                           "finding": _pick(rng, VISIT_FINDINGS, m), "relapse_flag": False})
    out = pd.concat([existing, visits, _aftercare_visits(ctx, changes, rng)], ignore_index=True)
    who = f.of(out["hh_id"])
    by_helper = ~pd.isna(who.helper) & (rng.random(len(out)) < 0.6)
    out["visitor"] = np.where(by_helper, who.helper, who.staff_name)
    out["created_by"] = who.assignee
    return out.sort_values(["hh_id", "followed_on"], kind="stable").reset_index(drop=True)
