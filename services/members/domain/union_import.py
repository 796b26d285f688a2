"""工会批量导入 (bulk provisioning, issue 27 item 4): the centre loads districts and grassroots
unions with their clerks from one workbook, a district loads its own unions. Pure rules, no I/O:
each row's cells checked and cleaned, duplicates inside the file found, every problem named with
its row and column (docs/decisions/0039-bulk-provisioning.md).

A row is a district (区局（产业）工会, the centre's file only) or a grassroots union (基层工会). A
union names its district by name: one already in the directory, or one a row of the same file
makes. Every row names its clerk (代办员), whose account the gateway makes inactive, with an
activation link mailed: name, mobile, e-mail and the wanted user name."""

from __future__ import annotations

from dataclasses import dataclass

from services.members.domain.directory import CreditCodeInvalid, normalise_credit_code
from services.members.domain.registration import email, mobile, username

UNION, DISTRICT = "union", "district"
LEVELS = {"基层工会": UNION, "基层": UNION, "区局（产业）工会": DISTRICT, "区局工会": DISTRICT, "产业工会": DISTRICT}
LEVEL_VALUES = ("基层工会", "区局（产业）工会")
DISTRICT_KIND_VALUES = {"区局工会": "district", "产业工会": "industry"}
NAME_LIMITS = {UNION: 200, DISTRICT: 100}
CLERK_NAME_LIMIT = 50

# the columns, in the template's order (adapters/excel.py TEMPLATES["unions"] titles them)
COLUMNS = ("level", "name", "credit_code", "district", "district_kind", "clerk_name", "mobile", "email", "username")
TITLES = {
    "level": "层级",
    "name": "名称",
    "credit_code": "统一社会信用代码",
    "district": "所属区局（产业）工会",
    "district_kind": "区局类型",
    "clerk_name": "代办员姓名",
    "mobile": "代办员手机",
    "email": "代办员邮箱",
    "username": "用户名",
}


@dataclass(frozen=True)
class Problem:
    row: int
    field: str  # a key of COLUMNS
    message: str
    name: str = ""  # the row's 名称, to find it by
    value: str = ""


@dataclass(frozen=True)
class Row:
    """A checked row: a district (credit_code None, kind set) or a union (district named)."""

    row: int
    level: str
    name: str
    credit_code: str | None
    district: str  # a union's district by name; a district's own name
    district_kind: str
    clerk_name: str
    mobile: str
    email: str
    username: str


def _invisible(text: str) -> bool:
    return any(ord(c) < 32 or c in "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d" for c in text)


def check_row(row_no: int, cells: dict[str, str], may_make_districts: bool) -> tuple[Row | None, list[Problem]]:
    """One row's cells (stripped text) → (the row, []) or (None, every problem of the row)."""
    problems: list[Problem] = []
    name = cells["name"]

    def wrong(field: str, message: str) -> None:
        problems.append(Problem(row_no, field, message, name, cells[field]))

    level = LEVELS.get(cells["level"] or "基层工会")
    if level is None:
        wrong("level", "层级应为“基层工会”或“区局（产业）工会”")
    elif level == DISTRICT and not may_make_districts:
        wrong("level", "区局（产业）工会只能由市职保中心导入；本表请只填写本区局的基层工会")
    limit = NAME_LIMITS.get(level or UNION, 200)
    if not name:
        wrong("name", "名称不能为空")
    elif len(name) > limit:
        wrong("name", f"名称不能超过 {limit} 个字")
    elif _invisible(name):
        wrong("name", "名称含有不可见字符，请删除")
    code: str | None = None
    kind = "district"
    if level == DISTRICT:
        if cells["credit_code"]:
            wrong("credit_code", "区局（产业）工会一行不填统一社会信用代码")
        kind = DISTRICT_KIND_VALUES.get(cells["district_kind"] or "区局工会", "")
        if not kind:
            wrong("district_kind", "区局类型应为“区局工会”或“产业工会”（不填为区局工会）")
    else:
        try:
            code = normalise_credit_code(cells["credit_code"])
        except CreditCodeInvalid as exc:
            wrong("credit_code", str(exc))
        if cells["district_kind"]:
            wrong("district_kind", "基层工会一行不填区局类型")
    clerk = cells["clerk_name"]
    if not clerk:
        wrong("clerk_name", "代办员姓名不能为空")
    elif len(clerk) > CLERK_NAME_LIMIT or _invisible(clerk):
        wrong("clerk_name", f"代办员姓名不能超过 {CLERK_NAME_LIMIT} 个字，且不含不可见字符")
    phone = mobile(cells["mobile"])
    if phone is None:
        wrong("mobile", "代办员手机应为 11 位手机号码")
    address = email(cells["email"])
    if address is None:
        wrong("email", "代办员邮箱格式不正确（激活链接将发送至该邮箱）")
    wanted = username(cells["username"])
    if wanted is None:
        wrong("username", "用户名为 3–64 位字母、数字或 _ . -")
    if problems:
        return None, problems
    assert level is not None and phone is not None and address is not None and wanted is not None
    return (
        Row(
            row_no,
            level,
            name,
            code,
            name if level == DISTRICT else cells["district"],
            kind,
            clerk,
            phone,
            address,
            wanted,
        ),
        [],
    )


def duplicates(rows: list[Row]) -> list[Problem]:
    """Rows repeating another row's credit code, union name, district name or user name."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        keys = [("username", r.username)]
        if r.level == UNION:
            keys += [("credit_code", r.credit_code or ""), ("name", "u:" + r.name)]
        else:
            keys.append(("name", "d:" + r.name))
        for field, key in keys:
            first = seen.setdefault((field, key), r.row)
            if first != r.row:
                value = (
                    r.username if field == "username" else (r.credit_code or "") if field == "credit_code" else r.name
                )
                problems.append(Problem(r.row, field, f"与第 {first} 行重复", r.name, value))
    return problems
