"""个人登录: a member signs in with the ID number and the mobile on record and a one-time code
sent to that mobile (rules in gateway/domain/member_codes.py; docs/decisions/0041-member-sign-in.md).

Members owns people: the gateway asks it whether the two match (their blind indexes), keeps
nothing of either in clear, and answers the same whether or not they did — the same message, the
same limits, a row either way, the message sent off the request's path (a worker thread), so the
time of the answer does not depend on it either. A good code makes (or finds) the member's
`member` account and the caller starts a short session on it, which ends like every other."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import NoReturn

from sqlalchemy import delete, func, select

from common import sms
from common.db import UoW
from common.errors import Throttled, ValidationFailed
from common.identity import MEMBER
from gateway import auth
from gateway.adapters import members_directory
from gateway.adapters.orm import Account, LoginFailure, MemberCode
from gateway.domain import accounts as account_rules
from gateway.domain import member_codes as rules

log = logging.getLogger(__name__)
NO_PASSWORD = "!"  # no password verifies against it: a member signs in by code only


class CodeThrottled(Throttled):
    """Too many codes asked for: wait `retry_after` seconds (also a Retry-After header)."""

    code = "MEMBER_CODE_THROTTLED"

    def __init__(self, seconds: int):
        super().__init__(f"获取验证码过于频繁，请 {seconds} 秒后再试", retry_after=seconds)


class CodeInvalid(ValidationFailed):
    """A wrong, used, expired or unknown code: one answer for all (422, beside the code field)."""

    def __init__(self) -> None:
        super().__init__({"code": [rules.INVALID_MESSAGE]}, rules.INVALID_MESSAGE, "MEMBER_CODE_INVALID")


def _checked(id_number: str, mobile: str | None = None) -> None:
    errors = {"id_number": rules.id_number_errors(id_number)}
    if mobile is not None:
        errors["mobile"] = rules.mobile_errors(mobile)
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationFailed(errors)


def request_code(uow: UoW, id_number: str, mobile: str, ip: str, request_id: str) -> str:
    """获取验证码: a new code for the person, sent to the mobile if it is theirs on record. The
    answer is one sentence, the same for everyone; CodeThrottled past the limits."""
    _checked(id_number, mobile)
    session, now = uow.session, auth.utcnow()
    subject = rules.subject_hash(auth.gateway_secret(), id_number)
    since = now - rules.WINDOW
    by_subject = session.execute(
        select(func.count(), func.max(MemberCode.created_at), func.min(MemberCode.created_at)).where(
            MemberCode.subject == subject, MemberCode.created_at >= since
        )
    ).one()
    by_address = session.execute(
        select(func.count(), func.min(MemberCode.created_at)).where(
            MemberCode.ip == ip[:64], MemberCode.created_at >= since
        )
    ).one()
    wait = rules.may_send(now, by_subject[1], by_subject[0], by_address[0], by_address[1], by_subject[2])
    if wait is not None:
        raise CodeThrottled(wait.seconds)
    found = members_directory.match_member(rules.normalise_id(id_number), rules.normalise_mobile(mobile), request_id)
    code = rules.new_code()
    session.add(
        MemberCode(
            subject=subject,
            ip=ip[:64],
            member_id=found["member_id"] if found else None,
            union_id=found.get("union_id") if found else None,
            code_hash=rules.code_hash(auth.gateway_secret(), subject, code),
            created_at=now,
            expires_at=now + rules.CODE_TTL,
            tries=0,
        )
    )
    session.execute(delete(MemberCode).where(MemberCode.created_at < now - rules.WINDOW * 24))
    uow.commit()
    if found:
        send_code_later(rules.normalise_mobile(mobile), sms.SIGN_IN_CODE, rules.sign_in_text(code), code)
    return rules.SENT_MESSAGE


def send_code_later(mobile: str, kind: str, text: str, code: str) -> None:
    """One code's SMS (its kind's template: sign-in or new mobile), sent by a worker thread (the
    answer's time does not depend on it)."""

    def send() -> None:
        try:
            sms.send(mobile, kind, text, {"code": code})
        except Exception:  # noqa: BLE001 - the person asks for another code; never logged with the number
            log.warning("a one-time code could not be sent", exc_info=False)

    threading.Thread(target=send, name="member-code-sms", daemon=True).start()


def sign_in(uow: UoW, id_number: str, code: str, ip: str) -> Account:
    """The member's account for a good code (the code is used up); CodeInvalid otherwise (a wrong
    code counts a try and a failure of the address, as a failed login does)."""
    _checked(id_number)
    session, now = uow.session, auth.utcnow()
    subject = rules.subject_hash(auth.gateway_secret(), id_number)
    row = newest_code(session, subject, ip, now)
    presented = rules.code_hash(auth.gateway_secret(), subject, code if rules.well_formed_code(code) else "")
    if row is None or not rules.usable(row.expires_at, row.used_at, row.tries, now):
        code_failed(uow, subject, ip, now)
    assert row is not None
    if not rules.matches(row.code_hash, presented) or row.member_id is None:
        row.tries += 1
        code_failed(uow, subject, ip, now)
    row.used_at = now
    account = _account_of(session, row.member_id, row.union_id, now)
    if not account.active:  # stopped by the centre: refused like any bad code (the code is used up)
        code_failed(uow, subject, ip, now)
    return account


def newest_code(session, subject: str, ip: str, now: datetime) -> MemberCode | None:
    """The subject's newest code, locked — after the address's back-off (a slowed address is
    refused before any code is looked at: failed codes count as failed logins of the address)."""
    by_ip, last_from_ip = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.ip == ip[:64], LoginFailure.at >= account_rules.window_start(now)
        )
    ).one()
    wait = account_rules.address_wait(by_ip, last_from_ip, now)
    if wait:
        raise auth.AddressSlowedDown(wait)
    return session.scalar(
        select(MemberCode)
        .where(MemberCode.subject == subject)
        .order_by(MemberCode.created_at.desc(), MemberCode.id.desc())
        .limit(1)
        .with_for_update()
    )


def code_failed(uow: UoW, subject: str, ip: str, now: datetime) -> NoReturn:
    """A wrong or dead code: a failed login of the address (its back-off), kept; CodeInvalid."""
    uow.session.add(LoginFailure(username=("#code:" + subject)[:64], ip=ip[:64], at=now))
    uow.commit()
    raise CodeInvalid()


def _account_of(session, member_id: int | None, union_id: int | None, now: datetime) -> Account:
    account = session.scalar(select(Account).where(Account.member_id == member_id))
    if account is None:
        account = Account(
            username=f"member-{member_id}",
            display_name="会员本人",
            password_hash=NO_PASSWORD,
            role=MEMBER,
            union_id=union_id,
            district_id=None,
            member_id=member_id,
            email=None,
            active=True,
            created_at=now,
            password_changed_at=now,
            session_epoch=0,
        )
        session.add(account)
        session.flush()
    else:
        account.union_id = union_id  # where they are now, as members said when the code went out
    return account
