"""What the documents service publishes (see docs/events.md): event names and payload builders."""

from __future__ import annotations

from datetime import UTC

from common.clock import SHANGHAI

SERVICE = "documents"
DOCUMENT_READY = "documents.document.ready"
DOCUMENT_WITHDRAWN = "documents.document.withdrawn"


def document_data(doc, about: str = "") -> dict:
    """`subject` says what caused it for programs (submission:12, batch:3); `about` says it in words
    for people (批次 CB201912300001（某区总工会）)."""
    return {
        "document_id": doc.id,
        "kind": doc.kind,
        "version": doc.version,
        "union_id": doc.union_id,
        "district_id": doc.district_id,
        "cover_year": doc.cover_year,
        "subject": doc.subject,
        "filename": doc.filename,
        "media_type": doc.media_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "about": about,
    }


def withdrawn_data(doc, about: str, current) -> dict:
    """documents.document.withdrawn: a version no longer counts (its submission was returned), why,
    and the version of its series that counts now (`current_version` null: none)."""
    return {
        **document_data(doc, about),
        "reason": doc.withdrawn_reason,
        "withdrawn_at": doc.withdrawn_at.replace(tzinfo=UTC).astimezone(SHANGHAI).isoformat(),
        "current_version": current.version if current is not None else None,
        "current_document_id": current.id if current is not None else None,
    }
