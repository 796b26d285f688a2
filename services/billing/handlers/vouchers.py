"""缴费凭证: a batch's vouchers — a list, never replaced; one may be withdrawn with a reason
before 核销 (decision 0030). Through the seam `batches.get_batch / not_written_off /
refresh_payment` (the batch in scope, still open, its figures and status after a change)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date

from sqlalchemy import select
from sqlalchemy.orm import defer

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, Rejected, TooLarge, ValidationFailed
from common.identity import Identity
from services.billing import contracts
from services.billing.adapters.orm import Voucher
from services.billing.domain.payment_status import status_text
from services.billing.domain.voucher import VoucherRejected, check_voucher, check_withdraw_reason
from services.billing.handlers.batches import get_batch, not_written_off, refresh_payment


def _aware(moment):
    return moment.replace(tzinfo=UTC).isoformat() if moment else None


def upload_voucher(
    uow, who: Identity, batch_id: int, content: bytes, filename: str, amount_fen: int, paid_on: date, max_bytes: int
) -> Voucher:
    """缴费凭证: a district adds the proof of one payment to the batch's vouchers (a second transfer,
    a second voucher: none is ever replaced), until the batch is written off."""
    who.require("district")
    batch = get_batch(uow, who, batch_id, lock=True)
    not_written_off(batch)
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
    refresh_payment(uow, batch)
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
            "payment_status_text": status_text(batch.status),
        },
    )
    uow.commit()
    return voucher


def withdraw_voucher(uow: UoW, who: Identity, batch_id: int, voucher_id: int, reason: str) -> Voucher:
    """撤回凭证: the district takes one voucher back, with a reason, before 核销. It stays, marked
    withdrawn, and no longer counts towards 已上传凭证金额."""
    who.require("district")
    batch = get_batch(uow, who, batch_id, lock=True)
    not_written_off(batch)
    voucher = _voucher_of(uow, batch_id, voucher_id)
    if voucher.withdrawn_at is not None:
        raise Conflict("该凭证已撤回", code="VOUCHER_WITHDRAWN")
    try:
        reason = check_withdraw_reason(reason)
    except VoucherRejected as exc:
        raise ValidationFailed({"reason": [str(exc)]}) from None
    voucher.withdrawn_at, voucher.withdrawn_by, voucher.withdraw_reason = clock.utcnow_naive(), who.user, reason
    uow.session.flush()
    refresh_payment(uow, batch)
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
            "payment_status_text": status_text(batch.status),
        },
    )
    uow.commit()
    return voucher


def _voucher_of(uow: UoW, batch_id: int, voucher_id: int) -> Voucher:
    voucher = uow.session.scalar(select(Voucher).where(Voucher.id == voucher_id, Voucher.batch_id == batch_id))
    if voucher is None:
        raise NotFound("没有这张凭证", code="VOUCHER_NOT_FOUND")
    return voucher


def list_vouchers(uow: UoW, who: Identity, batch_id: int) -> list[Voucher]:
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


def get_voucher(uow: UoW, who: Identity, batch_id: int, voucher_id: int) -> Voucher:
    get_batch(uow, who, batch_id)
    return _voucher_of(uow, batch_id, voucher_id)


def latest_voucher(uow: UoW, who: Identity, batch_id: int) -> Voucher:
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
