"""The notices (告知书), composed from facts in the guide's own wording. Pure, no I/O.

A grassroots union gets one for each centralised submission (the guide's) and one for each instant
submission (the guide's wording adapted, decision 0018); a district one for each batch, CB (the
guide's) or JB (adapted).

A notice is a frozen value: the same facts always give the same notice, and `input_key()` is a
hash of it, so a redelivered or repeated event that would print the same notice makes no new
version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from common import terms
from common.facts import MalformedEvent
from common.money import yuan
from services.documents.domain.facts import (
    BankAccount,
    Batch,
    BatchPrice,
    CoverYear,
    Submission,
    SubmissionPrice,
    check_same_batch,
    check_same_submission,
)

# The two centres that sign every notice (落款).
SIGNATORIES = ("上海市总工会职工援助服务中心", "上海市职工保障互助中心")
GRASSROOTS_NOTICE = "grassroots_notice"  # 基层工会参保告知书
DISTRICT_NOTICE = "district_notice"  # 区局（产业）工会参保告知书
INSTANT_NOTICE = "instant_notice"  # 基层工会即时参保告知书
INSTANT_DISTRICT_NOTICE = "instant_district_notice"  # 区局（产业）工会即时参保告知书 (a JB batch)
KIND_TITLES = {
    GRASSROOTS_NOTICE: "基层工会集中参保告知书",
    DISTRICT_NOTICE: "区局（产业）工会集中参保告知书",
    INSTANT_NOTICE: "基层工会即时参保告知书",
    INSTANT_DISTRICT_NOTICE: "区局（产业）工会即时参保告知书",
    "statistics": "集中参保统计表",
}
# 即时参保's cover, as the guide words it (SPEC §3): it starts per person, so the notice says how.
INSTANT_COVER = "自办理参保日的次日（新办卡人员自卡号生成的次日）起"
INSTANT_KIND_NAMES = {"no_cover": "有卡无保人员即时参保", "new_card": "新办卡人员即时参保"}
PRICE_CLASS_NAMES = {"instant_first_half": "上半年办卡（全年保费）", "instant_second_half": "下半年办卡（半年保费）"}


def chinese_date(day: date) -> str:
    """2019-12-31 -> '2019 年 12 月 31 日' (as the guide prints dates)."""
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def money(fen: int) -> str:
    return yuan(fen)


@dataclass(frozen=True)
class Row:
    label: str
    value: str


def _key(value: Any) -> str:  # a notice's dataclass
    return hashlib.sha256(
        json.dumps(asdict(value), ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


class Letter:
    """What every notice shares: the title, the salutation to its addressee and the input key (a
    hash of its fields, so the same facts make the same notice). Subclasses are frozen dataclasses."""

    @property
    def addressee(self) -> str:
        raise NotImplementedError

    @property
    def title(self) -> str:
        return "告知书"

    @property
    def salutation(self) -> str:
        return f"{self.addressee}："

    def input_key(self) -> str:
        return _key(self)


def split_rows(
    prefix: str, premium_fen: int, city_subsidy_fen: int, district_share_fen: int, grassroots_share_fen: int
) -> list[Row]:
    """A submission's 参保资金总额 and who bears it, in the terms of docs/terms.md."""
    return [
        Row(f"{prefix}{terms.PREMIUM.name}", f"{money(premium_fen)} 元"),
        Row(f"其中：{terms.CITY_SUBSIDY.name}", f"{money(city_subsidy_fen)} 元"),
        Row(terms.DISTRICT_SHARE.name, f"{money(district_share_fen)} 元"),
        Row(terms.GRASSROOTS_SHARE.name, f"{money(grassroots_share_fen)} 元"),
    ]


def memo_row(memo: str) -> Row:
    """The 用途/附言 the transfer must carry: how billing (or the district) matches it."""
    return Row(terms.MEMO, f"{memo}（划款时请在{terms.MEMO}中注明）")


@dataclass(frozen=True)
class LeftOut:
    """A returned submission that a later submission's figures still count: enrollment's 截至今日
    headcount and billing's year-to-date owed were taken before the district returned it."""

    sequence: int
    headcount: int
    owes_fen: int  # its 应缴 (基层单位承担), in billing's year-to-date figure
    reason: str
    returned_on: date


def left_out_of(sub: Submission, returned: list[tuple[int, int, int, str, datetime]]) -> tuple[LeftOut, ...]:
    """Of the union's returned centralised submissions of the year — (sequence, headcount, owes,
    reason, returned_at) — those `sub`'s figures counted: earlier ones returned after it was
    submitted (one returned before was already out of enrollment's and billing's figures)."""
    return tuple(
        LeftOut(seq, headcount, owes, reason, at.date())
        for seq, headcount, owes, reason, at in sorted(returned)
        if seq < sub.sequence and at > sub.submitted_at
    )


@dataclass(frozen=True)
class GrassrootsNotice(Letter):
    """告知书 to a grassroots union, regenerated on each submission; the last one counts."""

    submission_id: int
    union_id: int
    district_id: int
    union_name: str
    cover_year: int
    cover_type: str
    headcount_total: int  # 截至今日 this union's members of this type for the year
    submission_headcount: int
    premium_fen: int
    city_subsidy_fen: int
    district_share_fen: int
    grassroots_share_fen: int
    grassroots_owes_fen: int  # this submission
    grassroots_owes_total_fen: int  # this union for the year so far
    pay_by: date
    cover_start: date
    cover_end: date
    dated: date
    sequence: int
    left_out: tuple[LeftOut, ...] = ()  # returned earlier submissions no longer counted (reissued)

    kind = GRASSROOTS_NOTICE

    @property
    def addressee(self) -> str:
        return self.union_name

    @property
    def paragraphs(self) -> list[str]:
        return [
            f"你会集中参保 {self.cover_year} 年度会员专享基本保障计划，截至今日参加 {self.cover_type} 类会员共计 "
            f"{self.headcount_total} 人，请于 {chinese_date(self.pay_by)} 之前根据你会所在区、局（产业）工会的安排"
            f"将你会需要承担的参保资金划入所属区、局（产业）工会账户，保障日期为 {chinese_date(self.cover_start)}起至 "
            f"{chinese_date(self.cover_end)}。逾期未划款则所有参保均无效，需按照即时参保流程另行办理参保手续，"
            f"即时参保的保障日期自办理参保日的次日至 {chinese_date(self.cover_end)}止。",
        ]

    @property
    def rows(self) -> list[Row]:
        return [
            Row("保障年度", f"{self.cover_year} 年"),
            Row("保障类型", f"{self.cover_type} 类"),
            Row("本次提交人数", f"{self.submission_headcount} 人（第 {self.sequence} 次提交）"),
            *split_rows(
                "本次",
                self.premium_fen,
                self.city_subsidy_fen,
                self.district_share_fen,
                self.grassroots_share_fen,
            ),
            Row(f"本次你会{terms.DUE.name}", f"{money(self.grassroots_owes_fen)} 元"),
            Row("本年度累计参保人数", f"{self.headcount_total} 人"),
            Row("本年度你会累计需承担", f"{money(self.grassroots_owes_total_fen)} 元"),
            Row("划款截止日期", chinese_date(self.pay_by)),
            memo_row(terms.submission_memo(self.submission_id)),
            Row("保障期间", f"{chinese_date(self.cover_start)}至 {chinese_date(self.cover_end)}"),
            *(
                Row(
                    "已退回的提交",
                    f"第 {x.sequence} 次提交 {x.headcount} 人于 {chinese_date(x.returned_on)}被区局退回（{x.reason}），"
                    "不计入本告知书；此前出具的告知书作废",
                )
                for x in self.left_out
            ),
        ]

    @property
    def filename(self) -> str:
        return f"参保告知书_{self.union_name}_{self.cover_year}年度_第{self.sequence}次提交.pdf"


def grassroots_notice(
    union_name: str,
    year: CoverYear,
    sub: Submission,
    price: SubmissionPrice,
    owes_before_fen: int,
    left_out: tuple[LeftOut, ...] = (),
) -> GrassrootsNotice:
    """The notice for this submission; `owes_before_fen` is what this union owed for the year by its
    earlier, still valid submissions. `left_out`: earlier submissions returned since this one was
    submitted, taken out of its 截至今日 headcount; the notice is then reissued, dated the last return."""
    check_same_submission(sub, price)
    dated = max([sub.submitted_at.date(), *(x.returned_on for x in left_out)])
    return GrassrootsNotice(
        submission_id=sub.submission_id,
        union_id=sub.union_id,
        district_id=sub.district_id,
        union_name=union_name,
        cover_year=sub.cover_year,
        cover_type=sub.cover_type,
        headcount_total=sub.union_headcount_total - sum(x.headcount for x in left_out),
        submission_headcount=sub.headcount,
        premium_fen=price.amounts.premium_fen,
        city_subsidy_fen=price.amounts.city_subsidy_fen,
        district_share_fen=price.amounts.district_share_fen,
        grassroots_share_fen=price.amounts.grassroots_share_fen,
        grassroots_owes_fen=price.grassroots_owes_fen,
        grassroots_owes_total_fen=owes_before_fen + price.grassroots_owes_fen,
        pay_by=price.pay_by or year.grassroots_deadline,
        cover_start=year.cover_start,
        cover_end=year.cover_end,
        dated=dated,
        sequence=sub.sequence,
        left_out=left_out,
    )


def owes_before(price: SubmissionPrice, left_out: tuple[LeftOut, ...]) -> int | None:
    """What the union owed before this submission by billing's year-to-date figure (schema 2), less
    what returned submissions it still counted owed; None for a schema-1 price (then summed here)."""
    if price.union_owes_to_date_fen is None:
        return None
    return price.union_owes_to_date_fen - price.grassroots_owes_fen - sum(x.owes_fen for x in left_out)


@dataclass(frozen=True)
class InstantNotice(Letter):
    """告知书 to a grassroots union for one instant submission (即时参保), once billing priced it:
    the grassroots notice's wording adapted (decision 0018)."""

    submission_id: int
    union_id: int
    district_id: int
    union_name: str
    cover_year: int
    cover_type: str
    instant_kind: str | None  # no_cover / new_card
    headcount: int
    counts: tuple[tuple[str, int], ...]  # per price class
    premium_fen: int
    city_subsidy_fen: int
    district_share_fen: int
    grassroots_share_fen: int
    grassroots_owes_fen: int
    pay_by: date
    cover_end: date
    dated: date
    sequence: int  # the union's nth instant submission of the year

    kind = INSTANT_NOTICE

    @property
    def addressee(self) -> str:
        return self.union_name

    @property
    def paragraphs(self) -> list[str]:
        return [
            f"你会即时参保 {self.cover_year} 年度会员专享基本保障计划，参加 {self.cover_type} 类会员共计 "
            f"{self.headcount} 人，{terms.PREMIUM.name} {money(self.premium_fen)} 元，其中{terms.CITY_SUBSIDY.name} "
            f"{money(self.city_subsidy_fen)} 元，{terms.DISTRICT_SHARE.name} {money(self.district_share_fen)} 元，"
            f"{terms.GRASSROOTS_SHARE.name}（你会需承担）{money(self.grassroots_owes_fen)} 元。请于 {chinese_date(self.pay_by)}之前根据你会所在区、"
            f"局（产业）工会的安排将你会需要承担的参保资金划入所属区、局（产业）工会账户，保障日期{INSTANT_COVER}至 "
            f"{chinese_date(self.cover_end)}止。逾期未划款则本次参保无效，需按照即时参保流程另行办理参保手续。",
        ]

    @property
    def rows(self) -> list[Row]:
        by_class = "，".join(f"{PRICE_CLASS_NAMES.get(c, c)} {n} 人" for c, n in self.counts)
        return [
            Row("保障年度", f"{self.cover_year} 年"),
            Row("参保方式", INSTANT_KIND_NAMES.get(self.instant_kind or "", "即时参保")),
            Row("保障类型", f"{self.cover_type} 类"),
            Row(
                "本次参保人数",
                f"{self.headcount} 人（第 {self.sequence} 次即时参保）" + (f"：{by_class}" if by_class else ""),
            ),
            *split_rows(
                "", self.premium_fen, self.city_subsidy_fen, self.district_share_fen, self.grassroots_share_fen
            ),
            Row(f"你会{terms.DUE.name}", f"{money(self.grassroots_owes_fen)} 元"),
            Row("划款截止日期", chinese_date(self.pay_by)),
            memo_row(terms.submission_memo(self.submission_id)),
            Row("保障期间", f"{INSTANT_COVER}至 {chinese_date(self.cover_end)}"),
        ]

    @property
    def filename(self) -> str:
        return f"即时参保告知书_{self.union_name}_{self.cover_year}年度_第{self.sequence}次即时参保.pdf"


def instant_pay_by(year: CoverYear, dated: date) -> date:
    """An instant notice's pay-by when billing's event has none (priced before decision 0018): the
    year's `instant_payment_days` (enrollment's) after the day of submitting."""
    if year.instant_payment_days is None:
        raise MalformedEvent(f"instant_payment_days: unknown for {year.cover_year}, and billing gave no pay_by")
    return dated + timedelta(days=year.instant_payment_days)


def instant_notice(union_name: str, year: CoverYear, sub: Submission, price: SubmissionPrice) -> InstantNotice:
    """The notice for this instant submission. Its pay-by is billing's; an event from before
    billing set one falls back to the year's rule (decision 0018): N days after submitting."""
    check_same_submission(sub, price)
    dated = sub.submitted_at.date()
    return InstantNotice(
        submission_id=sub.submission_id,
        union_id=sub.union_id,
        district_id=sub.district_id,
        union_name=union_name,
        cover_year=sub.cover_year,
        cover_type=sub.cover_type,
        instant_kind=sub.kind,
        headcount=sub.headcount,
        counts=sub.counts,
        premium_fen=price.amounts.premium_fen,
        city_subsidy_fen=price.amounts.city_subsidy_fen,
        district_share_fen=price.amounts.district_share_fen,
        grassroots_share_fen=price.amounts.grassroots_share_fen,
        grassroots_owes_fen=price.grassroots_owes_fen,
        pay_by=price.pay_by or instant_pay_by(year, dated),
        cover_end=year.cover_end,
        dated=dated,
        sequence=sub.sequence,
    )


@dataclass(frozen=True)
class DistrictLine:
    cover_type: str
    headcount: int
    premium_fen: int
    city_subsidy_fen: int
    union_share_fen: int
    district_share_fen: int | None  # None: billing's event (schema < 3) did not split it
    grassroots_share_fen: int | None


@dataclass(frozen=True)
class Table:
    """The notice's table of amounts per cover type and in total (yuan, as printed)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class DistrictNotice(Letter):
    """告知书 to a district (区局/产业工会) on submitting its batch to the centre. Its amounts are named
    as docs/terms.md defines them: 参保资金总额 is every premium of the batch; the unions' part
    (工会承担) splits into 区局（产业）工会承担 and 基层单位承担; 应缴 = 工会承担 − 抵扣."""

    batch_id: int
    batch_no: str
    district_id: int
    district_name: str
    cover_year: int
    lines: tuple[DistrictLine, ...]
    headcount: int
    premium_fen: int  # 参保资金总额
    city_subsidy_fen: int  # 市总统一划拨
    union_share_fen: int  # 工会承担 (premium − city subsidy)
    district_share_fen: int | None  # 区局（产业）工会承担; None before billing's schema 3
    grassroots_share_fen: int | None  # 基层单位承担
    credit_applied_fen: int  # 抵扣
    due_fen: int  # 应缴
    pay_by: date
    cover_start: date
    cover_end: date
    bank: BankAccount
    dated: date

    kind = DISTRICT_NOTICE

    @property
    def addressee(self) -> str:
        return self.district_name

    @property
    def credit_year(self) -> int:
        """The settlement credit against this year is two years older (2018's for 2020)."""
        return self.cover_year - 2

    @property
    def split_known(self) -> bool:
        return self.district_share_fen is not None and self.grassroots_share_fen is not None

    def _per_type(self) -> str:
        return "，".join(f"参加 {line.cover_type} 类会员共计 {line.headcount} 人" for line in self.lines)

    def _amounts(self) -> str:
        """参保资金总额 and who bears it, in one sentence."""
        parts = f"其中{terms.CITY_SUBSIDY.name} {money(self.city_subsidy_fen)} 元，"
        if self.district_share_fen is not None and self.grassroots_share_fen is not None:
            parts += (
                f"{terms.DISTRICT_SHARE.name} {money(self.district_share_fen)} 元，{terms.GRASSROOTS_SHARE.name} "
                f"{money(self.grassroots_share_fen)} 元（{terms.UNION_SHARE.name} {money(self.union_share_fen)} 元）"
            )
        else:
            parts += f"{terms.UNION_SHARE.name} {money(self.union_share_fen)} 元"
        return f"{terms.PREMIUM.name}为 {money(self.premium_fen)} 元，{parts}"

    @property
    def memo_sentence(self) -> str:
        return f"划款时请在{terms.MEMO}中注明参保批次 {terms.batch_memo(self.batch_no)}"

    @property
    def paragraphs(self) -> list[str]:
        return [
            f"你会集中参保 {self.cover_year} 年度会员专享基本保障计划，{self._per_type()}，合计 {self.headcount} 人，"
            f"{self._amounts()}。鉴于 {self.credit_year} 年会员保障清算分配款 "
            f"{money(self.credit_applied_fen)} 元指定用于抵扣 {self.cover_year} 年度会员保障集中参保款项，你会尚需于 "
            f"{chinese_date(self.pay_by)}之前将剩余参保资金（{terms.DUE.name}）{money(self.due_fen)} 元划入如下账户"
            f"（{self.memo_sentence}），保障日期为 "
            f"{chinese_date(self.cover_start)}起至 {chinese_date(self.cover_end)}止。逾期未划款，则按照即时参保流程"
            f"另行办理参保手续，保障日期自办理参保日的次日起至 {chinese_date(self.cover_end)}止。",
        ]

    @property
    def bank_rows(self) -> list[Row]:
        return [
            Row("户名", self.bank.name),
            Row("账号", self.bank.number),
            Row("开户行", self.bank.bank),
            Row(terms.MEMO, terms.batch_memo(self.batch_no)),
        ]

    @property
    def table(self) -> Table:
        split = self.split_known
        names = [terms.PREMIUM, terms.CITY_SUBSIDY]
        names += [terms.DISTRICT_SHARE, terms.GRASSROOTS_SHARE] if split else []
        header = ("保障类型", "参保人数", *(t.label() for t in names), terms.UNION_SHARE.label())

        def amounts(x: DistrictLine | DistrictNotice) -> tuple[str, ...]:
            parts = [x.premium_fen, x.city_subsidy_fen]
            parts += [x.district_share_fen or 0, x.grassroots_share_fen or 0] if split else []
            return tuple(money(v) for v in (*parts, x.union_share_fen))

        rows = [(f"{line.cover_type} 类", str(line.headcount), *amounts(line)) for line in self.lines]
        rows.append(("合计", str(self.headcount), *amounts(self)))
        return Table(header, tuple(rows))

    def _amount_rows(self, credit_label: str) -> list[Row]:
        """What is still to pay (the table above holds the rest): 应缴 = 工会承担 − 抵扣."""
        return [
            Row(terms.UNION_SHARE.name, f"{money(self.union_share_fen)} 元"),
            Row(credit_label, f"{money(self.credit_applied_fen)} 元"),
            Row(f"{terms.DUE.name}（尚需划款）", f"{money(self.due_fen)} 元"),
        ]

    @property
    def rows(self) -> list[Row]:
        return [
            Row("参保批次", self.batch_no),
            Row("保障年度", f"{self.cover_year} 年"),
            *self._amount_rows(f"{self.credit_year} 年清算分配款{terms.CREDIT.name}"),
            Row("划款截止日期", chinese_date(self.pay_by)),
        ]

    @property
    def filename(self) -> str:
        return f"参保告知书_{self.district_name}_{self.batch_no}.pdf"


@dataclass(frozen=True)
class InstantDistrictNotice(DistrictNotice):
    """告知书 to a district on submitting its JB batch (即时参保): the district notice's wording
    adapted (decision 0018) — the credit sentence only when billing applied credit, the pay-by
    billing's (N days after the batch), cover from the day after enrolment to the year's end."""

    kind = INSTANT_DISTRICT_NOTICE

    @property
    def paragraphs(self) -> list[str]:
        due = f"（{terms.DUE.name}）{money(self.due_fen)} 元划入如下账户（{self.memo_sentence}）"
        if self.credit_applied_fen:
            pay = (
                f"鉴于会员保障清算分配款 {money(self.credit_applied_fen)} 元用于抵扣本批次参保款项，你会尚需于 "
                f"{chinese_date(self.pay_by)}之前将剩余参保资金{due}"
            )
        else:
            pay = f"请于 {chinese_date(self.pay_by)}之前将参保资金{due}"
        return [
            f"你会即时参保 {self.cover_year} 年度会员专享基本保障计划（参保批次 {self.batch_no}），{self._per_type()}，"
            f"合计 {self.headcount} 人，{self._amounts()}。{pay}，保障日期{INSTANT_COVER}至 "
            f"{chinese_date(self.cover_end)}止。逾期未划款，则本批次参保无效，需按照即时参保流程另行办理参保手续。",
        ]

    @property
    def rows(self) -> list[Row]:
        rows = self._amount_rows(f"清算分配款{terms.CREDIT.name}")
        if not self.credit_applied_fen:
            rows = [row for row in rows if not row.label.endswith(terms.CREDIT.name)]
        return [
            Row("参保批次", self.batch_no),
            Row("保障年度", f"{self.cover_year} 年"),
            *rows,
            Row("划款截止日期", chinese_date(self.pay_by)),
            Row("保障期间", f"{INSTANT_COVER}至 {chinese_date(self.cover_end)}"),
        ]

    @property
    def filename(self) -> str:
        return f"即时参保告知书_{self.district_name}_{self.batch_no}.pdf"


def district_notice(
    district_name: str, year: CoverYear, batch: Batch, price: BatchPrice, bank: BankAccount
) -> DistrictNotice:
    """A CB batch's notice, or a JB batch's (InstantDistrictNotice). A pay-by missing from billing's
    event falls back to the year's payment deadline (CB) or N days after the batch (JB, decision 0018)."""
    check_same_batch(batch, price)
    lines = tuple(
        DistrictLine(
            x.cover_type,
            x.headcount,
            x.premium_fen,
            x.city_subsidy_fen,
            x.union_share_fen,
            x.district_share_fen,
            x.grassroots_share_fen,
        )
        for x in price.lines
        if x.headcount
    )
    dated = batch.submitted_at.date()
    instant = batch.mode == "instant"
    fallback = instant_pay_by(year, dated) if instant and price.pay_by is None else year.payment_deadline
    split = price.has_split
    return (InstantDistrictNotice if instant else DistrictNotice)(
        batch_id=batch.batch_id,
        batch_no=batch.batch_no,
        district_id=batch.district_id,
        district_name=district_name,
        cover_year=batch.cover_year,
        lines=lines,
        headcount=price.headcount,
        premium_fen=price.premium_fen,
        city_subsidy_fen=price.city_subsidy_fen,
        union_share_fen=price.union_share_fen,
        district_share_fen=price.district_share_fen if split else None,
        grassroots_share_fen=price.grassroots_share_fen if split else None,
        credit_applied_fen=price.credit_applied_fen,
        due_fen=price.due_fen,
        pay_by=price.pay_by or fallback,
        cover_start=year.cover_start,
        cover_end=year.cover_end,
        bank=bank,
        dated=dated,
    )
