"""The facts the documents service renders, read from other services' events (see docs/events.md).

Pure parsing and checking, no I/O: each `parse_*` takes an event's `data` and returns a frozen
value, or raises `MalformedEvent` saying which field is wrong. A malformed event can never
succeed, so the consumer dead-letters it (with this reason logged) before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from common import facts
from common.facts import MalformedEvent

COVER_TYPES = ("A", "A+", "B", "B+")  # 保障类型
MODES = ("centralised", "instant")  # 集中参保 / 即时参保
INSTANT_KINDS = ("no_cover", "new_card")  # 有卡无保人员 / 新办卡人员
PRICE_CLASSES = ("centralised", "instant_first_half", "instant_second_half")


# the field readers, common to every service's facts (common/facts.py)
_get, _int, _opt_int, _str, _choice = facts.field, facts.integer, facts.optional_integer, facts.text, facts.choice
_date, _opt_date, _window_end, _datetime, _counts = (
    facts.day,
    facts.optional_day,
    facts.window_end,
    facts.moment,
    facts.counts,
)


# ------------------------------------------------------------------ the facts


@dataclass(frozen=True)
class CoverYear:
    """保障年度: the dates a notice prints (enrollment.cover_year.configured)."""

    cover_year: int
    grassroots_deadline: date  # 基层提交截止 (end of the grassroots window)
    cover_start: date
    cover_end: date
    payment_deadline: date  # 区局缴费截止
    version: int
    # 即时参保划款期限 (days after submitting), enrollment's: None in an event of schema 1 (before
    # decision 0018), whose year keeps what the read model holds
    instant_payment_days: int | None = None


def parse_cover_year(data: dict[str, Any]) -> CoverYear:
    days = None if data.get("instant_payment_days") is None else _int(data, "instant_payment_days", 1)
    year = CoverYear(
        cover_year=_int(data, "cover_year", 2000),
        grassroots_deadline=_window_end(data, "grassroots_window"),
        cover_start=_date(data, "cover_start"),
        cover_end=_date(data, "cover_end"),
        payment_deadline=_date(data, "payment_deadline"),
        version=_int(data, "version", 1),
        instant_payment_days=days,
    )
    if year.cover_end < year.cover_start:
        raise MalformedEvent("cover_end: before cover_start")
    return year


@dataclass(frozen=True)
class Submission:
    """A grassroots union's submission to its district (提交至区局审核), enrollment.submission.submitted."""

    submission_id: int
    union_id: int
    district_id: int
    cover_year: int
    cover_type: str
    mode: str
    headcount: int
    union_headcount_total: int  # this union's covered + submitted total for the year (截至今日)
    submitted_at: datetime
    sequence: int
    kind: str | None = None  # instant only: no_cover 有卡无保人员 / new_card 新办卡人员
    counts: tuple[tuple[str, int], ...] = ()  # headcount per price class, in PRICE_CLASSES order


def parse_submission(data: dict[str, Any]) -> Submission:
    sub = Submission(
        submission_id=_int(data, "submission_id", 1),
        union_id=_int(data, "union_id", 1),
        district_id=_int(data, "district_id", 1),
        cover_year=_int(data, "cover_year", 2000),
        cover_type=_choice(data, "type", COVER_TYPES),
        mode=_choice(data, "mode", MODES),
        headcount=_int(data, "headcount", 1),
        union_headcount_total=_int(data, "union_headcount_total", 1),
        submitted_at=_datetime(data, "submitted_at"),
        sequence=_int(data, "sequence", 1),
        kind=None if data.get("kind") in (None, "centralised") else _choice(data, "kind", INSTANT_KINDS),
        counts=_price_class_counts(data),
    )
    if sub.counts and sum(n for _, n in sub.counts) != sub.headcount:
        raise MalformedEvent("counts: do not add up to headcount")
    if sub.union_headcount_total < sub.headcount:
        raise MalformedEvent("union_headcount_total: smaller than this submission's headcount")
    return sub


def _price_class_counts(data: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """`counts` per price class (optional: events from before it existed have none)."""
    if data.get("counts") is None:
        return ()
    counts = _counts(data, "counts", PRICE_CLASSES)
    return tuple((c, counts[c]) for c in PRICE_CLASSES if counts.get(c))


@dataclass(frozen=True)
class Returned:
    """enrollment.submission.returned: a submission that no longer counts, why and when."""

    submission_id: int
    reason: str
    # Asia/Shanghai; None in an event from before enrollment carried it (then no later notice
    # leaves the submission out: its figures are taken as they came)
    returned_at: datetime | None


def parse_returned(data: dict[str, Any]) -> Returned:
    reason = data.get("reason")
    return Returned(
        submission_id=_int(data, "submission_id", 1),
        reason=reason.strip()[:200] if isinstance(reason, str) and reason.strip() else "未说明原因",
        returned_at=None if data.get("returned_at") is None else _datetime(data, "returned_at"),
    )


@dataclass(frozen=True)
class Amounts:
    """What a headcount costs and who pays it, in fen (billing's pricing)."""

    premium_fen: int  # 保障费用
    city_subsidy_fen: int  # 市总统一划拨
    district_share_fen: int  # 区局/各级工会缴费
    grassroots_share_fen: int  # 基层单位缴费

    def check(self) -> None:
        if self.city_subsidy_fen + self.district_share_fen + self.grassroots_share_fen != self.premium_fen:
            raise MalformedEvent("premium_fen: city subsidy + district share + grassroots share != premium")


@dataclass(frozen=True)
class SubmissionPrice:
    """billing.submission.priced: the submission's amounts and what the union owes by when."""

    submission_id: int
    union_id: int
    district_id: int
    cover_year: int
    cover_type: str
    headcount: int
    amounts: Amounts
    grassroots_owes_fen: int
    pay_by: date | None  # None: billing did not know the year yet; the year's grassroots deadline applies
    # 本年度累计需承担 (centralised, schema 2): billing's sum of the union's centralised submissions of
    # the year still owed, this one included; None in an event of schema 1
    union_owes_to_date_fen: int | None = None


def parse_submission_price(data: dict[str, Any]) -> SubmissionPrice:
    amounts = Amounts(
        _int(data, "premium_fen"),
        _int(data, "city_subsidy_fen"),
        _int(data, "district_share_fen"),
        _int(data, "grassroots_share_fen"),
    )
    amounts.check()
    return SubmissionPrice(
        submission_id=_int(data, "submission_id", 1),
        union_id=_int(data, "union_id", 1),
        district_id=_int(data, "district_id", 1),
        cover_year=_int(data, "cover_year", 2000),
        cover_type=_choice(data, "type", COVER_TYPES),
        headcount=_int(data, "headcount", 1),
        amounts=amounts,
        grassroots_owes_fen=_int(data, "grassroots_owes_fen"),
        pay_by=_opt_date(data, "pay_by"),
        union_owes_to_date_fen=_opt_int(data, "union_owes_to_date_fen"),
    )


def check_same_submission(sub: Submission, price: SubmissionPrice) -> None:
    """Enrollment and billing must describe the same submission, or the notice would lie."""
    for field, mine, theirs in (
        ("union_id", sub.union_id, price.union_id),
        ("district_id", sub.district_id, price.district_id),
        ("cover_year", sub.cover_year, price.cover_year),
        ("type", sub.cover_type, price.cover_type),
        ("headcount", sub.headcount, price.headcount),
    ):
        if mine != theirs:
            raise MalformedEvent(
                f"{field}: billing says {theirs!r}, enrollment says {mine!r} for submission {sub.submission_id}"
            )


@dataclass(frozen=True)
class Batch:
    """A district's batch submitted to the centre (参保批次), enrollment.batch.submitted."""

    batch_id: int
    batch_no: str
    district_id: int
    cover_year: int
    mode: str
    submitted_at: datetime
    headcount_by_type: dict[str, int]
    headcount: int
    submission_ids: tuple[int, ...]


def parse_batch(data: dict[str, Any]) -> Batch:
    submissions = _get(data, "submissions")
    if not isinstance(submissions, list):
        raise MalformedEvent("submissions: not a list")
    ids = tuple(_int(s, "submission_id", 1) for s in submissions)
    batch = Batch(
        batch_id=_int(data, "batch_id", 1),
        batch_no=_str(data, "batch_no"),
        district_id=_int(data, "district_id", 1),
        cover_year=_int(data, "cover_year", 2000),
        mode=_choice(data, "mode", MODES),
        submitted_at=_datetime(data, "submitted_at"),
        headcount_by_type=_counts(data, "headcount_by_type", COVER_TYPES),
        headcount=_int(data, "headcount", 1),
        submission_ids=ids,
    )
    if sum(batch.headcount_by_type.values()) != batch.headcount:
        raise MalformedEvent("headcount: not the sum of headcount_by_type")
    return batch


@dataclass(frozen=True)
class BankAccount:
    """The centre's account a district pays into (收款账户): billing's payee, from billing.batch.priced."""

    name: str  # 户名
    number: str  # 账号
    bank: str  # 开户行


def _payee(data: dict[str, Any]) -> BankAccount | None:
    """`payee` of billing.batch.priced (schema 2); None in an event of schema 1."""
    if data.get("payee") is None:
        return None
    payee = _get(data, "payee")
    return BankAccount(name=_str(payee, "account_name"), number=_str(payee, "account_no"), bank=_str(payee, "bank"))


@dataclass(frozen=True)
class TypeLine:
    """One line of a batch's pricing: a cover type's headcount and amounts."""

    cover_type: str
    headcount: int
    premium_fen: int
    city_subsidy_fen: int
    union_share_fen: int  # premium − city subsidy (区局与基层合计)
    # its split (schema 3): 区局（产业）工会承担 / 基层单位承担; None in an event of schema 1 or 2
    district_share_fen: int | None = None
    grassroots_share_fen: int | None = None


def _split(data: dict[str, Any], where: str, union_share_fen: int) -> tuple[int | None, int | None]:
    """The union share's split (billing.batch.priced schema 3), both parts or neither."""
    district, grassroots = _opt_int(data, "district_share_fen"), _opt_int(data, "grassroots_share_fen")
    if (district is None) != (grassroots is None):
        raise MalformedEvent(f"{where}district_share_fen, grassroots_share_fen: one without the other")
    if district is not None and grassroots is not None and district + grassroots != union_share_fen:
        raise MalformedEvent(f"{where}district_share_fen + grassroots_share_fen != union_share_fen")
    return district, grassroots


@dataclass(frozen=True)
class BatchPrice:
    """billing.batch.priced: what the district owes the centre, after its settlement credit."""

    batch_id: int
    batch_no: str
    district_id: int
    cover_year: int
    lines: tuple[TypeLine, ...]
    headcount: int
    premium_fen: int
    city_subsidy_fen: int
    union_share_fen: int
    credit_applied_fen: int  # 清算分配款抵扣
    due_fen: int  # 应缴 (尚需划款): union share − credit applied
    pay_by: date | None  # None: the year's payment deadline applies
    payee: BankAccount | None = None  # where to pay; None in an event of schema 1
    district_share_fen: int | None = None  # 区局（产业）工会承担 (schema 3); None before
    grassroots_share_fen: int | None = None  # 基层单位承担 (schema 3); None before

    @property
    def has_split(self) -> bool:
        return self.district_share_fen is not None and all(x.district_share_fen is not None for x in self.lines)


def parse_batch_price(data: dict[str, Any]) -> BatchPrice:
    raw_lines = _get(data, "by_type")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise MalformedEvent("by_type: not a non-empty list")
    lines = []
    for raw in raw_lines:
        cover_type, premium, city = (
            _choice(raw, "type", COVER_TYPES),
            _int(raw, "premium_fen"),
            _int(raw, "city_subsidy_fen"),
        )
        share = _int(raw, "union_share_fen")
        if premium - city != share:
            raise MalformedEvent(f"by_type[{cover_type}].union_share_fen: not premium − city subsidy")
        line = TypeLine(
            cover_type, _int(raw, "headcount"), premium, city, share, *_split(raw, f"by_type[{cover_type}].", share)
        )
        lines.append(line)
    if len({line.cover_type for line in lines}) != len(lines):
        raise MalformedEvent("by_type: a type appears twice")
    lines.sort(key=lambda line: COVER_TYPES.index(line.cover_type))
    union_share = _int(data, "union_share_fen")
    price = BatchPrice(
        batch_id=_int(data, "batch_id", 1),
        batch_no=_str(data, "batch_no"),
        district_id=_int(data, "district_id", 1),
        cover_year=_int(data, "cover_year", 2000),
        lines=tuple(lines),
        headcount=_int(data, "headcount", 1),
        premium_fen=_int(data, "premium_fen"),
        city_subsidy_fen=_int(data, "city_subsidy_fen"),
        union_share_fen=union_share,
        credit_applied_fen=_int(data, "credit_applied_fen"),
        due_fen=_int(data, "due_fen"),
        pay_by=_opt_date(data, "pay_by"),
        payee=_payee(data),
        **dict(zip(("district_share_fen", "grassroots_share_fen"), _split(data, "", union_share), strict=True)),
    )
    sums = [("headcount", sum(x.headcount for x in lines))]
    for field in ("premium_fen", "city_subsidy_fen", "union_share_fen", "district_share_fen", "grassroots_share_fen"):
        parts = [getattr(x, field) for x in lines]
        if getattr(price, field) is not None and None not in parts:
            sums.append((field, sum(parts)))
    for field, total in sums:
        if getattr(price, field) != total:
            raise MalformedEvent(f"{field}: not the sum of by_type")
    if price.credit_applied_fen > price.union_share_fen:
        raise MalformedEvent("credit_applied_fen: more than the union share")
    if price.due_fen != price.union_share_fen - price.credit_applied_fen:
        raise MalformedEvent("due_fen: not union_share_fen − credit_applied_fen")
    return price


def check_same_batch(batch: Batch, price: BatchPrice) -> None:
    for field, mine, theirs in (
        ("batch_no", batch.batch_no, price.batch_no),
        ("district_id", batch.district_id, price.district_id),
        ("cover_year", batch.cover_year, price.cover_year),
        ("headcount", batch.headcount, price.headcount),
    ):
        if mine != theirs:
            raise MalformedEvent(
                f"{field}: billing says {theirs!r}, enrollment says {mine!r} for batch {batch.batch_id}"
            )
    by_type = {line.cover_type: line.headcount for line in price.lines if line.headcount}
    if by_type != {t: n for t, n in batch.headcount_by_type.items() if n}:
        raise MalformedEvent(f"by_type: headcounts differ from enrollment's for batch {batch.batch_id}")


# Fields an event must carry from a schema version on (the envelope's `schema_version`); an event
# of an older schema is still read, for one release, without them.
REQUIRED_FROM: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {
    "billing.batch.priced": ((2, ("payee",)), (3, ("district_share_fen", "grassroots_share_fen"))),
    "enrollment.cover_year.configured": ((2, ("instant_payment_days",)),),
}


def check_schema(event: dict[str, Any]) -> None:
    """Refuse an event that claims a schema whose fields it lacks (or holds null)."""
    claimed = int(event.get("schema_version") or 1)
    fields = [key for since, keys in REQUIRED_FROM.get(str(event.get("type")), ()) if claimed >= since for key in keys]
    if not fields:
        return
    data = event.get("data")
    if not isinstance(data, dict):
        raise MalformedEvent("data is not an object")
    for key in fields:
        _get(data, key)
