"""Column-wise validation: text cells → typed values and problems with Chinese reasons.

Everything here works on whole columns (pyarrow compute and numpy), never row by
row, so a million monthly observations validate in about a second. A problem
names the file row, the column, the value as read and the reason, e.g.
"第12行 工资性收入：值“-300”为负数，金额不能为负".

What a cell may hold before its type is even looked at:

* blank words: a cell that is empty or says NULL, None, NaN, #N/A or N/A — in any letter case (BLANKS is
  one lower-case list, compared case-insensitively) — is blank: "not given". A required field rejects it;
  an optional one takes its default on a new record and keeps the stored value on an existing one
  (plan.keep_blank).
* hidden characters (reader.HIDDEN_CHARS: control characters, bidirectional and zero-width formatting,
  U+FEFF) reject the cell, naming the character; tab and line breaks are allowed in free-text fields
  (Field.free_text) only. Where a rejected cell is quoted, its hidden characters are written out (<U+202E>),
  so a report can neither hide them nor be reordered by them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from safetynet.domain import idcard
from safetynet.ingest import kinds as K
from safetynet.ingest.reader import HIDDEN_BREAKS, HIDDEN_CHARS, RawSheet, visible

MAX_PROBLEMS_PER_ROW = 5
VALUE_SHOWN = 40
BLANKS = ("", "null", "none", "nan", "#n/a", "n/a")  # lower case; a cell is compared in lower case (NAN, Null …)
_ID_PROVINCES = sorted(idcard._PROVINCES)
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"), dtype=object)


# ---------------------------------------------------------------- problems
class LazyText:
    """Cells as read, kept as an arrow array: Python strings are made only for the rows a report quotes."""

    def __init__(self, arr: pa.ChunkedArray, blank: np.ndarray, hidden: np.ndarray | None = None) -> None:
        self.arr = arr
        self.blank = blank
        self.hidden = hidden  # cells with hidden characters: quoted with them written out

    def __len__(self) -> int:
        return len(self.arr)

    def pick(self, pos: np.ndarray) -> np.ndarray:
        out = np.asarray(self.arr.take(pa.array(pos, pa.int64())).to_pylist(), dtype=object)
        out[self.blank[pos]] = ""
        if self.hidden is not None:
            shown = np.flatnonzero(self.hidden[pos])
            out[shown] = [visible(v, breaks=True) for v in out[shown]]
        return out

    def full(self) -> np.ndarray:
        return self.pick(np.arange(len(self.arr)))


def pick(values: np.ndarray | LazyText, pos: np.ndarray) -> np.ndarray:
    if isinstance(values, LazyText):
        return values.pick(pos)
    return np.asarray(values, dtype=object)[pos]


class Problems:
    """Problems found in a sheet, kept column-wise until a report is needed."""

    def __init__(self, n_rows: int) -> None:
        self.n = n_rows
        self._pos: list[np.ndarray] = []
        self._col: list[np.ndarray] = []
        self._val: list[np.ndarray] = []
        self._why: list[np.ndarray] = []
        self._bad = np.zeros(n_rows, dtype=bool)

    def add(self, where: np.ndarray, column: str | None, reason: str | np.ndarray,
            values: np.ndarray | LazyText | None = None, quote: bool = True) -> None:
        """Record a problem for the rows in `where` (a boolean mask over all rows, or positions).

        `values` are the cells as read (full length); with `quote` the reason is
        prefixed with 值“…”. `reason` is one text or a full-length array of texts.
        """
        pos = np.flatnonzero(where) if where.dtype == bool else np.asarray(where, dtype=np.int64)
        if not len(pos):
            return
        vals = pick(values, pos) if values is not None else np.full(len(pos), None, dtype=object)
        why = np.full(len(pos), reason, dtype=object) if isinstance(reason, str) else np.asarray(reason, dtype=object)[pos]
        if quote and values is not None:
            shown = pd.Series(vals, dtype=object).astype(str).str.slice(0, VALUE_SHOWN).to_numpy(dtype=object)
            why = ("值“" + pd.Series(shown, dtype=object) + "”" + pd.Series(why, dtype=object)).to_numpy(dtype=object)
        self._pos.append(pos)
        self._col.append(np.full(len(pos), column, dtype=object))
        self._val.append(vals)
        self._why.append(why)
        self._bad[pos] = True

    @property
    def bad(self) -> np.ndarray:
        return self._bad

    def count_rows(self) -> int:
        return int(self._bad.sum())

    def frame(self, row_numbers: np.ndarray, per_row: int = MAX_PROBLEMS_PER_ROW) -> pd.DataFrame:
        """One line per problem: row_pos, row_number, column_name, value, reason (at most `per_row` per row)."""
        if not self._pos:
            return pd.DataFrame({"row_pos": pd.Series([], dtype=np.int64), "row_number": pd.Series([], dtype=np.int64),
                                 "column_name": pd.Series([], dtype=object), "value": pd.Series([], dtype=object),
                                 "reason": pd.Series([], dtype=object)})
        pos = np.concatenate(self._pos)
        order = np.argsort(pos, kind="stable")
        out = pd.DataFrame({
            "row_pos": pos[order],
            "row_number": np.asarray(row_numbers)[pos[order]],
            "column_name": pd.Series(np.concatenate(self._col)[order], dtype=object),
            "value": pd.Series(np.concatenate(self._val)[order], dtype=object),
            "reason": pd.Series(np.concatenate(self._why)[order], dtype=object),
        })
        rank = out.groupby("row_pos").cumcount()
        extra = out.assign(rank=rank).groupby("row_pos")["rank"].transform("max") + 1 - per_row
        keep = rank < per_row
        trimmed = out.loc[keep].reset_index(drop=True)
        more = extra.loc[keep].to_numpy()
        last = (rank.loc[keep].to_numpy() == per_row - 1) & (more > 0)
        if last.any():
            more_here = pd.Series(more[last]).astype(str).to_numpy()
            trimmed.loc[last, "reason"] = trimmed.loc[last, "reason"] + "（该行另有" + more_here + "处问题）"
        return trimmed


def message(row_number: int, column: str | None, reason: str) -> str:
    """The sentence a user reads: 第12行 工资性收入：值“-300”为负数，收入不能为负."""
    if column is None or (isinstance(column, float) and column != column):
        return f"第{row_number}行：{reason}"
    return f"第{row_number}行 {column}：{reason}"


# ---------------------------------------------------------------- parsed sheet
class Values(dict):
    """Parsed columns; text columns become Python strings only when a planner asks for them."""

    def __init__(self) -> None:
        super().__init__()
        self.lazy: dict[str, Callable[..., np.ndarray]] = {}  # name → makes the column, called with no arguments

    def __missing__(self, key: str) -> np.ndarray:
        if key in self.lazy:
            value = self.lazy.pop(key)()
            self[key] = value
            return value
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self.lazy


@dataclass
class Parsed:
    spec: K.KindSpec
    sheet: RawSheet
    present: set[str]  # fields with a column in the file
    values: Values = field(default_factory=Values)  # parsed values, full length
    blank: dict[str, np.ndarray] = field(default_factory=dict)
    raw: dict[str, LazyText] = field(default_factory=dict)  # trimmed text (object arrays, built lazily)
    problems: Problems = None  # type: ignore[assignment]
    warnings: list[str] = field(default_factory=list)
    derived: dict[str, np.ndarray] = field(default_factory=dict)  # e.g. birth year and sex from ID numbers
    columns_header: dict[str, str] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.sheet.n_rows

    def header_of(self, name: str) -> str:
        return self.columns_header.get(name, self.spec.field(name).header)

    def text(self, name: str) -> LazyText:
        return self.raw[name]

    def ok(self) -> np.ndarray:
        return ~self.problems.bad


@dataclass(frozen=True)
class Clock:
    """"Today" for range checks (tests pin it)."""

    today: dt.date

    @property
    def month(self) -> int:
        return self.today.year * 100 + self.today.month


# ---------------------------------------------------------------- helpers
def _np(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False) if isinstance(arr, pa.ChunkedArray | pa.Array) else np.asarray(arr)


def _bool(arr) -> np.ndarray:
    return _np(pc.fill_null(arr, False)).astype(bool)


def _blank_mask(s: pa.ChunkedArray) -> np.ndarray:
    return _bool(pc.is_in(pc.ascii_lower(s), value_set=pa.array(BLANKS)))


def _hidden_mask(s: pa.ChunkedArray, breaks_allowed: bool) -> np.ndarray:
    """Cells holding a hidden character (reader.HIDDEN_CHARS; tab and line breaks too unless allowed).

    Straight on the UTF-8 bytes with numpy (a regex over every column would cost about a second per
    million rows): control bytes, then the few two- and three-byte sequences of the other characters.
    """
    out = np.zeros(len(s), dtype=bool)
    start = 0
    for chunk in s.chunks:
        n = len(chunk)
        if n and chunk.buffers()[2] is not None:
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset:chunk.offset + n + 1]
            data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
            hits = _hidden_bytes(data, breaks_allowed)
            if len(hits):
                rows = np.searchsorted(offsets - offsets[0], hits, side="right") - 1
                out[start + rows] = True
        start += n
    return out


_HIDDEN_IN_FREE_TEXT = re.compile(f"[{HIDDEN_CHARS}]")
_HIDDEN_IN_CELL = re.compile(f"[{HIDDEN_CHARS}{HIDDEN_BREAKS}]")
_BREAK_BYTES = np.array([ord(c) for c in HIDDEN_BREAKS], dtype=np.uint8)


def _hidden_bytes(b: np.ndarray, breaks_allowed: bool) -> np.ndarray:
    """Positions of the first byte of every hidden character in UTF-8 bytes `b`."""
    control = (b < 0x20) | (b == 0x7F)
    if breaks_allowed:
        control &= ~np.isin(b, _BREAK_BYTES)
    found = [np.flatnonzero(control)]
    nxt = np.append(b[1:], 0)
    nxt2 = np.append(b[2:], [0, 0])
    c2 = np.flatnonzero(b == 0xC2)  # U+0080–U+009F: C2 80–C2 9F
    found.append(c2[(nxt[c2] >= 0x80) & (nxt[c2] <= 0x9F)])
    d8 = np.flatnonzero(b == 0xD8)  # U+061C: D8 9C
    found.append(d8[nxt[d8] == 0x9C])
    e2 = np.flatnonzero(b == 0xE2)  # U+200B–U+200F, U+202A–U+202E: E2 80 …; U+2060, U+2066–U+2069: E2 81 …
    t1, t2 = nxt[e2], nxt2[e2]
    found.append(e2[((t1 == 0x80) & (((t2 >= 0x8B) & (t2 <= 0x8F)) | ((t2 >= 0xAA) & (t2 <= 0xAE))))
                    | ((t1 == 0x81) & ((t2 == 0xA0) | ((t2 >= 0xA6) & (t2 <= 0xA9))))])
    ef = np.flatnonzero(b == 0xEF)  # U+FEFF: EF BB BF
    found.append(ef[(nxt[ef] == 0xBB) & (nxt2[ef] == 0xBF)])
    return np.concatenate(found)


def _hidden_reason(value: str, breaks_allowed: bool) -> str:
    """Which hidden character a cell holds (the first one), in words."""
    found = (_HIDDEN_IN_FREE_TEXT if breaks_allowed else _HIDDEN_IN_CELL).search(value)
    ch = found.group() if found else "\x00"
    code = f"U+{ord(ch):04X}"
    if ch == "\x00":
        return f"含有空字符 {code}（NUL），请删除后再导入"
    if ord(ch) < 0xA0:
        return f"含有不可见的控制字符 {code}，请删除后再导入"
    if ch in "\u061c\u200e\u200f" or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        return f"含有双向文本控制字符 {code}（会让文字显示的顺序与实际内容不同），请删除后再导入"
    return f"含有不可见的零宽字符 {code}（常见于从网页或聊天软件复制的文字），请删除后再导入"


def _norm(s: pa.ChunkedArray) -> pa.ChunkedArray:
    """NFKC (full-width digits and letters → ASCII), lower case, no spaces: how codes are compared."""
    out = pc.utf8_lower(pc.utf8_normalize(s, "NFKC"))
    return pc.replace_substring(out, " ", "")


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


# ---------------------------------------------------------------- the column parsers
def parse_sheet(spec: K.KindSpec, sheet: RawSheet, mapping: dict[int, str], clock: Clock,
                regions: RegionSets) -> Parsed:
    """Parse every mapped column of `sheet` (column index → field name)."""
    parsed = Parsed(spec, sheet, set(mapping.values()))
    parsed.problems = Problems(sheet.n_rows)
    parsed.columns_header = {name: spec.field(name).header for name in mapping.values()}
    pos: int | np.ndarray  # a row here, the rows with hidden characters below
    for pos, reason in sheet.row_problems:
        parsed.problems.add(np.asarray([pos], dtype=np.int64), None, reason, quote=False)
    for index, name in mapping.items():
        f = spec.field(name)
        s = sheet.columns[index]  # trimmed by the reader
        blank = _blank_mask(s)
        parsed.blank[name] = blank
        breaks_allowed = f.free_text and f.type == "text"
        hidden = _hidden_mask(s, breaks_allowed)
        raw = LazyText(s, blank, hidden if hidden.any() else None)
        parsed.raw[name] = raw
        if hidden.any():
            pos = np.flatnonzero(hidden)
            why = np.full(len(hidden), "", dtype=object)
            why[pos] = [_hidden_reason(v, breaks_allowed) for v in s.take(pa.array(pos)).to_pylist()]
            parsed.problems.add(hidden, f.header, why, raw)
        if f.required:
            parsed.problems.add(blank, f.header, "必填，不能为空", quote=False)
        if f.type in ("text", "lookup"):
            _check_length(f, s, parsed)
            parsed.values.lazy[name] = (lambda s=s, blank=blank: _text_values(s, blank))
        else:  # a cell already rejected for a hidden character is not parsed (one reason is enough)
            parsed.values[name] = _PARSERS[f.type](f, s, blank | hidden, raw, parsed, clock, regions)
    return parsed


def _text_values(s: pa.ChunkedArray, blank: np.ndarray) -> np.ndarray:
    values = _np(s).astype(object)
    values[blank] = None
    return values


def _check_length(f: K.Field, s: pa.ChunkedArray, parsed: Parsed) -> None:
    if f.max_len:
        length = _np(pc.utf8_length(s))
        too_long = length > f.max_len
        if too_long.any():
            why = np.full(len(length), "", dtype=object)
            why[too_long] = [f"长度为{n}个字，超过上限{f.max_len}个字" for n in length[too_long]]
            parsed.problems.add(too_long, f.header, why, quote=False)


def _code(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    accepted = K.accepted_inputs(f)
    if f.name == "industry_code" and regions.industries:
        accepted = {**accepted, **{K.normalize_value(c): c for c in regions.industries},
                    **{K.normalize_value(n): c for c, n in regions.industries.items()}}
    key = _norm(s)
    if f.zfill:
        digits = pc.match_substring_regex(key, r"^\d+$")
        if f.zfill > 0:
            padded = pc.utf8_lpad(key, width=f.zfill, padding="0")
        else:
            odd = pc.equal(pc.bit_wise_and(pc.utf8_length(key), 1), 1)
            digits = pc.and_(digits, odd)
            padded = pc.binary_join_element_wise("0", key, "")
        key = pc.if_else(digits, padded, key)
    keys = list(accepted)
    index = _np(pc.fill_null(pc.index_in(key, value_set=pa.array(keys, pa.string())), -1)).astype(np.int64)
    stored = np.asarray([accepted[k] for k in keys] + [None], dtype=object)[index]
    unknown = (index < 0) & ~blank
    choices = K.code_choices(f) if f.name != "industry_code" else "、".join(regions.industries) or K.code_choices(f)
    parsed.problems.add(unknown, f.header, f"不在代码表中，可填：{choices}", raw)
    stored[blank] = f.default
    return stored


NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def _number(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    filled = pc.if_else(pa.array(blank), "0", s) if blank.any() else s
    try:
        values = _np(pc.cast(filled, pa.float64())).astype(float)
        invalid = np.zeros(len(values), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        cleaned = pc.replace_substring_regex(pc.utf8_normalize(filled, "NFKC"), r"[,，\s¥￥元]|人$|个月$|月$|户$|年$", "")
        ok = _bool(pc.match_substring_regex(cleaned, NUMBER_RE))
        safe = pc.if_else(pa.array(ok), cleaned, "0")
        values = _np(pc.cast(safe, pa.float64())).astype(float)
        invalid = ~ok & ~blank
    invalid |= ~np.isfinite(values) & ~blank
    kind = {"int": "整数", "money": "金额", "float": "数字"}[f.type]
    parsed.problems.add(invalid, f.header, f"不是有效的{kind}", raw)
    values[invalid | blank] = np.nan
    ok = ~invalid & ~blank
    if f.type == "int":
        frac = ok & (np.floor(values) != values)
        parsed.problems.add(frac, f.header, "应为整数", raw)
        ok &= ~frac
    lo, hi = _bounds(f, clock)
    if f.type == "money":
        neg = ok & (values < 0)
        what = "收入" if f.name.startswith("income") else "支出" if f.name.startswith("spend") else "金额"
        parsed.problems.add(neg, f.header, f"为负数，{what}不能为负", raw)
        ok &= ~neg
    if lo is not None:
        low = ok & (values < lo)
        parsed.problems.add(low, f.header, f"小于下限{_fmt(lo)}", raw)
    if hi is not None:
        high = ok & (values > hi)
        why = f"超过上限{_fmt(hi)}，疑为录入错误" if f.type == "money" else f"大于上限{_fmt(hi)}"
        parsed.problems.add(high, f.header, why, raw)
    if f.default is not None:
        values[blank] = float(f.default)
    return values


def _bounds(f: K.Field, clock: Clock) -> tuple[float | None, float | None]:
    hi = f.hi
    if f.name in ("birth_year", "opened_year"):
        hi = clock.today.year
    if f.name == "birth_year":
        return clock.today.year - 120, hi
    return f.lo, hi


_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _ymd(s: pa.ChunkedArray, patterns: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(matched, year, month, day) from the first pattern (named groups y, m, optional d) that matches."""
    n = len(s)
    matched = np.zeros(n, dtype=bool)
    y = np.zeros(n, dtype=np.int64)
    m = np.zeros(n, dtype=np.int64)
    d = np.ones(n, dtype=np.int64)
    for pattern in patterns:
        hit = _bool(pc.match_substring_regex(s, pattern)) & ~matched
        if not hit.any():
            continue
        part = pc.extract_regex(s.filter(pa.array(hit)) if isinstance(s, pa.ChunkedArray) else s.filter(hit), pattern)
        y[hit] = _np(pc.cast(pc.struct_field(part, "y"), pa.int64()))
        m[hit] = _np(pc.cast(pc.struct_field(part, "m"), pa.int64()))
        if "?P<d>" in pattern:
            d[hit] = _np(pc.cast(pc.struct_field(part, "d"), pa.int64()))
        matched |= hit
    return matched, y, m, d


def _valid_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1800) & (y <= 2999)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days = _DAYS[np.clip(m - 1, 0, 11)] + ((m == 2) & leap)
    return ok & (d <= days)


def _to_date64(y: np.ndarray, m: np.ndarray, d: np.ndarray, ok: np.ndarray) -> np.ndarray:
    out = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[D]")
    if ok.any():
        months = (y[ok] - 1970) * 12 + (m[ok] - 1)
        out[ok] = months.astype("datetime64[M]").astype("datetime64[D]") + (d[ok] - 1).astype("timedelta64[D]")
    return out


DATE_PATTERNS = [
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$",  # a time is ignored
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
    r"^(?P<y>\d{4})\s*[/.年]\s*(?P<m>\d{1,2})\s*[/.月]\s*(?P<d>\d{1,2})\s*日?$",
]
MONTH_PATTERNS = [
    r"^(?P<y>\d{4})(?P<m>\d{2})$",
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?$",
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-0?1(?:[ T]0{1,2}:00(?::00)?)?$",  # a month Excel turned into its first day
]


def _date(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    key = pc.utf8_normalize(s, "NFKC")
    matched, y, m, d = _ymd(key, DATE_PATTERNS)
    valid = matched & _valid_ymd(y, m, d)
    bad_shape = ~matched & ~blank
    parsed.problems.add(bad_shape, f.header, "不是有效的日期，应写成 2026-10-05 或 2026年10月5日", raw)
    no_such = matched & ~valid & ~blank
    parsed.problems.add(no_such, f.header, "日期不存在", raw)
    values = _to_date64(y, m, d, valid & ~blank)
    today = np.datetime64(clock.today, "D")
    early = valid & (values < np.datetime64(K.EARLIEST_DATE, "D"))
    parsed.problems.add(early, f.header, f"早于{K.EARLIEST_DATE.year}年，疑为录入错误", raw)
    if not f.future:
        late = valid & (values > today)
        parsed.problems.add(late, f.header, "晚于今天，不能填写将来的日期", raw)
    return values


def _month(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    n = len(blank)
    y = np.zeros(n, dtype=np.int64)
    m = np.zeros(n, dtype=np.int64)
    matched = np.zeros(n, dtype=bool)
    # the two common shapes, 202610 and 2026-10, by slicing (much cheaper than a regex extract)
    for pattern, m_start in ((r"^\d{6}$", 4), (r"^\d{4}-\d{2}$", 5)):
        hit = _bool(pc.match_substring_regex(s, pattern)) & ~matched
        if hit.any():
            safe = pc.if_else(pa.array(hit), s, "0000-00" if m_start == 5 else "000000")
            y[hit] = _np(pc.cast(pc.utf8_slice_codeunits(safe, 0, 4), pa.int64()))[hit]
            m[hit] = _np(pc.cast(pc.utf8_slice_codeunits(safe, m_start, m_start + 2), pa.int64()))[hit]
            matched |= hit
        if matched.sum() + blank.sum() == n:
            break
    digits6 = matched
    rest = ~digits6 & ~blank
    if rest.any():
        key = pc.utf8_normalize(s, "NFKC")
        hit, y2, m2, _d = _ymd(key, MONTH_PATTERNS[1:])
        hit &= rest
        y[hit], m[hit] = y2[hit], m2[hit]
        matched |= hit
    valid = matched & (m >= 1) & (m <= 12) & (y >= 1800) & (y <= 2999)
    parsed.problems.add(~matched & ~blank, f.header, "不是有效的月份，应写成 2026-10、202610 或 2026年10月", raw)
    parsed.problems.add(matched & ~valid & ~blank, f.header, "月份不存在（月应为1–12）", raw)
    values = np.where(valid & ~blank, y * 100 + m, 0)
    early = valid & (values < K.EARLIEST_MONTH)
    parsed.problems.add(early, f.header, f"早于{K.EARLIEST_MONTH // 100}年{K.EARLIEST_MONTH % 100}月，疑为录入错误", raw)
    late = valid & (values > clock.month)
    parsed.problems.add(late, f.header, f"晚于当前月份（{clock.month // 100}年{clock.month % 100}月），不能填写将来的月份", raw)
    return values


_TRUE = [K.normalize_value(v) for v in K.BOOL_TRUE]
_FALSE = [K.normalize_value(v) for v in K.BOOL_FALSE]


def _bool_parser(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    key = _norm(s)
    is_true = _bool(pc.is_in(key, value_set=pa.array(_TRUE)))
    is_false = _bool(pc.is_in(key, value_set=pa.array(_FALSE)))
    unknown = ~is_true & ~is_false & ~blank
    parsed.problems.add(unknown, f.header, "应为 是 或 否", raw)
    out = np.where(is_true, True, False).astype(object)
    out[blank | unknown] = f.default
    return out


def _idcard(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    upper = pc.utf8_upper(pc.utf8_normalize(s, "NFKC"))
    n = len(blank)
    numeric = _bool(pc.match_substring_regex(upper, r"^\d(\.\d+)?E\+?\d+$|^\d{15,18}\.0$"))
    parsed.problems.add(numeric & ~blank, f.header,
                        "身份证号被 Excel 存成了数字（科学计数法），末几位已丢失；请把该列设为“文本”后重新填写", raw)
    shape = _bool(pc.match_substring_regex(upper, r"^\d{17}[\dX]$"))
    parsed.problems.add(~shape & ~numeric & ~blank, f.header, "身份证号应为18位，前17位为数字，末位为数字或X", raw)
    values = _np(upper).astype(object)
    values[blank] = None
    birth_year = np.full(n, np.nan)
    sex = np.full(n, None, dtype=object)
    if shape.any():
        pos = np.flatnonzero(shape)
        ids = values[pos]
        province_ok = np.isin(np.array([v[:2] for v in ids], dtype=object), _ID_PROVINCES)
        y = np.array([int(v[6:10]) for v in ids])
        m = np.array([int(v[10:12]) for v in ids])
        d = np.array([int(v[12:14]) for v in ids])
        date_ok = _valid_ymd(y, m, d)
        born = _to_date64(y, m, d, date_ok)
        today = np.datetime64(clock.today, "D")
        plausible = date_ok & (born <= today) & (y >= clock.today.year - 120)
        digits = np.frombuffer("".join(v[:17] for v in ids).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - 48
        expected = _ID_CHECK[(digits.astype(np.int64) * _ID_WEIGHTS).sum(axis=1) % 11]
        actual = np.array([v[17] for v in ids], dtype=object)
        check_ok = expected == actual
        full = lambda sub: _scatter(n, pos, sub)  # noqa: E731
        parsed.problems.add(full(~province_ok), f.header, "前两位不是有效的省级行政区划代码", raw)
        parsed.problems.add(full(province_ok & ~date_ok), f.header, "其中的出生日期不存在", raw)
        parsed.problems.add(full(province_ok & date_ok & ~plausible), f.header, "其中的出生日期不合理（晚于今天或早于120年前）", raw)
        why = ("校验码错误：末位应为" + pd.Series(expected, dtype=object)
               + "，实为" + pd.Series(actual, dtype=object)).to_numpy(dtype=object)
        bad_check = province_ok & plausible & ~check_ok
        parsed.problems.add(full(bad_check), f.header, _scatter_values(n, pos, why), raw)
        good = province_ok & plausible & check_ok
        birth_year[pos[good]] = y[good]
        sex[pos[good]] = np.where(np.array([int(v[16]) for v in ids[good]]) % 2 == 1, "男", "女")
    parsed.derived[f"{f.name}:birth_year"] = birth_year
    parsed.derived[f"{f.name}:sex"] = sex
    return values


def _scatter(n: int, pos: np.ndarray, sub: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[pos] = sub
    return out


def _scatter_values(n: int, pos: np.ndarray, sub: np.ndarray) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    out[pos] = sub
    return out


@dataclass(frozen=True)
class RegionSets:
    """Reference data validation needs: region codes, leaf (county-level) codes, industries."""

    all: frozenset[str]
    leaves: frozenset[str]
    industries: dict[str, str]  # code → Chinese name
    centroids: dict[str, tuple[float, float]] = field(default_factory=dict)
    scope_prefix: str = ""  # the importing user's region scope as an adcode prefix ("" = nationwide)


def _adcode(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    key = pc.utf8_normalize(s, "NFKC")
    shape = _bool(pc.match_substring_regex(key, r"^\d{6}$"))
    parsed.problems.add(~shape & ~blank, f.header, "应为6位数字的行政区划代码", raw)
    known = _bool(pc.is_in(key, value_set=pa.array(sorted(regions.all), pa.string())))
    parsed.problems.add(shape & ~known, f.header, "不是现行的行政区划代码（不在区划表中）", raw)
    values = _np(key).astype(object)
    values[blank | ~known] = None
    if f.name == "adcode":
        leaf = _bool(pc.is_in(key, value_set=pa.array(sorted(regions.leaves), pa.string())))
        parsed.problems.add(known & ~leaf, f.header, "是省、市一级的代码，应填写区县一级的代码", raw)
        if regions.scope_prefix:  # an administrator imports only inside their own region
            inside = _bool(pc.starts_with(key, regions.scope_prefix))
            parsed.problems.add(known & leaf & ~inside, f.header, "不在您的管辖范围内，不能导入", raw)
            values[~inside] = None
    return values


def _phone(f, s, blank, raw, parsed, clock, regions) -> np.ndarray:
    key = pc.replace_substring_regex(pc.utf8_normalize(s, "NFKC"), r"[\s()（）]", "")
    ok = _bool(pc.match_substring_regex(key, r"^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}(-\d{1,6})?$"))
    parsed.problems.add(~ok & ~blank, f.header, "不是有效的电话号码（11位手机号，或带区号的固定电话）", raw)
    values = _np(key).astype(object)
    values[blank] = None
    return values


_PARSERS = {
    "code": _code, "int": _number, "money": _number, "float": _number,
    "date": _date, "month": _month, "bool": _bool_parser, "idcard": _idcard, "adcode": _adcode, "phone": _phone,
}


# ---------------------------------------------------------------- duplicates and conflicts in the file
def codes_of(values: np.ndarray | LazyText) -> np.ndarray:
    """Integer codes of one key column (equal values, equal codes), cheap for a million rows."""
    if isinstance(values, LazyText):
        encoded = pc.dictionary_encode(values.arr).combine_chunks()
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        arr = arr.astype("datetime64[D]").view(np.int64)
    codes, _ = pd.factorize(arr if arr.dtype.kind != "O" else pd.Series(arr, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64)


def combine_codes(columns: list[np.ndarray | LazyText]) -> np.ndarray:
    """One int64 code per row for several key columns."""
    key = codes_of(columns[0])
    for col in columns[1:]:
        c = codes_of(col)
        width = int(c.max()) + 2 if len(c) else 1
        if len(key) and int(key.max()) + 1 > (1 << 62) // width:
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * width + (c + 1)
    return key


def duplicates(parsed: Parsed, key: list[np.ndarray | LazyText], key_ok: np.ndarray, compare: list[np.ndarray],
               key_label: str) -> None:
    """Same natural key twice: identical rows → the later ones are duplicates; different values → all conflict."""
    n = parsed.n
    if n < 2 or not key_ok.any():
        return
    codes = combine_codes(key)
    rows_ok = np.flatnonzero(key_ok)
    dup_any = pd.Index(codes[rows_ok]).duplicated(keep=False)
    if not dup_any.any():
        return
    rows = rows_ok[dup_any]
    row_no = parsed.sheet.row_numbers[rows]
    if compare:
        content = pd.DataFrame({f"v{i}": pd.Series(np.asarray(c, dtype=object)[rows], dtype=object).astype(str)
                                for i, c in enumerate(compare)})
        sub_hash = pd.util.hash_pandas_object(content, index=False).to_numpy()
    else:
        sub_hash = np.zeros(len(rows), np.uint64)
    group = pd.factorize(codes[rows])[0]
    g = pd.DataFrame({"group": group, "row": row_no, "hash": sub_hash})
    first = g.groupby("group")["row"].transform("min").to_numpy()
    ordered = g.sort_values(["group", "row"])
    rank = ordered.groupby("group").cumcount()
    second = ordered.loc[rank == 1].set_index("group")["row"].reindex(g["group"]).to_numpy()
    distinct = g.groupby("group")["hash"].transform("nunique").to_numpy()
    same = distinct == 1
    later = same & (g["row"].to_numpy() != first)
    reason = ("与第" + pd.Series(first).astype(str) + f"行完全重复（{key_label}相同，内容相同），只导入第一行").to_numpy(dtype=object)
    parsed.problems.add(_scatter(n, rows[later], np.ones(int(later.sum()), dtype=bool)), None,
                        _scatter_values(n, rows, reason), quote=False)
    conflict = ~same
    other = np.where(g["row"].to_numpy() == first, second, first)
    reason = ("与第" + pd.Series(other).astype(str) + f"行的{key_label}相同但内容不同（冲突），请核对后只保留一行").to_numpy(dtype=object)
    parsed.problems.add(_scatter(n, rows[conflict], np.ones(int(conflict.sum()), dtype=bool)), None,
                        _scatter_values(n, rows, reason), quote=False)
