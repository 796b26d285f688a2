"""待确认变更 (issue 29 item 5): a member signed in by code corrects their own address and mobile;
the correction waits on the union's roster until its clerk accepts it (the member's details
change as the clerk's own edit would change them, announced as members.member.updated) or
declines it with a reason. Either way members texts the member (members.detail_change.decided,
consumed on its own texts queue). Rules in domain/detail_change.py
(docs/decisions/0047-member-details-corrections.md).

A new mobile is confirmed by a code sent to it before the change reaches members: the gateway
holds the code (its sign-in code machinery, decision 0041) and submits the change as the
`gateway` identity, naming the member of the session; a member's own call cannot submit one.

The union's decisions are detail_decisions'.

Seams: `shared.commit_or_conflict` (the one pending change a member, raced)."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import NotFound, ValidationFailed
from common.identity import GATEWAY, MEMBER, Identity
from services.members.adapters import detail_change_queries as queries
from services.members.adapters.orm import Member, MemberDetailChange
from services.members.domain import detail_change as rules
from services.members.handlers.shared import commit_or_conflict


def submit(uow: UoW, who: Identity, member_id: int, address: object, mobile: object) -> MemberDetailChange:
    """The member's correction, handed over by the gateway (the new mobile's code checked there).
    A pending change of the member's is replaced: marked superseded, kept."""
    who.require(GATEWAY)
    member = uow.session.get(Member, member_id, with_for_update=True)
    if member is None:
        raise NotFound("未找到您的会员信息", code="MEMBER_NOT_FOUND")
    refusal = rules.may_ask(member.status, member.union_id)
    if refusal:
        raise ValidationFailed({"address": [refusal]}, refusal, "DETAIL_CHANGE_NO_UNION")
    correction, errors = rules.check_correction(member.address, member.mobile, address, mobile)
    if correction is None:
        raise ValidationFailed(errors, code="DETAIL_CHANGE_INVALID")
    assert member.union_id is not None
    now = clock.utcnow_naive()
    row = MemberDetailChange(
        member_id=member.id,
        union_id=member.union_id,
        old_address=member.address or "",
        new_address=correction.address,
        old_mobile_masked=member.mobile_masked,
        new_mobile=correction.mobile,
        state=rules.PENDING,
        submitted_at=now,
    )
    previous = queries.pending_of_member(uow.session, member.id)
    if previous is not None:
        previous.state = rules.SUPERSEDED
        previous.decided_at = now
        previous.decided_by = f"member-{member.id}"
        uow.session.flush()  # the open slot is free before the new one takes it
    uow.session.add(row)
    uow.session.flush()
    if previous is not None:
        previous.superseded_by = row.id
    commit_or_conflict(uow, "DETAIL_CHANGE_OPEN", "您的变更正在提交，请稍后刷新查看")
    return row


def mine(uow: UoW, who: Identity) -> list[dict]:
    """The signed-in member's own changes, newest first, in their words."""
    who.require(MEMBER)
    if not who.member_id:
        raise NotFound("未找到您的会员信息", code="MEMBER_NOT_FOUND")
    return [as_member_reads(c) for c in queries.of_member(uow.session, who.member_id)]


def as_member_reads(change: MemberDetailChange) -> dict:
    return {
        "id": change.id,
        "state": change.state,
        "state_text": rules.state_text(change.state, change.reason),
        "new_address": change.new_address,
        "new_mobile": change.new_mobile_masked,
        "reason": change.reason,
        "submitted_at": change.submitted_at,
        "decided_at": change.decided_at,
    }


def union_changes(uow: UoW, who: Identity, state: str, page: int, per_page: int) -> tuple[int, list[dict]]:
    """The union's changes in one state (its own members only): old → new, mobiles masked."""
    who.require("grassroots")
    total, rows = queries.of_union(uow.session, who.union_id or 0, state, page, per_page)
    return total, [
        {
            "id": c.id,
            "member_id": c.member_id,
            "name": name,
            "member_no": member_no,
            "state": c.state,
            "state_text": rules.state_text(c.state, c.reason),
            "old_address": c.old_address,
            "new_address": c.new_address,
            "old_mobile": c.old_mobile_masked,
            "new_mobile": c.new_mobile_masked,
            "reason": c.reason,
            "submitted_at": c.submitted_at,
            "decided_at": c.decided_at,
            "decided_by": c.decided_by,
        }
        for c, name, member_no in rows
    ]
