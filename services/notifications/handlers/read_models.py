"""What the messages need of other services' facts: batches (their district and unions) and
the cover years' deadlines."""

from __future__ import annotations

from common.db import UoW
from common.facts import consumes
from common.readmodel import upsert_if_newer
from services.notifications.adapters.orm import BatchView, CoverYearView
from services.notifications.domain import facts


def record_batch(uow: UoW, batch: facts.BatchSubmitted) -> dict:
    """Keep a batch's district and unions (enrollment.batch.submitted), for billing's later events."""
    row = uow.session.get(BatchView, batch.batch_id)
    if row is None:
        row = BatchView(
            batch_id=batch.batch_id,
            batch_no=batch.batch_no,
            district_id=batch.district_id,
            cover_year=batch.cover_year,
            mode=batch.mode,
            union_ids=list(batch.union_ids),
        )
        uow.session.add(row)
        uow.session.flush()
    return batch_facts(row)


def batch_facts(row: BatchView) -> dict:
    return {
        "batch_id": row.batch_id,
        "batch_no": row.batch_no,
        "district_id": row.district_id,
        "cover_year": row.cover_year,
        "mode": row.mode,
        "union_ids": list(row.union_ids or []),
    }


@consumes
def record_cover_year_when_configured(uow: UoW, event: dict) -> None:
    """Keep a cover year's deadlines (enrollment.cover_year.configured), the newest version only."""
    year = facts.parse_cover_year(event["data"])
    upsert_if_newer(
        uow.session,
        CoverYearView,
        {"cover_year": year.cover_year},
        {"deadlines": year.deadlines, "version": year.version},
    )
