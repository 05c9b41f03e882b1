"""How a table's columns are shown, described without Streamlit.

A view returns `{column: Column | str}` next to its frame (a plain string is only a header);
`ui.widgets.column_config` turns that into `st.column_config` objects for `st.dataframe`. The options are the ones
the views use today; add one here and in the converter together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["text", "number", "progress", "line_chart"]
Width = Literal["small", "medium", "large"]
Alignment = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Column:
    """One column: `text` (TextColumn), `number` (NumberColumn), `progress` (a bar, ProgressColumn) or
    `line_chart` (a sparkline, LineChartColumn). Options left None are Streamlit's defaults."""
    kind: ColumnKind
    label: str
    help: str | None = None
    format: str | None = None  # a printf format ("%.1f%%") or one of Streamlit's names ("localized")
    pinned: bool | None = None
    width: Width | None = None
    alignment: Alignment | None = None
    min_value: float | None = None
    max_value: float | None = None


# what a view hands to ui.widgets.column_config
ColumnSpec = Mapping[str, Column | str]

