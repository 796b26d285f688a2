"""A roster as the request read it (同步会员): what the worker's job needs from the workbook —
each data row's Excel row number, name, ID text and whether the ID arrived as a number, the
formula cells found, the number of rows — packed as bytes for the job's stored file.

The request reads the workbook anyway (a format or header error is answered at once, and the
rows count against the union's daily ID lookups), so the worker does not read it again: reading
a 100,000-row workbook costs about as much as the rest of the sync's Python work together. The
packed roster is stored sealed like the file it replaces (upload_store), and deleted when the
job ends. A job stored as a workbook (accepted before this form, or handed over by a test) is
still read from the workbook."""

from __future__ import annotations

import json
from dataclasses import dataclass

from services.members.adapters import excel as xl
from services.members.domain.roster_sync import RowError

FORMAT = "roster-cells/1"
# the packed form's first bytes: never the start of a workbook (.xlsx starts PK, .xls with the OLE2 magic)
MAGIC = b'{"format":"' + FORMAT.encode("ascii") + b'"'


@dataclass(frozen=True)
class ReadRoster:
    """The rows as four columns (adapters.excel.person_columns): row numbers, names, ID texts,
    and the places of the IDs that arrived as numbers; a RowError per formula cell; the number
    of rows. Columns rather than a tuple a row: 100,000 rows stay light in the request and the job."""

    numbers: list
    names: list
    ids: list
    as_number: list
    formula_errors: list[RowError]
    total: int

    @property
    def cells(self):
        """(row, name, ID text, arrived as a number) a row at a time, for domain.roster_sync.person_rows."""
        return xl.zipped_cells(self.numbers, self.names, self.ids, self.as_number)


def of_rows(rows: xl.Rows | xl.RowStream) -> ReadRoster:
    """The roster of rows read (a RowStream is read here, once)."""
    numbers, names, ids, as_number = xl.person_columns(rows)
    return ReadRoster(numbers, names, ids, as_number, list(rows.formula_errors), len(numbers))


def read_workbook(data: bytes, kind: str = "sync", max_rows: int = xl.MAX_SYNC_ROWS) -> ReadRoster:
    """Read a roster workbook straight into columns (its rows are never all held as lists)."""
    return of_rows(xl.stream_rows(data, kind, max_rows))


def pack(roster: ReadRoster) -> bytes:
    """JSON of the columns: 100,000 rows pack and unpack in a few hundredths of a second."""
    body = {
        "format": FORMAT,
        "total": roster.total,
        "numbers": roster.numbers,
        "names": roster.names,
        "ids": roster.ids,
        "as_number": roster.as_number,
        "formulas": [[e.row, e.column, e.message, e.value] for e in roster.formula_errors],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read(data: bytes, kind: str = "sync", max_rows: int = xl.MAX_SYNC_ROWS) -> ReadRoster:
    """The roster in a job's stored file: packed by the request, or a workbook read now."""
    if not data.startswith(MAGIC):
        return read_workbook(data, kind, max_rows)
    body = json.loads(data)
    return ReadRoster(
        body["numbers"],
        body["names"],
        body["ids"],
        body["as_number"],
        [RowError(row, column, message, value=value) for row, column, message, value in body["formulas"]],
        body["total"],
    )
