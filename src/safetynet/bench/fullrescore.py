"""`python -m safetynet.bench.fullrescore --db URL`: time `pipeline.rescore.rescore_all` (every month)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from safetynet.bench.stats import peak_rss_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m safetynet.bench.fullrescore")
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    from safetynet.db import get_engine
    from safetynet.pipeline.rescore import rescore_all

    started = time.perf_counter()
    result = rescore_all(get_engine(args.db))
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1), "scores": result.get("scores"),
                      "peak_rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
