"""Stored text is text (issue 17 §2): Markdown, HTML, formulas and bidi overrides written into every stored text
field never render as an image, a link, emphasis or a heading, on any page — and are still shown, as text.

A demo database on SQLite and PostgreSQL is poisoned the ways a hostile or careless writer could: a real import
with a hostile file name, header and values (batch, rejects, address), and then every text column of every
table set to hostile strings (names, addresses, notes, lead texts, plan items, helpers, follow-ups, status notes,
eliminations, attachments, saved views, users' display names, audit targets and unmask reasons, batch messages
and the scores' reasons — the shared database is written by other systems too, docs/schema.md). Each value
carries a tag (Z07Z) so a test can tell that its field is still shown. Every page then runs in AppTest signed
in as a nationwide administrator whose own display name is hostile, with the household file and the lead
opened on poisoned objects and names unmasked with a hostile reason; every string of every element is read
from the protobuf the browser would get.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace

import openpyxl
import pytest
from sqlalchemy import Engine, insert, select, text

from safetynet import i18n
from safetynet.config import REPO_ROOT
from safetynet.db import dispose, get_engine, migrate
from safetynet.db.schema import app_user
from safetynet.demo.generate import DemoConfig, generate
from safetynet.i18n import t
from safetynet.ingest import import_file, report
from safetynet.text import Markdown, md, plain, unescape
from safetynet.ui.registry import PAGES
from tests.conftest import TEST_ADMIN, PgServer, db_url

try:  # the sign-in state of the session work (every rerun checks the account)
    from tests.conftest import signed_in
except ImportError:
    def signed_in(engine: Engine, user):
        """ui.session's state for `user` signed in now; the account is made the first time (no password)."""
        with engine.begin() as conn:
            row = conn.execute(select(app_user.c.user_id, app_user.c.session_epoch)
                               .where(app_user.c.username == user.username)).first()
            if row is None:
                row = (conn.execute(insert(app_user).values(
                    username=user.username, display_name=user.display_name, role=user.role,
                    scope_adcode=user.scope, active=True, failed_attempts=0,
                    created_at=dt.datetime.now().replace(microsecond=0)).returning(app_user.c.user_id)).scalar_one(), 0)
        now = dt.datetime.now()
        return {"user": replace(user, user_id=int(row[0])), "epoch": int(row[1]), "at": now, "seen": now}

IP = "198.51.100.7"
IMG = f"![x](http://{IP}/p.png)"
LINK = f"[a](http://{IP})"
HTML = f"<img src=http://{IP}/q.png>"
FORMULA = f'=HYPERLINK("http://{IP}")'
RTL = "\u202e"
REST = f"{RTL}**bold** $x$\n# header"
HOSTILE = [IMG, LINK, HTML, FORMULA, RTL, "**bold**", "# header", "$x$"]


def hostile(tag: str, width: int) -> str:
    """A hostile value of at most `width` characters, starting with its tag."""
    if width <= 32:
        return f"{tag}![x](http://{IP}/p)"[:width]
    if width <= 64:
        return f"{tag} {IMG} {LINK}"[:width]
    if width <= 128:
        return f"{tag} {IMG} {LINK} {HTML} {RTL}**bold**"[:width]
    return f"{tag} {IMG} {LINK} {HTML} {FORMULA} {REST}"


# (table, column, width): every free-text column a person or a file can fill; codes are validated on the way in
FIELDS = [
    ("household", "address", 255), ("household", "close_reason", 32),
    ("person", "name", 32),
    ("union_org", "name", 128), ("employer", "name", 128), ("relocation_site", "name", 128),
    ("helper", "name", 64), ("helper", "unit", 128),
    ("risk_event", "note", 255), ("followup", "finding", 255), ("followup", "visitor", 64),
    ("household_status", "note", 255),
    ("lead", "applicant_name", 32), ("lead", "reason", 255), ("lead", "check_by", 64),
    ("lead", "check_finding", 255), ("lead", "decision_reason", 255),
    ("plan_item", "responsible", 64), ("plan_item", "note", 255),
    ("elimination_request", "decision_note", 255), ("elimination_request", "proposed_by", 64),
    ("elimination_request", "decided_by", 64),
    ("import_batch", "file_name", 255), ("import_batch", "message", 255), ("import_batch", "user_name", 64),
    ("import_reject", "column_name", 64), ("import_reject", "value", 255), ("import_reject", "reason", 255),
    ("audit_log", "target", 128),
    ("data_version", "note", 255), ("work_calendar", "name", 32),
    ("household_current", "reasons", 255), ("household_current", "reasons_en", 255),
    ("app_user", "display_name", 64),
]
TAGS = {(table, column): f"Z{i:02d}Z" for i, (table, column, _) in enumerate(FIELDS)}
TAG_FILE_NO, TAG_VIEW, TAG_REASON, TAG_ME, TAG_ATTACHMENT, TAG_DETAIL = "Y01Y", "Y02Y", "Y03Y", "Y04Y", "Y05Y", "Y06Y"
TAG_IMPORT = "Y07Y"  # the imported file's name, header and values (before the columns are overwritten)
POISON_ADMIN = replace(TEST_ADMIN, username="poison_admin", display_name=hostile(TAG_ME, 64))


def _tag(table: str, column: str) -> str:
    return TAGS[(table, column)]


# ---------------------------------------------------------------- the escaping itself (pure)
@pytest.mark.parametrize("value", HOSTILE + [f"{IMG}\n- {LINK}\n1. x\n===", "a@b.cn www.x.org", "\\![x](y)"])
def test_plain_leaves_nothing_markdown_would_act_on(value):
    escaped = plain(value)
    assert isinstance(escaped, Markdown)
    assert not markdown_hazards(escaped), (value, escaped)
    assert _unescaped(escaped).replace("\u200b", "") == _shown(value)  # every visible character kept


def test_plain_keeps_ordinary_text_and_file_numbers_as_they_are():
    for value in ("520102-N00000123", "张三 · 2026年10月5日", "收入/线 0.85", "12,345"):
        assert plain(value) == value


def test_plain_is_idempotent_and_t_escapes_only_values():
    assert plain(plain(IMG)) == plain(IMG)
    assert t("已保存：{name}", name=IMG) == "已保存：" + plain(IMG)
    assert t("**{n}** 条线索 · 我的 {mine}（逾期 {late}）· 待分派 {free}", n=3, mine=1, late=0, free=2).startswith("**3**")
    assert t("已保存：{name}", name=t("已保存：{name}", name=IMG)) == "已保存：已保存：" + plain(IMG)  # no double escape
    assert t("已保存：{name}", name=md("**x**")) == "已保存：**x**"
    assert t(IMG) == plain(IMG)  # a stored value used as a key is not catalogue text
    assert i18n.t_text("已保存：{name}", name=IMG) == "已保存：" + IMG  # plain-text destinations: as it is
    assert plain(ValueError(IMG)) == plain(IMG) and plain(ValueError(t("已保存：{name}", name=IMG))) == t(
        "已保存：{name}", name=IMG)


def _unescaped(escaped: str) -> str:
    return re.sub(r"\\(.)", r"\1", escaped)


def _shown(value: str) -> str:
    return value.replace(RTL, "\ufffd")


def markdown_hazards(body: str) -> list[str]:
    """What in `body` Markdown (CommonMark + GFM + Streamlit's directives and maths) would act on."""
    found = []
    for at in range(len(body)):
        if _escaped(body, at):
            continue
        if body.startswith("![", at):
            found.append("image")
        if body.startswith("](", at):
            found.append("link")
        if body.startswith(("<img", "<a ", "<IMG"), at):
            found.append("html")
    for needle, name in (("http://", "bare link"), ("https://", "bare link"), ("www.", "bare link"),
                         ("**bold**", "emphasis"), ("$x$", "maths"), (RTL, "bidi override")):
        if needle in body:
            found.append(name)
    if re.search(r"(?m)^[ \t]*#+ header", body):  # the stored "# header" (our own headings are ours)
        found.append("heading")
    return found


def _escaped(body: str, at: int) -> bool:
    slashes = 0
    while at - slashes - 1 >= 0 and body[at - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


# ---------------------------------------------------------------- the poisoned database
@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def poisoned(request, pg_server: PgServer | None, tmp_path_factory) -> Iterator[dict]:
    """A demo database with hostile text in every stored text field; what the tests open on it."""
    if request.param == "postgres":
        if pg_server is None:
            pytest.skip("PostgreSQL tests need SAFETYNET_TEST_PG_URL")
        url = pg_server.new_database("poison")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('poison') / 'poison.db'}"
    engine = get_engine(url)
    migrate.upgrade(engine)
    generate(engine, DemoConfig(households=200, months=18, seed=7))
    objects = poison(engine)
    yield {"engine": engine, **objects}
    dispose(url)


def poison(engine: Engine) -> dict:
    me = signed_in(engine, POISON_ADMIN)["user"]
    county = _scalar(engine, "SELECT adcode FROM household ORDER BY hh_id LIMIT 1")
    name = f"{TAG_IMPORT} {IMG} {LINK}.csv"
    header = "档案编号,对象类型,职工类别,区县代码,档案状态,发现渠道,认定日期,家庭住址," + f"{TAG_IMPORT}{IMG}"
    rows = [f"{county}-P0000001,困难职工,1,{county},在档,职工申请,2026-01-05,{TAG_IMPORT} {IMG} {HTML},x",
            f"{county}-P0000002,{TAG_IMPORT}{LINK},1,{county},在档,职工申请,2026-01-05,x,x",
            # values a spreadsheet would run: they come back in the downloadable problem list
            f'{county}-P0000003,"{FORMULA.replace(chr(34), chr(34) * 2)}",1,{county},在档,职工申请,2026-01-05,x,x',
            f"{county}-P0000004,困难职工,＝1+2,{county},在档,职工申请,2026-01-05,x,x",
            f"{county}-P0000005,困难职工,1,{county},在档,　@SUM(A1),2026-01-05,x,x"]
    result = import_file(engine, ("\n".join([header, *rows]) + "\n").encode("utf-8"), name, kind="households",
                         mode="partial", user=me.username, scope="000000")
    with engine.begin() as conn:
        for table, column, width in FIELDS:
            conn.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": hostile(_tag(table, column), width)})
        # one number per file (file_no is unique); a hostile file number is what a form or a file could hold
        # a link Plotly would draw in a figure (site names label the sites' bars)
        conn.execute(text("UPDATE relocation_site SET name = :v"),
                     {"v": f'{_tag("relocation_site", "name")} <a href="http://{IP}/s">s</a> {IMG}'})
        conn.execute(text("UPDATE household SET file_no = :v || CAST(hh_id AS VARCHAR(8))"),
                     {"v": f"{TAG_FILE_NO}{LINK}"})
        checklist = json.dumps([{"key": "assisted", "ok": True, "text": hostile(TAG_DETAIL, 255)}], ensure_ascii=False)
        conn.execute(text("UPDATE elimination_request SET checklist = :v"), {"v": checklist})
        now = dt.datetime.now().replace(microsecond=0)
        hh_id = _busiest_household(conn)
        conn.execute(text("INSERT INTO audit_log (at, user_name, action, target, detail) VALUES "
                          "(:at, :u, 'unmask', :target, :detail)"),
                     {"at": now, "u": me.username, "target": f"household-{hh_id}",
                      "detail": json.dumps({"reason": hostile(TAG_REASON, 255), "households": [hh_id]},
                                           ensure_ascii=False)})
        conn.execute(text("INSERT INTO saved_view (name, page, query, owner, created_at, shared, scope_adcode) "
                          "VALUES (:n, 'watchlist', 'tier=%E9%AB%98', :o, :at, :f, '000000')"),
                     {"n": hostile(TAG_VIEW, 64), "o": me.username, "at": now, "f": False})
        conn.execute(text("INSERT INTO attachment (hh_id, file_name, mime, size, sha256, content, uploaded_by, "
                          "uploaded_at) VALUES (:h, :n, 'text/plain', 1, :s, :c, :u, :at)"),
                     {"h": hh_id, "n": hostile(TAG_ATTACHMENT, 255), "s": "0" * 64, "c": b"x", "u": me.username,
                      "at": now})
        lead_id = conn.execute(text("SELECT MIN(lead_id) FROM lead WHERE status = '待决定'")).scalar() or \
            conn.execute(text("SELECT MIN(lead_id) FROM lead WHERE status <> '已办结'")).scalar()
        conn.execute(text("UPDATE data_version SET version = version + 1"))
        site_id = conn.execute(text("SELECT site_id FROM household WHERE site_id IS NOT NULL GROUP BY site_id "
                                    "ORDER BY COUNT(*) DESC, site_id LIMIT 1")).scalar()
    return {"hh_id": int(hh_id), "lead_id": int(lead_id), "site_id": int(site_id), "import": result}


def _busiest_household(conn) -> int:
    """A file with a site, a union, a plan, a helper, follow-ups and status changes: the most stored text on one
    screen (the site and union are required: which file is busiest changes with the demo's data)."""
    return int(conn.execute(text(
        "SELECT h.hh_id FROM household h "
        "LEFT JOIN plan_item p ON p.hh_id = h.hh_id LEFT JOIN pairing r ON r.hh_id = h.hh_id "
        "LEFT JOIN followup f ON f.hh_id = h.hh_id LEFT JOIN household_status s ON s.hh_id = h.hh_id "
        "WHERE h.site_id IS NOT NULL AND h.org_id IS NOT NULL "
        "GROUP BY h.hh_id ORDER BY COUNT(DISTINCT p.item_id) + COUNT(DISTINCT r.pairing_id) "
        "+ COUNT(DISTINCT f.followup_id) + COUNT(s.hh_id) DESC, h.hh_id LIMIT 1")).scalar())


def _scalar(engine: Engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


# ---------------------------------------------------------------- reading what a page sends to the browser
# (element type, field) pairs that the browser shows as plain text, never as Markdown
PLAIN_FIELDS = {("text", "body"), ("code", "code_text"), ("selectbox", "options"), ("selectbox", "raw_values"),
                ("selectbox", "default"), ("selectbox", "raw_value"), ("multiselect", "options"), ("multiselect", "raw_values"),
                ("text_input", "value"), ("text_input", "default"), ("text_area", "value"), ("text_area", "default"),
                ("plotly_chart", "spec"), ("plotly_chart", "figure"), ("deck_gl_json_chart", "json"),
                ("deck_gl_json_chart", "tooltip"), ("arrow_data_frame", "data"), ("arrow_data_frame", "columns"),
                ("download_button", "url")}
PLAIN_TYPES = {"arrow_data_frame", "plotly_chart", "deck_gl_json_chart", "vega_lite_chart", "json"}


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _strings(message, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string field of a protobuf message, with its dotted path (bytes are skipped)."""
    for field, value in message.ListFields():
        where = f"{path}.{field.name}" if path else field.name
        repeated = hasattr(value, "__len__") and not isinstance(value, str | bytes) and not hasattr(value, "ListFields")
        values = value if repeated else [value]
        for item in values:
            if isinstance(item, str):
                yield where, item
            elif hasattr(item, "ListFields"):
                yield from _strings(item, where)


def page_strings(at) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(type, field, text) of every Markdown-rendered string, and every plain-text string (tables included)."""
    rendered, plain_text, figures = [], [], []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        for where, value in _strings(proto):
            field = where.split(".")[0]
            if kind == "plotly_chart":
                figures.extend(_figure_strings(value))
            if kind in PLAIN_TYPES or (kind, field) in PLAIN_FIELDS or field in ("id", "form_id", "key"):
                plain_text.append(value)
            else:
                rendered.append((kind, where, value))
    for frame in at.dataframe:
        value = frame.value
        data = value.data if hasattr(value, "data") else value  # a Styler shows its data
        plain_text.extend(str(c) for c in data.columns)
        plain_text.extend(str(v) for v in data.astype(str).to_numpy().ravel())
    at.figures = figures  # Plotly's JSON: it makes links of <a href> in its text
    return rendered, plain_text


def _is_json(value: str) -> bool:
    """A chart's JSON (its own escapes are JSON's); figures are read through _figure_strings."""
    try:
        return isinstance(json.loads(value), dict | list)
    except ValueError:
        return False


def _figure_strings(value: str) -> list[str]:
    """The strings of a figure's JSON as the browser reads them (Plotly writes < as \\u003c)."""
    try:
        decoded = json.loads(value)
    except ValueError:
        return [value]
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(decoded)
    return found


def run_page(poisoned: dict, page: str, monkeypatch, lang: str = "zh"):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(poisoned["engine"]))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    i18n.set_lang(lang)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=90)
    if lang != "zh":
        at.query_params["lang"] = lang
    if page == "meeting.py":  # the slide with stored text (names, places, reasons), asked for by the presenter
        at.query_params["screens"] = "newly"
        at.session_state["meeting_names"] = True
    if page == "household.py":
        at.query_params["hh"] = str(poisoned["hh_id"])
    if page == "my_work.py":
        at.query_params["lead"] = str(poisoned["lead_id"])
    if page == "sites.py":
        at.query_params["site"] = str(poisoned["site_id"])
    at.session_state["auth"] = signed_in(poisoned["engine"], POISON_ADMIN)
    reason = hostile(TAG_REASON, 200)  # the unmask reason a user types, shown back on the screen
    at.session_state[f"unmask_reason_household-{poisoned['hh_id']}"] = reason
    at.session_state["unmask_reason_watchlist"] = reason
    if page == "data_admin.py":  # the screen after the hostile import (AppTest cannot upload: its result is set)
        at.session_state["da_done"] = poisoned["import"]
    at.run()
    at.switch_page(f"pages/{page}").run()
    return at


# the fields each screen must still show (as text): a field dropped from the screen would pass the scan
EXPECTED = {
    "household.py": [("relocation_site", "name"), ("union_org", "name"),
                     ("helper", "unit"), ("plan_item", "responsible"), ("plan_item", "note"),
                     ("followup", "finding"), ("followup", "visitor"), ("person", "name"),
                     ("household_current", "reasons"), TAG_FILE_NO, TAG_REASON],
    "my_work.py": [("lead", "reason"), TAG_FILE_NO],
    "sites.py": [("relocation_site", "name")],
    "watchlist.py": [TAG_FILE_NO, TAG_VIEW, TAG_REASON, ("household_current", "reasons")],
    "meeting.py": [("household_current", "reasons")],
    "users.py": [("app_user", "display_name")],
    "audit.py": [("audit_log", "target"), TAG_REASON],
    "data_admin.py": [TAG_IMPORT, ("import_batch", "file_name"), ("import_reject", "reason"), ("import_reject", "value"),
                      ("import_reject", "column_name")],
}


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_no_page_renders_stored_text_as_markdown(poisoned, spec, monkeypatch):
    at = run_page(poisoned, spec.file, monkeypatch)
    assert not at.exception, "\n".join(line for e in at.exception for line in e.stack_trace)
    rendered, plain_text = page_strings(at)
    offenders = [(kind, where, hazards, value[:160]) for kind, where, value in rendered
                 if (hazards := markdown_hazards(value))]
    assert offenders == []
    shown = " ".join(value for _, _, value in rendered) + " " + " ".join(plain_text)
    assert TAG_ME in shown  # the sidebar's user badge, on every page
    for field in EXPECTED.get(spec.file, []):
        tag = field if isinstance(field, str) else _tag(*field)
        assert tag in shown, (field, spec.file)
    # where text is shown as text (tables, select options, st.text), it is shown as written: not escaped
    escaped_leaks = [v[:160] for v in plain_text if not _is_json(v) and re.search(r"\\[!-/:-@\[-`{-~]", v)]
    assert escaped_leaks == []
    assert [f for f in at.figures if "<a " in f or "<img" in f] == []  # stored text in a figure is not HTML
    # nor Markdown-escaped: a figure shows backslashes (and Plotly's %{y:,} would break)
    assert [f[:160] for f in at.figures if re.search(r"\\[!-/:-@\[-`{-~]", f)] == []


@pytest.mark.parametrize("page", ["household.py", "data_admin.py", "my_work.py"])
def test_english_screens_show_stored_text_as_text_too(poisoned, page, monkeypatch):
    at = run_page(poisoned, page, monkeypatch, lang="en")
    try:
        assert not at.exception, "\n".join(line for e in at.exception for line in e.stack_trace)
        rendered, _ = page_strings(at)
        assert [(k, w, v[:160]) for k, w, v in rendered if markdown_hazards(v)] == []
        assert any(TAG_ME in v for _, _, v in rendered)
    finally:
        i18n.set_lang("zh")


def test_the_escaped_text_reads_as_written(poisoned, monkeypatch):
    """The household file's caption shows the poisoned area line escaped, and unescaped it reads as stored."""
    at = run_page(poisoned, "household.py", monkeypatch)
    rendered, _ = page_strings(at)
    reason = hostile(TAG_REASON, 200)
    bodies = [_unescaped(v).replace("\u200b", "") for _, _, v in rendered]
    assert any(_shown(reason) in body for body in bodies)


def test_exports_never_hand_a_spreadsheet_a_formula(poisoned):
    """The downloadable problem list of the hostile import (CSV and Excel): every value a spreadsheet would run
    as a formula — also after a blank, or in full width — starts with an apostrophe, and is still there."""
    result = poisoned["import"]
    rejects = result.rejects()
    as_csv = report.rejects_csv(rejects, "管理员", result.file_name).decode("utf-8-sig")
    csv_cells = [cell for row in csv.reader(io.StringIO(as_csv)) for cell in row]
    book = openpyxl.load_workbook(io.BytesIO(report.rejects_xlsx(rejects, "管理员", result.file_name)))
    xlsx_cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    starts = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
    for cells in (csv_cells, xlsx_cells):
        assert [c for c in cells if c.lstrip(" \u3000").startswith(starts)] == []
        for value in (FORMULA, "＝1+2", "@SUM(A1)"):
            assert "'" + value in cells, value


def test_the_command_line_prints_text_not_markdown(poisoned, capsys):
    """A terminal is a plain-text destination: a refusal made with t() is printed unescaped."""
    from safetynet.cli import main

    assert main(["--db", db_url(poisoned["engine"]), "users", "disable", "no_such_user_x"]) == 2
    err = capsys.readouterr().err
    assert "no_such_user_x" in err and "\\" not in err


def test_unescape_undoes_plain():
    for value in [v for v in HOSTILE if v != RTL] + ["a_b@c.cn www.x.org\n# h\n- l\n1. o", "\\![x](y)"]:
        assert unescape(plain(value)) == value
        assert unescape(value) == value  # plain text is left as it is


def test_the_hostile_import_kept_its_text(poisoned):
    """The hostile file went through the real importer: its batch and its rejects exist (then were poisoned)."""
    with poisoned["engine"].connect() as conn:
        batches = conn.execute(text("SELECT COUNT(*) FROM import_batch WHERE kind = 'households'")).scalar()
        rejects = conn.execute(text("SELECT COUNT(*) FROM import_reject")).scalar()
    assert batches >= 1 and rejects >= 1
