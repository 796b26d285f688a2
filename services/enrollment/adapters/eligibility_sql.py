"""The eligibility rule as SQL over the member read model: the one query both the confirmation
screen and submissions select members with. tests/services/enrollment/test_eligibility_property.py
checks it against the Python rule (domain/enrolment.py `ineligibility`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from common import clock
from services.enrollment.adapters.orm import Cover, MemberView
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain.timeline import CoverYear


def _active_cover(cover_year: int):
    return exists().where(
        Cover.cover_year == cover_year,
        Cover.member_id == MemberView.member_id,
        Cover.status.in_(rules.ACTIVE_COVER_STATES),
    )


def eligible_members(union_id: int | None, year: CoverYear, mode: str, kind: str | None, today: date):
    """Select the union's members eligible now: card holder (by the cut-off for centralised,
    after it for new card holders; instantly only with a card issued by today, within the year),
    status normal, not removed, not covered this cover year. `union_id` None: every union's."""
    in_union = MemberView.union_id.is_not(None) if union_id is None else MemberView.union_id == union_id
    query = select(MemberView).where(
        in_union,
        MemberView.status == "normal",
        MemberView.removed.is_(False),
        MemberView.card_number.is_not(None),
        MemberView.card_issued_on.is_not(None),
        ~_active_cover(year.cover_year),
    )
    if mode == "centralised" or kind == "no_cover":
        query = query.where(MemberView.card_issued_on <= year.card_cutoff)
    else:
        query = query.where(MemberView.card_issued_on > year.card_cutoff)
    if mode == "instant":
        query = query.where(MemberView.card_issued_on <= min(today, year.cover_end))
    return query


def recorded_on(member: MemberView) -> date | None:
    """The Asia/Shanghai day a member's card number was recorded (else the day it was issued)."""
    return (
        member.card_recorded_at.astimezone(clock.SHANGHAI).date() if member.card_recorded_at else member.card_issued_on
    )


def member_facts(member: MemberView) -> rules.MemberFacts:
    """What the eligibility rule reads of a member of the read model."""
    return rules.MemberFacts(
        member.member_id,
        member.union_id,
        member.status,
        member.removed,
        member.card_number,
        member.card_issued_on,
        recorded_on(member),
    )
