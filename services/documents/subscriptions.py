"""The events the documents service consumes, each wired to its handler: the only place doing so."""

from __future__ import annotations

from common.bus import Subscription
from services.documents.contracts import SERVICE
from services.documents.handlers import certificates, read_models

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
        "notices",
        {
            "enrollment.cover_year.configured": read_models.record_cover_year_when_configured,
            "enrollment.submission.submitted": read_models.record_submission_when_submitted,
            "enrollment.submission.returned": read_models.record_return_when_submission_returned,
            "billing.submission.priced": read_models.record_price_when_submission_priced,
            "enrollment.batch.submitted": read_models.record_batch_when_submitted,
            "billing.batch.priced": read_models.record_price_when_batch_priced,
        },
    ),
    Subscription(
        SERVICE,
        "certificates",
        {
            "enrollment.covers.recorded": certificates.record_covers_when_recorded,
            "enrollment.cover.granted": certificates.grant_covers_when_cover_granted,
            "enrollment.cover.failed": certificates.revoke_covers_when_cover_failed,
            "enrollment.submission.returned": certificates.revoke_covers_when_submission_returned,
        },
    ),
]
