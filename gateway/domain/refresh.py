"""Refresh tokens, with no I/O (docs/decisions/0037-refresh-tokens.md).

An API login gets a short access token (a signed JWT, 15 minutes) and a refresh token (256 random
bits) bound to the same session row. `POST /api/v1/auth/refresh` trades a refresh token for a new
pair; the token it used is spent. Only a keyed hash of each refresh token is stored. Presenting a
spent token again means two parties hold the session's refresh token (a copy was stolen, or a
client replays): the whole session ends, the legitimate holder included — the standard reuse
detection. The session row bounds everything: when it ends (logout, ended by its owner, every
account change that ends sessions, its absolute lifetime) its refresh tokens go with it."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from enum import Enum

# made and checked as the one-time links' tokens are (256 random bits, URL-safe; read up to 100)
from gateway.domain.links import new_token, well_formed

__all__ = ["Verdict", "access_lifetime", "judge", "new_token", "session_live", "token_hash", "well_formed"]


class Verdict(Enum):
    ROTATE = "rotate"  # a live session's unspent token: spend it, issue a new pair
    INVALID = "invalid"  # never issued, or its session is gone (and its tokens with it)
    REUSED = "reused"  # spent before: end the whole session
    ENDED = "ended"  # its session has expired or its account changed: log in again


def token_hash(key: str, token: str) -> str:
    """What is stored of a refresh token: its HMAC-SHA256 under the gateway's key, in hex (another
    prefix than a link's, so neither can stand for the other)."""
    return hmac.new(key.encode(), ("refresh-token:" + token).encode(), hashlib.sha256).hexdigest()


def session_live(expires_at: datetime, now: datetime, active: bool, epoch: int, account_epoch: int) -> bool:
    """The session a refresh token belongs to still stands (the same test as every request's)."""
    return now < expires_at and active and epoch == account_epoch


def judge(found: bool, spent: bool, live: bool) -> Verdict:
    """What to do with a presented refresh token. Reuse is judged before liveness: a spent token
    shown for an expired session still ends what is left of it."""
    if not found:
        return Verdict.INVALID
    if spent:
        return Verdict.REUSED
    if not live:
        return Verdict.ENDED
    return Verdict.ROTATE


def access_lifetime(now: datetime, token_ttl: timedelta, session_expires_at: datetime) -> timedelta:
    """An access token lives its TTL, never past its session's absolute end (and never less than 0)."""
    return max(timedelta(0), min(token_ttl, session_expires_at - now))
