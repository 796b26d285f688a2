"""Where a district's settlement credit still available against a year comes from (清算分配款 and
over-payments carried on): each credit designated for that year or earlier, less what batches
have used, the oldest designation first. Pure rules.

Batches draw on a pool (every credit designated for their year or earlier; billing keeps one
`credit_used_fen` per district), so which credit a batch used is not recorded; counting use
against the oldest designation first is the reading that never shows a credit as used before it
could be, and it makes what is left the newest money. A credit designated for an earlier year and
not used up is carried (结转) — said so, with the year it was meant for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.money import yuan


@dataclass(frozen=True)
class Credit:
    credit_id: int
    source_year: int
    designated_year: int
    amount_fen: int
    memo: str = ""
    source_batch_no: str | None = None  # an over-payment (多缴) of this batch


@dataclass(frozen=True)
class CreditLeft:
    credit: Credit
    used_fen: int
    left_fen: int
    carried: bool  # designated for an earlier year than the one asked about

    def source(self) -> str:
        c = self.credit
        what = (
            f"{c.source_year} 年度批次 {c.source_batch_no} 多缴"
            if c.source_batch_no
            else f"{c.source_year} 年度清算分配款"
        )
        return what + (f"（原指定 {c.designated_year} 年度抵扣，未用完结转）" if self.carried else "")

    def as_dict(self) -> dict[str, Any]:
        c = self.credit
        return {
            "credit_id": c.credit_id,
            "source_year": c.source_year,
            "designated_year": c.designated_year,
            "source_batch_no": c.source_batch_no,
            "amount_fen": c.amount_fen,
            "used_fen": self.used_fen,
            "left_fen": self.left_fen,
            "carried": self.carried,
            "source": self.source(),
            "said": f"{self.source()} {yuan(self.left_fen)} 元",
        }


def credits_left(recorded: list[Credit], used_fen: int, year: int) -> list[CreditLeft]:
    """Each credit usable in `year` with what is left of it (only those with something left)."""
    usable = sorted((c for c in recorded if c.designated_year <= year), key=lambda c: (c.designated_year, c.credit_id))
    out, to_count = [], max(used_fen, 0)
    for c in usable:
        used = min(c.amount_fen, to_count)
        to_count -= used
        if c.amount_fen - used > 0:
            out.append(CreditLeft(c, used, c.amount_fen - used, c.designated_year < year))
    return out
