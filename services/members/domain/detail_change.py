"""My details (issue 29 item 5): a member signed in by code corrects their own address and
mobile; the correction waits on the union's roster as a pending change (待确认变更) until the
union's clerk accepts it (the member's details change) or declines it with a reason. Pure rules,
no I/O (docs/decisions/0047-member-details-corrections.md).

States: 待单位确认 (pending) → 已更新 (accepted) or 未通过 (declined, with the union's reason);
a pending change the member replaces by a new one is 已被新的申请替代 (superseded). One pending
change per member; every change is kept (the history)."""

from __future__ import annotations

from dataclasses import dataclass

from services.members.domain.member import normalise_mobile

PENDING = "pending"
ACCEPTED = "accepted"
DECLINED = "declined"
SUPERSEDED = "superseded"
STATES = (PENDING, ACCEPTED, DECLINED, SUPERSEDED)
STATE_NAMES = {PENDING: "待单位确认", ACCEPTED: "已更新", DECLINED: "未通过", SUPERSEDED: "已被新的申请替代"}
ADDRESS_LIMIT = 200
REASON_LIMIT = 200
# the member may sign in while pending, normal or left (decision 0041); a correction reaches a
# union's roster, so it needs one: a left member has none to accept it
MAY_ASK = ("normal", "pending")


@dataclass(frozen=True)
class Correction:
    """What the member asks for: the address and mobile wanted (None: unchanged)."""

    address: str | None
    mobile: str | None


def check_correction(
    current_address: str, current_mobile: str | None, address: object, mobile: object
) -> tuple[Correction | None, dict[str, list[str]]]:
    """The member's correction, or the errors in the member's words. An empty or absent mobile
    leaves it unchanged; the same value as on record is no change; at least one must differ."""
    errors: dict[str, list[str]] = {}
    new_address: str | None = None
    if address is not None:
        text = str(address).strip()
        if not text:
            errors["address"] = ["请填写联系地址"]
        elif len(text) > ADDRESS_LIMIT:
            errors["address"] = [f"联系地址不能超过 {ADDRESS_LIMIT} 个字"]
        elif text != (current_address or "").strip():
            new_address = text
    new_mobile: str | None = None
    if mobile not in (None, ""):
        normal = normalise_mobile(mobile)
        if normal is None:
            errors["mobile"] = ["请填写 11 位手机号码"]
        elif normal != current_mobile:
            new_mobile = normal
    if errors:
        return None, errors
    if new_address is None and new_mobile is None:
        return None, {"address": ["与登记信息相同，无需变更"]}
    return Correction(new_address, new_mobile), {}


def may_ask(status: str, union_id: int | None) -> str | None:
    """Why the member may not ask (their words), or None."""
    if union_id is None or status not in MAY_ASK:
        return "您目前没有所属基层工会，信息变更请联系原工会或市职保中心"
    return None


def check_reason(raw: object) -> str | None:
    """A decline's reason: required, at most REASON_LIMIT characters; None when not acceptable."""
    reason = str(raw or "").strip()
    if not reason or len(reason) > REASON_LIMIT:
        return None
    return reason


def state_text(state: str, reason: str | None) -> str:
    """What the member reads on /me: 待单位确认 / 已更新 / 未通过：<reason>."""
    if state == DECLINED:
        return f"未通过：{reason}" if reason else "未通过"
    return STATE_NAMES[state]


def decided_result(state: str, reason: str | None) -> str:
    """What the union decided, as the SMS says it (the provider's template's `${result}`)."""
    if state == ACCEPTED:
        return "已由所在工会确认并更新"
    return f"未通过，原因：{reason}"


def decided_message(state: str, reason: str | None) -> str:
    """The SMS the member gets when the union decides."""
    if state == ACCEPTED:
        return f"您提交的联系地址/手机号码变更{decided_result(state, reason)}。【上海市职工保障互助中心】"
    return f"您提交的联系地址/手机号码变更{decided_result(state, reason)}。如有疑问请联系所在工会。【上海市职工保障互助中心】"


STALE_MESSAGE = "会员信息已在提交后修改，请会员重新提交"


def is_stale(change_old_address: str, change_old_masked: str | None, address: str | None, masked: str | None) -> bool:
    """The member's details changed since the change was asked for (a clerk's edit): accepting it
    would overwrite that edit with what the member saw before."""
    return (address or "") != change_old_address or (masked or None) != (change_old_masked or None)


def mobile_replaced_message(new_masked: str) -> str:
    """The SMS to the previous mobile once an accepted change replaced it."""
    return (
        f"您的会员手机号码已更换为 {new_masked}，本号码将不再接收会员通知。"
        "如非本人申请，请联系所在工会。【上海市职工保障互助中心】"
    )
