"""The billing service's own settings, from the environment (defaults from SPEC §4)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from common.smtp import MailSettings  # noqa: F401 (billing's mail reads it from here)


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Payee:
    """Where districts pay (收款账户), shown on notices and in the payment detail."""
    account_name: str = field(default_factory=lambda: _env("BILLING_PAYEE_NAME", "上海市职工保障互助中心会员专享保障专户"))
    account_no: str = field(default_factory=lambda: _env("BILLING_PAYEE_ACCOUNT", "316023-03002745697"))
    bank: str = field(default_factory=lambda: _env("BILLING_PAYEE_BANK", "上海银行人民广场支行"))


def voucher_max_bytes() -> int:
    return int(_env("BILLING_VOUCHER_MAX_BYTES", str(10 * 1024 * 1024)))
