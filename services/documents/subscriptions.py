"""The events the documents service consumes, each wired to its handler: the only place doing so."""
from __future__ import annotations

from common.bus import Subscription
from services.documents.contracts import SERVICE
from services.documents.handlers import read_models

SUBSCRIPTIONS = [
    Subscription(SERVICE, "directory", {
        "members.district.registered": read_models.keep_district,
        "members.district.updated": read_models.keep_district,
        "members.union.registered": read_models.keep_union,
        "members.union.updated": read_models.keep_union,
    }),
    Subscription(SERVICE, "notices", {
        "enrollment.cover_year.configured": read_models.keep_cover_year,
        "enrollment.submission.submitted": read_models.notice_when_submission_submitted,
        "enrollment.submission.returned": read_models.forget_returned_submission,
        "billing.submission.priced": read_models.notice_when_submission_priced,
        "enrollment.batch.submitted": read_models.notice_when_batch_submitted,
        "billing.batch.priced": read_models.notice_when_batch_priced,
    }),
]
