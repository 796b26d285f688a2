"""Integration events the billing service consumes and publishes (see docs/events.md)."""
from __future__ import annotations

from common.bus import Subscription
from services.billing import handlers

SERVICE = "billing"

PRICES_PUBLISHED = "billing.prices.published"
RATES_PUBLISHED = "billing.rates.published"
SUBMISSION_PRICED = "billing.submission.priced"
BATCH_PRICED = "billing.batch.priced"
VOUCHER_UPLOADED = "billing.voucher.uploaded"
FEEDBACK_GIVEN = "billing.batch.feedback_given"
WRITTEN_OFF = "billing.batch.written_off"
OVERDUE = "billing.batch.overdue"
CREDIT_AVAILABLE = "billing.credit.available"

SUBSCRIPTIONS = [
    Subscription(SERVICE, "directory", {
        "members.district.registered": handlers.keep_district,
        "members.district.updated": handlers.keep_district,
        "members.union.registered": handlers.keep_union,
        "members.union.updated": handlers.keep_union,
    }),
    Subscription(SERVICE, "enrollment", {
        "enrollment.cover_year.configured": handlers.keep_cover_year,
        "enrollment.submission.submitted": handlers.price_submission_when_submitted,
        "enrollment.submission.returned": handlers.release_submission_when_returned,
        "enrollment.batch.submitted": handlers.price_batch_when_submitted,
    }),
    # Our own fact, consumed by our own mailer: the e-mail goes out after the batch is priced
    # and committed, with the inbox guarding against doubles.
    Subscription(SERVICE, "mailer", {
        BATCH_PRICED: handlers.mail_payment_detail_when_batch_priced,
    }),
]
