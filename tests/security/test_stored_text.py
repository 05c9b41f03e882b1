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
import io
import json
import re
from collections.abc import Iterator

import openpyxl
import pytest
from sqlalchemy import text

from safetynet import i18n
from safetynet.config import REPO_ROOT
from safetynet.db import dispose, get_engine, migrate
from safetynet.demo.generate import DemoConfig, generate
from safetynet.i18n import t
from safetynet.ingest import report
from safetynet.text import Markdown, md, plain, unescape
from safetynet.ui.registry import PAGES
from tests.conftest import PgServer, db_url, signed_in
from tests.support import proto_strings, tree_nodes
from tests.support_text import (
    FORMULA,
    HOSTILE,
    IMG,
    LINK,
    POISON_ADMIN,
    RTL,
    TAG_FILE_NO,
    TAG_IMPORT,
    TAG_ME,
    TAG_REASON,
    TAG_VIEW,
    hostile,
    poison,
    tag_of,
)


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


# ---------------------------------------------------------------- reading what a page sends to the browser
# (element type, field) pairs that the browser shows as plain text, never as Markdown
PLAIN_FIELDS = {("text", "body"), ("code", "code_text"), ("selectbox", "options"), ("selectbox", "raw_values"),
                ("selectbox", "default"), ("selectbox", "raw_value"), ("multiselect", "options"), ("multiselect", "raw_values"),
                ("text_input", "value"), ("text_input", "default"), ("text_area", "value"), ("text_area", "default"),
                ("plotly_chart", "spec"), ("plotly_chart", "figure"), ("deck_gl_json_chart", "json"),
                ("deck_gl_json_chart", "tooltip"), ("arrow_data_frame", "data"), ("arrow_data_frame", "columns"),
                ("download_button", "url")}
PLAIN_TYPES = {"arrow_data_frame", "plotly_chart", "deck_gl_json_chart", "vega_lite_chart", "json"}


def page_strings(at) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(type, field, text) of every Markdown-rendered string, and every plain-text string (tables included)."""
    rendered, plain_text, figures = [], [], []
    for node in tree_nodes(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        for where, value in proto_strings(proto):
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
        tag = field if isinstance(field, str) else tag_of(*field)
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
