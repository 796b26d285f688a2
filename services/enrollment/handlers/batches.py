"""Batches (参保批次): the district submits its to-submit list to the centre; listing and reading batches."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity, scoped
from services.enrollment import contracts
from services.enrollment.adapters.orm import Batch, BatchCounter, Submission, UnionView
from services.enrollment.adapters.queries import load_year, submission_view
from services.enrollment.adapters.rows import insert_ignoring_conflict, naive_utc_start
from services.enrollment.contracts import aware
from services.enrollment.domain import enrolment as rules


def _next_sequence(session, prefix: str, day: date) -> int:
    """The per-day counter row, locked FOR UPDATE until commit: unique and gap-free numbers."""
    insert_ignoring_conflict(session, BatchCounter, {"prefix": prefix, "day": day, "last": 0})
    counter = session.scalar(
        select(BatchCounter).where(BatchCounter.prefix == prefix, BatchCounter.day == day).with_for_update()
    )
    counter.last += 1
    session.flush()
    return counter.last


def submit_batch(uow: UoW, who: Identity, cover_year: int, mode: str, handler: dict) -> Batch:
    """提交列表中的参保信息: everything on the to-submit list becomes one batch (参保批次), numbered
    CB/JB + date + sequence. From here on it cannot change."""
    who.require("district")
    rules.check_mode(mode, "no_cover")
    session = uow.session
    year = load_year(session, cover_year)
    today = clock.today()
    year.check_open("district_submit" if mode == "centralised" else "instant", today)
    contact = rules.check_handler(handler.get("name"), handler.get("phone"), handler.get("email"))
    subs = list(
        session.scalars(
            select(Submission)
            .where(
                Submission.district_id == who.district_id,
                Submission.cover_year == cover_year,
                Submission.mode == mode,
                Submission.status == "staged",
            )
            .order_by(Submission.id)
            .with_for_update()
        )
    )
    if not subs:
        raise ValidationFailed(
            {"submissions": ["待提交参保列表为空"]},
            message="待提交参保列表为空，请先添加参保信息",
            code="NOTHING_TO_SUBMIT",
        )
    sequence = _next_sequence(session, rules.BATCH_PREFIX[mode], today)
    now = clock.utcnow_naive()
    by_type: dict[str, int] = {}
    for s in subs:
        by_type[s.type] = by_type.get(s.type, 0) + s.headcount
    batch = Batch(
        batch_no=rules.batch_number(mode, today, sequence),
        district_id=who.district_id,
        cover_year=cover_year,
        mode=mode,
        status="submitted",
        headcount=sum(by_type.values()),
        headcount_by_type=by_type,
        handler_name=contact["name"],
        handler_phone=contact["phone"],
        handler_email=contact["email"],
        submitted_at=now,
        submitted_by=who.user,
        updated_at=now,
    )
    session.add(batch)
    session.flush()
    session.execute(
        update(Submission)
        .where(Submission.id.in_([s.id for s in subs]))
        .values(status="in_batch", batch_id=batch.id, updated_at=now)
    )
    uow.publish(contracts.BATCH_SUBMITTED, contracts.batch_data(batch, subs))
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict("批次提交冲突，请重试", code="BATCH_CONFLICT") from None
    return batch


def get_batch(uow: UoW, who: Identity, batch_id: int) -> Batch:
    """A batch in the caller's scope (a district its own); NotFound otherwise."""
    session = uow.session
    who.require("district", "centre")
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound()
    who.check_district(batch.district_id)
    return batch


def batch_view(batch: Batch) -> dict:
    return {
        c: getattr(batch, c)
        for c in (
            "id",
            "batch_no",
            "district_id",
            "cover_year",
            "mode",
            "status",
            "headcount",
            "headcount_by_type",
            "handler_name",
            "handler_phone",
            "handler_email",
            "premium_fen",
            "city_subsidy_fen",
            "union_share_fen",
            "credit_applied_fen",
            "due_fen",
            "pay_by",
            "feedback_message",
        )
    } | {
        "status_text": batch.payment_status_text or rules.BATCH_STATES.get(batch.status, batch.status),
        **{
            c: aware(getattr(batch, c))
            for c in ("submitted_at", "updated_at", "voucher_uploaded_at", "feedback_at", "written_off_at", "failed_at")
        },
    }


def list_batches(uow: UoW, who: Identity, filters: dict, page: int = 1, per_page: int = 50) -> tuple[int, list]:
    session = uow.session
    who.require("district", "centre")
    query = scoped(select(Batch), who, district=Batch.district_id)
    for name in ("cover_year", "mode", "status", "district_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(Batch, name) == filters[name])
    if filters.get("batch_no"):  # a clerk types part of it: CB20191229
        query = query.where(Batch.batch_no.contains(filters["batch_no"].strip().upper(), autoescape=True))
    if filters.get("submitted_from"):
        query = query.where(Batch.submitted_at >= naive_utc_start(filters["submitted_from"]))
    if filters.get("submitted_to"):
        query = query.where(Batch.submitted_at < naive_utc_start(filters["submitted_to"] + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Batch.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return total, [batch_view(b) for b in items]


def batch_detail(uow: UoW, who: Identity, batch_id: int) -> dict:
    session = uow.session
    batch = get_batch(uow, who, batch_id)
    view = batch_view(batch)
    rows = session.execute(
        select(Submission, UnionView)
        .outerjoin(UnionView, UnionView.union_id == Submission.union_id)
        .where(Submission.batch_id == batch.id)
        .order_by(Submission.id)
    ).all()
    view["submissions"] = [submission_view(s, u, batch.batch_no) for s, u in rows]
    return view
