"""Header totals (合计): the per-person amounts billing published, times headcounts. No money
rules of our own: premium, city subsidy, district and grassroots shares come from billing."""
from __future__ import annotations

from dataclasses import dataclass

PARTS = ("premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen")


@dataclass(frozen=True)
class Totals:
    """保障费用 / 市总统一划拨 / 区局及各级工会缴费 / 基层单位缴费, in fen."""
    headcount: int = 0
    premium_fen: int = 0
    city_subsidy_fen: int = 0
    district_share_fen: int = 0
    grassroots_share_fen: int = 0

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(self.headcount + other.headcount,
                      *(getattr(self, p) + getattr(other, p) for p in PARTS))

    def as_dict(self) -> dict:
        return {"headcount": self.headcount, **{p: getattr(self, p) for p in PARTS}}


def totals_for(counts: dict[str, int], rates: dict[str, dict]) -> Totals | None:
    """Totals for headcounts per price class, given the per-person rate of each class; None when
    a class with people in it has no published rate yet (the page then says prices are pending)."""
    total = Totals()
    for price_class, n in counts.items():
        if not n:
            continue
        rate = rates.get(price_class)
        if rate is None:
            return None
        total = total + Totals(n, *(rate[p] * n for p in PARTS))
    return total
