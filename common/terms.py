"""The money terms every notice, e-mail and workbook prints, each with one meaning (docs/terms.md).

Pure vocabulary: each term's words and the field (`*_fen`) that carries its amount in events and
APIs. The rules that compute the amounts stay with their owner (billing, decision 0015); this
module only says what each word means, so that one word never names two amounts. A service
labels a figure with `Term.name` (or the guide's screen wording in `Term.guide`, which means the
same amount) and never spells the words itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    name: str  # the term, as docs/terms.md defines it
    field: str  # the integer-fen field that carries it (events, APIs)
    guide: str  # the guide's screen wording for the same amount (confirmation and to-submit lists)

    def label(self, unit: str = "元") -> str:
        """A column or row heading: '参保资金总额（元）'."""
        return f"{self.name}（{unit}）"


PREMIUM = Term("参保资金总额", "premium_fen", "保障费用")
CITY_SUBSIDY = Term("市总统一划拨", "city_subsidy_fen", "市总统一划拨")
DISTRICT_SHARE = Term("区局（产业）工会承担", "district_share_fen", "区局/各级工会缴费")
GRASSROOTS_SHARE = Term("基层单位承担", "grassroots_share_fen", "基层单位缴费")
UNION_SHARE = Term("工会承担", "union_share_fen", "工会承担")
CREDIT = Term("抵扣", "credit_applied_fen", "抵扣")
DUE = Term("应缴", "due_fen", "应缴")

TERMS = (PREMIUM, CITY_SUBSIDY, DISTRICT_SHARE, GRASSROOTS_SHARE, UNION_SHARE, CREDIT, DUE)

# What a transfer carries in its 用途/附言 so billing can match it (the matching key).
MEMO = "用途/附言"


def batch_memo(batch_no: str) -> str:
    """A district's transfer for a batch carries the batch number: 'CB201912300001'."""
    return batch_no


def submission_memo(submission_id: int) -> str:
    """A grassroots union's transfer to its district carries its submission's number (提交编号)."""
    return f"提交编号{submission_id}"


# The cover types (保障类型, SPEC §3) in words: what each is called and what it pays. The 参保凭证
# prints them and its verification page shows them (docs/terms.md). The letter stands apart (A+ 类),
# as on every screen.
@dataclass(frozen=True)
class CoverType:
    code: str  # A | A+ | B | B+ (the `type` of events and APIs)
    name: str  # its name in words
    pays: str  # what it pays, in words


COVER_TYPES = {
    t.code: t
    for t in (
        CoverType("A", "A 类会员专享基本保障", "4 种重大疾病（含原位癌）保障 10,000 元；意外全残或身故保障 30,000 元"),
        CoverType("A+", "A+ 类会员专享基本保障", "A 类保障，另加住院津贴每天 60 元，最高 10,800 元"),
        CoverType(
            "B",
            "B 类会员专享基本保障",
            "22 种重大疾病（含原位癌）保障 20,000 元；意外全残或身故保障 30,000 元；疾病身故保障 10,000 元",
        ),
        CoverType("B+", "B+ 类会员专享基本保障", "B 类保障，另加住院津贴每天 60 元，最高 10,800 元"),
    )
}

# What each type pays, by its code: 我的会员卡与保障 (decision 0041) reads the same words.
COVER_BENEFITS = {code: t.pays for code, t in COVER_TYPES.items()}
