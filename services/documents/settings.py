"""Settings of the documents service, from the environment (defaults as the guide gives them)."""
from __future__ import annotations

import os

from services.documents.domain.notices import BankAccount

DEFAULT_BANK = BankAccount(name="上海市职工保障互助中心会员专享保障专户", number="316023-03002745697",
                           bank="上海银行人民广场支行")


def _setting(*names: str, default: str) -> str:
    return next((os.environ[n] for n in names if os.environ.get(n)), default)


def bank_account() -> BankAccount:
    """The account printed on the district notice: DOCUMENTS_BANK_ACCOUNT_NAME / _NUMBER /
    DOCUMENTS_BANK_NAME, else billing's payee settings (BILLING_PAYEE_NAME / _ACCOUNT / _BANK, the
    account its payment-detail e-mail shows), so that one setting keeps notice and e-mail alike."""
    return BankAccount(name=_setting("DOCUMENTS_BANK_ACCOUNT_NAME", "BILLING_PAYEE_NAME", default=DEFAULT_BANK.name),
                       number=_setting("DOCUMENTS_BANK_ACCOUNT_NUMBER", "BILLING_PAYEE_ACCOUNT",
                                       default=DEFAULT_BANK.number),
                       bank=_setting("DOCUMENTS_BANK_NAME", "BILLING_PAYEE_BANK", default=DEFAULT_BANK.bank))


def cjk_font_family() -> str:
    """The one font family every printed element names (docs/decisions/0012-cjk-font.md)."""
    return os.environ.get("DOCUMENTS_CJK_FONT") or "WenQuanYi Zen Hei"
