"""Who a union may enrol (参保确认): the eligible members, their cover terms, and the header totals."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from common import clock
from common.db import UoW
from common.errors import ValidationFailed
from common.identity import Identity
from common.pii import mask_id
from services.enrollment.adapters import queries
from services.enrollment.adapters.eligibility_sql import eligible_members, member_facts, recorded_on
from services.enrollment.adapters.member_lag import pending_member_events
from services.enrollment.adapters.orm import MemberView
from services.enrollment.adapters.queries import load_year, union_district
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain.timeline import CoverYear


def member_terms(year: CoverYear, mode: str, kind: str | None, member: MemberView, today: date) -> rules.CoverTerms:
    return rules.member_terms(year, mode, kind, recorded_on(member), today)


def _member_row(member: MemberView, terms: rules.CoverTerms) -> dict:
    return {
        "member_id": member.member_id,
        "name": member.name,
        "id_type": member.id_type,
        "id_number": member.id_masked,
        "card_number": mask_id(member.card_number),
        "card_issued_on": member.card_issued_on,
        "cover_start": terms.cover_start,
        "cover_end": terms.cover_end,
        "price_class": terms.price_class,
        "half_or_full": terms.half_or_full,
    }


def check_members(
    uow: UoW, who: Identity, year: CoverYear, mode: str, kind: str | None, member_ids: list[int], today: date
):
    """Every named member must be eligible; otherwise 422 with each member's reason, nothing done."""
    known = queries.members_by_id(uow.session, member_ids)
    covered = queries.covered_members(uow.session, year.cover_year, member_ids)
    problems = []
    for member_id in dict.fromkeys(member_ids):
        m = known.get(member_id)
        facts = None if m is None else member_facts(m)
        reason = rules.ineligibility(facts, who.union_id, year, mode, kind, member_id in covered, today)
        if reason:
            problems.append({"member_id": member_id, "reason": reason, "message": rules.NOT_ELIGIBLE[reason]})
    if problems:
        raise ValidationFailed(
            {"member_ids": [f"{p['member_id']}: {p['message']}" for p in problems]},
            message="以下会员不符合参保条件，本次提交未生效",
            code="MEMBER_NOT_ELIGIBLE",
        )


def confirmation(
    uow: UoW,
    who: Identity,
    cover_year: int,
    mode: str = "centralised",
    kind: str | None = None,
    type_: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict:
    """参保确认画面: the eligible members (paged) and the header: cover year, headcount, the type
    (the chosen one, else the one asked about) and the totals split by who pays."""
    session = uow.session
    who.require("grassroots")
    rules.check_mode(mode, kind)
    year = load_year(session, cover_year)
    district_id = union_district(session, who)
    today = clock.today()
    chosen = queries.chosen_type(session, cover_year, who.union_id)
    if type_ is not None and type_ not in rules.COVER_TYPES:
        raise ValidationFailed({"type": [f"保障类型须为 {'、'.join(rules.COVER_TYPES)} 之一"]})
    shown_type = chosen or type_
    query = eligible_members(who.union_id, year, mode, kind, today)
    if mode == "centralised":
        headcount = session.scalar(select(func.count()).select_from(query.subquery()))
        counts = {rules.CENTRALISED: headcount}
        members = list(
            session.scalars(query.order_by(MemberView.member_id).offset((page - 1) * per_page).limit(per_page))
        )
    else:  # instant lists are small; terms differ per member
        every = [
            m
            for m in session.scalars(query.order_by(MemberView.member_id))
            if rules.within_year(year, member_terms(year, mode, kind, m, today))
        ]
        headcount = len(every)
        counts: dict[str, int] = {}
        for m in every:
            pc = member_terms(year, mode, kind, m, today).price_class
            counts[pc] = counts.get(pc, 0) + 1
        members = every[(page - 1) * per_page : page * per_page]
    window = year.window(rules.mode_action(mode))
    # who asked to be covered themselves (个人参保申请, decision 0045): marked on the page's rows
    asked = queries.asked_members(session, cover_year, [m.member_id for m in members])
    # The money of this list is billing's to say: POST /billing/quotes/{year} with these counts
    # gives the totals by the same pricing the submission will get.
    return {
        "cover_year": cover_year,
        "mode": mode,
        "kind": kind,
        "chosen_type": chosen,
        "type": shown_type,
        "district_id": district_id,
        "headcount": headcount,
        "counts": counts,
        "window": {"start": window.start, "end": window.end, "open": window.contains(today)},
        "cover_start": year.cover_start,
        "cover_end": year.cover_end,
        "pay_by": year.grassroots_window.end if mode == "centralised" else None,
        # instant: no date before submitting; billing's pay-by is the submission day + these days (0018)
        "instant_payment_days": year.instant_payment_days if mode == "instant" else None,
        "items": [
            {**_member_row(m, member_terms(year, mode, kind, m, today)), "asked_at": asked.get(m.member_id)}
            for m in members
        ],
        **members_sync_state(),
    }


def members_sync_state() -> dict:
    """名单同步中…: whether member changes are still on their way to this list (a page says so
    instead of silently showing fewer people)."""
    pending = pending_member_events()
    return {"members_pending_events": pending, "members_behind": None if pending is None else pending > 0}
