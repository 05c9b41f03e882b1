"""UI text: Simplified Chinese first, English available.

Pages write the Chinese text itself, `t("数据截至{month}", month=…)`, so the
source reads like the screen. `EN` maps each Chinese string to English; a test
collects every `t("…")` literal in the code and fails when one has no English.
Numbers: `fmt_count` uses 万/亿 in Chinese, thousands separators in English.

`t()` is for the screen's Markdown-rendering elements: the catalogue text is ours and stays Markdown, every value
it fills in is escaped (safetynet.text: stored text is text), and it returns `text.Markdown`. `t_text()` is the
same catalogue for plain-text destinations (table cells, select options, figures, exports, file names), with the
values filled in as they are.
"""

from __future__ import annotations

import contextvars
import math

from safetynet import config
from safetynet.domain.months import label_en, label_zh
from safetynet.i18n.en import EN
from safetynet.text import Markdown, fill, plain

LANGS = {"zh": "中文", "en": "English"}
_lang: contextvars.ContextVar[str] = contextvars.ContextVar("safetynet_lang", default="")


def set_lang(lang: str) -> None:
    _lang.set(lang if lang in LANGS else "zh")


def lang() -> str:
    return _lang.get() or (config.get("SAFETYNET_LANG") if config.get("SAFETYNET_LANG") in LANGS else "zh")


def t(text: str, **values: object) -> Markdown:
    """The text in the current language for a Markdown-rendering element, with {placeholders} filled in escaped.

    Only catalogue text is trusted as Markdown: a text that is not in the catalogue (a stored value used as a
    key) is escaped whole. Values that are numbers or `Markdown` are filled in as they are."""
    if text not in EN and not isinstance(text, Markdown):
        return plain(text_of(text, values))
    out = EN.get(text, text) if lang() == "en" else text
    return fill(out, values) if values else Markdown(out)


def t_text(text: str, **values: object) -> str:
    """The text in the current language with {placeholders} filled in as they are: for plain-text destinations
    only (st.dataframe cells, select options, st.text, figures, exports), never for Markdown elements."""
    return text_of(EN.get(text, text) if lang() == "en" else text, values)


def text_of(template: str, values: dict[str, object]) -> str:
    return str.format(template, **values) if values else str(template)


def fmt_count(n: float | int | None) -> str:
    """12,345 → "1.23万" in Chinese (from 10,000 up), "12,345" in English; None → "—"."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    if lang() == "en":
        return f"{n:,.0f}"
    a = abs(n)
    if a >= 1e8:
        return f"{n / 1e8:.2f}亿".replace(".00亿", "亿")
    if a >= 1e4:
        return f"{n / 1e4:.2f}万".replace(".00万", "万")
    return f"{n:,.0f}"


def fmt_money(yuan: float | None) -> str:
    if yuan is None or (isinstance(yuan, float) and math.isnan(yuan)):
        return "—"
    return ("¥" + fmt_count(yuan)) if lang() == "zh" else f"¥{yuan:,.0f}"


def fmt_pct(share: float | None, digits: int = 1) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.{digits}f}%"


def fmt_month(month: int | None) -> str:
    """2026年10月 / Oct 2026."""
    if month is None:
        return "—"
    return label_zh(month) if lang() == "zh" else label_en(month)


def label(pair: tuple[str, ...] | str) -> str:
    """A code-list label: (zh, en, …) tuples pick by language; plain strings are Chinese."""
    if isinstance(pair, str):
        return t(pair)
    return pair[1] if lang() == "en" and len(pair) > 1 else pair[0]
