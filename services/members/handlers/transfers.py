"""Transfers (转入/转出): a union lets members go (转出, one or many, with a reason); a request to
bring a member in from another union is decided by the source union (会员转出审核); people with
no union join at once.

Seams: it offers the steps of a move, said once — `let_go` (members leave their union),
`move_unattached` (people with no union join at once) and `publish_requested` (the requests just
made, to each source union) — to transfer_lists and sync; it publishes through `shared`."""

from __future__ import annotations

from sqlalchemy import update

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters import queries
from services.members.adapters.orm import Member, TransferRequest
from services.members.adapters.roster_sql import RosterComparison
from services.members.domain.member import TRANSFER_OUT_REASONS, status_after_joining
from services.members.handlers.shared import publish_member, publish_snapshots


def transfer_out(uow: UoW, who: Identity, member_ids: list[int], reason: str) -> list[Member]:
    """转出 / 批量转出会员: the union lets members go, with a reason; they keep their record and
    number but belong to no union. Pending requests for them are cancelled."""
    who.require("grassroots")
    if reason not in TRANSFER_OUT_REASONS:
        raise ValidationFailed({"reason": ["取值须为以下之一：" + "、".join(TRANSFER_OUT_REASONS)]})
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationFailed({"member_ids": ["请选择要转出的会员"]})
    found = queries.members_locked(uow.session, ids, who.union_id)
    if len(found) != len(ids):
        raise NotFound()
    let_go(uow, who, found, {m.id: reason for m in found})
    uow.commit()
    return found


def let_go(uow: UoW, who: Identity, members: list[Member], reasons: dict) -> None:
    """These members of the caller's union leave it, each with its reason (member id → reason)."""
    now = clock.utcnow_naive()
    district = queries.district_of(uow.session, who.union_id)
    uow.session.execute(
        update(TransferRequest)
        .where(TransferRequest.member_id.in_([m.id for m in members]), TransferRequest.status == "pending")
        .values(status="cancelled", reason="会员已被原单位转出", decided_by=who.user, decided_at=now)
    )
    snapshots = []
    for member in members:
        reason = reasons[member.id]
        member.union_id, member.status, member.synced, member.left_reason = None, "left", False, reason
        member.version += 1
        member.updated_at = now
        snapshots.append(
            contracts.member_data(
                member, None, previous_union_id=who.union_id, previous_district_id=district, reason=reason
            )
        )
    publish_snapshots(uow, [(contracts.MEMBER_TRANSFERRED_OUT, s) for s in snapshots])


def move_unattached(uow: UoW, who: Identity, found: RosterComparison, job_id: int | None, synced: bool) -> int:
    """The people of an upload who belong to no union join the caller's union at once (B)."""
    moved = found.move_unattached(job_id, clock.utcnow_naive(), synced)
    district = queries.district_of(uow.session, who.union_id)
    publish_snapshots(
        uow,
        [
            (
                contracts.MEMBER_TRANSFERRED_IN,
                contracts.member_data(m, district, previous_union_id=None, previous_district_id=None),
            )
            for m in moved
        ],
    )
    return len(moved)


def list_transfer_requests(
    uow: UoW, who: Identity, direction: str = "out", status: str | None = "pending", page: int = 1, per_page: int = 50
):
    """会员转出审核 (direction out: requests for my members) and my own requests (direction in)."""
    total, rows = queries.transfer_request_page(uow.session, who, direction, status, page, per_page)
    items = [
        {
            "id": r.TransferRequest.id,
            "member_id": r.TransferRequest.member_id,
            "name": r.name,
            "id_number": r.id_masked,
            "from_union_id": r.TransferRequest.from_union_id,
            "to_union_id": r.TransferRequest.to_union_id,
            "other_union": r.other_union,
            "status": r.TransferRequest.status,
            "reason": r.TransferRequest.reason,
            "requested_at": r.TransferRequest.requested_at,
            "decided_at": r.TransferRequest.decided_at,
        }
        for r in rows
    ]
    return total, items


def decide_transfer(
    uow: UoW, who: Identity, request_id: int, approve: bool, reason: str | None = None
) -> TransferRequest:
    """The source union approves (the member moves) or rejects (with a reason) a transfer-in request."""
    who.require("grassroots")
    request = queries.transfer_request_locked(uow.session, request_id)
    if request is None or request.from_union_id != who.union_id:
        raise NotFound()
    if request.status != "pending":
        raise Conflict("该申请已处理，请刷新后查看", code="TRANSFER_DECIDED")
    now = clock.utcnow_naive()
    reason = (reason or "").strip()
    if not approve:
        if not reason:
            raise ValidationFailed({"reason": ["驳回时请填写原因"]})
        request.status, request.reason = "rejected", reason[:200]
    else:
        member = queries.member(uow.session, request.member_id, for_update=True)
        if member is None or member.union_id != request.from_union_id:
            raise Conflict("该会员已不在本单位，申请无法通过", code="TRANSFER_STALE")
        previous = member.union_id
        member.union_id = request.to_union_id
        member.status = status_after_joining(member.member_no)
        member.synced = request.job_id is not None  # it came from the new union's roster
        member.version += 1
        member.updated_at = now
        request.status, request.reason = "approved", reason[:200] or None
        publish_member(
            uow,
            contracts.MEMBER_TRANSFERRED_IN,
            member,
            previous_union_id=previous,
            previous_district_id=queries.district_of(uow.session, previous),
        )
    request.decided_by, request.decided_at = who.user, now
    name = queries.member_name(uow.session, request.member_id)
    uow.publish(
        contracts.TRANSFER_DECIDED,
        {
            "request_id": request.id,
            "member_id": request.member_id,
            "name": name,
            "from_union_id": request.from_union_id,
            "to_union_id": request.to_union_id,
            "approved": request.status == "approved",
            "reason": request.reason,
        },
    )
    uow.commit()
    return request


def publish_requested(uow: UoW, to_union_id: int, requested_by: str, requested_at) -> None:
    """The requests just made (by this union, at this moment) as one `members.transfers.requested`
    per source union, which must decide them (会员转出审核)."""
    by_source = queries.requested_by_source(uow.session, to_union_id, requested_by, requested_at)
    to_name = queries.union_name(uow.session, to_union_id)
    uow.publish_many(
        [
            (
                contracts.TRANSFERS_REQUESTED,
                {
                    "from_union_id": from_union_id,
                    "to_union_id": to_union_id,
                    "to_union_name": to_name,
                    "request_ids": ids,
                    "count": len(ids),
                },
            )
            for from_union_id, ids in by_source.items()
        ]
    )
