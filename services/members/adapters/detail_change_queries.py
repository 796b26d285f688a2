"""Reads of 待确认变更 (a member's own corrections, docs/decisions/0047-member-details-corrections.md)."""

from __future__ import annotations

from sqlalchemy import func, select

from services.members.adapters.orm import Member, MemberDetailChange
from services.members.domain import detail_change as rules


def pending_of_member(session, member_id: int) -> MemberDetailChange | None:
    """The member's open change, locked (the one a new change replaces)."""
    return session.scalar(
        select(MemberDetailChange)
        .where(MemberDetailChange.member_id == member_id, MemberDetailChange.state == rules.PENDING)
        .with_for_update()
    )


def of_member(session, member_id: int, limit: int = 20) -> list[MemberDetailChange]:
    """The member's changes, newest first."""
    return list(
        session.scalars(
            select(MemberDetailChange)
            .where(MemberDetailChange.member_id == member_id)
            .order_by(MemberDetailChange.id.desc())
            .limit(limit)
        )
    )


def of_union(session, union_id: int, state: str, page: int, per_page: int) -> tuple[int, list[tuple]]:
    """(how many, [(change, member name, member number)]) of one union in one state, oldest first
    for the pending ones (the clerk works through them in order), newest first otherwise."""
    # a member who has since left the union is no longer its to decide (their change waits for
    # them to submit again to the new one): neither listed nor counted
    where = (
        MemberDetailChange.union_id == union_id,
        MemberDetailChange.state == state,
        Member.union_id == union_id,
    )
    total = (
        session.scalar(
            select(func.count())
            .select_from(MemberDetailChange)
            .join(Member, Member.id == MemberDetailChange.member_id)
            .where(*where)
        )
        or 0
    )
    order = MemberDetailChange.id.asc() if state == rules.PENDING else MemberDetailChange.id.desc()
    rows = session.execute(
        select(MemberDetailChange, Member.name, Member.member_no)
        .join(Member, Member.id == MemberDetailChange.member_id)
        .where(*where)
        .order_by(order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return total, [tuple(r) for r in rows]


def change(session, change_id: int, for_update: bool = False) -> MemberDetailChange | None:
    query = select(MemberDetailChange).where(MemberDetailChange.id == change_id)
    if for_update:  # read afresh: the row may be in the session from before the lock
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)
