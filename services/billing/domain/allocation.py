"""Money in pieces (分笔到账): how one bank line is split across batches, how the centre's own
allocation of a line is checked, and what a batch's arrived money says (short, over-paid) and
what 核销 must decide about an over-payment. Pure; amounts in fen.

Decision 0032 (docs/decisions/0032-payments-in-pieces.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar


class Payable(Protocol):
    @property
    def batch_id(self) -> int: ...
    @property
    def written_off(self) -> bool: ...
    @property
    def outstanding_fen(self) -> int: ...


P = TypeVar("P", bound=Payable)


def _owed(owes: Callable[[P], int] | None) -> Callable[[P], int]:
    return owes if owes is not None else (lambda b: b.outstanding_fen)


def split_by_numbers(
    amount_fen: int, named: Sequence[P], owes: Callable[[P], int] | None = None
) -> list[tuple[int, int]] | str:
    """A line naming several batches pays each what it still owes, when the amount is exactly
    their total; otherwise the reason code it is left for the centre (which part pays which
    batch cannot be guessed: a shortfall or excess on one of them would be made up)."""
    owed = _owed(owes)
    if any(b.written_off for b in named):
        return "SPLIT_WRITTEN_OFF"
    parts = [(b.batch_id, owed(b)) for b in named]
    if any(fen <= 0 for _, fen in parts) or sum(fen for _, fen in parts) != amount_fen:
        return "SPLIT_AMOUNT_MISMATCH"
    return parts


def split_over_open(
    amount_fen: int, of_payer: Sequence[P], owes: Callable[[P], int] | None = None
) -> list[tuple[int, int]] | None:
    """A line without a batch number whose amount is the total still owed on all the payer's
    open batches (two or more) pays each of them in full; None otherwise — a subset that sums
    to the amount is never searched for (several could, and none is more likely)."""
    owed = _owed(owes)
    open_ = [(b.batch_id, owed(b)) for b in of_payer if not b.written_off and owed(b) > 0]
    if len(open_) < 2 or sum(fen for _, fen in open_) != amount_fen:
        return None
    return sorted(open_)


class AllocationRejected(ValueError):
    def __init__(self, message: str, code: str, field: str = "parts"):
        super().__init__(message)
        self.code, self.field = code, field


MAX_PARTS = 50


def check_allocation(amount_fen: int, parts: Sequence[tuple[int, int]], open_ids: set[int]) -> list[tuple[int, int]]:
    """The centre allocates a line by hand: one or more batches, each a positive amount, each batch
    once and open (not written off), the amounts summing to the line's to the fen."""
    if not parts:
        raise AllocationRejected("请至少选择一个批次", "ALLOCATION_EMPTY")
    if len(parts) > MAX_PARTS:
        raise AllocationRejected(f"一笔流水最多分配到 {MAX_PARTS} 个批次", "ALLOCATION_TOO_MANY")
    ids = [batch_id for batch_id, _ in parts]
    if len(set(ids)) != len(ids):
        raise AllocationRejected("同一批次只能出现一次", "ALLOCATION_BATCH_TWICE")
    if any(fen <= 0 for _, fen in parts):
        raise AllocationRejected("分配金额须大于 0", "ALLOCATION_AMOUNT")
    closed = [batch_id for batch_id in ids if batch_id not in open_ids]
    if closed:
        raise AllocationRejected("所选批次不存在或已核销，不能再分配到账金额", "ALLOCATION_BATCH_CLOSED")
    total = sum(fen for _, fen in parts)
    if total != amount_fen:
        raise AllocationRejected(
            f"各批次分配金额之和（{total / 100:.2f} 元）须等于流水金额（{amount_fen / 100:.2f} 元）",
            "ALLOCATION_SUM",
        )
    return list(parts)


# ------------------------------------------------------------------ what arrived, at 核销

OVERPAYMENT_CHOICES = {"credit": "转为下一年度抵扣款", "refund": "已退还区局"}


@dataclass(frozen=True)
class Arrived:
    due_fen: int
    arrived_fen: int

    @property
    def short_fen(self) -> int:
        """Still to pay (never negative)."""
        return max(0, self.due_fen - self.arrived_fen)

    @property
    def overpaid_fen(self) -> int:
        """多缴: arrived beyond what is due (never negative)."""
        return max(0, self.arrived_fen - self.due_fen)


def overpayment_choice(due_fen: int, received_fen: int, choice: str | None) -> str | None:
    """At 核销 an over-payment must be given a fate — the district's credit for the next year or
    refunded — never silently kept; with none over-paid there is nothing to choose (a choice
    given is ignored). Raises AllocationRejected when the choice is missing or unknown."""
    over = Arrived(due_fen, received_fen).overpaid_fen
    if over == 0:
        return None
    if not choice:
        raise AllocationRejected(
            f"到账金额比应缴多 {over / 100:.2f} 元（多缴）：请选择转为下一年度抵扣款，或登记为已退还",
            "OVERPAYMENT_CHOICE_REQUIRED",
            "overpayment",
        )
    if choice not in OVERPAYMENT_CHOICES:
        raise AllocationRejected(
            "多缴处理方式只能是转为抵扣款（credit）或已退还（refund）", "OVERPAYMENT_CHOICE", "overpayment"
        )
    return choice


class BatchMoney(Protocol):
    """What a batch says about its money (billing's Batch row)."""

    @property
    def due_fen(self) -> int: ...
    @property
    def received_fen(self) -> int | None: ...
    @property
    def bank_matched_fen(self) -> int: ...
    @property
    def written_off_at(self) -> datetime | None: ...
    @property
    def overpaid_fen(self) -> int: ...
    @property
    def overpaid_choice(self) -> str | None: ...


def money_received_fen(batch: BatchMoney) -> int:
    """已缴: money that arrived — received at write-off, else matched on bank statements; never
    what a voucher declares (that is 已上传凭证金额, the batch's `paid_fen`)."""
    return batch.received_fen if batch.received_fen is not None else (batch.bank_matched_fen or 0)


def arrived(batch: BatchMoney) -> Arrived:
    return Arrived(batch.due_fen, money_received_fen(batch))


def overpaid_fen(batch: BatchMoney) -> int:
    """多缴: what arrived beyond what is due (recorded at 核销, else as the bank lines say now)."""
    return (batch.overpaid_fen or 0) if batch.written_off_at is not None else arrived(batch).overpaid_fen


def overpaid_text(batch: BatchMoney) -> str | None:
    """多缴 in words, with its fate once written off."""
    over = overpaid_fen(batch)
    if not over:
        return None
    fate = {"credit": "，已转为下一年度抵扣款", "refund": "，已退还"}.get(batch.overpaid_choice or "", "")
    return f"多缴 {over / 100:.2f} 元{fate}"
