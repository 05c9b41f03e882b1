"""数据管理: upload → preview → check (dry run) → confirm with a progress bar; templates; data health.

The page stays thin; everything it draws is here. The functions that do the
work (`preview`, `check`, `run_import`) take plain bytes, so tests call them
directly (AppTest cannot upload files).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypedDict, Unpack, cast

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from safetynet import audit, cache, exports, i18n, privacy
from safetynet.db.errors import WriteRefused
from safetynet.i18n import fmt_count, t
from safetynet.ingest import KINDS, FileError, ImportFailed, ImportResult, import_file, report, templates
from safetynet.ingest import reader as R
from safetynet.ingest.load import select_sheets
from safetynet.queries import data_health
from safetynet.text import plain
from safetynet.ui import downloads, widgets
from safetynet.ui.frame import PageContext
from safetynet.views import data_health as view

AUTO = "auto"
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods"]
PREVIEW_ROWS = 10
SHOWN_PROBLEMS = 500
PERSONAL_COLUMNS = {"姓名": privacy.mask_name, "身份证号": privacy.mask_id, "涉及成员身份证号": privacy.mask_id,
                    "受助成员身份证号": privacy.mask_id, "联系电话": privacy.mask_phone, "责任人电话": privacy.mask_phone,
                    "家庭住址": privacy.mask_address}


# ---------------------------------------------------------------- the work, on plain bytes
@dataclass(frozen=True)
class Preview:
    sheets: list[tuple[str, str, pd.DataFrame]]  # (sheet name, kind title, first rows)
    file_format: str


def preview(data: bytes, file_name: str, kind: str | None) -> Preview:
    """The first rows of every sheet the import would read, as the user sees them (FileError if unreadable)."""
    source = R.open_source(data, file_name)
    out = []
    for sel in select_sheets(source, kind):
        header = sel.ref.peek[sel.header_index] if sel.ref.peek else []
        rows = [r for r in sel.ref.peek[sel.header_index + 1:] if any(str(c).strip() for c in r)]
        rows = [r for r in rows if not all(str(c).startswith(R.NOTES_PREFIX) for c in r if str(c).strip())]
        width = len(header)
        names = [h or f"（第{i + 1}列）" for i, h in enumerate(header)]
        names = [n if names.index(n) == i else f"{n}（{i + 1}）" for i, n in enumerate(names)]
        frame = pd.DataFrame([list(r[:width]) + [""] * (width - len(r)) for r in rows[:PREVIEW_ROWS]], columns=names)
        out.append((sel.ref.name or file_name, sel.spec.title if i18n.lang() == "zh" else sel.spec.title_en, frame))
    return Preview(out, source.describe())


def check(url: str, data: bytes, file_name: str, kind: str | None, mode: str, user: str | None,
          scope: str = "000000") -> ImportResult:
    """A dry run: full validation and classification, nothing written."""
    return import_file(cache.engine(url), data, file_name, kind=kind, mode=mode, dry_run=True, user=user,
                       scope=scope)


def run_import(url: str, data: bytes, file_name: str, kind: str | None, mode: str, user: str | None,
               progress=None, scope: str = "000000") -> ImportResult:
    """Import inside the administrator's region scope (rows of other regions are rejected)."""
    return import_file(cache.engine(url), data, file_name, kind=kind, mode=mode, user=user, progress=progress,
                       scope=scope)


def metrics(result: ImportResult) -> dict[str, int]:
    return {"读取行数": result.rows_read, "新增": sum(s.inserted for s in result.sheets),
            "更新": sum(s.updated for s in result.sheets), "未变": sum(s.unchanged for s in result.sheets),
            "拒绝": result.rejected}


def masked_rejects(rejects: pd.DataFrame) -> pd.DataFrame:
    """Problem values of personal columns masked, for screens other than the uploader's own report."""
    out = rejects.copy()
    if out.empty:
        return out
    for column, mask in PERSONAL_COLUMNS.items():
        hit = out["column_name"] == column
        if hit.any():
            out.loc[hit, "value"] = out.loc[hit, "value"].map(lambda v, mask=mask: mask(v) if isinstance(v, str) else v)
            out.loc[hit, "reason"] = out.loc[hit, "reason"].map(_mask_quoted(mask))
    return out


def _mask_quoted(mask):
    def apply(reason: object) -> object:
        if isinstance(reason, str) and reason.startswith("值“") and "”" in reason:
            value, rest = reason[2:].split("”", 1)
            return f"值“{mask(value)}”{rest}"
        return reason
    return apply


# ---------------------------------------------------------------- rendering
def _kind_name(kind: str) -> str:
    if kind == AUTO:
        return t("自动识别")
    spec = KINDS[kind]
    return spec.title if i18n.lang() == "zh" else spec.title_en  # the kind's code is for files, not for people


def render_import(ctx: PageContext, user: str | None) -> None:
    c1, c2 = st.columns([1, 1])
    with c1:
        # the language is part of the keys: formatted options must not outlive a language switch
        kind = st.selectbox(t("数据类型"), [AUTO, *KINDS], format_func=_kind_name, key=f"da_kind_{i18n.lang()}")
    with c2:
        mode = st.radio(t("导入模式"), ["strict", "partial"], horizontal=True, key=f"da_mode_{i18n.lang()}",
                        format_func=lambda m: t("严格：全部正确才导入") if m == "strict" else t("部分导入：只导入正确的行"),
                        help=t("严格模式下任何一行有错误，整个文件都不导入；部分导入模式下正确的行导入，错误的行列入问题清单。"))
    upload = st.file_uploader(t("选择文件（CSV 或 Excel）"), type=UPLOAD_TYPES, key="da_file")
    widgets.file_uploader_words("da_file", UPLOAD_TYPES)
    done = st.session_state.get("da_done")
    if done is not None:
        _render_result(ctx, done, user, final=True)
    if upload is None:
        st.caption(t("支持 UTF-8、GBK 编码的 CSV 和 Excel 工作簿；模板在“导入模板”页签。上传后先“检查”，确认无误再导入。"))
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    chosen = None if kind == AUTO else kind
    token = (digest, kind, mode)
    try:
        shown = preview(data, upload.name, chosen)
    except (FileError, KeyError) as exc:
        st.error(t("文件无法导入：{reason}", reason=exc.message if isinstance(exc, FileError) else exc.args[0]))
        st.session_state.pop("da_report", None)
        return
    st.caption(t("文件：{name}，{size}，{fmt}", name=upload.name, size=_size(len(data)), fmt=shown.file_format))
    with st.expander(t("预览前{n}行", n=PREVIEW_ROWS), expanded=True):
        for sheet, title, frame in shown.sheets:
            st.markdown(f"**{plain(sheet)}** → {title}")  # a sheet (or file) name is the file's text
            st.dataframe(frame, hide_index=True, width="stretch")
    b1, b2, _ = st.columns([1, 1, 3])
    if b1.button(t("检查（试导入）"), key="da_check", type="secondary"):
        try:
            with st.spinner(t("正在逐行检查…")):
                st.session_state["da_report"] = (token, check(ctx.url, data, upload.name, chosen, mode, user,
                                                                    scope=ctx.filters.scope))
        except FileError as exc:
            st.session_state["da_report"] = (token, exc.message)
        st.session_state.pop("da_done", None)
    stored = st.session_state.get("da_report")
    report_ = stored[1] if stored and stored[0] == token else None
    blocked = report_ is None or isinstance(report_, str) or (mode == "strict" and report_.problem_rows > 0)
    confirm = b2.button(t("确认导入"), key="da_confirm", type="primary", disabled=blocked)
    if isinstance(report_, str):
        st.error(t("文件无法导入：{reason}", reason=report_))
    elif report_ is not None:
        _render_result(ctx, report_, user, final=False)
        if mode == "strict" and report_.problem_rows:
            st.warning(t("严格模式下有错误的文件不能导入：请按问题清单修改后重新上传，或改用“部分导入”。"))
    elif stored is None or stored[0] != token:
        st.info(t("请先点击“检查（试导入）”，查看将新增、更新和拒绝的行数。"))
    if confirm:
        bar = st.progress(0.0, text=t("准备导入"))
        try:
            result = run_import(ctx.url, data, upload.name, chosen, mode, user,
                                progress=lambda f, text: bar.progress(min(max(f, 0.0), 1.0), text=text),
                                scope=ctx.filters.scope)
        except (FileError, ImportFailed) as exc:
            bar.empty()
            st.error(t("导入失败：{reason}", reason=getattr(exc, "message", str(exc))))
            return
        except WriteRefused as exc:  # another import held the lock too long, or the database is read-only
            bar.empty()
            st.error(t("导入失败：{reason}", reason=exc.localized()))
            return
        bar.empty()
        st.session_state["da_done"] = result
        st.session_state.pop("da_report", None)
        st.rerun()


def _on_screen(table: pd.DataFrame) -> pd.DataFrame:
    """Problem-list headers in the screen's language (reasons stay Chinese, as the file's sender reads them)."""
    if "列" in table.columns:
        table = table.assign(**{"列": table["列"].replace("（整行）", t("（整行）"))})
    return table.rename(columns={c: t(c) for c in table.columns})


_REASON_WIDE = {"原因": st.column_config.TextColumn(width="large"), "Reasons": st.column_config.TextColumn(width="large")}


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n / 1024:.0f} KB"


def _render_result(ctx: PageContext, result: ImportResult, user: str | None, final: bool) -> None:
    if final:
        ids = "、".join(str(b) for b in result.batch_ids)
        if result.kept_nothing:  # not a success: every row was refused
            st.warning(t("没有导入任何行（批次 {ids}）：{summary}", ids=ids, summary=result.summary()))
        elif result.status == "done":
            st.success(t("导入完成（批次 {ids}）：{summary}", ids=ids, summary=result.summary()))
            if result.data_version is None:
                st.info(t("数据与系统中的完全相同，没有任何改动，数据版本未变。"))
        else:
            st.error(t("未导入（批次 {ids}）：{summary}", ids=ids, summary=result.summary()))
    else:
        st.markdown(f"**{t('检查结果（尚未导入）')}**：{plain(result.summary())}")
    cols = st.columns(5)
    for col, (label, value) in zip(cols, metrics(result).items(), strict=True):
        col.metric(t(label), fmt_count(value))
    if result.previous_batches:
        st.caption(t("同一文件此前已导入过（批次 {ids}）；重复导入不会产生重复记录。",
                     ids="、".join(str(b["batch_id"]) for b in result.previous_batches)))
    for sheet in result.sheets:
        for warning in sheet.warnings:
            st.caption("⚠ " + plain(warning))  # warnings quote the file's sheet and column names
    rejects = result.rejects()
    if rejects.empty:
        return
    table = _on_screen(report.rejects_table(rejects))
    st.markdown(t("**问题清单**（共 {n} 处；行号为原文件中的行号，表头在第{h}行）", n=len(rejects),
                  h=result.sheets[0].header_row))
    st.dataframe(table.head(SHOWN_PROBLEMS), hide_index=True, width="stretch", key=f"da_rejects_{final}",
                 column_config=_REASON_WIDE)
    d1, d2, _ = st.columns([1, 1, 3])
    who = user or t("管理员")
    engine = cache.engine(ctx.url)
    detail = RejectsDetail(rows=len(rejects), file=result.file_name, batches=list(result.batch_ids), masked=True)
    with d1:
        downloads.download_button(
            t("下载问题清单（CSV）"), file_name=f"问题清单_{result.file_name}.csv", mime=exports.CSV_MIME,
            key=f"da_dl_csv_{final}", icon=None,
            build=audited(engine, user, lambda: report.rejects_csv(rejects, who, result.file_name), format="csv", **detail))
    with d2:
        downloads.download_button(
            t("下载问题清单（Excel）"), file_name=f"问题清单_{result.file_name}.xlsx", mime=exports.XLSX_MIME,
            key=f"da_dl_xlsx_{final}", icon=None,
            build=audited(engine, user, lambda: report.rejects_xlsx(rejects, who, result.file_name), format="xlsx",
                          **detail))


class RejectsDetail(TypedDict, total=False):
    """What the audit row of a rejects list's download says besides the format (audit.record's detail)."""
    rows: int
    file: str
    batches: list[int]
    masked: bool


class RejectsExport(RejectsDetail, total=False):
    """`audited`'s detail: the above and the file's format."""
    format: str


def audited(engine: Engine, user: str | None, build: Callable[[], bytes],
            **detail: Unpack[RejectsExport]) -> Callable[[], bytes]:
    """A rejects list holds (masked) rows of people: its download is an export, recorded before the file is made
    (when the row cannot be written there is no file)."""
    def building() -> bytes:
        audit.record(engine, user, "export", "rejects", **detail)
        return build()
    return building


def render_templates() -> None:
    st.caption(t("第1行为表头，第2行为填写说明（导入时自动跳过），从第3行起填写数据。"
                 "Excel 模板另有“说明”工作表，列出每一列的含义和可填的值。"))
    for kind, spec in KINDS.items():
        c1, c2, c3 = st.columns([4, 1, 1])
        c1.markdown(f"**{spec.title if i18n.lang() == 'zh' else spec.title_en}** · {t(spec.description)}")
        for col, fmt in ((c2, "xlsx"), (c3, "csv")):
            with col:  # a template holds no data: not an export
                downloads.download_button(fmt.upper(), functools.partial(template_bytes, kind, fmt), icon=None,
                                          file_name=templates.file_name(kind, fmt), key=f"da_tpl_{kind}_{fmt}",
                                          mime=exports.XLSX_MIME if fmt == "xlsx" else exports.CSV_MIME)


def template_bytes(kind: str, fmt: str) -> bytes:
    """The committed template (data/templates/) when present, else built now."""
    path = templates.TEMPLATE_DIR / templates.file_name(kind, fmt)
    return path.read_bytes() if path.is_file() else templates.build(kind, fmt)


@dataclass(frozen=True)
class Health:
    freshness: pd.DataFrame
    sources: pd.DataFrame
    batches: pd.DataFrame
    totals: pd.DataFrame
    dq: Mapping[str, int]


def load_health(ctx: PageContext, today: dt.date | None = None) -> Health:
    """Counts that change only with data come from the version-keyed cache; batch lists are read fresh
    (a rejected or unchanged import adds a batch without bumping the version)."""
    today = today or dt.date.today()
    engine = cache.engine(ctx.url)
    tables = cache.load(ctx.url, ctx.version, data_health.table_freshness, today)
    sources = cache.load(ctx.url, ctx.version, data_health.source_freshness, today)
    # cache.load returns what data_health.dq_counts does (a dict[str, int]), typed as object
    dq = cast(Mapping[str, int], cache.load(ctx.url, ctx.version, data_health.dq_counts, ctx.filters, ctx.level))
    scope = ctx.filters.scope  # the administrator's: only the batches (and rejects) imported inside it
    return Health(view.freshness_frame(tables, data_health.last_imports(engine, scope), today),
                  view.sources_frame(sources), data_health.batches(engine, scope),
                  data_health.reject_totals(engine, scope), dq)


def render_health(ctx: PageContext) -> None:
    health = load_health(ctx)
    st.markdown(f"**{t('数据质量标记（{region}）', region=ctx.region_name())}**")
    cols = st.columns(3)
    for col, (label, n, share) in zip(cols, view.dq_items(health.dq), strict=True):
        col.metric(label, fmt_count(n), help=t("占当前筛选范围内 {n} 户的 {share}",
                                              n=fmt_count(health.dq.get("households", 0)), share=i18n.fmt_pct(share)))
    st.markdown(f"**{t('各数据表的新鲜度')}**")
    st.dataframe(health.freshness, hide_index=True, width="stretch", key="da_fresh")
    st.caption(t("最新数据超过{n}天记为“偏旧”。", n=view.STALE_DAYS))
    with st.expander(t("按发现渠道")):
        st.dataframe(health.sources, hide_index=True, width="stretch", key="da_sources")
    st.markdown(f"**{t('导入批次')}**")
    if health.batches.empty:
        st.caption(t("还没有导入批次。"))
        return
    if not health.totals.empty:
        st.dataframe(view.reject_totals_frame(health.totals), hide_index=True, width="stretch", key="da_totals")
    st.dataframe(view.batches_frame(health.batches), hide_index=True, width="stretch", key="da_batches")
    st.caption(t("每个批次：读取 = 接受（新增或未变）+ 更新 + 拒绝。"))
    with_problems = health.batches.loc[health.batches["problems"] > 0, "batch_id"].astype(int).tolist()
    if with_problems:
        batch = st.selectbox(t("查看批次的问题清单"), with_problems, key=f"da_batch_pick_{i18n.lang()}",
                             format_func=lambda b: t("批次 {b}", b=b))
        problems = masked_rejects(data_health.rejects(cache.engine(ctx.url), int(batch), ctx.filters.scope))
        st.dataframe(_on_screen(report.rejects_table(problems)).head(SHOWN_PROBLEMS), hide_index=True,
                     width="stretch", key="da_batch_rejects", column_config=_REASON_WIDE)
        name = str(health.batches.loc[health.batches["batch_id"] == batch, "file_name"].iloc[0] or batch)
        build = audited(cache.engine(ctx.url), ctx.user.username if ctx.user else None,
                        lambda: report.rejects_csv(problems, t("管理员"), name),
                        rows=len(problems), batches=[int(batch)], format="csv", masked=True)
        downloads.download_button(t("下载该批次的问题清单（CSV）"), build, file_name=f"问题清单_批次{batch}.csv",
                                  mime=exports.CSV_MIME, key="da_batch_dl", icon=None)
