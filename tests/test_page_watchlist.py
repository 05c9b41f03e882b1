"""The watchlist: filters and paging in the database, equal to direct SQL, safe exports, saved views."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text

from safetynet import exports
from safetynet.auth import User
from safetynet.domain.risk import Flag
from safetynet.filters import Filters
from safetynet.queries import saved_views, watchlist
from safetynet.queries.watchlist import WatchlistQuery
from safetynet.views import watchlist as wl_view
from tests.support import latest_month


def _direct(engine, where: str, **params) -> pd.DataFrame:
    return pd.read_sql(text(f"SELECT c.hh_id, c.score FROM household_current c WHERE {where} "
                            "ORDER BY c.score DESC, c.hh_id"), engine, params=params)


CASES = {
    "default": ({}, "c.tier IN ('高', '中')"),
    "guizhou_high": ({"filters": Filters(region="520000"), "level": 1, "tiers": ("高",)},
                     "c.tier = '高' AND c.prov_adcode = '520000'"),
    "rural_migrant": ({"filters": Filters(population="rural"), "flags": ("migrant",)},
                      f"c.tier IN ('高', '中') AND c.population = 'rural' AND (c.flags & {int(Flag.MIGRANT)}) <> 0"),
    "factor_c_no_helper": ({"factor": "c", "flags": ("no_helper",), "tiers": ()},
                           f"c.pts_c > 0 AND (c.flags & {int(Flag.HAS_HELPER)}) = 0"),
    "trigger_school": ({"factor": "trigger", "flags": ("school_risk",), "tiers": ("高", "中", "低")},
                       f"c.triggers <> 0 AND (c.flags & {int(Flag.SCHOOL_RISK)}) <> 0"),
    "worker_w1_dq": ({"filters": Filters(category="W1"), "flags": ("dq",), "tiers": ()},
                     "c.category = 'W1' AND (c.flags & "
                     f"{int(Flag.DQ_NO_ASSISTANCE | Flag.DQ_FAST_ELIMINATION | Flag.DQ_SLOW_IDENTIFICATION)}) <> 0"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_watchlist_query_equals_direct_sql(demo_db, case):
    kwargs, where = CASES[case]
    month = latest_month(demo_db, "household_current")
    query = WatchlistQuery(**({"filters": Filters(), "level": 0, "month": month} | kwargs))
    expected = _direct(demo_db, f"c.month = :m AND {where}", m=month)
    assert watchlist.count(demo_db, query) == len(expected)
    first = watchlist.page(demo_db, replace(query, page_size=20))
    assert list(first["hh_id"]) == list(expected["hh_id"].head(20))
    if len(expected) > 20:
        second = watchlist.page(demo_db, replace(query, page_size=20, page=2))
        assert list(second["hh_id"]) == list(expected["hh_id"].iloc[20:40])


def test_new_since_and_site_and_industry(demo_db):
    month = latest_month(demo_db, "household_current")
    site = pd.read_sql(text("SELECT site_id, COUNT(*) n FROM household_current GROUP BY site_id ORDER BY n DESC"),
                       demo_db).dropna()["site_id"].iloc[0]
    q = WatchlistQuery(Filters(), 0, month, tiers=(), site_id=int(site), industry=None, new_since=month - 2)
    expected = _direct(demo_db, "c.month = :m AND c.site_id = :s AND c.tier = '高' AND c.high_since >= :n",
                       m=month, s=int(site), n=month - 2)
    assert watchlist.count(demo_db, q) == len(expected)
    q2 = WatchlistQuery(Filters(), 0, month, tiers=(), industry="C")
    assert watchlist.count(demo_db, q2) == len(_direct(demo_db, "c.month = :m AND c.industry_code = 'C'", m=month))


def test_invalid_query_values_are_refused():
    with pytest.raises(ValueError):
        WatchlistQuery(Filters(), 0, 202610, sort="score; DROP TABLE household")
    with pytest.raises(ValueError):
        WatchlistQuery(Filters(), 0, 202610, tiers=("高' OR 1=1 --",))
    with pytest.raises(ValueError):
        WatchlistQuery(Filters(), 0, 202610, flags=("migrant OR 1=1",))


def test_page_shows_masked_rows_in_database_order(app, demo_db):
    at = app(tier="高", sort="r").run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    month = latest_month(demo_db, "household_current")
    expected = pd.read_sql(text(
        "SELECT h.file_no, p.name FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
        "LEFT JOIN person p ON p.hh_id = c.hh_id AND p.relation = '01' WHERE c.month = :m AND c.tier = '高' "
        "ORDER BY c.r ASC, c.score DESC, c.hh_id LIMIT 50"), demo_db, params={"m": month})
    table = at.dataframe[0].value
    assert list(table["file_no"]) == list(expected["file_no"])
    assert not set(table["head_name"]) & {n for n in expected["name"] if n and len(n) > 1}
    summary = next(m.value for m in at.markdown if "共" in m.value)
    total = int(pd.read_sql(text("SELECT COUNT(*) n FROM household_current WHERE month = :m AND tier = '高'"),
                            demo_db, params={"m": month})["n"].iloc[0])
    assert f"{total:,}" in summary or f"{total / 1e4:.2f}万" in summary


def test_url_page_parameter_and_hostile_values(app, demo_db):
    at = app(page="2", tier="高", factor="x' OR '1'='1", sort="<script>").run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    month = latest_month(demo_db, "household_current")
    expected = pd.read_sql(text("SELECT h.file_no FROM household_current c JOIN household h ON h.hh_id = c.hh_id "
                                "WHERE c.month = :m AND c.tier = '高' ORDER BY c.score DESC, c.hh_id"),
                           demo_db, params={"m": month})
    assert len(expected) > 50, "the demo needs two pages of high-risk households for this test"
    shown = at.dataframe[0].value
    assert list(shown["file_no"]) == list(expected["file_no"].iloc[50:100])
    assert at.session_state["factor"] == "" and at.session_state["sort"] == "score"


def test_export_is_masked_headed_and_formula_safe(demo_db):
    month = latest_month(demo_db, "household_current")
    rows = watchlist.export_rows(demo_db, WatchlistQuery(Filters(), 0, month, tiers=("高",)))
    rows.loc[rows.index[0], "area"] = "=HYPERLINK(\"http://evil\")"
    frame = wl_view.export_frame(rows)
    data = exports.to_csv_bytes(frame, exports.header_line("张三", "风险名单"))
    assert data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][0].startswith("导出人：张三")
    assert len(lines) == len(rows) + 2
    body = pd.DataFrame(lines[2:], columns=lines[1])
    assert body["地区名称"].iloc[0].startswith("'=")
    full_names = {n for n in rows["head_name"].dropna() if len(n) > 1}
    assert not set(body["户主"]) & full_names
    assert all("*" in i for i in body["身份证号"] if i)
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes(frame, "h")))
    sheet = book.active
    assert sheet.cell(1, 1).value == "h" and sheet.max_row == len(rows) + 2
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert not any(v.startswith("=") for v in cells)


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "正常"])
def test_neutralise(value):
    out = exports.neutralise(value)
    assert (out == "'" + value) if value[0] in "=+-@\t" else out == value


def test_saved_view_reproduces_the_list(app, demo_db):
    """A saved view is the URL's query string: opening it shows the same rows."""
    import urllib.parse

    query = "prov=520000&tier=%E9%AB%98&wflag=no_helper"
    params = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
    at = app(**params).run()
    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    month = latest_month(demo_db, "household_current")
    expected = _direct(demo_db, f"c.month = :m AND c.prov_adcode = '520000' AND c.tier = '高' AND "
                                f"(c.flags & {int(Flag.HAS_HELPER)}) = 0", m=month)
    assert len(at.dataframe[0].value) == min(len(expected), 50)


def test_saved_views_round_trip(writable_demo_db):
    """One's own view: saved, replaced when saved again under its name, listed, deleted. (Views of other users
    are never replaced: tests/security/test_saved_views.py.)"""
    tester = User(user_id=0, username="tester", display_name="测试员", role="staff", scope="520000")
    first = saved_views.save_view(writable_demo_db, "贵州高风险", "watchlist", "prov=520000&tier=%E9%AB%98", tester)
    again = saved_views.save_view(writable_demo_db, "贵州高风险", "watchlist",
                                  "prov=520000&tier=%E9%AB%98&wflag=migrant", tester)
    assert again == first
    views = saved_views.list_views(writable_demo_db, "watchlist", tester)
    assert list(views["name"]) == ["贵州高风险"] and bool(views["own"].iloc[0])
    assert views["query"].iloc[0] == "prov=520000&tier=%E9%AB%98&wflag=migrant"
    with pytest.raises(saved_views.ViewRefused):
        saved_views.save_view(writable_demo_db, " ", "watchlist", "", tester)
    saved_views.delete_view(writable_demo_db, first, tester)
    assert saved_views.list_views(writable_demo_db, "watchlist", tester).empty
