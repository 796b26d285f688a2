"""Roster rows from an uploaded list, and the sync categories A–E (同步会员, SPEC §2.5).
Pure rules, no I/O.

A  in the system and in this union        → synced flag 是
B  in the system with no union            → moved into this union at once, no approval
C  in the system in another union         → a transfer-in request, pending the source union
D  in this union but not in the file      → synced flag 否 (counted by the database, not per row)
E  not in the system                      → an error row
Name and ID number must match the system's record, or the row is an error. Any error row
means nothing is applied."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from services.members.domain.idcard import (
    TEXT_FORMAT_HINT,
    IdNumberInvalid,
    clean,
    mask_id,
    normalise_other_id,
    parse_resident_id,
    resident_number,
)
from services.members.domain.vocabulary import normalise_name

NOT_FOUND = "未查到该会员信息,请确认该证件号码已录入到系统"
NAME_MISMATCH = "姓名与系统中该证件号码登记的姓名不一致"
ERRORS_TITLE = "导入信息有以下错误,请重新修改后导入"
CATEGORIES = ("A", "B", "C", "D", "E")
# what each category means to the clerk (the result workbook's 汇总 sheet, the upload page)
CATEGORY_NAMES = {
    "A": "已在本单位，同步状态标记为“是”",
    "B": "系统中无所属单位，已直接转入本单位",
    "C": "在其他单位，已发起转入申请，待原单位审核",
    "D": "本单位会员但不在名单中，同步状态为“否”，可办理转出",
    "E": "系统中查无此人或信息不符（错误行）",
}
# the same, short, beside a count (the upload page's outcome)
CATEGORY_SHORT_NAMES = {
    "A": "已在本会（标记已同步）",
    "B": "无单位（直接转入）",
    "C": "在其他单位（发起转入申请）",
    "D": "本会有而名单中没有（未同步）",
    "E": "系统中查无此人（错误）",
}


ID_COLUMN = "证件号码"


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: its row number (as Excel shows it), column, the value
    found there, and the message that says what to fix. The person's name and ID number help the
    clerk find the row; ID numbers leave the service masked (3101**********1234, PIPL)."""

    row: int
    column: str
    message: str
    name: str = ""
    id_number: str = ""
    value: str = ""

    def as_dict(self, typed: bool = False) -> dict[str, Any]:
        """`typed`: the cell and ID number as the clerk typed them (a list upload: their own
        file, answered to them alone); otherwise ID numbers masked (a sync's errors)."""
        value = self.value or (
            self.id_number if self.column == ID_COLUMN else self.name if self.column == "姓名" else ""
        )
        if typed:
            return {
                "row": self.row,
                "column": self.column,
                "value": value,
                "message": self.message,
                "name": self.name,
                "id_number": self.id_number,
            }
        if self.column == ID_COLUMN:
            value = mask_id(value)
        return {
            "row": self.row,
            "column": self.column,
            "value": value,
            "message": self.message,
            "name": self.name,
            "id_number": mask_id(self.id_number),
        }


class PersonRow(NamedTuple):
    """A row naming a person: 姓名 + 证件号码 (already normalised). A tuple: 100,000 of them are cheap."""

    row: int
    name: str
    id_number: str


@dataclass(frozen=True)
class Found:
    """What the system holds for an ID number."""

    member_id: int
    name: str
    union_id: int | None
    pending_to_union: int | None = None  # a pending transfer request's target union


def normalise_any_id(raw: object, today: date) -> str:
    """An ID number from a list that does not say its type: resident if it looks like one."""
    if isinstance(raw, str) and len(raw) == 18 and raw[:17].isdigit():
        return resident_number(raw, today)  # the common case, no clean-up needed
    text = clean(raw)
    if len(text) in (15, 18) and text[:15].isdigit():
        return parse_resident_id(raw, today).number
    return normalise_other_id(raw)


_new_tuple = tuple.__new__


def person_rows(
    raw_rows: Iterable[tuple[int, object, object, bool]], today: date, id_column: str = "证件号码"
) -> tuple[list[PersonRow], list[RowError]]:
    """(row number, name, id value, id came as a number) tuples → clean rows and errors,
    including duplicates inside the file."""
    rows: list[PersonRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row_no, raw_name, raw_id, was_number in raw_rows:
        name = normalise_name(raw_name)
        shown = "" if raw_id is None else str(raw_id)
        if not name:
            errors.append(RowError(row_no, "姓名", "姓名不能为空", name, shown))
        if was_number:
            errors.append(RowError(row_no, id_column, TEXT_FORMAT_HINT, name, shown))
            continue
        try:
            number = normalise_any_id(raw_id, today)
        except IdNumberInvalid as exc:
            errors.append(RowError(row_no, id_column, str(exc), name, shown))
            continue
        if number in seen:
            errors.append(RowError(row_no, id_column, f"证件号码与第 {seen[number]} 行重复", name, number))
            continue
        seen[number] = row_no
        if name:
            rows.append(_new_tuple(PersonRow, (row_no, name, number)))  # PersonRow(…) without its Python-level __new__
    return rows, errors


def classify(union_id: int, row: PersonRow, found: Found | None) -> tuple[str, RowError | None]:
    """The category of one file row for a sync into `union_id`: ('A'|'B'|'C', None) or ('E', error)."""
    if found is None:
        return "E", RowError(row.row, "证件号码", NOT_FOUND, row.name, row.id_number)
    if found.name != row.name:
        return "E", RowError(row.row, "姓名", NAME_MISMATCH, row.name, row.id_number)
    if found.union_id == union_id:
        return "A", None
    if found.union_id is None:
        return "B", None
    if found.pending_to_union is not None and found.pending_to_union != union_id:
        return "E", RowError(row.row, "证件号码", PENDING_ELSEWHERE, row.name, row.id_number)
    return "C", None


# The same rule as `classify`, as the one SQL join does it for a whole file
# (adapters/roster_sql.RosterComparison): a category per row, where N (name mismatch) and P
# (a pending request to another union) are error rows like E.
PENDING_ELSEWHERE = "该会员已有转入其他单位的申请正在等待原单位审核"
ALREADY_OURS = "该会员已是本单位会员"
ERROR_CATEGORIES = {"E": ("证件号码", NOT_FOUND), "N": ("姓名", NAME_MISMATCH), "P": ("证件号码", PENDING_ELSEWHERE)}
# What refuses a transfer-in list (classify_transfer_in): A, already ours, is an error there too.
TRANSFER_IN_ERRORS = ("A", "E", "N", "P")


def error_for(category: str, row: int, name: str, id_number: str) -> RowError:
    column, message = ERROR_CATEGORIES.get(category, ("证件号码", ALREADY_OURS))
    return RowError(row, column, message, name, id_number)


def classify_transfer_in(union_id: int, row: PersonRow, found: Found | None) -> tuple[str, RowError | None]:
    """从其他工会转入: like sync, but a person already in this union is an error row."""
    category, error = classify(union_id, row, found)
    if category == "A":
        return "E", RowError(row.row, "证件号码", ALREADY_OURS, row.name, row.id_number)
    return category, error
