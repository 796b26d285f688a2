"""The gateway's one-time links to set a password, mailed: `gateway.account.link_issued` → one
e-mail to the account's own address (not an audience's, and never an in-app notification: the
link is the account's key). Sent as it is consumed: SMTP away, the handler fails and the broker
delivers the event again (then dead-letters it, to be replayed); the inbox keeps a link from
being mailed twice once it is recorded. The embedded mode writes the mail under DATA_DIR/mail.
Words in templates/account_link.txt (docs/decisions/0035-activation-links.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template

from common import facts
from common.db import UoW
from services.notifications.adapters import smtp
from services.notifications.settings import MailSettings

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "account_link.txt"
SUBJECTS = {"activate": "激活您的账号并设置密码", "reset": "重设您的登录密码"}
WHY = {
    "activate": "{who}已为您开通会员服务卡集中参保系统的账号。",
    "reset": "我们收到了为您的账号找回密码的申请。",
}
CENTRE = "市职保中心"
REGISTRATION_APPROVED = "registration_approved"
CLERK_HANDOVER = "clerk_handover"


@dataclass(frozen=True)
class LinkIssued:
    email: str
    username: str
    display_name: str
    purpose: str
    link: str
    expires_at: datetime
    # registration_approved: a district approved the union's 组织注册 (fields from link_issued's
    # occasion; events before it carry none and read as the centre's account)
    occasion: str | None = None
    registration_no: str | None = None
    union_name: str | None = None
    district_name: str | None = None
    # who set the account up (its district; absent: the centre), and for clerk_handover who
    # named the new clerk (docs/decisions/0040-clerk-handover.md)
    set_up_by: str | None = None
    named_by: str | None = None

    @classmethod
    def of(cls, data: dict) -> LinkIssued:
        return cls(
            email=facts.text(data, "email"),
            username=facts.text(data, "username"),
            display_name=facts.text(data, "display_name"),
            purpose=facts.choice(data, "purpose", tuple(SUBJECTS)),
            link=facts.text(data, "link"),
            expires_at=facts.moment(data, "expires_at"),
            occasion=_optional(data, "occasion"),
            registration_no=_optional(data, "registration_no"),
            union_name=_optional(data, "union_name"),
            district_name=_optional(data, "district_name"),
            set_up_by=_optional(data, "set_up_by"),
            named_by=_optional(data, "named_by"),
        )


def _optional(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise facts.MalformedEvent(f"{key}: not a string")
    return value.strip() or None


def why(fact: LinkIssued) -> str:
    """The mail's first sentence: who opened the account, or why the link was asked for."""
    if fact.purpose == "activate" and fact.occasion == CLERK_HANDOVER:
        union = f"“{fact.union_name}”" if fact.union_name else "贵单位"
        by = f"（由{fact.named_by}办理）" if fact.named_by else ""
        return f"{union}的代办员已变更为您{by}，{contact(fact)}为您开通了会员服务卡集中参保系统的代办员账号。"
    if fact.purpose == "activate" and fact.occasion == REGISTRATION_APPROVED:
        if not fact.registration_no:
            raise facts.MalformedEvent("registration_no: missing for registration_approved")
        district = fact.district_name or "所属区局"
        union = f"“{fact.union_name}”" if fact.union_name else "贵单位"
        return (
            f"{district}已审核通过{union}的组织注册（注册编号 {fact.registration_no}），"
            "并为您开通了会员服务卡集中参保系统的代办员账号。"
        )
    return WHY[fact.purpose].format(who=contact(fact))


def contact(fact: LinkIssued) -> str:
    """Who set the account up, and so whom the mail says to ask: the district that approved or
    named the clerk, else the centre (every account made before 0040 reads as the centre's, as
    does a registration's whose event named no district)."""
    return fact.set_up_by or fact.district_name or CENTRE


def message_for(fact: LinkIssued, event_id: str, settings: MailSettings) -> bytes:
    body = Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        display_name=fact.display_name,
        username=fact.username,
        why=why(fact),
        contact=contact(fact),
        expires=fact.expires_at.strftime("%Y-%m-%d %H:%M"),
        link=settings.absolute(fact.link),
    )
    return smtp.personal(SUBJECTS[fact.purpose], body, fact.email, f"account-link-{event_id}", settings.sender)


@facts.consumes
def mail_account_link_when_issued(uow: UoW, event: dict) -> None:
    fact = LinkIssued.of(event["data"])
    settings = MailSettings()
    with smtp.Sender(settings) as send:
        send(f"account-link-{event['id']}", message_for(fact, event["id"], settings), [fact.email])
