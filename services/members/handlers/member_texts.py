"""Texts to a member (短信, decision 0045): members holds the mobile on record (sealed), so members
sends what other services have to tell a member. Today: enrollment's
`enrollment.cover_request.changed` (个人参保申请 已申请 / 单位已提交 / 已参保 / 单位未受理 /
参保未成功) → one SMS through common/sms.py with the words enrollment wrote. Consumed as work
(one message at a time, the inbox claimed after it went out): a provider that refuses raises,
and the broker delivers the event again. A member without a mobile on record gets nothing.
Members' own `members.detail_change.decided` (待确认变更 accepted or declined, decision 0047) is
texted the same way, to the mobile on record once decided (the new one when accepted); its
`members.detail_change.mobile_replaced` (an accepted change replaced the mobile) to the previous
mobile, sealed on the change. Each kind of text goes with its own provider template (common/sms.py)."""

from __future__ import annotations

from common import facts, sms
from common.db import UoW
from services.members.adapters.orm import Member, MemberDetailChange
from services.members.domain import detail_change as rules


@facts.consumes
def text_member_when_cover_request_changed(uow: UoW, event: dict) -> None:
    """One SMS to the member whose 个人参保申请 changed, in enrollment's words."""
    data = event["data"]
    member_id = facts.integer(data, "member_id", 1)
    message = facts.text(data, "message")
    state = facts.text(data, "state")
    year = facts.integer(data, "cover_year", 2000)
    member = uow.session.get(Member, member_id)
    if member is None or not member.mobile:
        return
    # the provider's template (SMS_TEMPLATE_COVER_REQUEST) gets the state in words, with the reason
    words = str(data.get("state_text") or state)
    reason = data.get("reason")
    sms.send(
        member.mobile,
        sms.COVER_REQUEST,
        message,
        {"year": str(year), "state": f"{words}（{reason}）" if reason else words},
    )


@facts.consumes
def text_member_when_detail_change_decided(uow: UoW, event: dict) -> None:
    """One SMS to the member whose correction of their details the union decided."""
    data = event["data"]
    member_id = facts.integer(data, "member_id", 1)
    message = facts.text(data, "message")
    state = facts.text(data, "state")
    reason = data.get("reason")
    member = uow.session.get(Member, member_id)
    if member is None or not member.mobile:
        return
    sms.send(member.mobile, sms.DETAIL_DECISION, message, {"result": rules.decided_result(state, str(reason or ""))})


@facts.consumes
def text_previous_mobile_when_replaced(uow: UoW, event: dict) -> None:
    """One SMS to the mobile an accepted change replaced: the member's number changed."""
    data = event["data"]
    change_id = facts.integer(data, "change_id", 1)
    message = facts.text(data, "message")
    change = uow.session.get(MemberDetailChange, change_id)
    if change is None or not change.old_mobile:
        return
    sms.send(change.old_mobile, sms.MOBILE_REPLACED, message, {"number": change.new_mobile_masked or ""})
