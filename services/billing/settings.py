"""The billing service's settings, typed, from the environment (defaults from SPEC §4).

`load()` reads every setting at once into one frozen value; a caller takes what it needs from it.
It is called where a request or a message needs a setting (not at import), so that a deployment
and a test may set the environment before the work that reads it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from common.smtp import MailSettings


@dataclass(frozen=True)
class Payee:
    """Where districts pay (收款账户): billing's own fact, carried in `billing.batch.priced` to the
    payment-detail e-mail and to documents, which prints it on the district notice."""

    account_name: str
    account_no: str
    bank: str

    def as_dict(self) -> dict:
        return {"account_name": self.account_name, "account_no": self.account_no, "bank": self.bank}


@dataclass(frozen=True)
class Settings:
    payee: Payee
    voucher_max_bytes: int
    mail: MailSettings


def load() -> Settings:
    env = os.environ
    return Settings(
        payee=Payee(
            account_name=env.get("BILLING_PAYEE_NAME", "上海市职工保障互助中心会员专享保障专户"),
            account_no=env.get("BILLING_PAYEE_ACCOUNT", "316023-03002745697"),
            bank=env.get("BILLING_PAYEE_BANK", "上海银行人民广场支行"),
        ),
        voucher_max_bytes=int(env.get("BILLING_VOUCHER_MAX_BYTES", str(10 * 1024 * 1024))),
        mail=MailSettings(),
    )
