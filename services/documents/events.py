"""Integration events the documents service consumes and publishes (see docs/events.md)."""
from __future__ import annotations

from common.bus import Subscription
from services.documents import handlers

SERVICE = "documents"
DOCUMENT_READY = "documents.document.ready"


def document_data(doc) -> dict:
    return {"document_id": doc.id, "kind": doc.kind, "version": doc.version, "union_id": doc.union_id,
            "district_id": doc.district_id, "cover_year": doc.cover_year, "subject": doc.subject,
            "filename": doc.filename, "media_type": doc.media_type, "size": doc.size, "sha256": doc.sha256}


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
