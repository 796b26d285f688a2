"""工会批量导入's stored file: the rows as the request read them (cells as text, the formula cells
found, which sheet), packed as JSON, so that the worker does not read the workbook a second time
(as adapters/roster_file.py does for a sync's roster)."""

from __future__ import annotations

import json
from dataclasses import asdict

from services.members.adapters import excel as xl
from services.members.domain.roster_sync import RowError


def pack(rows: xl.Rows) -> bytes:
    return json.dumps(
        {
            "sheet": rows.sheet,
            "sheets": rows.sheets,
            "formula_errors": [asdict(e) for e in rows.formula_errors],
            "rows": [[row_no, [xl.text(c) for c in cells]] for row_no, cells in rows],
        },
        ensure_ascii=False,
    ).encode()


def read(data, kind: str, max_rows: int) -> xl.Rows:
    """The rows of a job's stored file as `pack` wrote them; a workbook's (or rows already read)
    as common.excel reads them."""
    if not (isinstance(data, bytes) and data[:1] == b"{"):
        return xl.rows_of(data, kind, max_rows)
    packed = json.loads(data)
    rows = xl.Rows((row_no, cells) for row_no, cells in packed["rows"])
    rows.sheet, rows.sheets = packed["sheet"], packed["sheets"]
    rows.formula_errors = [RowError(**e) for e in packed["formula_errors"]]
    return rows
