"""Pricing (计费): what a submission or a batch costs and who owes what. Pure rules, integer fen.

- A grassroots union owes its district its grassroots share of each submission (基层单位缴费).
- A district owes the centre, per batch, the union share (premium − city subsidy) less the
  settlement credit (清算分配款) available to it, never below zero; unused credit carries
  forward to the next batch and year."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.billing.domain.split import Rate


@dataclass(frozen=True)
class Totals:
    """Headcount and money of a submission, a type within a batch, or a whole batch (fen)."""

    headcount: int = 0
    premium_fen: int = 0
    city_subsidy_fen: int = 0
    district_share_fen: int = 0
    grassroots_share_fen: int = 0

    @property
    def union_share_fen(self) -> int:
        return self.premium_fen - self.city_subsidy_fen

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.headcount + other.headcount,
            self.premium_fen + other.premium_fen,
            self.city_subsidy_fen + other.city_subsidy_fen,
            self.district_share_fen + other.district_share_fen,
            self.grassroots_share_fen + other.grassroots_share_fen,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "headcount": self.headcount,
            "premium_fen": self.premium_fen,
            "city_subsidy_fen": self.city_subsidy_fen,
            "district_share_fen": self.district_share_fen,
            "grassroots_share_fen": self.grassroots_share_fen,
            "union_share_fen": self.union_share_fen,
        }


def price_counts(counts: dict[str, int], rates: dict[str, Rate]) -> Totals:
    """Headcounts per price class × per-person rates. Raises KeyError for an unknown class."""
    total = Totals()
    for price_class, n in counts.items():
        if n < 0:
            raise ValueError("人数不能为负数")
        rate = rates[price_class]
        total = total + Totals(
            n,
            n * rate.premium_fen,
            n * rate.city_subsidy_fen,
            n * rate.district_share_fen,
            n * rate.grassroots_share_fen,
        )
    return total


@dataclass(frozen=True)
class BatchDue:
    union_share_fen: int
    credit_applied_fen: int
    due_fen: int
    credit_left_fen: int


def apply_credit(union_share_fen: int, credit_available_fen: int) -> BatchDue:
    """Settlement credit against a batch: never more than owed, never a negative amount due."""
    available = max(credit_available_fen, 0)
    applied = min(available, max(union_share_fen, 0))
    return BatchDue(union_share_fen, applied, union_share_fen - applied, available - applied)


@dataclass
class BatchPricing:
    by_type: dict[str, Totals] = field(default_factory=dict)

    def add(self, cover_type: str, totals: Totals) -> None:
        self.by_type[cover_type] = self.by_type.get(cover_type, Totals()) + totals

    @property
    def total(self) -> Totals:
        result = Totals()
        for totals in self.by_type.values():
            result = result + totals
        return result
