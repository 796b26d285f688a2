"""Enrolment rules (参保): cover types, who is eligible, cover periods and price classes,
submission states, batch numbers and the handler's contact. Pure rules, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from common.errors import Conflict, ValidationFailed
from services.enrollment.domain.timeline import CoverYear

COVER_TYPES = ("A", "A+", "B", "B+")  # 保障类型
MODES = ("centralised", "instant")  # 集中参保 / 即时参保
INSTANT_KINDS = ("no_cover", "new_card")  # 有卡无保人员 / 新办卡人员

# Price classes, as billing publishes rates for them.
CENTRALISED = "centralised"
FIRST_HALF = "instant_first_half"
SECOND_HALF = "instant_second_half"

# Submission states (参保提交状态) and what a clerk reads.
SUBMISSION_STATES = {
    "submitted": "待区局审核",
    "returned": "已退回",
    "staged": "待提交市职保中心",
    "in_batch": "已提交市职保中心",
    "paid": "已核销",
    "failed": "逾期未缴费，参保失败",
}
# Batch states (参保批次状态), following billing's `payment_status` (billing owns it; its names are
# billing's domain/payment_status.py, which the pages show): `submitted` being billing's
# awaiting_payment and `failed` its overdue. A batch shows the words billing's events carry
# (`payment_status_text`); these stand in only before billing said any (a batch just submitted,
# events from before the words). `part_paid`/`paid` (money arrived) come with billing's words only.
BATCH_STATES = {
    "submitted": "待缴费",
    "voucher_uploaded": "凭证已上传",
    "feedback_given": "职保中心已反馈",
    "written_off": "已核销",
    "failed": "逾期未缴费，参保失败",
}
BATCH_STATUS_CODES = (*BATCH_STATES, "part_paid", "paid")
# A cover (one member's enrolment in a cover year). Only `pending` and `granted` hold the
# member's place for the year; the database enforces one such cover per member per year.
ACTIVE_COVER_STATES = ("pending", "granted")

# What a clerk reads when a member cannot be enrolled. Another union's member is "unknown" to this
# union, word for word like an id that does not exist: the answer must not tell them apart.
NOT_ELIGIBLE = {
    "unknown": "未查到该会员信息",
    "not_normal": "该会员状态不是正常（待审核或已转出）",
    "removed": "该会员已被人口办剔除",
    "no_card": "该会员未办理会员服务卡",
    "card_after_cutoff": "该会员在办卡截止日之后办卡，不能参加集中参保，请办理新办卡人员即时参保",
    "card_before_cutoff": "该会员在办卡截止日之前已办卡，请办理有卡无保人员即时参保",
    "card_not_yet_valid": "该会员的办卡日期晚于今天或晚于本保障年度，不能即时参保",
    "year_over": "本保障年度剩余保障期不足，不能再办理即时参保",
    "already_covered": "该会员本保障年度已参保",
}


@dataclass(frozen=True)
class MemberFacts:
    """What enrollment knows of a member (from members' snapshot events)."""

    member_id: int
    union_id: int | None
    status: str
    removed: bool
    card_number: str | None
    card_issued_on: date | None
    card_recorded_on: date | None  # Asia/Shanghai day the card number was recorded


def ineligibility(
    member: MemberFacts | None,
    union_id: int,
    year: CoverYear,
    mode: str,
    kind: str | None,
    covered: bool,
    today: date | None = None,
) -> str | None:
    """Why this member cannot be enrolled by this union on `today` (a key of NOT_ELIGIBLE), or None.
    Used when a union names its members (submissions); the same rule as SQL, for whole lists, is
    adapters/eligibility_sql.py `eligible_members`, and tests/services/enrollment/
    test_eligibility_property.py holds the two to each other."""
    if member is None or member.union_id != union_id:
        return "unknown"  # another union's member is not told apart from a missing one
    if member.status != "normal":
        return "not_normal"
    if member.removed:
        return "removed"
    if not member.card_number or member.card_issued_on is None:
        return "no_card"
    if mode == "centralised" and member.card_issued_on > year.card_cutoff:
        return "card_after_cutoff"
    if mode == "instant" and kind == "new_card" and member.card_issued_on <= year.card_cutoff:
        return "card_before_cutoff"
    if mode == "instant" and kind == "no_cover" and member.card_issued_on > year.card_cutoff:
        return "card_after_cutoff"
    if mode == "instant" and member.card_issued_on > min(today or year.cover_end, year.cover_end):
        return "card_not_yet_valid"
    if (
        mode == "instant"
        and today is not None
        and instant_terms(year, kind, today, member.card_recorded_on or member.card_issued_on).cover_start
        > year.cover_end
    ):
        return "year_over"
    if covered:
        return "already_covered"
    return None


@dataclass(frozen=True)
class CoverTerms:
    """起保日期, 终保日期 and the price class (全年 / 半年) of one enrolment."""

    cover_start: date
    cover_end: date
    price_class: str

    @property
    def half_or_full(self) -> str:
        return "半年" if self.price_class == SECOND_HALF else "全年"


def centralised_terms(year: CoverYear) -> CoverTerms:
    """集中参保: the whole cover year at the full price."""
    return CoverTerms(year.cover_start, year.cover_end, CENTRALISED)


def instant_terms(year: CoverYear, kind: str | None, processed_on: date, card_recorded_on: date | None) -> CoverTerms:
    """即时参保: cover from the day after the card number was generated (new card holders) or the day
    after the enrolment is processed (card holders without cover), to the end of the year; the
    half-year price when that reference day is in the second half (docs/decisions/0011)."""
    if kind == "new_card":
        reference = max(card_recorded_on or processed_on, year.cover_start - timedelta(days=1))
    else:
        reference = processed_on
    start = max(reference + timedelta(days=1), year.cover_start)
    price_class = FIRST_HALF if reference <= year.first_half_ends() else SECOND_HALF
    return CoverTerms(start, year.cover_end, price_class)


def member_terms(
    year: CoverYear, mode: str, kind: str | None, card_recorded_on: date | None, today: date
) -> CoverTerms:
    """The terms a member enrolled today gets: the whole year (centralised), else its instant terms."""
    if mode == "centralised":
        return centralised_terms(year)
    return instant_terms(year, kind, today, card_recorded_on)


def within_year(year: CoverYear, terms: CoverTerms) -> bool:
    """Whether enough of the year is left for these terms (cover starts by the year's last day)."""
    return terms.cover_start <= year.cover_end


def mode_action(mode: str) -> str:
    """The cover year's action (window) an enrolment of this mode is done in."""
    return "grassroots" if mode == "centralised" else "instant"


def check_mode(mode: str, kind: str | None) -> None:
    if mode not in MODES:
        raise ValidationFailed({"mode": ["参保方式须为 centralised（集中参保）或 instant（即时参保）"]})
    if mode == "instant" and kind not in INSTANT_KINDS:
        raise ValidationFailed({"kind": ["即时参保须指明 no_cover（有卡无保人员）或 new_card（新办卡人员）"]})


def check_type(chosen: str | None, wanted: str) -> str:
    """同一保障年度只能选择一个保障类型: the first choice is the union's only type for the year."""
    if wanted not in COVER_TYPES:
        raise ValidationFailed({"type": [f"保障类型须为 {'、'.join(COVER_TYPES)} 之一"]})
    if chosen is not None and chosen != wanted:
        raise Conflict(
            f"同一保障年度只能选择一个保障类型：本年度已选择 {chosen} 类",
            code="COVER_TYPE_ALREADY_CHOSEN",
            chosen_type=chosen,
        )
    return wanted


# ------------------------------------------------------------------ batches (参保批次)

BATCH_PREFIX = {"centralised": "CB", "instant": "JB"}


def batch_number(mode: str, day: date, sequence: int) -> str:
    """`CB` (集中参保) or `JB` (即时参保) + YYYYMMDD + a 4-digit sequence per prefix and day."""
    if not 1 <= sequence <= 9999:
        raise Conflict("当日批次编号已用完，请次日再提交", code="BATCH_SEQUENCE_EXHAUSTED")
    return f"{BATCH_PREFIX[mode]}{day:%Y%m%d}{sequence:04d}"


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－＠．", "0123456789-@.")


def check_handler(name: str, phone: str, email: str) -> dict[str, Any]:
    """经办人: name, a mobile or landline, and an e-mail address for the payment detail."""
    errors = {}
    name = (name or "").strip()
    phone = (phone or "").strip().translate(_FULL_WIDTH).replace(" ", "")
    email = (email or "").strip().translate(_FULL_WIDTH)
    if not name:
        errors["handler.name"] = ["经办人姓名不能为空"]
    elif len(name) > 50:
        errors["handler.name"] = ["经办人姓名不能超过 50 个字"]
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        errors["handler.phone"] = ["联系电话格式不正确（手机 11 位，或带区号的座机）"]
    if len(email) > 254 or not _EMAIL.match(email):
        errors["handler.email"] = ["电子邮箱格式不正确"]
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "phone": phone, "email": email.lower()}
