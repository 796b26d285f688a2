"""The gateway's settings, typed, from the environment.

`load()` reads every setting at once into one frozen value; a caller takes what it needs from it.
It is called where a request needs a setting (not at import), so that a deployment and a test may
set the environment before the work that reads it. The keys (`GATEWAY_SECRET`, the internal
secret) are read by common/config.py's `secret()`, which makes them in the embedded mode."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Settings:
    # Session cookies only over HTTPS (off for a plain-HTTP machine of one's own: COOKIE_SECURE=0)
    cookie_secure: bool
    # how long a one-time link to set a password serves: activating a new account, 找回密码
    activation_link_ttl: timedelta
    reset_link_ttl: timedelta
    # an API login: its access token's life, and its session's absolute life (which bounds every
    # refresh; docs/decisions/0037-refresh-tokens.md)
    token_ttl: timedelta
    api_session_ttl: timedelta


def load() -> Settings:
    env = os.environ
    return Settings(
        cookie_secure=env.get("COOKIE_SECURE", "1") not in ("0", "false", "no"),
        activation_link_ttl=timedelta(hours=float(env.get("ACTIVATION_LINK_HOURS", "72"))),
        reset_link_ttl=timedelta(hours=float(env.get("RESET_LINK_HOURS", "2"))),
        token_ttl=timedelta(seconds=float(env.get("TOKEN_TTL_SECONDS", "900"))),
        api_session_ttl=timedelta(hours=float(env.get("API_SESSION_HOURS", "8"))),
    )
