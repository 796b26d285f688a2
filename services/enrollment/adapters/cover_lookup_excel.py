"""The workbooks of 职工保障查询 (cover lookup): the bulk request a clerk uploads (ID numbers in the
first column), its template, and the result workbook returned for it."""

from __future__ import annotations

from common.errors import TooLarge, ValidationFailed
from common.excel import Column, SheetSpec, cell_text, read_upload, write_workbook
from services.enrollment.domain.cover_state import BULK_LIMIT, NOT_FOUND_MESSAGE


def read_id_numbers(data: bytes) -> list[str]:
    """The first column of the first sheet from row 2 (row 1: 身份证号码): at most BULK_LIMIT."""
    sheet = read_upload(data)
    numbers = [cell_text(cells[0]) for _, cells in sheet.data_rows(2) if cells and cell_text(cells[0])]
    if len(numbers) > BULK_LIMIT:
        raise TooLarge(
            f"一次最多查询 {BULK_LIMIT:,} 个身份证号码，本文件有 {len(numbers):,} 个，请分批查询",
            code="TOO_MANY_ROWS",
            limit=BULK_LIMIT,
        )
    if not numbers:
        raise ValidationFailed({"file": ["文件中没有身份证号码（第 1 列，从第 2 行起）"]})
    return numbers


def bulk_workbook(results: list[dict]) -> bytes:
    """One row per number asked, in the order asked: the latest cover year's state in full, the
    earlier years summed up in one cell (历年参保), or why there is none (说明).

    The 身份证号码 column echoes the numbers of the clerk's own file (normalised), never a number
    from our records: it tells them nothing they did not send, and it is what they match the
    result against their list by (a masked column would leave only the row order). Nothing else in
    the workbook is an ID number."""
    columns = [
        Column("身份证号码", 22, text=True),
        Column("姓名", 12),
        Column("保障年度", 10),
        Column("保障类型", 10),
        Column("保障期间", 24),
        Column("参保方式", 10),
        Column("参保单位", 30),
        Column("保障状态", 10),
        Column("缴费状态", 16),
        Column("给付申请材料截止", 16),
        Column("历年参保", 40),
        Column("说明", 30),
    ]
    rows = []
    for r in results:
        if r["problem"] or r["person"] is None:
            rows.append(
                [
                    r["asked"] if r["problem"] else r["id_number"],
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    r["problem"] or NOT_FOUND_MESSAGE,
                ]
            )
            continue
        latest, *earlier = r["person"]["covers"]
        rows.append(
            [
                r["id_number"],
                r["person"]["name"],
                latest["cover_year"],
                latest["type_name"],
                f"{latest['cover_start']:%Y-%m-%d}至{latest['cover_end']:%Y-%m-%d}",
                latest["mode_name"],
                latest["union_name"],
                latest["state"],
                latest["payment_state"],
                latest["claims_deadline"],
                "；".join(f"{c['cover_year']} {c['type_name']} {c['state']}（{c['payment_state']}）" for c in earlier)
                or None,
                None,
            ]
        )
    return write_workbook([SheetSpec("职工保障查询结果", columns, rows)])


def template() -> bytes:
    return write_workbook([SheetSpec("职工保障查询", [Column("身份证号码", 24, text=True)], [], template_rows=200)])
