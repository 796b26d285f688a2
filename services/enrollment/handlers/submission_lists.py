"""A union's, a district's or the centre's submissions read back: the lists (待审批参保列表 among
them) and one submission with its people, paged and searched."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from common import clock
from common.db import UoW
from common.identity import Identity, scoped
from common.pii import mask_id
from services.enrollment.adapters import id_numbers
from services.enrollment.adapters.orm import Batch, Cover, Submission, UnionView
from services.enrollment.adapters.queries import get_submission, submission_view
from services.enrollment.adapters.rows import naive_utc_start
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain import people_search


def list_submissions(uow: UoW, who: Identity, filters: dict, page: int = 1, per_page: int = 50) -> tuple[int, list]:
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
