"""Where every service's e-mail goes: the SMTP settings, from the environment. SMTP_HOST unset:
the embedded mode writes each mail as an .eml file under DATA_DIR/mail instead."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class MailSettings:
    host: str = field(default_factory=lambda: _env("SMTP_HOST", ""))
    port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "25")))
    user: str = field(default_factory=lambda: _env("SMTP_USER", ""))
    password: str = field(default_factory=lambda: _env("SMTP_PASSWORD", ""))
    starttls: bool = field(default_factory=lambda: _env("SMTP_STARTTLS", "0") in ("1", "true", "yes"))
    sender: str = field(default_factory=lambda: _env("MAIL_FROM", "noreply@zhibao.example.cn"))
    timeout: float = field(default_factory=lambda: float(_env("SMTP_TIMEOUT", "20")))
