"""Every page through AppTest from app.py, and the numbers it shows equal SQL on the same database."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.config import REPO_ROOT
from safetynet.ui.registry import PAGES
from tests.support import one

APP = str(REPO_ROOT / "app.py")


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_runs_without_exception(app, spec):
    at = app().run()
    at.switch_page(f"pages/{spec.file}").run()
    assert not at.exception, at.exception
    if spec.url_path == "meeting":  # presentation mode draws its own large header
        assert any('class="sn-meet"' in m.value for m in at.markdown)
    else:
        assert at.title and at.title[0].value == spec.title


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("region", ["000000", "520000", "441900"])
def test_overview_kpis_equal_sql(app, demo_db, region):
    query = {} if region == "000000" else {"prov": region[:2] + "0000"}
    if region == "441900":
        query["pref"] = region
    at = app(**query).run()
    assert not at.exception
    latest = one(demo_db, "SELECT MAX(month) FROM risk_score")
    cond = {"000000": "1=1", "520000": "c.prov_adcode = :r", "441900": "c.pref_adcode = :r"}[region]
    base = f"FROM risk_score s JOIN household_current c ON c.hh_id = s.hh_id WHERE s.month = :m AND {cond}"
    high = one(demo_db, f"SELECT COUNT(*) {base} AND s.tier = '高'", m=latest, r=region)
    open_files = one(demo_db, f"SELECT COUNT(*) {base} AND s.status IN ('在档', '帮扶中')", m=latest, r=region)
    assert _metric(at, "高风险户") == i18n.fmt_count(high)
    assert _metric(at, "监测户数") == i18n.fmt_count(open_files)
    assert any(region_name in c.value for c in at.caption
               for region_name in ({"000000": "全国", "520000": "贵州省", "441900": "东莞市"}[region],))


def test_overview_newly_high_list_is_masked_and_correct(app, demo_db):
    at = app().run()
    latest = one(demo_db, "SELECT MAX(month) FROM risk_score")
    expected = pd.read_sql(text(
        "SELECT h.file_no, p.name FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
        "LEFT JOIN person p ON p.hh_id = c.hh_id AND p.relation = '01' "
        "WHERE c.month = :m AND c.tier = '高' AND c.high_since = :m ORDER BY c.score DESC, c.hh_id LIMIT 20"),
        demo_db, params={"m": latest})
    shown = next(d.value for d in at.dataframe if "file_no" in d.value.columns)  # the ranking comes first
    assert list(shown["file_no"]) == list(expected["file_no"])
    full_names = set(expected["name"].dropna())
    assert not (set(shown["head_name"]) & full_names - {n for n in full_names if len(n) == 1})
    assert all("*" in n for n in shown["head_name"] if n)


def test_overview_map_is_offline(app):
    at = app().run()
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "mapProvider" not in deck or deck.get("mapProvider") in (None, "")
    assert deck.get("mapStyle", "").startswith("http") is False
    assert "cartocdn" not in json.dumps(deck) and "mapbox" not in json.dumps(deck)
    layer_ids = [layer["id"] for layer in deck["layers"]]
    assert layer_ids[:4] == ["sea", "world", "regions", "boundary-lines"]


def test_english_via_url(app):
    at = app(lang="en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert any(m.label == "High risk" for m in at.metric)


def test_invalid_region_in_url_falls_back_to_nation(app):
    at = app(prov="99'; DROP TABLE household;--").run()
    assert not at.exception
    assert any("全国" in c.value for c in at.caption)
