"""Attachments of a home check (入户核实, issue 10 §3): photos and scanned documents stored in the database.

- too large, of a wrong type (by content, whatever the name says), with a name that contradicts the content,
  empty, or too many: refused with a Chinese message, and nothing at all is written;
- accepted ones are stored with their type, size and sha256 in the home check's transaction, and the audit
  row names them without their bytes (on SQLite and PostgreSQL, on a database holding the demo data);
- 待办 lists them on the lead; a download reads the bytes inside the viewer's scope and is audited as an export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.auth import SYSTEM, create_user
from safetynet.casework import commands as C
from safetynet.casework.errors import CaseworkRefused
from safetynet.casework.service import execute
from safetynet.ui import casework as cw_ui
from tests.conftest import db_url, open_screen
from tests.support import sql

TODAY = dt.date.today()
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500
PDF = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 20 + b"%%EOF"


def _count(engine, table: str) -> int:
    return int(sql(engine, f"SELECT COUNT(*) AS n FROM {table}")["n"].iloc[0])


@pytest.mark.parametrize(("file", "words"), [
    (C.Attachment("家访.jpg", b"\xff\xd8\xff" + b"\x00" * C.ATTACHMENT_MAX_BYTES), "超过每个文件 10 MB 的上限"),
    (C.Attachment("病历.docx", b"PK\x03\x04" + b"\x00" * 100), "只接受 JPG、PNG 照片或 PDF 文件"),
    (C.Attachment("照片.jpg", b"MZ\x90\x00 this is a program"), "只接受 JPG、PNG 照片或 PDF 文件"),
    (C.Attachment("照片.jpg", PNG), "文件名与内容不符"),
    (C.Attachment("C:\\Users\\张三\\证明.pdf", b""), "“证明.pdf”：是空文件"),
], ids=["too_large", "word_document", "program_named_jpg", "png_named_jpg", "empty"])
def test_a_wrong_attachment_is_refused_in_chinese(file, words):
    command = C.RecordHomeCheck(1, TODAY, "张三", "收入明显下降", 1, attachments=(file,))
    with pytest.raises(CaseworkRefused, match=words):
        command.validate(TODAY)


def test_at_most_five_files_and_good_ones_pass():
    good = (C.Attachment("a.jpg", JPEG), C.Attachment("b.JPEG", JPEG), C.Attachment("c.png", PNG),
            C.Attachment("d.pdf", PDF))
    C.RecordHomeCheck(1, TODAY, "张三", "收入明显下降", 1, attachments=good).validate(TODAY)
    too_many = good + (C.Attachment("e.pdf", PDF), C.Attachment("f.pdf", PDF))
    with pytest.raises(CaseworkRefused, match="一次最多 5 个文件，现为 6 个"):
        C.RecordHomeCheck(1, TODAY, "张三", "收入明显下降", 1, attachments=too_many).validate(TODAY)
    assert [f.mime for f in good] == ["image/jpeg", "image/jpeg", "image/png", "application/pdf"]


@pytest.fixture
def lead_world(writable_demo_db, monkeypatch):
    """A lead waiting for its home check, the county's staff member (it is assigned to them) and a neighbour."""
    engine = writable_demo_db
    lead = sql(engine, "SELECT lead_id, adcode, row_version FROM lead WHERE status = '待核实' AND hh_id IS NOT NULL "
                       "ORDER BY lead_id").iloc[0]
    county = str(lead["adcode"])
    other = sql(engine, "SELECT adcode FROM region WHERE level = 3 AND adcode <> :c AND adcode NOT LIKE :p "
                        "ORDER BY adcode", c=county, p=county[:4] + "%")["adcode"].iloc[0]
    staff = create_user(engine, "att_staff", "pw-att-staff-1", "staff", county, display_name="县工作人员", actor=SYSTEM)
    outsider = create_user(engine, "att_other", "pw-att-other-1", "staff", other, display_name="外县人员", actor=SYSTEM)
    leader = create_user(engine, "att_leader", "pw-att-leader-1", "leader", county, display_name="县领导", actor=SYSTEM)
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    yield {"engine": engine, "lead_id": int(lead["lead_id"]), "seen": int(lead["row_version"]), "county": county,
           "staff": staff, "outsider": outsider, "leader": leader}
    i18n.set_lang("zh")


def test_a_refused_attachment_writes_nothing(lead_world):
    engine, lead_id = lead_world["engine"], lead_world["lead_id"]
    before = (_count(engine, "attachment"), _count(engine, "audit_log"),
              sql(engine, "SELECT status, row_version FROM lead WHERE lead_id = :l", l=lead_id).iloc[0].tolist())
    files = (C.Attachment("家访.jpg", JPEG), C.Attachment("家访2.jpg", PNG))  # the second contradicts its name
    with pytest.raises(CaseworkRefused, match="家访2.jpg"):
        execute(engine, lead_world["staff"], C.RecordHomeCheck(lead_id, TODAY, "张三", "入户了解情况",
                                                               lead_world["seen"], attachments=files))
    after = (_count(engine, "attachment"), _count(engine, "audit_log"),
             sql(engine, "SELECT status, row_version FROM lead WHERE lead_id = :l", l=lead_id).iloc[0].tolist())
    assert after == before


def _my_work(engine, user, lead_id: int) -> AppTest:
    return open_screen(engine, user, "pages/my_work.py", lead=str(lead_id))


def test_attachments_are_stored_audited_listed_and_downloaded_in_scope(lead_world):
    engine, lead_id, staff = lead_world["engine"], lead_world["lead_id"], lead_world["staff"]
    form = _my_work(engine, staff, lead_id)  # the home-check form takes files, its limits said in Chinese
    assert not form.exception
    uploader = f"cw_check_files_{lead_id}_{lead_world['seen']}"
    assert uploader in {w.key for w in form.get("file_uploader")}
    css = " ".join(h.proto.body for h in form.get("html"))
    assert f".st-key-{uploader}" in css and "每个文件不超过 10MB · JPG、PNG、PDF" in css and "选择文件" in css
    files = (C.Attachment("入户照片.jpg", JPEG), C.Attachment("收入证明.pdf", PDF))
    outcome = execute(engine, staff, C.RecordHomeCheck(lead_id, TODAY, "张三、李四", "家庭收入明显下降",
                                                       lead_world["seen"], attachments=files))
    assert "附件 2 个" in outcome.message

    stored = sql(engine, "SELECT a.attachment_id, a.hh_id, a.lead_id, a.file_name, a.mime, a.size, a.sha256, "
                         "a.content, a.uploaded_by, l.hh_id AS lead_hh FROM attachment a "
                         "JOIN lead l ON l.lead_id = a.lead_id WHERE a.lead_id = :l ORDER BY a.attachment_id",
                 l=lead_id)
    assert list(stored["file_name"]) == ["入户照片.jpg", "收入证明.pdf"]
    assert list(stored["mime"]) == ["image/jpeg", "application/pdf"]
    assert list(stored["size"]) == [len(JPEG), len(PDF)]
    assert list(stored["sha256"]) == [hashlib.sha256(JPEG).hexdigest(), hashlib.sha256(PDF).hexdigest()]
    assert [bytes(c) for c in stored["content"]] == [JPEG, PDF]
    assert (stored["hh_id"] == stored["lead_hh"]).all() and (stored["uploaded_by"] == staff.username).all()

    audit_row = sql(engine, "SELECT detail FROM audit_log WHERE action = 'casework' AND target LIKE 'hh:%' "
                            "ORDER BY audit_id DESC").iloc[0]
    detail = json.loads(audit_row["detail"])
    assert [a["sha256"] for a in detail["after"]["attachments"]] == list(stored["sha256"])
    assert f"{len(JPEG)} 字节" in audit_row["detail"] and "JFIF" not in audit_row["detail"]

    # 待办 lists them on the lead
    at = _my_work(engine, staff, lead_id)
    assert not at.exception
    assert "核实附件" in [m.value.strip("*") for m in at.markdown]
    texts = " ".join(x.value for x in at.text)
    assert "入户照片.jpg" in texts and "收入证明.pdf" in texts
    keys = {b.key for b in at.get("download_button")}
    assert {f"mw_attachment_{int(i)}" for i in stored["attachment_id"]} <= keys

    # the household file keeps them too; a leader (who sees person data masked only) is told, not given them
    hh_id = int(stored["hh_id"].iloc[0])
    on_file = open_screen(engine, staff, "pages/household.py", hh=str(hh_id))
    assert not on_file.exception and "入户核实附件" in [h.value for h in on_file.subheader]
    assert {f"mw_attachment_{int(i)}" for i in stored["attachment_id"]} <= {b.key for b in on_file.get("download_button")}
    as_leader = open_screen(engine, lead_world["leader"], "pages/household.py", hh=str(hh_id))
    assert not as_leader.exception
    assert not [b for b in as_leader.get("download_button") if str(b.key).startswith("mw_attachment_")]
    assert any("共 2 个附件" in c.value for c in as_leader.caption)

    # a download is an audited export, inside the viewer's scope only
    first = int(stored["attachment_id"].iloc[0])
    exports_before = _count(engine, "audit_log")
    assert cw_ui._attachment_download(engine, staff.username, first, staff.scope)() == JPEG
    row = sql(engine, "SELECT user_name, action, target, region_adcode, detail FROM audit_log "
              "ORDER BY audit_id DESC").iloc[0]
    assert (row["user_name"], row["action"], row["target"], row["region_adcode"]) == (
        staff.username, "export", f"attachment:{first}", lead_world["county"])
    assert json.loads(row["detail"])["file_name"] == "入户照片.jpg"
    outsider = lead_world["outsider"]
    assert cw_ui._attachment_download(engine, outsider.username, first, outsider.scope)() == b""
    assert _count(engine, "audit_log") == exports_before + 1  # nothing handed out, nothing recorded
