"""What the messages need of other services' facts: batches (their district and unions) and
the cover years' deadlines."""

from __future__ import annotations

from common.db import UoW
from common.readmodel import upsert_if_newer
from services.notifications.adapters.orm import BatchView, CoverYearView

DEADLINE_FIELDS = {
    "grassroots_end": ("grassroots_window", 1),
    "district_submit_end": ("district_submit_window", 1),
    "split_end": ("split_window", 1),
    "card_cutoff": ("card_cutoff", None),
    "payment_deadline": ("payment_deadline", None),
    "claims_deadline": ("claims_deadline", None),
}


def record_batch(uow: UoW, data: dict) -> dict:
    union_ids = sorted({s["union_id"] for s in data.get("submissions", [])})
    row = uow.session.get(BatchView, data["batch_id"])
    if row is None:
        row = BatchView(
            batch_id=data["batch_id"],
            batch_no=data["batch_no"],
            district_id=data["district_id"],
            cover_year=data["cover_year"],
            mode=data["mode"],
            union_ids=union_ids,
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


def record_cover_year_when_configured(uow: UoW, event: dict) -> None:
    d = event["data"]
    deadlines = {}
    for key, (name, index) in DEADLINE_FIELDS.items():
        value = d[name]
        deadlines[key] = value[index] if index is not None else value
    upsert_if_newer(
        uow.session, CoverYearView, {"cover_year": d["cover_year"]}, {"deadlines": deadlines, "version": d["version"]}
    )
