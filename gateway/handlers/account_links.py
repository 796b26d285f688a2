"""One-time links to set a password: an account the centre made without one is activated by its
clerk from an e-mailed link, and 找回密码 sends the same kind of link (rules in
gateway/domain/links.py; docs/decisions/0035-activation-links.md). The link goes out as
`gateway.account.link_issued` through the outbox; the notifications service mails it.

Seam: `accounts.create_account` calls `issue` here to send a new account's activation link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update

from common import clock
from common.db import UoW
from common.errors import Rejected, Throttled, ValidationFailed
from gateway import auth, contracts, settings
from gateway.adapters import queries
from gateway.adapters.common_passwords import common_passwords
from gateway.adapters.orm import Account, AccountLink, ResetRequest
from gateway.domain import accounts as rules
from gateway.domain import links

# An account made without a password has this instead of a hash: no password verifies against it.
NO_PASSWORD = "!"
RESET_ANSWER = "如该用户名或邮箱已登记且账号可用，重设密码的链接已发送至其登记的邮箱，请在有效期内打开。"


class LinkInvalid(Rejected):
    code = "LINK_INVALID"
    message = links.INVALID_MESSAGE


class ResetThrottled(Throttled):
    code = "RESET_THROTTLED"
    message = "找回密码的请求过于频繁，请 1 小时后再试"


def awaiting_activation(account: Account) -> bool:
    return not account.active and account.password_hash == NO_PASSWORD


def issue(uow: UoW, account: Account, purpose: str, now: datetime | None = None, occasion: dict | None = None) -> None:
    """Make a link for the account (its older open links of any purpose are used up) and publish
    it for the mail, with the occasion's fields if any (contracts.registration_occasion); the
    caller commits. An account with no e-mail gets none."""
    if not account.email:
        return
    now = now or auth.utcnow()
    config = settings.load()
    _use_up(uow, account.id, now)
    token = links.new_token()
    expires_at = links.expires(purpose, now, config.activation_link_ttl, config.reset_link_ttl)
    uow.session.add(
        AccountLink(
            account_id=account.id,
            purpose=purpose,
            token_hash=links.token_hash(auth.gateway_secret(), token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    uow.publish(
        contracts.ACCOUNT_LINK_ISSUED,
        contracts.link_issued_data(
            account.id,
            account.username,
            account.display_name,
            account.email,
            purpose,
            token,
            clock.shanghai(expires_at).isoformat(),
            occasion,
            account.set_up_by,
        ),
    )


def _use_up(uow: UoW, account_id: int, now: datetime) -> None:
    uow.session.execute(
        update(AccountLink)
        .where(AccountLink.account_id == account_id, AccountLink.used_at.is_(None))
        .values(used_at=now)
    )


def request_reset(uow: UoW, login: str, ip: str) -> str:
    """找回密码: the same answer whether or not the name or address is known. An address may ask
    RESETS_PER_ADDRESS times an hour (then 429); one account is sent at most
    RESET_MAILS_PER_ACCOUNT links an hour (more requests are answered the same, and send none).
    An account awaiting activation gets a new activation link; a disabled one gets nothing."""
    now = auth.utcnow()
    since = now - links.RESET_WINDOW
    if not links.may_request_reset(queries.resets_from(uow.session, ip[:64], since)):
        raise ResetThrottled()
    named = queries.accounts_named(uow.session, login.strip()[:254]) if login.strip() else []
    uow.session.execute(delete(ResetRequest).where(ResetRequest.at < since))  # only the window counts
    uow.session.add(ResetRequest(ip=ip[:64], account_id=None, at=now))
    for account in named:
        if not (account.active or awaiting_activation(account)):
            continue
        if not links.may_mail_account(queries.resets_for(uow.session, account.id, since)):
            continue
        uow.session.add(ResetRequest(ip=ip[:64], account_id=account.id, at=now))
        issue(uow, account, links.ACTIVATE if awaiting_activation(account) else links.RESET, now)
    uow.commit()
    return RESET_ANSWER


def _open_link(uow: UoW, token: object) -> tuple[AccountLink, Account]:
    if not links.well_formed(token):
        raise LinkInvalid()
    link = queries.link_by_hash(uow.session, links.token_hash(auth.gateway_secret(), str(token)))
    account = uow.session.get(Account, link.account_id) if link else None
    if link is None or account is None or not links.usable(link.expires_at, link.used_at, auth.utcnow()):
        raise LinkInvalid()
    if link.purpose == links.RESET and not account.active:  # disabled since the link was sent
        raise LinkInvalid()
    return link, account


def link_facts(uow: UoW, token: object) -> dict:
    """What the page shows before the password is typed: whose account, why, until when."""
    link, account = _open_link(uow, token)
    return {
        "username": account.username,
        "display_name": account.display_name,
        "purpose": link.purpose,
        "expires_at": clock.shanghai(link.expires_at),
    }


def set_password(uow: UoW, token: object, password: str) -> Account:
    """设置密码 by a link: the policy holds (length, kinds, not the user's names, not a common
    one); the account is activated if the link was an activation, the link and every other open
    one of the account are used up, and every session of the account ends."""
    link, account = _open_link(uow, token)
    problems = rules.password_errors(password, account.username, account.display_name, common_passwords())
    if problems:
        raise ValidationFailed({"new_password": problems})
    now = auth.utcnow()
    account.password_hash = auth.hash_password(password)
    account.password_changed_at = now
    if link.purpose == links.ACTIVATE:
        account.active = True
    _use_up(uow, account.id, now)
    auth.end_every_session(uow.session, account)
    uow.commit()
    return account
