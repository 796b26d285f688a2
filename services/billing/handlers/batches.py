"""A district's batches as billing holds them: finding them in scope, the payment vouchers (缴费凭证),
the centre's feedback (反馈) and the write-off (核销) that closes a batch."""

from __future__ import annotations

import hashlib
from datetime import UTC, date

from sqlalchemy import select
from sqlalchemy.orm import defer

from common import clock
from common.errors import Conflict, NotFound, Rejected, TooLarge, ValidationFailed
from common.identity import Identity
from common.money import yuan
from services.billing import contracts
from services.billing.adapters.ledger import record_in_ledger
from services.billing.adapters.orm import Batch, Feedback, Voucher
from services.billing.domain.payment_status import payment_status
from services.billing.domain.voucher import VoucherRejected, check_voucher, check_withdraw_reason


def get_batch(uow, who: Identity, batch_id: int, lock: bool = False) -> Batch:
    """The batch, if in the caller's scope (else NotFound, as if it did not exist); locked on request."""
    query = select(Batch).where(Batch.batch_id == batch_id)
    if lock:
        query = query.with_for_update()
    batch = uow.session.scalar(query)
    if batch is None:
        raise NotFound()
    who.check_district(batch.district_id)
    return batch


def _not_written_off(batch: Batch) -> None:
    if batch.written_off_at is not None:
        raise Conflict(f"批次 {batch.batch_no} 已核销，不能再修改", code="BATCH_WRITTEN_OFF")


def _refresh_payment(uow, batch: Batch) -> None:
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
    batch.status = payment_status(
        written_off=batch.written_off_at is not None,
        overdue=batch.status == "overdue",
        last_voucher_at=batch.voucher_uploaded_at,
        last_feedback_at=batch.feedback_at,
    )


def _aware(moment):
    return moment.replace(tzinfo=UTC).isoformat() if moment else None


def upload_voucher(
    uow, who: Identity, batch_id: int, content: bytes, filename: str, amount_fen: int, paid_on: date, max_bytes: int
) -> Voucher:
    """缴费凭证: a district adds the proof of one payment to the batch's vouchers (a second transfer,
    a second voucher: none is ever replaced), until the batch is written off."""
    who.require("district")
    batch = get_batch(uow, who, batch_id, lock=True)
    _not_written_off(batch)
    errors = {}
    try:
        media_type = check_voucher(content, max_bytes)
    except VoucherRejected as exc:
        kind = TooLarge if exc.code == "VOUCHER_TOO_LARGE" else Rejected
        raise kind(str(exc), code=exc.code, fields={"file": [str(exc)]}) from None
    if amount_fen <= 0:
        errors["amount"] = ["缴费金额须大于 0"]
    if paid_on > clock.today():
        errors["paid_on"] = ["缴费日期不能晚于今天"]
    if errors:
        raise ValidationFailed(errors)
    voucher = Voucher(
        batch_id=batch_id,
        filename=(filename or "voucher")[:200],
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        amount_fen=amount_fen,
        paid_on=paid_on,
        uploaded_at=clock.utcnow_naive(),
        uploaded_by=who.user,
    )
    uow.session.add(voucher)
    uow.session.flush()
    _refresh_payment(uow, batch)
    uow.publish(
        contracts.VOUCHER_UPLOADED,
        {
            "batch_id": batch_id,
            "voucher_id": voucher.id,
            "amount_fen": amount_fen,
            "paid_on": paid_on.isoformat(),
            "uploaded_at": clock.now().isoformat(),
            "vouchers_total_fen": batch.paid_fen or 0,
            "payment_status": batch.status,
        },
    )
    uow.commit()
    return voucher


def withdraw_voucher(uow, who: Identity, batch_id: int, voucher_id: int, reason: str) -> Voucher:
    """撤回凭证: the district takes one voucher back, with a reason, before 核销. It stays, marked
    withdrawn, and no longer counts towards 已上传凭证金额."""
    who.require("district")
    batch = get_batch(uow, who, batch_id, lock=True)
    _not_written_off(batch)
    voucher = _voucher_of(uow, batch_id, voucher_id)
    if voucher.withdrawn_at is not None:
        raise Conflict("该凭证已撤回", code="VOUCHER_WITHDRAWN")
    try:
        reason = check_withdraw_reason(reason)
    except VoucherRejected as exc:
        raise ValidationFailed({"reason": [str(exc)]}) from None
    voucher.withdrawn_at, voucher.withdrawn_by, voucher.withdraw_reason = clock.utcnow_naive(), who.user, reason
    uow.session.flush()
    _refresh_payment(uow, batch)
    uow.publish(
        contracts.VOUCHER_WITHDRAWN,
        {
            "batch_id": batch_id,
            "voucher_id": voucher.id,
            "amount_fen": voucher.amount_fen,
            "reason": reason,
            "withdrawn_at": clock.now().isoformat(),
            "vouchers_total_fen": batch.paid_fen or 0,
            "voucher_uploaded_at": _aware(batch.voucher_uploaded_at),
            "payment_status": batch.status,
        },
    )
    uow.commit()
    return voucher


def _voucher_of(uow, batch_id: int, voucher_id: int) -> Voucher:
    voucher = uow.session.scalar(select(Voucher).where(Voucher.id == voucher_id, Voucher.batch_id == batch_id))
    if voucher is None:
        raise NotFound("没有这张凭证", code="VOUCHER_NOT_FOUND")
    return voucher


def list_vouchers(uow, who: Identity, batch_id: int) -> list[Voucher]:
    """Every voucher of the batch, withdrawn ones too, in the order they were uploaded."""
    get_batch(uow, who, batch_id)
    return list(
        uow.session.scalars(
            select(Voucher)
            .options(defer(Voucher.content))  # a list, not the files
            .where(Voucher.batch_id == batch_id)
            .order_by(Voucher.id)
        )
    )


def get_voucher(uow, who: Identity, batch_id: int, voucher_id: int) -> Voucher:
    get_batch(uow, who, batch_id)
    return _voucher_of(uow, batch_id, voucher_id)


def latest_voucher(uow, who: Identity, batch_id: int) -> Voucher:
    """The latest voucher still counted (the one-voucher API of before, kept for one release)."""
    get_batch(uow, who, batch_id)
    voucher = uow.session.scalar(
        select(Voucher)
        .where(Voucher.batch_id == batch_id, Voucher.withdrawn_at.is_(None))
        .order_by(Voucher.id.desc())
        .limit(1)
    )
    if voucher is None:
        raise NotFound("该批次尚未上传缴费凭证", code="VOUCHER_NOT_FOUND")
    return voucher


def give_feedback(uow, who: Identity, batch_id: int, message: str) -> Feedback:
    """反馈: the centre tells the district about its payment (e.g. amount short)."""
    who.require("centre")
    batch = get_batch(uow, who, batch_id, lock=True)
    _not_written_off(batch)
    message = (message or "").strip()
    if not message:
        raise ValidationFailed({"message": ["反馈内容不能为空"]})
    now = clock.utcnow_naive()
    feedback = Feedback(batch_id=batch_id, message=message, at=now, by=who.user)
    uow.session.add(feedback)
    batch.feedback_at = now
    _refresh_payment(uow, batch)
    uow.publish(
        contracts.FEEDBACK_GIVEN,
        {"batch_id": batch_id, "message": message, "at": clock.now().isoformat(), "payment_status": batch.status},
    )
    uow.commit()
    return feedback


def list_feedback(uow, who: Identity, batch_id: int) -> list[Feedback]:
    get_batch(uow, who, batch_id)
    return list(uow.session.scalars(select(Feedback).where(Feedback.batch_id == batch_id).order_by(Feedback.id)))


def write_off(uow, who: Identity, batch_id: int, amount_fen: int, received_on: date, bank_reference: str) -> Batch:
    """核销: the centre records the money received; nothing about the batch changes afterwards."""
    who.require("centre")
    batch = get_batch(uow, who, batch_id, lock=True)
    _not_written_off(batch)
    errors = {}
    if amount_fen < 0:
        errors["amount"] = ["金额不能为负数"]
    if received_on > clock.today():
        errors["received_on"] = ["到账日期不能晚于今天"]
    if not (bank_reference or "").strip():
        errors["bank_reference"] = ["请填写银行流水号"]
    if errors:
        raise ValidationFailed(errors)
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
    uow.publish(
        contracts.WRITTEN_OFF,
        {
            "batch_id": batch_id,
            "amount_fen": amount_fen,
            "received_on": received_on.isoformat(),
            "bank_reference": batch.bank_reference,
            "at": clock.now().isoformat(),
            "payment_status": batch.status,
        },
    )
    uow.commit()
    return batch
