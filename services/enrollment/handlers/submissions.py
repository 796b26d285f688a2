"""A union's submissions (提交至区局审核): centralised and instant enrolment. Reading them back is
submission_lists.py; one submission in scope and as a screen shows it, adapters/queries.py.

Seam (handlers/__init__.py): `eligibility.check_members`, `eligibility.member_terms` — who may be
enrolled and on what terms, for the members a union names; `cover_requests.follow_submissions` —
the members' own requests (个人参保申请) become 单位已提交."""

from __future__ import annotations

from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.errors import Conflict, ValidationFailed
from common.identity import Identity
from services.enrollment import contracts
from services.enrollment.adapters.eligibility_sql import eligible_members
from services.enrollment.adapters.orm import Cover, MemberView, Submission, TypeChoice
from services.enrollment.adapters.queries import load_year, union_district
from services.enrollment.adapters.rows import insert_ignoring_conflict
from services.enrollment.domain import enrolment as rules
from services.enrollment.handlers.cover_requests import follow_submissions
from services.enrollment.handlers.eligibility import check_members, member_terms


def _choose_type(session, who: Identity, cover_year: int, wanted: str) -> str:
    """The union's type for the year, chosen by its first submission. The choice row is locked
    until commit, so a union's concurrent submissions queue behind each other."""
    rules.check_type(None, wanted)
    insert_ignoring_conflict(
        session,
        TypeChoice,
        {
            "cover_year": cover_year,
            "union_id": who.union_id,
            "type": wanted,
            "chosen_at": clock.utcnow_naive(),
            "chosen_by": who.user,
        },
    )
    chosen = session.scalar(
        select(TypeChoice.type)
        .where(TypeChoice.cover_year == cover_year, TypeChoice.union_id == who.union_id)
        .with_for_update()
    )
    return rules.check_type(chosen, wanted)


def submit(
    uow,
    who: Identity,
    cover_year: int,
    mode: str,
    type_: str,
    kind: str | None = None,
    member_ids: list[int] | None = None,
) -> Submission:
    """提交至区局审核: enrol every eligible member (or the ones named) with the union's type. May be
    repeated before the deadline; each submission takes whoever is newly eligible. The unique
    index on active covers decides any race: the loser changes nothing and is told to retry."""
    try:
        return _submit(uow, who, cover_year, mode, type_, kind, member_ids)
    except IntegrityError:
        uow.rollback()
        raise Conflict(
            "部分会员已由另一提交同时参保，本次提交未生效，请刷新名单后重试", code="ALREADY_COVERED_CONCURRENTLY"
        ) from None


def _submit(
    uow, who: Identity, cover_year: int, mode: str, type_: str, kind: str | None, member_ids: list[int] | None
) -> Submission:
    who.require("grassroots")
    rules.check_mode(mode, kind)
    if mode == "centralised":
        kind = None
    session = uow.session
    year = load_year(session, cover_year)
    today = clock.today()
    year.check_open(rules.mode_action(mode), today)
    district_id = union_district(session, who)
    _choose_type(session, who, cover_year, type_)
    if member_ids:
        check_members(uow, who, year, mode, kind, member_ids, today)
    now = clock.utcnow_naive()
    sequence = 1 + session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.union_id == who.union_id, Submission.cover_year == cover_year, Submission.mode == mode)
    )
    sub = Submission(
        union_id=who.union_id,
        district_id=district_id,
        cover_year=cover_year,
        mode=mode,
        kind=kind,
        type=type_,
        status="submitted",
        headcount=0,
        counts={},
        sequence=sequence,
        submitted_at=now,
        submitted_by=who.user,
        updated_at=now,
    )
    session.add(sub)
    session.flush()
    query = eligible_members(who.union_id, year, mode, kind, today)
    if member_ids:
        query = query.where(MemberView.member_id.in_(member_ids))
    if mode == "centralised":
        # One statement for the whole list: 100,000 members stay one round trip.
        terms = rules.centralised_terms(year)
        source = query.with_only_columns(
            literal(cover_year),
            MemberView.member_id,
            literal(sub.id),
            literal(who.union_id),
            literal("pending"),
            MemberView.name,
            MemberView.id_type,
            MemberView.id_sealed,
            MemberView.id_index,
            MemberView.id_masked,
            MemberView.card_number,
            literal(terms.cover_start),
            literal(terms.cover_end),
            literal(terms.price_class),
        )
        session.execute(
            insert(Cover).from_select(
                [
                    "cover_year",
                    "member_id",
                    "submission_id",
                    "union_id",
                    "status",
                    "name",
                    "id_type",
                    "id_sealed",
                    "id_index",
                    "id_masked",
                    "card_number",
                    "cover_start",
                    "cover_end",
                    "price_class",
                ],
                source,
            )
        )
        headcount = session.scalar(select(func.count()).select_from(Cover).where(Cover.submission_id == sub.id))
        counts = {rules.CENTRALISED: headcount} if headcount else {}
    else:
        rows = []
        counts = {}
        for m in session.scalars(query):
            t = member_terms(year, mode, kind, m, today)
            if not rules.within_year(year, t):
                continue
            counts[t.price_class] = counts.get(t.price_class, 0) + 1
            rows.append(
                {
                    "cover_year": cover_year,
                    "member_id": m.member_id,
                    "submission_id": sub.id,
                    "union_id": who.union_id,
                    "status": "pending",
                    "name": m.name,
                    "id_type": m.id_type,
                    "id_sealed": m.id_sealed,
                    "id_index": m.id_index,
                    "id_masked": m.id_masked,
                    "card_number": m.card_number,
                    "cover_start": t.cover_start,
                    "cover_end": t.cover_end,
                    "price_class": t.price_class,
                }
            )
        if rows:
            session.execute(insert(Cover), rows)
        headcount = len(rows)
    if headcount == 0:
        raise ValidationFailed(
            {"member_ids": ["没有可提交的参保人员"]},
            message="没有符合条件、尚未参保的会员，无需提交",
            code="NOTHING_TO_SUBMIT",
        )
    sub.headcount = headcount
    sub.counts = counts
    union_total = session.scalar(
        select(func.count())
        .select_from(Cover)
        .where(
            Cover.cover_year == cover_year, Cover.union_id == who.union_id, Cover.status.in_(rules.ACTIVE_COVER_STATES)
        )
    )
    uow.publish(contracts.SUBMISSION_SUBMITTED, contracts.submission_data(sub, union_headcount_total=union_total))
    _publish_covers(uow, sub)
    follow_submissions(uow, "submit", [sub.id])
    uow.commit()
    return sub


def _publish_covers(uow, sub: Submission) -> None:
    """The people this submission covers (enrollment.covers.recorded), in parts: 100,000 members
    make 100 events, not one of megabytes."""
    rows = uow.session.execute(
        select(Cover.member_id, Cover.name, Cover.cover_start, Cover.cover_end)
        .where(Cover.submission_id == sub.id)
        .order_by(Cover.member_id)
    ).all()
    size = contracts.COVERS_PER_EVENT
    parts = [rows[i : i + size] for i in range(0, len(rows), size)]
    for number, part in enumerate(parts, 1):
        uow.publish(contracts.COVERS_RECORDED, contracts.covers_data(sub, part, number, len(parts)))
