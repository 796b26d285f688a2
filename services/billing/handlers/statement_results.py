"""One bank-statement import's result as a clerk reads it (银行流水导入结果): the layout recognised,
a summary, and each line with the batch (or batches, each part) it went to and how, or why it
matched none — for a line seen before, the import it first came in (decision 0026, 0032)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import aliased

from common.clock import shanghai
from common.db import UoW
from common.errors import NotFound
from common.identity import Identity
from services.billing.adapters.orm import BankStatement, Batch, PaymentAllocation, StatementLine
from services.billing.domain.statement import REASONS


def statement_result(uow: UoW, who: Identity, statement_id: int) -> dict:
    """One import's result as a clerk reads it: the layout and columns recognised, a summary
    (lines, matched, unmatched, seen before, money out left out, amounts) and each line with the
    batch it went to and how, or why it matched none — for a line seen before, the import it
    first came in."""
    who.require("centre")
    statement = uow.session.get(BankStatement, statement_id)
    if statement is None:
        raise NotFound()
    first = aliased(StatementLine)
    first_statement = aliased(BankStatement)
    first_batch = aliased(Batch)
    line_columns = [
        StatementLine.id,
        StatementLine.row,
        StatementLine.paid_on,
        StatementLine.payer,
        StatementLine.amount_fen,
        StatementLine.memo,
        StatementLine.serial,
        StatementLine.batch_id,
        StatementLine.reason_code,
        StatementLine.first_line_id,
    ]
    rows = uow.session.execute(  # columns, not entities: 10,000 ORM objects cost more than the query
        select(
            *line_columns,
            Batch.batch_no,
            first.row,
            first.statement_id,
            first_statement.filename,
            first_statement.uploaded_at,
            first_batch.batch_no,
        )
        .outerjoin(Batch, Batch.batch_id == StatementLine.batch_id)
        .outerjoin(first, first.id == StatementLine.first_line_id)
        .outerjoin(first_statement, first_statement.id == first.statement_id)
        .outerjoin(first_batch, first_batch.batch_id == first.batch_id)
        .where(StatementLine.statement_id == statement_id)
        .order_by(StatementLine.row, StatementLine.id)
    ).all()
    parts: dict[int, list[dict]] = {}
    for line_id, batch_id, batch_no, fen in uow.session.execute(
        select(PaymentAllocation.line_id, PaymentAllocation.batch_id, Batch.batch_no, PaymentAllocation.amount_fen)
        .join(Batch, Batch.batch_id == PaymentAllocation.batch_id)
        .join(StatementLine, StatementLine.id == PaymentAllocation.line_id)
        .where(StatementLine.statement_id == statement_id)
        .order_by(PaymentAllocation.id)
    ):
        parts.setdefault(line_id, []).append({"batch_id": batch_id, "batch_no": batch_no, "amount_fen": fen})
    lines = [{**_line(*row[1:]), "line_id": row[0], "parts": parts.get(row[0], [])} for row in rows]
    matched = [x for x in lines if x["matched"]]
    duplicates = [x for x in lines if x["reason_code"] == "DUPLICATE_LINE"]
    skipped = json.loads(statement.skipped_rows or "[]")
    return {
        "id": statement.id,
        "filename": statement.filename,
        "uploaded_at": statement.uploaded_at,
        "layout": json.loads(statement.recognised or "{}") or {"code": statement.layout},
        "line_count": statement.line_count,
        "matched_count": len(matched),
        "unmatched_count": len(lines) - len(matched),
        "duplicate_count": len(duplicates),
        "skipped_count": len(skipped),
        "skipped_rows": skipped,
        "total_fen": sum(x["amount_fen"] for x in lines),
        "matched_fen": sum(x["amount_fen"] for x in matched),
        "unmatched_fen": sum(x["amount_fen"] for x in lines if not x["matched"]),
        "duplicate_fen": sum(x["amount_fen"] for x in duplicates),
        "lines": lines,
    }


def _line(
    row,
    paid_on,
    payer,
    amount_fen,
    memo,
    serial,
    batch_id,
    reason_code,
    first_line_id,
    batch_no,
    first_row,
    first_statement_id,
    first_filename,
    first_uploaded_at,
    first_batch_no,
) -> dict:
    reason = REASONS[reason_code]
    seen = None
    if first_line_id is not None:
        seen = {
            "statement_id": first_statement_id,
            "filename": first_filename,
            "uploaded_at": first_uploaded_at,
            "row": first_row,
            "batch_no": first_batch_no,
        }
        if reason_code == "DUPLICATE_LINE":
            when = shanghai(first_uploaded_at).strftime("%Y-%m-%d %H:%M")
            went = f"，当时匹配到批次 {first_batch_no}" if first_batch_no else "，当时未匹配到批次"
            reason = (
                f"已导入过：首次见于 {when} 导入的「{first_filename}」（导入编号 {first_statement_id}）"
                f"第 {first_row} 行{went}；不再重复计入"
            )
    matched = batch_id is not None
    return {
        "row": row,
        "paid_on": paid_on,
        "payer": payer,
        "amount_fen": amount_fen,
        "memo": memo,
        "serial": serial or None,
        "batch_id": batch_id,
        "batch_no": batch_no,
        "matched": matched,
        "reason_code": reason_code,
        "reason": reason,
        "match_method": reason if matched else None,
        "unmatched_reason": None if matched else reason,
        "already_imported": reason_code == "DUPLICATE_LINE",
        "first_seen": seen,
    }
