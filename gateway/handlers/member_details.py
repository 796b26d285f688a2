"""My details (issue 29 item 5, docs/decisions/0047-member-details-corrections.md): a member
signed in by code corrects their own address and mobile. A new mobile is confirmed first by a
code sent to it, by the sign-in code machinery (gateway/domain/member_codes.py, the
`member_codes` rows, the same limits and the address's back-off): the subject is the member's
own, the code bound to the new mobile, nothing kept in clear. The correction then goes to members
(the roster's owner) as a pending change for the union, handed over as the `gateway` identity
for the session's member — never a member named by the request.

Seams: `member_sign_in.send_code_later`, `member_sign_in.code_failed`,
`member_sign_in.CodeThrottled`, `member_sign_in.CodeInvalid` (the sign-in code's SMS, failure,
and answers)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from common import sms
from common.db import UoW
from common.errors import ValidationFailed
from gateway import auth
from gateway.adapters import members_directory
from gateway.adapters.orm import MemberCode
from gateway.domain import member_codes as rules
from gateway.handlers.member_sign_in import CodeInvalid, CodeThrottled, code_failed, newest_code, send_code_later


def _member_id(caller: auth.Caller) -> int:
    if caller.account.role != "member" or not caller.account.member_id:
        raise CodeInvalid()  # unreachable through the routes (roles member); never a member from input
    return caller.account.member_id


def _checked_mobile(mobile: str) -> str:
    errors = rules.mobile_errors(mobile)
    if errors:
        raise ValidationFailed({"mobile": errors})
    return rules.normalise_mobile(mobile)


def request_mobile_code(uow: UoW, caller: auth.Caller, mobile: str, ip: str) -> str:
    """获取验证码 for a new mobile: a code to that mobile, within the sign-in code's limits."""
    member_id, number = _member_id(caller), _checked_mobile(mobile)
    session, now = uow.session, auth.utcnow()
    subject = rules.self_subject(auth.gateway_secret(), member_id)
    since = now - rules.WINDOW
    count, last, oldest = session.execute(
        select(func.count(), func.max(MemberCode.created_at), func.min(MemberCode.created_at)).where(
            MemberCode.subject == subject, MemberCode.created_at >= since
        )
    ).one()
    by_address, oldest_from_address = session.execute(
        select(func.count(), func.min(MemberCode.created_at)).where(
            MemberCode.ip == ip[:64], MemberCode.created_at >= since
        )
    ).one()
    wait = rules.may_send(now, last, count, by_address, oldest_from_address, oldest)
    if wait is not None:
        raise CodeThrottled(wait.seconds)
    code = rules.new_code()
    session.add(
        MemberCode(
            subject=subject,
            ip=ip[:64],
            member_id=member_id,
            union_id=caller.account.union_id,
            code_hash=rules.mobile_code_hash(auth.gateway_secret(), subject, number, code),
            created_at=now,
            expires_at=now + rules.CODE_TTL,
            tries=0,
        )
    )
    uow.commit()
    send_code_later(number, sms.MOBILE_CODE, rules.mobile_text(code), code)
    return rules.MOBILE_CODE_SENT


def submit(
    uow: UoW, caller: auth.Caller, address: str | None, mobile: str | None, code: str | None, ip: str, request_id: str
) -> tuple[int, dict]:
    """提交变更: with a new mobile, its code must be good (a wrong one counts a try and a failure
    of the address; used up only once members took the change, so a refusal of the address does
    not cost the code). No transaction is held across the call to members. Members' answer is relayed."""
    member_id = _member_id(caller)
    code_id = None
    number = None
    if mobile not in (None, ""):
        number = _checked_mobile(mobile)
        code_id = _good_code(uow, member_id, number, code or "", ip)
        uow.commit()
    status, body = members_directory.submit_detail_change(member_id, address, number, request_id)
    if code_id is not None and status < 300:
        uow.session.execute(
            update(MemberCode)
            .where(MemberCode.id == code_id, MemberCode.used_at.is_(None))
            .values(used_at=auth.utcnow())
        )
        uow.commit()
    return status, body


def _good_code(uow: UoW, member_id: int, mobile: str, code: str, ip: str) -> int:
    """The id of the member's newest code for a new mobile, if `code` is it and it is still good."""
    now = auth.utcnow()
    subject = rules.self_subject(auth.gateway_secret(), member_id)
    row = newest_code(uow.session, subject, ip, now)
    typed = code if rules.well_formed_code(code) else ""
    presented = rules.mobile_code_hash(auth.gateway_secret(), subject, mobile, typed)
    if row is None or not rules.usable(row.expires_at, row.used_at, row.tries, now):
        code_failed(uow, subject, ip, now)
    assert row is not None
    if not rules.matches(row.code_hash, presented):
        row.tries += 1
        code_failed(uow, subject, ip, now)
    return row.id
