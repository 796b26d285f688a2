"""组织注册 at the gateway: the public form (no account) is throttled per address, its wanted user
name checked against the accounts, and handed to members, which owns the application and its
review (组织审核). When a district approves, members publishes `members.registration.approved`
and the gateway makes the clerk's account *inactive* with an activation link mailed, as the
centre's password-less accounts are (docs/decisions/0035, 0036).

Seam: `account_links.issue` (the new account's activation link) and `account_links.NO_PASSWORD`."""

from __future__ import annotations

import logging

from sqlalchemy import delete

from common import facts
from common.db import UoW
from common.errors import Conflict, Throttled
from gateway import auth, contracts
from gateway.adapters import members_directory, queries
from gateway.adapters.orm import Account, RegistrationRequest
from gateway.domain import links
from gateway.domain import registration as rules
from gateway.handlers import account_links

log = logging.getLogger(__name__)


class RegistrationThrottled(Throttled):
    code = "REGISTRATION_THROTTLED"
    message = "组织注册提交过于频繁，请 1 小时后再试"


def next_steps(body: dict) -> str:
    """What the applicant is told once the application is in."""
    return (
        f"注册申请已提交，注册编号 {body.get('number')}。申请已转至{body.get('district_name')}，状态为待区局审核。"
        f"审核通过后，账号激活链接将发送至代办员邮箱 {body.get('clerk_email')}，请在 72 小时内打开链接设置密码；"
        "如被退回，退回原因也将发送至该邮箱。"
    )


def submit(uow: UoW, data: dict, ip: str, request_id: str) -> tuple[int, dict]:
    """组织注册 from the public form: (status, body) as members answered, with the next steps
    added on success. An address may submit REGISTRATIONS_PER_ADDRESS times an hour, refused
    ones counted too (429 past that); a user name an account holds is refused here (members
    knows only the names of pending applications)."""
    now = auth.utcnow()
    since = now - rules.REGISTRATION_WINDOW
    ip = ip[:64]
    if not rules.may_register(queries.registrations_from(uow.session, ip, since)):
        raise RegistrationThrottled()
    uow.session.execute(delete(RegistrationRequest).where(RegistrationRequest.at < since))  # only the window counts
    uow.session.add(RegistrationRequest(ip=ip, at=now))
    uow.commit()  # counted before anything is answered
    if queries.username_taken(uow.session, str(data.get("username", "")).strip()):
        raise Conflict("用户名已被使用", code="USERNAME_TAKEN", fields={"username": ["用户名已被使用"]})
    status, body = members_directory.submit_registration(data, request_id)
    if status == 201:
        body = {
            "number": body.get("number"),
            "state": body.get("state"),
            "state_name": body.get("state_name"),
            "district_name": body.get("district_name"),
            "clerk_email": body.get("clerk_email"),
            "message": next_steps(body),
        }
    return status, body


def districts(request_id: str) -> list[dict]:
    return members_directory.districts(request_id)


def create_clerk_account_when_registration_approved(uow: UoW, event: dict) -> None:
    """The approved union's clerk gets a grassroots account, inactive, with no password, and its
    activation link mailed (gateway.account.link_issued). The wanted name taken meanwhile: the
    union's id is added to it (the mail says the name). Once per event (the inbox)."""
    data = event["data"]
    union_id = facts.integer(data, "union_id", minimum=1)
    district_id = facts.integer(data, "district_id", minimum=1)
    wanted = facts.text(data, "username")
    username = wanted
    if queries.username_taken(uow.session, username):
        username = rules.fallback_username(wanted, union_id)
        log.warning("registration's user name taken", extra={"wanted": wanted, "given": username})
    now = auth.utcnow()
    account = Account(
        username=username,
        display_name=facts.text(data, "clerk_name"),
        password_hash=account_links.NO_PASSWORD,
        role="grassroots",
        union_id=union_id,
        district_id=district_id,
        email=facts.text(data, "email"),
        active=False,
        created_at=now,
        password_changed_at=now,
        set_up_by=_optional_text(data, "district_name"),  # its mails name the district (0040)
    )
    uow.session.add(account)
    uow.session.flush()  # its id, for the link
    # the mail says the district approved the registration, not that the centre opened the account
    occasion = contracts.registration_occasion(
        facts.text(data, "number"), facts.text(data, "union_name"), _optional_text(data, "district_name")
    )
    account_links.issue(uow, account, links.ACTIVATE, now, occasion)


def _optional_text(data: dict, key: str) -> str | None:
    """members' events before district_name was added lack it: read for one release."""
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None
