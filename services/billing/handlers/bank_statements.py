"""Bank statements (银行流水): the centre imports one as its bank exported it (.xlsx, .xls, CSV in
GBK or UTF-8, CAMT.053, or the four-column template for hand-made lists); each credit line is
fingerprinted, a line seen in an earlier import is listed as 已导入过 with the statement it came
in and never matched again, and every other line is matched to a batch or kept with the reason
it matched none. The result is read back line by line, with the layout that was recognised
(docs/decisions/0026-bank-statements-as-exported.md). A line pays one batch or is split across
several, each part an allocation row and a ledger line (decision 0032); `allocate` is the seam
the centre's hand allocation (handlers/allocations.py) goes through. Imports
`batches.restate` (a batch's status after money arrived)."""

from __future__ import annotations

import json

from sqlalchemy import ARRAY, String, any_, bindparam, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW, insert_rows
from common.errors import Conflict
from common.identity import Identity
from common.money import yuan
from services.billing import contracts
from services.billing.adapters.ledger import record_in_ledger
from services.billing.adapters.orm import BankStatement, Batch, DistrictView, PaymentAllocation, StatementLine
from services.billing.adapters.statement_files import read_bank_statement
from services.billing.domain.payment_status import status_text
from services.billing.domain.statement import REASONS, OpenBatch, match_lines
from services.billing.domain.statement_fingerprint import fingerprinted
from services.billing.handlers.batches import restate

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


def import_bank_statement(uow: UoW, who: Identity, content: bytes, filename: str) -> BankStatement:
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
    results = match_lines(lines, candidates, set(earlier), today=clock.today())
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
    rows = [
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
        for line, result in zip(lines, results, strict=True)
    ]
    paid = [(line, result) for line, result in zip(lines, results, strict=True) if result.matched]
    try:
        insert_rows(uow.session, StatementLine.__table__, rows)
        if paid:
            line_ids = uow.session.scalars(  # in the order written: the matched lines' ids
                select(StatementLine.id)
                .where(StatementLine.statement_id == statement.id, StatementLine.batch_id.is_not(None))
                .order_by(StatementLine.id)
            ).all()
            allocate(
                uow,
                who,
                by_id,
                [(line_id, line, r.reason_code, r.parts) for line_id, (line, r) in zip(line_ids, paid, strict=True)],
            )
        uow.commit()
    except IntegrityError:
        uow.rollback()  # another import brought the same lines at the same moment: it counted them
        raise Conflict(
            "另一次导入刚刚导入了相同的流水，本次未导入任何数据：请刷新后查看，或重新导入（将列为已导入过）",
            code="STATEMENT_IMPORTED_CONCURRENTLY",
        ) from None
    return statement


def allocate(uow: UoW, who: Identity, by_id: dict[int, Batch], lines: list) -> None:
    """Each line's parts on their batches: an allocation row and a ledger line per part, 已缴
    (`bank_matched_fen`) and the status of each batch after them. `lines`: (line id, line,
    method, ((batch id, fen), …)); the batches in `by_id` locked by the caller."""
    now = clock.utcnow_naive()
    before = {batch_id: batch.status for batch_id, batch in by_id.items()}
    allocations = []
    for line_id, line, method, parts in lines:
        split = f"（拆分：共 {yuan(line.amount_fen)} 元）" if len(parts) > 1 else ""
        for batch_id, fen in parts:
            batch = by_id[batch_id]
            batch.bank_matched_fen = (batch.bank_matched_fen or 0) + fen
            allocations.append(
                {
                    "line_id": line_id,
                    "batch_id": batch_id,
                    "amount_fen": fen,
                    "method": method,
                    "at": now,
                    "by": who.user,
                }
            )
            record_in_ledger(
                uow,
                who.user,
                cover_year=batch.cover_year,
                district_id=batch.district_id,
                account="bank",
                kind="bank_matched",
                amount_fen=fen,
                batch_id=batch_id,
                note=f"银行流水（{line.paid_on.isoformat()}，{line.payer}，{yuan(fen)} 元{split}，"
                f"摘要「{line.memo}」）到账计入批次 {batch.batch_no}：{REASONS[method]}"[:500],
            )
    insert_rows(uow.session, PaymentAllocation.__table__, allocations)
    for batch_id in sorted({batch_id for *_, parts in lines for batch_id, _ in parts}):
        batch = by_id[batch_id]
        restate(batch)
        if batch.status != before[batch_id]:  # money has no event of its own: its status is said here
            uow.publish(
                contracts.PAYMENT_STATUS_CHANGED,
                {
                    "batch_id": batch_id,
                    "payment_status": batch.status,
                    "payment_status_text": status_text(batch.status),
                    "paid_fen": batch.bank_matched_fen or 0,
                    "at": clock.now().isoformat(),
                },
            )
