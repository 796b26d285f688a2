"""A union's submissions (提交至区局审核): centralised and instant enrolment, and reading them back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.bus import PermanentFailure
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity, scoped
from common.pii import mask_id
from services.enrollment import contracts
from services.enrollment.adapters import id_numbers
from services.enrollment.adapters.eligibility_sql import eligible_members
from services.enrollment.adapters.orm import Batch, Cover, MemberView, Submission, TypeChoice, UnionView

# seam (handlers/__init__.py): the eligibility check of named members, and the union's district
from services.enrollment.adapters.queries import load_year, union_district
from services.enrollment.adapters.rows import insert_ignoring_conflict, naive_utc_start, parse_date
from services.enrollment.contracts import aware
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain import people_search
from services.enrollment.domain.totals import PARTS, Totals
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
    uow.commit()
    return sub


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


def record_amounts_when_submission_priced(uow, event: dict) -> None:
    """Take billing's amounts of a submission (billing.submission.priced): billing's amounts become the submission's, shown on
    every screen of enrollment (no second computation here)."""
    d = event["data"]
    try:
        submission_id = int(d["submission_id"])
        amounts = {p: int(d[p]) for p in PARTS}
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed submission.priced: {exc!r}") from exc
    sub = uow.session.get(Submission, submission_id, with_for_update=True)
    if sub is None:
        raise PermanentFailure(f"unknown submission {submission_id}")
    for part, fen in amounts.items():
        setattr(sub, part, fen)
    sub.pay_by = parse_date(d.get("pay_by"))


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
        "submitted_at": aware(sub.submitted_at),
        "updated_at": aware(sub.updated_at),
        "return_reason": sub.return_reason,
        "returned_at": aware(sub.returned_at),
        "batch_id": sub.batch_id,
        "totals": totals.as_dict() if totals else None,
        "priced": totals is not None,
        "pay_by": sub.pay_by,
    }


def list_submissions(uow, who: Identity, filters: dict, page: int = 1, per_page: int = 50) -> tuple[int, list]:
    """Submissions in the caller's scope; for a district with status=submitted, the pending list
    (待审批参保列表) filtered by union name, organisation code, submission time and type."""
    session = uow.session
    query = (
        select(Submission, UnionView, Batch.batch_no)
        .outerjoin(UnionView, UnionView.union_id == Submission.union_id)
        .outerjoin(Batch, Batch.id == Submission.batch_id)
    )
    query = scoped(query, who, union=Submission.union_id, district=Submission.district_id)
    for name in ("cover_year", "mode", "type", "status", "union_id", "batch_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(Submission, name) == filters[name])
    if filters.get("union_name"):
        query = query.where(UnionView.name.contains(filters["union_name"].strip()))
    if filters.get("credit_code"):
        query = query.where(UnionView.credit_code == filters["credit_code"].strip().upper())
    if filters.get("batch_no"):
        query = query.where(Batch.batch_no.contains(filters["batch_no"].strip().upper(), autoescape=True))
    if filters.get("submitted_from"):
        query = query.where(Submission.submitted_at >= naive_utc_start(filters["submitted_from"]))
    if filters.get("submitted_to"):
        query = query.where(Submission.submitted_at < naive_utc_start(filters["submitted_to"] + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(Submission.submitted_at, Submission.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return total, [submission_view(sub, union, batch_no) for sub, union, batch_no in rows]


def _people_matching(text: str):
    """A name's beginning; or an ID number, found by its blind index when it is whole and by its
    masked form (3101**********1234) when it is the last four characters."""
    found = Cover.name.startswith(text, autoescape=True)
    number = people_search.id_number_asked(text, clock.today())
    if number.whole:
        found |= Cover.id_index.in_(id_numbers.indexes(number.whole))
    if number.last4:
        found |= Cover.id_masked.endswith(number.last4, autoescape=True)
    return found


def submission_detail(
    uow, who: Identity, submission_id: int, page: int = 1, per_page: int = 50, search: str | None = None
) -> dict:
    """A submission with its people, paged; `search` keeps those whose name starts with it, whose
    ID number is it in full, or ends with it when it is four characters (members_total counts
    what matched). ID numbers are kept sealed, so no other part of one can be matched."""
    session = uow.session
    sub = get_submission(uow, who, submission_id)
    batch = session.get(Batch, sub.batch_id) if sub.batch_id else None
    view = submission_view(sub, session.get(UnionView, sub.union_id), batch.batch_no if batch else None)
    query = select(Cover).where(Cover.submission_id == sub.id)
    if search and search.strip():
        query = query.where(_people_matching(search.strip()))
    view["members_total"] = session.scalar(select(func.count()).select_from(query.subquery()))
    covers = session.scalars(query.order_by(Cover.id).offset((page - 1) * per_page).limit(per_page))
    view["members"] = [
        {
            "member_id": c.member_id,
            "name": c.name,
            "id_type": c.id_type,
            "id_number": c.id_masked,
            "card_number": mask_id(c.card_number),
            "cover_start": c.cover_start,
            "cover_end": c.cover_end,
            "price_class": c.price_class,
            "half_or_full": "半年" if c.price_class == rules.SECOND_HALF else "全年",
            "status": c.status,
        }
        for c in covers
    ]
    return view
