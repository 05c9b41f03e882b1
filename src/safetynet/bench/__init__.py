"""The benchmark behind `python -m safetynet bench`: speed as a measured property.

`run` builds or reuses a demo database of the requested size and measures, on
it: demo generation with scoring and roll-ups (`build`), a one-month rescore
(`onemonth`), every page's server-side render through AppTest, cold and warm
(`pages`), the watchlist queries (`watchlist`), the headline figures against a
DuckDB reference over the raw tables (`reference`), import throughput (the
importer's own `ingest.bench`), and real headless-Chromium sessions cycling
through pages while an import runs, with the server's peak memory
(`concurrency`, `memory`). Heavy parts run in child processes so caches start
cold and each part's memory is its own. Tests stay correctness tests; this is
where speed is shown (docs/benchmarks.md).
"""
