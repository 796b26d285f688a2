"""The union decides a member's own correction (待确认变更, issue 29 item 5,
docs/decisions/0047-member-details-corrections.md): 查看完整新手机号码, 确认变更 (the member's address
and mobile change, announced as members.member.updated) or 不予变更 with a reason. Either way the
member is texted (members.detail_change.decided); a replaced mobile is told too
(members.detail_change.mobile_replaced), both consumed on members' texts queue.

Locks go in submit's order — the member, then the change — so a member's new submission and a
clerk's decision queue instead of deadlocking, and the union is checked on the locked member
(a transfer that committed first is seen). Only the address and the mobile are applied: the
member's status stays (a member sent back by the district is not resubmitted by their own
correction). A change whose member's details moved since it was asked (a clerk's edit) is not
applied (409 DETAIL_CHANGE_STALE) and stays pending.

Seams: `roster.current_values` (a member's editable details, the change checked against them)
and `shared.publish_member`."""

from __future__ import annotations

from sqlalchemy import select

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters import detail_change_queries as queries
from services.members.adapters.orm import Member, MemberDetailChange
from services.members.domain import detail_change as rules
from services.members.domain.member import check_member
from services.members.handlers.roster import current_values
from services.members.handlers.shared import publish_member


class ChangeDecided(Conflict):
    code = "DETAIL_CHANGE_DECIDED"
    message = "该变更已处理，不能再处理"


class ChangeStale(Conflict):
    code = "DETAIL_CHANGE_STALE"
    message = rules.STALE_MESSAGE


def _own(uow: UoW, who: Identity, change_id: int, for_update: bool = False) -> tuple[MemberDetailChange, Member]:
    """A change of the clerk's own union whose member is still on its roster; else 404. To decide
    it (for_update): the member locked first, then the change (submit's order), both read afresh."""
    who.require("grassroots")
    change = queries.change(uow.session, change_id)
    member = None
    if change is not None:
        query = select(Member).where(Member.id == change.member_id)
        if for_update:
            query = query.with_for_update(of=Member).execution_options(populate_existing=True)
        member = uow.session.scalar(query)
        if for_update:
            change = queries.change(uow.session, change_id, for_update=True)
    if change is None or member is None or change.union_id != who.union_id or member.union_id != who.union_id:
        raise NotFound("未找到该变更", code="DETAIL_CHANGE_NOT_FOUND")
    return change, member


def reveal_new_mobile(uow: UoW, who: Identity, change_id: int) -> tuple[MemberDetailChange, Member]:
    """查看完整新手机号码: the clerk asks for one change's full new mobile (the gateway audits it)."""
    return _own(uow, who, change_id)


def accept(uow: UoW, who: Identity, change_id: int) -> tuple[MemberDetailChange, Member]:
    """确认变更: the member's address and mobile change, checked like the clerk's own edit, announced."""
    change, member = _own(uow, who, change_id, for_update=True)
    if change.state != rules.PENDING:
        raise ChangeDecided()
    if rules.is_stale(change.old_address, change.old_mobile_masked, member.address, member.mobile_masked):
        raise ChangeStale()
    wanted = {}
    if change.new_address is not None:
        wanted["address"] = change.new_address
    if change.new_mobile is not None:
        wanted["mobile"] = change.new_mobile
    clean, errors = check_member(wanted, clock.today(), partial_of=current_values(member))
    if errors:
        raise ValidationFailed(errors, code="DETAIL_CHANGE_INVALID")
    previous_mobile = member.mobile
    member.address = clean["address"]
    member.mobile = clean["mobile"]  # through the ORM: sealed, its masked copy with it (0038)
    member.version += 1
    member.updated_at = clock.utcnow_naive()
    publish_member(uow, contracts.MEMBER_UPDATED, member)
    if previous_mobile and member.mobile != previous_mobile:
        change.old_mobile = previous_mobile  # sealed; texted on the event below
        uow.session.flush()
        uow.publish(
            contracts.MOBILE_REPLACED,
            contracts.mobile_replaced_data(change, rules.mobile_replaced_message(member.mobile_masked or "")),
        )
    _decide(uow, who, change, rules.ACCEPTED, None)
    return change, member


def decline(uow: UoW, who: Identity, change_id: int, reason: object) -> tuple[MemberDetailChange, Member]:
    """不予变更: the member's details stay; the reason is what the member reads."""
    change, member = _own(uow, who, change_id, for_update=True)
    if change.state != rules.PENDING:
        raise ChangeDecided()
    text = rules.check_reason(reason)
    if text is None:
        raise ValidationFailed({"reason": [f"请填写原因（不超过 {rules.REASON_LIMIT} 字）"]})
    _decide(uow, who, change, rules.DECLINED, text)
    return change, member


def _decide(uow: UoW, who: Identity, change: MemberDetailChange, state: str, reason: str | None) -> None:
    change.state = state
    change.reason = reason
    change.decided_at = clock.utcnow_naive()
    change.decided_by = who.user
    uow.publish(
        contracts.DETAIL_CHANGE_DECIDED,
        contracts.detail_change_decided_data(change, rules.decided_message(state, reason)),
    )
    uow.commit()
