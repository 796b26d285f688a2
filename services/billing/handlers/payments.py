"""Payments: batches, vouchers, feedback, write-off, the bank statement, the deadline and the
payment detail e-mail."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.errors import Conflict, NotFound, Rejected, TooLarge, ValidationFailed
from common.identity import Identity
from common.money import yuan
from services.billing import contracts
from services.billing.adapters import mail
from services.billing.adapters.excel import read_statement
from services.billing.adapters.orm import (BankStatement, Batch, CoverYearView, DistrictView, Feedback, OverdueNotice,
                                           SentMail, StatementLine, Voucher)
from services.billing.domain.statement import OpenBatch, REASONS, match_lines
from services.billing.domain.timeline import is_overdue
from services.billing.domain.voucher import VoucherRejected, check_voucher
from services.billing.handlers.shared import record_in_ledger


# ------------------------------------------------------------------ batches, vouchers, feedback, write-off

def get_batch(uow, who: Identity, batch_id: int, lock: bool = False) -> Batch:
    query = select(Batch).where(Batch.batch_id == batch_id)
    if lock:
        query = query.with_for_update()
    batch = uow.session.scalar(query)
    if batch is None:
        raise NotFound()
    who.check_district(batch.district_id)
    return batch


def list_batches(uow, who: Identity, cover_year: int | None = None, district_id: int | None = None,
                 status: str | None = None) -> list[Batch]:
    query = select(Batch).order_by(Batch.batch_id)
    if who.role == "district":
        query = query.where(Batch.district_id == who.district_id)
    elif district_id:
        query = query.where(Batch.district_id == district_id)
    if cover_year:
        query = query.where(Batch.cover_year == cover_year)
    if status:
        query = query.where(Batch.status == status)
    return list(uow.session.scalars(query))


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


# ------------------------------------------------------------------ the deadline (缴费截止)

def report_overdue(uow, today: date | None = None) -> list[int]:
    """Every batch still owing money after its deadline is reported overdue, once: the
    OverdueNotice primary key refuses a second report, whoever runs the job and however often or
    late. Returns the batch ids reported by this run.

    A centralised (CB) batch's deadline is its cover year's payment deadline (whatever the batch
    says). A JB batch's is its own `pay_by`, N days after it was submitted (decision 0018); a JB
    batch priced before it had one (`pay_by` null) is never reported.

    `uow` (entered by the caller) finds the candidates; each batch is then reported in its own
    transaction, a `uow.fresh()` unit of work, so one refused report does not undo the others."""
    today = today or clock.today()
    years = [y.cover_year for y in uow.session.scalars(select(CoverYearView))
             if is_overdue(y.payment_deadline, today)]
    late = or_(and_(Batch.mode == "centralised", Batch.cover_year.in_(years)),
               and_(Batch.mode == "instant", Batch.pay_by.is_not(None), Batch.pay_by < today))
    candidates = list(uow.session.scalars(select(Batch.batch_id).where(
        late, Batch.written_off_at.is_(None), Batch.due_fen > 0,
        Batch.batch_id.not_in(select(OverdueNotice.batch_id))).order_by(Batch.batch_id)))
    uow.rollback()  # the search only read: end its transaction before the reports lock rows
    reported = []
    for batch_id in candidates:
        with uow.fresh() as one:
            batch = one.session.scalar(select(Batch).where(Batch.batch_id == batch_id).with_for_update())
            if batch.written_off_at is not None or one.session.get(OverdueNotice, batch_id) is not None:
                continue
            paid = batch.bank_matched_fen or batch.paid_fen or 0
            one.session.add(OverdueNotice(batch_id=batch_id, reported_at=clock.utcnow_naive(), due_fen=batch.due_fen,
                                          paid_fen=paid))
            batch.status = "overdue"
            one.publish(contracts.OVERDUE, {"batch_id": batch_id, "batch_no": batch.batch_no,
                                            "district_id": batch.district_id, "cover_year": batch.cover_year,
                                            "due_fen": batch.due_fen, "paid_fen": paid})
            try:
                one.commit()
            except IntegrityError:
                one.rollback()  # another run reported it at the same moment
                continue
            reported.append(batch_id)
    return reported


# ------------------------------------------------------------------ payment detail e-mail (集中参保缴费明细)

def mail_payment_detail_when_batch_priced(uow, event: dict) -> None:
    """MailPaymentDetailWhenBatchPriced: once per batch, to the handler's address."""

    d = event["data"]
    batch_id = int(d["batch_id"])
    if uow.session.get(SentMail, batch_id) is not None:
        return
    recipient = (d.get("handler") or {}).get("email") or ""
    if not recipient:
        return
    names = uow.session.get(DistrictView, int(d["district_id"]))
    transport = mail.send_payment_detail(d, names.name if names else "", recipient)
    uow.session.add(SentMail(batch_id=batch_id, recipient=recipient, sent_at=clock.utcnow_naive(),
                             transport=transport))


def import_bank_statement(uow, who: Identity, content: bytes, filename: str):
    """银行流水导入: match each line to a batch; unmatched and ambiguous lines keep a reason code."""

    who.require("centre")
    lines = read_statement(content)
    names = {d.district_id: d.name for d in uow.session.scalars(select(DistrictView))}
    batches = list(uow.session.scalars(select(Batch).with_for_update()))
    candidates = [OpenBatch(b.batch_id, b.batch_no, b.district_id, names.get(b.district_id, ""),
                            b.due_fen - (b.bank_matched_fen or 0), b.written_off_at is not None) for b in batches]
    earlier = {(x.paid_on, x.payer.strip(), x.amount_fen, x.memo.strip()) for x in uow.session.scalars(
        select(StatementLine).where(StatementLine.batch_id.is_not(None),
                                    StatementLine.amount_fen.in_({line.amount_fen for line in lines})))}
    results = match_lines(lines, candidates, earlier)
    statement = BankStatement(filename=(filename or "statement.xlsx")[:200], uploaded_at=clock.utcnow_naive(),
                              uploaded_by=who.user, line_count=len(lines),
                              matched_count=sum(1 for r in results if r.matched))
    uow.session.add(statement)
    uow.session.flush()
    by_id = {b.batch_id: b for b in batches}
    for line, result in zip(lines, results):
        uow.session.add(StatementLine(statement_id=statement.id, row=line.row, paid_on=line.paid_on,
                                      payer=line.payer[:200], amount_fen=line.amount_fen, memo=line.memo[:500],
                                      batch_id=result.batch_id, reason_code=result.reason_code))
        if result.matched:
            batch = by_id[result.batch_id]
            batch.bank_matched_fen = (batch.bank_matched_fen or 0) + line.amount_fen
            record_in_ledger(uow, who.user, cover_year=batch.cover_year, district_id=batch.district_id, account="bank",
                    kind="bank_matched", amount_fen=line.amount_fen, batch_id=batch.batch_id,
                    note=f"银行流水（{line.paid_on.isoformat()}，{line.payer}，摘要「{line.memo}」）"
                         f"匹配到批次 {batch.batch_no}：{result.reason}")
    uow.commit()
    return statement


def statement_result(uow, who: Identity, statement_id: int) -> dict:
    """One import's result as a clerk reads it: a summary (lines, matched, unmatched, amounts) and
    each line with the batch it went to and how, or why it matched none."""
    who.require("centre")
    statement = uow.session.get(BankStatement, statement_id)
    if statement is None:
        raise NotFound()
    rows = uow.session.execute(select(StatementLine, Batch.batch_no)
                               .outerjoin(Batch, Batch.batch_id == StatementLine.batch_id)
                               .where(StatementLine.statement_id == statement_id)
                               .order_by(StatementLine.row)).all()
    lines = [{"row": line.row, "paid_on": line.paid_on, "payer": line.payer, "amount_fen": line.amount_fen,
              "memo": line.memo, "batch_id": line.batch_id, "batch_no": batch_no, "matched": line.batch_id is not None,
              "reason_code": line.reason_code, "reason": REASONS[line.reason_code],
              "match_method": REASONS[line.reason_code] if line.batch_id is not None else None,
              "unmatched_reason": None if line.batch_id is not None else REASONS[line.reason_code]}
             for line, batch_no in rows]
    matched = [x for x in lines if x["matched"]]
    return {"id": statement.id, "filename": statement.filename, "uploaded_at": statement.uploaded_at,
            "line_count": statement.line_count, "matched_count": len(matched),
            "unmatched_count": len(lines) - len(matched), "total_fen": sum(x["amount_fen"] for x in lines),
            "matched_fen": sum(x["amount_fen"] for x in matched),
            "unmatched_fen": sum(x["amount_fen"] for x in lines if not x["matched"]), "lines": lines}
