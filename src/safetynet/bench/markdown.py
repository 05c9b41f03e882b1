"""Render bench results (the JSON of `bench --out`) as the Markdown tables of docs/benchmarks.md.

    python -m safetynet.bench.markdown result-sqlite.json result-postgres.json > tables.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _row(cells: list) -> str:
    return "| " + " | ".join("–" if c is None else str(c) for c in cells) + " |"


def _table(headers: list[str], rows: list[list]) -> str:
    return "\n".join([_row(headers), _row(["---"] * len(headers)), *(_row(r) for r in rows)])


def _u(value, unit: str) -> str:
    return "–" if value is None else f"{value} {unit}"


def _mark(ok: bool | None) -> str:
    return "✅" if ok else ("❌" if ok is False else "–")


def render(r: dict) -> str:
    c, m = r["config"], r["machine"]
    out = [f"### {c['households']:,} households × {c['months']} months on {c['backend']}",
           f"`{r.get('command') or 'python -m safetynet bench'}` — started {m['started']}, load average "
           f"{m['load_average_at_start']} at start and {r.get('process', {}).get('load_average_at_end')} at end "
           f"(2 cores shared with other work), total {r.get('process', {}).get('total_s')} s."]
    b = r.get("build", {})
    out.append("\n**Build** (demo generator: simulate, score with the production rules, watchlist rows, roll-ups, "
               "one transaction; writes run in a writer thread beside the simulation)\n")
    out.append(_table(["total", "simulate", "scoring", "watchlist rows", "roll-ups", "writes (overlapped)",
                       "build peak RSS", "database size", "household-months"],
                      [[_u(b.get("total_s"), "s"), _u(b.get("simulate_s"), "s"), _u(b.get("scoring_s"), "s"),
                        _u(b.get("watchlist_rows_s"), "s"), _u(b.get("rollups_s"), "s"),
                        _u(b.get("write_s_overlapped"), "s"), _u(b.get("peak_rss_mb"), "MB"),
                        _u(b.get("db_size_mb"), "MB"), (b.get("rows") or {}).get("household_month")]]))
    if "rescore" in r:
        o = r["rescore"]["one_month"]
        out.append("\n**Rescore**\n")
        rows = [["one month, all households (`pipeline.month.rescore_month`, 15-month window; written, compared, rolled back)",
                 o["households"], o["read_s"], o["score_s"], o["write_s"], o["total_s"], o["mismatches"]]]
        if "full" in r["rescore"]:
            f = r["rescore"]["full"]
            rows.append(["full `rescore` (every month, rebuild roll-ups)", f.get("scores"), "", "", "",
                         f.get("seconds"), ""])
        if w := r["rescore"].get("write_floor"):
            rows.append(["floor: the month's stored `risk_score` and `household_current` rows deleted and written back "
                         "unchanged (no reading, no scoring; rolled back)", w["risk_score_rows"], "", "",
                         w["total_s"], w["total_s"], ""])
        out.append(_table(["what", "rows", "read s", "score s", "write s", "total s", "mismatches vs stored"], rows))
    if "pages" in r:
        p = r["pages"]
        out.append(f"\n**Pages** (server side through AppTest, signed-in admin, nationwide; median of {p['runs']}; "
                   "cold = after clearing st.cache_data and st.cache_resource)\n")
        rows = []
        for k, v in p["pages"].items():
            slow = v["slowest_sql"][0] if v["slowest_sql"] else None
            big = (v.get("payload") or {}).get("largest") or [{}]
            rows.append([k, v["cold_s"], _mark(v["cold_s"] <= 2.0), v["warm_s"], _mark(v["warm_s"] <= 0.3),
                         v["sql_statements_cold"], f"{slow['ms']} ms" if slow else "",
                         f"`{slow['sql'][:70]}`" if slow else "",
                         _u((v.get("payload") or {}).get("kb"), "KB"),
                         f"{big[0].get('element')} {big[0].get('kb')} KB" if big[0] else ""])
        out.append(_table(["page", "cold s", "≤ 2 s", "warm s", "≤ 0.3 s", "SQL statements (cold)", "slowest SQL",
                           "statement", "payload", "largest element"], rows))
    if "watchlist" in r:
        w = r["watchlist"]
        out.append(f"\n**Watchlist queries** (`queries.watchlist.count` and `page`, {w['runs']} runs each, uncached)\n")
        out.append(_table(["filters", "matches", "count p50 ms", "count p95 ms", "page p50 ms", "page p95 ms"],
                          [[k, v["matches"], v["count"]["p50_ms"], v["count"]["p95_ms"], v["page"]["p50_ms"],
                            v["page"]["p95_ms"]] for k, v in w["combinations"].items()]))
    if "reference" in r:
        ref = r["reference"]
        out.append(f"\n**Headline figures vs DuckDB {ref['duckdb_version']}** (raw facts: {ref['load']['rows']:,} "
                   f"`risk_score` rows copied into DuckDB in {ref['load']['load_s']} s; median of {ref['runs']})\n")
        rows = []
        for k, v in ref["figures"].items():
            rows.append([k, v["ours_ms"], v["duckdb_ms"], v["ratio"], _mark(v["ratio"] <= 1.0),
                         "yes" if v["equal"] else "**no**"])
        out.append(_table(["figure", "ours ms", "DuckDB ms", "ratio", "≤ 1.0", "same numbers"], rows))
        med = ref["figures"].get("median_income_to_line", {}).get("values", {})
        if med:
            out.append(f"\nMedian income ÷ line: ours {med.get('ours'):.4f} (12-bin interpolation), DuckDB the same "
                       f"interpolation {med.get('duckdb_binned'):.4f}, DuckDB exact {med.get('duckdb_exact'):.4f}.")
    if "import" in r:
        i = r["import"]
        out.append("\n**Import throughput** (`ingest.bench.import_benchmark`: a generated observations CSV, 80 % "
                   "back-filled months and 20 % corrections, strict mode, through the real importer, on a scratch "
                   "database of the same backend)\n")
        if "skipped" in i:
            out.append(i["skipped"])
        else:
            out.append(_table(["rows", "households", "CSV MB", "import s", "rows/s", "rescore s",
                               "rows/s incl. rescore", "re-import (unchanged) s"],
                              [[i.get("rows"), i.get("households"), i.get("csv_mb"), i.get("import_s"),
                                i.get("rows_per_s_import"), i.get("rescore_s"), i.get("rows_per_s_with_rescore"),
                                (i.get("reimport") or {}).get("seconds")]]))
    if fresh := r.get("new_households"):
        out.append(f"\n**New households** ({fresh['households']:,} new files in existing counties, each file through "
                   "`python -m safetynet import` in a child process — wall time includes starting Python — then "
                   "removed again through the incremental path)\n")
        out.append(_table(["file", "wall s", "import s", "of which rescore s", "households re-scored"],
                          [[label, m["wall_s"], m["import_s"], m["rescore_s"], m["households_rescored"]]
                           for label, m in (("家庭户 only (CSV)", fresh["households_only"]),
                                            ("家庭户 + 家庭成员 + 月度观测 (XLSX)", fresh["with_members_and_month"]))]))
    if step := r.get("casework"):
        out.append(f"\n**One casework step** (`casework.execute(RecordAid)` on a 帮扶中 file: checks, insert, audit row, "
                   f"the household re-scored, its watchlist row, roll-ups by deltas, data version; {step['runs']} "
                   "households, each taken back afterwards)\n")
        out.append(_table(["p50 s", "max s", "each s"], [[step["p50_s"], step["max_s"],
                                                        ", ".join(str(s) for s in step["seconds"])]]))
    br = r.get("browsers", {})
    if br and "skipped" not in br:
        cc, mem = br["concurrency"], br["memory"]
        out.append(f"\n**Browsers** ({cc['sessions']} headless-Chromium sessions against one `streamlit run app.py`; "
                   f"each signed in, then all on 总览/地图/风险名单 (memory), then cycling through "
                   f"{len(cc['pages_in_cycle'])} pages while `python -m safetynet import` corrects "
                   f"{cc['import']['rows']} households' latest month)\n")
        out.append(_table(["server RSS idle", "server peak RSS, all sessions open", "server peak RSS, whole run",
                           "sign-in p95", "page loads", "p50", "p95", "p95 during the import", "errors",
                           "import s"],
                          [[f"{br.get('server_idle_rss_mb')} MB", f"{mem['server_peak_rss_mb']} MB",
                            f"{br.get('server_peak_rss_mb')} MB", f"{br['sign_in'].get('p95_s')} s",
                            cc["page_loads"]["n"], f"{cc['page_loads'].get('p50_s')} s",
                            f"{cc['page_loads'].get('p95_s')} s", f"{cc['page_loads_during_import'].get('p95_s')} s",
                            cc["errors"], cc["import"]["seconds"]]]))
        out.append("\nPage-load p95 per page: " + ", ".join(f"{k} {v} s" for k, v in cc["per_page_p95_s"].items()))
        if cpu := cc.get("cpu_s"):
            out.append(f"\nCPU seconds while cycling ({cc['wall_s']} s wall on {r['machine']['cpus']} cores): "
                       + ", ".join(f"{k} {v}" for k, v in cpu.items())
                       + " (browser_gpu: Chromium's software WebGL, part of browsers)")
        if cc["error_samples"]:
            out.append("\nErrors: " + "; ".join(f"`{e}`" for e in cc["error_samples"][:5]))
    out.append(f"\nBench process peak RSS {r.get('process', {}).get('bench_peak_rss_mb')} MB.\n")
    out.append("**Targets**\n")
    out.append(_table(["target", "limit", "measured", "met"],
                      [[t["target"], t["limit"], t["measured"], _mark(t["ok"])] for t in r.get("targets", [])]))
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    for path in argv if argv is not None else sys.argv[1:]:
        sys.stdout.write(render(json.loads(Path(path).read_text())) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def summary(results: list[dict]) -> str:
    """One table: each target (rows) against each run (columns)."""
    names: list[str] = []
    cells: dict[tuple[str, int], str] = {}
    limits: dict[str, str] = {}
    for i, r in enumerate(results):
        for t in r.get("targets", []):
            name = t["target"].replace("10 browser sessions", "browser sessions")
            if name not in names:
                names.append(name)
            limits[name] = t["limit"]
            cells[(name, i)] = f"{_mark(t['ok'])} {t['measured']}"
    heads = [f"{r['config']['households']:,} × {r['config']['months']} {r['config']['backend']}" for r in results]
    rows = [[n, limits[n], *(cells.get((n, i), "not run") for i in range(len(results)))] for n in names]
    return _table(["target", "limit", *heads], rows)
