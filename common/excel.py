"""Excel in and out, safely, for every service. Domain-free: columns and messages about a
particular upload belong to the service that owns it.

Reading (`read_upload`): the upload is checked *before* any parser sees it — size, what the
bytes are (not what the name says), and for .xlsx (a zip) the entry count and the real
uncompressed size, measured by streaming each entry with a cap so a lying zip header cannot
fool it (zip bombs are refused in well under a second with little memory), the compression ratio
of every entry, and the markup of every worksheet counted. A worksheet that may hold a formula or a
protection is then parsed by expat with limits (elements, depth; no DTD, comment or processing
instruction, which no spreadsheet program writes), never scanned with a regular expression; a
workbook with macros is refused. Then python-calamine
reads the first sheet of .xlsx or legacy .xls, cell types preserved, so that an ID number that
Excel stored as a *number* can be told apart from text.

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
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.clock import shanghai
from common.errors import Rejected, TooLarge

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound file (Excel 97–2003)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_RATIO = 200  # uncompressed/compressed per entry; real sheets stay far below
RATIO_SLACK = 4096  # bytes an entry may hold past the ratio: what a tiny part compresses to
MAX_SHEET_TAGS = 10_000_000  # '<' in one worksheet: 100,000 rows × 12 inline-string cells is 7.2 M
MAX_SHEET_ELEMENTS = 3_000_000  # elements of a worksheet that is parsed (it may hold a formula)
MAX_XML_DEPTH = 40  # SpreadsheetML nests about 7 deep (worksheet/sheetData/row/c/is/r/t)
VBA_PART = "vbaproject.bin"
VBA_STORAGE = "_VBA_PROJECT_CUR".encode("utf-16-le")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
UNREADABLE_MESSAGE = "文件已损坏、已加密或格式不受支持，无法读取"
ENCRYPTED_MESSAGE = "工作簿设置了打开密码（已加密），无法读取：请在 Excel 或 WPS 中删除密码后另存为 .xlsx 重新上传"
PROTECTED_MESSAGE = "工作簿或工作表设置了保护密码：请在 Excel 或 WPS 中撤销保护（删除密码）后重新上传"
FORMULA_MESSAGE = "单元格为公式，请改为文本"
MACROS_MESSAGE = "工作簿含有宏（VBA），已拒绝：请在 Excel 或 WPS 中另存为不含宏的 .xlsx 工作簿后重新上传"
STRUCTURE_MESSAGE = (
    "工作簿的内部结构异常（含有电子表格软件不会写入的内容，或层级、元素过多），已拒绝："
    "请在 Excel 或 WPS 中另存为 .xlsx 后重新上传"
)


class UploadRejected(Rejected):
    code = "UPLOAD_REJECTED"
    message = "上传的文件无法读取"


class UploadTooLarge(UploadRejected, TooLarge):
    code = "UPLOAD_TOO_LARGE"


def check_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Return 'xlsx' or 'xls' judged by content, or raise UploadRejected with the reason."""
    return _checked(data, max_bytes)[0]


def _checked(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[str, dict]:
    """The kind, and (.xlsx) what the worksheets that may hold a formula or a protection hold
    (path -> _SheetMarks): the zip check streams every entry anyway, so it notes them on the
    way, and only those are parsed (with limits)."""
    if not data:
        raise UploadRejected("上传的文件是空的", code="UPLOAD_EMPTY")
    if len(data) > max_bytes:
        raise UploadTooLarge(
            f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {max_bytes // 1048576} MB，请拆分后分批上传"
        )
    if data.startswith(XLS_MAGIC):
        if ENCRYPTED_PACKAGE in data:  # an .xlsx with a password to open is an OLE2 box around it
            raise UploadRejected(ENCRYPTED_MESSAGE, code="WORKBOOK_ENCRYPTED")
        if VBA_STORAGE in data:  # the storage every .xls with macros has (a directory entry name)
            raise UploadRejected(MACROS_MESSAGE, code="WORKBOOK_MACROS")
        return "xls", {}
    if not data.startswith(XLSX_MAGIC):
        raise UploadRejected(
            "上传的文件不是 Excel 工作簿（.xlsx 或 .xls），请用 Excel 或 WPS 另存为 .xlsx 后重新上传",
            code="NOT_A_WORKBOOK",
        )
    return "xlsx", _check_zip(data)


def _may_mark(window: bytes, first: bool) -> bool:
    """Whether this piece of a worksheet's XML may hold a formula (`<f`, `<x:f`), a protection,
    or what only a crafted file holds (`<!` a comment or DTD, `<?` past the declaration): plain
    substring scans, linear and ~4× faster than a regular expression over a roster's sheet XML,
    which almost never holds any of them. A false alarm only costs a parse."""
    return (
        b"<f" in window
        or b":f" in window
        or b"sheetProtection" in window
        or b"<!" in window
        or window.count(b"<?") > (1 if first and b"<?xml" in window[:8] else 0)
    )


def _check_zip(data: bytes) -> dict:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRejected("文件已损坏或不是 Excel 工作簿", code="NOT_A_WORKBOOK") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadRejected("文件结构异常（压缩包条目过多），已拒绝", code="SUSPICIOUS_ARCHIVE")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UploadRejected("上传的文件不是 Excel 工作簿（.xlsx 或 .xls）", code="NOT_A_WORKBOOK")
    if any(n.lower().endswith(VBA_PART) for n in names):
        raise UploadRejected(MACROS_MESSAGE, code="WORKBOOK_MACROS")
    declared = sum(e.file_size for e in entries)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise UploadRejected("文件解压后过大，已拒绝", code="SUSPICIOUS_ARCHIVE")
    total = 0
    marked = []
    try:
        for entry in entries:
            sheet = _is_worksheet(entry.filename)
            # Every entry, whatever its size: past the ratio nothing real lies, and the slack only
            # lets a tiny part (a few KB of spaces) compress as well as deflate can.
            limit = MAX_RATIO * max(entry.compress_size, 1) + RATIO_SLACK
            if entry.file_size > limit:
                raise UploadRejected("文件压缩比异常，已拒绝", code="SUSPICIOUS_ARCHIVE")
            # Trust nothing in the header: stream and count the real bytes, with a cap.
            limit = min(MAX_UNCOMPRESSED_BYTES - total, limit)
            seen = tags = 0
            tail = b""
            with archive.open(entry) as stream:
                while chunk := stream.read(1 << 20):
                    seen += len(chunk)
                    if seen > limit:
                        raise UploadRejected("文件解压后过大或压缩比异常，已拒绝", code="SUSPICIOUS_ARCHIVE")
                    if sheet:
                        tags += chunk.count(b"<")  # markup only: a '<' in text is always &lt;
                        if tags > MAX_SHEET_TAGS:
                            raise UploadRejected(STRUCTURE_MESSAGE, code="SUSPICIOUS_WORKBOOK")
                        if entry.filename not in marked and _may_mark(tail + chunk, first=not tail):
                            marked.append(entry.filename)
                        tail = chunk[-20:]
            total += seen
        if b"macroEnabled" in archive.read("[Content_Types].xml"):  # .xlsm content types, renamed
            raise UploadRejected(MACROS_MESSAGE, code="WORKBOOK_MACROS")
        return {name: _sheet_marks(archive, name) for name in marked}
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise UploadRejected("文件已损坏或已加密，无法读取", code="NOT_A_WORKBOOK") from None


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


@dataclass
class Sheet:
    """The sheet of an upload that was read (the first visible one); rows[0] is Excel row 1, and
    cells keep their types (str, float, int, bool, date, datetime; '' for empty). `formulas`:
    the (Excel row, column index from 0) of every cell holding a formula (.xlsx; Excel shows a
    formula's last result, which is not what the clerk typed). `name`: the sheet's name, and
    `sheets`: how many sheets the workbook has, so an answer can say which one was read."""

    rows: list[list]
    formulas: set = field(default_factory=set)
    name: str = ""
    sheets: int = 1

    def data_rows(self, first_row: int = 2):
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

    rows: Iterator[list]
    formulas: set
    name: str
    sheets: int


def stream_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> SheetStream:
    """Check the upload, then open its first visible sheet with python-calamine. A workbook with
    a password (to open, or protecting a sheet or its structure) is refused with what to do."""
    kind, marked = _checked(data, max_bytes)
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
    formulas = _xlsx_formulas(data, meta.name, marked) if kind == "xlsx" else set()
    return SheetStream(_rows_from_a1(sheet), formulas, meta.name, len(sheets))


def _rows_from_a1(sheet) -> Iterator[list]:
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


@dataclass
class _SheetMarks:
    """What a worksheet's XML holds that calamine does not say: the (Excel row, column from 0) of
    each cell with a formula, and whether a protection is on."""

    formulas: set = field(default_factory=set)
    protected: bool = False


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _protection_on(attrs: dict) -> bool:
    """A protection element that is on: a password (or its hash), or a sheet / the structure locked."""
    for name, value in attrs.items():
        name = _local(name)
        if name.lower().endswith(("password", "hashvalue")) and value:
            return True
        if name in ("sheet", "lockStructure") and value in ("1", "true"):
            return True
    return False


def _parse_part(chunks, start, end=None, max_elements: int | None = None) -> None:
    """Feed a part's XML (an iterable of byte chunks) to expat, calling start(local name, attrs,
    depth) and end(local name). Linear in the input whatever it holds, and bounded: at most
    `max_elements` (MAX_SHEET_ELEMENTS) elements, MAX_XML_DEPTH deep; a DTD (entities), a comment or a processing
    instruction past the declaration — none of which a spreadsheet program writes — refuses the
    file, as does XML that is not well-formed."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = count = 0
    max_elements = max_elements or MAX_SHEET_ELEMENTS

    def refuse(*_):
        raise UploadRejected(STRUCTURE_MESSAGE, code="SUSPICIOUS_WORKBOOK")

    def on_start(name, attrs):
        nonlocal depth, count
        depth += 1
        count += 1
        if depth > MAX_XML_DEPTH or count > max_elements:
            refuse()
        start(_local(name), attrs, depth)

    def on_end(name):
        nonlocal depth
        depth -= 1
        if end:
            end(_local(name))

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.CommentHandler = refuse
    parser.ProcessingInstructionHandler = refuse
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise UploadRejected(STRUCTURE_MESSAGE, code="SUSPICIOUS_WORKBOOK") from None


def _entry_chunks(archive: zipfile.ZipFile, name: str):
    with archive.open(name) as stream:
        while chunk := stream.read(1 << 20):
            yield chunk


def _cell_position(ref: str) -> tuple[int, int] | None:
    """'AB12' -> (12, 27); None if it is not a cell reference (no regular expression)."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not (
        1 <= len(letters) <= 3 and letters.isascii() and letters.isupper() and digits.isdigit() and len(digits) <= 7
    ):
        return None
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return int(digits), number - 1


def _sheet_marks(archive: zipfile.ZipFile, name: str) -> _SheetMarks:
    """Parse one worksheet: its formula cells and whether it is protected. A cell without `r`
    follows the one before it, and a row without `r` the row before it, as Excel reads them."""
    marks = _SheetMarks()
    row, column, in_cell = 0, -1, False

    def start(tag, attrs, depth):
        nonlocal row, column, in_cell
        if tag == "row":
            ref = attrs.get("r", "")
            row, column = (int(ref) if ref.isdigit() else row + 1), -1
        elif tag == "c":
            at = _cell_position(attrs.get("r", ""))
            row, column = at if at else (row, column + 1)
            in_cell = True
        elif tag == "f" and in_cell:
            marks.formulas.add((row, column))
        elif tag == "sheetProtection" and _protection_on(attrs):
            marks.protected = True

    def end(tag):
        nonlocal in_cell
        if tag == "c":
            in_cell = False

    _parse_part(_entry_chunks(archive, name), start, end)
    return marks


def _small_part(archive: zipfile.ZipFile, name: str, tags: tuple[str, ...]) -> list[tuple[str, dict]]:
    """The elements named `tags` of a small part (workbook.xml, its relationships), parsed with limits."""
    found: list[tuple[str, dict]] = []

    def start(tag: str, attrs: dict, depth: int) -> None:
        if tag in tags:
            found.append((tag, attrs))

    if name in archive.namelist():
        _parse_part(_entry_chunks(archive, name), start, max_elements=100_000)
    return found


def _xlsx_formulas(data: bytes, sheet_name: str, marked: dict) -> set:
    """The formula cells of the sheet read, and a refusal if the workbook or that sheet is
    protected. The sheet's XML is found through workbook.xml and its relationships."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    workbook = _small_part(archive, "xl/workbook.xml", ("sheet", "workbookProtection"))
    if any(tag == "workbookProtection" and _protection_on(attrs) for tag, attrs in workbook):
        raise UploadRejected(PROTECTED_MESSAGE, code="WORKBOOK_PROTECTED")
    rid = next(
        (
            value
            for tag, attrs in workbook
            if tag == "sheet" and attrs.get("name") == sheet_name
            for key, value in attrs.items()
            if _local(key) == "id"
        ),
        None,
    )
    rels = _small_part(archive, "xl/_rels/workbook.xml.rels", ("Relationship",))
    target = next((attrs.get("Target") for _, attrs in rels if rid and attrs.get("Id") == rid), None)
    if not target:
        return set()
    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    marks = marked.get(path)
    if marks is None:  # no formula, no protection: not parsed
        return set()
    if marks.protected:
        raise UploadRejected(PROTECTED_MESSAGE, code="WORKBOOK_PROTECTED")
    return marks.formulas


@contextmanager
def collector_paused():
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


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
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


def is_number_cell(value) -> bool:
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
    choices: tuple = ()  # a drop-down of these values on the template rows (data validation)
    spellings: str = ""  # other accepted spellings, for the 填写说明 sheet
    kind: str = GENERAL  # TEXT, MONEY (fen in), COUNT, DATE or MOMENT: see the module doc

    def __post_init__(self):
        if self.text:
            self.kind = TEXT
        if self.kind != GENERAL and self.kind not in NUMBER_FORMATS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        self.text = self.kind == TEXT


@dataclass
class SheetSpec:
    title: str  # Chinese, never Sheet/Sheet1
    columns: list[Column]
    rows: list = field(default_factory=list)  # any iterable of sequences
    template_rows: int = 0  # pre-format this many empty rows (templates)


def safe_value(value):
    """Values as they should land in a cell; formula-looking strings stay strings."""
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal, date, datetime, bool)):
        return value
    return str(value)


def money_cell(fen) -> Decimal:
    """Integer fen -> yuan, exactly (Decimal, so no binary rounding on the way to the cell)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money cells take integer fen, not {fen!r}")
    return Decimal(fen).scaleb(-2)


def kind_value(kind: str, value):
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


def _cell(ws, value, kind: str = GENERAL, bold: bool = False):
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


def _drop_downs(ws, spec: SheetSpec) -> None:
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
