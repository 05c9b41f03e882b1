"""一户一档 of a household that has no scores yet (a new file, no observations): the same on both backends.

SQLite hands dates back as ISO strings where PostgreSQL gives dates, so the household file once crashed on
SQLite (`'str' object has no attribute 'year'`) for exactly these households.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet.ingest import import_file
from safetynet.ingest.samples import csv_bytes
from safetynet.queries import household_file as q
from tests.conftest import TEST_ADMIN, db_url, signed_in

TODAY = dt.date(2026, 11, 28)
NEW_FILE = {"档案编号": "NOSCORE-1", "对象类型": "困难职工", "职工类别": "1", "区县代码": "520102",
            "发现渠道": "工会排查", "发现日期": "2026-03-01", "认定日期": "2026-03-05", "档案状态": "在档"}


def _new_household(engine) -> int:
    """A household file with no members, observations or scores, written by the importer."""
    result = import_file(engine, csv_bytes([NEW_FILE]), "h.csv", kind="households", user="tester", today=TODAY)
    assert result.status == "done" and result.sheets[0].inserted == 1
    with engine.connect() as conn:
        hh = int(conn.execute(text("SELECT hh_id FROM household WHERE file_no = :f"), {"f": NEW_FILE["档案编号"]})
                 .scalar_one())
        assert conn.execute(text("SELECT COUNT(*) FROM risk_score WHERE hh_id = :h"), {"h": hh}).scalar() == 0
    return hh


@pytest.fixture
def app_on(monkeypatch):
    """An AppTest factory of app.py on a given engine, signed in as the test administrator."""
    from streamlit.testing.v1 import AppTest

    from safetynet import i18n
    from safetynet.config import REPO_ROOT

    def make(engine, **query: str) -> AppTest:
        monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
        monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        at.session_state["auth"] = signed_in(engine, TEST_ADMIN)
        i18n.set_lang("zh")
        return at

    yield make
    i18n.set_lang("zh")


def test_household_without_scores_opens(writable_demo_db, app_on):
    hh = _new_household(writable_demo_db)
    at = app_on(writable_demo_db, hh=str(hh)).run()
    at.switch_page("pages/household.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(NEW_FILE["档案编号"] in s.value for s in at.subheader)
    assert any("尚无评分" in i.value for i in at.info)


def test_household_file_reads_have_the_same_types_on_both_backends(writable_demo_db):
    """Dates come back as dates and flags as booleans whatever the backend, even from an empty result."""
    hh = _new_household(writable_demo_db)
    info = q.household(writable_demo_db, hh).iloc[0]
    assert isinstance(info["identified_on"], dt.date)
    assert isinstance(info["found_on"], dt.date)
    history = q.status_history(writable_demo_db, hh)
    assert pd.api.types.is_datetime64_any_dtype(history["changed_on"]) or \
        all(isinstance(v, dt.date) for v in history["changed_on"])
    assert pd.api.types.is_bool_dtype(history["is_relapse"])
    scores = q.scores(writable_demo_db, hh)
    assert scores.empty
