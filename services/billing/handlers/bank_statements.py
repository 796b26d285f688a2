"""Bank statements (银行流水): the centre imports one as its bank exported it (.xlsx, .xls, CSV in
GBK or UTF-8, CAMT.053, or the four-column template for hand-made lists); each credit line is
fingerprinted, a line seen in an earlier import is listed as 已导入过 with the statement it came
in and never matched again, and every other line is matched to a batch or kept with the reason
it matched none. The result is read back line by line, with the layout that was recognised
(docs/decisions/0026-bank-statements-as-exported.md)."""

from __future__ import annotations

import json

from sqlalchemy import ARRAY, String, any_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from common import clock
from common.clock import shanghai
from common.db import insert_rows
from common.errors import Conflict, NotFound
from common.identity import Identity
from common.money import yuan
from services.billing.adapters.ledger import record_in_ledger
from services.billing.adapters.orm import BankStatement, Batch, DistrictView, StatementLine
from services.billing.adapters.statement_files import read_bank_statement
from services.billing.domain.statement import REASONS, OpenBatch, match_lines
from services.billing.domain.statement_fingerprint import fingerprinted

LINE_COLUMNS = [c.name for c in StatementLine.__table__.columns if c.name != "id"]
MAX_FINGERPRINTS_PER_QUERY = 5_000


def _first_sightings(session, fingerprints: list[str]) -> dict[str, int]:
    """fingerprint → the id of the line that first brought it, for those an earlier import holds.
    On PostgreSQL one array parameter (= ANY): 10,000 placeholders cost ~0.5 s to compile and send."""
    first_sightings = select(StatementLine.fingerprint, StatementLine.id).where(StatementLine.first_line_id.is_(None))
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam("fingerprints", fingerprints, type_=ARRAY(String(64)))
        return dict(session.execute(first_sightings.where(StatementLine.fingerprint == any_(array))).tuples().all())
    found: dict[str, int] = {}
    for start in range(0, len(fingerprints), MAX_FINGERPRINTS_PER_QUERY):
        chunk = fingerprints[start : start + MAX_FINGERPRINTS_PER_QUERY]
        found.update(session.execute(first_sightings.where(StatementLine.fingerprint.in_(chunk))).tuples().all())
    return found


def import_bank_statement(uow, who: Identity, content: bytes, filename: str) -> BankStatement:
    """银行流水导入: read, fingerprint, match; all of it or (a refusal) nothing."""
    who.require("centre")
    read = read_bank_statement(content)
    lines = fingerprinted(read.lines)
    names = {d.district_id: d.name for d in uow.session.scalars(select(DistrictView))}
    # Locking the batches also queues a second import behind this one, so it sees these lines.
    batches = list(uow.session.scalars(select(Batch).with_for_update()))
    candidates = [
        OpenBatch(
            b.batch_id,
            b.batch_no,
            b.district_id,
            names.get(b.district_id, ""),
            b.due_fen - (b.bank_matched_fen or 0),
            b.written_off_at is not None,
        )
        for b in batches
    ]
    earlier = _first_sightings(uow.session, [line.fingerprint for line in lines])
    results = match_lines(lines, candidates, set(earlier))
    statement = BankStatement(
        filename=(filename or "statement")[:200],
        uploaded_at=clock.utcnow_naive(),
        uploaded_by=who.user,
        line_count=len(lines),
        matched_count=sum(1 for r in results if r.matched),
        layout=read.layout["code"],
        recognised=json.dumps(read.layout, ensure_ascii=False),
        skipped_rows=json.dumps(read.skipped_rows),
        duplicate_count=sum(1 for r in results if r.reason_code == "DUPLICATE_LINE"),
    )
    uow.session.add(statement)
    uow.session.flush()
    by_id = {b.batch_id: b for b in batches}
    rows = []
    for line, result in zip(lines, results, strict=True):
        rows.append(
            {
                "statement_id": statement.id,
                "row": line.row,
                "paid_on": line.paid_on,
                "payer": line.payer[:200],
                "amount_fen": line.amount_fen,
                "memo": line.memo[:500],
                "batch_id": result.batch_id,
                "reason_code": result.reason_code,
                "serial": line.serial[:100],
                "fingerprint": line.fingerprint,
                "first_line_id": earlier.get(line.fingerprint),
            }
        )
        if result.matched:
            batch = by_id[result.batch_id]
            batch.bank_matched_fen = (batch.bank_matched_fen or 0) + line.amount_fen
            record_in_ledger(
                uow,
                who.user,
                cover_year=batch.cover_year,
                district_id=batch.district_id,
                account="bank",
                kind="bank_matched",
                amount_fen=line.amount_fen,
                batch_id=batch.batch_id,
                note=f"银行流水（{line.paid_on.isoformat()}，{line.payer}，{yuan(line.amount_fen)} 元，"
                f"摘要「{line.memo}」）匹配到批次 {batch.batch_no}：{result.reason}",
            )
    try:
        insert_rows(uow.session, StatementLine.__table__, rows)
        uow.commit()
    except IntegrityError:
        uow.rollback()  # another import brought the same lines at the same moment: it counted them
        raise Conflict(
            "另一次导入刚刚导入了相同的流水，本次未导入任何数据：请刷新后查看，或重新导入（将列为已导入过）",
            code="STATEMENT_IMPORTED_CONCURRENTLY",
        ) from None
    return statement


def statement_result(uow, who: Identity, statement_id: int) -> dict:
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
    lines = [_line(*row) for row in rows]
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
