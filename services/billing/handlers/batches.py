"""A district's batches as billing holds them: finding them in scope, their payment status, the
centre's feedback (反馈) and the write-off (核销) that closes a batch — with what an over-payment
(多缴) becomes (decision 0032). The vouchers are handlers/vouchers.py.
Seam: `settlement_credits.add_credit` (an over-payment carried to the next year at 核销)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from common.money import yuan
from services.billing import contracts
from services.billing.adapters.ledger import record_in_ledger
from services.billing.adapters.orm import Batch, Feedback, Voucher
from services.billing.domain.allocation import AllocationRejected, overpayment_choice
from services.billing.domain.payment_status import payment_status, status_text
from services.billing.handlers import settlement_credits


def get_batch(uow: UoW, who: Identity, batch_id: int, lock: bool = False) -> Batch:
    """The batch, if in the caller's scope (else NotFound, as if it did not exist); locked on request."""
    query = select(Batch).where(Batch.batch_id == batch_id)
    if lock:
        query = query.with_for_update()
    batch = uow.session.scalar(query)
    if batch is None:
        raise NotFound()
    who.check_district(batch.district_id)
    return batch


def not_written_off(batch: Batch) -> None:
    if batch.written_off_at is not None:
        raise Conflict(f"批次 {batch.batch_no} 已核销，不能再修改", code="BATCH_WRITTEN_OFF")


def restate(batch: Batch) -> None:
    """The batch's payment status from its facts (domain/payment_status.py): money arrived first."""
    batch.status = payment_status(
        written_off=batch.written_off_at is not None,
        overdue=batch.status == "overdue",
        last_voucher_at=batch.voucher_uploaded_at,
        last_feedback_at=batch.feedback_at,
        due_fen=batch.due_fen,
        arrived_fen=batch.bank_matched_fen or 0,
    )


def refresh_payment(uow: UoW, batch: Batch) -> None:
    """The batch's voucher figures and payment status from its vouchers and feedback: 已上传凭证金额
    (`paid_fen`) is the sum of the vouchers still counted, `paid_on` and `voucher_uploaded_at` the
    latest of them (None when none counts)."""
    # the figures only, never the files
    counted = uow.session.execute(
        select(Voucher.amount_fen, Voucher.paid_on, Voucher.uploaded_at).where(
            Voucher.batch_id == batch.batch_id, Voucher.withdrawn_at.is_(None)
        )
    ).all()
    batch.paid_fen = sum(v.amount_fen for v in counted) if counted else None
    batch.paid_on = max((v.paid_on for v in counted), default=None)
    batch.voucher_uploaded_at = max((v.uploaded_at for v in counted), default=None)
    restate(batch)


def give_feedback(uow: UoW, who: Identity, batch_id: int, message: str) -> Feedback:
    """反馈: the centre tells the district about its payment (e.g. amount short)."""
    who.require("centre")
    batch = get_batch(uow, who, batch_id, lock=True)
    not_written_off(batch)
    message = (message or "").strip()
    if not message:
        raise ValidationFailed({"message": ["反馈内容不能为空"]})
    now = clock.utcnow_naive()
    feedback = Feedback(batch_id=batch_id, message=message, at=now, by=who.user)
    uow.session.add(feedback)
    batch.feedback_at = now
    refresh_payment(uow, batch)
    uow.publish(
        contracts.FEEDBACK_GIVEN,
        {
            "batch_id": batch_id,
            "message": message,
            "at": clock.now().isoformat(),
            "payment_status": batch.status,
            "payment_status_text": status_text(batch.status),
        },
    )
    uow.commit()
    return feedback


def list_feedback(uow: UoW, who: Identity, batch_id: int) -> list[Feedback]:
    get_batch(uow, who, batch_id)
    return list(uow.session.scalars(select(Feedback).where(Feedback.batch_id == batch_id).order_by(Feedback.id)))


def write_off(
    uow,
    who: Identity,
    batch_id: int,
    amount_fen: int,
    received_on: date,
    bank_reference: str,
    overpayment: str | None = None,
    refund_note: str = "",
) -> Batch:
    """核销: the centre records the money received; nothing about the batch changes afterwards. An
    over-payment (received beyond due) needs its fate (`overpayment`): `credit` — the district's
    credit for the next year, a settlement credit whose source is this batch — or `refund`,
    recorded as refunded by the caller now; without one the write-off is refused."""
    who.require("centre")
    batch = get_batch(uow, who, batch_id, lock=True)
    not_written_off(batch)
    errors = {}
    if amount_fen < 0:
        errors["amount"] = ["金额不能为负数"]
    if received_on > clock.today():
        errors["received_on"] = ["到账日期不能晚于今天"]
    if not (bank_reference or "").strip():
        errors["bank_reference"] = ["请填写银行流水号"]
    if errors:
        raise ValidationFailed(errors)
    try:
        choice = overpayment_choice(batch.due_fen, amount_fen, overpayment)
    except AllocationRejected as exc:
        raise ValidationFailed({exc.field: [str(exc)]}, str(exc), exc.code) from None
    now = clock.utcnow_naive()
    batch.written_off_at, batch.received_fen, batch.received_on = now, amount_fen, received_on
    batch.bank_reference = bank_reference.strip()
    batch.status = "written_off"
    record_in_ledger(
        uow,
        who.user,
        cover_year=batch.cover_year,
        district_id=batch.district_id,
        account="district_to_centre",
        kind="written_off",
        amount_fen=-amount_fen,
        batch_id=batch_id,
        note=f"市职保中心核销批次 {batch.batch_no}：{received_on.isoformat()} 到账 {yuan(amount_fen)} 元"
        f"（流水号 {batch.bank_reference}）",
    )
    if choice is not None:
        _settle_overpayment(uow, who, batch, amount_fen - batch.due_fen, choice, refund_note, now)
    uow.publish(
        contracts.WRITTEN_OFF,
        {
            "batch_id": batch_id,
            "amount_fen": amount_fen,
            "received_on": received_on.isoformat(),
            "bank_reference": batch.bank_reference,
            "at": clock.now().isoformat(),
            "payment_status": batch.status,
            "payment_status_text": status_text(batch.status),
            "overpaid_fen": batch.overpaid_fen or 0,
            "overpaid_choice": batch.overpaid_choice,
        },
    )
    uow.commit()
    return batch


def _settle_overpayment(uow: UoW, who: Identity, batch: Batch, over: int, choice: str, note: str, now) -> None:
    """多缴, never silently kept: carried to the next year as the district's credit (through the
    seam `settlement_credits.add_credit`, so it is used and announced like 清算分配款), or recorded
    as refunded — who, when, and the clerk's note (e.g. the refund's bank reference)."""
    batch.overpaid_fen, batch.overpaid_choice = over, choice
    if choice == "credit":
        settlement_credits.add_credit(
            uow,
            who,
            batch.district_id,
            batch.cover_year + 1,
            batch.cover_year,
            over,
            f"批次 {batch.batch_no} 多缴",
            source_batch_id=batch.batch_id,
        )
        return
    batch.refunded_at, batch.refunded_by = now, who.user
    batch.refund_note = (note or "").strip()[:200] or None
    record_in_ledger(
        uow,
        who.user,
        cover_year=batch.cover_year,
        district_id=batch.district_id,
        account="district_to_centre",
        kind="overpaid_refunded",
        amount_fen=over,
        batch_id=batch.batch_id,
        note=f"批次 {batch.batch_no} 多缴 {yuan(over)} 元，已退还区局（{who.user}）"
        + (f"：{batch.refund_note}" if batch.refund_note else ""),
    )
