"""Steps the billing feature modules share: lookups in the read models kept from other services'
events (a cover year's timeline, whether a district is special) and writing a ledger line."""
from __future__ import annotations

from sqlalchemy import event, select

from common import clock
from common.db import insert_rows
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
SUBMISSION_COLUMNS = [c.name for c in PricedSubmission.__table__.columns]


def hold_row(session, table, row: dict) -> None:
    """A row written later in this transaction, together with the others of its table (COPY, see
    `insert_rows`): before the transaction commits, or before any ORM statement it runs, so a
    reader in the same transaction (a submission returned in the same consumer batch that priced
    it) still finds it. A consumer pricing 10,000 submissions builds no ORM object and flushes no
    unit of work per submission (issue 16)."""
    held = session.info.get("billing_held")
    if held is None:
        held = session.info["billing_held"] = {}
        if not session.info.get("billing_held_hooked"):
            session.info["billing_held_hooked"] = True
            event.listen(session, "before_commit", _write_held)
            event.listen(session, "do_orm_execute", lambda state: _write_held(state.session))
            event.listen(session, "after_soft_rollback", lambda s, _previous: s.info.pop("billing_held", None))
    held.setdefault(table, []).append(row)


def _write_held(session) -> None:
    held = session.info.pop("billing_held", None)
    for table, rows in (held or {}).items():
        insert_rows(session, table, rows)


def hold_priced_submission(session, **values) -> None:
    unknown = set(values) ^ set(SUBMISSION_COLUMNS)
    if unknown:
        raise TypeError(f"not exactly the submission columns: {sorted(unknown)}")
    hold_row(session, PricedSubmission.__table__, values)


def record_in_ledger(uow, by: str, **values) -> None:
    """One ledger line; `by` is the user, or the event that caused it. Held and written with the
    transaction's other lines (`hold_row`): a consumer pricing a batch of submissions does not
    insert and read back an id per line."""
    unknown = set(values) - set(LEDGER_COLUMNS)
    if unknown:
        raise TypeError(f"not ledger columns: {sorted(unknown)}")
    hold_row(uow.session, LedgerEntry.__table__,
             {**dict.fromkeys(LEDGER_COLUMNS), "at": clock.utcnow_naive(), "recorded_by": by[:120], **values})


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
        found |= {row["submission_id"] for row in
                  uow.session.info.get("billing_held", {}).get(PricedSubmission.__table__, [])}
        memo = uow.__dict__["_billing_priced"] = (asked, found)
    asked, found = memo
    if submission_id in found:
        return True
    found.add(submission_id)  # priced now, by the caller: a second event for it in this batch is a duplicate
    return False
