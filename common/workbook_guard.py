"""The guard every uploaded workbook passes before any parser sees it (common/excel.py reads it
after): size; what the bytes are, not what the name says; for .xlsx (a zip) the entry count and
the real uncompressed size, measured by streaming each entry with a cap so a lying zip header
cannot fool it (zip bombs are refused in well under a second with little memory), the
compression ratio of every entry, and the markup of every worksheet counted; a workbook with
macros is refused. A worksheet that may hold a formula or a protection is parsed by expat with
limits (elements, depth; no DTD, comment or processing instruction, which no spreadsheet program
writes), never scanned with a regular expression (docs/decisions/0004-workbooks.md)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NoReturn

from common.errors import Rejected, TooLarge

Cell = tuple[int, int]  # (Excel row, column index from 0)
Attrs = dict[str, str]  # an element's attributes, as expat gives them
Marked = dict[str, "_SheetMarks"]  # a worksheet's path -> what its XML holds

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
    return checked(data, max_bytes)[0]


def checked(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[str, Marked]:
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


def _check_zip(data: bytes) -> Marked:
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
class _SheetMarks:
    """What a worksheet's XML holds that calamine does not say: the (Excel row, column from 0) of
    each cell with a formula, and whether a protection is on."""

    formulas: set[Cell] = field(default_factory=set)
    protected: bool = False


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _protection_on(attrs: Attrs) -> bool:
    """A protection element that is on: a password (or its hash), or a sheet / the structure locked."""
    for name, value in attrs.items():
        name = _local(name)
        if name.lower().endswith(("password", "hashvalue")) and value:
            return True
        if name in ("sheet", "lockStructure") and value in ("1", "true"):
            return True
    return False


def _parse_part(
    chunks: Iterable[bytes],
    start: Callable[[str, Attrs, int], None],
    end: Callable[[str], None] | None = None,
    max_elements: int | None = None,
) -> None:
    """Feed a part's XML (an iterable of byte chunks) to expat, calling start(local name, attrs,
    depth) and end(local name). Linear in the input whatever it holds, and bounded: at most
    `max_elements` (MAX_SHEET_ELEMENTS) elements, MAX_XML_DEPTH deep; a DTD (entities), a comment or a processing
    instruction past the declaration — none of which a spreadsheet program writes — refuses the
    file, as does XML that is not well-formed."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = count = 0
    max_elements = max_elements or MAX_SHEET_ELEMENTS

    def refuse(*_: object) -> NoReturn:
        raise UploadRejected(STRUCTURE_MESSAGE, code="SUSPICIOUS_WORKBOOK")

    def on_start(name: str, attrs: Attrs) -> None:
        nonlocal depth, count
        depth += 1
        count += 1
        if depth > MAX_XML_DEPTH or count > max_elements:
            refuse()
        start(_local(name), attrs, depth)

    def on_end(name: str) -> None:
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


def _entry_chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
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

    def start(tag: str, attrs: Attrs, depth: int) -> None:
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

    def end(tag: str) -> None:
        nonlocal in_cell
        if tag == "c":
            in_cell = False

    _parse_part(_entry_chunks(archive, name), start, end)
    return marks


def _small_part(archive: zipfile.ZipFile, name: str, tags: tuple[str, ...]) -> list[tuple[str, Attrs]]:
    """The elements named `tags` of a small part (workbook.xml, its relationships), parsed with limits."""
    found: list[tuple[str, Attrs]] = []

    def start(tag: str, attrs: Attrs, depth: int) -> None:
        if tag in tags:
            found.append((tag, attrs))

    if name in archive.namelist():
        _parse_part(_entry_chunks(archive, name), start, max_elements=100_000)
    return found


def xlsx_formulas(data: bytes, sheet_name: str, marked: Marked) -> set[Cell]:
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
