"""The Chinese UI has no English words and no raw codes (issue 12 §3): every page, scanned as rendered.

Every string a page shows — labels, help texts, captions, markdown, options, button labels, table headers (the
column_config label where one is set, else the column's own name) and table cells — is searched for Latin
words of three letters or more. What may stay is listed in ALLOWED with its reason: file formats, units and
the language switcher's own "English". Markup is not text: CSS blocks, tags, entities, Material icon names and
Streamlit's colour directives are removed first; keys, ids, URLs and date formats are not shown.
"""

from __future__ import annotations

import json
import re

import pytest

from safetynet.ui.registry import PAGES
from tests.support import proto_strings, sql, tree_nodes

ALLOWED = {
    "English", "Language",  # the language switcher: "语言 Language" / "English", meant for readers of either
    "CSV", "TXT", "TSV", "XLSX", "XLSM", "XLS", "ODS", "Excel", "PDF", "JPG", "JPEG", "PNG",  # file formats
    "UTF", "GBK",  # text encodings, as the import help names them
}
NOT_SHOWN_FIELDS = {"id", "form_id", "key", "raw_values", "raw_value", "url", "icon", "format", "autocomplete",
                    "deferred_file_id", "page_script_hash", "page", "styles", "uuid", "type", "default", "value",
                    "spec", "figure", "json", "tooltip", "data", "columns", "selection_mode", "theme"}
CHART_TYPES = {"plotly_chart", "deck_gl_json_chart", "vega_lite_chart", "html", "code", "json"}
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
MARKUP = [re.compile(p, re.S) for p in (
    r"<style.*?</style>", r"<[^>]+>", r"&[a-z]+;", r":material/[a-z_]+:", r":[a-z]+-badge\[", r":[a-z]+\[",
    r"https?://\S+")]
USERNAMES = re.compile(r"^[a-z0-9_.-]+$")  # accounts are named in Latin letters: data, not UI words
KEY_CAPS = {"left", "right", "up", "down"}  # a button's shortcut drawn as an arrow; "Space" would show as a word


def _words(text: str) -> set[str]:
    for pattern in MARKUP:
        text = pattern.sub(" ", text)
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def _shown_strings(at) -> list[tuple[str, str]]:
    out = []
    for node in tree_nodes(at._tree):
        proto, kind = getattr(node, "proto", None), getattr(node, "type", "")
        if proto is None or not hasattr(proto, "ListFields") or kind in CHART_TYPES or kind == "arrow_data_frame":
            continue
        for where, value in proto_strings(proto):
            if where.endswith("shortcut") and (value in KEY_CAPS or len(value) == 1):
                continue
            if not {*where.split(".")} & NOT_SHOWN_FIELDS:
                out.append((f"{kind}.{where}", value))
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}") if getattr(frame.proto, "columns", "") else {}
        data = frame.value.data if hasattr(frame.value, "data") else frame.value
        for column in data.columns:
            spec = config.get(f"name:{column}") or config.get(str(column)) or {}
            if spec.get("hidden"):
                continue
            out.append(("table header", str(spec.get("label") or column)))
            cells = {v for v in data[column].tolist() if isinstance(v, str)}  # lists (sparklines) are not text
            out.extend(("table cell", v) for v in sorted(cells)[:200])
    return out


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_no_english_words_or_codes_in_the_chinese_ui(app, spec):
    at = app().run()
    at.switch_page(f"pages/{spec.file}").run()
    assert not at.exception
    offenders = sorted({(where, word) for where, value in _shown_strings(at)
                        if not ((where.endswith("options") or where == "table cell") and USERNAMES.match(value))
                        for word in _words(value)})
    assert offenders == [], offenders[:30]


CJK = re.compile(r"[\u3400-\u9fff]")
MASKED_NAME = re.compile(r"[\u3400-\u9fff]\\?\*+[\u3400-\u9fff]*")  # 张*, 唐\*超: a person, masked
SWITCHER = {"语言 Language", "中文"}  # the language switcher reads the same in both languages


@pytest.fixture
def data_names(demo_db) -> list[str]:
    """Names that are data, not UI: places, sites, unions, employers and accounts have Chinese names only."""
    names = set()
    for query in ("SELECT name FROM region", "SELECT short_name FROM region", "SELECT name FROM relocation_site",
                  "SELECT display_name FROM app_user", "SELECT name FROM union_org", "SELECT name FROM employer"):
        names |= {n for n in sql(demo_db, query).iloc[:, 0].dropna() if n}
    return sorted(names, key=len, reverse=True)  # longest first: 凌云县 before 凌云


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_no_chinese_ui_text_in_the_english_ui(app, spec, data_names):
    """Under ?lang=en every label, caption, heading and help is English: what stays Chinese is data (a place, a
    site, a person's masked name, an account's display name). Table cells and select options are data too."""
    at = app(lang="en").run()
    at.switch_page(f"pages/{spec.file}").run()
    assert not at.exception
    offenders = []
    for where, value in _shown_strings(at):
        if where == "table cell" or where.endswith(("options", "options.content")) or value in SWITCHER:
            continue
        rest = MASKED_NAME.sub(" ", value)
        for name in data_names:
            if name in rest:
                rest = rest.replace(name, " ")
        if CJK.search(rest):
            offenders.append((where, value[:80]))
    assert offenders == [], offenders[:20]


def test_an_exports_format_in_the_audit_log_reads_as_people_name_it():
    """The scan found "csv" on 审计日志 once an export had run earlier in the session (order-dependent)."""
    from safetynet import i18n
    from safetynet.views import audit_log

    i18n.set_lang("zh")
    shown = audit_log.detail_text(json.dumps({"format": "csv", "rows": 3}))
    assert "CSV" in shown and not _words(shown)
    assert "JPG 照片" in audit_log.detail_text(json.dumps({"format": "image/jpeg", "file_name": "a.jpg"}))
