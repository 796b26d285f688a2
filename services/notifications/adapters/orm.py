"""The notifications service's tables (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, DateTime, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.messaging_tables import add_messaging_tables

_BigId = BigInteger().with_variant(Integer(), "sqlite")


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


class Notification(Base):
    """One message to one audience: the accounts of a grassroots union (`union`), of a district
    (`district`), or the centre (`centre`). `cause` names why it exists (an event id, a reminder
    key); (cause, audience, audience_id) is unique, so a cause notifies an audience once."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    cause: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(10))
    audience_id: Mapped[int] = mapped_column(Integer)  # union_id / district_id; 0 for the centre
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("cause", "audience", "audience_id", name="uq_notification_cause"),
        Index("ix_notification_audience", "audience", "audience_id", "id"),
    )


class NotificationRead(Base):
    """An account (by username) has read a notification."""

    __tablename__ = "notification_read"
    notification_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime)


class Mail(Base):
    """The e-mail of a notification, waiting to be sent. Written with the notification (same
    transaction); a sender claims it for a while (`claimed_until`), sends with no transaction
    open, then marks it sent. A failed send is tried again later (`next_attempt_at`)."""

    __tablename__ = "mail"
    notification_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(12))  # pending | sent | no_recipient
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    recipients: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_mail_due", "state", "next_attempt_at"),)


class BatchView(Base):
    """What a batch's later events need: its number, district, year and unions (from
    enrollment.batch.submitted; billing's batch events carry only the batch id)."""

    __tablename__ = "batch_view"
    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    batch_no: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int] = mapped_column(Integer)
    cover_year: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20))
    union_ids: Mapped[list] = mapped_column(JSON)


class CoverYearView(Base):
    """The deadlines of a cover year (enrollment.cover_year.configured), for the reminders."""

    __tablename__ = "cover_year_view"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deadlines: Mapped[dict] = mapped_column(JSON)  # key → ISO date
    version: Mapped[int] = mapped_column(Integer)


class ReminderSetting(Base):
    """How many days before each deadline a cover year reminds (default 7, 3, 1)."""

    __tablename__ = "reminder_setting"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    days_before: Mapped[list] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Reminder(Base):
    """A reminder recorded before it is sent: one per (year, deadline, days before, audience).
    The key is the primary key, so two job processes, or one restarted, never remind twice."""

    __tablename__ = "reminder"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deadline: Mapped[str] = mapped_column(String(40), primary_key=True)
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    audience: Mapped[str] = mapped_column(String(10), primary_key=True)
    audience_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deadline_date: Mapped[date] = mapped_column(Date)
    notification_id: Mapped[int] = mapped_column(BigInteger)
    sent_by: Mapped[str] = mapped_column(String(100))  # "job" or the centre user who sent it by hand
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReminderPass(Base):
    """A reminder pass done (year, deadline, days before): the job asks enrollment once per pass,
    not on every run."""

    __tablename__ = "reminder_pass"
    cover_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deadline: Mapped[str] = mapped_column(String(40), primary_key=True)
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reminded: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime] = mapped_column(DateTime)
