"""A district's batches as billing holds them: finding them in scope, the payment voucher (缴费凭证),
the centre's feedback (反馈) and the write-off (核销) that closes a batch."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select

from common import clock
from common.errors import Conflict, NotFound, Rejected, TooLarge, ValidationFailed
from common.identity import Identity
from common.money import yuan
from services.billing import contracts
from services.billing.adapters.ledger import record_in_ledger
from services.billing.adapters.orm import Batch, Feedback, Voucher
from services.billing.domain.voucher import VoucherRejected, check_voucher


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


def upload_voucher(uow, who: Identity, batch_id: int, content: bytes, filename: str, amount_fen: int,
                   paid_on: date, max_bytes: int) -> Voucher:
    """缴费凭证: a district uploads (or replaces, until write-off) the proof of its payment."""
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
    now = clock.utcnow_naive()
    for old in uow.session.scalars(select(Voucher).where(Voucher.batch_id == batch_id, Voucher.current.is_(True))):
        old.current = False
    voucher = Voucher(batch_id=batch_id, filename=(filename or "voucher")[:200], media_type=media_type,
                      size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                      amount_fen=amount_fen, paid_on=paid_on, uploaded_at=now, uploaded_by=who.user, current=True)
    uow.session.add(voucher)
    batch.paid_fen, batch.paid_on, batch.voucher_uploaded_at = amount_fen, paid_on, now
    if batch.status == "awaiting_payment":
        batch.status = "voucher_uploaded"
    uow.session.flush()
    uow.publish(contracts.VOUCHER_UPLOADED, {"batch_id": batch_id, "amount_fen": amount_fen,
                                             "paid_on": paid_on.isoformat(), "uploaded_at": clock.now().isoformat()})
    uow.commit()
    return voucher


def current_voucher(uow, who: Identity, batch_id: int) -> Voucher:
    get_batch(uow, who, batch_id)
    voucher = uow.session.scalar(select(Voucher).where(Voucher.batch_id == batch_id, Voucher.current.is_(True)))
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
    uow.publish(contracts.FEEDBACK_GIVEN, {"batch_id": batch_id, "message": message, "at": clock.now().isoformat()})
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
    record_in_ledger(uow, who.user, cover_year=batch.cover_year, district_id=batch.district_id, account="district_to_centre",
            kind="written_off", amount_fen=-amount_fen, batch_id=batch_id,
            note=f"市职保中心核销批次 {batch.batch_no}：{received_on.isoformat()} 到账 {yuan(amount_fen)} 元"
                 f"（流水号 {batch.bank_reference}）")
    uow.publish(contracts.WRITTEN_OFF, {"batch_id": batch_id, "amount_fen": amount_fen,
                                        "received_on": received_on.isoformat(),
                                        "bank_reference": batch.bank_reference, "at": clock.now().isoformat()})
    uow.commit()
    return batch
