"""The payment deadline (缴费截止): the job that reports each batch still owing money after its
deadline, once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW
from services.billing import contracts
from services.billing.adapters.orm import Batch, CoverYearView, OverdueNotice
from services.billing.domain.payment_status import status_text
from services.billing.domain.timeline import is_overdue


def report_overdue(uow: UoW, today: date | None = None) -> list[int]:
    """Every batch still owing money after its deadline is reported overdue, once: the
    OverdueNotice primary key refuses a second report, whoever runs the job and however often or
    late. Returns the batch ids reported by this run.

    A centralised (CB) batch's deadline is its cover year's payment deadline (whatever the batch
    says). A JB batch's is its own `pay_by`, N days after it was submitted (decision 0018); a JB
    batch priced before it had one (`pay_by` null) is never reported.

    `uow` (entered by the caller) finds the candidates; each batch is then reported in its own
    transaction, a `uow.fresh()` unit of work, so one refused report does not undo the others."""
    today = today or clock.today()
    years = [y.cover_year for y in uow.session.scalars(select(CoverYearView)) if is_overdue(y.payment_deadline, today)]
    late = or_(
        and_(Batch.mode == "centralised", Batch.cover_year.in_(years)),
        and_(Batch.mode == "instant", Batch.pay_by.is_not(None), Batch.pay_by < today),
    )
    candidates = list(
        uow.session.scalars(
            select(Batch.batch_id)
            .where(
                late,
                Batch.written_off_at.is_(None),
                Batch.due_fen > 0,
                Batch.bank_matched_fen < Batch.due_fen,  # all of it arrived: it waits for 核销, not late
                Batch.batch_id.not_in(select(OverdueNotice.batch_id)),
            )
            .order_by(Batch.batch_id)
        )
    )
    uow.rollback()  # the search only read: end its transaction before the reports lock rows
    reported = []
    for batch_id in candidates:
        with uow.fresh() as one:
            batch = one.session.scalar(select(Batch).where(Batch.batch_id == batch_id).with_for_update())
            if batch.written_off_at is not None or one.session.get(OverdueNotice, batch_id) is not None:
                continue
            paid = batch.bank_matched_fen or batch.paid_fen or 0
            one.session.add(
                OverdueNotice(batch_id=batch_id, reported_at=clock.utcnow_naive(), due_fen=batch.due_fen, paid_fen=paid)
            )
            batch.status = "overdue"
            one.publish(
                contracts.OVERDUE,
                {
                    "batch_id": batch_id,
                    "batch_no": batch.batch_no,
                    "district_id": batch.district_id,
                    "cover_year": batch.cover_year,
                    "due_fen": batch.due_fen,
                    "paid_fen": paid,
                    "payment_status": batch.status,
                    "payment_status_text": status_text(batch.status),
                },
            )
            try:
                one.commit()
            except IntegrityError:
                one.rollback()  # another run reported it at the same moment
                continue
            reported.append(batch_id)
    return reported
