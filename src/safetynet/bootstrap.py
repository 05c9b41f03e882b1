"""First start: an empty database becomes a working demo, visibly.

`streamlit run app.py` on a fresh clone lands here: migrate to head, load the
reference data and — unless SAFETYNET_AUTO_DEMO=0 — generate a modest demo
dataset, reporting progress so the page can show a bar.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select

from safetynet import config
from safetynet.db import migrate, reference
from safetynet.db.schema import household

Progress = Callable[[int, int], None]


def needs_demo(engine: Engine) -> bool:
    """True when the database has no household at all (one indexed probe, cheap on every rerun)."""
    with engine.connect() as conn:
        return conn.execute(select(household.c.hh_id).limit(1)).first() is None


def ensure_ready(engine: Engine, progress: Progress | None = None, demo: bool = True) -> bool:
    """Migrate and, on an empty database, create demo data; True when demo data was created."""
    migrate.ensure_schema(engine)
    with engine.begin() as conn:
        reference.load_reference(conn)
    if not demo or not config.get_bool("SAFETYNET_AUTO_DEMO") or not needs_demo(engine):
        return False
    from safetynet.demo.generate import DemoConfig, generate

    cfg = DemoConfig(households=config.get_int("SAFETYNET_DEMO_HOUSEHOLDS"),
                     months=config.get_int("SAFETYNET_DEMO_MONTHS"))
    generate(engine, cfg, progress=progress)
    return True
