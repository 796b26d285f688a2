"""Reports: reconciliation, the ledger (台账), the submissions list and the dashboard figures."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from common import clock
from common.db import UoW
from common.identity import Identity, scoped
from services.billing.adapters.orm import (
    Batch,
    DistrictView,
    LedgerEntry,
    PaymentAllocation,
    PricedSubmission,
    StatementLine,
    UnionView,
)
from services.billing.adapters.queries import cover_year, list_batches
from services.billing.domain.allocation import arrived, money_received_fen, overpaid_fen, overpaid_text


def reconciliation_row(batch: Batch, district_name: str | None = None) -> dict:
    """Due; paid (已缴) — money received: matched on a bank statement, or received at write-off —
    never what a voucher declares, which is its own figure (已上传凭证金额); and what is still open."""
    paid = money_received_fen(batch)
    return {
        "batch_id": batch.batch_id,
        "batch_no": batch.batch_no,
        "district_id": batch.district_id,
        "district_name": district_name,
        "cover_year": batch.cover_year,
        "mode": batch.mode,
        "headcount": batch.headcount,
        "status": batch.status,
        "due_fen": batch.due_fen,
        "declared_paid_fen": batch.paid_fen,
        "voucher_declared_fen": batch.paid_fen or 0,
        "bank_matched_fen": batch.bank_matched_fen,
        "received_fen": batch.received_fen,
        "paid_fen": paid,
        "difference_fen": batch.due_fen - paid,
        "short_fen": arrived(batch).short_fen,
        "overpaid_fen": overpaid_fen(batch),
        "overpaid_text": overpaid_text(batch),
        "overpaid_choice": batch.overpaid_choice,
        "pay_by": batch.pay_by,
        "voucher_uploaded_at": batch.voucher_uploaded_at,
        "feedback_at": batch.feedback_at,
        "written_off_at": batch.written_off_at,
    }


def reconciliation(
    uow, who: Identity, cover_year: int | None = None, district_id: int | None = None, status: str | None = None
) -> list[dict]:
    """对账: each batch's figures and, where a bank statement matched money to it, what 核销 would
    record (the matched total, the latest line's date and reference), so nobody retypes them."""
    who.require("centre")
    names = {d.district_id: d.name for d in uow.session.scalars(select(DistrictView))}
    batches = list_batches(uow.session, who, cover_year, district_id, status)
    latest: dict[int, StatementLine] = {}
    if batches:  # the latest line that brought money to each batch (a split line to each of its batches)
        for batch_id, line in uow.session.execute(
            select(PaymentAllocation.batch_id, StatementLine)
            .join(StatementLine, StatementLine.id == PaymentAllocation.line_id)
            .where(PaymentAllocation.batch_id.in_([b.batch_id for b in batches]))
            .order_by(PaymentAllocation.id)
        ).tuples():
            latest[batch_id] = line
    rows = []
    for batch in batches:
        row = reconciliation_row(batch, names.get(batch.district_id))
        line = latest.get(batch.batch_id)
        row["write_off_prefill"] = (
            None
            if line is None or batch.written_off_at
            else {
                "amount_fen": batch.bank_matched_fen,
                "received_on": line.paid_on,
                # the bank's own serial when the statement has one; never the memo (it is the 附言, not
                # a serial): without a serial the clerk types it from the bank's receipt
                "bank_reference": (line.serial or "").strip()[:100],
            }
        )
        rows.append(row)
    return rows


# ------------------------------------------------------------------ ledger (台账)


def ledger(
    uow,
    who: Identity,
    cover_year: int | None = None,
    district_id: int | None = None,
    union_id: int | None = None,
    batch_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
):
    query = scoped(select(LedgerEntry), who, union=LedgerEntry.union_id, district=LedgerEntry.district_id)
    if cover_year:
        query = query.where(LedgerEntry.cover_year == cover_year)
    if district_id:
        query = query.where(LedgerEntry.district_id == district_id)
    if union_id:
        query = query.where(LedgerEntry.union_id == union_id)
    if batch_id:
        query = query.where(LedgerEntry.batch_id == batch_id)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(uow.session.scalars(query.order_by(LedgerEntry.id).offset((page - 1) * per_page).limit(per_page)))
    return total, items


def list_submissions(
    uow, who: Identity, cover_year: int | None = None, union_id: int | None = None, page: int = 1, per_page: int = 50
):
    query = scoped(
        select(PricedSubmission), who, union=PricedSubmission.union_id, district=PricedSubmission.district_id
    )
    if cover_year:
        query = query.where(PricedSubmission.cover_year == cover_year)
    if union_id:
        query = query.where(PricedSubmission.union_id == union_id)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(
        uow.session.scalars(
            query.order_by(PricedSubmission.submission_id).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return total, items


# ------------------------------------------------------------------ dashboard figures


def dashboard(uow: UoW, who: Identity, year: int) -> dict:
    """Per district: due, paid, outstanding, by type; per grassroots union: owed to its district."""
    names = {d.district_id: d.name for d in uow.session.scalars(select(DistrictView))}
    union_names = dict(
        uow.session.execute(
            select(UnionView.union_id, UnionView.name).where(
                UnionView.union_id.in_(select(PricedSubmission.union_id).where(PricedSubmission.cover_year == year))
            )
        ).all()
    )
    districts = []
    if who.role in ("centre", "district"):
        figures: dict[int, dict] = {}
        for batch in list_batches(uow.session, who, cover_year=year):
            f = figures.setdefault(
                batch.district_id,
                {
                    "district_id": batch.district_id,
                    "district_name": names.get(batch.district_id),
                    "batches": 0,
                    "headcount": 0,
                    "premium_fen": 0,
                    "union_share_fen": 0,
                    "credit_applied_fen": 0,
                    "due_fen": 0,
                    "paid_fen": 0,
                    "voucher_declared_fen": 0,
                    "outstanding_fen": 0,
                    "overdue_batches": 0,
                    "by_type": {},
                },
            )
            row = reconciliation_row(batch)
            f["batches"] += 1
            f["overdue_batches"] += batch.status == "overdue"
            for key in ("headcount", "premium_fen", "union_share_fen", "credit_applied_fen", "due_fen"):
                f[key] += getattr(batch, key)
            f["paid_fen"] += row["paid_fen"]
            f["voucher_declared_fen"] += row["voucher_declared_fen"]
            f["outstanding_fen"] += max(row["difference_fen"], 0)
            for t in json.loads(batch.by_type):
                acc = f["by_type"].setdefault(t["type"], {"headcount": 0, "premium_fen": 0, "union_share_fen": 0})
                for key in acc:
                    acc[key] += t[key]
        districts = list(figures.values())
    unions: dict[int, dict] = {}
    sub = scoped(
        select(PricedSubmission).where(PricedSubmission.cover_year == year, PricedSubmission.status == "priced"),
        who,
        union=PricedSubmission.union_id,
        district=PricedSubmission.district_id,
    ).subquery()
    for row in uow.session.execute(
        select(
            sub.c.union_id,
            sub.c.district_id,
            sub.c.cover_type,
            func.sum(sub.c.headcount),
            func.sum(sub.c.premium_fen),
            func.sum(sub.c.grassroots_share_fen),
        )
        .group_by(sub.c.union_id, sub.c.district_id, sub.c.cover_type)
        .order_by(sub.c.union_id)
    ):
        union_id, district_id, cover_type, headcount, premium, owes = row
        u = unions.setdefault(
            union_id,
            {
                "union_id": union_id,
                "union_name": union_names.get(union_id),
                "district_id": district_id,
                "headcount": 0,
                "premium_fen": 0,
                "grassroots_owes_fen": 0,
                "by_type": {},
            },
        )
        u["headcount"] += int(headcount)
        u["premium_fen"] += int(premium)
        u["grassroots_owes_fen"] += int(owes)
        u["by_type"][cover_type] = u["by_type"].get(cover_type, 0) + int(headcount)
    timeline = cover_year(uow.session, year)
    today = clock.today()
    return {
        "cover_year": year,
        "payment_deadline": timeline.payment_deadline.isoformat() if timeline else None,
        "days_to_payment_deadline": (timeline.payment_deadline - today).days if timeline else None,
        "districts": districts,
        "unions": list(unions.values()),
    }
