"""This year against last year (本年度与上年度对比) for a union's centralised enrolment: who was
covered last year and is eligible again, who is new this year and why, who was covered last year
and is not eligible now and why (docs/decisions/0043-next-year-from-this-one.md). Pure rules.

"Covered last year" is a cover of the previous year enrolled by this union, pending or granted (a
failed cover was no cover). "This year" is the union's confirmation list (the eligibility rule)
plus whoever this union has covered this year already."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

AGAIN, NEW, GONE = "again", "new", "gone"
CATEGORIES = {
    AGAIN: "上年度参保、本年度可再参保",
    NEW: "本年度新增",
    GONE: "上年度参保、本年度不符合条件",
}
# why a member is new this year, in the order the rule tries them
NEW_REASONS = {
    "moved_in": "从其他工会转入",
    "new_member": "新入会会员",
    "new_card": "新办会员服务卡",
    "not_enrolled_last_year": "上年度未在本会参保",
}
# why a member covered last year is not eligible now, in the order the rule tries them
GONE_REASONS = {
    "left": "已转出",
    "moved_out": "已转至其他工会",
    "removed": "人口办剔除",
    "no_card": "无会员服务卡",
    "not_normal": "会员状态不是正常",
    "card_after_cutoff": "办卡日期晚于本年度办卡截止日",
    "covered_elsewhere": "本年度已由其他工会参保",
}


@dataclass(frozen=True)
class Move:
    """A member's newest move (members' events): joined, moved_in or left (with its reason)."""

    kind: str
    moved_on: date
    reason: str | None = None


@dataclass(frozen=True)
class PersonYears:
    """What the rule reads of one member for one union and two years."""

    union_id: int | None  # where the member is now
    status: str
    removed: bool
    card_number: str | None
    card_issued_on: date | None
    covered_last_year_here: bool
    covered_last_year_elsewhere: bool
    this_year_here: bool  # eligible on this union's list, or covered by it this year already
    covered_this_year_elsewhere: bool
    move: Move | None = None


def compare(person: PersonYears, union_id: int, last_cutoff: date | None, this_cutoff: date) -> tuple[str, str, str]:
    """(category, reason code, reason in words) of one member; reason empty for AGAIN."""
    if person.covered_last_year_here and person.this_year_here:
        return AGAIN, "", ""
    if person.this_year_here:
        code = _why_new(person, last_cutoff)
        return NEW, code, NEW_REASONS[code]
    if not person.covered_last_year_here:
        raise ValueError("neither covered last year nor on this year's list: not compared")
    code = _why_gone(person, union_id, this_cutoff)
    words = GONE_REASONS[code]
    if code == "left" and person.move is not None and person.move.kind == "left" and person.move.reason:
        words = f"{words}（{person.move.reason}）"
    return GONE, code, words


def _after(day: date | None, cutoff: date | None) -> bool:
    return day is not None and cutoff is not None and day > cutoff


def _why_new(person: PersonYears, last_cutoff: date | None) -> str:
    move = person.move
    if person.covered_last_year_elsewhere or (move and move.kind == "moved_in" and _after(move.moved_on, last_cutoff)):
        return "moved_in"
    if move and move.kind == "joined" and _after(move.moved_on, last_cutoff):
        return "new_member"
    if _after(person.card_issued_on, last_cutoff):
        return "new_card"
    return "not_enrolled_last_year"


def _why_gone(person: PersonYears, union_id: int, this_cutoff: date) -> str:
    if person.status == "left" or person.union_id is None:
        return "left"
    if person.union_id != union_id:
        return "moved_out"
    if person.removed:
        return "removed"
    if person.card_number is None or person.card_issued_on is None:
        return "no_card"
    if person.status != "normal":
        return "not_normal"
    if person.card_issued_on > this_cutoff:
        return "card_after_cutoff"
    return "covered_elsewhere"
