"""Bank statements as banks export them (银行流水). Pure rules, no I/O: the adapters hand in rows
of cells (or, for CAMT.053, the fields of each entry) and get statement lines back.

- **Which columns**: the header row is found among the first rows (exports put the account,
  the period and the bank's name above it) and recognised by a small table of known layouts
  (`LAYOUTS`), each a set of roles — date, payer, amount, memo, the bank's serial — and the
  column names Chinese banks' exports use for each (`COLUMN_NAMES`). What was recognised is
  said on the result; a header that fits no layout is refused with the columns it needs.
- **Only credit lines count**: money out (a debit column, 借 in a direction column, a negative
  signed amount) is skipped and counted, never matched.
- **Amounts exact to the fen** (`parse_amount`): '1,016.00', '¥1016', '1016.00元', full-width
  digits, Excel numbers in their shortest decimal form; Decimal, never float arithmetic.
- **Dates** (`parse_date`): real Excel dates, 2020-01-10, 2020/1/10, 2020.01.10, 20200110,
  2020年1月10日, with or without a time after them.

Scanning is by plain string operations, never a regular expression over the file's text."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from common.errors import Rejected
from services.billing.domain.statement import Line

MAX_AMOUNT_FEN = 10**14  # a billion yuan: far above any statement line; bounds the Decimal
MAX_LINES = 100_000  # a year of the centre's account fits many times over
HEADER_SEARCH_ROWS = 30  # exports put a title, the account and the period above the header
MAX_ROW_ERRORS = 100  # errors listed in one answer; the count says how many there are
MAX_TEXT = 500  # payer and memo as stored

# ------------------------------------------------------------------ roles and their column names

DATE, PAYER, CREDIT, DEBIT, AMOUNT, DIRECTION, MEMO, SERIAL = (
    "date",
    "payer",
    "credit",
    "debit",
    "amount",
    "direction",
    "memo",
    "serial",
)

ROLE_NAMES = {
    DATE: "交易日期",
    PAYER: "付款人",
    CREDIT: "贷方（收入）金额",
    DEBIT: "借方（支出）金额",
    AMOUNT: "交易金额",
    DIRECTION: "借贷标志",
    MEMO: "摘要/用途",
    SERIAL: "交易流水号",
}

# The names banks' exports give each role, in order of preference: where an export has two
# (交易日期 and 记账日期), the first listed is read. A column serves one role only.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    DATE: ("交易日期", "记账日期", "入账日期", "到账日期", "交易时间", "记账时间", "日期"),
    PAYER: (
        "对方户名",
        "付款人名称",
        "对方账户名称",
        "对方账户户名",
        "对方单位名称",
        "对方名称",
        "付款方名称",
        "付款人户名",
        "付款单位",
        "付款人",
    ),
    CREDIT: ("贷方发生额", "收入金额", "贷方金额", "转入金额", "存入金额", "收入"),
    DEBIT: ("借方发生额", "支出金额", "借方金额", "转出金额", "支取金额", "支出"),
    AMOUNT: ("交易金额", "发生额", "金额"),
    DIRECTION: ("借贷标志", "借贷方向", "收支标志", "收支方向", "交易方向", "借/贷", "收/支", "借贷", "收支"),
    MEMO: ("摘要", "用途", "附言", "备注", "交易附言", "汇款附言", "交易用途", "交易摘要", "资金用途"),
    # a serial the bank gives the transaction, unique in its exports; never a row number (序号),
    # which starts again at 1 in every export and would make two exports' lines look the same
    SERIAL: ("交易流水号", "流水号", "银行流水号", "交易参考号"),
}

Row = Sequence[object]  # a row's cells as the reader gave them: str, float, int, date, datetime, None

CREDIT_ONLY, CREDIT_COLUMN, WITH_DIRECTION, SIGNED = "credit_only", "credit_column", "with_direction", "signed"


@dataclass(frozen=True)
class Layout:
    code: str  # stable, for programs
    name: str  # said on the result, in Chinese
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    amounts: str = SIGNED  # how a line's amount says money in or out
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # narrower than COLUMN_NAMES

    def column_names(self, role: str) -> tuple[str, ...]:
        return self.names.get(role) or COLUMN_NAMES[role]


# Tried in this order, the first that fits wins: a layout that reads money in and out from two
# columns, or from a direction column, comes before one that would take every amount as signed.
LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "credit_column", "银行导出：贷方（收入）金额单列", (DATE, PAYER, CREDIT, MEMO), (DEBIT, SERIAL), CREDIT_COLUMN
    ),
    Layout(
        "amount_with_direction",
        "银行导出：交易金额＋借贷标志",
        (DATE, PAYER, AMOUNT, DIRECTION, MEMO),
        (SERIAL,),
        WITH_DIRECTION,
    ),
    Layout(
        "template",
        "本系统模板（日期、付款人、金额、摘要）",
        (DATE, PAYER, AMOUNT, MEMO),
        (SERIAL,),
        CREDIT_ONLY,
        {DATE: ("日期",), PAYER: ("付款人",), AMOUNT: ("金额",), MEMO: ("摘要",)},
    ),
    Layout("signed_amount", "银行导出：交易金额（支出为负数）", (DATE, PAYER, AMOUNT, MEMO), (SERIAL,), SIGNED),
)

CREDIT_WORDS = {"贷", "贷方", "收", "收入", "入", "入账", "来账", "转入", "C", "CR", "CRDT", "CREDIT", "+"}
DEBIT_WORDS = {"借", "借方", "支", "支出", "出", "出账", "往账", "转出", "D", "DR", "DBIT", "DEBIT", "-"}
# the first cell of a row that closes or annotates an export, not a transaction
FOOTER_WORDS = (
    "合计",
    "总计",
    "小计",
    "本页",
    "累计",
    "共计",
    "总笔数",
    "笔数",
    "以下空白",
    "以下无",
    "打印",
    "制表",
    "说明",
    "注：",
    "注:",
)


class StatementUnreadable(Rejected):
    """A statement file that cannot be read as it is; nothing was imported."""

    code = "STATEMENT_UNREADABLE"
    message = "银行流水文件无法读取"


def fold(text: str) -> str:
    """Full-width → half-width (NFKC), every space removed: how headers and words are compared."""
    if text.isascii():  # most cells of an export: nothing for NFKC to change
        return "".join(text.split())
    return "".join(unicodedata.normalize("NFKC", text).split())


def _header_key(cell: object) -> list[str]:
    """The names a header cell may stand for: the cell folded, without a trailing unit or note in
    brackets (贷方发生额（收入）, 金额(元)) or a leading mark (*交易日期), and its last part where an
    export joins two (账户明细编号-交易流水号)."""
    text = fold(cell_text(cell)).lstrip("*#")
    while text.endswith((")", "]", "】")) and text[:-1]:
        opening = max(text.rfind("("), text.rfind("["), text.rfind("【"))
        if opening <= 0:
            break
        text = text[:opening]
    keys = [text]
    for separator in ("-", "/", "|"):
        if separator in text:
            keys.append(text.rsplit(separator, 1)[1])
    return keys


_FOLDED = {role: tuple(fold(n) for n in names) for role, names in COLUMN_NAMES.items()}


@dataclass(frozen=True)
class Recognition:
    """A layout recognised in a header row: which column (from 0) holds each role (memo: every
    column that has one, joined in the file's order), and the header as the export wrote it."""

    layout: Layout
    header_row: int  # 1-based, as a spreadsheet numbers it
    columns: dict[str, tuple[int, ...]]
    headers: dict[str, tuple[str, ...]]

    def described(self) -> dict[str, Any]:
        """What was recognised, for the result: the layout and each role's column(s)."""
        return {
            "code": self.layout.code,
            "name": self.layout.name,
            "header_row": self.header_row,
            "columns": [
                {"role": role, "role_name": ROLE_NAMES[role], "headers": list(self.headers[role])}
                for role in (*self.layout.required, *self.layout.optional)
                if role in self.columns
            ],
        }


def _fit(layout: Layout, keys: list[list[str]]) -> tuple[dict[str, tuple[int, ...]], list[str]]:
    """The columns of each role this header gives `layout`, and the required roles it lacks."""
    found: dict[str, tuple[int, ...]] = {}
    used: set[int] = set()
    for role in (*layout.required, *layout.optional):
        names = tuple(fold(n) for n in layout.column_names(role)) if role in layout.names else _FOLDED[role]
        matches = [(names.index(k), i) for i, ks in enumerate(keys) if i not in used for k in ks if k in names]
        if not matches:
            continue
        chosen = tuple(sorted({i for _, i in matches})) if role == MEMO else (min(matches)[1],)
        found[role] = chosen
        used.update(chosen)
    return found, [r for r in layout.required if r not in found]


def recognise(header: Row, header_row: int = 1) -> Recognition | None:
    """The first layout of the table that this header row fits, or None."""
    keys = [_header_key(c) for c in header]
    for layout in LAYOUTS:
        found, missing = _fit(layout, keys)
        if not missing:
            return Recognition(
                layout, header_row, found, {r: tuple(cell_text(header[i]) for i in cols) for r, cols in found.items()}
            )
    return None


def _needed(layout: Layout, role: str) -> str:
    names = layout.column_names(role)
    return names[0] + (f"（或 {'、'.join(names[1:4])}）" if len(names) > 1 else "")


NEEDED = (
    "交易日期（或 记账日期）、对方户名（或 付款人名称、对方账户名称）、贷方发生额（或 收入金额；或 交易金额＋借贷标志）、"
    "摘要（或 用途、附言、备注）；交易流水号（或 流水号）可选。本系统模板为：日期、付款人、金额、摘要"
)


def find_header(rows: Sequence[Row]) -> Recognition:
    """The header among the first rows, or StatementUnreadable naming the columns needed (and
    those missing from the row that came closest)."""
    best: tuple[int, int, Layout, int, list[str]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = list(row)
        if not any(cell_text(c) for c in cells):
            continue
        recognised = recognise(cells, index + 1)
        if recognised is not None:
            return recognised
        keys = [_header_key(c) for c in cells]
        for order, layout in enumerate(LAYOUTS):
            found, missing = _fit(layout, keys)
            if found and (best is None or (len(missing), order) < (best[0], best[1])):
                best = (len(missing), order, layout, index + 1, missing)
    if best is None:
        raise StatementUnreadable(
            f"无法识别银行流水的表头：在前 {HEADER_SEARCH_ROWS} 行中没有找到已知的列名。需要的列：{NEEDED}",
            code="STATEMENT_LAYOUT_UNKNOWN",
            needed=NEEDED,
        )
    _, _, layout, header_row, missing = best
    wanted = "、".join(_needed(layout, r) for r in missing)
    raise StatementUnreadable(
        f"无法识别银行流水的格式（第 {header_row} 行表头）：缺少列：{wanted}。需要的列：{NEEDED}",
        code="STATEMENT_LAYOUT_UNKNOWN",
        needed=NEEDED,
        missing=[ROLE_NAMES[r] for r in missing],
        header_row=header_row,
    )


# ------------------------------------------------------------------ cells


def cell_text(value: object) -> str:
    """A cell as the text a person sees: numbers without a spurious '.0', dates ISO, and the
    ="…" wrapper and stray tabs that exports put around digits to keep Excel from reformatting them."""
    if value.__class__ is str:  # the common case first: 90,000 cells in a 10,000-line export
        text = value.strip()
        if not text.startswith('="'):
            return text
    elif value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith('="') and text.endswith('"') and len(text) >= 3:
        text = text[2:-1].strip()
    return text


class CellInvalid(ValueError):
    """A cell that is not what its column holds; the message says what is wrong, in Chinese."""


AMOUNT_HINT = "金额不是有效的数字（例如 1016.00、1,016.00、¥1016）"


def parse_amount(value: object) -> int:
    """An amount in fen, signed, exactly: Excel numbers by their shortest decimal form; text with
    thousands separators, a currency mark (¥ ￥ RMB CNY 人民币, 元 after), full-width digits, a
    sign or accounting brackets. CellInvalid if it is not a number or not exact to the fen."""
    if isinstance(value, bool) or value is None:
        raise CellInvalid("金额不能为空")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # what Excel shows, not the binary fraction behind it
    elif isinstance(value, Decimal):
        amount = value
    else:
        amount = _amount_text(cell_text(value))
    if not amount.is_finite():
        raise CellInvalid(AMOUNT_HINT)
    if abs(amount) * 100 > MAX_AMOUNT_FEN:
        raise CellInvalid("金额过大")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise CellInvalid("金额最多精确到分（两位小数）")
    return int(fen)


def _amount_text(raw: str) -> Decimal:
    text = fold(raw)
    if not text or text in ("-", "--"):
        raise CellInvalid("金额不能为空")
    if len(text) > 40:
        raise CellInvalid(AMOUNT_HINT)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    changed, signed = True, negative
    while changed and text:  # one sign and a currency mark, in either order, then a unit after
        changed = False
        if text[0] in "+-" and not signed:
            negative, signed = text[0] == "-", True
            text, changed = text[1:], True
        for mark in ("¥", "RMB", "CNY", "人民币"):
            if text.upper().startswith(mark):
                text, changed = text[len(mark) :], True
        for unit in ("元", "RMB", "CNY"):
            if text.upper().endswith(unit):
                text, changed = text[: -len(unit)], True
    whole, dot, cents = text.partition(".")
    if "," in whole:
        groups = whole.split(",")
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            raise CellInvalid(AMOUNT_HINT)
        whole = "".join(groups)
    if not whole.isascii() or not whole.isdigit() or (dot and not (cents.isascii() and cents.isdigit())):
        raise CellInvalid(AMOUNT_HINT)
    try:
        amount = Decimal(whole + dot + cents)
    except InvalidOperation:
        raise CellInvalid(AMOUNT_HINT) from None
    return -amount if negative else amount


DATE_HINT = "日期格式不正确（可为 2020-01-10、2020/1/10、2020.01.10、20200110 或 2020年1月10日）"


def parse_date(value: object) -> date:
    """A date from a cell: a real Excel date, a number 20200110, or text in the forms above, with a
    time after it or not. CellInvalid otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        raise CellInvalid("日期不能为空")
    if isinstance(value, (int, float)):
        if not float(value).is_integer():
            raise CellInvalid(DATE_HINT)
        value = str(int(value))
    text = cell_text(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        raise CellInvalid("日期不能为空")
    text = text.split()[0].split("T")[0]  # "2020-01-10 10:23:45", "2020-01-10T10:23:45+08:00"
    if "年" in text:
        text = text.replace("年", "-").replace("月", "-").replace("日", "")
    for separator in ("/", "."):
        text = text.replace(separator, "-")
    parts = text.split("-")
    if len(parts) == 1 and len(text) == 8:
        parts = [text[:4], text[4:6], text[6:]]
    if len(parts) != 3 or len(parts[0]) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise CellInvalid(DATE_HINT)
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise CellInvalid(f"日期“{cell_text(value)}”不存在，请核对") from None


def direction_of(value: object) -> str | None:
    """'credit', 'debit', or None for a word the table does not know."""
    word = fold(cell_text(value)).upper()
    if word in CREDIT_WORDS:
        return "credit"
    if word in DEBIT_WORDS:
        return "debit"
    return None


# ------------------------------------------------------------------ rows → lines


@dataclass
class StatementRead:
    """A statement as read: its credit lines, what was recognised, and what was left out."""

    lines: list[Line]
    layout: dict[str, Any]  # Recognition.described(), plus the file's kind
    skipped_rows: list[int] = field(default_factory=list)  # money out: not counted
    footer_rows: list[int] = field(default_factory=list)  # 合计 / 以下空白 …


def _cell(cells: Row, index: int) -> object:
    return cells[index] if index < len(cells) else None


def _blank(cells: Row) -> bool:
    for c in cells:
        if c is None or c == "":
            continue
        if c.__class__ is str and not c.strip():
            continue
        return False
    return True


def _is_footer(cells: Row) -> bool:
    first = next((cell_text(c) for c in cells if cell_text(c)), "")
    return fold(first).startswith(FOOTER_WORDS)


def read_rows(recognition: Recognition, rows: Iterable[tuple[int, Row]]) -> StatementRead:
    """Every data row after the header: a credit becomes a Line; money out and footers are
    skipped and counted; any other row that cannot be read is an error, and if there is one the
    whole statement is refused with every bad row (up to MAX_ROW_ERRORS) and what to fix."""
    cols = recognition.columns
    layout = recognition.layout
    lines: list[Line] = []
    skipped: list[int] = []
    footers: list[int] = []
    errors: list[dict[str, Any]] = []
    error_count = 0
    serial_rows: dict[str, int] = {}
    headers = recognition.headers

    def title(role: str) -> str:
        return headers[role][0]

    for number, cells in rows:
        if _blank(cells):
            continue
        messages: list[str] = []
        raw_date = _cell(cells, cols[DATE][0])
        try:
            paid_on = parse_date(raw_date)
        except CellInvalid as exc:
            if _is_footer(cells):
                footers.append(number)
                continue
            messages.append(f"{title(DATE)}：{exc}")
            paid_on = None
        amount, credit = _amount(layout, cols, cells, title, messages)
        payer = cell_text(_cell(cells, cols[PAYER][0]))
        if credit and not payer:
            messages.append(f"{title(PAYER)}：不能为空")
        serial = cell_text(_cell(cells, cols[SERIAL][0])) if SERIAL in cols else ""
        if credit and serial:
            if serial in serial_rows:
                messages.append(f"{title(SERIAL)}：与第 {serial_rows[serial]} 行相同（同一笔流水出现了两次？）")
            else:
                serial_rows[serial] = number
        if messages:
            error_count += 1
            if len(errors) < MAX_ROW_ERRORS:
                errors.append({"row": number, "errors": messages})
            continue
        if not credit or paid_on is None:
            skipped.append(number)
            continue
        memo = " ".join(t for t in (cell_text(_cell(cells, i)) for i in cols[MEMO]) if t)
        lines.append(Line(number, paid_on, payer[:MAX_TEXT], amount, memo[:MAX_TEXT], serial[:100]))
        if len(lines) > MAX_LINES:
            raise StatementUnreadable(
                f"银行流水超过 {MAX_LINES:,} 笔收入，请按时间分段导出后分批导入", code="STATEMENT_TOO_LONG"
            )
    if errors:
        more = f"（共 {error_count} 行，以下列出前 {MAX_ROW_ERRORS} 行）" if error_count > len(errors) else ""
        raise StatementUnreadable(
            f"银行流水有以下错误{more}，请核对后重新导入（未导入任何数据）",
            code="ROWS_INVALID",
            rows=errors,
            error_count=error_count,
        )
    if not lines:
        said = f"（{len(skipped)} 行支出已略过，只计收入）" if skipped else ""
        raise StatementUnreadable(f"银行流水中没有收入（贷方）流水{said}", code="STATEMENT_EMPTY")
    return StatementRead(lines, recognition.described(), skipped, footers)


def _amount(
    layout: Layout, cols: dict[str, tuple[int, ...]], cells: Row, title: Callable[[str], str], messages: list[str]
) -> tuple[int, bool]:
    """The line's amount in fen and whether it is money in. Appends to `messages` when unreadable."""

    def read(role: str) -> int | None:
        raw = _cell(cells, cols[role][0])
        if not cell_text(raw):
            return None
        try:
            return parse_amount(raw)
        except CellInvalid as exc:
            messages.append(f"{title(role)}：{exc}")
            return None

    if layout.amounts == CREDIT_COLUMN:
        before = len(messages)
        credit = read(CREDIT)
        debit = read(DEBIT) if DEBIT in cols else None
        if len(messages) > before:
            return 0, False
        if credit is not None and credit > 0:
            return credit, True
        if (debit is not None and debit != 0) or (credit is not None and credit < 0):
            return 0, False  # money out, or a reversal of money in: not a credit
        messages.append(
            f"{title(CREDIT)}：为空或为 0（支出行应在 {title(DEBIT)} 中有金额）"
            if DEBIT in cols
            else f"{title(CREDIT)}：为空或为 0"
        )
        return 0, False
    if layout.amounts == WITH_DIRECTION:  # the direction first: a debit's amount is not read at all
        way = direction_of(_cell(cells, cols[DIRECTION][0]))
        if way is None:
            shown = cell_text(_cell(cells, cols[DIRECTION][0]))
            messages.append(f"{title(DIRECTION)}：无法识别“{shown}”，应为 借/贷 或 支/收")
            return 0, False
        if way == "debit":
            return 0, False
    before = len(messages)
    amount = read(AMOUNT)
    if len(messages) > before:
        return 0, False
    if amount is None:
        messages.append(f"{title(AMOUNT)}：不能为空")
        return 0, False
    if layout.amounts == WITH_DIRECTION:
        if amount <= 0:
            messages.append(f"{title(AMOUNT)}：收入（贷方）金额须大于 0")
            return 0, False
        return amount, True
    if layout.amounts == SIGNED:
        if amount == 0:
            messages.append(f"{title(AMOUNT)}：金额为 0")
            return 0, False
        return (amount, True) if amount > 0 else (0, False)
    if amount < 0:  # the template: a hand-made list of money received
        messages.append(f"{title(AMOUNT)}：金额不能为负数")
        return 0, False
    return amount, True


def read_table(rows: Sequence[Row], kind: str, **about: str) -> StatementRead:
    """A statement from a sheet's or a CSV's rows (rows[0] is row 1): header found, lines read."""
    recognition = find_header(rows)
    read = read_rows(recognition, ((i + 1, rows[i]) for i in range(recognition.header_row, len(rows))))
    read.layout = {**read.layout, "file_kind": kind, **about}
    return read
