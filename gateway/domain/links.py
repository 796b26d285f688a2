"""One-time links to set a password, with no I/O: activating an account the centre made without
a password, and 找回密码 (docs/decisions/0035-activation-links.md).

A link carries a random token (256 bits, URL-safe); the gateway keeps only its keyed hash
(HMAC-SHA256 with the gateway's secret), so neither a copy of the database nor the secret alone
gives a working link. A link serves once, until it expires, and only while it is the account's
newest of its purpose; setting the password uses up every open link of the account."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

ACTIVATE, RESET = "activate", "reset"
PURPOSES = (ACTIVATE, RESET)
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100  # what is read of a token someone sends (43 characters are made)
# 找回密码: how many requests an address may make, and how many mails one account may be sent, in
# the window; past the first, more requests are refused (429), past the second no more mail goes
# (and the answer stays the same, so it tells nothing of the account).
RESET_WINDOW = timedelta(hours=1)
RESETS_PER_ADDRESS = 5
RESET_MAILS_PER_ACCOUNT = 3
INVALID_MESSAGE = "该链接无效、已使用或已过期，请重新申请（登录页“找回密码”）或联系市职保中心"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(key: str, token: str) -> str:
    """What is stored of a token: its HMAC-SHA256 under the gateway's key, in hex."""
    return hmac.new(key.encode(), ("account-link:" + token).encode(), hashlib.sha256).hexdigest()


def well_formed(token: object) -> bool:
    """A token as made (URL-safe base64), checked before any lookup; no regular expression."""
    return (
        isinstance(token, str)
        and 20 <= len(token) <= MAX_TOKEN_LENGTH
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in token)
    )


def usable(expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    return used_at is None and now < expires_at


def expires(purpose: str, now: datetime, activate_ttl: timedelta, reset_ttl: timedelta) -> datetime:
    return now + (activate_ttl if purpose == ACTIVATE else reset_ttl)


def may_request_reset(requests_from_address: int) -> bool:
    return requests_from_address < RESETS_PER_ADDRESS


def may_mail_account(mails_to_account: int) -> bool:
    return mails_to_account < RESET_MAILS_PER_ACCOUNT
