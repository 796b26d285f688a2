"""The notifications service's own settings, from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def gateway_url() -> str:
    """Where the gateway answers the services' internal calls (the addresses of accounts)."""
    return _env("GATEWAY_URL", "http://127.0.0.1:8000")


@dataclass(frozen=True)
class MailSettings:
    """SMTP_HOST unset: the embedded mode writes each mail as an .eml file under DATA_DIR/mail."""
    host: str = field(default_factory=lambda: _env("SMTP_HOST", ""))
    port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "25")))
    user: str = field(default_factory=lambda: _env("SMTP_USER", ""))
    password: str = field(default_factory=lambda: _env("SMTP_PASSWORD", ""))
    starttls: bool = field(default_factory=lambda: _env("SMTP_STARTTLS", "0") in ("1", "true", "yes"))
    sender: str = field(default_factory=lambda: _env("MAIL_FROM", "noreply@zhibao.example.cn"))
    timeout: float = field(default_factory=lambda: float(_env("SMTP_TIMEOUT", "20")))
    # how long a sender holds mail it claimed before another may take it (crash safety)
    lease_seconds: int = field(default_factory=lambda: int(_env("MAIL_LEASE_SECONDS", "300")))
    connections: int = field(default_factory=lambda: max(1, int(_env("MAIL_CONNECTIONS", "4"))))
    retry_max_seconds: int = field(default_factory=lambda: int(_env("MAIL_RETRY_MAX_SECONDS", "600")))
