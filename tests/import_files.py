"""Import files drawn against a live database (Hypothesis strategies), and what each file names.

The strategies read `Facts` — what a database already holds: households with their lines, members and
status history, observations — and draw the files a union really uploads, as CSV bytes with the
template's Chinese headers: new households, their members and first observations, next month's
observations for most (not all) households, corrections, months older than the newest, status changes
that follow the lifecycle (or deliberately do not), changes to members. Incomes are drawn around each
household's own line (urban 低保 × industry multiplier for worker files, monitoring line ÷ 12 for
rural ones, per member), so tiers really move.

Every `ImportFile` knows what it names: per row its natural key and the stored columns its non-blank
cells set (`values`). Whatever an import of it changes beyond that is a bug (tests/test_import_stateful.py
checks it after every import). Cells may be blank and rows short (trailing cells missing, as some
exporters write them): neither names the column.

Bulk values come from one seeded `random.Random` per file (one draw: deterministic, small examples);
the shape of a file — how many rows, which columns, blank or short rows, strict or not — from plain draws.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from safetynet.domain import codes, idcard, lifecycle
from safetynet.domain.lines import reference_line_month
from safetynet.domain.months import add_months, month_range
from safetynet.ingest import kinds as K
from safetynet.pipeline.rescore import load_lines, load_multipliers

# The importer's clock: late enough that the months a long run adds after the demo's last one (202610) are
# not in the future (lines of later years fall back to 2026's).
TODAY = dt.date(2029, 6, 28)

MONEY = ("income_wage", "income_operating", "income_property", "income_transfer", "spend_medical", "spend_school",
         "spend_care", "spend_work")
OBS_COLUMNS = (*MONEY, "members_employed", "months_out_of_work", "wage_arrears", "returned_after_festival")
HEADER = {kind: {f.name: f.header for f in spec.fields} for kind, spec in K.KINDS.items()}
TARGET = {kind: {f.header: f.target for f in spec.fields} for kind, spec in K.KINDS.items()}
KEY_HEADERS = {"households": ("档案编号",), "observations": ("档案编号", "月份"), "persons": ("身份证号",)}


# ---------------------------------------------------------------- what the database holds
@dataclass
class Facts:
    households: pd.DataFrame  # index hh_id: file_no, population, adcode, status, identified_on, members, line, ...
    obs: pd.DataFrame  # household_month rows
    persons: pd.DataFrame  # person rows
    latest: int  # newest month observed
    first: int  # oldest month observed
    id_numbers: frozenset[str]
    counties: tuple[str, ...]
    salt: int = 0  # changes with the data (see `seeded`)

    def by_file_no(self) -> pd.DataFrame:
        return self.households.reset_index().set_index("file_no")

    def months_of(self, hh_id: int) -> list[int]:
        return sorted(int(m) for m in self.obs.loc[self.obs["hh_id"] == hh_id, "month"])


def _date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    return pd.Timestamp(value).date()


def load_facts(engine: Engine) -> Facts:
    """Everything the strategies draw from, read from `engine` (a few small queries)."""
    with engine.connect() as conn:
        hh = pd.read_sql(text("SELECT hh_id, file_no, population, worker_cat, monitor_cat, adcode, industry_code, "
                              "status, source, identified_on, eliminated_on, closed_on FROM household"), conn)
        obs = pd.read_sql(text("SELECT * FROM household_month"), conn)
        persons = pd.read_sql(text("SELECT * FROM person"), conn)
        last = pd.read_sql(text("SELECT hh_id, MAX(changed_on) AS last_change FROM household_status GROUP BY hh_id"),
                           conn)
        lines, multipliers = load_lines(conn), load_multipliers(conn)
    latest = int(obs["month"].max()) if len(obs) else 202610
    first = int(obs["month"].min()) if len(obs) else 202610
    members = persons.groupby("hh_id").size()
    heads = persons.loc[persons["relation"] == "01"].groupby("hh_id").size()
    hh = hh.set_index("hh_id")
    hh["members"] = members.reindex(hh.index).fillna(0).astype(int)
    hh["heads"] = heads.reindex(hh.index).fillna(0).astype(int)
    hh["last_change"] = last.set_index("hh_id")["last_change"].reindex(hh.index).map(_date)
    for col in ("identified_on", "eliminated_on", "closed_on"):
        hh[col] = hh[col].map(_date)
    year = latest // 100
    per_person = []
    for rec in hh.itertuples():
        urban = lines.lookup(rec.adcode, year, "urban_dibao_month")
        monitor = lines.lookup(rec.adcode, year, "monitor_line_year")
        mult = multipliers.get(rec.industry_code, 1.0) if rec.population == "worker" else 1.0
        per_person.append(reference_line_month(rec.population, urban, monitor, mult or 1.0))
    hh["line"] = np.asarray(per_person, dtype=float)  # yuan per person per month
    ids = frozenset(persons["id_number"].dropna().astype(str))
    salt = hash((len(hh), len(obs), len(persons), latest, first, int(obs[list(MONEY)].to_numpy().sum() * 100),
                 int(hh["status"].map(len).sum()), int(persons["health"].map(len).sum()))) % 1_000_003
    return Facts(hh, obs, persons, latest, first, ids, tuple(sorted(hh["adcode"].unique())), salt)


def seeded(draw, facts: Facts | None = None) -> random.Random:
    """A Random seeded by one draw: bulk values cost Hypothesis one integer, not thousands of choices.

    The seed is mixed with the state of the database (`Facts.salt`): Hypothesis draws small integers
    often, and the same seed on the same rows would just repeat the last file.
    """
    return random.Random(draw(st.integers(0, 2**32 - 1)) * 1_000_003 + (facts.salt if facts else 0))


# ---------------------------------------------------------------- files
@dataclass
class ImportFile:
    kind: str
    header: list[str]
    rows: list[dict[str, str]]  # header → cell text ('' = blank)
    keys: list[tuple]  # natural key per row: (file_no,) / (file_no, month) / (id_number,)
    values: list[dict[str, object]]  # per row: stored column → the value its filled cells set
    label: str
    short: bool = False  # rows written without their trailing blank cells
    bom: bool = False
    mode: str = "strict"
    invalid: set[int] = field(default_factory=set)  # rows the importer must reject (by our model)
    note: str = ""

    @property
    def table(self) -> str:
        return K.KINDS[self.kind].table

    @property
    def name(self) -> str:
        return f"{self.label}.csv"

    def data(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.header)
        for row in self.rows:
            cells = [str(row.get(h, "")) for h in self.header]
            if self.short:
                while cells and cells[-1] == "":
                    cells.pop()
            writer.writerow(cells)
        data = buf.getvalue().encode("utf-8")
        return b"\xef\xbb\xbf" + data if self.bom else data

    def short_rows(self) -> set[int]:
        """Rows written with fewer cells than the header (their last cells blank): the importer may read
        the missing cells as blank or reject the row as truncated — it may not invent values for them."""
        if not self.short:
            return set()
        return {i for i, row in enumerate(self.rows) if row.get(self.header[-1], "") == ""}

    def row_number(self, i: int) -> int:
        """The file row of data row i (header in row 1), as the importer's rejects name it."""
        return i + 2

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:  # what Hypothesis prints for a failing sequence: short, but enough to rebuild it
        keys = ", ".join("/".join(str(k) for k in key) for key in self.keys[:6])
        more = f" …(+{len(self.keys) - 6})" if len(self.keys) > 6 else ""
        flags = "".join([" short" if self.short else "", f" {self.mode}", f" invalid={sorted(self.invalid)}"
                         if self.invalid else ""])
        return f"<{self.label}: {self.kind} {len(self.rows)} rows [{keys}{more}] cols={self.header}{flags} {self.note}>"


def _month_text(month: int, rnd: random.Random) -> str:
    y, m = divmod(month, 100)
    return rnd.choice([f"{y}-{m:02d}", f"{y}{m:02d}", f"{y}年{m}月", f"{y}/{m}"])


def _money_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _bool_text(value: bool, rnd: random.Random) -> str:
    return rnd.choice(["是", "是", "Y", "1"]) if value else rnd.choice(["否", "否", "N", "0"])


def _date_between(rnd: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    if hi <= lo:
        return lo
    return lo + dt.timedelta(days=rnd.randint(0, (hi - lo).days))


def _month_end(month: int) -> dt.date:
    y, m = divmod(add_months(month, 1), 100)
    return dt.date(y, m, 1) - dt.timedelta(days=1)


def _month_start(month: int) -> dt.date:
    return dt.date(month // 100, month % 100, 1)


# ---------------------------------------------------------------- observations
def observation_values(rnd: random.Random, hh: pd.Series, month: int, base: pd.Series | None) -> dict[str, object]:
    """One month of a household: income around its line (r from 0.3 to 2.8, or last month's ± a shock)."""
    members = max(int(hh["members"]), 1)
    line = float(hh["line"]) * members
    if base is None or rnd.random() < 0.3:
        total = line * rnd.choice([0.3, 0.5, 0.7, 0.85, 0.95, 1.05, 1.2, 1.5, 2.0, 2.8]) * rnd.uniform(0.9, 1.1)
        employed = rnd.randint(0, min(members, 3))
        out_months = 0 if employed else rnd.choice([0, 1, 2, 3, 6])
    else:
        base_total = float(sum(base[c] for c in MONEY[:4]))
        shock = rnd.random()
        factor = 0.35 if shock < 0.15 else (1.6 if shock > 0.9 else rnd.uniform(0.85, 1.15))
        total = max(base_total, 0.0) * factor
        employed = int(base["members_employed"])
        if shock < 0.15 and employed:
            employed -= 1
        out_months = int(base["months_out_of_work"]) + 1 if not employed else 0
    wage_share = rnd.choice([0.0, 0.5, 0.7, 0.9]) if employed else rnd.choice([0.0, 0.0, 0.2])
    operating_share = rnd.choice([0.0, 0.0, 0.2]) if hh["population"] == "rural" else 0.0
    wage = round(total * wage_share, 2)
    operating = round(total * operating_share, 2)
    prop = round(total * rnd.choice([0.0, 0.0, 0.02]), 2)
    transfer = round(max(total - wage - operating - prop, 0.0), 2)
    medical = round(rnd.choice([0, 0, 60, 150, 400, 1200, 3500]) * rnd.uniform(0.8, 1.2), 2)
    school = round(rnd.choice([0, 0, 0, 300, 900]) * 1.0, 2)
    care = round(rnd.choice([0, 0, 0, 200, 600]) * 1.0, 2)
    work = round(wage * rnd.choice([0.0, 0.03, 0.06]), 2)
    season = month % 100 in (2, 3)
    return {"income_wage": wage, "income_operating": operating, "income_property": prop,
            "income_transfer": transfer, "spend_medical": medical, "spend_school": school, "spend_care": care,
            "spend_work": work, "members_employed": employed, "months_out_of_work": min(out_months, 120),
            "wage_arrears": rnd.random() < 0.08 and employed > 0,
            "returned_after_festival": (rnd.random() < 0.8) if season and rnd.random() < 0.5 else None}


def _cell(column: str, value: object, rnd: random.Random) -> str:
    if value is None:
        return ""
    if column in MONEY:
        return _money_text(float(value))
    if isinstance(value, bool | np.bool_):
        return _bool_text(bool(value), rnd)
    return str(int(value))


def observations_file(rnd: random.Random, facts: Facts, pairs: list[tuple[int, int]], label: str,
                      columns: tuple[str, ...] = OBS_COLUMNS, note: str = "") -> ImportFile:
    """Observation rows for (hh_id, month) pairs, each drawn from the household's nearest earlier month."""
    hh = facts.households
    header = [HEADER["observations"]["file_no"], HEADER["observations"]["month"]] + [
        HEADER["observations"][c] for c in columns]
    obs = facts.obs.sort_values(["hh_id", "month"])
    drawn: dict[int, dict[int, dict]] = {}
    rows, keys, values = [], [], []
    for hh_id, month in sorted(pairs, key=lambda p: (p[1], p[0])):
        earlier = obs.loc[(obs["hh_id"] == hh_id) & (obs["month"] < month)]
        base = earlier.iloc[-1] if len(earlier) else None
        prev = drawn.get(hh_id, {})
        if prev and (base is None or max(prev) > int(base["month"])):
            base = pd.Series(prev[max(prev)])
        vals = observation_values(rnd, hh.loc[hh_id], month, base)
        drawn.setdefault(hh_id, {})[month] = vals
        file_no = hh.loc[hh_id, "file_no"]
        row = {header[0]: file_no, header[1]: _month_text(month, rnd)}
        stored = {}
        for c in columns:
            row[HEADER["observations"][c]] = _cell(c, vals[c], rnd)
            if vals[c] is not None:
                stored[c] = vals[c]
        rows.append(row)
        keys.append((file_no, month))
        values.append(stored)
    return ImportFile("observations", header, rows, keys, values, label, bom=rnd.random() < 0.3, note=note)


def _active(facts: Facts) -> pd.DataFrame:
    """Households still followed: not closed, observed in one of the last three months."""
    recent = facts.obs.loc[facts.obs["month"] >= add_months(facts.latest, -2), "hh_id"].unique()
    hh = facts.households
    return hh.loc[hh.index.isin(recent) & ~hh["status"].isin(codes.CLOSED_STATUSES)]


@st.composite
def new_month(draw, facts: Facts, households: list[int] | None = None, share: float | None = None,
              label: str = "new_month") -> ImportFile:
    """Next month's observations for most (or a few) households: others skip it, some of them come back
    after a gap; now and then a whole month is skipped."""
    rnd = seeded(draw, facts)
    skip_whole = share is None and draw(st.integers(0, 9)) == 0
    month = add_months(facts.latest, 2 if skip_whole else 1)
    share = share if share is not None else draw(st.sampled_from([0.05, 0.5, 0.8, 0.95]))
    active = _active(facts)
    if households is not None:
        active = active.loc[active.index.isin(households)]
    chosen = [int(h) for h in active.index if rnd.random() < share] or [int(active.index[0])]
    # households that skipped the newest month come back in this one (a gap)
    lapsed = facts.obs.groupby("hh_id")["month"].max()
    lapsed = [int(h) for h in lapsed.index[lapsed < facts.latest] if h in active.index]
    chosen = sorted(set(chosen) | set(rnd.sample(lapsed, min(len(lapsed), 3))))
    gaps = sum(1 for h in chosen if add_months(month, -1) not in facts.months_of(h))
    return observations_file(rnd, facts, [(h, month) for h in chosen], label,
                             note=f"month={month} households={len(chosen)} after-a-gap={gaps}")


@st.composite
def older_month(draw, facts: Facts, households: list[int] | None = None, label: str = "older_month") -> ImportFile:
    """Months older than the newest for a few households: a month they skipped, one before their first, or one
    before anyone's first (the database's span grows backwards)."""
    rnd = seeded(draw, facts)
    n = draw(st.integers(1, 6))
    pool = households or [int(h) for h in facts.households.index]
    pairs: set[tuple[int, int]] = set()
    for hh_id in rnd.sample(pool, min(n, len(pool))):
        months = facts.months_of(hh_id)
        kind = draw(st.sampled_from(["gap", "before", "before_all"]))
        if months:
            gaps = sorted(set(month_range(months[0], months[-1])) - set(months))
        else:
            gaps = []
        if kind == "gap" and gaps:
            month = rnd.choice(gaps)
        elif kind == "before_all" or not months:
            month = add_months(facts.first, -rnd.randint(1, 2))
        else:
            month = add_months(months[0], -rnd.randint(1, 3))
        if month < facts.latest:
            pairs.add((hh_id, month))
    if not pairs:
        hh_id = pool[0]
        pairs.add((hh_id, add_months(facts.first, -1)))
    return observations_file(rnd, facts, sorted(pairs), label, note="months=" + ",".join(
        sorted({str(m) for _h, m in pairs})))


@st.composite
def corrections(draw, facts: Facts, households: list[int] | None = None, label: str = "correction") -> ImportFile:
    """Corrected values for stored observations: some columns only, some cells blank, sometimes short rows.

    A blank cell or a missing trailing cell names nothing: the stored value must stay.
    """
    rnd = seeded(draw, facts)
    obs = facts.obs if households is None else facts.obs.loc[facts.obs["hh_id"].isin(households)]
    recent = draw(st.booleans())
    pick = obs.loc[obs["month"] == facts.latest] if recent and (obs["month"] == facts.latest).any() else obs
    n = draw(st.integers(1, 6))
    chosen = pick.sample(n=min(n, len(pick)), random_state=rnd.randint(0, 2**31))
    k = draw(st.integers(1, 5))
    columns = tuple(sorted(rnd.sample(list(OBS_COLUMNS[:11]), k), key=OBS_COLUMNS.index))
    blanks = draw(st.sampled_from(["none", "some", "rows", "short"]))
    f = observations_file(rnd, facts, [(int(r.hh_id), int(r.month)) for r in chosen.itertuples()], label,
                          columns=columns, note=f"blanks={blanks}")
    for i, row in enumerate(f.rows):
        for c in columns:
            blank = (blanks in ("some", "short") and rnd.random() < 0.4) or (blanks == "rows" and i % 2 == 0)
            if blank:
                row[HEADER["observations"][c]] = ""
                f.values[i].pop(c, None)
    f.short = blanks == "short"
    return f


# ---------------------------------------------------------------- new households and members
WORKER_INDUSTRIES = ("C", "E", "F", "G", "H", "O", "GP", "Z")


@st.composite
def new_households(draw, facts: Facts, seq: int, label: str = "new_households") -> ImportFile:
    """1–4 new files (no members or observations yet), in counties that already have households."""
    rnd = seeded(draw, facts)
    n = draw(st.integers(1, 4))
    spec = HEADER["households"]
    cols = ["file_no", "population", "worker_cat", "monitor_cat", "adcode", "industry_code", "status", "source",
            "found_on", "identified_on", "address", "is_relocated", "is_exit_poor", "on_dibao", "housing_unsafe"]
    header = [spec[c] for c in cols]
    rows, keys, values = [], [], []
    for i in range(n):
        adcode = rnd.choice(facts.counties)
        worker = rnd.random() < 0.5
        file_no = f"{adcode}-{'G' if worker else 'N'}T{seq + i:06d}"
        ident = _date_between(rnd, _month_start(add_months(facts.latest, -8)), _month_end(facts.latest))
        found = ident - dt.timedelta(days=rnd.randint(0, 20))
        status = rnd.choice(["", "", "在档", "帮扶中"])
        v = {"file_no": file_no, "population": "worker" if worker else "rural",
             "worker_cat": rnd.choice([1, 2, 2, 3]) if worker else None,
             "monitor_cat": None if worker else rnd.choice(["01", "02", "02", "03"]),
             "adcode": adcode, "industry_code": rnd.choice(WORKER_INDUSTRIES) if worker else "A",
             "status": status or None, "source": rnd.choice(["职工申请", "工会排查", "企业报告"] if worker else
                                                            ["农户自主申报", "基层干部排查", "部门筛查预警"]),
             "found_on": found, "identified_on": ident, "address": f"测试街道{seq + i}号",
             "is_relocated": False if worker else rnd.random() < 0.3,
             "is_exit_poor": False if worker else rnd.random() < 0.5,
             "on_dibao": rnd.random() < 0.15, "housing_unsafe": rnd.random() < 0.05}
        row = {}
        for c in cols:
            value = v[c]
            if value is None:
                row[spec[c]] = ""
            elif c == "population":
                row[spec[c]] = "困难职工" if worker else rnd.choice(["防返贫监测户", "监测户"])
            elif isinstance(value, bool):
                row[spec[c]] = _bool_text(value, rnd)
            elif isinstance(value, dt.date):
                chinese = f"{value.year}年{value.month}月{value.day}日"
                row[spec[c]] = value.isoformat() if rnd.random() < 0.8 else chinese
            else:
                row[spec[c]] = str(value)
        rows.append(row)
        keys.append((file_no,))
        values.append({c: v[c] for c in cols if v[c] is not None})
    return ImportFile("households", header, rows, keys, values, label, bom=rnd.random() < 0.3,
                      note="files=" + ",".join(k[0] for k in keys))


def _new_id(rnd: random.Random, adcode: str, born: dt.date, used: set[str]) -> str:
    for _ in range(2000):
        number = idcard.make(adcode, born, rnd.randint(0, 999))
        if number not in used:
            used.add(number)
            return number
    raise AssertionError("no free ID number")


PERSON_COLS = ("file_no", "name", "id_number", "relation", "health", "disability_grade", "labour_capacity",
               "education", "school_stage", "employment_form", "contract_months", "is_migrant", "work_place",
               "work_adcode", "origin_adcode", "med_insured", "pension_insured", "injury_insured")


def _person(rnd: random.Random, facts: Facts, file_no: str, adcode: str, relation: str, as_of: dt.date,
            used: set[str], migrant_ok: bool) -> dict[str, object]:
    ages = {"01": (25, 60), "10": (25, 60), "20": (0, 17), "30": (0, 17), "50": (60, 80), "40": (0, 8)}[relation]
    age = rnd.randint(*ages)
    born = as_of - dt.timedelta(days=365 * age + rnd.randint(1, 360))
    adult = 18 <= age < 60
    health = rnd.choice(["健康", "健康", "健康", "长期慢性病", "患大病", "残疾"])
    p: dict[str, object] = {
        "file_no": file_no, "name": rnd.choice("王李张刘陈杨赵黄周吴") + rnd.choice("伟芳娜敏静强磊洋"),
        "id_number": _new_id(rnd, adcode, born, used), "relation": relation, "health": health,
        "disability_grade": rnd.randint(1, 4) if health == "残疾" else None,
        "labour_capacity": (rnd.choice(["技能劳动力", "普通劳动力", "普通劳动力", "弱劳动力或半劳动力"])
                            if adult and health == "健康"
                            else "弱劳动力或半劳动力" if adult else "无劳动力" if age < 18 else "丧失劳动力"),
        "education": "学龄前" if age < 6 else rnd.choice(["小学", "初中", "高中", "大专"]),
        "school_stage": ("小学" if age < 12 else "初中" if age < 15 else "高中") if 6 <= age < 18 else None,
        "employment_form": rnd.choice(["劳动合同", "灵活就业", "平台新就业形态", "失业", "务农"]) if adult else None,
        "contract_months": None, "is_migrant": False, "work_place": None, "work_adcode": None, "origin_adcode": None,
        "med_insured": rnd.random() < 0.95, "pension_insured": adult and rnd.random() < 0.6,
        "injury_insured": adult and rnd.random() < 0.4,
    }
    if p["employment_form"] == "劳动合同":
        p["contract_months"] = rnd.choice([6, 12, 24, 36])
    if migrant_ok and adult and rnd.random() < 0.4:
        p.update(is_migrant=True, work_place=rnd.choice(["县内", "省内县外", "省外"]),
                 work_adcode=rnd.choice(facts.counties), origin_adcode=adcode)
    return p


def _person_row(p: dict[str, object], rnd: random.Random) -> dict[str, str]:
    spec = HEADER["persons"]
    row = {}
    for c in PERSON_COLS:
        value = p.get(c)
        if value is None:
            row[spec[c]] = ""
        elif isinstance(value, bool):
            row[spec[c]] = _bool_text(value, rnd)
        elif c == "relation":
            row[spec[c]] = rnd.choice([str(value), codes.RELATIONS[str(value)][0]])
        else:
            row[spec[c]] = str(value)
    return row


@st.composite
def members(draw, facts: Facts, file_nos: list[str], label: str = "members") -> ImportFile:
    """Members for households: a head, spouse and children for a file without members; one newcomer (a
    baby, a parent moving in) for a household that has them."""
    rnd = seeded(draw, facts)
    hh = facts.by_file_no()
    as_of = _month_end(facts.latest)
    used = set(facts.id_numbers)
    rows, keys, values = [], [], []
    for file_no in file_nos:
        rec = hh.loc[file_no]
        if int(rec["members"]) == 0:
            relations = ["01"] + rnd.choice([[], ["10"], ["10", "20"], ["10", "20", "30"], ["50"]])
        else:
            relations = [rnd.choice(["20", "30", "50", "40"])]
        for relation in relations:
            p = _person(rnd, facts, file_no, rec["adcode"], relation, as_of, used, rec["population"] == "rural")
            rows.append(_person_row(p, rnd))
            keys.append((p["id_number"],))
            values.append({c: v for c, v in p.items() if v is not None and c != "file_no"})
    header = [HEADER["persons"][c] for c in PERSON_COLS]
    return ImportFile("persons", header, rows, keys, values, label, note="files=" + ",".join(file_nos))


@st.composite
def member_changes(draw, facts: Facts, households: list[int] | None = None,
                   label: str = "member_changes") -> ImportFile:
    """Changes to registered members: falls ill, loses the job, starts work away from home."""
    rnd = seeded(draw, facts)
    people = facts.persons.dropna(subset=["id_number"])
    if households is not None:
        people = people.loc[people["hh_id"].isin(households)]
    n = draw(st.integers(1, 4))
    chosen = people.sample(n=min(n, len(people)), random_state=rnd.randint(0, 2**31))
    hh = facts.households
    cols = ("file_no", "name", "id_number", "relation", "health", "labour_capacity", "employment_form")
    spec = HEADER["persons"]
    rows, keys, values = [], [], []
    for p in chosen.itertuples():
        change = rnd.choice(["ill", "job", "recovered"])
        health, labour, form = p.health, p.labour_capacity, p.employment_form
        if change == "ill":
            health, labour = "患大病", "丧失劳动力"
        elif change == "job":
            form = rnd.choice(["失业", "未返岗", "灵活就业", "劳动合同"])
        else:
            health, labour = "健康", "普通劳动力"
        v = {"name": p.name, "id_number": p.id_number, "relation": p.relation, "health": health,
             "labour_capacity": labour, "employment_form": form}
        row = {spec["file_no"]: hh.loc[p.hh_id, "file_no"]}
        row.update({spec[c]: "" if v[c] is None else str(v[c]) for c in cols[1:]})
        rows.append(row)
        keys.append((p.id_number,))
        values.append({c: x for c, x in v.items() if x is not None})
    return ImportFile("persons", [spec[c] for c in cols], rows, keys, values, label)


# ---------------------------------------------------------------- status changes
def _allowed_targets(population: str, status: str) -> list[str]:
    """Moves the lifecycle allows from `status`, with the eliminated status of the file's population."""
    eliminated = ("风险消除",) if population == "rural" else ("已解困", "已脱困")
    return [to for to in lifecycle.TRANSITIONS.get(status, ())
            if to not in codes.ELIMINATED_STATUSES or to in eliminated]


@st.composite
def status_changes(draw, facts: Facts, households: list[int] | None = None, label: str = "status") -> ImportFile:
    """Status changes through the households kind: allowed moves of the lifecycle with the dates and
    reasons they need; now and then a move the lifecycle forbids, which the importer must reject."""
    rnd = seeded(draw, facts)
    hh = facts.households if households is None else facts.households.loc[households]
    n = draw(st.integers(1, 4))
    chosen = hh.sample(n=min(n, len(hh)), random_state=rnd.randint(0, 2**31))
    with_date = draw(st.booleans())
    spec = HEADER["households"]
    cols = ["file_no", "population", "adcode", "source", "identified_on", "status", "status_changed_on",
            "eliminated_on", "elimination_method", "closed_on", "close_reason"]
    header = [spec[c] for c in cols]
    rows, keys, values, invalid, moves = [], [], [], set(), []
    for i, (_hh_id, rec) in enumerate(chosen.iterrows()):
        allowed = _allowed_targets(rec["population"], rec["status"])
        forbidden = [s for s in codes.FILE_STATUS if s not in allowed and s != rec["status"]]
        bad = bool(forbidden) and rnd.random() < 0.15
        to = rnd.choice(forbidden if bad else allowed)
        if bad:
            invalid.add(i)
        moves.append(f"{rec['status']}->{to}{'(forbidden)' if bad else ''}")
        lo = max(d for d in (rec["identified_on"], rec["last_change"]) if d is not None)
        hi = max(_month_end(facts.latest), lo)
        on = _date_between(rnd, lo, hi)
        v: dict[str, object] = {"file_no": rec["file_no"], "population": rec["population"], "adcode": rec["adcode"],
                                "source": rec["source"], "identified_on": rec["identified_on"], "status": to}
        if to in codes.ELIMINATED_STATUSES:
            v["eliminated_on"] = on
            v["elimination_method"] = "自然消除" if to == "已脱困" else rnd.choice(["帮扶消除", "自然消除"]) \
                if to == "风险消除" else "帮扶消除"
        if to in codes.CLOSED_STATUSES:
            v["closed_on"] = on
            v["close_reason"] = rnd.choice(list(codes.CLOSE_REASONS))
        row = {}
        for c in cols:
            value = v.get(c)
            if c == "status_changed_on":
                dated = with_date or to not in codes.ELIMINATED_STATUSES + codes.CLOSED_STATUSES
                row[spec[c]] = on.isoformat() if dated else ""
            elif value is None:
                row[spec[c]] = ""
            elif c == "population":
                row[spec[c]] = K.POPULATION[str(value)]
            elif isinstance(value, dt.date):
                row[spec[c]] = value.isoformat()
            else:
                row[spec[c]] = str(value)
        rows.append(row)
        keys.append((rec["file_no"],))
        values.append({c: x for c, x in v.items() if x is not None and c != "file_no"})
    f = ImportFile("households", header, rows, keys, values, label, note="moves=" + ",".join(moves))
    f.invalid = expected_invalid(f, facts)
    assert f.invalid == invalid, (f, invalid)
    f.mode = draw(st.sampled_from(["strict", "partial"])) if invalid else "strict"
    return f


def _parse_date(cell: str) -> dt.date | None:
    return dt.date.fromisoformat(cell) if cell else None


def expected_invalid(f: ImportFile, facts: Facts) -> set[int]:
    """Rows of a households file the importer must reject, by the lifecycle: a move TRANSITIONS does not
    allow (or the other population's eliminated status), or a change dated before the last one."""
    if f.kind != "households":
        return set()
    hh = facts.by_file_no()
    out = set()
    for i, (key, values) in enumerate(zip(f.keys, f.values, strict=True)):
        if key[0] not in hh.index or "status" not in values:
            continue
        rec = hh.loc[key[0]]
        to = values["status"]
        if to == rec["status"]:
            continue
        if to not in _allowed_targets(rec["population"], rec["status"]):
            out.add(i)
            continue
        on = _parse_date(f.rows[i].get(HEADER["households"]["status_changed_on"], "")) or values.get(
            "eliminated_on" if to in codes.ELIMINATED_STATUSES else "closed_on") or TODAY
        if rec["last_change"] is not None and on < rec["last_change"]:
            out.add(i)
    return out
