"""The billing service's tables (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


messaging = add_messaging_tables(Base.metadata)


class DistrictView(Base):
    """Read model of members' districts (区局/产业工会), from members.district.* events."""

    __tablename__ = "district_view"
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    special_industry: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class UnionView(Base):
    """Read model of members' grassroots unions (基层工会), from members.union.* events."""

    __tablename__ = "union_view"
    union_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    contact_person: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)


# ------------------------------------------------------------------ cover years (from enrollment)


class CoverYearView(Base):
    """Read model of enrollment's cover-year timeline (enrollment.cover_year.configured)."""

    __tablename__ = "cover_year_view"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    split_start: Mapped[date] = mapped_column(Date)
    split_end: Mapped[date] = mapped_column(Date)
    grassroots_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    cover_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    cover_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    payment_deadline: Mapped[date] = mapped_column(Date)
    # 即时参保划款期限 (decision 0018): instant submissions and JB batches are due this many days after
    instant_payment_days: Mapped[int] = mapped_column(Integer, server_default="15", default=15)
    version: Mapped[int] = mapped_column(Integer)


# ------------------------------------------------------------------ prices and splits


class PriceTableRow(Base):
    """A cover year's price table (保障价格表), set by the centre."""

    __tablename__ = "price_tables"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class PriceEntry(Base):
    """One cell: per type and price class, premium and city subsidy (fen), per person."""

    __tablename__ = "price_entries"
    cover_year: Mapped[int] = mapped_column(ForeignKey("price_tables.cover_year"), primary_key=True)
    cover_type: Mapped[str] = mapped_column(String(2), primary_key=True)
    price_class: Mapped[str] = mapped_column(String(30), primary_key=True)
    premium_fen: Mapped[int] = mapped_column(Integer)
    city_subsidy_fen: Mapped[int] = mapped_column(Integer)
    special_city_subsidy_fen: Mapped[int] = mapped_column(Integer)


class Split(Base):
    """保障金额设置: a district's shares for one type (union_id 0 = the district default; else a
    grassroots union's override), per person, full year, in fen."""

    __tablename__ = "splits"
    __table_args__ = (UniqueConstraint("cover_year", "district_id", "union_id", "cover_type"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    union_id: Mapped[int] = mapped_column(Integer)  # 0 = district default
    cover_type: Mapped[str] = mapped_column(String(2))
    district_fen: Mapped[int] = mapped_column(Integer)
    grassroots_fen: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


# ------------------------------------------------------------------ what is priced and owed


class PricedSubmission(Base):
    """A grassroots submission (from enrollment.submission.submitted), priced."""

    __tablename__ = "submissions"
    submission_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    union_id: Mapped[int] = mapped_column(Integer, index=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    cover_year: Mapped[int] = mapped_column(Integer, index=True)
    cover_type: Mapped[str] = mapped_column(String(2))
    mode: Mapped[str] = mapped_column(String(20))
    counts: Mapped[str] = mapped_column(Text)  # JSON {price_class: n}
    headcount: Mapped[int] = mapped_column(Integer)
    premium_fen: Mapped[int] = mapped_column(BigInteger)
    city_subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    district_share_fen: Mapped[int] = mapped_column(BigInteger)
    grassroots_share_fen: Mapped[int] = mapped_column(BigInteger)
    pay_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # priced | returned
    submitted_at: Mapped[str] = mapped_column(String(40))
    priced_at: Mapped[datetime] = mapped_column(DateTime)


class Batch(Base):
    """A district's batch (参保批次, from enrollment.batch.submitted), priced, and its payment."""

    __tablename__ = "batches"
    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    batch_no: Mapped[str] = mapped_column(String(20), unique=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    cover_year: Mapped[int] = mapped_column(Integer, index=True)
    mode: Mapped[str] = mapped_column(String(20))
    headcount: Mapped[int] = mapped_column(Integer)
    by_type: Mapped[str] = mapped_column(Text)  # JSON list of per-type totals
    submission_ids: Mapped[str] = mapped_column(Text)  # JSON list
    premium_fen: Mapped[int] = mapped_column(BigInteger)
    city_subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    union_share_fen: Mapped[int] = mapped_column(BigInteger)
    credit_applied_fen: Mapped[int] = mapped_column(BigInteger)
    due_fen: Mapped[int] = mapped_column(BigInteger)
    pay_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    handler_name: Mapped[str] = mapped_column(String(50))
    handler_phone: Mapped[str] = mapped_column(String(30))
    handler_email: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[str] = mapped_column(String(40))
    priced_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))  # domain/payment_status.py PAYMENT_STATUSES
    paid_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 已上传凭证金额: vouchers counted
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    voucher_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    bank_matched_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    written_off_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    received_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    bank_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # 多缴 at 核销 (decision 0032): how much, and its fate — `credit` (the district's credit for
    # the next year, a SettlementCredit whose source is this batch) or `refund` (who, when, how)
    overpaid_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    overpaid_choice: Mapped[str | None] = mapped_column(String(10), nullable=True)
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    refunded_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    refund_note: Mapped[str | None] = mapped_column(String(200), nullable=True)


class PaymentAllocation(Base):
    """到账分配: which batch a statement line's money went to, how many fen (a line paying several
    batches has one row each; the rows of a line sum to its amount). `method` is the reason code
    (domain/statement.py REASONS): matched, split, or allocated by hand. A batch's
    `bank_matched_fen` (已缴 before 核销) is the sum of its rows."""

    __tablename__ = "payment_allocations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("statement_lines.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))


class PaymentReminder(Base):
    """催缴: one step of a late batch's reminders (domain/ageing.py STEPS), taken once: who was
    reminded (the district; its handler at `escalated`; the centre's list), when, and how late."""

    __tablename__ = "payment_reminders"
    __table_args__ = (UniqueConstraint("batch_id", "step"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(200))
    days_past: Mapped[int] = mapped_column(Integer)
    short_fen: Mapped[int] = mapped_column(BigInteger)


class DistrictAccount(Base):
    """One row per district, locked while its credit is applied (no double use under races)."""

    __tablename__ = "district_accounts"
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    credit_used_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_version: Mapped[int] = mapped_column(Integer, default=0)  # of billing.credit.available


class SettlementCredit(Base):
    """清算分配款: a settlement credit of a district, designated for use from a cover year on."""

    __tablename__ = "credits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    designated_year: Mapped[int] = mapped_column(Integer)
    source_year: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))
    # set when the credit is a batch's over-payment (多缴) carried to the next year
    source_batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class LedgerEntry(Base):
    """台账: every amount, with what and why, so totals can always be re-derived.

    accounts: `grassroots_to_district` (a union owes its district), `district_to_centre` (a
    district owes the centre), `credit` (a district's settlement credit)."""

    __tablename__ = "ledger"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    cover_year: Mapped[int] = mapped_column(Integer, index=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    account: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(30))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    credit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(120), server_default="system")


class Voucher(Base):
    """缴费凭证: one of a batch's vouchers, never replaced (a district paying in two transfers has
    two); the file is kept in the database (every replica sees it). A withdrawn one (撤回, with a
    reason, before 核销) stays, marked, and no longer counts towards 已上传凭证金额."""

    __tablename__ = "vouchers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    withdraw_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Feedback(Base):
    """反馈: the centre's message to the district about a batch's payment."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    message: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))


class BankStatement(Base):
    """An imported bank statement (银行流水): the file's layout as recognised (JSON: the layout's
    code and name, each role's column, the file's kind and encoding), and the rows left out."""

    __tablename__ = "bank_statements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    line_count: Mapped[int] = mapped_column(Integer)
    matched_count: Mapped[int] = mapped_column(Integer)
    layout: Mapped[str] = mapped_column(String(40), server_default="template")
    recognised: Mapped[str] = mapped_column(Text, server_default="{}")
    skipped_rows: Mapped[str] = mapped_column(Text, server_default="[]")  # JSON: money out, not counted
    duplicate_count: Mapped[int] = mapped_column(Integer, server_default="0")


class StatementLine(Base):
    """A credit line of an imported statement. `fingerprint` (domain/statement_fingerprint.py)
    is unique among first sightings; a line seen before keeps `first_line_id`, the line it
    repeats, and is never matched."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        Index(
            "uq_statement_lines_fingerprint",
            "fingerprint",
            unique=True,
            postgresql_where=text("first_line_id IS NULL"),
            sqlite_where=text("first_line_id IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    payer: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(String(500))
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    reason_code: Mapped[str] = mapped_column(String(40))
    serial: Mapped[str] = mapped_column(String(100), server_default="")
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    first_line_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class OverdueNotice(Base):
    """A batch reported overdue: the primary key makes it happen once, whatever runs the job."""

    __tablename__ = "overdue_notices"
    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    due_fen: Mapped[int] = mapped_column(BigInteger)
    paid_fen: Mapped[int] = mapped_column(BigInteger)


class SentMail(Base):
    """The payment detail e-mail (集中参保缴费明细) of a batch, sent once."""

    __tablename__ = "sent_mail"
    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recipient: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    transport: Mapped[str] = mapped_column(String(20))
