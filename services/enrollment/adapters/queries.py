"""Enrollment's reads that several features share: the repository handlers ask instead of writing
these queries again (a cover year as the domain's CoverYear, a union's district, one submission in
the caller's scope and as a screen shows it, with billing's figures)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from common.clock import Window, shanghai
from common.errors import NotFound
from common.identity import Identity
from services.enrollment.adapters.orm import (
    Batch,
    Cover,
    CoverRequest,
    CoverYearRow,
    MemberView,
    Submission,
    TypeChoice,
    UnionView,
)
from services.enrollment.domain import cover_requests
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain.timeline import CoverYear
from services.enrollment.domain.totals import PARTS, Totals


def cover_year_of(row: CoverYearRow) -> CoverYear:
    """A stored cover year as the domain's CoverYear."""
    return CoverYear(
        cover_year=row.cover_year,
        split_window=Window(row.split_start, row.split_end),
        grassroots_window=Window(row.grassroots_start, row.grassroots_end),
        district_review_window=Window(row.district_review_start, row.district_review_end),
        district_submit_window=Window(row.district_submit_start, row.district_submit_end),
        card_cutoff=row.card_cutoff,
        cover_start=row.cover_start,
        cover_end=row.cover_end,
        payment_deadline=row.payment_deadline,
        claims_deadline=row.claims_deadline,
        instant_payment_days=row.instant_payment_days,
    )


def cover_year_row(session, cover_year: int) -> CoverYearRow:
    row = session.get(CoverYearRow, cover_year)
    if row is None:
        raise NotFound(f"{cover_year}年度尚未配置", code="COVER_YEAR_NOT_FOUND")
    return row


def load_year(session, cover_year: int) -> CoverYear:
    """The year's timeline as the domain's CoverYear ; NotFound when it is not configured."""
    return cover_year_of(cover_year_row(session, cover_year))


def union_district(session, who: Identity) -> int:
    union = session.get(UnionView, who.union_id)
    district_id = union.district_id if union is not None else who.district_id
    if district_id is None:
        raise NotFound("未找到本工会所属的区局/产业工会", code="UNION_NOT_KNOWN")
    return district_id


def get_submission(uow, who: Identity, submission_id: int, lock: bool = False) -> Submission:
    """A submission in the caller's scope (else NotFound, as if it did not exist); locked on request."""
    session = uow.session
    query = select(Submission).where(Submission.id == submission_id)
    if lock:
        query = query.with_for_update()
    sub = session.scalar(query)
    if sub is None:
        raise NotFound()
    who.check_union(sub.union_id, sub.district_id)
    return sub


def priced_totals(sub: Submission) -> Totals | None:
    """Billing's figures for the submission, or None while billing has not priced it yet."""
    if sub.premium_fen is None:
        return None
    return Totals(sub.headcount, *(getattr(sub, p) for p in PARTS))


def submission_view(sub: Submission, union: UnionView | None, batch_no: str | None = None) -> dict:
    totals = priced_totals(sub)
    return {
        "batch_no": batch_no,
        "id": sub.id,
        "union_id": sub.union_id,
        "union_name": union.name if union else None,
        "credit_code": union.credit_code if union else None,
        "district_id": sub.district_id,
        "cover_year": sub.cover_year,
        "mode": sub.mode,
        "kind": sub.kind,
        "type": sub.type,
        "status": sub.status,
        "status_text": rules.SUBMISSION_STATES[sub.status],
        "headcount": sub.headcount,
        "counts": sub.counts,
        "sequence": sub.sequence,
        "submitted_at": shanghai(sub.submitted_at),
        "updated_at": shanghai(sub.updated_at),
        "return_reason": sub.return_reason,
        "returned_at": shanghai(sub.returned_at),
        "batch_id": sub.batch_id,
        "totals": totals.as_dict() if totals else None,
        "priced": totals is not None,
        "pay_by": sub.pay_by,
    }


def _cover_history():
    return (
        select(
            Cover.id_index,
            Cover.name,
            Cover.member_id,
            Cover.cover_year,
            Cover.cover_start,
            Cover.cover_end,
            Cover.status,
            Cover.union_id,
            Submission.type,
            Submission.mode,
            Submission.status.label("sub_status"),
            Submission.district_id,
            Batch.status.label("batch_status"),
            Batch.batch_no,
            UnionView.name.label("union"),
            CoverYearRow.claims_deadline,
        )
        .join(Submission, Submission.id == Cover.submission_id)
        .outerjoin(Batch, Batch.id == Submission.batch_id)
        .outerjoin(UnionView, UnionView.union_id == Cover.union_id)
        .outerjoin(CoverYearRow, CoverYearRow.cover_year == Cover.cover_year)
    )


def cover_history_rows(session, indexes: list[str]):
    """职工保障查询's rows: every cover of the people indexed, with its submission, batch, union and
    claims deadline, newest first."""
    return session.execute(
        _cover_history()
        .where(Cover.id_index.in_(indexes))
        # newest first for each person; one person's rows may carry two index keys while they rotate
        .order_by(Cover.cover_year.desc(), Cover.cover_start.desc(), Cover.id)
    ).all()


def member_cover_rows(session, member_id: int):
    """我的保障 (a signed-in member, decision 0041): the same rows, of one member by id, newest first."""
    return session.execute(
        _cover_history()
        .where(Cover.member_id == member_id)
        .order_by(Cover.cover_year.desc(), Cover.cover_start.desc(), Cover.id)
    ).all()


def current_members_in_scope(session, who: Identity, people: dict[str, str]) -> set[str]:
    """The asked people ({index: number}) who are now members of the caller's union (or its
    district's unions), as their numbers."""
    if who.is_centre:
        return set(people.values())
    column = MemberView.union_id if who.role == "grassroots" else MemberView.district_id
    mine = who.union_id if who.role == "grassroots" else who.district_id
    return {
        people[index]
        for index in session.scalars(
            select(MemberView.id_index).where(
                MemberView.id_index.in_(list(people)), column == mine, MemberView.status.in_(("normal", "pending"))
            )
        )
    }


def sealed_id_of_member(session, member_no: str) -> str | None:
    """The sealed ID number of the member numbered `member_no` (职工保障查询 by member number)."""
    found: str | None = session.scalar(select(MemberView.id_sealed).where(MemberView.member_no == member_no).limit(1))
    return found


def members_by_id(session, member_ids: list[int]) -> dict[int, MemberView]:
    """The members (as members told enrollment) among `member_ids`, by id."""
    return {m.member_id: m for m in session.scalars(select(MemberView).where(MemberView.member_id.in_(member_ids)))}


def covered_members(session, cover_year: int, member_ids: list[int]) -> set[int]:
    """Those of `member_ids` with a cover of `cover_year` that still counts."""
    return set(
        session.scalars(
            select(Cover.member_id).where(
                Cover.cover_year == cover_year,
                Cover.member_id.in_(member_ids),
                Cover.status.in_(rules.ACTIVE_COVER_STATES),
            )
        )
    )


def chosen_type(session, cover_year: int, union_id: int | None) -> str | None:
    """The cover type a union chose for the year (保障类型), if it has."""
    found: str | None = session.scalar(
        select(TypeChoice.type).where(TypeChoice.cover_year == cover_year, TypeChoice.union_id == union_id)
    )
    return found


def asked_members(session, cover_year: int, member_ids: list[int]) -> dict[int, datetime]:
    """member → when they asked to be covered (个人参保申请 still 已申请), for these members and year."""
    if not member_ids:
        return {}
    return dict(
        session.execute(
            select(CoverRequest.member_id, CoverRequest.asked_at).where(
                CoverRequest.cover_year == cover_year,
                CoverRequest.member_id.in_(member_ids),
                CoverRequest.state == cover_requests.ASKED,
            )
        ).all()
    )
