"""Validated sheet + database → what to insert, what to update, what is unchanged, what is rejected.

One planner per kind. Each reads only the database rows the file refers to
(households by file number, their existing records), finds cross-field,
reference and lifecycle problems, matches rows on their natural keys and
splits the valid ones into inserts (new records), updates (records whose
values change) and unchanged rows. Planners never write: the same plan serves
a dry run and an import.

New records get provisional negative ids (households, persons, helpers,
sites), so later sheets of the same workbook can refer to them; the writer
swaps them for real ids.

A blank cell is "not given" for every kind: a matched record keeps its stored
value (`keep_blank`; a reference column left blank keeps the stored reference),
a new record gets the field's default. A new monthly observation must carry at
least one income: all four blank is no information, not an income of 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from sqlalchemy import BindParameter, Connection, Table, bindparam, func, select, text

from safetynet.db import chunks
from safetynet.db.schema import (
    assistance,
    helper,
    household,
    household_month,
    household_status,
    import_batch,
    industry,
    pairing,
    person,
    region,
    region_line,
    relocation_site,
    risk_event,
    union_org,
)
from safetynet.domain import codes, lifecycle
from safetynet.ingest import kinds as K
from safetynet.ingest.validate import Clock, Parsed, RegionSets, duplicates

INSERT, SAME, UPDATE = 1, 2, 3
IN_CHUNK = 900  # bound parameters per IN list on old SQLite builds (< 3.32)
IN_CHUNK_LARGE = 20_000  # newer SQLite (32,766 parameters) and PostgreSQL (65,535)

TABLES: dict[str, Table] = {t.name: t for t in (household, person, household_month, risk_event, assistance, pairing,
                                                 relocation_site, helper, household_status)}


@dataclass
class Plan:
    spec: K.KindSpec
    parsed: Parsed
    outcome: np.ndarray  # per row: 0 rejected / INSERT / SAME / UPDATE
    inserts: pd.DataFrame = field(default_factory=pd.DataFrame)
    updates: pd.DataFrame = field(default_factory=pd.DataFrame)
    update_key: tuple[str, ...] = ()
    extra_inserts: list[tuple[Table, pd.DataFrame]] = field(default_factory=list)  # written before the main table
    after_inserts: list[tuple[Table, pd.DataFrame]] = field(default_factory=list)  # written after it
    affected: set[int] = field(default_factory=set)  # hh_ids to re-score (provisional ids are negative)
    max_month: int | None = None
    # observations only: per household the first and last month written (hh_id, first, last), so that
    # households whose only change is a new latest month can be scored for that month alone
    months_written: pd.DataFrame | None = None

    def counts(self) -> dict[str, int]:
        o = self.outcome
        return {"inserted": int((o == INSERT).sum()), "unchanged": int((o == SAME).sum()),
                "updated": int((o == UPDATE).sum()), "rejected": int((o == 0).sum())}


class Context:
    """What the sheets of one file share: reference sets, households and members known so far, new ids."""

    def __init__(self, conn: Connection, clock: Clock, scope_prefix: str = "", user: str | None = None) -> None:
        self.conn = conn
        self.clock = clock
        self.scope_prefix = scope_prefix
        self.user = user  # the importing user (recorded on records that name their author, such as leads)
        self.regions = dataclasses.replace(load_region_sets(conn), scope_prefix=scope_prefix)
        self._next = {"household": -1, "person": -1, "helper": -1, "relocation_site": -1}
        self.households = pd.DataFrame(columns=["file_no", "hh_id", "population", "status", "adcode",
                                                "identified_on"]).set_index("file_no")
        self.rejected_households: dict[str, int] = {}  # file_no → row of the households sheet that was rejected
        self.households_title = K.HOUSEHOLDS.title
        self.new_persons = pd.DataFrame(columns=["hh_id", "id_number", "person_id"])
        self.new_helpers = pd.DataFrame(columns=["helper_id", "name", "unit", "adcode"])
        self.new_sites = pd.DataFrame(columns=["site_id", "name", "adcode"])

    def provisional(self, table: str, n: int) -> np.ndarray:
        start = self._next[table]
        self._next[table] = start - n
        return np.arange(start, start - n, -1, dtype=np.int64)

    # ------------------------------------------------------------ households by file number
    def resolve_households(self, file_nos: np.ndarray) -> pd.DataFrame:
        """Known households (database and this file) for the given file numbers, indexed by file_no."""
        wanted = pd.unique(pd.Series(file_nos, dtype=object).dropna())
        missing = [f for f in wanted if f not in self.households.index]
        if missing:
            found = read_in(self.conn, select(household.c.file_no, household.c.hh_id, household.c.population,
                                              household.c.status, household.c.adcode, household.c.identified_on),
                            household.c.file_no, missing)
            if not found.empty:
                found = found.set_index("file_no")
                self.households = pd.concat([self.households, found[~found.index.isin(self.households.index)]])
        return self.households

    def hh_ids(self, parsed: Parsed, ok: np.ndarray, unknown_reason: str | None = None) -> np.ndarray:
        """hh_id per row (0 where unknown), with a reference problem for file numbers nobody knows.

        With `unknown_reason`, a file outside the importer's scope is refused in the same words as one that
        does not exist (the reason given), so the report does not tell whether it exists elsewhere."""
        file_no = parsed.values["file_no"]
        encoded = pc.dictionary_encode(parsed.raw["file_no"].arr).combine_chunks()
        codes_ = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        uniques = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
        used = np.zeros(len(uniques), dtype=bool)
        used[codes_[ok]] = True
        known = self.resolve_households(uniques[used])
        ids_u = known["hh_id"].reindex(pd.Index(uniques, dtype=object)).to_numpy(dtype=float)
        ids_u[~used] = np.nan
        if self.scope_prefix:  # households of other regions are invisible to this importer
            adcodes = known["adcode"].reindex(pd.Index(uniques, dtype=object)).astype(object).to_numpy()
            outside = np.array([isinstance(a, str) and not a.startswith(self.scope_prefix) for a in adcodes])
            outside_rows = ok & outside[codes_] & ~np.isnan(ids_u[codes_])
            if outside_rows.any() and unknown_reason is None:
                parsed.problems.add(outside_rows, parsed.header_of("file_no"), "该档案不在您的管辖范围内，不能导入",
                                    parsed.raw["file_no"])
            ids_u[outside] = np.nan
            if unknown_reason is None:
                ok = ok & ~outside_rows
        ids = ids_u[codes_]
        unknown = ok & np.isnan(ids)
        if unknown.any():
            names = pd.Series(file_no[unknown], dtype=object)
            rejected_row = names.map(self.rejected_households)
            reason = np.where(
                rejected_row.notna(),
                "在本文件“" + self.households_title + "”表第" + rejected_row.astype("Int64").astype(str) + "行，但该行未通过校验",
                unknown_reason or "在系统中和本文件中都找不到这个档案编号，请先导入家庭户",
            ).astype(object)
            full = np.full(parsed.n, "", dtype=object)
            full[unknown] = reason
            parsed.problems.add(unknown, parsed.header_of("file_no"), full, parsed.raw["file_no"])
        return np.nan_to_num(ids, nan=0).astype(np.int64)


def read_in(conn: Connection, stmt, column, values: Iterable, chunk: int | None = None) -> pd.DataFrame:
    """`stmt WHERE column IN values`, in chunks (the bound-parameter limit, see db.chunks), as one frame."""
    if chunk is None:
        import sqlite3

        old = conn.dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 32)
        chunk = IN_CHUNK if old else IN_CHUNK_LARGE
    param: BindParameter[Any] = bindparam("vals", expanding=True)
    return chunks.read_in(conn, stmt.where(column.in_(param)), list(values), param="vals", chunk=chunk,
                          reader=_cursor_frame)


def _cursor_frame(conn: Connection, stmt, params: dict[str, Any]) -> pd.DataFrame:
    rows = conn.execute(stmt, params)
    keys = list(rows.keys())
    # the driver's plain tuples, column by column: building a frame from SQLAlchemy Row objects is much slower
    raw = rows.cursor.fetchall() if rows.cursor is not None else []
    rows.close()
    return _columns_frame(raw, keys)


def _columns_frame(raw: Sequence[Sequence[Any]], keys: list[str]) -> pd.DataFrame:
    if not raw:
        return pd.DataFrame({k: pd.Series([], dtype=object) for k in keys})
    data = {}
    for key, col in zip(keys, zip(*raw, strict=True), strict=True):
        arr = np.array(col)
        if arr.dtype.kind in "OUS" and arr.dtype.kind != "O":
            arr = np.array(col, dtype=object)
        data[key] = arr
    return pd.DataFrame(data, copy=False)


_REGION_CACHE: dict[tuple, RegionSets] = {}


def load_region_sets(conn: Connection) -> RegionSets:
    """Region and industry codes (cached per database while the reference tables are unchanged)."""
    stamp = (str(conn.engine.url), *conn.execute(text(
        "SELECT (SELECT COUNT(*) FROM region), (SELECT MAX(adcode) FROM region), (SELECT COUNT(*) FROM industry), "
        "(SELECT MAX(code) FROM industry)")).one())
    cached = _REGION_CACHE.get(stamp)
    if cached is None:
        cached = _REGION_CACHE[stamp] = _load_region_sets(conn)
    return cached


def _load_region_sets(conn: Connection) -> RegionSets:
    rows = conn.execute(select(region.c.adcode, region.c.level, region.c.parent_adcode, region.c.lon, region.c.lat)).all()
    parents = {r[2] for r in rows if r[2]}
    leaves = frozenset(r[0] for r in rows if r[1] == 3 or (r[1] == 2 and r[0] not in parents))
    industries = dict(conn.execute(select(industry.c.code, industry.c.name_zh)).all())
    centroids = {r[0]: (r[3], r[4]) for r in rows if r[3] is not None}
    return RegionSets(frozenset(r[0] for r in rows), leaves, industries, centroids)


# ---------------------------------------------------------------- value helpers
def dates_obj(values: np.ndarray) -> np.ndarray:
    """datetime64[D] → datetime.date objects (None for NaT), as the database writers want."""
    out = np.full(len(values), None, dtype=object)
    ok = ~np.isnat(values)
    out[ok] = values[ok].astype("datetime64[D]").astype(object)
    return out


def to_date64(values: Iterable) -> np.ndarray:
    s = pd.to_datetime(pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object),
                       errors="coerce")
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _as_float(values: Iterable) -> np.ndarray:
    arr = np.asarray(values) if not isinstance(values, pd.Series) else values.to_numpy()
    if arr.dtype.kind in "fiub":
        return arr.astype(float)
    return pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=float)


def _as_bool(values: Iterable) -> np.ndarray:
    s = pd.Series(values, dtype=object)
    out = np.full(len(s), None, dtype=object)
    ok = s.notna().to_numpy()
    out[ok] = s[ok].astype(bool).to_numpy()
    return out


def differs(ftype: str, new: np.ndarray, old: Iterable) -> np.ndarray:
    """Where a file value differs from the stored one (None/NaN equal each other; money to the cent's millionth)."""
    if ftype in ("money", "float", "int", "month"):
        a = np.asarray(new, dtype=float)
        b = _as_float(old)
        both_nan = np.isnan(a) & np.isnan(b)
        close = np.isclose(a, b, rtol=1e-9, atol=1e-6)
        return ~(both_nan | close)
    if ftype == "date":
        a = np.asarray(new, dtype="datetime64[D]")
        b = to_date64(old)
        return ~((np.isnat(a) & np.isnat(b)) | (a == b))
    if ftype == "bool":
        a = pd.Series(new, dtype=object)
        b = pd.Series(_as_bool(old), dtype=object)
        return ~((a.isna() & b.isna()) | (a.astype(str) == b.astype(str))).to_numpy()
    a = pd.Series(new, dtype=object).map(_canon)
    b = pd.Series(list(old), dtype=object).map(_canon)
    a_blank = a.isna() | (a.astype(str) == "")
    b_blank = b.isna() | (b.astype(str) == "")
    return ~((a_blank & b_blank) | (a.astype(str) == b.astype(str))).to_numpy()


def _canon(value: object) -> object:
    """Stored codes come back as 2.0 when a column mixes numbers and NULLs: compare them as '2'."""
    if isinstance(value, float | np.floating):
        return None if value != value else (str(int(value)) if float(value).is_integer() else str(value))
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(int(value))
    return value


def column_values(f: K.Field, values: np.ndarray) -> object:
    """Parsed values in the form the table column takes."""
    if f.type == "date":
        return dates_obj(values)
    if f.type == "int":
        return pd.array(np.where(np.isnan(values), np.nan, values), dtype="Float64").round().astype("Int64")
    if f.type in ("money", "float"):
        return values.astype(float)
    if f.type == "month":
        return values.astype(np.int64)
    return values


def keep_blank(f: K.Field, parsed: Parsed, rows: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """File values where filled, the stored value where the cell is blank (master data: blank = unchanged)."""
    new = parsed.values[f.name][rows]
    blank = parsed.blank[f.name][rows]
    if not blank.any():
        return new
    if f.type == "date":
        return np.where(blank, to_date64(stored), new)
    if f.type in ("money", "float", "int", "month"):
        return np.where(blank, _as_float(stored), new)
    out = np.asarray(new, dtype=object).copy()
    # stored booleans come back as 0/1 on SQLite: as True/False they compare equal to the file's values
    out[blank] = (_as_bool(stored) if f.type == "bool" else np.asarray(stored, dtype=object))[blank]
    return out


def _compare(plan_fields: list[K.Field], parsed: Parsed, rows: np.ndarray, existing: pd.DataFrame,
             keep: bool = False) -> np.ndarray:
    """Rows (positions `rows`, aligned with `existing`) whose present columns differ from the stored record."""
    changed = np.zeros(len(rows), dtype=bool)
    for f in plan_fields:
        stored = existing[f.target].to_numpy()
        new = keep_blank(f, parsed, rows, stored) if keep else parsed.values[f.name][rows]
        changed |= differs(f.type, new, stored)
    return changed


def _frame_kept(parsed: Parsed, rows: np.ndarray, fields: list[K.Field], existing: pd.DataFrame,
                extra: dict[str, object] | None = None) -> pd.DataFrame:
    data = {f.target: column_values(f, keep_blank(f, parsed, rows, existing[f.target].to_numpy())) for f in fields}
    data.update(extra or {})
    return pd.DataFrame(data)


def _present_fields(parsed: Parsed, skip: Iterable[str] = ()) -> list[K.Field]:
    return [f for f in parsed.spec.fields if f.name in parsed.present and f.target and f.name not in skip
            and f.type != "lookup" and f.name not in ("file_no", "person_idcard")]


def _frame(parsed: Parsed, rows: np.ndarray, fields: list[K.Field], extra: dict[str, object] | None = None) -> pd.DataFrame:
    data = {f.target: column_values(f, parsed.values[f.name][rows]) for f in fields}
    data.update(extra or {})
    return pd.DataFrame(data)


def _defaults(spec: K.KindSpec, parsed: Parsed, rows: np.ndarray) -> dict[str, object]:
    """Columns absent from the file get their template defaults on new records."""
    out: dict[str, object] = {}
    for f in spec.fields:
        if f.name in parsed.present or not f.target or f.type == "lookup":
            continue
        if f.default is not None:
            out[f.target] = [f.default] * len(rows) if f.type != "money" else np.full(len(rows), float(f.default))
    return out


def _reject_where(parsed: Parsed, mask: np.ndarray, column: str | None, reason: str | np.ndarray,
                  field_name: str | None = None) -> None:
    values = parsed.raw.get(field_name) if field_name else None
    parsed.problems.add(mask, column, reason, values, quote=values is not None)


def _key_ok(parsed: Parsed, names: Iterable[str]) -> np.ndarray:
    ok = np.ones(parsed.n, dtype=bool)
    bad = parsed.problems.bad
    for name in names:
        if name in parsed.blank:
            ok &= ~parsed.blank[name]
    return ok & ~_cell_bad(parsed, names, bad)


def _cell_bad(parsed: Parsed, names: Iterable[str], bad: np.ndarray) -> np.ndarray:
    """Rows where a key cell itself failed to parse (other problems don't stop duplicate detection)."""
    out = np.zeros(parsed.n, dtype=bool)
    headers = {parsed.header_of(n) for n in names}
    for pos, col in zip(parsed.problems._pos, parsed.problems._col, strict=True):
        hit = np.isin(col, list(headers))
        out[pos[hit]] = True
    return out


def _compare_values(parsed: Parsed, skip: Iterable[str]) -> list[np.ndarray]:
    return [parsed.values[name] for name in sorted(parsed.present) if name not in skip]


def _finish(plan: Plan) -> Plan:
    bad = plan.parsed.problems.bad
    stray = (plan.outcome == 0) & ~bad
    if stray.any():  # never lose a row silently: anything unclassified is rejected with a reason
        plan.parsed.problems.add(stray, None, "无法归类（既不是新增也不是更新），已拒绝；请联系管理员", quote=False)
    plan.outcome[plan.parsed.problems.bad] = 0
    return plan


# ---------------------------------------------------------------- relocation sites
def plan_sites(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    if "people_relocated" in parsed.present and "households_relocated" in parsed.present:
        fewer = v["people_relocated"] < v["households_relocated"]
        _reject_where(parsed, fewer, parsed.header_of("people_relocated"), "搬迁人数少于搬迁户数", "people_relocated")
    adcodes = v["adcode"]
    cent = pd.DataFrame([ctx.regions.centroids.get(a, (np.nan, np.nan)) if a else (np.nan, np.nan) for a in adcodes],
                        columns=["lon", "lat"]) if n else pd.DataFrame(columns=["lon", "lat"])
    far = (np.abs(v["lon"] - cent["lon"].to_numpy(dtype=float)) > 3) | (np.abs(v["lat"] - cent["lat"].to_numpy(dtype=float)) > 3)
    _reject_where(parsed, far & ~np.isnan(cent["lon"].to_numpy(dtype=float)), parsed.header_of("lon"),
                  "经纬度离所填区县超过约300公里，请核对经纬度或区县代码", None)
    ok = _key_ok(parsed, ["name", "adcode"])
    duplicates(parsed, [v["name"], adcodes], ok, _compare_values(parsed, ("name", "adcode")), "安置点名称+区县代码")
    existing = pd.read_sql(select(relocation_site), ctx.conn)
    plan = Plan(K.SITES, parsed, np.zeros(n, dtype=np.int8), update_key=("site_id",))
    valid = np.flatnonzero(~parsed.problems.bad)
    keys = pd.DataFrame({"name": v["name"][valid], "adcode": adcodes[valid], "pos": valid})
    merged = keys.merge(existing, on=["name", "adcode"], how="left", indicator=True)
    merged = merged.drop_duplicates("pos")
    found = (merged["_merge"] == "both").to_numpy()
    fields = _present_fields(parsed)
    new_rows = merged.loc[~found, "pos"].to_numpy()
    old = merged.loc[found]
    changed = _compare(fields, parsed, old["pos"].to_numpy(), old, keep=True) if len(old) else np.zeros(0, dtype=bool)
    plan.outcome[new_rows] = INSERT
    plan.outcome[old["pos"].to_numpy()] = np.where(changed, UPDATE, SAME)
    ids = ctx.provisional("relocation_site", len(new_rows))
    plan.inserts = _frame(parsed, new_rows, fields, {"site_id": ids, **_defaults(K.SITES, parsed, new_rows)})
    upd = old.loc[changed]
    plan.updates = _frame_kept(parsed, upd["pos"].to_numpy(), [f for f in fields if f.name not in ("name", "adcode")],
                               upd, {"site_id": upd["site_id"].to_numpy()})
    ctx.new_sites = pd.concat([ctx.new_sites, pd.DataFrame({"site_id": ids, "name": v["name"][new_rows],
                                                            "adcode": adcodes[new_rows]})], ignore_index=True)
    return _finish(plan)


# ---------------------------------------------------------------- households
def _lookup_names(ctx: Context, parsed: Parsed, name: str, table: Table, id_col: str, adcodes: np.ndarray,
                  extra: pd.DataFrame | None = None) -> np.ndarray:
    """Resolve a name column against a reference table (preferring the household's county when names repeat)."""
    names = parsed.values[name]
    given = pd.notna(pd.Series(names, dtype=object)).to_numpy() & (pd.Series(names, dtype=object).astype(str) != "")
    out = np.full(parsed.n, np.nan)
    if not given.any():
        return out
    ref = read_in(ctx.conn, select(table.c[id_col], table.c.name, table.c.adcode), table.c.name,
                  pd.unique(names[given]))
    if extra is not None and not extra.empty:
        ref = pd.concat([ref, extra[[id_col, "name", "adcode"]]], ignore_index=True)
    rows = pd.DataFrame({"pos": np.flatnonzero(given), "name": names[given], "hh_adcode": adcodes[given]})
    m = rows.merge(ref, on="name", how="left")
    m["local"] = (m["adcode"] == m["hh_adcode"]).astype(int)
    m["n"] = m.groupby("pos")[id_col].transform("count")
    m["n_local"] = m.groupby("pos")["local"].transform("sum")
    chosen = m.loc[m[id_col].notna() & ((m["n"] == 1) | ((m["local"] == 1) & (m["n_local"] == 1)))].drop_duplicates("pos")
    out[chosen["pos"].to_numpy()] = chosen[id_col].to_numpy(dtype=float)
    header = parsed.header_of(name)
    missing = given & np.isnan(out)
    counts = m.drop_duplicates("pos").set_index("pos")["n"].reindex(np.flatnonzero(missing)).fillna(0).to_numpy()
    reason = np.full(parsed.n, "", dtype=object)
    miss_pos = np.flatnonzero(missing)
    reason[miss_pos] = np.where(counts == 0, "在系统中找不到，请先导入或核对名称",
                                "有多个同名记录，无法确定是哪一个（请核对区县）")
    parsed.problems.add(missing, header, reason, parsed.raw[name])
    return out


def plan_households(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    p = parsed.problems
    h = parsed.header_of
    pop = v["population"]
    ok_key = _key_ok(parsed, ["file_no"])
    duplicates(parsed, [v["file_no"]], ok_key, _compare_values(parsed, ("file_no",)), "档案编号")

    db = read_in(ctx.conn, select(household), household.c.file_no, pd.unique(v["file_no"][ok_key]))
    db = db.drop_duplicates("file_no").set_index("file_no")
    exists = pd.Series(v["file_no"], dtype=object).isin(db.index).to_numpy()
    old = db.reindex(pd.Series(v["file_no"], dtype=object))

    def effective(name: str, ftype: str) -> np.ndarray:
        """The value after the import: the file's where given, else the stored one (existing files)."""
        f = K.HOUSEHOLDS.field(name)
        col = f.target or name
        stored: np.ndarray = old[col].to_numpy(dtype=object) if col in old else np.full(n, None, dtype=object)
        if ftype == "date":
            stored = to_date64(stored)
        if name not in parsed.present:
            return stored if ftype != "code" else np.where(pd.isna(stored), None, stored)  # type: ignore[call-overload]  # numpy stubs reject None
        new = v[name]
        blank = parsed.blank[name]
        if ftype == "date":
            return np.where(blank & exists, stored, new)
        out = np.asarray(new, dtype=object).copy()
        keep_old = blank & exists
        out[keep_old] = stored[keep_old]
        return out

    worker = pop == "worker"
    rural = pop == "rural"
    wcat = effective("worker_cat", "code")
    mcat = effective("monitor_cat", "code")
    wcat_given = pd.notna(pd.Series(wcat, dtype=object)).to_numpy()
    mcat_given = pd.notna(pd.Series(mcat, dtype=object)).to_numpy()
    p.add(worker & ~wcat_given, h("worker_cat") if "worker_cat" in parsed.present else "职工类别",
          "对象类型为困难职工时必填（1 深度 / 2 相对 / 3 意外致困）", quote=False)
    p.add(rural & ~mcat_given, h("monitor_cat") if "monitor_cat" in parsed.present else "监测类别",
          "对象类型为防返贫监测户时必填（01 / 02 / 03）", quote=False)
    if "monitor_cat" in parsed.present:
        p.add(worker & ~parsed.blank["monitor_cat"], h("monitor_cat"), "对象类型为困难职工时应为空", parsed.raw["monitor_cat"])
    if "worker_cat" in parsed.present:
        p.add(rural & ~parsed.blank["worker_cat"], h("worker_cat"), "对象类型为防返贫监测户时应为空", parsed.raw["worker_cat"])

    ident = effective("identified_on", "date")
    if "found_on" in parsed.present:
        later = ~np.isnat(v["found_on"]) & ~np.isnat(ident) & (v["found_on"] > ident)
        p.add(later, h("found_on"), "发现日期晚于认定日期", parsed.raw["found_on"])
    for name, message in (("eliminated_on", "消除日期早于认定日期"), ("closed_on", "退档日期早于认定日期")):
        if name in parsed.present:
            earlier = ~np.isnat(v[name]) & ~np.isnat(ident) & (v[name] < ident)
            p.add(earlier, h(name), message, parsed.raw[name])

    # status and the lifecycle
    old_status = old["status"].to_numpy(dtype=object) if "status" in old else np.full(n, None, dtype=object)
    if "status" in parsed.present:
        status = np.where(parsed.blank["status"], np.where(exists, old_status, "在档"), v["status"]).astype(object)
    else:
        status = np.where(exists, old_status, "在档").astype(object)
    eliminated = np.isin(status, codes.ELIMINATED_STATUSES)
    closed = np.isin(status, codes.CLOSED_STATUSES)
    p.add(rural & np.isin(status, ("已解困", "已脱困")), h("status") if "status" in parsed.present else "档案状态",
          "防返贫监测户消除风险后的状态应为“风险消除”", quote=False)
    p.add(worker & (status == "风险消除"), h("status") if "status" in parsed.present else "档案状态",
          "困难职工解困后的状态应为“已解困”（帮扶消除）或“已脱困”（自然消除）", quote=False)
    elim_on = effective("eliminated_on", "date")
    method = effective("elimination_method", "code")
    closed_on = effective("closed_on", "date")
    reason_ = effective("close_reason", "code")
    changing = ~exists | (status != old_status)
    p.add(eliminated & changing & np.isnat(elim_on), "消除日期", "档案状态为消除类状态时必填", quote=False)
    p.add(eliminated & changing & pd.isna(pd.Series(method, dtype=object)).to_numpy(), "消除方式",
          "档案状态为消除类状态时必填（帮扶消除 / 自然消除）", quote=False)
    p.add(closed & changing & np.isnat(closed_on), "退档日期", "档案状态为退档或注销时必填", quote=False)
    p.add(closed & changing & pd.isna(pd.Series(reason_, dtype=object)).to_numpy(), "退档原因",
          "档案状态为退档或注销时必填（死亡 / 退休 / 转出 / 识别不准）", quote=False)
    moves = exists & (status != old_status) & pd.notna(pd.Series(old_status, dtype=object)).to_numpy()
    allowed = np.array([lifecycle.can_transition(a, b) if m else True
                        for a, b, m in zip(old_status, status, moves, strict=True)], dtype=bool) if n else np.zeros(0, bool)
    why = np.array([f"档案状态不能从“{a}”直接变为“{b}”（动态管理流程不允许，允许的变更：{'、'.join(lifecycle.TRANSITIONS.get(a, ()))}）"
                    if not ok_ else "" for a, b, ok_ in zip(old_status, status, allowed, strict=True)], dtype=object)
    p.add(~allowed, h("status") if "status" in parsed.present else "档案状态", why, quote=False)

    # status-change dates and history rows
    today = np.datetime64(ctx.clock.today, "D")
    given_date = v["status_changed_on"] if "status_changed_on" in parsed.present else np.full(n, np.datetime64("NaT"), "datetime64[D]")
    change_date = np.where(~np.isnat(given_date), given_date,
                           np.where(eliminated, elim_on, np.where(closed, closed_on,
                                    np.where(exists, today, ident))))
    history = read_in(ctx.conn, select(household_status.c.hh_id, func.max(household_status.c.changed_on).label("last"))
                      .group_by(household_status.c.hh_id), household_status.c.hh_id,
                      [int(x) for x in old["hh_id"].dropna().unique()]) if exists.any() else pd.DataFrame(columns=["hh_id", "last"])
    last_change = to_date64(pd.Series(old["hh_id"].to_numpy(dtype=float)).map(
        history.set_index("hh_id")["last"] if not history.empty else {}).to_numpy(dtype=object))
    too_early = moves & ~np.isnat(last_change) & ~np.isnat(change_date) & (change_date < last_change)
    p.add(too_early, "状态变更日期", "早于该户最近一次状态变更的日期，状态历史会错乱", quote=False)

    # references
    adcode = effective("adcode", "adcode").astype(object)
    if "site_name" in parsed.present:
        site_ids = _lookup_names(ctx, parsed, "site_name", relocation_site, "site_id", adcode, ctx.new_sites)
    if "org_name" in parsed.present:
        org_ids = _lookup_names(ctx, parsed, "org_name", union_org, "org_id", adcode)

    valid = ~p.bad
    plan = Plan(K.HOUSEHOLDS, parsed, np.zeros(n, dtype=np.int8), update_key=("hh_id",))
    fields = _present_fields(parsed, skip=("status_changed_on",))
    worker_cat_num = pd.to_numeric(pd.Series(wcat, dtype=object), errors="coerce").to_numpy()
    new_rows = np.flatnonzero(valid & ~exists)
    old_rows = np.flatnonzero(valid & exists)
    lookups: dict[str, np.ndarray] = {}
    if "site_name" in parsed.present:
        lookups["site_id"] = site_ids
    if "org_name" in parsed.present:
        lookups["org_id"] = org_ids

    def record(rows: np.ndarray, stored: pd.DataFrame | None = None) -> pd.DataFrame:
        refs = {k: (np.where(np.isnan(a[rows]), _as_float(stored[k].to_numpy()), a[rows]) if stored is not None else a[rows])
                for k, a in lookups.items()}
        refs = {k: pd.array(a, dtype="Float64").astype("Int64") for k, a in refs.items()}
        frame = _frame_kept(parsed, rows, fields, stored, refs) if stored is not None else _frame(parsed, rows, fields, refs)
        frame["status"] = status[rows]
        frame["worker_cat"] = pd.array(np.where(worker[rows], worker_cat_num[rows], np.nan), dtype="Float64").astype("Int64")
        frame["monitor_cat"] = np.where(rural[rows], mcat[rows], None)
        return frame

    # compare existing rows
    if len(old_rows):
        stored = old.iloc[old_rows]
        changed = _compare(fields, parsed, old_rows, stored, keep=True)
        changed |= differs("code", status[old_rows], stored["status"].to_numpy())
        for col, arr in lookups.items():
            kept = np.where(np.isnan(arr[old_rows]), _as_float(stored[col].to_numpy()), arr[old_rows])
            changed |= differs("int", kept, stored[col].to_numpy())
        changed |= differs("int", np.where(worker[old_rows], worker_cat_num[old_rows], np.nan), stored["worker_cat"].to_numpy())
        changed |= differs("code", np.where(rural[old_rows], mcat[old_rows], None),  # type: ignore[call-overload]  # numpy stubs reject None
                           stored["monitor_cat"].to_numpy())
        plan.outcome[old_rows] = np.where(changed, UPDATE, SAME)
        upd_rows = old_rows[changed]
        updates = record(upd_rows, stored.loc[changed] if len(stored) else None)
        updates["hh_id"] = stored["hh_id"].to_numpy()[changed].astype(np.int64)
        plan.updates = updates
        plan.affected.update(int(x) for x in updates["hh_id"])
    plan.outcome[new_rows] = INSERT
    ids = ctx.provisional("household", len(new_rows))
    inserts = record(new_rows)
    inserts["hh_id"] = ids
    inserts["file_no"] = v["file_no"][new_rows]
    for col, value in _defaults(K.HOUSEHOLDS, parsed, new_rows).items():
        if col not in inserts:
            inserts[col] = value
    plan.inserts = inserts
    plan.affected.update(int(x) for x in ids)

    # status history: opening rows for new files, a row per change of an existing one
    rows_hist = []
    if len(new_rows):
        rows_hist.append(pd.DataFrame({"hh_id": ids, "changed_on": dates_obj(ident[new_rows]), "from_status": None,
                                       "to_status": "在档", "method": None, "is_relapse": False,
                                       "note": "导入建档"}))
        more = status[new_rows] != "在档"
        if more.any():
            rows_hist.append(pd.DataFrame({
                "hh_id": ids[more], "changed_on": dates_obj(change_date[new_rows][more]), "from_status": "在档",
                "to_status": status[new_rows][more],
                "method": np.where(eliminated[new_rows][more], method[new_rows][more], None),
                "is_relapse": False, "note": "导入建档"}))
    change_rows = old_rows[(status[old_rows] != old_status[old_rows])]
    if len(change_rows):
        left = last_change[change_rows]
        reopen = (status[change_rows] == "在档") & np.isin(old_status[change_rows], codes.ELIMINATED_STATUSES + codes.CLOSED_STATUSES)
        relapse = np.array([bool(r) and not np.isnat(lft) and not np.isnat(cd) and cd >= lft
                            and lifecycle.is_relapse(lft.astype(object), cd.astype(object))
                            for r, lft, cd in zip(reopen, left, change_date[change_rows], strict=True)], dtype=bool)
        rows_hist.append(pd.DataFrame({
            "hh_id": old["hh_id"].to_numpy()[change_rows].astype(np.int64),
            "changed_on": dates_obj(change_date[change_rows]), "from_status": old_status[change_rows],
            "to_status": status[change_rows],
            "method": np.where(eliminated[change_rows], method[change_rows], None),
            "is_relapse": relapse, "note": "导入变更"}))
    if rows_hist:
        plan.after_inserts.append((household_status, pd.concat(rows_hist, ignore_index=True)))

    # later sheets see these households
    known = pd.DataFrame({"hh_id": np.concatenate([ids, old["hh_id"].to_numpy()[old_rows].astype(np.int64)]),
                          "population": np.concatenate([pop[new_rows], pop[old_rows]]),
                          "status": np.concatenate([status[new_rows], status[old_rows]]),
                          "adcode": np.concatenate([adcode[new_rows], adcode[old_rows]]),
                          "identified_on": np.concatenate([dates_obj(ident[new_rows]), dates_obj(ident[old_rows])])},
                         index=pd.Index(np.concatenate([v["file_no"][new_rows], v["file_no"][old_rows]]), name="file_no"))
    ctx.households = pd.concat([ctx.households[~ctx.households.index.isin(known.index)], known])
    bad = p.bad & ok_key & ~exists
    ctx.rejected_households.update({f: int(r) for f, r in zip(v["file_no"][bad], parsed.sheet.row_numbers[bad], strict=True)})
    return _finish(plan)


# ---------------------------------------------------------------- persons
def plan_persons(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    p = parsed.problems
    h = parsed.header_of
    has_id = "id_number" in parsed.present
    ids = v["id_number"] if has_id else np.full(n, None, dtype=object)
    id_given = pd.notna(pd.Series(ids, dtype=object)).to_numpy()
    id_year = parsed.derived.get("id_number:birth_year", np.full(n, np.nan))
    id_sex = parsed.derived.get("id_number:sex", np.full(n, None, dtype=object))
    id_valid = ~np.isnan(id_year)

    sex = v["sex"].copy() if "sex" in parsed.present else np.full(n, None, dtype=object)
    sex_blank = pd.isna(pd.Series(sex, dtype=object)).to_numpy()
    mismatch = id_valid & ~sex_blank & (sex != id_sex)
    p.add(mismatch, h("sex") if "sex" in parsed.present else "性别",
          ("与身份证号不符（身份证号显示为" + pd.Series(id_sex, dtype=object).astype(str) + "）").to_numpy(dtype=object),
          parsed.raw.get("sex"))
    sex = np.where(sex_blank, id_sex, sex)
    year = v["birth_year"].copy() if "birth_year" in parsed.present else np.full(n, np.nan)
    year_mismatch = id_valid & ~np.isnan(year) & (year != id_year)
    p.add(year_mismatch, h("birth_year") if "birth_year" in parsed.present else "出生年份",
          ("与身份证号不符（身份证号显示为" + pd.Series(id_year).astype("Int64").astype(str) + "年）").to_numpy(dtype=object),
          parsed.raw.get("birth_year"))
    year = np.where(np.isnan(year), id_year, year)
    p.add(pd.isna(pd.Series(sex, dtype=object)).to_numpy() & ~id_given, "性别", "未填写身份证号时必填", quote=False)
    p.add(np.isnan(year) & ~id_given, "出生年份", "未填写身份证号时必填", quote=False)
    if "disability_grade" in parsed.present and "health" in parsed.present:
        p.add(~np.isnan(v["disability_grade"]) & (v["health"] != "残疾") & pd.notna(pd.Series(v["health"])).to_numpy(),
              h("disability_grade"), "填写了残疾等级，但健康状况不是“残疾”", parsed.raw["disability_grade"])

    ok_file = _key_ok(parsed, ["file_no"])
    hh = ctx.hh_ids(parsed, ok_file)
    # duplicates: by ID where given, else by household + name + relation
    with_id = id_given & _key_ok(parsed, ["id_number"])
    duplicates(parsed, [ids], with_id, _compare_values(parsed, ("id_number",)), "身份证号")
    no_id = ~id_given & _key_ok(parsed, ["file_no", "name", "relation"])
    duplicates(parsed, [v["file_no"], v["name"], v["relation"]], no_id,
               _compare_values(parsed, ("file_no", "name", "relation")), "档案编号+姓名+与户主关系")

    valid = ~p.bad & (hh != 0)
    households = sorted({int(x) for x in hh[valid] if x > 0})
    db = (read_in(ctx.conn, select(person), person.c.hh_id, households) if households
          else pd.DataFrame(columns=[c.name for c in person.columns]))
    by_id = (read_in(ctx.conn, select(person.c.person_id, person.c.hh_id, person.c.id_number), person.c.id_number,
                     pd.unique(ids[valid & id_given])) if (valid & id_given).any()
             else pd.DataFrame(columns=["person_id", "hh_id", "id_number"]))

    match = np.full(n, np.nan)
    rows = np.flatnonzero(valid)
    frame = pd.DataFrame({"pos": rows, "hh_id": hh[rows], "id_number": ids[rows], "name": v["name"][rows],
                          "relation": v["relation"][rows]})
    # 1) by ID number
    if not by_id.empty:
        byid = frame.dropna(subset=["id_number"]).merge(by_id, on="id_number", how="inner", suffixes=("", "_db"))
        same = byid.loc[byid["hh_id"] == byid["hh_id_db"]].sort_values("person_id").drop_duplicates("pos")
        match[same["pos"].to_numpy()] = same["person_id"].to_numpy(dtype=float)
        other = byid.loc[~byid["pos"].isin(same["pos"])].drop_duplicates("pos")
        if len(other):
            elsewhere = np.zeros(n, dtype=bool)
            elsewhere[other["pos"].to_numpy()] = True
            where_ = np.full(n, "", dtype=object)
            other_files = other["hh_id_db"].map(_file_nos(ctx, other["hh_id_db"])).fillna("?").astype(str)
            where_[other["pos"].to_numpy()] = (
                "已登记在档案“" + other_files + "”下；同一人不能属于两户，如需转户请先在原档案中处理").to_numpy()
            p.add(elsewhere, h("id_number"), where_, parsed.raw["id_number"])
    # 2) by household + name + relation (stored person without an ID, or rows without an ID)
    rest = frame.loc[np.isnan(match[frame["pos"].to_numpy()]) & ~p.bad[frame["pos"].to_numpy()]]
    if not rest.empty and not db.empty:
        cand = db.loc[:, ["person_id", "hh_id", "name", "relation", "id_number"]].rename(columns={"id_number": "id_db"})
        m = rest.merge(cand, on=["hh_id", "name", "relation"], how="inner")
        m = m.loc[m["id_db"].isna() | (m["id_number"].isna() & m["id_db"].notna()) | (m["id_db"] == m["id_number"])]
        n_match = m.groupby("pos")["person_id"].transform("count")
        single = m.loc[n_match == 1]
        match[single["pos"].to_numpy()] = single["person_id"].to_numpy(dtype=float)
        multi = m.loc[n_match > 1].drop_duplicates("pos")["pos"].to_numpy()
        amb = np.zeros(n, dtype=bool)
        amb[multi] = True
        p.add(amb, h("name"), "该户有多名同名、同关系的成员，无法确定是哪一位；请填写身份证号", quote=False)
    # two rows pointing at one stored person
    matched = ~np.isnan(match) & ~p.bad
    if matched.any():
        s = pd.Series(match[matched], index=np.flatnonzero(matched))
        dup = s.duplicated(keep=False)
        if dup.any():
            first_row = s[dup].groupby(s[dup]).transform(lambda x: parsed.sheet.row_numbers[x.index].min())
            mask = np.zeros(n, dtype=bool)
            mask[s[dup].index.to_numpy()] = True
            why = np.full(n, "", dtype=object)
            why[s[dup].index.to_numpy()] = "与第" + first_row.astype(str).to_numpy() + "行指向同一名已登记成员，请核对"
            p.add(mask, None, why, quote=False)

    valid = ~p.bad & (hh != 0)
    # household size and the single head of household
    new_mask = valid & np.isnan(match)
    existing_count = db.groupby("hh_id").size() if not db.empty else pd.Series(dtype=np.int64)
    new_frame = pd.DataFrame({"pos": np.flatnonzero(new_mask), "hh_id": hh[new_mask],
                              "row": parsed.sheet.row_numbers[new_mask]}).sort_values("row")
    new_frame["rank"] = new_frame.groupby("hh_id").cumcount() + 1
    new_frame["total"] = new_frame["hh_id"].map(existing_count).fillna(0).to_numpy() + new_frame["rank"]
    too_many = new_frame.loc[new_frame["total"] > K.MAX_MEMBERS, "pos"].to_numpy()
    mask = np.zeros(n, dtype=bool)
    mask[too_many] = True
    p.add(mask, None, f"该户成员将超过{K.MAX_MEMBERS}人，不合常理，请核对是否重复或归户错误", quote=False)
    valid = ~p.bad & (hh != 0)
    if "relation" in parsed.present:
        heads_db = db.loc[db["relation"] == "01", ["person_id", "hh_id"]] if not db.empty else pd.DataFrame(columns=["person_id", "hh_id"])
        touched = set(match[valid & ~np.isnan(match)].astype(np.int64).tolist())
        still = heads_db.loc[~heads_db["person_id"].isin(touched)]
        file_heads = pd.DataFrame({"pos": np.flatnonzero(valid & (v["relation"] == "01")),
                                   "hh_id": hh[valid & (v["relation"] == "01")]})
        count = file_heads.groupby("hh_id").size().add(still.groupby("hh_id").size(), fill_value=0)
        over = file_heads.loc[file_heads["hh_id"].map(count).to_numpy() > 1, "pos"].to_numpy()
        mask = np.zeros(n, dtype=bool)
        mask[over] = True
        p.add(mask, h("relation"), "该户将有不止一名户主，户主只能有一人", parsed.raw["relation"])

    valid = ~p.bad & (hh != 0)
    plan = Plan(K.PERSONS, parsed, np.zeros(n, dtype=np.int8), update_key=("person_id",))
    fields = _present_fields(parsed, skip=("sex", "birth_year"))
    derived_cols = {"sex": sex, "birth_year": year}
    old_rows = np.flatnonzero(valid & ~np.isnan(match))
    new_rows = np.flatnonzero(valid & np.isnan(match))
    if len(old_rows):
        stored = db.set_index("person_id").reindex(match[old_rows].astype(np.int64)).reset_index()
        changed = _compare(fields, parsed, old_rows, stored, keep=True)
        if "sex" in parsed.present or has_id:
            changed |= differs("code", sex[old_rows], stored["sex"].to_numpy())
        if "birth_year" in parsed.present or has_id:
            changed |= differs("int", year[old_rows], stored["birth_year"].to_numpy())
        plan.outcome[old_rows] = np.where(changed, UPDATE, SAME)
        up = old_rows[changed]
        updates = _frame_kept(parsed, up, fields, stored.loc[changed])
        if "sex" in parsed.present or has_id:
            updates["sex"] = sex[up]
        if "birth_year" in parsed.present or has_id:
            updates["birth_year"] = pd.array(year[up], dtype="Float64").astype("Int64")
        updates["hh_id"] = hh[up]
        updates["person_id"] = match[up].astype(np.int64)
        plan.updates = updates
        plan.affected.update(int(x) for x in hh[up])
    plan.outcome[new_rows] = INSERT
    pid = ctx.provisional("person", len(new_rows))
    inserts = _frame(parsed, new_rows, fields, _defaults(K.PERSONS, parsed, new_rows))
    inserts["sex"] = derived_cols["sex"][new_rows]
    inserts["birth_year"] = pd.array(year[new_rows], dtype="Float64").astype("Int64")
    inserts["hh_id"] = hh[new_rows]
    inserts["person_id"] = pid
    plan.inserts = inserts
    plan.affected.update(int(x) for x in hh[new_rows])
    ctx.new_persons = pd.concat([ctx.new_persons, pd.DataFrame({
        "hh_id": np.concatenate([hh[new_rows], hh[old_rows]]),
        "id_number": np.concatenate([ids[new_rows], ids[old_rows]]),
        "person_id": np.concatenate([pid, match[old_rows].astype(np.int64)])})], ignore_index=True)
    return _finish(plan)


def _file_nos(ctx: Context, hh_ids: pd.Series) -> dict[int, str]:
    ids = [int(x) for x in pd.unique(hh_ids)]
    found = read_in(ctx.conn, select(household.c.hh_id, household.c.file_no), household.c.hh_id, ids)
    return dict(zip(found["hh_id"], found["file_no"], strict=True))


# ---------------------------------------------------------------- monthly observations
def plan_observations(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    ok = _key_ok(parsed, ["file_no", "month"])
    duplicates(parsed, [parsed.raw["file_no"], v["month"]], ok, _compare_values(parsed, ("file_no", "month")), "档案编号+月份")
    _reject_months_without_lines(ctx, parsed)
    hh = ctx.hh_ids(parsed, ok & ~parsed.problems.bad)
    valid = ~parsed.problems.bad & (hh != 0)
    plan = Plan(K.OBSERVATIONS, parsed, np.zeros(n, dtype=np.int8), update_key=("hh_id", "month"))
    fields = _present_fields(parsed, skip=("month",))
    rows = np.flatnonzero(valid)
    month = v["month"].astype(np.int64)
    key = hh[rows] * 1_000_000 + month[rows]
    households = np.unique(hh[rows][hh[rows] > 0]).tolist()
    # 1) which (household, month) pairs exist: keys only, restricted to the file's months
    existing_keys = _observation_keys(ctx.conn, households, month[rows])
    found = pd.Index(existing_keys).get_indexer(key) if len(existing_keys) else np.full(len(rows), -1)
    is_old = found >= 0
    old_rows = rows[is_old]
    new_rows = rows[~is_old]
    if len(old_rows):
        # 2) stored values only for the rows that match
        cols = [household_month.c.hh_id, household_month.c.month] + [
            household_month.c[cast(str, f.target)] for f in fields]  # _present_fields: each has a target
        old_hh = np.unique(hh[old_rows]).tolist()
        stmt = select(*cols)
        months_old = np.unique(month[old_rows])
        stmt = stmt.where(household_month.c.month.between(int(months_old.min()), int(months_old.max())))
        existing = read_in(ctx.conn, stmt, household_month.c.hh_id, old_hh)
        ekey = existing["hh_id"].to_numpy(dtype=np.int64) * 1_000_000 + existing["month"].to_numpy(dtype=np.int64)
        where = pd.Index(ekey).get_indexer(key[is_old])
        stored = existing.iloc[where].reset_index(drop=True)
        changed = _compare(fields, parsed, old_rows, stored, keep=True)
        plan.outcome[old_rows] = np.where(changed, UPDATE, SAME)
        up = old_rows[changed]
        plan.updates = _frame_kept(parsed, up, fields, stored.loc[changed].reset_index(drop=True),
                                   {"hh_id": hh[up], "month": month[up]})
        plan.affected.update(np.unique(hh[up]).tolist())
    new_rows = new_rows[~_no_income(parsed, new_rows)]
    plan.outcome[new_rows] = INSERT
    order = np.lexsort((month[new_rows], hh[new_rows]))  # primary-key order: appends stay local in the B-tree
    new_rows = new_rows[order]
    plan.inserts = _frame(parsed, new_rows, fields, {"hh_id": hh[new_rows], "month": month[new_rows],
                                                      **_defaults(K.OBSERVATIONS, parsed, new_rows)})
    plan.affected.update(np.unique(hh[new_rows]).tolist())
    written = np.concatenate([new_rows, old_rows[plan.outcome[old_rows] == UPDATE]]) if len(old_rows) else new_rows
    plan.max_month = int(month[written].max()) if len(written) else None
    plan.months_written = (pd.DataFrame({"hh_id": hh[written], "month": month[written]})
                           .groupby("hh_id")["month"].agg(["min", "max"]).reset_index())
    return _finish(plan)


def _no_income(parsed: Parsed, rows: np.ndarray) -> np.ndarray:
    """New observation rows without any income figure, rejected (so that 0 is only ever an income someone wrote)."""
    given = [name for name in K.INCOMES if name in parsed.present]
    names = "、".join(K.OBSERVATIONS.field(name).header for name in K.INCOMES)
    if given:
        silent = np.logical_and.reduce([parsed.blank[name][rows] for name in given])
        reason = f"四项收入（{names}）都是空白，这一行没有任何收入信息；本月确实没有收入时请填写 0"
        column = parsed.header_of(given[0])
    else:
        silent = np.ones(len(rows), dtype=bool)
        reason = f"文件中没有收入列（{names}），新的月度记录没有任何收入信息；请加上收入列，本月确实没有收入时填写 0"
        column = K.OBSERVATIONS.field(K.INCOMES[0]).header
    parsed.problems.add(rows[silent], column, reason, quote=False)
    return silent


def _reject_months_without_lines(ctx: Context, parsed: Parsed) -> None:
    """A month before the earliest year of the national lines cannot be scored (no 低保 or monitoring line
    applies): the row is rejected instead of failing the whole import at re-scoring."""
    earliest = ctx.conn.execute(select(func.min(region_line.c.year)).where(region_line.c.adcode == "000000")).scalar()
    month = parsed.values["month"].astype(np.int64)
    early = (month > 0) & (month // 100 < (earliest or 0))
    parsed.problems.add(early, parsed.header_of("month"),
                        f"早于系统中最早的标准年份（{earliest}年），该月无法评分；请先在标准表中补充该年的低保和监测标准",
                        parsed.raw["month"])


# ---------------------------------------------------------------- member references (events, assistance)
def _observation_keys(conn: Connection, households: list[int], months: np.ndarray) -> np.ndarray:
    """hh_id × 1,000,000 + month of the stored observations of `households` in the file's months."""
    if not households or not len(months):
        return np.zeros(0, dtype=np.int64)
    distinct = np.unique(months)
    stmt = select(household_month.c.hh_id, household_month.c.month)
    if len(distinct) <= 24:
        stmt = stmt.where(household_month.c.month.in_([int(m) for m in distinct]))
    else:
        stmt = stmt.where(household_month.c.month.between(int(distinct.min()), int(distinct.max())))
    keys = read_in(conn, stmt, household_month.c.hh_id, households)
    if keys.empty:
        return np.zeros(0, dtype=np.int64)
    return keys["hh_id"].to_numpy(dtype=np.int64) * 1_000_000 + keys["month"].to_numpy(dtype=np.int64)


def _member_ids(ctx: Context, parsed: Parsed, hh: np.ndarray, name: str) -> np.ndarray:
    """person_id for an ID-number column, which must name a member of the row's household."""
    out = np.full(parsed.n, np.nan)
    if name not in parsed.present:
        return out
    ids = parsed.values[name]
    given = pd.notna(pd.Series(ids, dtype=object)).to_numpy() & ~parsed.problems.bad & (hh != 0)
    if not given.any():
        return out
    db = read_in(ctx.conn, select(person.c.person_id, person.c.hh_id, person.c.id_number), person.c.id_number,
                 pd.unique(ids[given]))
    ref = pd.concat([db, ctx.new_persons.dropna(subset=["id_number"])], ignore_index=True).drop_duplicates(["hh_id", "id_number"])
    rows = pd.DataFrame({"pos": np.flatnonzero(given), "hh_id": hh[given], "id_number": ids[given]})
    m = rows.merge(ref, on=["hh_id", "id_number"], how="left").drop_duplicates("pos")
    out[m["pos"].to_numpy()] = m["person_id"].to_numpy(dtype=float)
    missing = given & np.isnan(out)
    parsed.problems.add(missing, parsed.header_of(name), "不是该户已登记的成员，请先导入家庭成员", parsed.raw[name])
    return out


def _plan_child(ctx: Context, parsed: Parsed, table: Table, id_col: str, key: tuple[str, ...], label: str,
                resolve=None) -> Plan:
    """Events and assistance: household-level records matched on (household, key fields)."""
    n = parsed.n
    v = parsed.values
    ok = _key_ok(parsed, ("file_no",) + key)
    duplicates(parsed, [v["file_no"]] + [v[k] for k in key], ok, _compare_values(parsed, ("file_no",) + key), label)
    hh = ctx.hh_ids(parsed, ok & ~parsed.problems.bad)
    person_ids = _member_ids(ctx, parsed, hh, "person_idcard")
    lookups = resolve(hh) if resolve else {}
    valid = ~parsed.problems.bad & (hh != 0)
    spec = parsed.spec
    plan = Plan(spec, parsed, np.zeros(n, dtype=np.int8), update_key=(id_col,))
    fields = _present_fields(parsed)
    refs: dict[str, np.ndarray] = dict(lookups)
    if "person_idcard" in parsed.present:
        refs["person_id"] = person_ids
    rows = np.flatnonzero(valid)
    households = np.unique(hh[rows][hh[rows] > 0]).tolist()
    stored = read_in(ctx.conn, select(table), table.c.hh_id, households) if households else pd.DataFrame(
        columns=[c.name for c in table.columns])
    probe = pd.DataFrame({"pos": rows, "hh_id": hh[rows]})
    key_fields = [spec.field(k) for k in key]
    for f in key_fields:
        probe[f.target] = _key_repr(f, v[f.name][rows])
    if not stored.empty:
        st = stored.copy()
        for f in key_fields:
            st[f.target] = _key_repr(f, st[f.target].to_numpy())
        st = st.sort_values(id_col).drop_duplicates(["hh_id", *[f.target for f in key_fields]])
        m = probe.merge(st, on=["hh_id", *[f.target for f in key_fields]], how="left", suffixes=("", "_db"))
    else:
        m = probe.assign(**{id_col: np.nan})
    found = m[id_col].notna().to_numpy()
    old_rows = rows[found]
    new_rows = rows[~found]
    if len(old_rows):
        st_rows = stored.set_index(id_col).reindex(m.loc[found, id_col].astype(np.int64)).reset_index()
        other_fields = [f for f in fields if f.name not in key]
        changed = _compare(other_fields, parsed, old_rows, st_rows, keep=True)
        kept_refs = {}  # a blank reference cell (no member, no helper named) keeps the stored reference
        for col, arr in refs.items():
            stored_ref = _as_float(st_rows[col].to_numpy())
            kept_refs[col] = np.where(np.isnan(arr[old_rows]), stored_ref, arr[old_rows])
            changed |= differs("int", kept_refs[col], stored_ref)
        plan.outcome[old_rows] = np.where(changed, UPDATE, SAME)
        up = old_rows[changed]
        upd = _frame_kept(parsed, up, other_fields, st_rows.loc[changed].reset_index(drop=True))
        for col, kept in kept_refs.items():
            upd[col] = pd.array(kept[changed], dtype="Float64").astype("Int64")
        upd[id_col] = st_rows[id_col].to_numpy()[changed].astype(np.int64)
        upd["hh_id"] = hh[up]
        plan.updates = upd
        plan.affected.update(int(x) for x in hh[up])
    plan.outcome[new_rows] = INSERT
    ins = _frame(parsed, new_rows, fields, {"hh_id": hh[new_rows], **_defaults(spec, parsed, new_rows)})
    for col, arr in refs.items():
        ins[col] = pd.array(arr[new_rows], dtype="Float64").astype("Int64")
    plan.inserts = ins
    plan.affected.update(int(x) for x in hh[new_rows])
    return _finish(plan)


def _key_repr(f: K.Field, values: np.ndarray) -> np.ndarray:
    """Key values in one comparable form (dates as ISO text, money to the cent)."""
    if f.type == "date":
        d = to_date64(values) if np.asarray(values).dtype.kind != "M" else np.asarray(values, dtype="datetime64[D]")
        return np.datetime_as_string(d, unit="D").astype(object)
    if f.type in ("money", "float"):
        return np.round(np.asarray(_as_float(values), dtype=float), 2)
    return np.asarray(values, dtype=object)


def plan_events(ctx: Context, parsed: Parsed) -> Plan:
    return _plan_child(ctx, parsed, risk_event, "event_id", ("risk_type", "occurred_on"), "档案编号+风险类型+发生日期")


def plan_assistance(ctx: Context, parsed: Parsed) -> Plan:
    def resolve(hh: np.ndarray) -> dict[str, np.ndarray]:
        if "helper_name" not in parsed.present:
            return {}
        adcodes = _hh_attr(ctx, hh, "adcode")
        return {"helper_id": _lookup_names(ctx, parsed, "helper_name", helper, "helper_id", adcodes, ctx.new_helpers)}

    return _plan_child(ctx, parsed, assistance, "aid_id", ("aid_type", "delivered_on", "amount"),
                       "档案编号+帮扶类型+帮扶日期+金额", resolve)


def _hh_attr(ctx: Context, hh: np.ndarray, col: str) -> np.ndarray:
    table = ctx.households.reset_index().drop_duplicates("hh_id").set_index("hh_id")[col]
    return pd.Series(hh).map(table).to_numpy(dtype=object)


# ---------------------------------------------------------------- pairings
def plan_pairings(ctx: Context, parsed: Parsed) -> Plan:
    n = parsed.n
    v = parsed.values
    p = parsed.problems
    unit = v["helper_unit"] if "helper_unit" in parsed.present else np.full(n, None, dtype=object)
    unit_key = pd.Series(unit, dtype=object).fillna("").astype(str).to_numpy(dtype=object)
    if "end_on" in parsed.present:
        p.add(~np.isnat(v["end_on"]) & ~np.isnat(v["start_on"]) & (v["end_on"] < v["start_on"]), parsed.header_of("end_on"),
              "结束日期早于开始日期", parsed.raw["end_on"])
    ok = _key_ok(parsed, ("file_no", "helper_name", "start_on"))
    duplicates(parsed, [v["file_no"], v["helper_name"], unit_key, v["start_on"]], ok,
               _compare_values(parsed, ("file_no", "helper_name", "helper_unit", "start_on")), "档案编号+责任人+开始日期")
    hh = ctx.hh_ids(parsed, ok & ~p.bad)
    valid = ~p.bad & (hh != 0)
    rows = np.flatnonzero(valid)
    adcodes = _hh_attr(ctx, hh, "adcode")
    # helpers: existing by (name, unit), preferring the household's county; new ones registered once
    names = pd.unique(v["helper_name"][rows]) if len(rows) else []
    known = read_in(ctx.conn, select(helper.c.helper_id, helper.c.name, helper.c.unit, helper.c.adcode), helper.c.name,
                    names) if len(names) else pd.DataFrame(columns=["helper_id", "name", "unit", "adcode"])
    known = pd.concat([known, ctx.new_helpers], ignore_index=True)
    known["unit_key"] = known["unit"].fillna("").astype(str)
    probe = pd.DataFrame({"pos": rows, "name": v["helper_name"][rows], "unit_key": unit_key[rows], "hh_adcode": adcodes[rows]})
    m = probe.merge(known, on=["name", "unit_key"], how="left")
    m["local"] = (m["adcode"] == m["hh_adcode"]).astype(int)
    m = m.sort_values(["pos", "local", "helper_id"], ascending=[True, False, True]).drop_duplicates("pos")
    helper_id = np.full(n, np.nan)
    helper_id[m["pos"].to_numpy()] = m["helper_id"].to_numpy(dtype=float)
    need = rows[np.isnan(helper_id[rows])]
    new_helpers = pd.DataFrame(columns=["helper_id", "name", "helper_kind", "unit", "phone", "adcode"])
    if len(need):
        cand = pd.DataFrame({"pos": need, "name": v["helper_name"][need], "unit_key": unit_key[need],
                             "unit": unit[need], "adcode": adcodes[need],
                             "helper_kind": v["helper_kind"][need] if "helper_kind" in parsed.present else "个人",
                             "phone": v["helper_phone"][need] if "helper_phone" in parsed.present else None})
        first = cand.drop_duplicates(["name", "unit_key"]).copy()
        first["helper_id"] = ctx.provisional("helper", len(first))
        lookup = cand.merge(first[["name", "unit_key", "helper_id"]], on=["name", "unit_key"])
        helper_id[lookup["pos"].to_numpy()] = lookup["helper_id"].to_numpy(dtype=float)
        new_helpers = first[["helper_id", "name", "helper_kind", "unit", "phone", "adcode"]].reset_index(drop=True)
        new_helpers["helper_kind"] = new_helpers["helper_kind"].fillna("个人")
        ctx.new_helpers = pd.concat([ctx.new_helpers, new_helpers[["helper_id", "name", "unit", "adcode"]]], ignore_index=True)
    plan = Plan(K.PAIRINGS, parsed, np.zeros(n, dtype=np.int8), update_key=("pairing_id",))
    households = np.unique(hh[rows][hh[rows] > 0]).tolist()
    stored = read_in(ctx.conn, select(pairing), pairing.c.hh_id, households) if households else pd.DataFrame(
        columns=[c.name for c in pairing.columns])
    probe = pd.DataFrame({"pos": rows, "hh_id": hh[rows], "helper_id": helper_id[rows],
                          "start": np.datetime_as_string(v["start_on"][rows], unit="D").astype(object)})
    if not stored.empty:
        st = stored.assign(start=np.datetime_as_string(to_date64(stored["start_on"]), unit="D").astype(object),
                           helper_id=stored["helper_id"].astype(float))
        st = st.sort_values("pairing_id").drop_duplicates(["hh_id", "helper_id", "start"])
        m = probe.merge(st, on=["hh_id", "helper_id", "start"], how="left")
    else:
        m = probe.assign(pairing_id=np.nan, end_on=None)
    found = m["pairing_id"].notna().to_numpy()
    old_rows, new_rows = rows[found], rows[~found]
    if len(old_rows):
        changed = np.zeros(len(old_rows), dtype=bool)
        if "end_on" in parsed.present:
            stored_end = m.loc[found, "end_on"].to_numpy()
            end_on = keep_blank(K.PAIRINGS.field("end_on"), parsed, old_rows, stored_end)
            changed = differs("date", end_on, stored_end)
        plan.outcome[old_rows] = np.where(changed, UPDATE, SAME)
        up = old_rows[changed]
        plan.updates = pd.DataFrame({"end_on": dates_obj(end_on[changed]) if "end_on" in parsed.present else [],
                                     "pairing_id": m.loc[found, "pairing_id"].to_numpy()[changed].astype(np.int64),
                                     "hh_id": hh[up]})
        plan.affected.update(int(x) for x in hh[up])
    plan.outcome[new_rows] = INSERT
    plan.inserts = pd.DataFrame({
        "hh_id": hh[new_rows], "helper_id": helper_id[new_rows].astype(np.int64),
        "start_on": dates_obj(v["start_on"][new_rows]),
        "end_on": dates_obj(v["end_on"][new_rows]) if "end_on" in parsed.present else None,
    })
    plan.affected.update(int(x) for x in hh[new_rows])
    used = set(helper_id[new_rows].astype(np.int64).tolist())
    new_helpers = new_helpers.loc[new_helpers["helper_id"].isin(used)] if len(new_helpers) else new_helpers
    if len(new_helpers):
        plan.extra_inserts.append((helper, new_helpers))
    return _finish(plan)


PLANNERS = {
    "sites": plan_sites, "households": plan_households, "persons": plan_persons, "observations": plan_observations,
    "events": plan_events, "assistance": plan_assistance, "pairings": plan_pairings,
}


def previous_batches(conn: Connection, file_hash: str) -> list[dict]:
    rows = conn.execute(select(import_batch.c.batch_id, import_batch.c.kind, import_batch.c.finished_at,
                               import_batch.c.status).where(import_batch.c.file_hash == file_hash)
                        .order_by(import_batch.c.batch_id)).mappings().all()
    return [dict(r) for r in rows]

