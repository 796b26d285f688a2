"""Bank statements (银行流水): the centre imports one, each line is matched to a batch or kept with
the reason it matched none, and the result is read back line by line."""
from __future__ import annotations

from sqlalchemy import select

from common import clock
from common.errors import NotFound
from common.identity import Identity
from services.billing.adapters.excel import read_statement
from services.billing.adapters.ledger import record_in_ledger
from services.billing.adapters.orm import BankStatement, Batch, DistrictView, StatementLine
from services.billing.domain.statement import REASONS, OpenBatch, match_lines


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
    for line, result in zip(lines, results, strict=True):
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
