"""Billing's reads: the repository handlers ask instead of writing queries of their own (the read
models kept from other services' events, batches in scope, credit still available)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from common.identity import Identity, scoped
from services.billing.adapters.orm import Batch, CoverYearView, DistrictAccount, DistrictView, SettlementCredit
from services.billing.domain.timeline import pay_by as pay_by_rule


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


def pay_by(session, year: int, mode: str, submitted_on: date, centralised: str) -> date | None:
    """Decision 0018: the cover year's `centralised` deadline (grassroots_end for a union,
    payment_deadline for a district), or N days after an instant submission or batch."""
    timeline = cover_year(session, year)
    return pay_by_rule(
        mode,
        submitted_on,
        getattr(timeline, centralised) if timeline else None,
        timeline.instant_payment_days if timeline else None,
    )


def is_special(session, district_id: int) -> bool:
    district = session.get(DistrictView, district_id)
    return bool(district and district.special_industry)


def list_batches(
    session, who: Identity, cover_year: int | None = None, district_id: int | None = None, status: str | None = None
) -> list[Batch]:
    """Batches in the caller's scope (a district its own), oldest first; the centre may name a district."""
    query = scoped(select(Batch).order_by(Batch.batch_id), who, district=Batch.district_id)
    if who.role != "district" and district_id:
        query = query.where(Batch.district_id == district_id)
    if cover_year:
        query = query.where(Batch.cover_year == cover_year)
    if status:
        query = query.where(Batch.status == status)
    return list(session.scalars(query))


def district_names(session) -> dict[int, str]:
    return {d.district_id: d.name for d in session.scalars(select(DistrictView))}


def credit_available(session, district_id: int, year: int) -> int:
    """Credits designated for this year or earlier, less what batches have used."""
    total = (
        session.scalar(
            select(func.coalesce(func.sum(SettlementCredit.amount_fen), 0)).where(
                SettlementCredit.district_id == district_id, SettlementCredit.designated_year <= year
            )
        )
        or 0
    )
    account = session.get(DistrictAccount, district_id)
    return int(total) - (account.credit_used_fen if account else 0)


def locked_account(session, district_id: int) -> DistrictAccount:
    """The district's credit account, locked for this transaction (made when it has none yet)."""
    account = session.scalar(
        select(DistrictAccount).where(DistrictAccount.district_id == district_id).with_for_update()
    )
    if account is None:
        account = DistrictAccount(district_id=district_id, credit_used_fen=0, credit_version=0)
        session.add(account)
        session.flush()
    return account


def later_cover_years(session, from_year: int) -> set[int]:
    return set(session.scalars(select(CoverYearView.cover_year).where(CoverYearView.cover_year > from_year)))
