"""`python -m safetynet …`: every command acts on the database SAFETYNET_DB_URL
names (the embedded SQLite file when unset). Errors print one clear line and
exit non-zero."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

import pandas as pd
from sqlalchemy import Engine

from safetynet import config
from safetynet.db import get_engine, migrate, reference
from safetynet.progress import StageBar, counting_bar
from safetynet.text import unescape


def open_db(url: str | None = None) -> Engine:
    """Engine for the configured database, migrated to head with reference data loaded."""
    engine = get_engine(url)
    migrate.ensure_schema(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
    return engine


def cmd_init_db(args: argparse.Namespace) -> int:
    engine = get_engine(args.db)
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        loaded = reference.load_reference(conn)
    print(f"schema {before or '(empty)'} → {migrate.head_revision()}; reference rows loaded: {loaded or 'none needed'}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from safetynet.demo.generate import DemoConfig, DemoRefused, generate

    engine = open_db(args.db)
    cfg = DemoConfig(households=args.households, months=args.months, seed=args.seed,
                     **({"end_month": args.end_month} if args.end_month else {}))
    started = time.perf_counter()
    try:
        counts = generate(engine, cfg, progress=None if args.quiet else counting_bar("生成演示数据"), force=args.force)
    except DemoRefused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    print(f"demo: {cfg.households} households × {cfg.months} months (seed {cfg.seed}) in {elapsed:.1f} s")
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from safetynet.pipeline import refresh

    engine = open_db(args.db)
    started = time.perf_counter()
    if args.month:
        result = _rescore_month(engine, args)
    elif args.households:
        ids = [int(x) for x in args.households.split(",") if x.strip()]
        with engine.begin() as conn:
            # other systems may have changed anything of these households, their members included
            done = refresh.households(conn, f"rescore {len(ids)} households", ids, members_changed=None)
        result = {"households": done.households, "data_version": done.data_version}
    else:
        result = refresh.everything(engine, progress=None if args.quiet else counting_bar("重新评分"))
    print(f"rescore: {json.dumps(result, ensure_ascii=False)} in {time.perf_counter() - started:.1f} s")
    return 0


def _rescore_month(engine, args: argparse.Namespace) -> dict:
    """`rescore --month`: one month from its 15-month window (exact when nothing earlier changed)."""
    from safetynet.pipeline import refresh
    from safetynet.pipeline.rescore import month_span

    with engine.begin() as conn:
        span = month_span(conn)
        if args.month == "latest":
            month = span[-1] if span else None
        elif args.month.isdigit() and len(args.month) == 6 and 1 <= int(args.month) % 100 <= 12:
            month = int(args.month)
        else:
            raise ValueError(f"--month 应为 YYYYMM 或 latest，收到 {args.month!r}")
        ids = [int(x) for x in args.households.split(",") if x.strip()] if args.households else None
        progress = None if args.quiet else counting_bar(f"重新评分 {month}")
        result = refresh.month(conn, month, f"rescore month {month}", ids, progress=progress)
    if ids is None:
        refresh.after_commit(engine, 0, full=True)
    return result


def open_leads(engine: Engine, scope: str, today: dt.date, limit: int = 1_000_000) -> pd.DataFrame:
    """The open leads inside `scope` with the step due next, its date and working days left (negative: overdue)."""
    from safetynet.domain.deadlines import DeadlineRules
    from safetynet.domain.workdays import WorkCalendar
    from safetynet.queries import casework as cq
    from safetynet.views.casework import lead_deadlines

    rows = cq.leads(engine, scope, scope, me="", limit=limit)
    calendar, rules = WorkCalendar(cq.calendar_rows(engine)), DeadlineRules(cq.deadline_rows(engine))
    out = lead_deadlines(rows, calendar, rules, today, me="")
    out["step"] = out["status"].map({"待核实": "入户核实", "待决定": "认定决定"})
    out["due_on"] = out["check_due"].where(out["status"] == "待核实", out["decide_due"])
    return out.sort_values("lead_id").reset_index(drop=True)


def cmd_leads(args: argparse.Namespace) -> int:
    """The open leads in scope with days left; no person data (names, phones) is printed."""
    engine = open_db(args.db)
    leads = open_leads(engine, args.scope, dt.date.today())
    records = [{"lead_id": int(r.lead_id), "file_no": None if pd.isna(r.file_no) else r.file_no, "adcode": r.adcode,
                "area": r.area, "channel": r.channel, "status": r.status, "received_on": str(r.received_on)[:10],
                "assignee": None if pd.isna(r.assignee) else r.assignee, "next_step": r.step,
                "due_on": str(r.due_on), "working_days_left": int(r.next_left), "overdue": bool(r.overdue)}
               for r in leads.itertuples(index=False)]
    if args.json:
        print(json.dumps({"scope": args.scope, "open": len(records), "overdue": sum(r["overdue"] for r in records),
                          "leads": records}, ensure_ascii=False))
        return 0
    print(f"未办结线索 {len(records)} 条，其中逾期 {sum(r['overdue'] for r in records)} 条")
    for r in records:
        left = r["working_days_left"]
        state = f"逾期{-left}个工作日" if r["overdue"] else f"剩{left}个工作日"
        due = dt.date.fromisoformat(r["due_on"])
        print(f"  第{r['lead_id']}号 {r['area']} {r['channel']} {r['status']}：{r['next_step']}期限 "
              f"{due.year}年{due.month}月{due.day}日（{state}）")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from safetynet.queries import stats

    engine = open_db(args.db)
    summary = stats.summary(engine)
    work = stats.casework_counts(engine)
    overdue = int(open_leads(engine, "000000", dt.date.today())["overdue"].sum()) if work["open"] else 0
    summary["leads"] = {"open": work["open"], "overdue": overdue, "closed": work["closed"]}
    summary["approvals_pending"] = work["approvals_pending"]
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


EXIT_OK, EXIT_REJECTED, EXIT_FILE, EXIT_FAILED = 0, 1, 2, 3


def cmd_template(args: argparse.Namespace) -> int:
    """Write import templates (no database needed)."""
    from pathlib import Path

    from safetynet.ingest import kinds, templates

    names = list(kinds.KINDS) if args.kind == "all" else [kinds.resolve_kind(args.kind).kind]
    formats = templates.FORMATS if args.format == "both" else (args.format,)
    out = Path(args.out) if args.out else Path.cwd()
    if len(names) * len(formats) > 1 and out.suffix:
        print("错误：写多个模板时 --out 应为目录", file=sys.stderr)
        return EXIT_FILE
    if len(names) * len(formats) > 1 or not out.suffix:
        out.mkdir(parents=True, exist_ok=True)
    for name in names:
        for fmt in formats:
            print(templates.write(name, fmt, out))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Import a CSV/Excel file. Exit codes: 0 all rows fine, 1 rows rejected, 2 file-level error, 3 failed."""
    from pathlib import Path

    from safetynet.db.errors import WriteRefused
    from safetynet.ingest import FileError, ImportFailed, Limits, import_file
    from safetynet.ingest.validate import message

    path = Path(args.file)
    if not path.is_file():
        return _import_error(args, f"找不到文件：{path}", EXIT_FILE, "not_found")
    engine = open_db(args.db)
    bar = None if (args.quiet or args.json) else StageBar()
    limits = Limits(max_bytes=int(args.max_mb * 1024 * 1024), max_rows=args.max_rows)
    try:
        try:
            result = import_file(engine, path.read_bytes(), path.name, kind=args.kind, mode=args.mode,
                                 dry_run=args.dry_run, user=args.user, limits=limits, progress=bar)
        finally:
            if bar is not None:
                bar.close()  # off the screen before any message
    except KeyError as exc:  # unknown --kind
        return _import_error(args, str(exc.args[0]), EXIT_FILE, "unknown_kind")
    except FileError as exc:
        return _import_error(args, exc.message, EXIT_FILE, exc.code)
    except ImportFailed as exc:
        return _import_error(args, str(exc), EXIT_FAILED, "failed")
    except WriteRefused as exc:  # another import held the lock too long, or the database is read-only: nothing written
        return _import_error(args, f"未导入，数据库未作任何改动：{exc.message}", EXIT_FAILED, "refused")
    rejects = result.rejects()
    if args.rejects and not rejects.empty:
        from safetynet.ingest.report import rejects_csv

        Path(args.rejects).write_bytes(rejects_csv(rejects, args.user or "cli", path.name))
    if args.json:
        out = result.as_dict()
        out["exit_code"] = EXIT_REJECTED if result.rejected else EXIT_OK
        out["problems_total"] = len(rejects)
        out["problems"] = [{"sheet": r.sheet, "row": int(r.row_number), "column": r.column_name, "value": r.value,
                            "reason": r.reason, "message": message(int(r.row_number), r.column_name, r.reason)}
                           for r in rejects.head(args.show).itertuples(index=False)]
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        print(result.summary())
        for r in rejects.head(args.show).itertuples(index=False):
            print("  " + message(int(r.row_number), r.column_name, r.reason))
        if len(rejects) > args.show:
            where = f"，全部问题已写入 {args.rejects}" if args.rejects else "（用 --rejects 文件名 保存全部）"
            print(f"  ……共 {len(rejects)} 处问题" + where)
        for sheet in result.sheets:
            for warning in sheet.warnings:
                print(f"  注意：{warning}")
        if result.previous_batches and not result.dry_run:
            print(f"  注意：同一文件此前已导入过（批次 {', '.join(str(b['batch_id']) for b in result.previous_batches)}）")
        if result.batch_ids:
            print(f"批次 {', '.join(map(str, result.batch_ids))}；重新评分 {result.households_rescored} 户"
                  + ("，并已全量重新评分" if result.full_rescore else "")
                  + (f"；数据版本 {result.data_version}" if result.data_version else "；数据未变化，版本不变"))
    return EXIT_REJECTED if result.rejected else EXIT_OK


def _import_error(args: argparse.Namespace, text: str, code: int, kind: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"status": "error", "error": kind, "message": text, "exit_code": code}, ensure_ascii=False))
    else:
        print(f"错误：{text}", file=sys.stderr)
    return code


def cmd_bench_import(args: argparse.Namespace) -> int:
    from safetynet.ingest.bench import import_benchmark

    result = import_benchmark(url=args.url, rows=args.rows, households=args.households, keep=args.keep,
                              rescore=not args.no_rescore, progress=not args.quiet)
    print(json.dumps(result, ensure_ascii=False))
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    """From stdin (--password-stdin, for scripts) or asked twice; never from the command line."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 password: ")
    if getpass.getpass("再次输入 again: ") != first:
        raise ValueError("两次输入的密码不一致 passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from safetynet import auth

    engine = open_db(args.db)
    try:
        if args.action == "add":
            if not args.scope:  # never nationwide by default (issue 17)
                print("错误 error: users add 需要 --scope（管辖范围的地区代码，000000 为全国）"
                      " requires --scope (the region adcode the user may see, 000000 = nationwide)", file=sys.stderr)
                return 2
            password = None if args.oidc_subject and not args.password_stdin else _read_password(args)
            user = auth.create_user(engine, args.username, password, args.role, args.scope, args.name,
                                    actor=auth.CLI, oidc_subject=args.oidc_subject)
            print(f"added {user.username} ({user.role}, scope {user.scope})")
        elif args.action in ("disable", "enable"):
            auth.set_active(engine, args.username, args.action == "enable", actor=auth.CLI)
            print(f"{args.action}d {args.username}")
        elif args.action == "passwd":
            auth.set_password(engine, args.username, _read_password(args), actor=auth.CLI)
            print(f"password changed for {args.username}")
        else:
            rows = auth.list_users(engine, auth.CLI)
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, default=str))
            for r in rows if not args.json else []:
                state = "active" if r["active"] else "disabled"
                print(f"{r['username']:<20} {r['role']:<7} {r['scope_adcode']} {state} {r['display_name']}")
    except auth.AuthError as exc:
        print(f"错误 error: {unescape(exc)}", file=sys.stderr)  # a terminal shows text, not Markdown
        return 2
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Build or reuse a database of the given size and measure it (docs/benchmarks.md)."""
    from pathlib import Path

    from safetynet.bench import run

    skip = tuple(s.strip() for s in (args.skip or "").split(",") if s.strip())
    unknown = set(skip) - set(run.PARTS)
    if unknown:
        print(f"错误：未知的 --skip {', '.join(sorted(unknown))}（可选 {', '.join(run.PARTS)}）", file=sys.stderr)
        return 2
    result = run.run_benchmark(args.households, args.months, url=args.bench_db or args.db, runs=args.runs,
                               watchlist_runs=args.watchlist_runs, reference_runs=args.reference_runs,
                               sessions=args.sessions, import_rows=args.import_rows,
                               full_rescore=args.full_rescore, skip=skip, out=Path(args.out) if args.out else None)
    print(json.dumps(result, ensure_ascii=False) if args.json else run.format_report(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m safetynet", description="Safety Net Monitor — 工会困难职工动态监测平台")
    parser.add_argument("--db", help=f"database URL (default: $SAFETYNET_DB_URL or {config.SETTINGS[0].default})")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", help="create or upgrade the schema and load reference data")
    p.set_defaults(func=cmd_init_db)

    p = sub.add_parser("demo", help="replace the data with a realistic demo set")
    p.add_argument("--households", type=int, default=5000)
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end-month", type=int, help="last month YYYYMM (default 202610)")
    p.add_argument("--force", action="store_true", help="replace even non-demo households")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("rescore", help="score every household-month and rebuild roll-ups")
    p.add_argument("--households", help="comma-separated hh_ids: re-score just these, incrementally")
    p.add_argument("--month", help="YYYYMM (the newest month) or 'latest': score only that month from its 15-month "
                                   "window, e.g. after its observations were loaded or corrected")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_rescore)

    p = sub.add_parser("template", help="write blank import templates (data/templates/ holds them all)")
    p.add_argument("kind", help="households / persons / observations / events / assistance / pairings / sites / leads / "
                                "calendar / deadline_rules, or all")
    p.add_argument("--format", choices=("xlsx", "csv", "both"), default="xlsx")
    p.add_argument("--out", help="file or directory (default: the current directory)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import", help="import a CSV/Excel file (exit 0 ok, 1 rows rejected, 2 file error, 3 failed)")
    p.add_argument("file")
    p.add_argument("--kind", help="data type: households, persons, observations, events, assistance, pairings, sites, "
                                  "leads (department leads), calendar (holidays, nationwide), deadline_rules "
                                  "(default: detected from the headers)")
    p.add_argument("--mode", choices=("strict", "partial"), default="strict",
                   help="strict: all rows or none (default); partial: valid rows, rejects recorded")
    p.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("--user", default="cli", help="recorded in the batch and the audit log")
    p.add_argument("--rejects", help="write every problem to this CSV file")
    p.add_argument("--show", type=int, default=20, help="problems printed or listed in the JSON (default 20)")
    p.add_argument("--max-mb", type=float, default=200.0, help="largest file accepted, MB (default 200)")
    p.add_argument("--max-rows", type=int, default=2_000_000, help="most data rows accepted (default 2,000,000)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("bench-import", help="import speed: N generated monthly observations into a demo database")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--households", type=int, default=20_000, help="demo households the rows belong to")
    p.add_argument("--url", help="database to use (default: a new SQLite file in the temp directory)")
    p.add_argument("--keep", action="store_true", help="keep the temporary database")
    p.add_argument("--no-rescore", action="store_true", help="measure the import without re-scoring")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_bench_import)

    p = sub.add_parser("users", help="sign-in accounts: add, disable, enable, passwd, list")
    p.add_argument("action", choices=["add", "disable", "enable", "passwd", "list"])
    p.add_argument("username", nargs="?", default="")
    p.add_argument("--role", choices=["leader", "staff", "admin"], default="staff")
    p.add_argument("--scope", help="add: region adcode the user may see, required (000000 = nationwide)")
    p.add_argument("--name", help="display name")
    p.add_argument("--oidc-subject", help="identity-provider subject (SAFETYNET_AUTH=oidc)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("leads", help="the open leads (预警线索) in a region, with working days left")
    p.add_argument("--scope", default="000000", help="region adcode (default: nationwide)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_leads)
    p = sub.add_parser("stats", help="headline counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)
    p = sub.add_parser("bench", help="benchmark: build or reuse a database of N households × M months and measure it")
    p.add_argument("--households", type=int, default=20_000)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--db", dest="bench_db", help="database to build or reuse (default: a SQLite file in the temp dir)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of the tables")
    p.add_argument("--out", help="also write the JSON result to this file")
    p.add_argument("--runs", type=int, default=3, help="AppTest rounds per page (median)")
    p.add_argument("--watchlist-runs", type=int, default=20)
    p.add_argument("--reference-runs", type=int, default=5)
    p.add_argument("--sessions", type=int, default=10, help="concurrent Chromium sessions")
    p.add_argument("--import-rows", type=int, default=200_000, help="observation rows for the import throughput")
    p.add_argument("--full-rescore", action="store_true", help="also time a full rescore of every month")
    p.add_argument("--skip", help="comma-separated parts to skip: build is never skipped; "
                                  "rescore, pages, watchlist, reference, import, new_households, casework, browsers")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("中断 interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one clear line for the user; details with SAFETYNET_DEBUG=1
        if config.get_bool("SAFETYNET_DEBUG"):
            raise
        print(f"错误 error: {one_line(exc)}", file=sys.stderr)
        return 1


def one_line(exc: BaseException) -> str:
    """The first meaningful line of an error, without SQLAlchemy's background links."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        prefix = "无法连接数据库 cannot reach the database: " if "connect" in str(exc.orig).lower() else ""
        return prefix + (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
