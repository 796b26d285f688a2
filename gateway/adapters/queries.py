"""The gateway's reads: the repository its handlers ask instead of writing queries of their own
(accounts, a person's login sessions, the audit trail, the addresses notifications mail to)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from gateway.adapters.orm import (
    Account,
    AccountLink,
    AuditRecord,
    ClerkHandover,
    RegistrationRequest,
    ResetRequest,
    VerificationRequest,
    WebSession,
)


def accounts(
    session: Session,
    q: str | None = None,
    role: str | None = None,
    union_id: int | None = None,
    district_id: int | None = None,
    page: int = 1,
    per_page: int = 100,
) -> tuple[int, list[Account]]:
    """账号管理's list, a page of it, newest first: the clerks' accounts (a member's, made by
    个人登录, is not one to manage); `q` a part of the user name or display name. A city has
    ~100,000 clerks' accounts (工会批量导入): never the whole list in one answer."""
    query = select(Account).where(Account.role != "member")
    if q:
        query = query.where(
            Account.username.contains(q, autoescape=True) | Account.display_name.contains(q, autoescape=True)
        )
    if role:
        query = query.where(Account.role == role)
    if union_id:
        query = query.where(Account.union_id == union_id)
    if district_id:
        query = query.where(Account.district_id == district_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Account.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return total, list(rows)


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(Account.id).where(Account.username == username)) is not None


def sessions_alive(session: Session, account_id: int, now: datetime) -> list[WebSession]:
    """The account's session rows not yet expired (whether the epoch still holds is the caller's)."""
    return list(
        session.scalars(select(WebSession).where(WebSession.account_id == account_id, WebSession.expires_at > now))
    )


def session_ids(session: Session, account_id: int) -> list[str]:
    return list(session.scalars(select(WebSession.id).where(WebSession.account_id == account_id)))


def audit_page(
    session: Session, page: int, per_page: int, username: str | None = None
) -> tuple[int, list[AuditRecord]]:
    """One page of the audit trail, newest first, with the count of all that match."""
    query = select(AuditRecord)
    if username:
        query = query.where(AuditRecord.username == username)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditRecord.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return total, list(rows)


def mailable_accounts(
    session: Session, role: str, union_ids: list[int] | None = None, district_ids: list[int] | None = None
) -> list[Account]:
    """Active accounts of a role with an e-mail address, of these unions or districts if given."""
    query = select(Account).where(Account.role == role, Account.active.is_(True), Account.email.is_not(None))
    if union_ids is not None:
        query = query.where(Account.union_id.in_(union_ids))
    if district_ids is not None:
        query = query.where(Account.district_id.in_(district_ids))
    return list(session.scalars(query.order_by(Account.id)))


def link_by_hash(session: Session, token_hash: str) -> AccountLink | None:
    return session.scalar(select(AccountLink).where(AccountLink.token_hash == token_hash))


def accounts_named(session: Session, login: str, limit: int = 5) -> list[Account]:
    """The account a 找回密码 names: by user name, or (with an @) every account with that e-mail."""
    if "@" in login:
        query = select(Account).where(func.lower(Account.email) == login.lower())
    else:
        query = select(Account).where(Account.username == login)
    return list(session.scalars(query.order_by(Account.id).limit(limit)))


def registrations_from(session: Session, ip: str, since: datetime) -> int:
    """组织注册 submissions from an address since a moment."""
    query = select(func.count()).where(RegistrationRequest.ip == ip, RegistrationRequest.at >= since)
    return session.scalar(query) or 0


def verifications_from(session: Session, ip: str, since: datetime) -> int:
    """参保凭证 verifications asked from an address since a moment."""
    query = select(func.count()).where(VerificationRequest.ip == ip, VerificationRequest.at >= since)
    return session.scalar(query) or 0


def resets_from(session: Session, ip: str, since: datetime) -> int:
    """找回密码 requests from an address (one row each, the row without an account)."""
    query = select(func.count()).where(
        ResetRequest.ip == ip, ResetRequest.account_id.is_(None), ResetRequest.at >= since
    )
    return session.scalar(query) or 0


def resets_for(session: Session, account_id: int, since: datetime) -> int:
    """Links sent to an account by 找回密码 (a row each, with the account)."""
    return (
        session.scalar(select(func.count()).where(ResetRequest.account_id == account_id, ResetRequest.at >= since)) or 0
    )


def union_clerks(session: Session, union_id: int, lock: bool = False) -> list[Account]:
    """A union's clerks now: its grassroots accounts that are active or awaiting activation (no
    password yet, "!"); `lock` holds them (FOR UPDATE) so two handovers of one union queue."""
    query = (
        select(Account)
        .where(Account.role == "grassroots", Account.union_id == union_id)
        .where((Account.active.is_(True)) | (Account.password_hash == "!"))
        .order_by(Account.id)
    )
    return list(session.scalars(query.with_for_update() if lock else query))


def handovers_of(session: Session, union_id: int) -> list[ClerkHandover]:
    query = select(ClerkHandover).where(ClerkHandover.union_id == union_id).order_by(ClerkHandover.at, ClerkHandover.id)
    return list(session.scalars(query))


def clerk_accounts(
    session: Session, district_id: int | None, awaiting: str | None, page: int, per_page: int
) -> tuple[int, list[Account]]:
    """(how many, a page of) the grassroots accounts of a district's unions (every one's for None),
    by union; `awaiting`: only the inactive ones holding that no-password marker (待激活)."""
    query = select(Account).where(Account.role == "grassroots")
    if district_id is not None:
        query = query.where(Account.district_id == district_id)
    if awaiting is not None:
        query = query.where(Account.active.is_(False), Account.password_hash == awaiting)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Account.union_id, Account.id).offset((page - 1) * per_page).limit(per_page))
    return total, list(rows)


def handover_replacing(session: Session, account: Account) -> ClerkHandover | None:
    """The handover that disabled this account (its union's newest naming it replaced), or None."""
    if account.role != "grassroots" or account.union_id is None:
        return None
    for row in reversed(handovers_of(session, account.union_id)):
        if any(old.get("account_id") == account.id for old in json.loads(row.replaced)):
            return row
    return None


# ------------------------------------------------------------------ a district's clerks (基层工会 page)


def _clerks_of_district(district_id: int):
    return Account.role == "grassroots", Account.district_id == district_id, Account.union_id.is_not(None)


def clerk_filters(no_password: str) -> dict:
    """Per union (its grassroots accounts grouped): 未激活 — none active, one awaiting activation
    (made without a password); 从未登录 — none has ever logged in."""
    return {
        "inactive": and_(
            func.sum(case((Account.active, 1), else_=0)) == 0,
            func.sum(case((Account.password_hash == no_password, 1), else_=0)) > 0,
        ),
        "never_logged_in": func.max(Account.last_login_at).is_(None),
    }


def clerk_union_page(session: Session, district_id: int, condition, page: int, per_page: int) -> tuple[int, list[int]]:
    """(how many, one page of) the district's unions whose clerk accounts meet `condition`, in the
    order their first account was made."""
    grouped = (
        select(Account.union_id, func.min(Account.created_at).label("first"))
        .where(*_clerks_of_district(district_id))
        .group_by(Account.union_id)
        .having(condition)
        .subquery()
    )
    total = session.scalar(select(func.count()).select_from(grouped)) or 0
    ids = session.scalars(
        select(grouped.c.union_id)
        .order_by(grouped.c.first, grouped.c.union_id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return total, list(ids)


def clerk_union_count(session: Session, district_id: int, condition) -> int:
    grouped = (
        select(Account.union_id).where(*_clerks_of_district(district_id)).group_by(Account.union_id).having(condition)
    ).subquery()
    return session.scalar(select(func.count()).select_from(grouped)) or 0


def clerks_of_unions(session: Session, district_id: int, union_ids: list[int]) -> list[Account]:
    """The grassroots accounts of these unions of the district (a page's: bounded by its ids)."""
    if not union_ids:
        return []
    return list(
        session.scalars(
            select(Account)
            .where(*_clerks_of_district(district_id), Account.union_id.in_(union_ids))
            .order_by(Account.union_id, Account.id)
        )
    )
