"""A union member (会员) and the rules on its fields. Pure rules, no I/O.

`check_member` turns what a clerk typed (a form or one Excel row) into clean values, or into a
message per field in Chinese; the same rules serve 新增会员, 编辑, and 批量导入会员."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from services.members.domain import vocabulary as words
from services.members.domain.idcard import IdNumberInvalid, clean, normalise_other_id, parse_resident_id
from services.members.domain.vocabulary import UnknownWord, normalise, normalise_name
from services.members.domain.vocabulary import parse_date as parse_date  # named here for the handlers too

# 有效证件类型
ID_TYPES = {"resident": "身份证", "other": "其他"}
ID_TYPE_BY_LABEL = {v: k for k, v in ID_TYPES.items()}
GENDERS = words.GENDER.values
EDUCATIONS = words.EDUCATION.values  # 学历
HOUSEHOLD_TYPES = words.HOUSEHOLD_TYPE.values  # 户籍类型
SKILL_GRADES = words.SKILL_GRADE.values  # 技术等级
UNION_POSTS = words.UNION_POST.values  # 工会职务
DEFAULT_SKILL_GRADE = "无"
DEFAULT_UNION_POST = "工会会员"

# 用户状态: 待审核 / 审核未通过 (sent back by the district, 会员审核) / 正常 / 已转出
STATUSES = {"pending": "待审核", "rejected": "审核未通过", "normal": "正常", "left": "已转出"}
# 转出原因
TRANSFER_OUT_REASONS = words.TRANSFER_OUT_REASON.values

# what each field is called on the form and in the Excel template (the column headers)
LABELS = {
    "name": "姓名",
    "id_type": "有效证件类型",
    "id_number": "证件号码",
    "gender": "性别",
    "birth_date": "出生日期",
    "address": "联系地址",
    "mobile": "移动电话",
    "education": "学历",
    "household_type": "户籍类型",
    "skill_grade": "技术等级",
    "union_post": "工会职务",
}
EDITABLE = (
    "name",
    "gender",
    "birth_date",
    "address",
    "mobile",
    "education",
    "household_type",
    "skill_grade",
    "union_post",
)

# ASCII digits only: `\d` would let Arabic-Indic or full-width digits through as a mobile
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalise_mobile(raw: object) -> str | None:
    """An 11-digit mainland mobile number, or None if it is not one."""
    mobile = clean(raw).replace("-", "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    elif mobile.startswith("86") and len(mobile) == 13:
        mobile = mobile[2:]
    return mobile if _MOBILE.fullmatch(mobile) else None


def _choice(
    value: object, vocabulary: words.Vocabulary, default: str | None, errors: dict[str, Any], field: str
) -> str | None:
    """A cell of an enumerated column: its value, a synonym's value, the default, or an error
    listing the accepted values."""
    try:
        text = normalise(vocabulary, value)
    except UnknownWord as exc:
        errors.setdefault(field, []).append(str(exc))
        return None
    if text is None:
        if default is None:
            errors.setdefault(field, []).append("此项必填（可填：" + vocabulary.accepted() + "）")
        return default
    return text


def check_member(
    data: dict[str, Any], today: date, partial_of: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate a member's fields. Returns (clean values, errors {field: [messages]}).

    `partial_of`: the member's current values when only some fields change (edit); the ID number
    then stays as it is, and gender/birth date are checked against it."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    merged = {**(partial_of or {}), **data}

    name = normalise_name(merged.get("name"))
    if not name:
        errors.setdefault("name", []).append("此项必填")
    elif len(name) > 50:
        errors.setdefault("name", []).append("姓名不能超过 50 个字")
    out["name"] = name

    # the ID type and number (fixed once the member exists)
    id_type = merged.get("id_type") or "resident"
    if id_type not in ID_TYPES:
        try:
            id_type = ID_TYPE_BY_LABEL[normalise(words.ID_TYPE, id_type) or "身份证"]
        except UnknownWord as exc:
            errors.setdefault("id_type", []).append(str(exc))
    out["id_type"] = id_type
    resident = None
    if partial_of is not None:
        out["id_number"] = partial_of["id_number"]
        if id_type == "resident":
            resident = parse_resident_id(partial_of["id_number"], date.max)
    else:
        try:
            if id_type == "resident":
                resident = parse_resident_id(merged.get("id_number"), today)
                out["id_number"] = resident.number
            else:
                out["id_number"] = normalise_other_id(merged.get("id_number"))
        except IdNumberInvalid as exc:
            errors.setdefault("id_number", []).append(str(exc))
            out["id_number"] = clean(merged.get("id_number"))

    try:
        gender = normalise(words.GENDER, merged.get("gender"))
    except UnknownWord as exc:
        errors.setdefault("gender", []).append(str(exc))
        gender = None
    try:
        birth = parse_date(merged.get("birth_date"))
    except ValueError as exc:
        errors.setdefault("birth_date", []).append(str(exc))
        birth = None
    if resident is not None:
        if gender is not None and gender != resident.gender and "gender" not in errors:
            errors.setdefault("gender", []).append(f"性别与身份证号码不符（号码显示为{resident.gender}）")
        if birth is not None and birth != resident.birth_date:
            errors.setdefault("birth_date", []).append(
                f"出生日期与身份证号码不符（号码显示为 {resident.birth_date.isoformat()}）"
            )
        gender, birth = resident.gender, resident.birth_date
    elif id_type == "other":
        if gender is None and "gender" not in errors:
            errors.setdefault("gender", []).append("此项必填")
        if birth is None and "birth_date" not in errors:
            errors.setdefault("birth_date", []).append("此项必填")
        elif birth is not None and birth > today:
            errors.setdefault("birth_date", []).append("出生日期不能晚于今天")
    out["gender"], out["birth_date"] = gender, birth

    address = str(merged.get("address") or "").strip()
    if not address:
        errors.setdefault("address", []).append("此项必填")
    elif len(address) > 200:
        errors.setdefault("address", []).append("联系地址不能超过 200 个字")
    out["address"] = address

    raw_mobile = merged.get("mobile")
    if raw_mobile in (None, ""):
        errors.setdefault("mobile", []).append("此项必填")
        out["mobile"] = None
    else:
        out["mobile"] = normalise_mobile(raw_mobile)
        if out["mobile"] is None:
            errors.setdefault("mobile", []).append("移动电话应为 11 位手机号码")

    out["education"] = _choice(merged.get("education"), words.EDUCATION, None, errors, "education")
    out["household_type"] = _choice(merged.get("household_type"), words.HOUSEHOLD_TYPE, None, errors, "household_type")
    out["skill_grade"] = _choice(
        merged.get("skill_grade"), words.SKILL_GRADE, DEFAULT_SKILL_GRADE, errors, "skill_grade"
    )
    out["union_post"] = _choice(merged.get("union_post"), words.UNION_POST, DEFAULT_UNION_POST, errors, "union_post")
    return out, errors


def member_no(sequence: int) -> str:
    """会员编号: ten digits from a counter that only grows (so a number is never reused)."""
    return f"{sequence:010d}"


def status_after_joining(member_no_value: str | None) -> str:
    """A person who comes into a union without approval (no union before, or transferred):
    normal if once approved (has a member number), else still waiting for approval."""
    return "normal" if member_no_value else "pending"
