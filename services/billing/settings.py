"""The billing service's own settings, from the environment (defaults from SPEC §4)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Payee:
    """Where districts pay (收款账户), shown on notices and in the payment detail."""
    account_name: str = field(default_factory=lambda: _env("BILLING_PAYEE_NAME", "上海市职工保障互助中心会员专享保障专户"))
    account_no: str = field(default_factory=lambda: _env("BILLING_PAYEE_ACCOUNT", "316023-03002745697"))
    bank: str = field(default_factory=lambda: _env("BILLING_PAYEE_BANK", "上海银行人民广场支行"))


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


def voucher_max_bytes() -> int:
    return int(_env("BILLING_VOUCHER_MAX_BYTES", str(10 * 1024 * 1024)))
