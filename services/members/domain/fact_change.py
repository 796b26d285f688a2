"""Changes to a union's registered facts (登记信息变更) through 组织审核: the union asks to change
its name, its unified social credit code, or to move to another district; its district approves
or returns it with a reason; a move needs both districts — the union's district releases it
(放行), then the new one accepts it (接收). Pure rules, no I/O
(docs/decisions/0040-clerk-handover.md).

States: 待区局审核 (pending, at the union's district) → 已通过 (approved), or, for a move,
→ 待新区局接收 (releasing done: awaiting the new district) → 已通过; 已退回 (returned) from either
step. Decided once; one open change per union."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.members.domain.directory import CreditCodeInvalid, normalise_credit_code

PENDING = "pending"  # 待区局审核 (the union's district)
AWAITING = "awaiting"  # 待新区局接收 (a move the old district released)
APPROVED = "approved"
RETURNED = "returned"
OPEN = (PENDING, AWAITING)
STATE_NAMES = {PENDING: "待区局审核", AWAITING: "待新区局接收", APPROVED: "已通过", RETURNED: "已退回"}
NAME_LIMIT = 200
NOTE_LIMIT = 200


class NotYours(ValueError):
    """Another district's step: the message says whose."""


class Decided(ValueError):
    """Decided already."""


@dataclass(frozen=True)
class Change:
    """What changes (None: unchanged)."""

    name: str | None
    credit_code: str | None
    district_id: int | None

    @property
    def is_move(self) -> bool:
        return self.district_id is not None


def _invisible(text: str) -> bool:
    return any(ord(c) < 32 or c in "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d" for c in text)


def check_change(
    current_name: str, current_code: str, current_district: int, data: dict[str, object]
) -> tuple[Change | None, dict[str, list[str]]]:
    """(the change, {}) or (None, {field: [message]}). A field left empty or equal to the
    current value is not a change; asking for no change at all is refused."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip() or None
    if name is not None:
        if len(name) > NAME_LIMIT:
            errors["name"] = [f"工会名称不能超过 {NAME_LIMIT} 个字"]
        elif _invisible(name):
            errors["name"] = ["工会名称含有不可见字符，请删除后重新输入"]
        elif name == current_name:
            name = None
    code = str(data.get("credit_code") or "").strip() or None
    if code is not None:
        try:
            code = normalise_credit_code(code)
        except CreditCodeInvalid as exc:
            errors["credit_code"] = [str(exc)]
        else:
            code = None if code == current_code else code
    district = data.get("district_id")
    if district in (None, ""):
        district = None
    elif not isinstance(district, int) or isinstance(district, bool) or district <= 0:
        errors["district_id"] = ["请选择要转入的区局/产业工会"]
        district = None
    elif district == current_district:
        district = None
    if errors:
        return None, errors
    if name is None and code is None and district is None:
        return None, {"name": ["请至少填写一项与现登记信息不同的内容（名称、统一社会信用代码或所属区局）"]}
    return Change(name, code, district), {}


def check_note(raw: object) -> str | None:
    """The union's optional word on why (≤ NOTE_LIMIT); '' when none, None when too long."""
    note = str(raw or "").strip()
    return None if len(note) > NOTE_LIMIT or _invisible(note) else note


def step_district(state: str, from_district: int, to_district: int | None) -> int:
    """Whose step it is: the union's district while pending, the new one while awaiting."""
    if state == PENDING:
        return from_district
    if state == AWAITING and to_district is not None:
        return to_district
    raise Decided(f"该申请{STATE_NAMES.get(state, state)}，不能再审核")


def approve(state: str, is_move: bool) -> str:
    """The state after an approval at the current step: a move released by its district waits
    for the new one; anything else is done."""
    if state == PENDING:
        return AWAITING if is_move else APPROVED
    if state == AWAITING:
        return APPROVED
    raise Decided(f"该申请{STATE_NAMES.get(state, state)}，不能再审核")


def give_back(state: str) -> str:
    if state in OPEN:
        return RETURNED
    raise Decided(f"该申请{STATE_NAMES.get(state, state)}，不能再审核")


def check_actor(role: str, own_district: int | None, step: int) -> None:
    """Only the district whose step it is (or the centre) decides it."""
    if role == "centre":
        return
    if role != "district" or own_district != step:
        raise NotYours("该申请当前应由其他区局审核")


def change_number(change_id: int, submitted_on: date) -> str:
    """变更编号: BG + the day + the id."""
    return f"BG{submitted_on:%Y%m%d}{change_id:06d}"
