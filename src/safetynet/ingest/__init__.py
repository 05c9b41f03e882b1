"""Data import: CSV/Excel files → validated rows → one transaction of upserts, with a batch record.

    from safetynet.ingest import import_file, FileError
    result = import_file(engine, data, "observations.csv", mode="partial")

`kinds` declares what each file type holds, `reader` turns bytes into text
cells, `validate` checks columns, `plan` matches rows to stored records,
`load` writes them (and documents the accounting), `templates` builds the
blank files users fill in, `bench` measures the import speed.
"""

from safetynet.ingest.kinds import KINDS, resolve_kind
from safetynet.ingest.load import ImportFailed, ImportResult, SheetResult, import_file
from safetynet.ingest.reader import FileError, Limits

__all__ = ["KINDS", "FileError", "ImportFailed", "ImportResult", "Limits", "SheetResult", "import_file", "resolve_kind"]
