"""组织注册 and 组织审核: a grassroots union applies to join the directory (an application, 申请),
its district approves it or returns it with a reason. Pure rules, no I/O: the applicant's fields
checked and cleaned, the states and the moves between them, the registration number.
docs/decisions/0036-organisation-registration.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.members.domain.directory import CreditCodeInvalid, normalise_credit_code

PENDING = "pending"  # 待区局审核
APPROVED = "approved"  # 已通过
RETURNED = "returned"  # 已退回
STATE_NAMES = {PENDING: "待区局审核", APPROVED: "已通过", RETURNED: "已退回"}
APPROVE = "approve"
RETURN = "return"
_MOVES = {(PENDING, APPROVE): APPROVED, (PENDING, RETURN): RETURNED}

TEXT_LIMITS = {
    "name": 200,
    "address": 200,
    "chair_name": 50,
    "clerk_name": 50,
}
REASON_LIMIT = 200
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_REQUIRED_NAMES = {
    "name": "工会名称",
    "address": "地址",
    "chair_name": "工会主席姓名",
    "clerk_name": "代办员姓名",
}


class NotPending(ValueError):
    """The registration was decided already: it cannot be decided again."""


@dataclass(frozen=True)
class Application:
    """What an applicant submitted, cleaned."""

    name: str
    credit_code: str
    district_id: int
    address: str
    chair_name: str
    chair_mobile: str
    chair_email: str
    clerk_name: str
    clerk_mobile: str
    clerk_email: str
    username: str


def _has_invisible(text: str) -> bool:
    """Control and format characters (a zero-width space in a name) are refused: names become
    notices' and workbooks' words."""
    return any(ord(c) < 32 or c in "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d" for c in text)


def mobile(raw: str) -> str | None:
    """An 11-digit mainland mobile (1[3-9]…), spaces and full-width digits allowed; else None."""
    value = (raw or "").strip().translate(_FULL_WIDTH_DIGITS).replace(" ", "").replace("-", "")
    if len(value) == 11 and value.isascii() and value.isdigit() and value[0] == "1" and value[1] in "3456789":
        return value
    return None


def email(raw: str) -> str | None:
    """A plausible address (one @, a dotted domain, no spaces, ≤ 254), lower-cased domain; else None.
    Parsed by splitting, never with a backtracking pattern."""
    value = (raw or "").strip()
    if not value or len(value) > 254 or any(c.isspace() for c in value) or value.count("@") != 1:
        return None
    local, domain = value.split("@")
    labels = domain.split(".")
    if not local or len(labels) < 2 or any(not label for label in labels) or not value.isascii():
        return None
    return f"{local}@{domain.lower()}"


def username(raw: str) -> str | None:
    """3–64 letters, digits or _ . -, the way the gateway's accounts take them; else None."""
    value = (raw or "").strip()
    if 3 <= len(value) <= 64 and all(c in USERNAME_CHARS for c in value):
        return value
    return None


def check_application(data: dict[str, object]) -> tuple[Application | None, dict[str, list[str]]]:
    """(the cleaned application, {}) or (None, {field: [message]}) naming every wrong field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, object] = {}
    for key, label in _REQUIRED_NAMES.items():
        text = str(data.get(key) or "").strip()
        if not text:
            errors[key] = [f"{label}不能为空"]
        elif len(text) > TEXT_LIMITS[key]:
            errors[key] = [f"{label}不能超过 {TEXT_LIMITS[key]} 个字"]
        elif _has_invisible(text):
            errors[key] = [f"{label}含有不可见字符，请删除后重新输入"]
        clean[key] = text
    try:
        clean["credit_code"] = normalise_credit_code(str(data.get("credit_code") or ""))
    except CreditCodeInvalid as exc:
        errors["credit_code"] = [str(exc)]
    district = data.get("district_id")
    if not isinstance(district, int) or isinstance(district, bool) or district <= 0:
        errors["district_id"] = ["请选择所属区局/产业工会"]
    clean["district_id"] = district
    for who, label in (("chair", "工会主席"), ("clerk", "代办员")):
        phone = mobile(str(data.get(f"{who}_mobile") or ""))
        if phone is None:
            errors[f"{who}_mobile"] = [f"{label}手机号应为 11 位手机号码"]
        clean[f"{who}_mobile"] = phone
        address = email(str(data.get(f"{who}_email") or ""))
        if address is None:
            errors[f"{who}_email"] = [f"{label}电子邮箱格式不正确"]
        clean[f"{who}_email"] = address
    wanted = username(str(data.get("username") or ""))
    if wanted is None:
        errors["username"] = ["用户名为 3–64 位字母、数字或 _ . -"]
    clean["username"] = wanted
    if errors:
        return None, errors
    return Application(**clean), {}  # type: ignore[arg-type]


def decide(state: str, action: str) -> str:
    """The state after a decision: only a pending registration is decided, once."""
    try:
        return _MOVES[(state, action)]
    except KeyError:
        raise NotPending(f"该申请{STATE_NAMES.get(state, state)}，不能再审核") from None


def check_reason(raw: str | None) -> str | None:
    """A return's reason: required, ≤ REASON_LIMIT characters; None when it is not acceptable."""
    reason = (raw or "").strip()
    if not reason or len(reason) > REASON_LIMIT or _has_invisible(reason):
        return None
    return reason


def registration_number(registration_id: int, submitted_on: date) -> str:
    """注册编号 the applicant quotes: ZC + the day + the id (unique, readable on the phone)."""
    return f"ZC{submitted_on:%Y%m%d}{registration_id:06d}"
