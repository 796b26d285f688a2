"""The rates billing prices with: a cover year's price table, the splits in force, and the
per-person rates they give each union (domain/split.rate_for) — read once per district for a
consumer's whole batch of deliveries (a batch can hold 10,000 unions' submissions)."""

from __future__ import annotations

from sqlalchemy import select

from common.bus import PermanentFailure
from common.errors import NotFound
from services.billing.adapters.orm import PriceEntry, PriceTableRow, Split
from services.billing.adapters.queries import is_special
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES, Price
from services.billing.domain.split import Rate, Shares, rate_for


def load_price_table(session, year: int) -> dict[tuple[str, str], Price] | None:
    """The centre's price table for a year ((type, price class) → price); None while not set."""
    if session.get(PriceTableRow, year) is None:
        return None
    rows = session.scalars(select(PriceEntry).where(PriceEntry.cover_year == year))
    return {
        (r.cover_type, r.price_class): Price(r.premium_fen, r.city_subsidy_fen, r.special_city_subsidy_fen)
        for r in rows
    }


def _shares(session, year: int, district_id: int, union_id: int | None) -> dict[str, Shares]:
    """The effective shares per type: the union's override where set, else the district default."""
    rows = session.scalars(
        select(Split).where(
            Split.cover_year == year, Split.district_id == district_id, Split.union_id.in_([0, union_id or 0])
        )
    )
    found: dict[str, tuple[int, Shares]] = {}
    for r in rows:
        if r.cover_type not in found or r.union_id != 0:
            found[r.cover_type] = (r.union_id, Shares(r.district_fen, r.grassroots_fen))
    return {t: s for t, (_, s) in found.items()}


class DistrictRates:
    """Every rate of one district and year, loaded with three queries, for pricing a whole batch
    (a district's batch can hold 10,000 unions' submissions)."""

    def __init__(self, session, year: int, district_id: int, table: dict):
        self.table = table
        self.special = is_special(session, district_id)
        self.default: dict[str, Shares] = {}
        self.overrides: dict[int, dict[str, Shares]] = {}
        for r in session.scalars(select(Split).where(Split.cover_year == year, Split.district_id == district_id)):
            target = self.default if r.union_id == 0 else self.overrides.setdefault(r.union_id, {})
            target[r.cover_type] = Shares(r.district_fen, r.grassroots_fen)
        self._cache: dict[int, dict[str, dict[str, Rate]]] = {}

    def for_union(self, union_id: int) -> dict[str, dict[str, Rate]]:
        key = union_id if union_id in self.overrides else 0
        if key not in self._cache:
            shares = {**self.default, **self.overrides.get(key, {})}
            self._cache[key] = {
                t: {
                    c: rate_for(self.table[(t, c)], self.table[(t, "centralised")], self.special, shares.get(t))
                    for c in PRICE_CLASSES
                }
                for t in COVER_TYPES
            }
        return self._cache[key]


def rates_of_district(uow, year: int, district_id: int) -> DistrictRates:
    """Rates for consumed events, memoised on the unit of work: a consumer prices a whole batch of
    deliveries in one transaction, in which prices and splits do not change."""
    memo = uow.memo.setdefault("billing_rates", {})
    if (year, district_id) not in memo:
        table = load_price_table(uow.session, year)
        if table is None:
            raise PermanentFailure(f"no price table for {year}: set it, then replay from the dead-letter queue")
        memo[(year, district_id)] = DistrictRates(uow.session, year, district_id, table)
    return memo[(year, district_id)]


def effective_rates(
    session, year: int, district_id: int, union_id: int | None, table: dict | None = None
) -> dict[str, dict[str, Rate]]:
    table = table if table is not None else load_price_table(session, year)
    if table is None:
        raise NotFound(f"{year} 年度的价格表尚未设置", code="PRICES_NOT_SET")
    special = is_special(session, district_id)
    shares = _shares(session, year, district_id, union_id)
    return {
        t: {c: rate_for(table[(t, c)], table[(t, "centralised")], special, shares.get(t)) for c in PRICE_CLASSES}
        for t in COVER_TYPES
    }
