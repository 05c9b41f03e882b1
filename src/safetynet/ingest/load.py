"""The import: file → validated plan → one transaction of bulk writes, a batch record, rescoring.

Accounting (every batch, every mode):

    rows_read = rows_accepted + rows_updated + rows_rejected

* rows_read — data rows in the sheet: below the header, without the template's
  notes row, title rows above the header and fully blank rows.
* rows_accepted — valid rows that were inserted as new records **or** were
  identical to the stored record (unchanged); the split is in `message` and in
  the result (`inserted`, `unchanged`).
* rows_updated — valid rows that changed a stored record.
* rows_rejected — rows with at least one problem (each problem is one
  `import_reject` row: row number, column, value, reason). In strict mode a
  file with any problem writes no data: every row counts as rejected
  (rows_rejected = rows_read) while `import_reject` lists the rows that had
  problems, and the batch status is `rejected`.

Modes: `strict` (default) writes all rows or none; `partial` writes the valid
rows and keeps every rejected row in `import_reject`. A dry run validates and
classifies exactly like an import but writes nothing at all (no batch row).
File-level problems raise `FileError` and write nothing. A database failure
rolls everything back and leaves one `failed` batch row saying why.

After writing, in the same transaction: the affected households are re-scored
(`rescore_households`, roll-ups adjusted by deltas), `data_version` is bumped
and an `import` audit row is written. Re-importing the same file changes
nothing: every row is unchanged, so the version is not bumped (dashboards keep
their caches). Households whose only change is observations of a month later than any
stored before are scored for that month alone (`pipeline.month.rescore_month`,
from its 15-month window); all others are re-scored over their whole history.
A new latest month moves `data_version.latest_month` in the same transaction.
`full_rescore=True` also rebuilds everything after the commit.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Column, Connection, Engine, MetaData, Table, func, insert, select, text, update

from safetynet import audit
from safetynet.auth import scope_prefix
from safetynet.db import bulk, health, locks, version
from safetynet.db.errors import WriteRefused
from safetynet.db.schema import household_month, import_batch, import_reject
from safetynet.ingest import kinds as K
from safetynet.ingest import plan as P
from safetynet.ingest import plan_casework
from safetynet.ingest import reader as R
from safetynet.ingest.validate import Clock, parse_sheet
from safetynet.pipeline import refresh

Progress = Callable[[float, str], None]
MODES = ("strict", "partial")
PLANNERS = {**P.PLANNERS, **plan_casework.PLANNERS}
TABLES = {**P.TABLES, **plan_casework.TABLES}


class ImportFailed(RuntimeError):
    """The database refused the write; everything was rolled back (a `failed` batch row says why)."""


@dataclass
class SheetResult:
    kind: str
    title: str
    sheet: str | None
    header_row: int
    rows_read: int
    inserted: int = 0
    unchanged: int = 0
    updated: int = 0
    rejected: int = 0
    problem_rows: int = 0  # rows with at least one problem
    batch_id: int | None = None
    status: str = "dry-run"
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)  # row_number, column_name, value, reason
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # recognised columns (Chinese headers)

    @property
    def accepted(self) -> int:
        return self.inserted + self.unchanged

    def as_dict(self) -> dict:
        return {"kind": self.kind, "title": self.title, "sheet": self.sheet, "batch_id": self.batch_id,
                "status": self.status, "rows_read": self.rows_read, "rows_accepted": self.accepted,
                "rows_updated": self.updated, "rows_rejected": self.rejected, "inserted": self.inserted,
                "unchanged": self.unchanged, "problem_rows": self.problem_rows, "header_row": self.header_row,
                "columns": self.columns, "warnings": self.warnings}


@dataclass
class ImportResult:
    file_name: str
    file_hash: str
    file_format: str
    mode: str
    dry_run: bool
    status: str  # done / rejected / dry-run
    sheets: list[SheetResult]
    households_rescored: int = 0
    full_rescore: bool = False
    data_version: int | None = None  # after the import; None when not bumped
    previous_batches: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    @property
    def kept_nothing(self) -> bool:
        """A partial import whose every row was refused: done, yet nothing in it was imported."""
        return self.status == "done" and all(s.accepted + s.updated == 0 for s in self.sheets) and self.rejected > 0

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sheets)

    @property
    def problem_rows(self) -> int:
        return sum(s.problem_rows for s in self.sheets)

    @property
    def changed(self) -> int:
        return sum(s.inserted + s.updated for s in self.sheets)

    @property
    def batch_ids(self) -> list[int]:
        return [s.batch_id for s in self.sheets if s.batch_id is not None]

    def rejects(self) -> pd.DataFrame:
        """Every problem of every sheet, with a 工作表 column when the file had several."""
        frames = []
        for s in self.sheets:
            if s.rejects.empty:
                continue
            f = s.rejects.copy()
            f.insert(0, "sheet", s.sheet or s.title)
            frames.append(f.astype({"column_name": object, "value": object, "reason": object}))
        if not frames:
            return pd.DataFrame(columns=["sheet", "row_number", "column_name", "value", "reason"])
        out = pd.concat(frames, ignore_index=True)
        for col in ("column_name", "value"):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
        return out

    def summary(self) -> str:
        """One Chinese sentence per sheet, as the CLI and the screen say it."""
        parts = []
        for s in self.sheets:
            verb = {"dry-run": "试导入", "done": "已导入", "rejected": "未导入"}.get(s.status, s.status)
            if s.status == "done" and s.rejected:  # partial mode: say what went in ("拒绝 3（已导入）" read as imported)
                verb = "其余行已导入" if s.accepted + s.updated else "没有可导入的行，未写入任何内容"
            text = (f"{s.title}：读取 {s.rows_read} 行，新增 {s.inserted}，未变 {s.unchanged}，"
                    f"更新 {s.updated}，拒绝 {s.rejected}（{verb}）")
            if s.status == "rejected" and s.problem_rows:
                text += f"；{s.problem_rows} 行有错误，严格模式下全部未导入"
            elif s.status == "rejected":
                text += "；因同一文件其他工作表有错误，严格模式下全部未导入"
            parts.append(text)
        return "；".join(parts)

    def as_dict(self) -> dict:
        return {"file_name": self.file_name, "file_hash": self.file_hash, "format": self.file_format,
                "mode": self.mode, "dry_run": self.dry_run, "status": self.status, "batch_ids": self.batch_ids,
                "rows_read": self.rows_read, "rows_rejected": self.rejected, "problem_rows": self.problem_rows,
                "households_rescored": self.households_rescored, "full_rescore": self.full_rescore,
                "data_version": self.data_version, "previously_imported": self.previous_batches,
                "sheets": [s.as_dict() for s in self.sheets], "timings": self.timings, "message": self.summary()}


# ---------------------------------------------------------------- choosing sheets and columns
@dataclass
class Selection:
    ref: R.SheetRef
    spec: K.KindSpec
    header_index: int
    mapping: dict[int, str]  # column index → field name
    warnings: list[str]


def map_columns(header: list[str], spec: K.KindSpec, where: str,
                strict: bool = True) -> tuple[dict[int, str], list[str], list[str]]:
    """(column index → field, missing required headers, ignored headers); FileError for a column given twice."""
    index = K.header_index(spec)
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    ignored = []
    for i, cell in enumerate(header):
        if not str(cell).strip():
            continue
        key = R.header_key(cell)
        name = index.get(key)
        if name is None:
            ignored.append(str(cell).strip())
            continue
        if name in seen:
            if not strict:
                continue
            raise R.FileError(f"{where}的列“{header[seen[name]]}”和“{cell}”都是“{spec.field(name).header}”，"
                              "请删去其中一列", "duplicate_column")
        seen[name] = i
        mapping[i] = name
    missing = [f.header for f in spec.required if f.name not in seen]
    return mapping, missing, ignored


def _detect(header: list[str]) -> tuple[list[K.KindSpec], K.KindSpec | None, list[str]]:
    """Kinds whose required columns are all present (best first), and the closest kind otherwise."""
    scored = []
    for spec in K.KINDS.values():
        mapping, missing, _ignored = map_columns(header, spec, "", strict=False)
        scored.append((spec, len(mapping), missing))
    complete = sorted([(n, s) for s, n, miss in scored if not miss], key=lambda x: -x[0])
    best = [s for n, s in complete if n == complete[0][0]] if complete else []
    # the closest: most columns recognised net of those missing; on a tie the kind missing fewer (a lone 姓名
    # column is no more a department lead, with three required columns absent, than anything else)
    closest = max(scored, key=lambda x: (x[1] - len(x[2]), -len(x[2]), x[1]))
    return best, (closest[0] if closest[1] else None), closest[2]


def _is_notes_sheet(name: str | None) -> bool:
    return bool(name) and K.normalize_header(name) in {K.normalize_header(n) for n in R.NOTES_SHEETS}


def select_sheets(source: R.Source, kind: str | None) -> list[Selection]:
    """Which sheet(s) hold which kind; one clear FileError when none fits."""
    spec = K.resolve_kind(kind) if kind else None
    candidates = [r for r in source.sheets if not _is_notes_sheet(r.name)] or source.sheets
    if spec is not None:
        return [_select_for_kind(source, candidates, spec)]
    chosen: list[Selection] = []
    skipped, near = [], []
    for ref in candidates:
        header_index = R.find_header_row(ref.peek)
        header = ref.peek[header_index] if ref.peek else []
        best, closest, missing = _detect(header)
        where = f"工作表“{ref.name}”" if ref.name else "文件"
        if len(best) > 1:
            raise R.FileError(f"无法判断{where}的数据类型：表头同时符合“{best[0].title}”和“{best[1].title}”；"
                              f"请指定数据类型（--kind {best[0].kind} 或 {best[1].kind}）", "ambiguous_kind")
        if best:
            mapping, _missing, ignored = map_columns(header, best[0], where)
            chosen.append(Selection(ref, best[0], header_index, mapping, _ignored_warning(ignored, where)))
        else:
            skipped.append(ref.name)
            if closest is not None:
                near.append((ref, closest, missing))
    if not chosen:
        if near:
            ref, closest, missing = near[0]
            where = f"工作表“{ref.name}”" if ref.name else "文件"
            raise R.FileError(f"{where}看起来是“{closest.title}”，但缺少必填列：{'、'.join(missing)}"
                              f"（表头应在第{R.find_header_row(ref.peek) + 1}行）", "missing_columns")
        names = "、".join(f"“{r.name}”" for r in candidates if r.name)
        raise R.FileError("没有找到可识别的表头：" + (f"工作表 {names} 中" if names else "文件中")
                          + "没有任何已知的列名（如 档案编号、月份）。请使用数据管理页提供的导入模板", "unknown_kind")
    kinds = [s.spec.kind for s in chosen]
    for k in set(kinds):
        if kinds.count(k) > 1:
            sheets = "、".join(f"“{s.ref.name}”" for s in chosen if s.spec.kind == k)
            raise R.FileError(f"工作簿中有多个工作表都是“{K.KINDS[k].title}”：{sheets}；请只保留一个，或指定数据类型后逐个导入",
                              "ambiguous_kind")
    if skipped and source.format != "csv":
        for s in chosen[:1]:
            s.warnings.append("未识别的工作表已跳过：" + "、".join(f"“{n}”" for n in skipped))
    order = list(K.KINDS)
    return sorted(chosen, key=lambda s: order.index(s.spec.kind))


def _ignored_warning(ignored: list[str], where: str) -> list[str]:
    return [f"{where}中无法识别的列已忽略：" + "、".join(ignored[:12]) + ("…" if len(ignored) > 12 else "")] if ignored else []


def _select_for_kind(source: R.Source, candidates: list[R.SheetRef], spec: K.KindSpec) -> Selection:
    names = {K.normalize_header(n) for n in spec.sheet_names()}
    named = [r for r in candidates if r.name and K.normalize_header(r.name) in names]
    ordered = named + [r for r in candidates if r not in named]
    tried = []
    for ref in ordered:
        header_index = R.find_header_row(ref.peek)
        header = ref.peek[header_index] if ref.peek else []
        where = f"工作表“{ref.name}”" if ref.name else "文件"
        mapping, missing, ignored = map_columns(header, spec, where)
        if not missing:
            warnings = _ignored_warning(ignored, where)
            if ref.name and ref not in named and len(source.sheets) > 1:
                warnings.append(f"没有名为“{spec.title}”的工作表，已使用工作表“{ref.name}”")
            return Selection(ref, spec, header_index, mapping, warnings)
        tried.append((ref, missing, header_index))
    ref, missing, header_index = tried[0]
    if source.format == "csv":
        raise R.FileError(f"缺少必填列：{'、'.join(missing)}（表头应在第{header_index + 1}行）。"
                          f"“{spec.title}”的必填列为：{'、'.join(f.header for f in spec.required)}", "missing_columns")
    sheets = "、".join(f"“{r.name}”" for r in candidates)
    raise R.FileError(f"工作簿中没有“{spec.title}”数据：工作表 {sheets} 都缺少必填列（如工作表“{ref.name}”缺少"
                      f"{'、'.join(missing)}）。请检查是否选错了工作表或数据类型", "wrong_sheet")


# ---------------------------------------------------------------- the import
def import_file(engine: Engine, data: bytes, file_name: str, kind: str | None = None, mode: str = "strict",
                dry_run: bool = False, user: str | None = None, limits: R.Limits = R.Limits(),
                today: dt.date | None = None, progress: Progress | None = None, rescore: bool = True,
                full_rescore: bool | None = None, scope: str = "000000") -> ImportResult:
    """Import one CSV/Excel file (see the module docstring for the rules); FileError for file-level problems."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if kind:
        K.resolve_kind(kind)  # an unknown kind is the caller's mistake: say so before looking at the file
    if not dry_run:  # a write the database cannot keep (read-only, its file gone) is refused before any work
        health.check_writable(engine)
    report = progress or (lambda fraction, text: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    clock = Clock(today or dt.date.today())
    report(0.02, "读取文件")
    source = R.open_source(data, file_name, limits)
    selections = select_sheets(source, kind)
    for sel in selections:
        if sel.spec.national_only and scope_prefix(scope):
            raise R.FileError(f"“{sel.spec.title}”全国统一，只有全国范围的管理员可以导入；您的管辖范围是部分地区",
                              "not_allowed")
    sheets = [R.load_sheet(source, s.ref, s.header_index, limits) for s in selections]
    if all(sh.n_rows == 0 for sh in sheets):
        where = "文件" if source.format == "csv" else "工作表" + "、".join(f"“{s.ref.name}”" for s in selections)
        raise R.FileError(f"{where}只有表头，没有数据行", "no_rows")
    timings["read"] = time.perf_counter() - started
    report(0.15, "校验数据")
    if dry_run:
        with engine.connect() as conn:
            plans = _plan_all(conn, selections, sheets, clock, report, timings, scope, user)
            previous = P.previous_batches(conn, source.sha256)
            conn.rollback()
        results = _results(selections, sheets, plans, strict=mode == "strict", dry_run=True)
        timings["total"] = time.perf_counter() - started
        return ImportResult(file_name, source.sha256, source.describe(), mode, True, "dry-run", results,
                            previous_batches=previous, timings=timings)
    now = dt.datetime.now().replace(microsecond=0)
    batch_ids: list[int] = []
    try:
        # one import at a time: the lock comes first, so this import plans against what the one before it
        # committed (the same file twice → the second finds every row unchanged); a bounded wait, then LockTimeout
        with locks.import_transaction(engine) as conn:
            previous = P.previous_batches(conn, source.sha256)
            for sel in selections:
                batch_ids.append(int(conn.execute(insert(import_batch).values(
                    kind=sel.spec.kind, file_name=file_name[:255], file_hash=source.sha256, user_name=(user or "")[:64] or None,
                    mode=mode, started_at=now, status="running",
                    scope_adcode=scope).returning(import_batch.c.batch_id)).scalar_one()))
            plans = _plan_all(conn, selections, sheets, clock, report, timings, scope, user)
            any_problem = any(p.parsed.problems.count_rows() for p in plans)
            write = not (mode == "strict" and any_problem)
            results = _results(selections, sheets, plans, strict=mode == "strict", dry_run=False)
            rescored, new_version, prev_max = 0, None, None
            if write:
                report(0.55, "写入数据库")
                t0 = time.perf_counter()
                prev_max = conn.execute(select(func.max(household_month.c.month))).scalar()
                written = _write_all(conn, plans, batch_ids, prev_max)
                affected = written.affected
                timings["write"] = time.perf_counter() - t0
                changed = sum(r.inserted + r.updated for r in results)
                if changed:
                    if rescore and affected:
                        report(0.75, f"重新评分（{len(affected)} 户）")
                    t0 = time.perf_counter()
                    refreshed = refresh.households(conn, _note(file_name, results), affected if rescore else (),
                                                   written.month_only, previous_latest=prev_max,
                                                   members_changed=written.members)
                    rescored, new_version = refreshed.households, refreshed.data_version
                    timings["rescore"] = time.perf_counter() - t0
            for res, batch_id in zip(results, batch_ids, strict=True):
                res.batch_id = batch_id
                res.status = "done" if write else "rejected"
                _write_rejects(conn, batch_id, res.rejects)
                conn.execute(update(import_batch).where(import_batch.c.batch_id == batch_id).values(
                    finished_at=dt.datetime.now().replace(microsecond=0), status=res.status,
                    rows_read=res.rows_read, rows_accepted=res.accepted, rows_updated=res.updated,
                    rows_rejected=res.rejected, message=_batch_message(res)))
            audit.record(conn, user, "import", file_name, region=scope, batch_ids=batch_ids, mode=mode,
                         hash=source.sha256,
                         sheets=[r.as_dict() for r in results])
    except (R.FileError, WriteRefused):  # nothing was written; not a failed import
        raise
    except Exception as exc:
        _record_failure(engine, selections, sheets, file_name, source.sha256, user, mode, now, exc, scope)
        raise ImportFailed(f"导入失败，数据已全部回滚：{_one_line(exc)}") from exc
    result = ImportResult(file_name, source.sha256, source.describe(), mode, False, "done" if write else "rejected",
                          results, households_rescored=rescored, data_version=new_version, previous_batches=previous,
                          timings=timings)
    t0 = time.perf_counter()
    if refresh.after_commit(engine, rescored):  # PostgreSQL: keep the watchlist's counts index-only
        timings["vacuum"] = time.perf_counter() - t0
    if full_rescore and write and result.changed:
        report(0.9, "新增了月份，全量重新评分")
        t0 = time.perf_counter()
        refresh.everything(engine, f"full rescore after import {file_name}"[:255])
        result.full_rescore = True
        result.data_version = version.current(engine)[0]
        timings["full_rescore"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    report(1.0, "完成")
    return result


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _note(file_name: str, results: list[SheetResult]) -> str:
    counts = "，".join(f"{r.kind} +{r.inserted} ~{r.updated}" for r in results)
    return f"import {file_name}: {counts}"[:255]


def _batch_message(res: SheetResult) -> str:
    text = f"新增 {res.inserted} 行，未变 {res.unchanged} 行，更新 {res.updated} 行，拒绝 {res.rejected} 行"
    if res.status == "rejected":
        text += (f"；{res.problem_rows} 行有错误，严格模式下全部未导入" if res.problem_rows
                 else "；同一文件其他工作表有错误，严格模式下全部未导入")
    if res.warnings:
        text += "。" + "；".join(res.warnings)
    return text


def _plan_all(conn: Connection, selections: list[Selection], sheets: list[R.RawSheet], clock: Clock,
              report: Progress, timings: dict[str, float], scope: str = "000000",
              user: str | None = None) -> list[P.Plan]:
    t0 = time.perf_counter()
    ctx = P.Context(conn, clock, scope_prefix(scope), (user or "")[:64] or None)
    plans = []
    for i, (sel, sheet) in enumerate(zip(selections, sheets, strict=True)):
        parsed = parse_sheet(sel.spec, sheet, sel.mapping, clock, ctx.regions)
        parsed.warnings = list(sel.warnings) + list(sheet.warnings)
        plans.append(PLANNERS[sel.spec.kind](ctx, parsed))
        report(0.15 + 0.4 * (i + 1) / len(selections), f"校验“{sel.spec.title}”")
    timings["validate"] = time.perf_counter() - t0
    return plans


def _results(selections: list[Selection], sheets: list[R.RawSheet], plans: list[P.Plan], strict: bool,
             dry_run: bool) -> list[SheetResult]:
    any_problem = any(p.parsed.problems.count_rows() for p in plans)
    out = []
    for sel, sheet, plan in zip(selections, sheets, plans, strict=True):
        counts = plan.counts()
        problems = plan.parsed.problems.count_rows()
        rejects = plan.parsed.problems.frame(sheet.row_numbers).drop(columns=["row_pos"])
        res = SheetResult(sel.spec.kind, sel.spec.title, sel.ref.name, sheet.header_row, sheet.n_rows,
                          problem_rows=problems, rejects=rejects, warnings=plan.parsed.warnings,
                          columns=[sel.spec.field(n).header for n in sel.mapping.values()])
        if strict and any_problem and not dry_run:
            res.rejected = sheet.n_rows  # nothing written: every row is rejected
        else:
            res.inserted, res.unchanged = counts["inserted"], counts["unchanged"]
            res.updated, res.rejected = counts["updated"], counts["rejected"]
        assert res.rows_read == res.accepted + res.updated + res.rejected, res
        out.append(res)
    return out


def _write_rejects(conn: Connection, batch_id: int, rejects: pd.DataFrame) -> None:
    if rejects.empty:
        return
    frame = pd.DataFrame({
        "batch_id": batch_id,
        "row_number": rejects["row_number"].astype(np.int64).to_numpy(),
        "column_name": rejects["column_name"].map(lambda c: None if c is None or c != c else str(c)[:64]).to_numpy(dtype=object),
        "value": rejects["value"].map(lambda v: None if v is None or v != v else str(v)).to_numpy(dtype=object),
        "reason": rejects["reason"].astype(str).to_numpy(dtype=object),
    })
    bulk.insert_frame(conn, import_reject, frame)


def _record_failure(engine: Engine, selections: list[Selection], sheets: list[R.RawSheet], file_name: str,
                    file_hash: str, user: str | None, mode: str, now: dt.datetime, exc: BaseException,
                    scope: str = "000000") -> None:
    """A `failed` batch per sheet in its own transaction: nothing was written, so every row is rejected."""
    try:
        with engine.begin() as conn:
            for sel, sheet in zip(selections, sheets, strict=True):
                conn.execute(insert(import_batch).values(
                    kind=sel.spec.kind, file_name=file_name[:255], file_hash=file_hash, user_name=user, mode=mode,
                    scope_adcode=scope, started_at=now, finished_at=dt.datetime.now().replace(microsecond=0), status="failed",
                    rows_read=sheet.n_rows, rows_rejected=sheet.n_rows, message=f"导入失败，已回滚：{_one_line(exc)}"[:2000]))
    except Exception:  # noqa: BLE001 - the original error matters more than the record of it
        pass


# ---------------------------------------------------------------- writing
ID_COLUMNS = {"household": "hh_id", "person": "person_id", "helper": "helper_id", "relocation_site": "site_id",
              "risk_event": "event_id", "assistance": "aid_id", "pairing": "pairing_id", "household_status": "change_id",
              "lead": "lead_id"}
REFERENCES = {"hh_id": "household", "person_id": "person", "helper_id": "helper", "site_id": "relocation_site"}


@dataclass(frozen=True)
class Written:
    affected: set[int]  # households to re-score
    max_month: int | None  # the latest month written
    month_only: set[int]  # existing households whose only change is observations of a new latest month
    members: set[int]  # households whose member rows were written (the migrant roll-up follows members)


def _write_all(conn: Connection, plans: list[P.Plan], batch_ids: list[int], prev_max: int | None = None) -> Written:
    """Write every plan in order.

    `month_only` holds the existing households whose only change is observations of one month later than
    any stored before: they need that month scored, not their whole history re-read.
    """
    idmap: dict[str, dict[int, int]] = {t: {} for t in REFERENCES.values()}
    affected: set[int] = set()
    other: set[int] = set()  # touched by anything but an observation of the new month
    members: set[int] = set()
    spans = []
    max_month = None
    for plan, batch_id in zip(plans, batch_ids, strict=True):
        for table, frame in plan.extra_inserts:
            _insert(conn, table, frame, idmap)
        table = TABLES[plan.spec.table]
        inserts = plan.inserts
        updates = plan.updates
        if table.name in ("household", "household_month", "lead"):
            inserts = inserts.assign(batch_id=batch_id) if len(inserts) else inserts
        if table.name in ("household", "household_month"):  # a lead a batch joined still came from its own batch
            updates = updates.assign(batch_id=batch_id) if len(updates) else updates
        _insert(conn, table, inserts, idmap)
        if len(updates):
            _update(conn, table, _remap(updates, idmap, keep=plan.update_key), list(plan.update_key))
        for extra_table, frame in plan.after_inserts:
            _insert(conn, extra_table, frame, idmap)
        affected |= {idmap["household"].get(h, h) for h in plan.affected}
        if plan.spec.kind == "persons":
            members |= {idmap["household"].get(h, h) for h in plan.affected}
        if plan.max_month is not None:
            max_month = max(max_month or 0, plan.max_month)
        if plan.months_written is not None:
            spans.append(plan.months_written)
        else:
            other |= {idmap["household"].get(h, h) for h in plan.affected}
    month_only: set[int] = set()
    if spans and max_month is not None and prev_max is not None and max_month > prev_max:
        span = pd.concat(spans).groupby("hh_id").agg({"min": "min", "max": "max"})
        new_month = span.index[(span["min"] == max_month) & (span["max"] == max_month) & (span.index > 0)]
        month_only = {int(h) for h in new_month} - other
    affected = {h for h in affected if h > 0}
    return Written(affected, max_month, month_only & affected, members)


def _remap(frame: pd.DataFrame, idmap: dict[str, dict[int, int]], keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Swap provisional (negative) ids for the real ones already allocated."""
    out = frame
    for col, table in REFERENCES.items():
        if col in out.columns and col not in keep and idmap[table]:
            values = pd.Series(out[col]).astype("Int64")
            neg = (values < 0).fillna(False)
            if neg.any():
                out = out.copy() if out is frame else out
                mapped = values[neg].map(idmap[table])
                out[col] = values.where(~neg, mapped).astype("Int64").to_numpy()
    return out


def _insert(conn: Connection, table: Table, frame: pd.DataFrame, idmap: dict[str, dict[int, int]]) -> None:
    if frame is None or len(frame) == 0:
        return
    id_col = ID_COLUMNS.get(table.name)
    frame = _remap(frame, idmap, keep=(id_col,) if id_col else ())
    if id_col:
        if _is_pg(conn):
            conn.execute(text(f'LOCK TABLE "{table.name}" IN SHARE ROW EXCLUSIVE MODE'))
        start = int(conn.execute(select(func.coalesce(func.max(table.c[id_col]), 0))).scalar_one()) + 1
        real = np.arange(start, start + len(frame), dtype=np.int64)
        if id_col in frame.columns:
            provisional = frame[id_col].to_numpy(dtype=np.int64)
            if table.name in idmap:
                idmap[table.name].update(dict(zip(provisional.tolist(), real.tolist(), strict=True)))
        frame = frame.assign(**{id_col: real})
    bulk.insert_frame(conn, table, frame)
    if id_col and _is_pg(conn):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{id_col}'), "
                          f'(SELECT MAX("{id_col}") FROM "{table.name}"))'))


def _update(conn: Connection, table: Table, frame: pd.DataFrame, key: list[str]) -> None:
    """UPDATE table SET … WHERE key = … for every row: executemany on SQLite, COPY + UPDATE … FROM on PostgreSQL."""
    cols = [c for c in frame.columns if c not in key and c in table.c]
    if not cols:
        return
    frame = frame[key + cols]
    if _is_pg(conn):
        temp = Table(f"_sn_upd_{table.name}", MetaData(),
                     *[Column(c, table.c[c].type) for c in key + cols], prefixes=["TEMPORARY"])
        conn.execute(text(f'DROP TABLE IF EXISTS "{temp.name}"'))
        conn.execute(text(f'CREATE TEMPORARY TABLE "{temp.name}" ON COMMIT DROP AS '
                          f'SELECT {", ".join(chr(34) + c + chr(34) for c in key + cols)} FROM "{table.name}" WITH NO DATA'))
        bulk.insert_frame(conn, temp, frame)
        sets = ", ".join(f'"{c}" = u."{c}"' for c in cols)
        cond = " AND ".join(f't."{k}" = u."{k}"' for k in key)
        conn.execute(text(f'UPDATE "{table.name}" AS t SET {sets} FROM "{temp.name}" AS u WHERE {cond}'))
        conn.execute(text(f'DROP TABLE "{temp.name}"'))
        return
    sql = (f'UPDATE "{table.name}" SET {", ".join(f"{c} = ?" for c in cols)} '
           f'WHERE {" AND ".join(f"{k} = ?" for k in key)}')
    raw = conn.connection.driver_connection
    assert raw is not None  # only a closed or invalidated connection has none
    cur = raw.cursor()
    try:
        for start in range(0, len(frame), bulk.CHUNK_ROWS):
            part = frame.iloc[start:start + bulk.CHUNK_ROWS]
            columns = [bulk._column_values(part[c]) for c in cols + key]
            cur.executemany(sql, zip(*columns, strict=True))
    finally:
        cur.close()


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"
