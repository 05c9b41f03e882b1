"""大屏令牌 through AppTest from app.py, on both backends, on a database holding the demo data: an administrator
issues a token on 用户管理 (the link shown once), the link opens the meeting screen of the token's region with no
menu and no other screen, never a name, and a revocation ends the open screen at its next rerun with a reason.
Counts on the screen are compared with SQL over risk_score."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from safetynet import i18n
from safetynet.auth import SYSTEM, create_user
from safetynet.config import REPO_ROOT
from tests.conftest import db_url, signed_in
from tests.support import sql

LINK = re.compile(r"/meeting\?display=([A-Za-z0-9_-]{32,})")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def world(writable_demo_db, monkeypatch):
    engine = writable_demo_db
    monkeypatch.setenv("SAFETYNET_DB_URL", db_url(engine))
    monkeypatch.setenv("SAFETYNET_AUTO_DEMO", "0")
    admin = create_user(engine, "tok_admin", "pw-token-admin-1", "admin", "520000", display_name="省管理员",
                        actor=SYSTEM)
    i18n.set_lang("zh")
    yield engine, admin
    i18n.set_lang("zh")


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _issue(engine, admin, name: str, scope: str) -> tuple[AppTest, str]:
    at = _app()
    at.session_state["auth"] = signed_in(engine, admin)
    at.run()
    at.switch_page("pages/users.py").run()
    assert not at.exception, at.exception
    at.text_input(key="token_name").input(name)
    at.selectbox(key="token_scope").select(scope)
    at.button(key="token_issue_submit").click().run()
    assert not at.exception, at.exception
    shown = [c.value for c in at.code]
    assert len(shown) == 1, shown
    found = LINK.search(shown[0])
    assert found, shown
    return at, found.group(1)


def test_an_issued_link_opens_only_a_masked_meeting_screen_until_revoked(world):
    engine, admin = world
    prefecture = sql(engine, "SELECT adcode FROM region WHERE level = 2 AND prov_adcode = '520000' "
                             "ORDER BY adcode").iloc[0, 0]
    users, token = _issue(engine, admin, "三楼会议室", prefecture)
    assert any("不会再次显示" in s.value for s in users.success)
    table = users.dataframe[-1].value
    assert table.loc[table["name"] == "三楼会议室", "state"].tolist() == ["有效"]
    users.run()
    assert not users.code, "the link is shown once"
    stored = sql(engine, "SELECT token_hash, scope_adcode FROM display_token")
    assert stored["scope_adcode"].tolist() == [prefecture] and token not in stored.to_string()

    screen = _app(display=token, screens="kpi")
    screen.run()
    assert not screen.exception, screen.exception
    assert screen.session_state["_page"] == "meeting"
    assert not screen.text_input, "no sign-in form"
    assert not [b for b in screen.button if b.key == "sign_out"]
    assert not screen.get("page_link") or all("退出大屏" not in p.proto.label for p in screen.get("page_link"))
    rendered = "\n".join(m.value for m in screen.markdown)
    assert not ID_NUMBER.search(rendered)
    # the screen counts the token's region: 高风险户 of the latest month, from SQL
    latest = int(sql(engine, "SELECT MAX(month) FROM risk_score").iloc[0, 0])
    high = int(sql(engine, "SELECT COUNT(*) FROM risk_score r JOIN household h ON h.hh_id = r.hh_id "
                           "WHERE r.month = :m AND r.tier = '高' AND h.adcode LIKE :p "
                           "AND h.status IN ('在档', '帮扶中')",
                   m=latest, p=prefecture[:4] + "%").iloc[0, 0])
    assert f">{i18n.fmt_count(high)}<" in rendered.replace(" ", "")

    # no other screen is registered for a display token's session, so no link can open one
    with pytest.raises(ValueError, match=r"Known pages: \['会议大屏'"):
        screen.switch_page("pages/watchlist.py")

    log = sql(engine, "SELECT user_name, detail FROM audit_log WHERE action = 'display_token' ORDER BY audit_id")
    assert [('"change": "issue"' in d, '"change": "use"' in d) for d in log["detail"]] == [(True, False), (False, True)]

    token_id = int(sql(engine, "SELECT token_id FROM display_token").iloc[0, 0])
    users.selectbox(key="token_revoke").select(token_id)
    users.button(key="token_revoke_submit").click().run()
    assert any("已撤销" in s.value for s in users.success)
    screen.run()
    assert "核心指标" in rendered and all("核心指标" not in m.value for m in screen.markdown), "the slide is gone"
    assert any("失效" in e.value or "撤销" in e.value for e in screen.error), [e.value for e in screen.error]
    assert screen.text_input, "the sign-in form is back"

    again = _app(display=token)
    again.run()
    assert any("已被撤销" in e.value for e in again.error)


def test_a_made_up_token_opens_nothing(world):
    screen = _app(display="x" * 43)
    screen.run()
    assert not screen.exception
    assert any("大屏令牌无效" in e.value for e in screen.error)
    assert screen.text_input and "auth" not in screen.session_state


def test_the_section_reads_in_english(world):
    engine, admin = world
    at = _app(lang="en")
    at.session_state["auth"] = signed_in(engine, admin)
    i18n.set_lang("en")
    at.run()
    at.switch_page("pages/users.py").run()
    assert any(s.value == "Display tokens" for s in at.subheader)
    assert at.button(key="token_issue_submit").label == "Issue"
