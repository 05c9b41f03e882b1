"""Hostile stored text (issue 17 §2): Markdown, HTML, formulas and bidi overrides, and a demo database poisoned
with them in every stored text field (tests/security/test_stored_text.py, tests/e2e/test_stored_text_browser.py).
Each value carries a tag (Z07Z) so a test can tell that its field is still shown."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from sqlalchemy import Engine, text

from safetynet.ingest import import_file
from tests.conftest import TEST_ADMIN, signed_in
from tests.support import one

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


def tag_of(table: str, column: str) -> str:
    """The tag that starts the hostile value of `table`.`column`."""
    return TAGS[(table, column)]


def poison(engine: Engine) -> dict:
    """Hostile text into `engine`'s demo database: a real import with a hostile file name, header and values, then
    every text column of FIELDS and the objects the tests open; returns their ids and the import's result."""
    me = signed_in(engine, POISON_ADMIN)["user"]
    county = one(engine, "SELECT adcode FROM household ORDER BY hh_id LIMIT 1")
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
            conn.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": hostile(tag_of(table, column), width)})
        # one number per file (file_no is unique); a hostile file number is what a form or a file could hold
        # a link Plotly would draw in a figure (site names label the sites' bars)
        conn.execute(text("UPDATE relocation_site SET name = :v"),
                     {"v": f'{tag_of("relocation_site", "name")} <a href="http://{IP}/s">s</a> {IMG}'})
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
