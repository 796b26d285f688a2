"""Bank-statement matching (银行流水对账): each line of the centre's bank statement is matched to
a batch — by the batch number in the memo first, then by payer (the district) and the exact
amount still due — or split across several (several batch numbers in the memo and the amount
their open total; or no number and the amount the total of all the payer's open batches;
domain/allocation.py). Every line that cannot be matched keeps a reason code, in the manner of
openIMIS's payment-matching rejection codes; an ambiguous one is left for the centre to allocate
by hand. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date

from services.billing.domain.allocation import split_by_numbers, split_over_open

BATCH_NO = re.compile(r"(?:CB|JB)\d{12}", re.IGNORECASE)

REASONS = {
    "MATCHED_BY_BATCH_NO": "按摘要中的批次编号匹配",
    "MATCHED_BY_PAYER_AMOUNT": "按付款单位与金额匹配",
    "BATCH_NOT_FOUND": "摘要中的批次编号不存在",
    "BATCH_WRITTEN_OFF": "该批次已核销",
    "PAYER_UNKNOWN": "付款单位不是已登记的区局（产业）工会，且摘要中没有批次编号",
    "NO_AMOUNT_MATCH": "该付款单位没有应缴金额与此金额相同的待核销批次",
    "AMBIGUOUS": "该付款单位有多个应缴金额相同的待核销批次，无法确定",
    "NOT_A_CREDIT": "金额须大于 0",
    "DUPLICATE_LINE": "已导入过：此笔流水在此前导入的银行流水中已有，不再重复计入",
    "SPLIT_BY_BATCH_NOS": "按摘要中的多个批次编号拆分到各批次（各批次未缴金额之和等于此金额）",
    "SPLIT_OPEN_BATCHES": "金额等于该付款单位全部待缴批次的未缴合计，拆分到各批次",
    "SPLIT_AMOUNT_MISMATCH": "摘要中有多个批次编号，但金额与这些批次的未缴合计不符：请手工分配",
    "SPLIT_WRITTEN_OFF": "摘要中所列批次有已核销的：请手工分配",
    "ALLOCATED_BY_HAND": "由市职保中心手工分配",
    "DATED_AFTER_TODAY": "到账日期晚于今天：请核对流水文件的日期列（年份或列是否错位），此笔未计入",
}


@dataclass(frozen=True)
class Line:
    """A credit line of a statement. `row`: its row in the file (or its entry, CAMT.053);
    `serial`: the bank's own serial when the export has one; `fingerprint`: what makes it the same
    line when a statement is imported again (domain/statement_fingerprint.py)."""

    row: int
    paid_on: date
    payer: str
    amount_fen: int
    memo: str
    serial: str = ""
    fingerprint: str = ""


@dataclass(frozen=True)
class OpenBatch:
    batch_id: int
    batch_no: str
    district_id: int
    district_name: str
    outstanding_fen: int
    written_off: bool


@dataclass(frozen=True)
class Match:
    """A line's outcome. `parts`: (batch_id, fen) for each batch it pays — one part when matched
    to one batch (the whole amount), several when split; empty when unmatched."""

    row: int
    batch_id: int | None
    reason_code: str
    parts: tuple[tuple[int, int], ...] = ()

    @property
    def matched(self) -> bool:
        return self.batch_id is not None

    @property
    def reason(self) -> str:
        return REASONS[self.reason_code]


class Batches:
    """The open batches, indexed once per statement (by number, by payer's name): a statement of
    10,000 lines must not look through every batch for every line."""

    def __init__(self, batches: list[OpenBatch]):
        self.by_no: dict[str, list[OpenBatch]] = {}
        self.by_payer: dict[str, list[OpenBatch]] = {}
        for b in batches:
            self.by_no.setdefault(b.batch_no, []).append(b)
            self.by_payer.setdefault(b.district_name, []).append(b)


def _one(line: Line, batch_id: int, code: str) -> Match:
    return Match(line.row, batch_id, code, ((batch_id, line.amount_fen),))


def _split(line: Line, parts: list[tuple[int, int]], code: str) -> Match:
    return Match(line.row, parts[0][0], code, tuple(parts))


def match_line(
    line: Line,
    batches: list[OpenBatch] | Batches,
    taken: AbstractSet[int] = frozenset(),
    outstanding: Mapping[int, int] | None = None,
) -> Match:
    """One line's match. `outstanding`: what each batch still owes now, when earlier lines of the
    statement paid some of it (else each batch's `outstanding_fen`)."""
    index = batches if isinstance(batches, Batches) else Batches(batches)

    def owed(b: OpenBatch) -> int:
        return outstanding.get(b.batch_id, b.outstanding_fen) if outstanding is not None else b.outstanding_fen

    if line.amount_fen <= 0:
        return Match(line.row, None, "NOT_A_CREDIT")
    numbers = {m.upper() for m in BATCH_NO.findall(line.memo or "")}
    if numbers:
        named = [b for n in sorted(numbers) for b in index.by_no.get(n, ())]
        if len(named) == 1:
            if named[0].written_off:
                return Match(line.row, None, "BATCH_WRITTEN_OFF")
            return _one(line, named[0].batch_id, "MATCHED_BY_BATCH_NO")
        if len(named) > 1:
            split = split_by_numbers(line.amount_fen, named, owed)
            if isinstance(split, str):
                return Match(line.row, None, split)
            return _split(line, split, "SPLIT_BY_BATCH_NOS")
        # an unknown number: try the payer and amount before giving up
    payer = (line.payer or "").strip()
    of_payer = index.by_payer.get(payer, []) if payer else []
    if not of_payer:
        return Match(line.row, None, "BATCH_NOT_FOUND" if numbers else "PAYER_UNKNOWN")
    same = [b for b in of_payer if not b.written_off and b.batch_id not in taken and owed(b) == line.amount_fen]
    if len(same) == 1:
        return _one(line, same[0].batch_id, "MATCHED_BY_PAYER_AMOUNT")
    if len(same) > 1:
        return Match(line.row, None, "AMBIGUOUS")
    split_open = split_over_open(line.amount_fen, [b for b in of_payer if b.batch_id not in taken], owed)
    if split_open:
        return _split(line, split_open, "SPLIT_OPEN_BATCHES")
    return Match(line.row, None, "BATCH_NOT_FOUND" if numbers else "NO_AMOUNT_MATCH")


def match_lines(
    lines: list[Line],
    batches: list[OpenBatch],
    seen_before: AbstractSet[str] = frozenset(),
    today: date | None = None,
) -> list[Match]:
    """Match every line; a batch matched by amount is not offered to a later line again, and a
    line whose fingerprint an earlier import already holds (`seen_before`) is 已导入过: listed,
    never matched again. A line dated after `today` is money not yet received (a misread date
    column, a wrong year): listed with its reason, never matched — 核销 would refuse its date."""
    index = Batches(batches)
    results = []
    taken: set[int] = set()
    outstanding = {b.batch_id: b.outstanding_fen for b in batches}
    for line in lines:
        if line.fingerprint and line.fingerprint in seen_before:
            results.append(Match(line.row, None, "DUPLICATE_LINE"))
            continue
        if today is not None and line.paid_on > today:
            results.append(Match(line.row, None, "DATED_AFTER_TODAY"))
            continue
        result = match_line(line, index, taken, outstanding)
        if result.reason_code in ("MATCHED_BY_PAYER_AMOUNT", "SPLIT_OPEN_BATCHES"):
            taken.update(batch_id for batch_id, _ in result.parts)
        for batch_id, fen in result.parts:
            outstanding[batch_id] -= fen
        results.append(result)
    return results
