"""The members service's workbooks: upload templates, reading each kind of upload into rows,
and a refused upload's errors (the sync's result workbook is adapters/sync_result_excel.py). The safety rules (size, zip bombs, no formulas, text IDs) are
common.excel's; what the columns are and what they mean is ours."""

from __future__ import annotations

from itertools import repeat

from common import excel
from common.errors import Rejected
from common.excel import COUNT, DATE, Column, SheetSpec
from services.members.domain import vocabulary as words
from services.members.domain.roster_sync import RowError, person_rows

MAX_ROWS = 1000  # 批量导入 / 转入 / 转出 / 卡 / 剔除: at most 1,000 rows a file
MAX_SYNC_ROWS = 100_000  # 同步会员: a whole roster
MAX_UNION_ROWS = 110_000  # 工会批量导入: a city's unions and districts in one file

DATE_NOTE = "如 1985-03-12；也可填 1985.3.12、1985/03/12、19850312 或 Excel 日期"


def enumerated(vocabulary: words.Vocabulary, width: int, note: str) -> Column:
    """A column of an enumerated field: a drop-down of its values, and its synonym table on the
    填写说明 sheet (domain.vocabulary: the same table the upload reads with)."""
    return Column(
        vocabulary.title,
        width,
        note=note,
        allowed=vocabulary.accepted(),
        choices=vocabulary.values,
        spellings=vocabulary.spellings(),
    )


ID_NOTE = "18 位身份证号（15 位老号码会自动转换）；请将此列设置为“文本”格式，否则 Excel 会丢失位数"
NAME_ID = [Column("姓名", 12, note="与系统登记的姓名一致"), Column("证件号码", 22, text=True, note=ID_NOTE)]

TEMPLATES = {
    "import": (
        "批量导入会员",
        [
            Column("姓名", 12, note="必填"),
            enumerated(words.ID_TYPE, 14, "必填；非身份证请选择“其他”"),
            Column("证件号码", 22, text=True, note=ID_NOTE),
            enumerated(words.GENDER, 8, "身份证可不填（按号码确定）；填写时须与号码一致"),
            Column("出生日期", 14, kind=DATE, note=DATE_NOTE + "；身份证可不填；填写时须与号码一致"),
            Column("联系地址", 30, note="必填"),
            Column("移动电话", 16, text=True, note="必填，11 位手机号码"),
            enumerated(words.EDUCATION, 12, "必填"),
            enumerated(words.HOUSEHOLD_TYPE, 10, "必填"),
            enumerated(words.SKILL_GRADE, 10, "可不填，默认“无”"),
            enumerated(words.UNION_POST, 12, "可不填，默认“工会会员”"),
        ],
    ),
    "sync": ("同步会员", NAME_ID),
    "transfer_in": ("从其他工会转入会员", NAME_ID),
    "transfer_out": ("批量转出会员", [*NAME_ID, enumerated(words.TRANSFER_OUT_REASON, 12, "必填")]),
    "cards": (
        "会员服务卡",
        [
            Column("证件号码", 22, text=True, note=ID_NOTE),
            Column("卡号", 22, text=True, note="银行卡号，12–19 位数字；请设置为“文本”格式"),
            Column("办卡日期", 14, kind=DATE, note=DATE_NOTE),
        ],
    ),
    "removals": ("人口办剔除", NAME_ID),
    "unions": (
        "工会批量导入",
        [
            Column(
                "层级",
                14,
                note="不填为基层工会；区局（产业）工会一行只有市职保中心可导入，其下基层工会的“所属区局”填它的名称",
                allowed="基层工会、区局（产业）工会",
                choices=("基层工会", "区局（产业）工会"),
            ),
            Column("名称", 30, note="必填；与营业执照/法人证书一致，不与已登记的工会重名"),
            Column("统一社会信用代码", 22, text=True, note="基层工会必填，18 位（GB 32100-2015）；区局一行不填"),
            Column(
                "所属区局（产业）工会",
                22,
                note="基层工会必填：系统中已有的区局名称，或本表中区局一行的名称；区局导入本区基层工会时可不填",
            ),
            Column(
                "区局类型",
                12,
                note="仅区局一行：区局工会或产业工会，不填为区局工会",
                allowed="区局工会、产业工会",
                choices=("区局工会", "产业工会"),
            ),
            Column("代办员姓名", 12, note="必填；账号的使用人"),
            Column("代办员手机", 16, text=True, note="必填，11 位手机号码"),
            Column("代办员邮箱", 26, note="必填；账号激活链接发送至此邮箱，72 小时内有效"),
            Column("用户名", 18, note="必填，3–64 位字母、数字或 _ . -；代办员用它登录，本表内不得重复"),
        ],
    ),
}
IMPORT_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "gender",
    "birth_date",
    "address",
    "mobile",
    "education",
    "household_type",
    "skill_grade",
    "union_post",
)
TEMPLATE_ROWS = 200


def headers(kind: str) -> list[str]:
    return [c.title for c in TEMPLATES[kind][1]]


def template(kind: str) -> bytes:
    title, columns = TEMPLATES[kind]
    return excel.write_workbook([SheetSpec(title, columns, template_rows=TEMPLATE_ROWS)], notes=columns)


class RowsRejected(Rejected):
    """The file could be read, but rows are wrong: every error with its row and column."""

    code = "ROWS_INVALID"
    message = "导入信息有以下错误,请重新修改后导入"


class Rows(list):
    """[(excel row number, cells)] of an upload's data rows, and what reading found beside them:
    `formula_errors` (one RowError per formula cell, whose value is emptied: Excel keeps a
    formula's last result, not what the clerk typed), `sheet` (the name of the sheet read) and
    `sheets` (how many worksheets the workbook has)."""

    formula_errors: list
    sheet: str = ""
    sheets: int = 1

    @property
    def note(self) -> str | None:
        """What to tell the clerk about the sheet read, when the workbook has several."""
        return f"工作簿有 {self.sheets} 个工作表，已读取第一个可见的工作表“{self.sheet}”" if self.sheets > 1 else None


def read_rows(data: bytes, kind: str, max_rows: int = MAX_ROWS) -> Rows:
    """Check and read an upload; return [(excel row number, cells)] of the data rows (from
    row 2) of its first visible sheet. Refuses a wrong header, an empty workbook and too many
    rows; a formula cell is emptied and named in `formula_errors`."""
    stream = stream_rows(data, kind, max_rows)
    rows = Rows(stream)
    rows.sheet, rows.sheets, rows.formula_errors = stream.sheet, stream.sheets, stream.formula_errors
    return rows


def stream_rows(data: bytes, kind: str, max_rows: int = MAX_ROWS) -> RowStream:
    """read_rows a row at a time (a 100,000-row roster read into columns: adapters/roster_file)."""
    sheet = excel.stream_upload(data)
    expected = headers(kind)
    header = next(sheet.rows, None)
    problems = excel.header_problems([excel.cell_text(c) for c in header or []], expected)
    if problems:
        raise excel.UploadRejected(problems[0], code="HEADER_INVALID")
    return RowStream(sheet, expected, max_rows)


class RowStream:
    """The data rows of an upload whose header was checked, read once: iterating gives (excel row
    number, cells) of every row that holds something, a formula cell emptied and named in
    `formula_errors` as it passes. Past `max_rows` it gives no more but counts on; when the sheet
    ends it refuses too many rows (saying how many) or none — before its caller uses them."""

    def __init__(self, sheet: excel.SheetStream, expected: list[str], max_rows: int):
        self._sheet, self._expected, self._max_rows = sheet, expected, max_rows
        self.sheet, self.sheets, self.formula_errors = sheet.name, sheet.sheets, []
        self._formulas: dict[int, list[int]] = {}
        for row_no, column in sorted(sheet.formulas):
            if row_no > 1 and column < len(expected):
                self._formulas.setdefault(row_no, []).append(column)

    def __iter__(self):
        expected, formulas, max_rows = self._expected, self._formulas, self._max_rows
        width, count = len(expected), 0
        for number, cells in enumerate(self._sheet.rows, start=2):  # like Sheet.data_rows, in one pass
            if len(cells) != width:
                cells = (list(cells) + [None] * width)[:width]
            if number in formulas:
                cells = list(cells)
                for column in formulas[number]:
                    self.formula_errors.append(
                        RowError(
                            number,
                            expected[column],
                            excel.FORMULA_MESSAGE,
                            value=text(cells[column])[:50] or "（公式）",
                        )
                    )
                    cells[column] = None
            else:
                for c in cells:  # keep the row if any cell holds something (a plain loop: 100,000 rows)
                    if c is not None and c != "" and not (c.__class__ is str and c.isspace()):
                        break
                else:
                    continue
            count += 1
            if count <= max_rows:
                yield number, cells
        if not count:
            raise excel.UploadRejected("文件中没有数据：请从第 2 行开始填写", code="UPLOAD_NO_ROWS")
        if count > max_rows:
            raise excel.UploadRejected(
                f"每次上传不得多于 {max_rows:,} 行，本文件有 {count:,} 行，请拆分后分批上传", code="TOO_MANY_ROWS"
            )


def rows_of(data, kind: str, max_rows: int = MAX_ROWS) -> Rows:
    """An upload's rows: read now from its bytes, or as the request already read them."""
    return data if isinstance(data, Rows) else read_rows(data, kind, max_rows)


def text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    return "" if value is None else excel.cell_text(value)


def person_columns(rows, id_index: int = 1, name_index: int = 0) -> tuple[list, list, list, list]:
    """Each row's Excel row number, name and ID text, as four columns: (row numbers, names, ID
    texts or None, the places in them of the IDs that arrived as numbers). Columns, not a tuple
    per row: a 100,000-row roster is held by the request and its job, and lists are lighter."""
    numbers, names, ids, as_number = [], [], [], []
    for place, (row_no, cells) in enumerate(rows):
        numbers.append(row_no)
        names.append(text(cells[name_index]))
        raw = cells[id_index]
        if isinstance(raw, str):  # the common case
            ids.append(raw.strip() or None)
            continue
        number = excel.is_number_cell(raw)
        ids.append(None if excel.is_empty(raw) else (repr(raw) if number else text(raw)))
        if number:
            as_number.append(place)
    return numbers, names, ids, as_number


def person_cells(rows, id_index: int = 1, name_index: int = 0):
    """(row, name, id text, id arrived as a number) for domain.roster_sync.person_rows."""
    return zipped_cells(*person_columns(rows, id_index, name_index))


def people_of(data, kind: str, today, max_rows: int = MAX_ROWS):
    """A list naming people (姓名, 证件号码 …): its rows, the clean people, and the row errors
    (formula cells, then each row's own, duplicates inside the file included)."""
    rows = rows_of(data, kind, max_rows)
    people, errors = person_rows(person_cells(rows), today)
    return rows, people, rows.formula_errors + errors


def zipped_cells(numbers: list, names: list, ids: list, as_number: list):
    """person_columns' four columns as (row, name, id text, id arrived as a number), one at a time."""
    flagged = set(as_number)
    flags = (place in flagged for place in range(len(numbers))) if flagged else repeat(False, len(numbers))
    return zip(numbers, names, ids, flags, strict=False)


def notice_of(rows: Rows) -> dict | None:
    """A job's result beside its counts: which sheet was read, when the workbook had several."""
    return {"notice": rows.note} if rows.note else None


ERROR_LIST_COLUMNS = [
    Column("错误行号", 10, kind=COUNT),
    Column("错误列", 12),
    Column("单元格内容", 24, text=True),
    Column("错误信息（请按此修改）", 60),
    Column("姓名", 12),
    Column("证件号码", 22, text=True),
]


def errors_workbook(errors) -> bytes:
    """Every error of a refused upload (an iterable of error dicts, ID numbers masked)."""
    return excel.write_workbook(
        [
            SheetSpec(
                "错误信息",
                ERROR_LIST_COLUMNS,
                rows=(
                    [e["row"], e["column"], e.get("value", ""), e["message"], e.get("name", ""), e.get("id_number", "")]
                    for e in errors
                ),
            )
        ]
    )
