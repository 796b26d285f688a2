"""Steps the billing feature modules share: lookups in the read models kept from other services'
events (a cover year's timeline, whether a district is special) and writing a ledger line."""
from __future__ import annotations

from common import clock
from services.billing.adapters.orm import CoverYearView, DistrictView, LedgerEntry


def cover_year(session, year: int) -> CoverYearView | None:
    return session.get(CoverYearView, year)


def is_special(session, district_id: int) -> bool:
    district = session.get(DistrictView, district_id)
    return bool(district and district.special_industry)


def record_in_ledger(uow, by: str, **values) -> None:
    """One ledger line; `by` is the user, or the event that caused it."""
    uow.session.add(LedgerEntry(at=clock.utcnow_naive(), recorded_by=by[:120], **values))


def by_event(event: dict) -> str:
    return f"{event.get('type', '')} {event.get('id', '')}"
