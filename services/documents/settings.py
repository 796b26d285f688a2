"""The documents service's settings, typed, from the environment.

`load()` reads every setting at once into one frozen value; a caller takes what it needs from it.
It is called where a message or a request needs a setting (not at import), so that a deployment and
a test may set the environment before the work that reads it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from services.documents.domain.facts import BankAccount


@dataclass(frozen=True)
class Settings:
    # The account a district notice prints for a billing.batch.priced of schema 1, which carried no
    # payee (read for one release): DOCUMENTS_BANK_ACCOUNT_NAME / _NUMBER / DOCUMENTS_BANK_NAME. From
    # schema 2 the notice prints billing's payee from the event; billing alone configures it.
    schema_1_payee: BankAccount
    # The one font family every printed element names (docs/decisions/0012-cjk-font.md).
    cjk_font_family: str
    # Where people open the site: the 参保凭证's QR code and printed link point at
    # <PUBLIC_BASE_URL>/verify/<code> (the gateway's public page).
    public_base_url: str = "http://localhost:8000"


def load() -> Settings:
    env = os.environ
    return Settings(
        schema_1_payee=BankAccount(
            name=env.get("DOCUMENTS_BANK_ACCOUNT_NAME") or "上海市职工保障互助中心会员专享保障专户",
            number=env.get("DOCUMENTS_BANK_ACCOUNT_NUMBER") or "316023-03002745697",
            bank=env.get("DOCUMENTS_BANK_NAME") or "上海银行人民广场支行",
        ),
        cjk_font_family=env.get("DOCUMENTS_CJK_FONT") or "WenQuanYi Zen Hei",
        public_base_url=env.get("PUBLIC_BASE_URL") or "http://localhost:8000",
    )


def cjk_font_family() -> str:
    return load().cjk_font_family
