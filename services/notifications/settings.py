"""The notifications service's settings, typed, from the environment.

`load()` reads every setting at once into one frozen value (decision 0029); it is called where a
message, a job or a request needs a setting (not at import), so a deployment or a test may set the
environment first."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from common import smtp


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class MailSettings(smtp.MailSettings):
    """The SMTP settings every service uses, and how this service's mailer paces itself."""

    # how long a sender holds mail it claimed before another may take it (crash safety)
    lease_seconds: int = field(default_factory=lambda: int(_env("MAIL_LEASE_SECONDS", "300")))
    connections: int = field(default_factory=lambda: max(1, int(_env("MAIL_CONNECTIONS", "4"))))
    retry_max_seconds: int = field(default_factory=lambda: int(_env("MAIL_RETRY_MAX_SECONDS", "600")))


@dataclass(frozen=True)
class Settings:
    gateway_url: str  # where the gateway answers the services' internal calls (the addresses of accounts)
    mail: MailSettings


def load() -> Settings:
    return Settings(gateway_url=_env("GATEWAY_URL", "http://127.0.0.1:8000"), mail=MailSettings())
