"""Bank-statement matching (银行流水对账): each line of the centre's bank statement is matched to
a batch — by the batch number in the memo first, then by payer (the district) and the exact
amount still due. Every line that cannot be matched keeps a reason code, in the manner of
openIMIS's payment-matching rejection codes. Pure."""
from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date

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
    "DUPLICATE_LINE": "此笔流水已在此前导入的银行流水中匹配过，不再重复计入",
}

LineKey = tuple[date, str, int, str]  # paid on, payer, amount, memo


@dataclass(frozen=True)
class Line:
    row: int
    paid_on: date
    payer: str
    amount_fen: int
    memo: str


    @property
    def key(self) -> LineKey:
        """What makes a line the same line when a statement is imported again."""
        return (self.paid_on, self.payer.strip(), self.amount_fen, self.memo.strip())


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
    row: int
    batch_id: int | None
    reason_code: str

    @property
    def matched(self) -> bool:
        return self.batch_id is not None

    @property
    def reason(self) -> str:
        return REASONS[self.reason_code]


def match_line(line: Line, batches: list[OpenBatch], taken: AbstractSet[int] = frozenset()) -> Match:
    if line.amount_fen <= 0:
        return Match(line.row, None, "NOT_A_CREDIT")
    numbers = {m.upper() for m in BATCH_NO.findall(line.memo or "")}
    if numbers:
        named = [b for b in batches if b.batch_no in numbers]
        if len(named) == 1:
            if named[0].written_off:
                return Match(line.row, None, "BATCH_WRITTEN_OFF")
            return Match(line.row, named[0].batch_id, "MATCHED_BY_BATCH_NO")
        if len(named) > 1:
            return Match(line.row, None, "AMBIGUOUS")
        # an unknown number: try the payer and amount before giving up
    payer = (line.payer or "").strip()
    of_payer = [b for b in batches if b.district_name == payer]
    if not of_payer:
        return Match(line.row, None, "BATCH_NOT_FOUND" if numbers else "PAYER_UNKNOWN")
    same = [b for b in of_payer if not b.written_off and b.batch_id not in taken
            and b.outstanding_fen == line.amount_fen]
    if len(same) == 1:
        return Match(line.row, same[0].batch_id, "MATCHED_BY_PAYER_AMOUNT")
    if len(same) > 1:
        return Match(line.row, None, "AMBIGUOUS")
    return Match(line.row, None, "BATCH_NOT_FOUND" if numbers else "NO_AMOUNT_MATCH")


def match_lines(lines: list[Line], batches: list[OpenBatch], already_matched: AbstractSet[LineKey] = frozenset()) -> list[Match]:
    """Match every line; a batch matched by amount is not offered to a later line again, and a
    line matched by an earlier import (same date, payer, amount and memo) is not counted twice."""
    results = []
    taken: set[int] = set()
    for line in lines:
        if line.key in already_matched:
            results.append(Match(line.row, None, "DUPLICATE_LINE"))
            continue
        result = match_line(line, batches, taken)
        if result.reason_code == "MATCHED_BY_PAYER_AMOUNT" and result.batch_id is not None:
            taken.add(result.batch_id)
        results.append(result)
    return results
