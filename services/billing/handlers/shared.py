"""Steps the billing feature modules share: lookups in the read models kept from other services'
events (a cover year's timeline, whether a district is special) and writing a ledger line."""
from __future__ import annotations

from sqlalchemy import event, insert, select

from common import clock
from services.billing.adapters.orm import CoverYearView, DistrictView, LedgerEntry, PricedSubmission

SUBMITTED = "enrollment.submission.submitted"


def cover_year(session, year: int) -> CoverYearView | None:
    """Held for the session (the identity map alone holds it weakly, so a consumer pricing a batch
    of deliveries would read it again for each): a cover year's row, once per transaction."""
    held = session.info.setdefault("billing_cover_years", {})
    if year not in held:
        found = session.get(CoverYearView, year)
        if found is None:
            return None
        held[year] = found
    return held[year]


def is_special(session, district_id: int) -> bool:
    district = session.get(DistrictView, district_id)
    return bool(district and district.special_industry)


LEDGER_COLUMNS = [c.name for c in LedgerEntry.__table__.columns if c.name != "id"]


def record_in_ledger(uow, by: str, **values) -> None:
    """One ledger line; `by` is the user, or the event that caused it. The lines of a transaction
    are written together when it commits (one multi-row INSERT, as the outbox's events): a
    consumer pricing a batch of submissions does not insert and read back an id per line. Nothing
    reads the ledger in the transaction that writes it (the ledger's readers are the reports)."""
    session = uow.session
    pending = session.info.get("billing_ledger")
    if pending is None:
        pending = session.info["billing_ledger"] = []
        if not session.info.get("billing_ledger_hooked"):
            session.info["billing_ledger_hooked"] = True
            event.listen(session, "before_commit", _write_ledger)
            event.listen(session, "after_soft_rollback", lambda s, _previous: s.info.pop("billing_ledger", None))
    unknown = set(values) - set(LEDGER_COLUMNS)
    if unknown:
        raise TypeError(f"not ledger columns: {sorted(unknown)}")
    pending.append({**dict.fromkeys(LEDGER_COLUMNS), "at": clock.utcnow_naive(), "recorded_by": by[:120], **values})


def _write_ledger(session) -> None:
    rows = session.info.pop("billing_ledger", None)
    if rows:
        session.execute(insert(LedgerEntry.__table__), rows)


def by_event(event: dict) -> str:
    return f"{event.get('type', '')} {event.get('id', '')}"


def already_priced(uow, submission_id: int) -> bool:
    """Whether billing holds this submission already (an event sent twice under another id). A
    consumer applies a batch of deliveries in one transaction: the submissions of the whole
    batch are looked up in one query, not one query each (issue 16: pricing 10,000 submissions)."""
    memo = uow.__dict__.get("_billing_priced")
    if memo is None or submission_id not in memo[0]:
        asked = {submission_id} | {int(e["data"]["submission_id"]) for e in getattr(uow, "batch", [])
                                   if e.get("type") == SUBMITTED and "submission_id" in e.get("data", {})}
        with uow.session.no_autoflush:  # what this batch added is flushed at commit, together
            found = set(uow.session.scalars(select(PricedSubmission.submission_id)
                                            .where(PricedSubmission.submission_id.in_(asked))))
        found |= {o.submission_id for o in uow.session.new if isinstance(o, PricedSubmission)}
        memo = uow.__dict__["_billing_priced"] = (asked, found)
    asked, found = memo
    if submission_id in found:
        return True
    found.add(submission_id)  # priced now, by the caller: a second event for it in this batch is a duplicate
    return False
