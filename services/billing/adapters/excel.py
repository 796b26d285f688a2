"""Billing's workbooks: the settlement-credit list (清算分配款), read with common.excel (every bad
row is reported with its row number, and nothing is applied unless the whole file is good), and
the upload templates. Bank statements, in the template or as banks export them, are read by
adapters/statement_files.py."""

from __future__ import annotations

from common.errors import ValidationFailed
from common.excel import DATE, MONEY, Column, SheetSpec, cell_text, header_errors, is_empty, read_upload, write_workbook

MAX_AMOUNT_FEN = 10**14
CREDIT_COLUMNS = ["区局（产业）工会", "清算年度", "抵扣年度", "金额", "备注"]


def _amount(value) -> int:
    """Excel numbers arrive as floats: read their shortest decimal form, then parse as yuan."""
    from common.money import parse_yuan

    if isinstance(value, bool) or is_empty(value):
        raise ValidationFailed({"amount": ["金额不能为空"]})
    text = cell_text(value) if isinstance(value, (int, float)) else str(value).strip()
    if len(text) > 40:
        raise ValidationFailed({"amount": ["金额不是有效的数字"]})
    fen = parse_yuan(text, "amount")
    if fen > MAX_AMOUNT_FEN:
        raise ValidationFailed({"amount": ["金额过大"]})
    return fen


def _year(value) -> int:
    text = cell_text(value)
    if not (text.isdigit() and len(text) == 4):
        raise ValidationFailed({"year": ["年度应为 4 位数字，例如 2018"]})
    return int(text)


def _rejected(rows: list[dict], what: str) -> ValidationFailed:
    exc = ValidationFailed({}, message=f"{what}有以下错误，请修改后重新上传（未导入任何数据）", code="ROWS_INVALID")
    exc.extra["rows"] = rows
    return exc


def _check_header(sheet, expected: list[str], what: str) -> None:
    problems = header_errors(sheet, expected)
    if problems:
        raise ValidationFailed({"file": problems}, message=problems[0], code="COLUMNS_INVALID")


def read_credits(content: bytes, district_ids_by_name: dict[str, int]) -> list[dict]:
    sheet = read_upload(content)
    _check_header(sheet, CREDIT_COLUMNS, "清算分配款清单")
    entries, errors = [], []
    for row, cells in sheet.data_rows():
        cells = list(cells) + [""] * (5 - len(cells))
        messages, values = [], {}
        name = cell_text(cells[0])
        if name not in district_ids_by_name:
            messages.append(f"区局（产业）工会：未找到「{name}」" if name else "区局（产业）工会：不能为空")
        for key, index, parse in (("source_year", 1, _year), ("designated_year", 2, _year), ("amount_fen", 3, _amount)):
            try:
                values[key] = parse(cells[index])
            except ValidationFailed as exc:
                messages += [f"{CREDIT_COLUMNS[index]}：{m}" for ms in exc.extra["fields"].values() for m in ms]
        if not messages and values["amount_fen"] <= 0:
            messages.append("金额：须大于 0")
        if not messages and values["source_year"] >= values["designated_year"]:
            messages.append("清算年度应早于抵扣年度")
        if messages:
            errors.append({"row": row, "errors": messages})
        else:
            entries.append(
                {"row": row, "district_id": district_ids_by_name[name], "memo": cell_text(cells[4]), **values}
            )
    if errors:
        raise _rejected(errors, "清算分配款清单")
    if not entries:
        raise ValidationFailed({"file": ["清单中没有数据行（数据从第 2 行开始）"]}, code="CREDITS_EMPTY")
    return entries


def template(name: str) -> tuple[bytes, str]:
    """The upload templates, with a 填写说明 sheet: the credits reader above reads exactly these columns;
    the bank statement's are the layout table's 本系统模板 (domain/statement_layout.py)."""
    if name == "bank-statement":
        columns = [
            Column("日期", 14, note="到账日期，YYYY-MM-DD", kind=DATE),
            Column("付款人", 28, note="付款单位名称（区局/产业工会全称）"),
            Column("金额", 14, note="元，最多两位小数，不能为负", kind=MONEY),
            Column("摘要", 40, note="银行摘要/附言；含批次编号（如 CB201912300001）时优先按批次编号匹配"),
        ]
        sheet, filename = "银行流水", "银行流水导入模板.xlsx"
    else:
        columns = [
            Column("区局（产业）工会", 28, note="区局/产业工会全称"),
            Column("清算年度", 10, note="如 2018"),
            Column("抵扣年度", 10, note="指定用于抵扣的保障年度，如 2020"),
            Column("金额", 14, note="元，最多两位小数，大于 0", kind=MONEY),
            Column("备注", 30, note="可空"),
        ]
        sheet, filename = "清算分配款", "清算分配款导入模板.xlsx"
    return write_workbook([SheetSpec(sheet, columns, template_rows=50)], notes=columns), filename
