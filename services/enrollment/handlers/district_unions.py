"""The district's unions and this year's enrolment (基层工会 page, issue 27 item 6): per union of the
district, whether it has submitted, was returned (退回) or owes — the list a district phones through
before a deadline. One bounded, set-based query over the directory read model (UnionView) and the
year's submissions, paged; the counts per state come from the same rows. Money is billing's: the
figures of `billing.submission.priced` and the batch's payment status (`billing.batch.*`), as this
service already records them (decision 0015).

- 应缴 (`due_fen`): the grassroots share (基层单位承担) of the union's submissions of the year that
  were not returned;
- 已缴 (`paid_fen`): the part of it in batches whose money has arrived in full (billing's `paid` or
  `written_off`) — the system records no transfer from a union to its district, so a union's share
  counts as paid once its batch's money reached the centre;
- 欠缴 (`owing_fen`): 应缴 − 已缴; a union owes (`owing`) while it is above zero."""

from __future__ import annotations

from sqlalchemy import and_, case, func, literal, or_, select

from common.db import UoW
from common.errors import ValidationFailed
from common.identity import Identity
from services.enrollment.adapters.orm import Batch, Submission, UnionView
from services.enrollment.adapters.queries import cover_year_row
from services.enrollment.domain.enrolment import SUBMISSION_STATES

STATES = {"not_submitted": "未提交", "returned": "已退回", "submitted": "已提交", "owing": "欠费"}
SORTS = ("name", "submitted_at", "owing")
PAID_BATCH = ("paid", "written_off")


def district_unions(
    uow: UoW,
    who: Identity,
    cover_year: int,
    mode: str = "centralised",
    state: str | None = None,
    name: str | None = None,
    union_ids: list[int] | None = None,
    district_id: int | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 50,
) -> dict:
    """{cover_year, mode, district_id, total, counts, items}: one page of the district's unions
    (a district: its own; the centre names one) with their state of the year."""
    who.require("district", "centre")
    district = who.district_id if who.role == "district" else district_id
    if district is None:
        raise ValidationFailed({"district_id": ["请选择区局（产业）工会"]})
    if state is not None and state not in STATES:
        raise ValidationFailed({"state": ["取值须为以下之一：" + "、".join(STATES)]})
    if sort not in SORTS:
        raise ValidationFailed({"sort": ["取值须为以下之一：" + "、".join(SORTS)]})
    session = uow.session
    cover_year_row(session, cover_year)  # a year that does not exist: 404

    live = Submission.status != "returned"
    paid_share = case(
        (and_(live, Batch.status.in_(PAID_BATCH)), func.coalesce(Submission.grassroots_share_fen, 0)), else_=0
    )
    year = (
        select(
            Submission.union_id.label("union_id"),
            func.sum(case((live, 1), else_=0)).label("live"),
            func.sum(case((live, 0), else_=1)).label("returned"),
            func.sum(case((live, Submission.headcount), else_=0)).label("headcount"),
            func.sum(case((live, func.coalesce(Submission.grassroots_share_fen, 0)), else_=0)).label("due_fen"),
            func.sum(paid_share).label("paid_fen"),
            func.sum(case((and_(live, Submission.grassroots_share_fen.is_(None)), 1), else_=0)).label("unpriced"),
            func.max(Submission.submitted_at).label("submitted_at"),
            func.max(Submission.returned_at).label("returned_at"),
        )
        .outerjoin(Batch, Batch.id == Submission.batch_id)
        .where(Submission.cover_year == cover_year, Submission.mode == mode, Submission.district_id == district)
        .group_by(Submission.union_id)
        .subquery()
    )
    live_n = func.coalesce(year.c.live, 0)
    returned_n = func.coalesce(year.c.returned, 0)
    owing_fen = func.coalesce(year.c.due_fen, 0) - func.coalesce(year.c.paid_fen, 0)
    conditions = {
        "not_submitted": and_(live_n == 0, returned_n == 0),
        "returned": and_(live_n == 0, returned_n > 0),
        "submitted": live_n > 0,
        "owing": owing_fen > 0,
    }
    base = (
        select(UnionView)
        .outerjoin(year, year.c.union_id == UnionView.union_id)
        .where(UnionView.district_id == district)
    )
    if name:
        needle = name.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        base = base.where(or_(UnionView.name.contains(needle, autoescape=False), UnionView.credit_code == name.strip()))
    if union_ids is not None:
        base = base.where(UnionView.union_id.in_(union_ids) if union_ids else literal(False))

    counted = session.execute(
        base.with_only_columns(func.count(), *(func.sum(case((c, 1), else_=0)) for c in conditions.values())).order_by(
            None
        )
    ).one()
    counts = {"all": counted[0], **{k: int(v or 0) for k, v in zip(conditions, counted[1:], strict=True)}}

    query = base if state is None else base.where(conditions[state])
    total = counts[state] if state is not None else counts["all"]
    order = {
        "name": (UnionView.name, UnionView.union_id),
        "submitted_at": (year.c.submitted_at.desc().nulls_last(), UnionView.name, UnionView.union_id),
        "owing": (owing_fen.desc(), UnionView.name, UnionView.union_id),
    }[sort]
    rows = session.execute(
        query.with_only_columns(
            UnionView,
            live_n,
            returned_n,
            year.c.headcount,
            year.c.due_fen,
            year.c.paid_fen,
            year.c.unpriced,
            year.c.submitted_at,
            year.c.returned_at,
        )
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    reasons = _latest(session, cover_year, mode, [r[0].union_id for r in rows])
    items = [_item(r, reasons.get(r[0].union_id)) for r in rows]
    return {
        "cover_year": cover_year,
        "mode": mode,
        "district_id": district,
        "total": total,
        "counts": counts,
        "items": items,
    }


def _latest(session, cover_year: int, mode: str, union_ids: list[int]) -> dict[int, Submission]:
    """Each union's latest submission of the year (its status and return reason), for one page."""
    if not union_ids:
        return {}
    latest: dict[int, Submission] = {}
    for sub in session.scalars(
        select(Submission)
        .where(Submission.union_id.in_(union_ids), Submission.cover_year == cover_year, Submission.mode == mode)
        .order_by(Submission.id)
    ):
        latest[sub.union_id] = sub
    return latest


def _item(row, latest: Submission | None) -> dict:
    union, live, returned, headcount, due, paid, unpriced, submitted_at, returned_at = row
    state = "submitted" if live else ("returned" if returned else "not_submitted")
    due, paid = int(due or 0), int(paid or 0)
    return {
        "union_id": union.union_id,
        "name": union.name,
        "credit_code": union.credit_code,
        "contact_person": union.contact_person,
        "phone": union.phone,
        "state": state,
        "state_text": STATES[state],
        "submission_status": latest.status if latest is not None else None,
        "submission_status_text": SUBMISSION_STATES.get(latest.status) if latest is not None else None,
        "return_reason": latest.return_reason if latest is not None and state == "returned" else None,
        "headcount": int(headcount or 0),
        "submitted_at": submitted_at,
        "returned_at": returned_at if state == "returned" else None,
        "due_fen": due,
        "paid_fen": paid,
        "owing_fen": due - paid,
        "owing": due - paid > 0,
        "priced": not unpriced,
    }
