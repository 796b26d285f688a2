"""会员审核: the district (or the centre) decides the members its unions added — approved, each
with the next member number (会员编号) from the counter, or sent back with a reason. Each decision
is all or nothing over the members chosen.

Seams: `shared.publish_members` (the decisions' member events, one message per 100 members);
the counter and the members are read through adapters/queries.py."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters import queries
from services.members.adapters.member_rows import approve_rows
from services.members.adapters.orm import Member
from services.members.domain.member import member_no as member_number
from services.members.domain.scope import member_in_scope
from services.members.handlers.shared import publish_members


def approve_members(uow: UoW, who: Identity, member_ids: list[int]) -> list[Member]:
    """会员审核: the district (or the centre) approves waiting members, one or many at once;
    each gets its member number. All or nothing."""
    who.require("district", "centre")
    visible, districts = _pending_in_scope(uow, who, member_ids)
    numbers = [member_number(n) for n in queries.next_member_numbers(uow.session, len(visible))]
    now = clock.utcnow_naive()
    approved = {"status": "normal", "approved_at": now, "approved_by": who.user, "updated_at": now}
    # One UPDATE for all of them (a district approves 1,000 at once, issue 16; decision 0049), not
    # one per member as the unit of work would flush them
    approve_rows(uow.session, list(zip(visible, numbers, strict=True)), approved)
    publish_members(uow, [(contracts.MEMBER_APPROVED, m) for m in visible], districts)
    uow.commit()
    return visible


def reject_members(uow: UoW, who: Identity, member_ids: list[int], reason: str) -> list[Member]:
    """会员审核 驳回: the district (or the centre) sends waiting members back to their union with a
    reason (审核说明); the union corrects and resubmits them (编辑, or a new import row). All or
    nothing. A rejected member has no member number and is never eligible for cover."""
    who.require("district", "centre")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["请填写驳回原因，基层工会将据此修改"]})
    visible, districts = _pending_in_scope(uow, who, member_ids)
    now = clock.utcnow_naive()
    for member in visible:
        member.status, member.review_note = "rejected", reason
        member.version += 1
        member.updated_at = now
    publish_members(uow, [(contracts.MEMBER_REJECTED, m) for m in visible], districts)
    uow.commit()
    return visible


def _pending_in_scope(uow: UoW, who: Identity, member_ids: list[int]) -> tuple[list[Member], dict]:
    """The chosen members, locked, if every one is in the caller's scope and waiting for review."""
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationFailed({"member_ids": ["请选择要审核的会员"]})
    found = queries.members_locked(uow.session, ids)
    districts = queries.districts_of(uow.session, [m.union_id for m in found])
    visible = [m for m in found if member_in_scope(who, m.union_id, districts.get(m.union_id))]
    if len(visible) != len(ids):
        raise NotFound()
    not_pending = [m.id for m in visible if m.status != "pending"]
    if not_pending:
        raise Conflict("所选会员中有不在待审核状态的，请刷新后重试", code="MEMBER_NOT_PENDING", ids=not_pending)
    return visible, districts
