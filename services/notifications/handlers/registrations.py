"""组织注册 returned by its district (组织审核): `members.registration.returned` → one e-mail with
the reason to the clerk's address the application gave (the applicant has no account, so no
in-app notification). Sent as it is consumed, like account links (handlers/account_links.py):
SMTP away, the broker redelivers, then dead-letters it. Words in
templates/registration_returned.txt (docs/decisions/0036-organisation-registration.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from common import facts
from common.db import UoW
from services.notifications.adapters import smtp
from services.notifications.settings import MailSettings

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "registration_returned.txt"


@dataclass(frozen=True)
class RegistrationReturned:
    email: str
    clerk_name: str
    number: str
    union_name: str
    reason: str

    @classmethod
    def of(cls, data: dict) -> RegistrationReturned:
        return cls(**{key: facts.text(data, key) for key in ("email", "clerk_name", "number", "union_name", "reason")})


def message_for(fact: RegistrationReturned, event_id: str, settings: MailSettings) -> bytes:
    body = Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(vars(fact))
    return smtp.personal(
        f"组织注册申请已退回（{fact.number}）", body, fact.email, f"registration-{event_id}", settings.sender
    )


@facts.consumes
def mail_applicant_when_registration_returned(uow: UoW, event: dict) -> None:
    fact = RegistrationReturned.of(event["data"])
    settings = MailSettings()
    with smtp.Sender(settings) as send:
        send(f"registration-returned-{event['id']}", message_for(fact, event["id"], settings), [fact.email])
