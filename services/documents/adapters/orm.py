"""The documents service's tables (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
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


class CoverYearView(Base):
    """Read model of a cover year's dates (保障年度), from enrollment.cover_year.configured."""

    __tablename__ = "cover_year_view"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    grassroots_deadline: Mapped[date] = mapped_column(Date)
    cover_start: Mapped[date] = mapped_column(Date)
    cover_end: Mapped[date] = mapped_column(Date)
    payment_deadline: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    # 即时参保划款期限 (decision 0018): only a fallback when billing's event has no pay-by
    instant_payment_days: Mapped[int] = mapped_column(Integer, server_default="15", default=15)


class SubmissionView(Base):
    """A grassroots submission (基层提交) as enrollment and billing told it. Either half may arrive
    first; the notice is rendered when both are here (docs/events.md, documents)."""

    __tablename__ = "submission_view"
    submission_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    union_id: Mapped[int] = mapped_column(Integer, index=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    cover_type: Mapped[str] = mapped_column(String(2))
    # enrollment.submission.submitted (the whole event's data, once it came)
    submitted: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # billing.submission.priced
    priced: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    grassroots_owes_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    returned: Mapped[bool] = mapped_column(Boolean, default=False)
    # enrollment.submission.returned: when (naive UTC) and why, so a notice of a later
    # submission whose figures counted this one can leave it out (decision 0034)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    return_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    batch_no: Mapped[str | None] = mapped_column(String(30), nullable=True)
    notice_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # input_key of its rendered notice


class BatchView(Base):
    """A district's batch (参保批次) as enrollment and billing told it."""

    __tablename__ = "batch_view"
    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    batch_no: Mapped[str] = mapped_column(String(30))
    submitted: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    priced: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Document(Base):
    """One stored version of a document: the bytes as rendered once, their hash, and its scope.

    `series` names the document across versions (a union's notice for a year; a batch's notice);
    a new version is stored only when the content's input differs from the latest one's."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("series", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    series: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(50))  # what caused it: submission / batch id
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    district_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    input_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # a withdrawn (作废) version is kept, never served as the current one (decision 0034)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)


class CoverView(Base):
    """One member's cover in one submission (参保凭证's facts), from enrollment.covers.recorded.
    Its state is its submission's outcome (CoverOutcomeView), read when asked, so the order in
    which the events arrive does not matter."""

    __tablename__ = "cover_view"
    submission_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    cover_year: Mapped[int] = mapped_column(Integer)
    union_id: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int] = mapped_column(Integer)
    cover_type: Mapped[str] = mapped_column(String(4))
    mode: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    cover_start: Mapped[date] = mapped_column(Date)
    cover_end: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_cover_view_member_year", "member_id", "cover_year"),)


class CoverOutcomeView(Base):
    """What became of a submission's covers (enrollment.cover.granted / .failed with its batch,
    enrollment.submission.returned); no row: pending. A failed or returned one is final."""

    __tablename__ = "cover_outcome_view"
    submission_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    outcome: Mapped[str] = mapped_column(String(20))
    batch_no: Mapped[str | None] = mapped_column(String(30), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Certificate(Base):
    """One 参保凭证 issued: whose cover (member, year, submission) and who downloaded it when. Only
    the SHA-256 of its verification code is kept (domain/certificates.py); the PDF is not kept
    (it holds the code in clear), every download issues a new certificate."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(BigInteger, index=True)
    cover_year: Mapped[int] = mapped_column(Integer)
    submission_id: Mapped[int] = mapped_column(Integer)
    union_id: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_role: Mapped[str] = mapped_column(String(20))
    verified_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
