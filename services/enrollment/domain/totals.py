"""Totals (合计) of amounts billing priced: sums of billing's figures for submissions, never a
computation of our own (a preview before submission is billing's quote, POST /billing/quotes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PARTS = ("premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen")


@dataclass(frozen=True)
class Totals:
    """保障费用 / 市总统一划拨 / 区局及各级工会缴费 / 基层单位缴费, in fen."""

    headcount: int = 0
    premium_fen: int = 0
    city_subsidy_fen: int = 0
    district_share_fen: int = 0
    grassroots_share_fen: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.headcount + other.headcount, *(getattr(self, p) + getattr(other, p) for p in PARTS))

    def as_dict(self) -> dict[str, Any]:
        return {"headcount": self.headcount, **{p: getattr(self, p) for p in PARTS}}
