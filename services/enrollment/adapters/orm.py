"""The enrollment service's tables (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.messaging_tables import add_messaging_tables
from services.enrollment.adapters.id_numbers import FIELD as ID_NUMBER
from services.enrollment.adapters.id_numbers import SealedAsReceived


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


# ------------------------------------------------------------------ cover years (保障年度)


class CoverYearRow(Base):
    """保障年度: the timeline the centre configured (all dates Asia/Shanghai, inclusive)."""

    __tablename__ = "cover_year"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    split_start: Mapped[date] = mapped_column(Date)
    split_end: Mapped[date] = mapped_column(Date)
    grassroots_start: Mapped[date] = mapped_column(Date)
    grassroots_end: Mapped[date] = mapped_column(Date)
    district_review_start: Mapped[date] = mapped_column(Date)
    district_review_end: Mapped[date] = mapped_column(Date)
    district_submit_start: Mapped[date] = mapped_column(Date)
    district_submit_end: Mapped[date] = mapped_column(Date)
    card_cutoff: Mapped[date] = mapped_column(Date)
    cover_start: Mapped[date] = mapped_column(Date)
    cover_end: Mapped[date] = mapped_column(Date)
    payment_deadline: Mapped[date] = mapped_column(Date)
    claims_deadline: Mapped[date] = mapped_column(Date)
    # 即时参保划款期限: days after an instant submission (union) or JB batch (district) to pay (0018)
    instant_payment_days: Mapped[int] = mapped_column(Integer, server_default="15", default=15)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


# ------------------------------------------------------------------ read models of other services


class MemberView(Base):
    """Read model of members' member snapshots (members.member.*): what eligibility needs."""

    __tablename__ = "member_view"
    member_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    district_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    id_type: Mapped[str] = mapped_column(String(20))
    # the ID number, never in clear (adapters/id_numbers.py): as members sealed it, its blind index, masked
    id_sealed: Mapped[str] = mapped_column(SealedAsReceived(ID_NUMBER))
    id_index: Mapped[str] = mapped_column(String(48))
    id_masked: Mapped[str] = mapped_column(String(40))
    member_no: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    card_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    card_issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    card_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    removed: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_member_view_union_eligible", "union_id", "status", "card_issued_on"),
        # the confirmation list pages a union's members in member order (migration e4b9c2d7a318)
        Index("ix_member_view_union_member", "union_id", "member_id"),
        Index("ix_member_view_id_index", "id_index"),
        Index("ix_member_view_member_no", "member_no"),
    )


class MemberMove(Base):
    """A member's newest move, from members' events: `joined` (approved into a union), `moved_in`
    (transferred in, from `previous_union_id` if any), `left` (transferred out, with `reason`).
    This year against last year says with it why a member is new or gone (decision 0043)."""

    __tablename__ = "member_move"
    member_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(20))
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    previous_union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    moved_on: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)


class CreditView(Base):
    """Read model of billing.credit.available: a district's settlement credit (清算分配款 /
    会员计划退回金额) still available against a cover year."""

    __tablename__ = "credit_view"
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    available_fen: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)


# ------------------------------------------------------------------ enrolment


class TypeChoice(Base):
    """保障类型 chosen by a union for a cover year: once chosen, its only type that year."""

    __tablename__ = "type_choice"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    union_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(4))
    chosen_at: Mapped[datetime] = mapped_column(DateTime)
    chosen_by: Mapped[str] = mapped_column(String(100))


class Batch(Base):
    """参保批次: what a district submitted to the centre in one go. Its contents never change."""

    __tablename__ = "batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(20), unique=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    headcount: Mapped[int] = mapped_column(Integer)
    headcount_by_type: Mapped[dict] = mapped_column(JSON)
    handler_name: Mapped[str] = mapped_column(String(50))
    handler_phone: Mapped[str] = mapped_column(String(30))
    handler_email: Mapped[str] = mapped_column(String(254))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # From billing's events.
    premium_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    city_subsidy_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    union_share_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    credit_applied_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    due_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    pay_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    voucher_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Billing's words for its payment status (the events' `payment_status_text`); null until
    # billing has said one, when this service's own name of `status` stands in.
    payment_status_text: Mapped[str | None] = mapped_column(String(40), nullable=True)
    feedback_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    written_off_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class BatchCounter(Base):
    """The last batch sequence used per prefix and day; locked FOR UPDATE while numbering, so
    numbers are unique and gap-free under concurrent submissions."""

    __tablename__ = "batch_counter"
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Submission(Base):
    """参保提交: one submission of a union's enrolment to its district (集中 or 即时)."""

    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    union_id: Mapped[int] = mapped_column(Integer, index=True)
    district_id: Mapped[int] = mapped_column(Integer)
    cover_year: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    type: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(20))
    headcount: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict] = mapped_column(JSON)
    sequence: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"), nullable=True, index=True)
    # Billing's figures for this submission (billing.submission.priced): the one source of its
    # amounts on every screen; null until billing has priced it (计价中).
    premium_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    city_subsidy_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    district_share_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    grassroots_share_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    pay_by: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (Index("ix_submission_district_status", "district_id", "cover_year", "mode", "status"),)


class Cover(Base):
    """One member's cover in a cover year (参保记录), a snapshot taken at submission. While
    pending or granted it holds the member's place: the partial unique index makes the database
    refuse a second one, whichever union or mode tries."""

    __tablename__ = "cover"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(BigInteger)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    union_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    id_type: Mapped[str] = mapped_column(String(20))
    # copied from member_view as they were (the ciphertext is not opened to copy it)
    id_sealed: Mapped[str] = mapped_column(SealedAsReceived(ID_NUMBER))
    id_index: Mapped[str] = mapped_column(String(48))
    id_masked: Mapped[str] = mapped_column(String(40))
    card_number: Mapped[str] = mapped_column(String(40))
    cover_start: Mapped[date] = mapped_column(Date)
    cover_end: Mapped[date] = mapped_column(Date)
    price_class: Mapped[str] = mapped_column(String(30))

    __table_args__ = (
        Index(
            "uq_cover_member_active",
            "cover_year",
            "member_id",
            unique=True,
            postgresql_where=text("status IN ('pending', 'granted')"),
            sqlite_where=text("status IN ('pending', 'granted')"),
        ),
        Index("ix_cover_union_year", "union_id", "cover_year"),
        Index("ix_cover_id_index", "id_index"),  # 职工保障查询
    )


class CoverLookup(Base):
    """职工保障查询 audit: who looked up whose cover (by ID or member number), when, found or not."""

    __tablename__ = "cover_lookup"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    district_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    by: Mapped[str] = mapped_column(String(20))  # id_number | member_no | bulk
    # the member number asked, or the ID number asked masked; an ID number also sealed and indexed,
    # so that who looked a person up can be found (by the index) without keeping it in clear
    asked: Mapped[str] = mapped_column(String(40), index=True)
    asked_sealed: Mapped[str | None] = mapped_column(SealedAsReceived(ID_NUMBER), nullable=True)
    asked_index: Mapped[str | None] = mapped_column(String(48), nullable=True, index=True)
    found: Mapped[bool] = mapped_column(Boolean)
    request_id: Mapped[str] = mapped_column(String(64))


class CoverRequest(Base):
    """个人参保申请 (有卡无保, decision 0045): a member asked their union to cover them for a year.
    The union's 即时参保 submission that names them moves it on; one open request per member and year."""

    __tablename__ = "cover_request"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(BigInteger)
    union_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))
    asked_at: Mapped[datetime] = mapped_column(DateTime)
    asked_by: Mapped[str] = mapped_column(String(100))
    submission_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the union's, when declined
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index(
            "uq_cover_request_open",
            "cover_year",
            "member_id",
            unique=True,
            postgresql_where=text("state IN ('asked', 'submitted')"),
            sqlite_where=text("state IN ('asked', 'submitted')"),
        ),
        Index("ix_cover_request_union_year", "union_id", "cover_year"),
        Index("ix_cover_request_member", "member_id"),
    )
