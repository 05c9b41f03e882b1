"""Every UI string has English; numbers and dates read the way Chinese readers expect."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from safetynet import i18n
from safetynet.config import REPO_ROOT, SETTINGS
from safetynet.i18n.en import EN
from safetynet.ui.registry import PAGES
from safetynet.views.kpi import KPI_SPECS

CJK = lambda s: any("\u4e00" <= ch <= "\u9fff" for ch in s)  # noqa: E731


def _t_literals() -> set[str]:
    found: set[str] = set()
    files = [REPO_ROOT / "app.py", *sorted((REPO_ROOT / "pages").glob("*.py")),
             *sorted((REPO_ROOT / "src" / "safetynet").rglob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("t", "t_text")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


def test_every_t_literal_has_english():
    missing = sorted(s for s in _t_literals() if CJK(s) and s not in EN)
    assert missing == []


def test_page_titles_and_kpis_have_english():
    for text in [p.title for p in PAGES] + [k.label for k in KPI_SPECS] + [k.help for k in KPI_SPECS]:
        assert text in EN, text


def test_no_string_has_two_translations():
    from safetynet.i18n.en import CLASHES

    assert CLASHES == []


def test_english_has_no_chinese_left():
    leftovers = {k: v for k, v in EN.items() if CJK(v)}
    assert leftovers == {}


@pytest.mark.parametrize("n, zh, en", [
    (0, "0", "0"), (9999, "9,999", "9,999"), (10000, "1万", "10,000"), (12345, "1.23万", "12,345"),
    (123456789, "1.23亿", "123,456,789"), (100000000, "1亿", "100,000,000"), (None, "—", "—"),
])
def test_counts_use_wan_and_yi(n, zh, en):
    i18n.set_lang("zh")
    assert i18n.fmt_count(n) == zh
    i18n.set_lang("en")
    assert i18n.fmt_count(n) == en
    i18n.set_lang("zh")


def test_months_read_as_chinese_dates():
    i18n.set_lang("zh")
    assert i18n.fmt_month(202610) == "2026年10月"
    i18n.set_lang("en")
    assert i18n.fmt_month(202610) == "Oct 2026"
    i18n.set_lang("zh")


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, setting.env


def test_streamlit_config_keeps_the_app_offline():
    import tomllib

    cfg = tomllib.loads(Path(REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showSidebarNavigation"] is False
