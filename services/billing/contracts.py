"""What the billing service publishes (see docs/events.md): its event names and payload builders.
Imports no handlers: the wiring of consumed events to handlers is in subscriptions.py."""

from __future__ import annotations

import json

from services.billing.adapters.orm import Batch
from services.billing.settings import Payee

SERVICE = "billing"

PRICES_PUBLISHED = "billing.prices.published"
RATES_PUBLISHED = "billing.rates.published"
SUBMISSION_PRICED = "billing.submission.priced"
BATCH_PRICED = "billing.batch.priced"
VOUCHER_UPLOADED = "billing.voucher.uploaded"
VOUCHER_WITHDRAWN = "billing.voucher.withdrawn"
FEEDBACK_GIVEN = "billing.batch.feedback_given"
WRITTEN_OFF = "billing.batch.written_off"
OVERDUE = "billing.batch.overdue"
CREDIT_AVAILABLE = "billing.credit.available"
PAYMENT_REMINDER = "billing.batch.payment_reminder"
# Money arriving (a statement line matched, a line allocated by hand) moved a batch's status.
PAYMENT_STATUS_CHANGED = "billing.batch.payment_status_changed"

# Schema versions (the envelope's `schema_version`), docs/events.md. 2: a centralised
# submission.priced carries `union_owes_to_date_fen`; batch.priced carries `payee`. 3: batch.priced
# carries the union share's split, `district_share_fen` and `grassroots_share_fen` (per type and
# in total; docs/terms.md).
SUBMISSION_PRICED_VERSION = 2
BATCH_PRICED_VERSION = 3


def batch_priced_data(batch: Batch, payee: Payee) -> dict:
    """billing.batch.priced: the batch's amounts, its pay-by and handler, and where to pay. The
    split of the union share (区局（产业）工会承担 / 基层单位承担) is the sum of its types'; a batch
    priced before the split was kept per type (a download of it) has `null` there."""
    by_type = json.loads(batch.by_type)
    split = all("district_share_fen" in t for t in by_type)
    return {
        "batch_id": batch.batch_id,
        "batch_no": batch.batch_no,
        "district_id": batch.district_id,
        "cover_year": batch.cover_year,
        "mode": batch.mode,
        "headcount": batch.headcount,
        "by_type": by_type,
        "premium_fen": batch.premium_fen,
        "city_subsidy_fen": batch.city_subsidy_fen,
        "union_share_fen": batch.union_share_fen,
        "district_share_fen": sum(int(t["district_share_fen"]) for t in by_type) if split else None,
        "grassroots_share_fen": sum(int(t["grassroots_share_fen"]) for t in by_type) if split else None,
        "credit_applied_fen": batch.credit_applied_fen,
        "due_fen": batch.due_fen,
        "pay_by": batch.pay_by.isoformat() if batch.pay_by else None,
        "handler": {"name": batch.handler_name, "phone": batch.handler_phone, "email": batch.handler_email},
        "payee": payee.as_dict(),
    }
