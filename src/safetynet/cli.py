"""`python -m safetynet …`: every command acts on the database SAFETYNET_DB_URL
names (the embedded SQLite file when unset). Errors print one clear line and
exit non-zero."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from sqlalchemy import Engine

from safetynet import config
from safetynet.db import get_engine, migrate, reference


def _progress_bar(label: str) -> Callable[[int, int], None]:
    """A terminal progress bar (tqdm) that callers drive with (done, total)."""
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=label, unit="户", file=sys.stderr, dynamic_ncols=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


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
        counts = generate(engine, cfg, progress=None if args.quiet else _progress_bar("生成演示数据"), force=args.force)
    except DemoRefused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    print(f"demo: {cfg.households} households × {cfg.months} months (seed {cfg.seed}) in {elapsed:.1f} s")
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from safetynet.pipeline import rescore

    engine = open_db(args.db)
    started = time.perf_counter()
    if args.households:
        ids = [int(x) for x in args.households.split(",") if x.strip()]
        with engine.begin() as conn:
            result = rescore.rescore_households(conn, ids)
            from safetynet.db import version

            version.bump(conn, f"rescore {len(ids)} households")
    else:
        result = rescore.rescore_all(engine, progress=None if args.quiet else _progress_bar("重新评分"))
    print(f"rescore: {json.dumps(result, ensure_ascii=False)} in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from safetynet.queries import stats

    engine = open_db(args.db)
    summary = stats.summary(engine)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


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
            password = None if args.oidc_subject and not args.password_stdin else _read_password(args)
            user = auth.create_user(engine, args.username, password, args.role, args.scope, args.name,
                                    actor="cli", oidc_subject=args.oidc_subject)
            print(f"added {user.username} ({user.role}, scope {user.scope})")
        elif args.action in ("disable", "enable"):
            auth.set_active(engine, args.username, args.action == "enable", actor="cli")
            print(f"{args.action}d {args.username}")
        elif args.action == "passwd":
            auth.set_password(engine, args.username, _read_password(args), actor="cli")
            print(f"password changed for {args.username}")
        else:
            rows = auth.list_users(engine)
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, default=str))
            for r in rows if not args.json else []:
                state = "active" if r["active"] else "disabled"
                print(f"{r['username']:<20} {r['role']:<7} {r['scope_adcode']} {state} {r['display_name']}")
    except auth.AuthError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
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
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_rescore)

    p = sub.add_parser("users", help="sign-in accounts: add, disable, enable, passwd, list")
    p.add_argument("action", choices=["add", "disable", "enable", "passwd", "list"])
    p.add_argument("username", nargs="?", default="")
    p.add_argument("--role", choices=["leader", "staff", "admin"], default="staff")
    p.add_argument("--scope", default="000000", help="region adcode the user may see (000000 = nationwide)")
    p.add_argument("--name", help="display name")
    p.add_argument("--oidc-subject", help="identity-provider subject (SAFETYNET_AUTH=oidc)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("stats", help="headline counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)
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
