"""The gateway's own tables: accounts, login sessions (browser cookies and bearer tokens alike),
failed logins, audit, and its outbox (what it publishes, committed with the change)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, Text
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


class Account(Base):
    """A person's login, bound to a role and its scope (a union or a district)."""

    __tablename__ = "accounts"
    __table_args__ = (Index("ix_accounts_district_id_role", "district_id", "role"),)  # a district's clerks
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    district_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)  # where notifications are mailed
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime)
    # Bumped by whatever must end every session at once (password, disabling, role or scope): a
    # session is valid only while it carries the account's current epoch.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A `member` account (个人登录, decision 0041): the member it is, made at their first sign-in
    # by a one-time code; it has no password (NO_PASSWORD) and no e-mail.
    member_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    # Who set the account up, in words, for its mails (its district, for a clerk its district
    # approved or named); None: 市职保中心 (docs/decisions/0040-clerk-handover.md).
    set_up_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # When a session (cookie or token) last began with the password: the district's 基层工会 page.
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class WebSession(Base):
    """One login: a browser session (the cookie holds only the random id) or a bearer token (its
    `sid` claim). Every authenticated request reads its row, joined with the account; logout,
    "end this session" and every account change that ends sessions delete it."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(10), default="cookie", server_default="cookie")  # cookie | bearer
    epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # the account's, at login
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # expired rows go at each login
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RefreshToken(Base):
    """A refresh token of a bearer session, kept only as its keyed hash (gateway/domain/refresh.py).
    `spent_at` is set when it is traded for a new pair; showing it again ends the session. The rows
    go with their session (ON DELETE CASCADE): every way a session ends ends its refresh tokens."""

    __tablename__ = "refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), ForeignKey("web_sessions.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    spent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LoginFailure(Base):
    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class RegistrationRequest(Base):
    """One submission of the public 组织注册 form, by the address it came from: what the
    per-address limit counts (gateway/domain/registration.py)."""

    __tablename__ = "registration_requests"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class VerificationRequest(Base):
    """One request of the public 参保凭证 verification page, by the address it came from: what
    the per-address limit counts (gateway/domain/verification.py)."""

    __tablename__ = "verification_requests"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class AuditRecord(Base):
    """Who did what, when, with which outcome: every state-changing request and every login."""

    __tablename__ = "audit_records"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    district_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What was acted on, in words, as the service that did it named it (会员 张三（3101****…）).
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Why it was refused or failed: the message the person was shown.
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)


class AccountLink(Base):
    """A one-time link to set an account's password (activate a new account, or 找回密码). Only a
    keyed hash of its token is kept (gateway/domain/links.py): the token itself is in the e-mail."""

    __tablename__ = "account_links"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # activate | reset
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ResetRequest(Base):
    """One 找回密码 request, by the address it came from and the account it named (None when it
    named none): what the per-address and per-account limits count."""

    __tablename__ = "reset_requests"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class MemberCode(Base):
    """A one-time sign-in code (个人登录, gateway/domain/member_codes.py): one row per request,
    whether or not the ID number and mobile matched a member (`member_id` None then: no code was
    sent, and none signs in). Only the code's keyed hash and the asker's keyed hash are kept."""

    __tablename__ = "member_codes"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash of the ID number typed
    ip: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ClerkHandover(Base):
    """代办员变更: one row per change of a union's clerk, never updated (the union's history is
    read from these rows, gateway/domain/handover.py). `replaced` is the JSON list of the
    accounts disabled by it ({account_id, username, display_name, since}); the new clerk's mobile
    is kept masked only (the gateway holds no PII keys)."""

    __tablename__ = "clerk_handovers"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    union_id: Mapped[int] = mapped_column(Integer, index=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    by_username: Mapped[str] = mapped_column(String(64))
    by_role: Mapped[str] = mapped_column(String(20))
    by_words: Mapped[str] = mapped_column(String(300))
    new_account_id: Mapped[int] = mapped_column(Integer, index=True)
    new_username: Mapped[str] = mapped_column(String(64))
    new_display_name: Mapped[str] = mapped_column(String(100))
    new_mobile_masked: Mapped[str] = mapped_column(String(20))
    new_email: Mapped[str] = mapped_column(String(254))
    replaced: Mapped[str] = mapped_column(Text)


messaging = add_messaging_tables(Base.metadata)
