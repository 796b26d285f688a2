"""Excel in and out, safely, for every service. Domain-free: columns and messages about a
particular upload belong to the service that owns it.

Reading (`read_upload`, `stream_upload`): the upload passes common/workbook_guard.py first (size,
content, zip bombs, macros, formulas and protections parsed with limits, never a regular
expression); then python-calamine reads the first sheet of .xlsx or legacy .xls, cell types
preserved, so that an ID number that Excel stored as a *number* can be told apart from text.

Writing (`write_workbook`): openpyxl in write-only mode; any string starting with = + - @ tab or
CR is written as a text cell (never a formula), and an explanation sheet (填写说明) can be added.
Every sheet has a Chinese name. A column says what it holds (`kind`) and this module alone
decides the cell: TEXT (`@`, so IDs typed later stay text), MONEY (integer fen in, yuan as a
number out, `0.00`), COUNT (an integer, `0`), DATE (a real date, `yyyy-mm-dd`) and MOMENT (a
timestamp as Asia/Shanghai wall-clock, `yyyy-mm-dd hh:mm`); template rows are pre-formatted
the same way (docs/decisions/0004-workbooks.md)."""

from __future__ import annotations

import gc
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell  # what WriteOnlyCell makes
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.clock import shanghai

# The guard's public names stay importable from here, where the services have always found them.
from common.workbook_guard import (
    ENCRYPTED_MESSAGE,
    FORMULA_MESSAGE,
    MACROS_MESSAGE,
    MAX_UPLOAD_BYTES,
    MAX_XML_DEPTH,
    MAX_ZIP_ENTRIES,
    PROTECTED_MESSAGE,
    STRUCTURE_MESSAGE,
    UNREADABLE_MESSAGE,
    XLS_MAGIC,
    XLSX_MAGIC,
    Cell,
    UploadRejected,
    UploadTooLarge,
    check_upload,
    checked,
    xlsx_formulas,
)

__all__ = [
    "CONTENT_TYPE",
    "COUNT",
    "DATE",
    "ENCRYPTED_MESSAGE",
    "FORMULA_MESSAGE",
    "GENERAL",
    "MACROS_MESSAGE",
    "MAX_UPLOAD_BYTES",
    "MAX_XML_DEPTH",
    "MAX_ZIP_ENTRIES",
    "MOMENT",
    "MONEY",
    "PROTECTED_MESSAGE",
    "STRUCTURE_MESSAGE",
    "TEXT",
    "UNREADABLE_MESSAGE",
    "XLSX_MAGIC",
    "XLS_MAGIC",
    "Column",
    "Sheet",
    "SheetSpec",
    "SheetStream",
    "UploadRejected",
    "UploadTooLarge",
    "cell_text",
    "check_upload",
    "collector_paused",
    "header_errors",
    "header_problems",
    "is_empty",
    "is_number_cell",
    "kind_value",
    "money_cell",
    "read_upload",
    "safe_value",
    "stream_upload",
    "write_workbook",
]

# A cell's value as python-calamine reads it (str, float, int, bool, date, datetime, time; '' when
# empty) or as a caller writes it (also Decimal, None): what each function accepts it checks itself.
CellValue = Any
Row = list[CellValue]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """The sheet of an upload that was read (the first visible one); rows[0] is Excel row 1, and
    cells keep their types (str, float, int, bool, date, datetime; '' for empty). `formulas`:
    the (Excel row, column index from 0) of every cell holding a formula (.xlsx; Excel shows a
    formula's last result, which is not what the clerk typed). `name`: the sheet's name, and
    `sheets`: how many sheets the workbook has, so an answer can say which one was read."""

    rows: list[Row]
    formulas: set[Cell] = field(default_factory=set)
    name: str = ""
    sheets: int = 1

    def data_rows(self, first_row: int = 2) -> Iterator[tuple[int, Row]]:
        """(excel row number, cells) from `first_row` on, skipping rows that are wholly empty."""
        for index in range(first_row - 1, len(self.rows)):
            cells = self.rows[index]
            if any(not is_empty(c) for c in cells):
                yield index + 1, cells

    def header(self, row: int = 1) -> list[str]:
        if len(self.rows) < row:
            return []
        return [cell_text(c) for c in self.rows[row - 1]]


@dataclass
class SheetStream:
    """The sheet of an upload read a row at a time: `rows` yields Excel row 1, 2, … once, cells as
    in Sheet.rows; `formulas`, `name` and `sheets` as Sheet's. For a list that is read once (a
    100,000-row roster): its rows are never all held as lists at once (~10 MB less at its peak)."""

    rows: Iterator[Row]
    formulas: set[Cell]
    name: str
    sheets: int


def stream_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> SheetStream:
    """Check the upload, then open its first visible sheet with python-calamine. A workbook with
    a password (to open, or protecting a sheet or its structure) is refused with what to do."""
    kind, marked = checked(data, max_bytes)
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(i, m) for i, m in enumerate(workbook.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
        if not sheets:
            raise UploadRejected("工作簿中没有工作表", code="WORKBOOK_EMPTY")
        index, meta = next(((i, m) for i, m in sheets if m.visible == SheetVisibleEnum.Visible), sheets[0])
        sheet = workbook.get_sheet_by_index(index)
    except UploadRejected:
        raise
    except PasswordError:
        raise UploadRejected(ENCRYPTED_MESSAGE, code="WORKBOOK_ENCRYPTED") from None
    except Exception:  # noqa: BLE001 - calamine raises several kinds for broken or protected files
        raise UploadRejected(UNREADABLE_MESSAGE, code="NOT_A_WORKBOOK") from None
    formulas = xlsx_formulas(data, meta.name, marked) if kind == "xlsx" else set()
    return SheetStream(_rows_from_a1(sheet), formulas, meta.name, len(sheets))


def _rows_from_a1(sheet: Any) -> Iterator[Row]:  # a CalamineSheet (the library ships no types)
    """The sheet's rows as `to_python(skip_empty_area=False)` gives them, one at a time:
    `iter_rows` starts at row 1 but at the used range's first column, so a sheet used from
    column C gets its empty columns A and B back (a unit test compares the two)."""
    start = sheet.start
    pad = [""] * start[1] if start and start[1] else None
    try:
        for cells in sheet.iter_rows():
            yield pad + cells if pad else cells
    except Exception:  # noqa: BLE001 - as when opening: a broken sheet is a file we cannot read
        raise UploadRejected(UNREADABLE_MESSAGE, code="NOT_A_WORKBOOK") from None


def read_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> Sheet:
    """Check the upload and read its first visible sheet whole (stream_upload, all rows held)."""
    stream = stream_upload(data, max_bytes)
    return Sheet(list(stream.rows), stream.formulas, stream.name, stream.sheets)


# --------------------------------------------------------------------------- workbook XML, parsed with limits


@contextmanager
def collector_paused() -> Iterator[None]:
    """For the work on a large upload (100,000 rows: read, validate, apply). It builds hundreds of
    thousands of small objects and no reference cycles, so the cyclic garbage collector, which
    runs again and again as they are allocated, only costs time there (~0.2 s of a 1.7 s sync).
    Process-wide while it lasts; only the caller that paused it turns it back on."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: CellValue) -> str:
    """A cell as the text a person sees: numbers without a spurious '.0', dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_number_cell(value: CellValue) -> bool:
    """True if Excel stored the cell as a number (an ID typed into a General column)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def header_errors(sheet: Sheet, expected: list[str], row: int = 1) -> list[str]:
    """Messages if the header row is not `expected` (extra trailing empty cells are fine)."""
    return header_problems(sheet.header(row), expected)


def header_problems(got: list[str], expected: list[str]) -> list[str]:
    """Messages if the header cells (as text) are not `expected`; none or empty: an empty workbook."""
    got = list(got)
    while got and not got[-1]:
        got.pop()
    if not got:
        return ["工作簿是空的：第 1 行应为表头（" + "、".join(expected) + "），数据从第 2 行开始"]
    if got[: len(expected)] != expected or len(got) > len(expected):
        missing = [h for h in expected if h not in got]
        unknown = [h for h in got if h and h not in expected]
        parts = []
        if missing:
            parts.append("缺少列：" + "、".join(missing))
        if unknown:
            parts.append("多出列：" + "、".join(unknown))
        if not parts:
            parts.append("列的顺序不对")
        return ["表头不正确（" + "；".join(parts) + "）。请下载最新模板，第 1 行应为：" + "、".join(expected)]
    return []


# --------------------------------------------------------------------------- writing

GENERAL, TEXT, MONEY, COUNT, DATE, MOMENT = "", "text", "money", "count", "date", "moment"
NUMBER_FORMATS = {TEXT: "@", MONEY: "0.00", COUNT: "0", DATE: "yyyy-mm-dd", MOMENT: "yyyy-mm-dd hh:mm"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Column:
    title: str
    width: int = 16
    text: bool = False  # the same as kind=TEXT: ID and card numbers
    note: str = ""  # for the 填写说明 sheet
    allowed: str = ""  # allowed values, for the 填写说明 sheet
    choices: tuple[str, ...] = ()  # a drop-down of these values on the template rows (data validation)
    spellings: str = ""  # other accepted spellings, for the 填写说明 sheet
    kind: str = GENERAL  # TEXT, MONEY (fen in), COUNT, DATE or MOMENT: see the module doc

    def __post_init__(self) -> None:
        if self.text:
            self.kind = TEXT
        if self.kind != GENERAL and self.kind not in NUMBER_FORMATS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        self.text = self.kind == TEXT


@dataclass
class SheetSpec:
    title: str  # Chinese, never Sheet/Sheet1
    columns: list[Column]
    rows: Iterable[Sequence[CellValue]] = field(default_factory=list)  # any iterable of sequences
    template_rows: int = 0  # pre-format this many empty rows (templates)


def safe_value(value: CellValue) -> CellValue:
    """Values as they should land in a cell; formula-looking strings stay strings."""
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal, date, datetime, bool)):
        return value
    return str(value)


def money_cell(fen: object) -> Decimal:
    """Integer fen -> yuan, exactly (Decimal, so no binary rounding on the way to the cell)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money cells take integer fen, not {fen!r}")
    return Decimal(fen).scaleb(-2)


def kind_value(kind: str, value: CellValue) -> CellValue:
    """A value as a column of that kind holds it: '' and None are an empty cell."""
    if kind in (GENERAL, TEXT):
        return value
    if value is None or value == "":
        return None
    if kind == MONEY:
        return money_cell(value)
    if kind == COUNT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"count cells take integers, not {value!r}")
        return value
    if isinstance(value, str):
        value = (
            datetime.fromisoformat(value)
            if kind == MOMENT or "T" in value or " " in value
            else date.fromisoformat(value)
        )
    if kind == DATE:
        if isinstance(value, datetime):  # a moment: its day in Shanghai (naive means UTC)
            value = shanghai(value).date()
        if not isinstance(value, date):
            raise TypeError(f"date cells take dates, not {value!r}")
        return value
    if not isinstance(value, datetime):  # MOMENT
        raise TypeError(f"moment cells take timestamps, not {value!r}")
    return shanghai(value).replace(tzinfo=None)  # naive means UTC, as stored; Excel has no zones


def _cell(ws: Any, value: CellValue, kind: str = GENERAL, bold: bool = False) -> SheetCell:
    cell = WriteOnlyCell(ws, value=safe_value(value if bold else kind_value(kind, value)))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if cell.value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    if kind == TEXT or (kind in NUMBER_FORMATS and not bold):
        cell.number_format = NUMBER_FORMATS[kind]
    if bold:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center")
    return cell


def _sheet_title(title: str) -> str:
    if not CHINESE.search(title):
        raise ValueError(f"sheet names are Chinese (never Sheet/Sheet1): {title!r}")
    return title[:31]


def write_workbook(sheets: list[SheetSpec], notes: list[Column] | None = None) -> bytes:
    """Build an .xlsx; `notes` adds a 填写说明 sheet describing each column."""
    workbook = Workbook(write_only=True)
    try:
        _write_sheets(workbook, sheets, notes)
    except BaseException:
        for ws in workbook.worksheets:  # finish the half-written sheets' streams before raising
            with suppress(Exception):  # the first error is the one to report
                ws.close()
        raise
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheets(workbook: Workbook, sheets: list[SheetSpec], notes: list[Column] | None) -> None:
    for spec in sheets:
        ws = workbook.create_sheet(_sheet_title(spec.title))
        for index, column in enumerate(spec.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
            if column.kind in NUMBER_FORMATS:
                ws.column_dimensions[get_column_letter(index)].number_format = NUMBER_FORMATS[column.kind]
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, c.title, c.kind, bold=True) for c in spec.columns])
        kinds = [c.kind for c in spec.columns]
        for row in spec.rows:
            ws.append([_cell(ws, value, kinds[i] if i < len(kinds) else GENERAL) for i, value in enumerate(row)])
        for _ in range(spec.template_rows):
            ws.append([_cell(ws, None, kind) for kind in kinds])
        if spec.template_rows:
            _drop_downs(ws, spec)
    if notes:
        ws = workbook.create_sheet("填写说明")
        spellings = any(c.spellings for c in notes)
        for index, width in enumerate((18, 60, 40, 80), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.append(
            [_cell(ws, t, bold=True) for t in ("列名", "说明", "允许的值", "也可填写（系统自动识别）")[: 3 + spellings]]
        )
        for column in notes:
            ws.append(
                [_cell(ws, v) for v in (column.title, column.note, column.allowed, column.spellings)[: 3 + spellings]]
            )


def _drop_downs(ws: Any, spec: SheetSpec) -> None:
    """A list validation on the template rows of each column with choices. Its error style is
    "information": Excel offers the list but lets a clerk keep another spelling the upload
    accepts (本科 for 大学本科), which a "stop" style would refuse."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, column in enumerate(spec.columns, start=1):
        if not column.choices:
            continue
        letter = get_column_letter(index)
        rule = DataValidation(
            type="list",
            formula1='"' + ",".join(column.choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="information",
            errorTitle=column.title,
            error="不在下拉列表中；常见写法（见“填写说明”）也可识别，其他内容上传时会报错",
        )
        rule.add(f"{letter}2:{letter}{spec.template_rows + 1}")
        ws.data_validations.append(rule)
