"""Looking at the union directory as the other services hold it (their read models and inboxes),
for the bus proofs that run the whole system."""

from __future__ import annotations

import json

from sqlalchemy import text

READERS = ("enrollment", "billing", "documents")


def union_views(system, union_id: int) -> dict:
    """service -> its union_view row (a dict) or None."""
    out = {}
    for service in READERS:
        with system.db(service).connect() as conn:
            row = (
                conn.execute(
                    text(
                        "SELECT name, district_id, contact_person, phone, version FROM union_view WHERE union_id = :u"
                    ),
                    {"u": union_id},
                )
                .mappings()
                .first()
            )
            out[service] = dict(row) if row else None
    return out


def district_known_everywhere(system, district_id: int) -> bool:
    for service in READERS:
        with system.db(service).connect() as conn:
            if (
                conn.execute(text("SELECT 1 FROM district_view WHERE district_id = :d"), {"d": district_id}).first()
                is None
            ):
                return False
    return True


def handled_everywhere(system, event_id: str) -> bool:
    """Every reader's directory consumer has recorded the event in its inbox."""
    for service in READERS:
        with system.db(service).connect() as conn:
            if (
                conn.execute(
                    text("SELECT 1 FROM inbox WHERE consumer = :c AND event_id = :e"),
                    {"c": f"{service}.directory", "e": event_id},
                ).first()
                is None
            ):
                return False
    return True


def members_outbox(system, event_type: str, union_id: int) -> list[dict]:
    """The members service's outbox rows of one union and type, oldest first, with sent_at."""
    with system.db("members").connect() as conn:
        rows = conn.execute(
            text("SELECT payload, sent_at FROM outbox WHERE type = :t ORDER BY id"), {"t": event_type}
        ).all()
    out = []
    for payload, sent_at in rows:
        envelope = json.loads(payload)
        if envelope["data"].get("union_id") == union_id:
            out.append({"envelope": envelope, "sent_at": sent_at})
    return out
