"""What the enrollment service publishes (docs/events.md): event names and payload builders.
Imports no handlers; subscriptions.py wires the events it consumes."""

from __future__ import annotations

from datetime import datetime

from common import clock

SERVICE = "enrollment"
# enrollment's consumer of member events: its queue is what adapters/member_lag.py watches
MEMBERS_CONSUMER = "members"

COVER_YEAR_CONFIGURED = "enrollment.cover_year.configured"
SUBMISSION_SUBMITTED = "enrollment.submission.submitted"
SUBMISSION_RETURNED = "enrollment.submission.returned"
SUBMISSION_STAGED = "enrollment.submission.staged"
SUBMISSION_UNSTAGED = "enrollment.submission.unstaged"
BATCH_SUBMITTED = "enrollment.batch.submitted"
COVER_GRANTED = "enrollment.cover.granted"
COVER_FAILED = "enrollment.cover.failed"
COVER_REQUEST_CHANGED = "enrollment.cover_request.changed"  # 个人参保申请 (decision 0045)
# the people a submission covers, in parts of at most COVERS_PER_EVENT (documents' 参保凭证)
COVERS_RECORDED = "enrollment.covers.recorded"
COVERS_PER_EVENT = 1000

# Schema of enrollment.cover_year.configured (the envelope's `schema_version`, docs/events.md): 2
# makes `instant_payment_days` required — enrollment owns that default, consumers read it from here.
COVER_YEAR_VERSION = 2


def aware(value: datetime | None) -> datetime | None:
    """A stored naive-UTC timestamp as Asia/Shanghai time."""
    return clock.shanghai(value)


def submission_data(sub, union_headcount_total: int) -> dict:
    return {
        "submission_id": sub.id,
        "union_id": sub.union_id,
        "district_id": sub.district_id,
        "cover_year": sub.cover_year,
        "type": sub.type,
        "mode": sub.mode,
        "kind": sub.kind,
        "counts": dict(sub.counts),
        "headcount": sub.headcount,
        "union_headcount_total": union_headcount_total,
        "submitted_at": aware(sub.submitted_at).isoformat(),
        "sequence": sub.sequence,
    }


def returned_data(sub) -> dict:
    """enrollment.submission.returned: which submission no longer counts, why, and when (documents
    withdraws its notice at once and reissues the union's notice without it)."""
    return {
        "submission_id": sub.id,
        "union_id": sub.union_id,
        "district_id": sub.district_id,
        "cover_year": sub.cover_year,
        "mode": sub.mode,
        "sequence": sub.sequence,
        "headcount": sub.headcount,
        "reason": sub.return_reason,
        "returned_at": aware(sub.returned_at).isoformat(),
    }


def batch_data(batch, submissions) -> dict:
    return {
        "batch_id": batch.id,
        "batch_no": batch.batch_no,
        "district_id": batch.district_id,
        "cover_year": batch.cover_year,
        "mode": batch.mode,
        "submitted_at": aware(batch.submitted_at).isoformat(),
        "handler": {"name": batch.handler_name, "phone": batch.handler_phone, "email": batch.handler_email},
        "submissions": [
            {
                "submission_id": s.id,
                "union_id": s.union_id,
                "type": s.type,
                "headcount": s.headcount,
                "counts": dict(s.counts),
            }
            for s in submissions
        ],
        "headcount_by_type": dict(batch.headcount_by_type),
        "headcount": batch.headcount,
    }


def covers_data(sub, covers, part: int, parts: int) -> dict:
    """enrollment.covers.recorded: one part of the people a submission covers, each with the dates
    of their cover, in the same transaction as enrollment.submission.submitted. Their state follows
    the submission's: returned (enrollment.submission.returned), failed or granted with its batch
    (enrollment.cover.failed / .granted)."""
    return {
        "submission_id": sub.id,
        "union_id": sub.union_id,
        "district_id": sub.district_id,
        "cover_year": sub.cover_year,
        "type": sub.type,
        "mode": sub.mode,
        "part": part,
        "parts": parts,
        "covers": [
            {
                "member_id": c.member_id,
                "name": c.name,
                "cover_start": c.cover_start.isoformat(),
                "cover_end": c.cover_end.isoformat(),
            }
            for c in covers
        ],
    }
