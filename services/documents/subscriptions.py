"""The events the documents service consumes, each wired to its handler: the only place doing so."""
from __future__ import annotations

from common.bus import Subscription
from services.documents import handlers
from services.documents.contracts import SERVICE

SUBSCRIPTIONS = [
    Subscription(SERVICE, "directory", {
        "members.district.registered": handlers.keep_district,
        "members.district.updated": handlers.keep_district,
        "members.union.registered": handlers.keep_union,
        "members.union.updated": handlers.keep_union,
    }),
    Subscription(SERVICE, "notices", {
        "enrollment.cover_year.configured": handlers.keep_cover_year,
        "enrollment.submission.submitted": handlers.notice_when_submission_submitted,
        "enrollment.submission.returned": handlers.forget_returned_submission,
        "billing.submission.priced": handlers.notice_when_submission_priced,
        "enrollment.batch.submitted": handlers.notice_when_batch_submitted,
        "billing.batch.priced": handlers.notice_when_batch_priced,
    }),
]
