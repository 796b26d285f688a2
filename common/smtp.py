"""Where every service's e-mail goes: the SMTP settings, from the environment. SMTP_HOST unset:
the embedded mode writes each mail as an .eml file under DATA_DIR/mail instead."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urljoin

from common.clock import SHANGHAI


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
    # where people open the system: every link in an e-mail is absolute from here
    public_base_url: str = field(default_factory=lambda: _env("PUBLIC_BASE_URL", "http://localhost:8000"))

    def absolute(self, link: str) -> str:
        """A page's path (/union/enrolment) as the address a person clicks in an e-mail."""
        return urljoin(self.public_base_url.rstrip("/") + "/", (link or "/").lstrip("/"))


def date_header() -> str:
    """An e-mail's Date in Asia/Shanghai (+0800), as every time people read, never UTC."""
    return format_datetime(datetime.now(SHANGHAI))
