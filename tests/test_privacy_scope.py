"""Issue: access control, privacy and the meeting screen.

Scans every rendered element of every page for personal data, checks the
role × scope matrix against SQL, and throws hostile URL parameters at every page.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet.auth import User
from safetynet.filters import Filters
from safetynet.queries import watchlist
from safetynet.queries.watchlist import WatchlistQuery
from safetynet.ui import watchlist as wl_controls
from safetynet.ui.registry import PAGES
from safetynet.views import meeting as view

LEADER = User(11, "leader_all", "全国领导", "leader", "000000")
STAFF_GZ = User(12, "staff_gz", "贵州工作人员", "staff", "520000")
ID_PATTERN = re.compile(r"\d{17}[\dXx]")
PHONE_PATTERN = re.compile(r"1[3-9]\d{9}")


def _rendered_text(at) -> str:
    """Everything an AppTest run put on screen, as one string (tables, charts and maps included)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text", "metric", "info", "warning",
                 "success", "error"):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "label", "")))
    for frame in at.dataframe:
        parts.append(frame.value.to_csv(index=False))
    for element in at.get("plotly_chart"):
        parts.append(element.proto.spec)
    for element in at.get("deck_gl_json_chart"):
        parts.append(element.proto.json)
    for element in at.get("table"):
        parts.append(str(element.value))
    return "\n".join(parts)


def _people(engine) -> tuple[set[str], set[str], set[str]]:
    persons = pd.read_sql(text("SELECT name, id_number, phone FROM person"), engine)
    names = {n for n in persons["name"].dropna() if len(n) >= 2}
    return names, set(persons["id_number"].dropna()), set(persons["phone"].dropna())


def _assert_no_personal_data(rendered: str, engine, where: str) -> None:
    names, ids, phones = _people(engine)
    assert not ID_PATTERN.search(rendered) or not (set(ID_PATTERN.findall(rendered)) & ids), where
    assert not (set(PHONE_PATTERN.findall(rendered)) & phones), where
    leaked = [n for n in names if n in rendered]
    assert leaked == [], f"{where}: full names on screen: {leaked[:5]}"


LEADER_PAGES = [p for p in PAGES if LEADER.may_open(p.url_path)]


@pytest.mark.parametrize("spec", LEADER_PAGES, ids=[p.url_path for p in LEADER_PAGES])
def test_leader_sees_no_personal_data_on_any_page(app, demo_db, spec):
    hh = pd.read_sql(text("SELECT hh_id FROM household_current WHERE tier = '高' ORDER BY hh_id LIMIT 1"), demo_db)
    at = app(user=LEADER, hh=str(int(hh["hh_id"].iloc[0]))).run()
    at.switch_page(f"pages/{spec.file}").run()
    assert not at.exception
    _assert_no_personal_data(_rendered_text(at), demo_db, spec.url_path)


def test_meeting_screen_masks_even_for_staff(app, demo_db):
    for screens in (*view.SLIDES, "names"):
        at = app(user=STAFF_GZ, screens="newly" if screens == "names" else screens).run()
        at.session_state["meeting_names"] = screens == "names"  # the presenter asked for the (masked) list
        at.switch_page("pages/meeting.py").run()
        assert not at.exception
        rendered = _rendered_text(at)
        assert 'class="sn-meet"' in rendered
        _assert_no_personal_data(rendered, demo_db, f"meeting/{screens}")
        assert at.session_state["meeting_mode"] is True


@pytest.mark.parametrize("user", [
    User(21, "p", "省", "leader", "520000"), User(22, "f", "市", "staff", "520100"), User(23, "c", "县", "staff", "520102"),
    User(24, "a", "全国", "admin", "000000"),
], ids=["province", "prefecture", "county", "nation"])
def test_role_scope_matrix(app, demo_db, user):
    """Overview totals, the watchlist and its export equal SQL for exactly the user's scope, even when
    the URL asks for another region."""
    at = app(user=user, prov="440000", pref="440300").run()
    assert not at.exception
    level_col = {"000000": None, "520000": "prov_adcode", "520100": "pref_adcode", "520102": "adcode"}[user.scope]
    cond = "1 = 1" if level_col is None else f"{level_col} = :s"
    month = int(pd.read_sql(text("SELECT MAX(month) m FROM household_current"), demo_db)["m"].iloc[0])
    high = int(pd.read_sql(text(f"SELECT COUNT(*) n FROM household_current WHERE month = :m AND tier = '高' AND {cond}"),
                           demo_db, params={"m": month, "s": user.scope})["n"].iloc[0])
    if user.scope == "000000":  # a nationwide user may follow the link to 深圳
        high = int(pd.read_sql(text("SELECT COUNT(*) n FROM household_current WHERE month = :m AND tier = '高' "
                                    "AND pref_adcode = '440300'"), demo_db, params={"m": month})["n"].iloc[0])
    shown = next(m.value for m in at.metric if m.label == "高风险户")
    any_rows = int(pd.read_sql(text(f"SELECT COUNT(*) n FROM household_current WHERE {cond}"), demo_db,
                               params={"s": user.scope})["n"].iloc[0])
    expected = "—" if any_rows == 0 else f"{high:,}"  # an area with no files at all shows "—", not 0
    assert shown == expected

    at.switch_page("pages/watchlist.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    adcodes = pd.read_sql(text("SELECT h.file_no, r.prov_adcode, r.pref_adcode, r.adcode FROM household h "
                               "JOIN region r ON r.adcode = h.adcode"), demo_db).set_index("file_no")
    if level_col:
        assert (adcodes.reindex(table["file_no"])[level_col] == user.scope).all()
    region = user.scope if user.scope != "000000" else "440300"
    level = {"000000": 0, "520000": 1, "520100": 2, "520102": 3, "440300": 2}[region]
    query = WatchlistQuery(Filters(region=region, scope=user.scope), level, month)
    data = wl_controls.build_export(demo_db, query, user.username, "h", "csv", unmasked=False, view_query="",
                                    region=region, scope=user.scope)
    assert len(data.decode("utf-8-sig").splitlines()) == watchlist.count(demo_db, query) + 2


HOSTILE = ["' OR '1'='1", "1; DROP TABLE household; --", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")",
           "../../etc/passwd", "%00", "520000' UNION SELECT password_hash FROM app_user --"]
URL_KEYS = ("prov", "pref", "county", "pop", "cat", "lang", "tier", "factor", "site", "ind", "wflag", "new", "sort",
            "page", "hh", "metric", "month", "series", "split", "view", "industry", "screens", "every", "theme")


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_hostile_url_parameters_change_nothing(app, demo_db, spec):
    """Every known URL parameter gets a hostile value (rotated so each key sees each kind)."""
    for shift in range(0, len(HOSTILE), 3):
        query = {key: HOSTILE[(i + shift) % len(HOSTILE)] for i, key in enumerate(URL_KEYS)}
        at = app(**query).run()
        at.switch_page(f"pages/{spec.file}").run()
        assert not at.exception, (spec.url_path, query)
        rendered = _rendered_text(at)
        assert "<script>" not in rendered, spec.url_path
        assert "$argon2" not in rendered
    with demo_db.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM household")).scalar() == 600
