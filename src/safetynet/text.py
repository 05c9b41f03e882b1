"""Stored text is text: what users and imports wrote is never rendered as Markdown (issue 17 §2).

Streamlit renders Markdown in almost every element that shows a string: st.markdown, st.caption, st.title,
st.subheader, st.info/success/warning/error, st.toast, expander, tab, button, metric and widget labels, radio
options and tooltips. It escapes raw HTML, but a stored `![x](http://host/p.png)` would still become an image
that the browser fetches whenever the text is shown — a tracking beacon, and a way for data to leave the
intranet. So every string that did not come from our own code reaches those elements escaped.

Where the escaping lives, and why there:

- **`i18n.t()` escapes what it fills in.** Every visible string goes through `t("…{name}…", name=value)` (Chinese
  first), so that one function is where stored values meet Markdown: the catalogue text is ours and stays
  Markdown (`**{n}**` is bold), each *value* is escaped with `plain`. The result is a `Markdown` string — text
  safe to render. A value that already is `Markdown` (another `t()`, a `plain()` or a `md()`) is kept as it is,
  so nothing is escaped twice and `t()` calls nest. Numbers are filled in as they are (they cannot carry markup).
  `t(text)` of a text that is not in the catalogue (a stored value used as a key, like `t(row.status)`) is
  escaped too: only our catalogue is trusted.
- **Everything else shown through a Markdown element goes through `plain()`**: `st.caption(plain(name))`,
  `st.expander(plain(title))`. `plain` is idempotent on `Markdown`, so wrapping a `t()` result is harmless.
- **Plain-text destinations take plain text**: st.dataframe cells and headers, selectbox and multiselect options,
  st.text, st.code, Plotly titles and hover texts, file names, exports (see `safetynet.exports.neutralise` for
  spreadsheet formulas). They show backslashes literally, so they use `i18n.t_text()` (the same catalogue,
  values filled in unescaped) and never `plain`. An HTML fragment (unsafe_allow_html) takes `html_text()`,
  stored text inside a Plotly figure `figure_text()` (Plotly makes links of `<a href>` in its text), and a
  terminal handed a `t()` result (an exception's message on the command line) `unescape()`.
- Data is stored as typed; escaping is for display only. Escaping at the query boundary would have put
  backslashes in every table and export, and escaping at every call site was what let the holes in.

The rule for new code: a string from the database, a file, a form, a URL or an exception reaches a
Markdown-rendering element only through `t()` as a value, or through `plain()`. Our own Markdown written in code
(`:red[**…**]` around a number) is marked with `md()`. tests/security/test_stored_text.py runs every page on a
database whose every text field holds Markdown, HTML, formulas and bidi overrides, and fails on any element
that would render an image or a link; tests/e2e/test_stored_text_browser.py checks that Chromium fetches
nothing outside localhost.
"""

from __future__ import annotations

import decimal
import html
import numbers
import re
import string

ZWSP = "\u200b"  # splits what GFM would link ("http:", "www.", "@") without changing what the reader sees
REPLACEMENT = "\ufffd"
# Bidirectional embeddings, overrides and isolates: they reorder what the reader sees ("gpj.exe" as "exe.jpg")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# CommonMark lets any ASCII punctuation be backslash-escaped; these start links, images (`![`, `](`), emphasis
# (`*`, `_`, `~`), code (`` ` ``), HTML and autolinks (`<`, `>`, `&` entities), headings (`#`), tables (`|`),
# maths (`$`), Streamlit's directives (`:red[`, `:material/…:`, emoji `:x:`) and the escape itself (`\`)
_INLINE = re.compile(r"([\\`*_\[\]<>!~$:|#&])")
# a line starting like a list item, a heading underline or an ordered list ("- ", "+", "=", "1." / "1)")
_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d+(?=[.)]))", re.MULTILINE)
_NEXT_LINE_START = re.compile(r"(?<=\n)([ \t]*)([-+=]|\d+(?=[.)]))")
# GFM links bare URLs and e-mail addresses whatever the escapes
_BARE_LINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www)(?=\\?[:.])|(?=@)")


_FORMATTER = string.Formatter()


class Markdown(str):
    """Text that is safe to hand to a Markdown-rendering element: our own Markdown, or stored text escaped.

    Concatenating two `Markdown` strings gives `Markdown`; any other operation (`.format()` too) gives a plain
    `str` again, which `plain` would escape."""

    __slots__ = ()

    def __add__(self, other: str) -> str:
        joined = str.__add__(self, other)
        return Markdown(joined) if isinstance(other, Markdown) else joined

    def __radd__(self, other: str) -> str:
        joined = str.__add__(other, self)
        return Markdown(joined) if isinstance(other, Markdown) else joined


def md(markdown: str) -> Markdown:
    """Mark Markdown written in our own code as safe (never stored or user text)."""
    return markdown if isinstance(markdown, Markdown) else Markdown(markdown)


def plain(value: object) -> Markdown:
    """`value` as text that Markdown shows as it is: never a link, an image, emphasis, a heading or a colour.

    Backslash-escapes the characters that start Markdown and the list or heading markers at the start of a line;
    a zero-width space splits "http:" / "www." / "@" (GFM links bare URLs and addresses whatever the escapes);
    bidirectional overrides become U+FFFD. A file number such as 520102-N00000123 keeps its hyphen. Already
    `Markdown` (a `t()` result, an earlier `plain`) is returned unchanged, so text is never escaped twice.
    An exception gives its message (escaped unless it is `Markdown`). None gives "".

    For plain-text destinations (tables, select options, st.text, exports) do not use this: they would show the
    backslashes."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 and isinstance(value.args[0], str) else str(value)
    if isinstance(value, Markdown):
        return value
    return Markdown(_escape("" if value is None else str(value), line_start=True))


def _escape(value: str, line_start: bool) -> str:
    """The escaping of `plain`; a list or heading marker at the very start only when that is a line's start."""
    out = _BIDI.sub(REPLACEMENT, value)
    out = _INLINE.sub(r"\\\1", out)
    out = _BARE_LINK.sub(lambda m: (m.group(1) or "") + ZWSP, out)
    starts = _LINE_START if line_start else _NEXT_LINE_START
    return starts.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), out)


def html_text(value: object) -> str:
    """`value` as the text of an HTML fragment handed to st.markdown(unsafe_allow_html=True).

    html.escape alone is not enough there: Markdown ends an HTML block at a blank line and renders what follows,
    so line breaks become spaces, and every character Markdown or HTML would act on becomes a numeric character
    reference (the browser shows it as the character, nothing parses it)."""
    if value is None:
        return ""
    out = _BIDI.sub(REPLACEMENT, str(value))
    out = re.sub(r"[\r\n]+", " ", out)
    return _HTML_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", out)


_HTML_SPECIAL = re.compile(r"[&<>\"'\\`*_\[\]()!~$:|#]")


def unescape(value: object) -> str:
    """The text `plain` escaped, for a plain-text destination that was handed `Markdown` (a `t()` result in an
    exception shown on the command line). Plain `str` and exceptions carrying it are returned as they are."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 and isinstance(value.args[0], str) else str(value)
    if not isinstance(value, Markdown):
        return str(value)
    return _ESCAPED.sub(r"\1", str(value)).replace(ZWSP, "")


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation (CommonMark's escapes)


def figure_text(value: object) -> str:
    """`value` as text inside a Plotly figure (tick labels, titles, hover text). Plotly reads a few HTML tags in
    text, `<a href>` among them — a link built from stored text — so `<`, `>` and `&` become entities, which
    Plotly shows as the characters."""
    return html.escape("" if value is None else str(value), quote=False)


def _escape_marker(marker: str) -> str:
    # "1." → "1\." (the digits stay readable); "-" → "\-"
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Number | decimal.Decimal)


def fill(template: str, values: dict[str, object]) -> Markdown:
    """`template.format(**values)` for a Markdown element: the template is ours, each value is escaped
    (numbers and `Markdown` values are filled in as they are)."""
    parts: list[str] = []
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        if field is None:
            continue
        assert spec is not None  # every field comes with its spec ("" when there is none)
        value = _FORMATTER.convert_field(_FORMATTER.get_field(field, (), values)[0], conversion)
        if _is_number(value) or isinstance(value, Markdown):
            parts.append(format(value, spec))
        else:  # "同比 {value}" with "+10" is no list item: a marker is escaped only where a line starts
            at_line_start = not any(parts) or "".join(parts).endswith("\n")
            parts.append(_escape(format(value, spec) if spec else str(value), at_line_start))
    return Markdown("".join(parts))
