"""Per-person rates from billing's read model, as the enrollment handlers price a headcount."""
from __future__ import annotations

from sqlalchemy import select

from services.enrollment.adapters.orm import RateView
from services.enrollment.domain.totals import Totals, totals_for


RATE_PARTS = ("premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen")


class RateCache:
    """Per-person rates of billing's read model, loaded once per (year, district): per price
    class, the union's own override wins over the district default (union_id 0)."""

    def __init__(self, session):
        self.session = session
        self._by_district: dict[tuple, dict] = {}

    def rates(self, cover_year: int, district_id: int, union_id: int, type_: str) -> dict[str, dict]:
        key = (cover_year, district_id)
        if key not in self._by_district:
            table: dict[tuple, dict] = {}
            for r in self.session.scalars(select(RateView).where(RateView.cover_year == cover_year,
                                                                 RateView.district_id == district_id)):
                table.setdefault((r.union_id, r.type), {})[r.price_class] = {p: getattr(r, p) for p in RATE_PARTS}
            self._by_district[key] = table
        table = self._by_district[key]
        return {**table.get((0, type_), {}), **table.get((union_id, type_), {})}

    def totals(self, cover_year, district_id, union_id, type_, counts) -> Totals | None:
        return totals_for(counts, self.rates(cover_year, district_id, union_id, type_))
