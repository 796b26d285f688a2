"""组织注册 and 组织审核: a union not yet in the directory applies (through the gateway's public
form, which throttles it and checks the wanted user name against its accounts); its district
approves it — the union enters the directory and `members.registration.approved` asks the
gateway for the clerk's inactive account — or returns it with a reason. Rules in
domain/registration.py; docs/decisions/0036-organisation-registration.md.

Seams: `shared.commit_or_conflict` (a code, name or user name taken between the check and the
commit)."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, Rejected, ValidationFailed
from common.identity import GATEWAY, Identity
from services.members import contracts
from services.members.adapters import queries
from services.members.adapters.orm import District, GrassrootsUnion, UnionRegistration
from services.members.domain import registration as rules
from services.members.handlers.shared import commit_or_conflict

CLASH_MESSAGES = {
    "credit_code": ("CREDIT_CODE_TAKEN", "该统一社会信用代码已登记"),
    "name": ("UNION_NAME_TAKEN", "已有同名的基层工会"),
    "username": ("USERNAME_TAKEN", "用户名已被使用"),
}
PENDING_MESSAGES = {
    "credit_code": ("REGISTRATION_PENDING", "该统一社会信用代码已有待审核的注册申请，请等待区局审核"),
    "name": ("REGISTRATION_PENDING", "同名工会已有待审核的注册申请，请等待区局审核"),
    "username": ("USERNAME_TAKEN", "用户名已被使用"),
}


class RegistrationDecided(Conflict):
    code = "REGISTRATION_DECIDED"
    message = "该申请已审核，不能再审核"


def _clash(field: str, messages: dict) -> Conflict:
    code, message = messages[field]
    return Conflict(message, code=code, fields={field: [message]})


def submit(uow: UoW, who: Identity, data: dict) -> UnionRegistration:
    """组织注册: checked field by field; refused (409) when the code or the name is already in the
    directory or in a pending application, or the user name in a pending application. Nothing is
    kept of a refused one."""
    who.require(GATEWAY)
    application, errors = rules.check_application(data)
    if application is None:
        raise ValidationFailed(errors)
    if uow.session.get(District, application.district_id) is None:
        raise ValidationFailed({"district_id": ["所属区局/产业工会不存在"]})
    if queries.union_with_credit_code(uow.session, application.credit_code):
        raise _clash("credit_code", CLASH_MESSAGES)
    if queries.union_named(uow.session, application.name):
        raise _clash("name", CLASH_MESSAGES)
    clash = queries.pending_registration_clash(
        uow.session, application.credit_code, application.name, application.username
    )
    for field in ("credit_code", "name", "username"):
        if field in clash:
            raise _clash(field, PENDING_MESSAGES)
    now = clock.utcnow_naive()
    registration = UnionRegistration(**vars(application), state=rules.PENDING, submitted_at=now)
    uow.session.add(registration)
    uow.session.flush()
    registration.number = rules.registration_number(registration.id, clock.today())
    commit_or_conflict(uow, "REGISTRATION_PENDING", "已有相同的待审核注册申请，请等待区局审核")
    return registration


def list_registrations(uow: UoW, who: Identity, state: str | None = None) -> list[UnionRegistration]:
    """组织审核's queue: the caller's district's registrations (the centre sees all)."""
    who.require("district", "centre")
    return queries.registrations_in_scope(uow.session, who, state)


def _in_scope(uow: UoW, who: Identity, registration_id: int) -> UnionRegistration:
    who.require("district", "centre")
    registration = uow.session.get(UnionRegistration, registration_id, with_for_update=True)
    if registration is None:
        raise NotFound()
    who.check_district(registration.district_id)
    return registration


def _decide(registration: UnionRegistration, action: str, who: Identity) -> None:
    try:
        registration.state = rules.decide(registration.state, action)
    except rules.NotPending as exc:
        raise RegistrationDecided(str(exc)) from None
    registration.decided_at = clock.utcnow_naive()
    registration.decided_by = who.user


def approve(uow: UoW, who: Identity, registration_id: int) -> UnionRegistration:
    """通过: the union enters the directory (members.union.registered, as the centre's would) and
    the gateway is asked for the clerk's account (members.registration.approved). Refused, with
    nothing changed, when the code or the name reached the directory since the application."""
    registration = _in_scope(uow, who, registration_id)
    _decide(registration, rules.APPROVE, who)
    if queries.union_with_credit_code(uow.session, registration.credit_code):
        raise _clash("credit_code", CLASH_MESSAGES)
    if queries.union_named(uow.session, registration.name):
        raise _clash("name", CLASH_MESSAGES)
    union = GrassrootsUnion(
        name=registration.name,
        credit_code=registration.credit_code,
        district_id=registration.district_id,
        contact_person=registration.clerk_name,
        phone=registration.clerk_mobile,
        version=1,
        created_at=clock.utcnow_naive(),
    )
    uow.session.add(union)
    uow.session.flush()
    registration.union_id = union.id
    uow.publish(contracts.UNION_REGISTERED, contracts.union_data(union))
    uow.publish(
        contracts.REGISTRATION_APPROVED,
        contracts.registration_approved_data(registration, district_name(uow, registration)),
    )
    commit_or_conflict(uow, "CREDIT_CODE_TAKEN", "该统一社会信用代码已登记")
    return registration


def return_registration(uow: UoW, who: Identity, registration_id: int, reason: str) -> UnionRegistration:
    """退回 with a reason (required, ≤ 200 characters), mailed to the applicant's clerk."""
    registration = _in_scope(uow, who, registration_id)
    clean = rules.check_reason(reason)
    if clean is None:
        raise ValidationFailed({"reason": [f"请填写退回原因（不超过 {rules.REASON_LIMIT} 字）"]})
    _decide(registration, rules.RETURN, who)
    registration.reason = clean
    uow.publish(contracts.REGISTRATION_RETURNED, contracts.registration_returned_data(registration))
    uow.commit()
    return registration


def district_name(uow: UoW, registration: UnionRegistration) -> str:
    district = uow.session.get(District, registration.district_id)
    if district is None:  # the foreign key keeps it; a Rejected rather than a 500 if not
        raise Rejected("所属区局/产业工会不存在")
    return district.name
