"""Peak resident memory of a process tree (the app server and anything it spawned), sampled with psutil."""

from __future__ import annotations

import threading

import psutil


def tree_rss_mb(pid: int) -> float:
    """Current RSS of `pid` plus its children, in MB."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / (1 << 20)


class RssSampler:
    """Samples a process tree's RSS in a background thread; `peak_mb` is the highest seen.

    `mark(name)` starts a named phase whose own peak is kept in `phases`.
    """

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.peak_mb = 0.0
        self.phases: dict[str, float] = {}
        self._phase: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> float:
        rss = tree_rss_mb(self.pid)
        self.peak_mb = max(self.peak_mb, rss)
        if self._phase:
            self.phases[self._phase] = max(self.phases.get(self._phase, 0.0), rss)
        return rss

    def mark(self, phase: str) -> None:
        self._phase = phase
        self.sample()

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
