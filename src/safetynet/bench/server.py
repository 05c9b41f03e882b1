"""Start and stop a real `streamlit run app.py` for the browser runs (bench and tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from safetynet.config import REPO_ROOT

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    proc: subprocess.Popen
    base: str
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(db_url: str, log: Path, extra_env: dict[str, str] | None = None, timeout: float = 120) -> AppServer:
    """`streamlit run app.py` on a free port against `db_url`; returns once /_stcore/health answers."""
    port = free_port()
    env = dict(os.environ, SAFETYNET_DB_URL=db_url, SAFETYNET_AUTO_DEMO="0", SAFETYNET_DEMO_MODE="0",
               **(extra_env or {}))
    out = open(log, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early: {log.read_text()[-2000:]}")
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                return AppServer(proc, base, log)
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("streamlit did not become healthy")


def ensure_user(db_url: str, username: str, password: str) -> None:
    """A nationwide administrator to sign in with (created once)."""
    from safetynet import auth
    from safetynet.db import get_engine

    engine = get_engine(db_url)
    if not any(u["username"] == username for u in auth.list_users(engine, auth.SYSTEM)):
        auth.create_user(engine, username, password, "admin", "000000", display_name="基准测试",
                         actor=auth.SYSTEM)
