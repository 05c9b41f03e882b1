"""Printable documents (PDF) with Chinese text: a title, a header block, tables and numbered pages (pure).

`render(title, lines, tables, font=...)` returns the PDF's bytes: the title, the header lines under it, then each
table (a DataFrame, or a `Table` with a caption and column weights) with its header row repeated on every page
and long cells wrapped inside their column, and a footer "第 1 页 / 共 N 页" on every page. The public notice
list (公示名单) uses it; the meeting briefing can hand it its own title, lines and frames.

The font is embedded, and only the glyphs the document uses (fpdf2 subsets it through fontTools), so the
file reads the same on a computer without any Chinese font. `find_font()` looks for one: SAFETYNET_PDF_FONT
first (a .ttf/.otf/.ttc path, optionally `#N` for the face of a collection), then the usual Linux paths
(Debian's fonts-noto-cjk first). It returns None when the server has none: the caller offers no PDF then.
Every string arrives here already in the reader's language; nothing here depends on Streamlit.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, WrapMode, XPos, YPos

log = logging.getLogger(__name__)

MIME = "application/pdf"
FONT_ENV = "SAFETYNET_PDF_FONT"  # README: Settings — read here, not in config.SETTINGS (see the README's note)
# Debian/Ubuntu, then Fedora/Arch names of the same fonts, then other free CJK fonts Debian ships
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FONT_EXTENSIONS = (".ttf", ".otf", ".ttc", ".otc")
PROBE = "风险消除公示名单第页共"  # a face without these is no Chinese font for our documents
# faces of a collection meant for Simplified Chinese (Noto's "… CJK SC", AR PL's "… CN")
SIMPLIFIED = (" SC", " CN", " GB")
PAGE_LABEL = "第 {page} 页 / 共 {pages} 页"

FAMILY = "cjk"
TITLE_PT, TEXT_PT, TABLE_PT, FOOTER_PT = 16, 10, 9, 8
HEADING_FILL = (232, 236, 241)
STRIPE_FILL = (247, 248, 250)
PADDING_MM = 1.2
MIN_COLUMN_MM = 14.0
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]")
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]+")  # a run a line may not break


@dataclass(frozen=True)
class Font:
    """A font file, and the face of it to use when it is a collection (.ttc)."""

    path: Path
    index: int = 0


@dataclass(frozen=True)
class Table:
    """A table of the document: its rows, an optional caption above it, and optional column weights (relative
    widths; by default each column gets what its longest cell needs, long text columns sharing the rest)."""

    frame: pd.DataFrame
    caption: str | None = None
    col_widths: Sequence[float] | None = None


# ---------------------------------------------------------------- the font
def find_font() -> Font | None:
    """The Chinese font to embed: SAFETYNET_PDF_FONT when it names a usable one, else the first known system
    font that has our characters; None when there is none."""
    return _find_font(os.environ.get(FONT_ENV, "").strip())


@functools.lru_cache(maxsize=8)
def _find_font(configured: str) -> Font | None:
    if configured:
        path, _, face = configured.partition("#")
        font = usable_font(Path(path), int(face) if face.isdigit() else None)
        if font is not None:
            return font
        log.warning("%s=%s is not a usable Chinese font; looking for a system font", FONT_ENV, configured)
    for path in KNOWN_FONTS:
        font = usable_font(Path(path))
        if font is not None:
            return font
    return None


def usable_font(path: Path, index: int | None = None) -> Font | None:
    """`path` as a Font when it is a font file with a face that has Chinese glyphs (the Simplified Chinese face
    of a collection unless `index` picks one); None otherwise."""
    if path.suffix.lower() not in FONT_EXTENSIONS or not path.is_file():
        return None
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            faces = TTCollection(str(path), lazy=True).fonts
            order = [index] if index is not None else sorted(range(len(faces)), key=lambda i: not _simplified(faces[i]))
            for i in order:
                if 0 <= i < len(faces) and _has_chinese(faces[i]):
                    return Font(path, i)
            return None
        return Font(path) if _has_chinese(TTFont(str(path), lazy=True)) else None
    except Exception:  # a damaged or foreign file is simply not a usable font
        log.warning("cannot read font %s", path, exc_info=True)
        return None


def _simplified(face: TTFont) -> bool:
    name = face["name"].getDebugName(4) or ""
    return any(name.endswith(tag) or f"{tag} " in name for tag in SIMPLIFIED)


def _has_chinese(face: TTFont) -> bool:
    cmap = face.getBestCmap() or {}
    return all(ord(ch) in cmap for ch in PROBE)


# ---------------------------------------------------------------- the document
class _Document(FPDF):
    def __init__(self, title: str, page_label: str, landscape: bool) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.doc_title = title
        self.page_label = page_label
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=16)

    def header(self) -> None:
        if self.page_no() > 1:  # a running title on the pages after the first
            self.set_font(FAMILY, size=FOOTER_PT)
            self.set_text_color(110)
            self.cell(0, 5, self.doc_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0)
            self.ln(2)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FAMILY, size=FOOTER_PT)
        self.set_text_color(110)
        self.cell(0, 5, self.page_label.format(page=self.page_no(), pages=self.str_alias_nb_pages), align="C")
        self.set_text_color(0)


def render(title: str, lines: Sequence[str], tables: Sequence[pd.DataFrame | Table], *, font: Font,
           fine_print: Sequence[str] = (), page_label: str = PAGE_LABEL, author: str | None = None,
           landscape: bool = False, empty_text: str = "—") -> bytes:
    """The PDF's bytes: `title`, the header `lines` under it and the `fine_print` (smaller, grey: who exported
    it and when), then each table; `page_label` is the footer with {page} and {pages} (the reader's language).
    A table without rows shows `empty_text` under its header."""
    pdf = _Document(title, page_label, landscape)
    pdf.add_font(FAMILY, "", str(font.path), collection_font_number=font.index)
    pdf.set_title(title)
    pdf.set_creator("Safety Net Monitor")
    if author:
        pdf.set_author(author)
    pdf.set_creation_date(dt.datetime.now(dt.UTC))
    pdf.add_page()
    pdf.set_font(FAMILY, size=TITLE_PT)
    pdf.multi_cell(0, 9, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(FAMILY, size=TEXT_PT)
    for line in lines:
        pdf.multi_cell(0, 5.5, str(line), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=FOOTER_PT)
    pdf.set_text_color(90)
    for line in fine_print:
        pdf.multi_cell(0, 4.5, str(line), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    for table in tables:
        _table(pdf, table if isinstance(table, Table) else Table(table), empty_text)
    return bytes(pdf.output())


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return str(value)


def _table(pdf: _Document, table: Table, empty_text: str) -> None:
    pdf.ln(3)
    if table.caption:
        pdf.set_font(FAMILY, size=TEXT_PT + 1)
        pdf.multi_cell(0, 6, table.caption, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    pdf.set_font(FAMILY, size=TABLE_PT)
    headings = [_cell_text(c) for c in table.frame.columns]
    rows = [[_cell_text(v) for v in row] for row in table.frame.astype(object).itertuples(index=False, name=None)]
    widths = table.col_widths or column_widths(pdf, headings, rows, pdf.epw)
    with pdf.table(col_widths=tuple(widths), width=pdf.epw, line_height=pdf.font_size * 1.5, text_align="LEFT",
                   padding=PADDING_MM, wrapmode=WrapMode.WORD, repeat_headings=1,
                   headings_style=FontFace(emphasis="", fill_color=HEADING_FILL),
                   cell_fill_mode=TableCellFillMode.ROWS, cell_fill_color=STRIPE_FILL) as out:
        out.row(headings)
        for row in rows:
            out.row(row)
        if not rows:
            out.row([empty_text] + [""] * (len(headings) - 1))


def column_widths(pdf: FPDF, headings: Sequence[str], rows: Sequence[Sequence[str]], total: float) -> list[float]:
    """Widths (mm) summing to `total`. A column whose longest cell fits in a fair share of the page keeps it on
    one line; the columns with longer text share the rest as a browser lays out a table: each gets at least its
    longest word (Chinese breaks between any two characters) and the room beyond in proportion to what its
    longest cell would need — so text wraps between words, never clipped or split inside an English word."""
    pad = 2 * PADDING_MM + 1
    widest, narrowest = [], []
    for i, heading in enumerate(headings):
        cells = [heading, *(r[i] for r in rows)]
        widest.append(max(MIN_COLUMN_MM, pad + max(pdf.get_string_width(line) for c in cells
                                                   for line in (c.splitlines() or [""]))))
        narrowest.append(min(widest[-1], max(MIN_COLUMN_MM, pad + _longest_word(pdf, cells))))
    if sum(widest) <= total:  # everything fits on one line: spread the slack evenly
        slack = (total - sum(widest)) / len(widest)
        return [w + slack for w in widest]
    fixed: dict[int, float] = {}
    while True:  # settle the columns that fit in their share of what is left, then share again
        free = [i for i in range(len(widest)) if i not in fixed]
        share = (total - sum(fixed.values())) / len(free)
        fits = [i for i in free if widest[i] <= share]
        if not fits or len(fits) == len(free):
            break
        fixed.update({i: widest[i] for i in fits})
    left = total - sum(fixed.values())
    low, high = sum(narrowest[i] for i in free), sum(widest[i] for i in free)
    if low >= left:  # not even the longest words fit: shrink them alike (they wrap inside the word)
        return [fixed.get(i, left * narrowest[i] / low) for i in range(len(widest))]
    grow = (left - low) / (high - low)
    return [fixed.get(i, narrowest[i] + (widest[i] - narrowest[i]) * grow) for i in range(len(widest))]


def _longest_word(pdf: FPDF, cells: Sequence[str]) -> float:
    """The width of the longest run a line may not break: an English word or number; one Chinese character."""
    words = [w for c in cells for w in _UNBREAKABLE.findall(c)]
    if any(_CJK.search(c) for c in cells):
        words.append("国")
    return max((pdf.get_string_width(w) for w in words), default=0.0)
