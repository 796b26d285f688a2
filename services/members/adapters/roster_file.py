"""A roster as the request read it (同步会员): what the worker's job needs from the workbook —
each data row's (Excel row, name, ID text, the ID arrived as a number), the formula cells found,
the number of rows — packed as bytes for the job's stored file.

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

MAGIC = b"roster-cells/1\n"  # never the start of a workbook (.xlsx starts PK, .xls with the OLE2 magic)


@dataclass(frozen=True)
class ReadRoster:
    """`cells`: (row, name, ID text or None, ID arrived as a number) per data row, for
    domain.roster_sync.person_rows; `formula_errors`: a RowError per formula cell; `total`: rows."""
    cells: list[tuple]
    formula_errors: list[RowError]
    total: int


def of_rows(rows: xl.Rows) -> ReadRoster:
    return ReadRoster(list(xl.person_cells(rows)), list(rows.formula_errors), len(rows))


def pack(roster: ReadRoster) -> bytes:
    """Columns rather than rows: 100,000 rows pack and unpack in a few hundredths of a second."""
    rows, names, numbers, as_number = zip(*roster.cells) if roster.cells else ((), (), (), ())
    body = {"total": roster.total, "rows": rows, "names": names, "ids": numbers,
            "as_number": [place for place, flag in enumerate(as_number) if flag],
            "formulas": [[e.row, e.column, e.message, e.value] for e in roster.formula_errors]}
    return MAGIC + json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read(data: bytes, kind: str = "sync", max_rows: int = xl.MAX_SYNC_ROWS) -> ReadRoster:
    """The roster in a job's stored file: packed by the request, or a workbook read now."""
    if not data.startswith(MAGIC):
        return of_rows(xl.read_rows(data, kind, max_rows))
    body = json.loads(data[len(MAGIC):])
    as_number = set(body["as_number"])
    flags = [place in as_number for place in range(len(body["rows"]))] if as_number else [False] * len(body["rows"])
    return ReadRoster(list(zip(body["rows"], body["names"], body["ids"], flags)),
                      [RowError(row, column, message, value=value) for row, column, message, value in body["formulas"]],
                      body["total"])
