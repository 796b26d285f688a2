"""What the billing service consumes: each event wired to its handler (see docs/events.md). The
only place wiring events to handlers."""

from __future__ import annotations

from common.bus import Subscription
from services.billing.contracts import BATCH_PRICED, SERVICE
from services.billing.handlers import payment_mail, pricing, read_models

SUBSCRIPTIONS = [
    Subscription(
        SERVICE,
        "directory",
        {
            "members.district.registered": read_models.record_district_when_district_changed,
            "members.district.updated": read_models.record_district_when_district_changed,
            "members.union.registered": read_models.record_union_when_union_changed,
            "members.union.updated": read_models.record_union_when_union_changed,
            "members.unions.registered": read_models.record_unions_when_registered,
        },
    ),
    Subscription(
        SERVICE,
        "enrollment",
        {
            "enrollment.cover_year.configured": read_models.record_cover_year_when_configured,
            "enrollment.submission.submitted": pricing.price_submission_when_submitted,
            "enrollment.submission.returned": pricing.release_submission_when_returned,
            "enrollment.batch.submitted": pricing.price_batch_when_submitted,
        },
    ),
    # Our own fact, consumed by our own mailer: the e-mail goes out after the batch is priced
    # and committed, with the inbox guarding against doubles.
    Subscription(
        SERVICE,
        "mailer",
        {
            BATCH_PRICED: payment_mail.mail_payment_detail_when_batch_priced,
        },
    ),
]
