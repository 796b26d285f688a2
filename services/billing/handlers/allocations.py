"""到账分配: the lines that wait for the centre (matched to no batch, with the reason why), the
centre's own allocation of one of them to one or more batches, and what arrived on a batch, line
by line (decision 0032). Through the seams `bank_statements.allocate` (an allocation row and a
ledger line per part, 已缴 and each batch's status after them) and `batches.get_batch`."""

from __future__ import annotations

from sqlalchemy import select

from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from services.billing.adapters.orm import BankStatement, Batch, PaymentAllocation, StatementLine
from services.billing.domain.allocation import AllocationRejected, check_allocation
from services.billing.domain.statement import REASONS, Line
from services.billing.handlers.bank_statements import allocate
from services.billing.handlers.batches import get_batch

NOT_TO_ALLOCATE = ("DUPLICATE_LINE", "NOT_A_CREDIT")
MAX_WAITING = 500


def waiting_lines(uow: UoW, who: Identity) -> list[dict]:
    """待分配流水: lines of every import matched to no batch (never a line seen before, which its
    first sighting stands for), newest import first, with the reason each was left."""
    who.require("centre")
    rows = uow.session.execute(
        select(StatementLine, BankStatement.filename)
        .join(BankStatement, BankStatement.id == StatementLine.statement_id)
        .where(StatementLine.batch_id.is_(None), StatementLine.reason_code.not_in(NOT_TO_ALLOCATE))
        .order_by(StatementLine.statement_id.desc(), StatementLine.row)
        .limit(MAX_WAITING)
    ).all()
    return [
        {
            "line_id": line.id,
            "statement_id": line.statement_id,
            "filename": filename,
            "row": line.row,
            "paid_on": line.paid_on,
            "payer": line.payer,
            "amount_fen": line.amount_fen,
            "memo": line.memo,
            "reason_code": line.reason_code,
            "reason": REASONS[line.reason_code],
        }
        for line, filename in rows
    ]


def allocate_line(uow: UoW, who: Identity, line_id: int, parts: list[tuple[int, int]]) -> list[PaymentAllocation]:
    """手工分配: the centre puts a waiting line on one or more open batches, amounts summing to the
    line's to the fen; all of it or (a refusal) nothing. The line keeps its fingerprint."""
    who.require("centre")
    line = uow.session.scalar(select(StatementLine).where(StatementLine.id == line_id).with_for_update())
    if line is None:
        raise NotFound("没有这笔流水", code="LINE_NOT_FOUND")
    if line.reason_code in NOT_TO_ALLOCATE:
        raise Conflict("此笔流水已导入过或不是收入，不能分配", code="LINE_NOT_ALLOCATABLE")
    if line.batch_id is not None:
        raise Conflict("此笔流水已分配到批次，不能再分配", code="LINE_ALREADY_ALLOCATED")
    ids = sorted({batch_id for batch_id, _ in parts})
    batches = {
        b.batch_id: b for b in uow.session.scalars(select(Batch).where(Batch.batch_id.in_(ids)).with_for_update())
    }
    open_ids = {batch_id for batch_id, b in batches.items() if b.written_off_at is None}
    try:
        checked = check_allocation(line.amount_fen, parts, open_ids)
    except AllocationRejected as exc:
        raise ValidationFailed({exc.field: [str(exc)]}, str(exc), exc.code) from None
    line.batch_id, line.reason_code = checked[0][0], "ALLOCATED_BY_HAND"
    statement = uow.session.get(BankStatement, line.statement_id)
    statement.matched_count += 1
    read = Line(line.row, line.paid_on, line.payer, line.amount_fen, line.memo, line.serial, line.fingerprint or "")
    allocate(uow, who, batches, [(line.id, read, "ALLOCATED_BY_HAND", tuple(checked))])
    uow.commit()
    return list(
        uow.session.scalars(
            select(PaymentAllocation).where(PaymentAllocation.line_id == line.id).order_by(PaymentAllocation.id)
        )
    )


def arrivals(uow: UoW, who: Identity, batch_id: int) -> list[dict]:
    """到账明细: each part of a bank line that went to this batch (the district sees its own)."""
    get_batch(uow, who, batch_id)
    rows = uow.session.execute(
        select(PaymentAllocation, StatementLine)
        .join(StatementLine, StatementLine.id == PaymentAllocation.line_id)
        .where(PaymentAllocation.batch_id == batch_id)
        .order_by(PaymentAllocation.id)
    ).all()
    return [
        {
            "line_id": line.id,
            "paid_on": line.paid_on,
            "payer": line.payer,
            "memo": line.memo,
            "line_amount_fen": line.amount_fen,
            "amount_fen": part.amount_fen,
            "method": part.method,
            "method_text": REASONS.get(part.method, part.method),
            "at": part.at,
            "by": part.by,
        }
        for part, line in rows
    ]
