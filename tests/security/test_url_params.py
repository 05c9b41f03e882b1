"""URL parameters with hostile values (issue 17 §1; what to build 1–2).

The parsers of safetynet.urlparams on their own: canonical values accepted, everything else refused, nothing
raised. Then every page through AppTest from app.py, signed in as a provincial user on the demo database
(SQLite and PostgreSQL): each hostile value in every URL parameter the page reads, and ids of another region
shown exactly like ids that do not exist.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from sqlalchemy import text
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from safetynet import urlparams as up
from safetynet.auth import User
from safetynet.casework import CaseworkRefused, execute
from safetynet.casework import commands as C
from safetynet.db import casework as store
from safetynet.i18n.en import EN
from safetynet.ui import frame
from safetynet.ui.registry import PAGES
from safetynet.urlparams import Refusal

PROVINCE = "520000"
STAFF = User(user_id=0, username="url_staff_gz", display_name="贵州工作人员", role="staff", scope=PROVINCE)
ADMIN = User(user_id=0, username="url_admin_gz", display_name="贵州管理员", role="admin", scope=PROVINCE)

# ---------------------------------------------------------------- the parsers
NOT_CANONICAL = [
    "", " ", "１２３", "١٢٣", "𝟏𝟐", "²", "12²", "-1", "+1", "01081", "00", "1.0", "1e3", "0x1F", "1_000", "1,000",
    " 1", "1 ", "\t1", "1\n", "\n1", "1\x00", "\x00", "1' OR '1'='1", "1; DROP TABLE household;--", "1 OR 1=1",
    "\u202e1", "1\u202e", "\u200b1", "9" * 19, "9" * 20, "9" * 5000, "١", "一",
]


@pytest.mark.parametrize("raw", ["1", "7", "10", "1081", "123456789012345678", "999999999999999999"])
def test_canonical_ids_are_accepted(raw):
    assert up.parse_id(raw) == int(raw)
    assert up.parse_count(raw) == int(raw)


@pytest.mark.parametrize("raw", NOT_CANONICAL + ["0", None, 12, b"12", ["12"]])
def test_anything_else_is_refused_as_an_id(raw):
    assert up.parse_id(raw, up.INVALID_HOUSEHOLD) == Refusal(up.INVALID_HOUSEHOLD)


def test_counts_accept_zero_but_nothing_else_non_canonical():
    assert up.parse_count("0") == 0
    assert all(isinstance(up.parse_count(raw), Refusal) for raw in NOT_CANONICAL)


def test_an_accepted_id_fits_a_64_bit_integer():
    assert up.parse_id("9" * up.ID_DIGITS) < 2 ** 63
    assert isinstance(up.parse_id("9" * (up.ID_DIGITS + 1)), Refusal)


@pytest.mark.parametrize("raw", ["520000", "520102", "000000", "441900"])
def test_canonical_adcodes_are_accepted(raw):
    assert up.parse_adcode(raw) == raw


@pytest.mark.parametrize("raw", NOT_CANONICAL + ["52010", "5201020", "52010２", " 520102", "520102 ", "520102\x00",
                                                 "\u202e520102", "52 0102", "-52010", "52010a", None])
def test_other_adcodes_are_refused(raw):
    assert up.parse_adcode(raw) == Refusal(up.INVALID_ADCODE)


@pytest.mark.parametrize("raw, month", [("202410", 202410), ("2024-10", 202410), ("200001", 200001),
                                        ("2099-12", 209912), ("2026-01", 202601)])
def test_canonical_months_are_accepted(raw, month):
    assert up.parse_month(raw) == month


@pytest.mark.parametrize("raw", NOT_CANONICAL + ["202413", "202400", "2024-00", "2024-1", "20241", "2024/10",
                                                 "2024-10-01", "199912", "210001", "２０２４１０", "-202410",
                                                 "2024--10", "2024-10\n", "2024 10", None])
def test_other_months_are_refused(raw):
    assert up.parse_month(raw) == Refusal(up.INVALID_MONTH)


def test_choices_are_exact_values_of_their_set():
    allowed = {"score", "r", "file"}
    assert up.parse_choice("score", allowed) == "score"
    for raw in NOT_CANONICAL + ["Score", "score ", " score", "score\x00", "\u202escore", None]:
        assert up.parse_choice(raw, allowed) == Refusal(up.INVALID_CHOICE)
    assert up.parse_choice_list("kpi,map", ["kpi", "map", "trend"]) == ["kpi", "map"]
    for raw in ["", ",", "kpi,", "kpi,,map", "kpi,MAP", "kpi, map", "kpi;map", "kpi,map\x00", None]:
        assert up.parse_choice_list(raw, ["kpi", "map"]) == Refusal(up.INVALID_CHOICE)


def test_flags_are_one_or_zero():
    assert up.parse_flag("1") is True and up.parse_flag("0") is False
    for raw in NOT_CANONICAL + ["true", "yes", "01", "１", None]:
        assert up.parse_flag(raw) == Refusal(up.INVALID_FLAG)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(hs.one_of(hs.text(max_size=40), hs.text(alphabet="0123456789-０１²٣ \x00", max_size=30)))
def test_no_parser_raises_and_what_it_accepts_is_canonical(raw):
    parsers = [up.parse_id, up.parse_count, up.parse_adcode, up.parse_month, up.parse_flag,
               lambda r: up.parse_choice(r, {"a", "b"}), lambda r: up.parse_choice_list(r, {"a", "b"})]
    for parse in parsers:
        value = parse(raw)
        assert isinstance(value, Refusal) or raw.isascii() and raw == raw.strip()
    if not isinstance(value := up.parse_id(raw), Refusal):
        assert str(value) == raw and 0 < value < 2 ** 63


def test_every_refusal_is_chinese_with_english():
    for message in up.MESSAGES:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
        assert message in EN


# ---------------------------------------------------------------- every page, every parameter
FRAME = ("lang", "prov", "pref", "county", "pop", "cat")  # the shared sidebar: read on every page
PAGE_KEYS = {
    "overview.py": (), "map.py": ("metric", "month", "sites"), "trends.py": ("series", "split", "view", "migrant"),
    "sites.py": ("sort", "site"), "industries.py": ("industry",), "migrants.py": (),
    "my_work.py": ("lstatus", "mine", "overdue", "lead"),
    "watchlist.py": ("tier", "factor", "site", "ind", "wflag", "new", "sort", "page"),
    "household.py": ("hh",), "meeting.py": ("screens", "every", "theme"),
    "users.py": (), "audit.py": (), "data_admin.py": (),
}
ADMIN_ONLY = ("users.py", "audit.py", "data_admin.py")
HOSTILE = {
    "20digits": "9" * 20, "5000digits": "9" * 5000, "superscript": "²", "fullwidth": "１２３", "sign": "-1",
    "leading0": "01081", "nul": "1\x00", "sql": "1' OR '1'='1", "rtl": "\u202e1", "empty": "",
}
# pages that read only the shared sidebar's parameters get a few values (the overview gets them all)
FRAME_ONLY = ("migrants.py", "users.py", "audit.py", "data_admin.py")
SWEEP = [(page, name) for page in PAGE_KEYS for name in HOSTILE
         if page not in FRAME_ONLY or name in ("20digits", "superscript", "sql")]
# the words each kind of parameter is refused with (Chinese, written out here: not read from the code)
REFUSED_AS = {
    **dict.fromkeys(("prov", "pref", "county"), "链接中的地区代码无效"), "month": "链接中的月份无效",
    **dict.fromkeys(("site", "page"), "链接中的编号无效"), "every": "链接中的数值无效",
    **dict.fromkeys(("sites", "mine", "overdue"), "链接中的开关设置无效"),
    "hh": "链接中的档案编号无效", "lead": "链接中的线索编号无效", "screens": "链接中的页面名称无效",
}
CJK = lambda s: any("\u4e00" <= ch <= "\u9fff" for ch in s)  # noqa: E731


def open_page(app, page: str, params: dict[str, str]) -> AppTest:
    """A signed-in session's first run on `page` with exactly `params` in its URL: a link pasted into a new tab."""
    at = app(user=ADMIN if page in ADMIN_ONLY else STAFF, **params)
    url_path = next(spec.url_path for spec in PAGES if spec.file == page)
    if url_path == page.removesuffix(".py"):
        at.switch_page(f"pages/{page}")  # before the first run AppTest hashes the file name, as st.Page its url_path
    else:
        at._page_hash = calc_hash(url_path)  # data_admin.py is /data: the hash st.Page gives that page
    return at.run()


def messages(at: AppTest) -> list[str]:
    return [m.value for m in [*at.warning, *at.error]]


def assert_page_drawn(at: AppTest, page: str) -> None:
    assert not at.exception, at.exception
    if page == "meeting.py":
        assert any('class="sn-meet"' in m.value for m in at.markdown)
    else:
        assert at.title and CJK(at.title[0].value)


@pytest.mark.parametrize("page, name", SWEEP, ids=[f"{p[:-3]}-{n}" for p, n in SWEEP])
def test_every_parameter_of_every_page_refuses_a_hostile_value(app, page, name):
    at = open_page(app, page, dict.fromkeys(FRAME + PAGE_KEYS[page], HOSTILE[name]))
    assert_page_drawn(at, page)
    shown = messages(at)
    assert any("链接中的" in m for m in shown), shown  # at least the province (fixed by the scope) is refused
    assert all(CJK(m) and "Traceback" not in m and "Error" not in m for m in shown), shown


CASES = [(page, key) for page, keys in PAGE_KEYS.items() if page not in ADMIN_ONLY for key in keys]
CASES += [("overview.py", key) for key in FRAME]


@pytest.mark.parametrize("page, key", CASES, ids=[f"{p[:-3]}-{k}" for p, k in CASES])
def test_each_parameter_says_why_its_value_was_refused(app, page, key):
    params = {key: "²"}
    if key == "county":  # a county is read once a prefecture is chosen
        params["pref"] = "520100"
    if key == "cat":
        params["pop"] = "worker"
    at = open_page(app, page, params)
    assert_page_drawn(at, page)
    expected = REFUSED_AS.get(key, "链接中的选项无效")
    assert [m for m in messages(at) if "链接中的" in m] == [m for m in messages(at) if expected in m] != [], \
        messages(at)


# ---------------------------------------------------------------- another region's ids look missing
def _first(engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), {"p": PROVINCE[:2] + "%"}).scalar())


def test_a_household_of_another_region_reads_exactly_like_a_missing_one(app, demo_db):
    inside = _first(demo_db, "SELECT MIN(hh_id) FROM household WHERE adcode LIKE :p")
    elsewhere = _first(demo_db, "SELECT MIN(hh_id) FROM household WHERE adcode NOT LIKE :p")
    missing = _first(demo_db, "SELECT MAX(hh_id) + 1 FROM household WHERE adcode LIKE :p OR 1 = 1")
    shown = {}
    for label, hh in (("inside", inside), ("elsewhere", elsewhere), ("missing", missing),
                      ("largest", 10 ** up.ID_DIGITS - 1)):
        at = open_page(app, "household.py", {"hh": str(hh)})
        assert_page_drawn(at, "household.py")
        shown[label] = (messages(at), len(at.dataframe))
    assert shown["inside"] == ([], shown["inside"][1]) and shown["inside"][1] > 0  # the control: a file is shown
    assert shown["elsewhere"] == shown["missing"] == shown["largest"] == (["没有这户档案，或不在您的管辖范围内。"], 0)


@pytest.mark.parametrize("typed", ["elsewhere", "nul", "long"])
def test_a_file_number_typed_in_the_search_box_finds_nothing_outside_scope(app, demo_db, monkeypatch, typed):
    """The household file's own search (a widget, not the URL): another region's number, a NUL (which PostgreSQL
    refuses in any text) and 5,000 characters are each answered like an unknown number, without an error."""
    # AppTest starts every run in legacy multipage mode, so frame.ensure_routed reruns it once, and a form's
    # submit (a trigger) is gone by the rerun; a real server leaves that mode once, at its first request
    monkeypatch.setattr(frame, "ensure_routed", lambda: None)
    with demo_db.connect() as conn:
        other = conn.execute(text("SELECT file_no FROM household WHERE adcode NOT LIKE :p ORDER BY hh_id"),
                             {"p": PROVINCE[:2] + "%"}).scalar()
    value = {"elsewhere": other, "nul": other[:6] + "\x00", "long": "5" * 5000}[typed]
    at = open_page(app, "household.py", {})
    at.text_input(key="hh_file_no").set_value(value)
    at = next(b for b in at.button if b.label == "打开档案").click().run()
    assert_page_drawn(at, "household.py")
    assert messages(at) == [f"未找到档案编号 {value.strip()}"] and not at.dataframe


def test_a_lead_of_another_region_reads_exactly_like_a_missing_one(app, demo_db):
    # a closed lead: the default list shows open ones only, so the link alone brings it up
    inside = _first(demo_db, "SELECT MIN(lead_id) FROM lead WHERE adcode LIKE :p AND status = '已办结'")
    elsewhere = _first(demo_db, "SELECT MIN(lead_id) FROM lead WHERE adcode NOT LIKE :p")
    missing = _first(demo_db, "SELECT MAX(lead_id) + 1 FROM lead WHERE adcode LIKE :p OR 1 = 1")
    shown = {}
    for label, lead in (("inside", inside), ("elsewhere", elsewhere), ("missing", missing)):
        at = open_page(app, "my_work.py", {"lead": str(lead)})
        assert_page_drawn(at, "my_work.py")
        shown[label] = (messages(at), at.selectbox(key="lead").value)
    assert shown["inside"] == ([], str(inside))  # the control: the linked lead is opened
    assert shown["elsewhere"] == shown["missing"] == (["没有这条线索，或不在您的管辖范围内"], "")


def test_an_elimination_request_of_another_region_is_not_found(demo_db):
    """Deciding a request is scoped in its query: another region's request is refused like a missing one."""
    with demo_db.connect() as conn:
        rows = conn.execute(text("SELECT r.request_id, h.adcode FROM elimination_request r "
                                 "JOIN household h ON h.hh_id = r.hh_id ORDER BY r.request_id")).all()
        top = conn.execute(text("SELECT MAX(request_id) FROM elimination_request")).scalar()
        elsewhere = next(r for r, adcode in rows if not adcode.startswith(PROVINCE[:2]))
        own = next((r for r, adcode in rows if adcode.startswith(PROVINCE[:2])), None)
        assert store.request_in_scope(conn, elsewhere, PROVINCE[:2]) is None
        assert store.request_in_scope(conn, top + 1, PROVINCE[:2]) is None
        assert store.request_in_scope(conn, elsewhere, "")["request_id"] == elsewhere  # the control
        if own is not None:
            assert store.request_in_scope(conn, own, PROVINCE[:2])["request_id"] == own
    refusals = []
    for request_id in (elsewhere, top + 1):
        with pytest.raises(CaseworkRefused) as refused:
            execute(demo_db, STAFF, C.ConfirmElimination(request_id, 1))
        refusals.append((type(refused.value), refused.value.message))
    assert refusals[0] == refusals[1] and refusals[0][1] == "没有这户档案，或不在您的管辖范围内"
