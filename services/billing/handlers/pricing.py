"""Pricing: what a submission costs its union and a batch its district, priced on enrollment's events
by billing's one pricing code (the quote: handlers/quotes.py); seam: `settlement_credits.publish_credit_available`."""

from __future__ import annotations

import json

from common import clock
from common.bus import PermanentFailure
from common.db import UoW
from common.facts import consumes
from common.money import yuan
from services.billing import contracts, settings
from services.billing.adapters import queries
from services.billing.adapters.ledger import (
    already_priced,
    by_event,
    forget_union_owed,
    hold_priced_submission,
    record_in_ledger,
    union_owed_to_date,
)
from services.billing.adapters.orm import Batch, PricedSubmission
from services.billing.adapters.rates import rates_of_district
from services.billing.contracts import batch_priced_data
from services.billing.domain import facts
from services.billing.domain.prices import COVER_TYPES
from services.billing.domain.pricing import BatchPricing, apply_credit, price_counts
from services.billing.handlers.settlement_credits import publish_credit_available


@consumes
def price_submission_when_submitted(uow: UoW, event: dict) -> None:
    """Price a union's submission (enrollment.submission.submitted): what it costs, who pays
    which part, what the union owes its district for it and by when."""
    d = event["data"]
    submission_id = int(d["submission_id"])
    if already_priced(uow, submission_id):
        return
    year, cover_type = int(d["cover_year"]), d["type"]
    if cover_type not in COVER_TYPES:
        raise PermanentFailure(f"unknown cover type {cover_type!r}")
    counts = facts.price_class_counts(d)
    if sum(counts.values()) != int(d["headcount"]):
        raise PermanentFailure("headcount does not equal the sum of the price-class counts")
    rates = rates_of_district(uow, year, int(d["district_id"])).for_union(int(d["union_id"]))[cover_type]
    totals = price_counts(counts, rates)
    pay_by = queries.pay_by(uow.session, year, d["mode"], facts.submitted_on(d), "grassroots_end")
    owed_to_date = (
        union_owed_to_date(uow, int(d["union_id"]), year, totals.grassroots_share_fen)
        if d["mode"] == "centralised"
        else None
    )
    hold_priced_submission(
        uow,
        submission_id=submission_id,
        union_id=int(d["union_id"]),
        district_id=int(d["district_id"]),
        cover_year=year,
        cover_type=cover_type,
        mode=d["mode"],
        counts=json.dumps(counts),
        headcount=totals.headcount,
        premium_fen=totals.premium_fen,
        city_subsidy_fen=totals.city_subsidy_fen,
        district_share_fen=totals.district_share_fen,
        grassroots_share_fen=totals.grassroots_share_fen,
        pay_by=pay_by,
        status="priced",
        submitted_at=str(d.get("submitted_at", "")),
        priced_at=clock.utcnow_naive(),
    )
    record_in_ledger(
        uow,
        by_event(event),
        cover_year=year,
        district_id=int(d["district_id"]),
        union_id=int(d["union_id"]),
        account="grassroots_to_district",
        kind="submission_priced",
        amount_fen=totals.grassroots_share_fen,
        submission_id=submission_id,
        note=f"基层单位缴费：{cover_type}类 {totals.headcount} 人，参保费用 {yuan(totals.premium_fen)} 元"
        f" − 市总统一划拨 {yuan(totals.city_subsidy_fen)} 元 − 区局缴纳 {yuan(totals.district_share_fen)} 元",
    )
    uow.publish(
        contracts.SUBMISSION_PRICED,
        {
            "submission_id": submission_id,
            "union_id": int(d["union_id"]),
            "district_id": int(d["district_id"]),
            "cover_year": year,
            "type": cover_type,
            "mode": d["mode"],
            "headcount": totals.headcount,
            "premium_fen": totals.premium_fen,
            "city_subsidy_fen": totals.city_subsidy_fen,
            "district_share_fen": totals.district_share_fen,
            "grassroots_share_fen": totals.grassroots_share_fen,
            "grassroots_owes_fen": totals.grassroots_share_fen,
            "pay_by": pay_by.isoformat() if pay_by else None,
            # centralised only: the year so far, this one included (what the grassroots notice prints)
            **({"union_owes_to_date_fen": owed_to_date} if owed_to_date is not None else {}),
        },
        schema_version=contracts.SUBMISSION_PRICED_VERSION,
    )


@consumes
def release_submission_when_returned(uow: UoW, event: dict) -> None:
    """Release a returned submission (enrollment.submission.returned): the union owes nothing for
    it any more, and the ledger says why."""
    d = event["data"]
    submission = uow.session.get(PricedSubmission, int(d["submission_id"]))
    if submission is None or submission.status == "returned":
        return
    submission.status = "returned"
    forget_union_owed(uow, submission.union_id, submission.cover_year)
    record_in_ledger(
        uow,
        by_event(event),
        cover_year=submission.cover_year,
        district_id=submission.district_id,
        union_id=submission.union_id,
        account="grassroots_to_district",
        kind="submission_returned",
        amount_fen=-submission.grassroots_share_fen,
        submission_id=submission.submission_id,
        note=f"区局退回该次提交（{d.get('reason') or '未说明原因'}），冲销基层单位缴费",
    )


# ------------------------------------------------------------------ pricing batches (district → centre)


@consumes
def price_batch_when_submitted(uow: UoW, event: dict) -> None:
    """Price a district's batch (enrollment.batch.submitted): the union share of its submissions,
    less the settlement credit available, due by the batch's pay-by."""
    d = event["data"]
    batch_id = int(d["batch_id"])
    if uow.session.get(Batch, batch_id) is not None:
        return
    year, district_id = int(d["cover_year"]), int(d["district_id"])
    pricing = BatchPricing()
    district_rates = rates_of_district(uow, year, district_id)
    for sub in d["submissions"]:
        if sub["type"] not in COVER_TYPES:
            raise PermanentFailure(f"unknown cover type {sub['type']!r}")
        rates = district_rates.for_union(int(sub["union_id"]))[sub["type"]]
        pricing.add(sub["type"], price_counts(facts.price_class_counts(sub), rates))
    total = pricing.total
    if total.headcount != int(d["headcount"]):
        raise PermanentFailure("batch headcount does not equal its submissions")
    account = queries.locked_account(uow.session, district_id)
    due = apply_credit(total.union_share_fen, queries.credit_available(uow.session, district_id, year))
    account.credit_used_fen += due.credit_applied_fen
    uow.session.flush()
    if due.credit_applied_fen:
        publish_credit_available(uow, account, year)
    pay_by = queries.pay_by(uow.session, year, d["mode"], facts.submitted_on(d), "payment_deadline")
    handler = d.get("handler") or {}
    by_type = [
        {
            "type": t,
            "headcount": x.headcount,
            "premium_fen": x.premium_fen,
            "city_subsidy_fen": x.city_subsidy_fen,
            "union_share_fen": x.union_share_fen,
            "district_share_fen": x.district_share_fen,
            "grassroots_share_fen": x.grassroots_share_fen,
        }
        for t, x in sorted(pricing.by_type.items(), key=lambda kv: COVER_TYPES.index(kv[0]))
    ]
    batch = Batch(
        batch_id=batch_id,
        batch_no=d["batch_no"],
        district_id=district_id,
        cover_year=year,
        mode=d["mode"],
        headcount=total.headcount,
        by_type=json.dumps(by_type, ensure_ascii=False),
        submission_ids=json.dumps([int(s["submission_id"]) for s in d["submissions"]]),
        premium_fen=total.premium_fen,
        city_subsidy_fen=total.city_subsidy_fen,
        union_share_fen=total.union_share_fen,
        credit_applied_fen=due.credit_applied_fen,
        due_fen=due.due_fen,
        pay_by=pay_by,
        handler_name=handler.get("name", ""),
        handler_phone=handler.get("phone", ""),
        handler_email=handler.get("email", ""),
        submitted_at=str(d.get("submitted_at", "")),
        priced_at=clock.utcnow_naive(),
        status="awaiting_payment",
        bank_matched_fen=0,
    )
    uow.session.add(batch)
    record_in_ledger(
        uow,
        by_event(event),
        cover_year=year,
        district_id=district_id,
        account="district_to_centre",
        kind="batch_priced",
        amount_fen=total.union_share_fen,
        batch_id=batch_id,
        note=f"批次 {d['batch_no']}：{total.headcount} 人，参保费用 {yuan(total.premium_fen)} 元 − 市总统一划拨 "
        f"{yuan(total.city_subsidy_fen)} 元 = 工会承担 {yuan(total.union_share_fen)} 元",
    )
    if due.credit_applied_fen:
        note = f"批次 {d['batch_no']} 抵扣清算分配款 {yuan(due.credit_applied_fen)} 元，结余 {yuan(due.credit_left_fen)} 元结转"
        record_in_ledger(
            uow,
            by_event(event),
            cover_year=year,
            district_id=district_id,
            account="district_to_centre",
            kind="credit_applied",
            amount_fen=-due.credit_applied_fen,
            batch_id=batch_id,
            note=note,
        )
        record_in_ledger(
            uow,
            by_event(event),
            cover_year=year,
            district_id=district_id,
            account="credit",
            kind="credit_applied",
            amount_fen=-due.credit_applied_fen,
            batch_id=batch_id,
            note=note,
        )
    uow.publish(
        contracts.BATCH_PRICED,
        batch_priced_data(batch, settings.load().payee),
        schema_version=contracts.BATCH_PRICED_VERSION,
    )
