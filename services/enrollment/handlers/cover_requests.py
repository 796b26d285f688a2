"""个人参保申请 (有卡无保, decision 0045): a member asks their union to cover them; the union sees
the request in its 即时参保 list, declines it with a reason or submits the member; the request
then follows the submission (单位已提交 → 已参保, or back to 已申请 when the district returns it,
or 参保未成功 when the batch goes unpaid). Each change is told as enrollment.cover_request.changed.

Seam (handlers/__init__.py): `cover_requests.follow_submissions` — submissions, review and
batch_outcomes move the requests of the members their submissions name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW
from common.errors import NotFound
from common.identity import MEMBER, Identity
from services.enrollment import contracts
from services.enrollment.adapters import queries
from services.enrollment.adapters.eligibility_sql import member_facts
from services.enrollment.adapters.orm import Cover, CoverRequest, CoverYearRow, UnionView
from services.enrollment.domain import cover_requests as rules
from services.enrollment.domain import enrolment

INSTANT, NO_COVER = "instant", "no_cover"


def _union_name(session, union_id: int | None) -> str:
    union = session.get(UnionView, union_id) if union_id is not None else None
    return union.name if union is not None else ""


def _view(row: CoverRequest, union_name: str = "") -> dict:
    return {
        "id": row.id,
        "cover_year": row.cover_year,
        "member_id": row.member_id,
        "name": row.name,
        "union_id": row.union_id,
        "union_name": union_name,
        "state": row.state,
        "state_text": rules.STATES[row.state],
        "reason": row.reason,
        "submission_id": row.submission_id,
        "asked_at": contracts.aware(row.asked_at),
        "updated_at": contracts.aware(row.updated_at),
    }


def _publish(uow: UoW, row: CoverRequest) -> None:
    """enrollment.cover_request.changed: the member is told (by SMS) at each state."""
    union = _union_name(uow.session, row.union_id)
    uow.publish(
        contracts.COVER_REQUEST_CHANGED,
        {
            "request_id": row.id,
            "member_id": row.member_id,
            "union_id": row.union_id,
            "cover_year": row.cover_year,
            "state": row.state,
            "state_text": rules.STATES[row.state],
            "reason": row.reason,
            "message": rules.sms_text(row.state, row.cover_year, union, row.reason),
        },
    )


def _current_year(session, today):
    """The cover year whose cover period holds today (instant enrolment's window), else None."""
    row = session.scalar(
        select(CoverYearRow)
        .where(CoverYearRow.cover_start <= today, CoverYearRow.cover_end >= today)
        .order_by(CoverYearRow.cover_year.desc())
        .limit(1)
    )
    return queries.cover_year_of(row) if row is not None else None


def ask(uow: UoW, who: Identity) -> dict:
    """申请参保: the signed-in member asks their union to cover them for the current cover year.
    Refused, nothing written, when they may not be covered as a card holder without cover
    (enrollment's own eligibility rule), are covered already or have asked already."""
    who.require(MEMBER)
    session = uow.session
    today = clock.today()
    year = _current_year(session, today)
    if year is None:
        raise rules.refusal("not_in_window")
    member = queries.members_by_id(session, [who.member_id or 0]).get(who.member_id or 0)
    if member is None or member.union_id is None:
        raise rules.refusal("unknown")
    covered = bool(queries.covered_members(session, year.cover_year, [member.member_id]))
    reason = enrolment.ineligibility(member_facts(member), member.union_id, year, INSTANT, NO_COVER, covered, today)
    if reason is not None:
        raise rules.refusal(reason if reason in rules.REFUSALS else "unknown")
    now = clock.utcnow_naive()
    row = CoverRequest(
        cover_year=year.cover_year,
        member_id=member.member_id,
        union_id=member.union_id,
        name=member.name,
        state=rules.ASKED,
        asked_at=now,
        asked_by=who.user,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise rules.refusal("already_asked") from None
    _publish(uow, row)
    uow.commit()
    return _view(row, _union_name(session, row.union_id))


def mine(uow: UoW, who: Identity) -> dict:
    """我的参保申请: the signed-in member's requests, newest first."""
    who.require(MEMBER)
    rows = uow.session.scalars(
        select(CoverRequest)
        .where(CoverRequest.member_id == (who.member_id or 0))
        .order_by(CoverRequest.asked_at.desc(), CoverRequest.id.desc())
    )
    items = [_view(r, _union_name(uow.session, r.union_id)) for r in rows]
    return {"items": items}


def union_list(uow: UoW, who: Identity, cover_year: int, state: str | None = None) -> dict:
    """个人参保申请 in the union's 即时参保 list: its own members' requests for the year, oldest first."""
    who.require("grassroots")
    query = select(CoverRequest).where(CoverRequest.union_id == who.union_id, CoverRequest.cover_year == cover_year)
    if state:
        query = query.where(CoverRequest.state == state)
    rows = list(uow.session.scalars(query.order_by(CoverRequest.asked_at, CoverRequest.id)))
    return {"cover_year": cover_year, "items": [_view(r) for r in rows]}


def decline(uow: UoW, who: Identity, request_id: int, reason: str) -> dict:
    """不受理: the union will not submit this request, and says why (the member reads it)."""
    who.require("grassroots")
    text = rules.decline_reason(reason)
    row = uow.session.scalar(select(CoverRequest).where(CoverRequest.id == request_id).with_for_update())
    if row is None or row.union_id != who.union_id:
        raise NotFound("未找到该参保申请", code="COVER_REQUEST_NOT_FOUND")
    rules.check_declinable(row.state)
    now = clock.utcnow_naive()
    row.state, row.reason, row.decided_at, row.decided_by, row.updated_at = rules.DECLINED, text, now, who.user, now
    _publish(uow, row)
    uow.commit()
    return _view(row)


def follow_submissions(uow: UoW, step: str, submission_ids: list[int]) -> None:
    """Move the requests of the members these submissions cover by `step` (submit, return, grant,
    fail), in the caller's transaction. One join from the (few) open requests to the covers, so a
    centralised batch of 100,000 people reads no more than the requests it settles. A request not
    in a state the step applies to, or taken by another submission, stays."""
    if not submission_ids:
        return
    sources, _ = rules.STEPS[step]
    found = uow.session.execute(
        select(CoverRequest, Cover.submission_id)
        .join(Cover, (Cover.cover_year == CoverRequest.cover_year) & (Cover.member_id == CoverRequest.member_id))
        .where(Cover.submission_id.in_(submission_ids), CoverRequest.state.in_(sources))
        .order_by(CoverRequest.id)
        .with_for_update(of=CoverRequest)
    ).all()
    now = clock.utcnow_naive()
    for row, submission_id in found:
        if step != "submit" and row.submission_id != submission_id:
            continue  # another submission's outcome
        target = rules.next_state(row.state, step)
        if target is None:
            continue
        row.state, row.updated_at = target, now
        row.submission_id = None if target == rules.ASKED else submission_id
        _publish(uow, row)
