"""Use cases of the members service, one function per command, each given a unit of work."""
from __future__ import annotations

import logging
import re
import threading
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from common import clock
from common import excel
from common.errors import AppError, Conflict, NotFound, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters import roster_sql
from services.members.adapters.excel import RowsRejected
from services.members.adapters.orm import (District, GrassrootsUnion, Member, MemberNumberCounter, SyncRunItem,
                                           TransferRequest, UploadJob)
from services.members.domain import idcard
from services.members.domain.idcard import mask_id, mask_mobile
from services.members.domain.member import EDITABLE as MEMBER_EDITABLE
from services.members.domain.member import TRANSFER_OUT_REASONS, check_member, status_after_joining
from services.members.domain.member import LABELS, parse_date
from services.members.domain.member import member_no as member_number
from services.members.domain.roster_sync import (NAME_MISMATCH, NOT_FOUND, RowError, error_for, normalise_any_id,
                                                 person_rows)

log = logging.getLogger("members")
from services.members.domain.directory import (DISTRICT_KINDS, CreditCodeInvalid, normalise_credit_code,
                                               normalise_phone)


# ------------------------------------------------------------------ districts (区局/产业工会)

def register_district(uow, who: Identity, name: str, kind: str, special_industry: bool = False) -> District:
    who.require("centre")
    if kind not in DISTRICT_KINDS:
        raise ValidationFailed({"kind": ["取值须为 district（区局工会）或 industry（产业工会）"]})
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": ["名称不能为空"]})
    if uow.session.scalar(select(District.id).where(District.name == name)):
        raise Conflict(f"已有名为「{name}」的区局/产业工会", code="DISTRICT_NAME_TAKEN")
    district = District(name=name, kind=kind, special_industry=special_industry, version=1,
                        created_at=clock.utcnow_naive())
    uow.session.add(district)
    uow.session.flush()
    uow.publish(contracts.DISTRICT_REGISTERED, contracts.district_data(district))
    _commit(uow, "DISTRICT_NAME_TAKEN", f"已有名为「{name}」的区局/产业工会")
    return district


def update_district(uow, who: Identity, district_id: int, changes: dict) -> District:
    who.require("centre")
    district = uow.session.get(District, district_id)
    if district is None:
        raise NotFound()
    if "kind" in changes and changes["kind"] not in DISTRICT_KINDS:
        raise ValidationFailed({"kind": ["取值须为 district（区局工会）或 industry（产业工会）"]})
    for key in ("name", "kind", "special_industry"):
        if key in changes:
            setattr(district, key, changes[key].strip() if key == "name" else changes[key])
    district.version += 1
    uow.publish(contracts.DISTRICT_UPDATED, contracts.district_data(district))
    _commit(uow, "DISTRICT_NAME_TAKEN", "已有同名的区局/产业工会")
    return district


def list_districts(session, who: Identity) -> list[District]:
    query = select(District).order_by(District.id)
    if who.role == "district":
        query = query.where(District.id == who.district_id)
    elif who.role == "grassroots":
        query = query.where(District.id == select(GrassrootsUnion.district_id)
                            .where(GrassrootsUnion.id == who.union_id).scalar_subquery())
    return list(session.scalars(query))


# ------------------------------------------------------------------ grassroots unions (基层工会)

def _checked_union_fields(session, data: dict) -> dict:
    errors, clean = {}, {}
    if "name" in data:
        clean["name"] = (data["name"] or "").strip()
        if not clean["name"]:
            errors["name"] = ["单位名称不能为空"]
    if "credit_code" in data:
        try:
            clean["credit_code"] = normalise_credit_code(data["credit_code"])
        except CreditCodeInvalid as exc:
            errors["credit_code"] = [str(exc)]
    if "district_id" in data:
        if session.get(District, data["district_id"]) is None:
            errors["district_id"] = ["所属区局/产业工会不存在"]
        clean["district_id"] = data["district_id"]
    if "contact_person" in data:
        clean["contact_person"] = (data["contact_person"] or "").strip()
        if not clean["contact_person"]:
            errors["contact_person"] = ["联系人不能为空"]
    if "phone" in data:
        phone = normalise_phone(data["phone"])
        if phone is None:
            errors["phone"] = ["联系电话格式不正确（手机 11 位，或带区号的座机）"]
        clean["phone"] = phone
    if errors:
        raise ValidationFailed(errors)
    return clean


def register_union(uow, who: Identity, data: dict) -> GrassrootsUnion:
    who.require("centre")
    clean = _checked_union_fields(uow.session, data)
    if uow.session.scalar(select(GrassrootsUnion.id).where(GrassrootsUnion.credit_code == clean["credit_code"])):
        raise Conflict("该统一社会信用代码已登记", code="CREDIT_CODE_TAKEN", fields={"credit_code": ["该代码已登记"]})
    union = GrassrootsUnion(**clean, version=1, created_at=clock.utcnow_naive())
    uow.session.add(union)
    uow.session.flush()
    uow.publish(contracts.UNION_REGISTERED, contracts.union_data(union))
    _commit(uow, "CREDIT_CODE_TAKEN", "该统一社会信用代码已登记")
    return union


CONTACT_FIELDS = ("contact_person", "phone")


def update_union(uow, who: Identity, union_id: int, data: dict) -> GrassrootsUnion:
    """Rename, change contact, or move to another district. The centre may change anything; a
    grassroots union may keep its own contact details current."""
    union = get_union(uow.session, who, union_id)
    if who.role != "centre":
        who.require("grassroots")
        not_allowed = [k for k in data if k not in CONTACT_FIELDS]
        if not_allowed:
            raise ValidationFailed({k: ["只有市职保中心可以修改此项"] for k in not_allowed})
    clean = _checked_union_fields(uow.session, data)
    if "credit_code" in clean and clean["credit_code"] != union.credit_code and uow.session.scalar(
            select(GrassrootsUnion.id).where(GrassrootsUnion.credit_code == clean["credit_code"])):
        raise Conflict("该统一社会信用代码已登记", code="CREDIT_CODE_TAKEN", fields={"credit_code": ["该代码已登记"]})
    previous_district = union.district_id
    for key, value in clean.items():
        setattr(union, key, value)
    union.version += 1
    uow.publish(contracts.UNION_UPDATED, {**contracts.union_data(union), "previous_district_id": previous_district})
    if union.district_id != previous_district:
        # Member snapshots carry their district: a move republishes every member of the union
        # with a new version, so no consumer keeps a stale district.
        uow.session.execute(update(Member).where(Member.union_id == union.id).values(version=Member.version + 1))
        uow.publish_many([(contracts.MEMBER_UPDATED, contracts.member_data(m, union.district_id))
                          for m in uow.session.scalars(select(Member).where(Member.union_id == union.id))])
    _commit(uow, "CREDIT_CODE_TAKEN", "该统一社会信用代码已登记")
    return union


def get_union(session, who: Identity, union_id: int) -> GrassrootsUnion:
    union = session.get(GrassrootsUnion, union_id)
    if union is None:
        raise NotFound()
    who.check_union(union.id, union.district_id)
    return union


def list_unions(session, who: Identity, name: str | None = None, credit_code: str | None = None,
                district_id: int | None = None, page: int = 1, per_page: int = 50):
    query = select(GrassrootsUnion)
    if who.role == "district":
        query = query.where(GrassrootsUnion.district_id == who.district_id)
    elif who.role == "grassroots":
        query = query.where(GrassrootsUnion.id == who.union_id)
    if name:
        query = query.where(GrassrootsUnion.name.contains(name.strip()))
    if credit_code:
        query = query.where(GrassrootsUnion.credit_code == credit_code.strip().upper())
    if district_id:
        query = query.where(GrassrootsUnion.district_id == district_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(GrassrootsUnion.id).offset((page - 1) * per_page).limit(per_page)))
    return total, items


def _commit(uow, code: str, message: str) -> None:
    """A unique constraint can still trip between our check and the commit (two clerks at
    once): answer 409 like the check would have."""
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict(message, code=code) from None


# ================================================================== the roster (会员管理)
# Members: add, edit, approve, transfer, cards, removal, search; uploads as jobs.

MEMBER_EVENT_FIELDS = ("name", "id_type", "id_number", "gender", "birth_date", "member_no", "status",
                       "card_number", "card_issued_on", "card_recorded_at", "removed", "union_id")


def _district_of(session, union_id):
    if union_id is None:
        return None
    return session.scalar(select(GrassrootsUnion.district_id).where(GrassrootsUnion.id == union_id))


def _districts_of(session, union_ids) -> dict:
    ids = {u for u in union_ids if u is not None}
    if not ids:
        return {}
    rows = session.execute(select(GrassrootsUnion.id, GrassrootsUnion.district_id).where(GrassrootsUnion.id.in_(ids)))
    return dict(rows.all())


def _publish_member(uow, event_type: str, member, **extra) -> None:
    uow.publish(event_type, contracts.member_data(member, _district_of(uow.session, member.union_id), **extra))


def member_in_scope(who: Identity, union_id, district_id) -> bool:
    if who.role == "centre":
        return True
    if union_id is None:
        return False
    if who.role == "district":
        return district_id == who.district_id
    return union_id == who.union_id


def get_member(session, who: Identity, member_id: int, for_update: bool = False) -> Member:
    """A member in the caller's scope; anything else answers like a missing one."""
    query = select(Member).where(Member.id == member_id)
    if for_update:
        query = query.with_for_update()
    member = session.scalar(query)
    if member is None or not member_in_scope(who, member.union_id, _district_of(session, member.union_id)):
        raise NotFound()
    return member


def add_member(uow, who: Identity, data: dict) -> Member:
    """新增会员: a grassroots union adds a person; the member waits for its district's approval."""
    who.require("grassroots")
    clean, errors = check_member(data, clock.today())
    if errors:
        raise ValidationFailed(errors)
    existing = uow.session.scalar(select(Member).where(Member.id_number == clean["id_number"]))
    if existing is not None:
        raise _already_registered(who, existing)
    now = clock.utcnow_naive()
    member = Member(**clean, union_id=who.union_id, status="pending", synced=False, removed=False, version=1,
                    created_at=now, updated_at=now)
    uow.session.add(member)
    uow.session.flush()
    _publish_member(uow, contracts.MEMBER_REGISTERED, member)
    _commit(uow, "MEMBER_EXISTS", "该证件号码已登记为会员")
    return member


def _already_registered(who: Identity, existing: Member) -> Conflict:
    if existing.union_id == who.union_id:
        return Conflict("该证件号码已是本单位会员", code="MEMBER_EXISTS", fields={"id_number": ["该证件号码已是本单位会员"]})
    message = "该人员已在其他工会登记，请使用“从其他工会转入会员到本工会”办理转入" if existing.union_id else \
        "该人员已在系统中登记（目前无所属工会），请使用“从其他工会转入会员到本工会”转入"
    return Conflict(message, code="MEMBER_IN_OTHER_UNION", fields={"id_number": [message]})


def _current_values(member: Member) -> dict:
    return {k: getattr(member, k) for k in ("name", "id_type", "id_number", "gender", "birth_date", "address",
                                            "mobile", "education", "household_type", "skill_grade", "union_post")}


def update_member(uow, who: Identity, member_id: int, data: dict) -> Member:
    """编辑会员: the member's own union changes its details (the ID number is who the person is
    and cannot change)."""
    who.require("grassroots")
    member = get_member(uow.session, who, member_id, for_update=True)
    if member.status == "left":
        raise NotFound()
    refused = [k for k in data if k not in MEMBER_EDITABLE]
    if refused:
        raise ValidationFailed({k: ["此项不可修改"] for k in refused})
    clean, errors = check_member(data, clock.today(), partial_of=_current_values(member))
    if errors:
        raise ValidationFailed(errors)
    _apply_fields(member, clean)
    _publish_member(uow, contracts.MEMBER_UPDATED, member)
    uow.commit()
    return member


def _apply_fields(member: Member, clean: dict) -> None:
    for key in MEMBER_EDITABLE:
        setattr(member, key, clean[key])
    if member.status == "rejected":  # sent back by the district: saving it again resubmits it
        member.status = "pending"
    member.version += 1
    member.updated_at = clock.utcnow_naive()


def _next_member_numbers(session, count: int) -> list[str]:
    """Reserve `count` member numbers from the counter (row-locked; it only grows)."""
    counter = session.scalar(select(MemberNumberCounter).where(MemberNumberCounter.id == 1).with_for_update())
    if counter is None:
        counter = MemberNumberCounter(id=1, last=0)
        session.add(counter)
        session.flush()
    first = counter.last + 1
    counter.last += count
    return [member_number(n) for n in range(first, first + count)]


def approve_members(uow, who: Identity, member_ids: list[int]) -> list[Member]:
    """会员审核: the district (or the centre) approves waiting members, one or many at once;
    each gets its member number. All or nothing."""
    who.require("district", "centre")
    visible, districts = _pending_in_scope(uow, who, member_ids)
    numbers = _next_member_numbers(uow.session, len(visible))
    now = clock.utcnow_naive()
    for member, number in zip(visible, numbers):
        member.member_no, member.status = number, "normal"
        member.approved_at, member.approved_by = now, who.user
        member.version += 1
        member.updated_at = now
        uow.publish(contracts.MEMBER_APPROVED, contracts.member_data(member, districts.get(member.union_id)))
    uow.commit()
    return visible


def reject_members(uow, who: Identity, member_ids: list[int], reason: str) -> list[Member]:
    """会员审核 驳回: the district (or the centre) sends waiting members back to their union with a
    reason (审核说明); the union corrects and resubmits them (编辑, or a new import row). All or
    nothing. A rejected member has no member number and is never eligible for cover."""
    who.require("district", "centre")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["请填写驳回原因，基层工会将据此修改"]})
    visible, districts = _pending_in_scope(uow, who, member_ids)
    now = clock.utcnow_naive()
    for member in visible:
        member.status, member.review_note = "rejected", reason
        member.version += 1
        member.updated_at = now
        uow.publish(contracts.MEMBER_REJECTED, contracts.member_data(member, districts.get(member.union_id)))
    uow.commit()
    return visible


def _pending_in_scope(uow, who: Identity, member_ids: list[int]) -> tuple[list[Member], dict]:
    """The chosen members, locked, if every one is in the caller's scope and waiting for review."""
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationFailed({"member_ids": ["请选择要审核的会员"]})
    found = list(uow.session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id).with_for_update()))
    districts = _districts_of(uow.session, [m.union_id for m in found])
    visible = [m for m in found if member_in_scope(who, m.union_id, districts.get(m.union_id))]
    if len(visible) != len(ids):
        raise NotFound()
    not_pending = [m.id for m in visible if m.status != "pending"]
    if not_pending:
        raise Conflict("所选会员中有不在待审核状态的，请刷新后重试", code="MEMBER_NOT_PENDING", ids=not_pending)
    return visible, districts


def transfer_out(uow, who: Identity, member_ids: list[int], reason: str) -> list[Member]:
    """转出 / 批量转出会员: the union lets members go, with a reason; they keep their record and
    number but belong to no union. Pending requests for them are cancelled."""
    who.require("grassroots")
    if reason not in TRANSFER_OUT_REASONS:
        raise ValidationFailed({"reason": ["取值须为以下之一：" + "、".join(TRANSFER_OUT_REASONS)]})
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationFailed({"member_ids": ["请选择要转出的会员"]})
    found = list(uow.session.scalars(select(Member).where(Member.id.in_(ids), Member.union_id == who.union_id)
                                     .order_by(Member.id).with_for_update()))
    if len(found) != len(ids):
        raise NotFound()
    _transfer_out(uow, who, found, {m.id: reason for m in found})
    uow.commit()
    return found


def _transfer_out(uow, who, members: list[Member], reasons: dict) -> None:
    now = clock.utcnow_naive()
    district = _district_of(uow.session, who.union_id)
    uow.session.execute(update(TransferRequest).where(
        TransferRequest.member_id.in_([m.id for m in members]), TransferRequest.status == "pending").values(
        status="cancelled", reason="会员已被原单位转出", decided_by=who.user, decided_at=now))
    for member in members:
        reason = reasons[member.id]
        member.union_id, member.status, member.synced, member.left_reason = None, "left", False, reason
        member.version += 1
        member.updated_at = now
        uow.publish(contracts.MEMBER_TRANSFERRED_OUT, contracts.member_data(
            member, None, previous_union_id=who.union_id, previous_district_id=district, reason=reason))


def list_transfer_requests(session, who: Identity, direction: str = "out", status: str | None = "pending",
                           page: int = 1, per_page: int = 50):
    """会员转出审核 (direction out: requests for my members) and my own requests (direction in)."""
    query = (select(TransferRequest, Member.name, Member.id_number, GrassrootsUnion.name.label("other_union"))
             .join(Member, Member.id == TransferRequest.member_id))
    if direction == "out":
        query = query.join(GrassrootsUnion, GrassrootsUnion.id == TransferRequest.to_union_id)
        mine = TransferRequest.from_union_id
    else:
        query = query.join(GrassrootsUnion, GrassrootsUnion.id == TransferRequest.from_union_id)
        mine = TransferRequest.to_union_id
    if who.role == "grassroots":
        query = query.where(mine == who.union_id)
    elif who.role == "district":
        query = query.where(mine.in_(select(GrassrootsUnion.id).where(GrassrootsUnion.district_id == who.district_id)))
    if status:
        query = query.where(TransferRequest.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(TransferRequest.id.desc()).offset((page - 1) * per_page).limit(per_page))
    items = [{"id": r.TransferRequest.id, "member_id": r.TransferRequest.member_id, "name": r.name,
              "id_number": mask_id(r.id_number), "from_union_id": r.TransferRequest.from_union_id,
              "to_union_id": r.TransferRequest.to_union_id, "other_union": r.other_union,
              "status": r.TransferRequest.status, "reason": r.TransferRequest.reason,
              "requested_at": r.TransferRequest.requested_at, "decided_at": r.TransferRequest.decided_at}
             for r in rows]
    return total, items


def decide_transfer(uow, who: Identity, request_id: int, approve: bool, reason: str | None = None) -> TransferRequest:
    """The source union approves (the member moves) or rejects (with a reason) a transfer-in request."""
    who.require("grassroots")
    request = uow.session.scalar(select(TransferRequest).where(TransferRequest.id == request_id).with_for_update())
    if request is None or request.from_union_id != who.union_id:
        raise NotFound()
    if request.status != "pending":
        raise Conflict("该申请已处理，请刷新后查看", code="TRANSFER_DECIDED")
    now = clock.utcnow_naive()
    reason = (reason or "").strip()
    if not approve:
        if not reason:
            raise ValidationFailed({"reason": ["驳回时请填写原因"]})
        request.status, request.reason = "rejected", reason[:200]
    else:
        member = uow.session.scalar(select(Member).where(Member.id == request.member_id).with_for_update())
        if member.union_id != request.from_union_id:
            raise Conflict("该会员已不在本单位，申请无法通过", code="TRANSFER_STALE")
        previous = member.union_id
        member.union_id = request.to_union_id
        member.status = status_after_joining(member.member_no)
        member.synced = request.job_id is not None  # it came from the new union's roster
        member.version += 1
        member.updated_at = now
        request.status, request.reason = "approved", reason[:200] or None
        _publish_member(uow, contracts.MEMBER_TRANSFERRED_IN, member, previous_union_id=previous,
                        previous_district_id=_district_of(uow.session, previous))
    request.decided_by, request.decided_at = who.user, now
    uow.commit()
    return request


CARD_NUMBER = re.compile(r"^\d{12,19}$")


def _check_card(card_number, issued_on) -> tuple[str, list]:
    number = idcard.clean(card_number or "")
    problems = []
    if not CARD_NUMBER.match(number):
        problems.append(("card_number", "卡号应为 12–19 位数字"))
    if issued_on is None:
        problems.append(("issued_on", "此项必填"))
    elif issued_on > clock.today():
        problems.append(("issued_on", "办卡日期不能晚于今天"))
    return number, problems


def issue_card(uow, who: Identity, member_id: int, card_number: str, issued_on) -> Member:
    """发卡: record a member service card (会员服务卡, the bank card number) and its issue date."""
    who.require("grassroots", "centre")
    member = get_member(uow.session, who, member_id, for_update=True)
    if member.status == "left":
        raise Conflict("该会员已转出，不能办卡", code="MEMBER_LEFT")
    number, problems = _check_card(card_number, issued_on)
    if problems:
        raise ValidationFailed({k: [m] for k, m in problems})
    holder = uow.session.scalar(select(Member.id).where(Member.card_number == number))
    if holder is not None and holder != member.id:
        raise Conflict("该卡号已登记给其他会员", code="CARD_TAKEN", fields={"card_number": ["该卡号已登记给其他会员"]})
    _set_card(member, number, issued_on)
    _publish_member(uow, contracts.MEMBER_CARD_ISSUED, member)
    _commit(uow, "CARD_TAKEN", "该卡号已登记给其他会员")
    return member


def _set_card(member: Member, number: str, issued_on) -> None:
    now = clock.utcnow_naive()
    member.card_number, member.card_issued_on, member.card_recorded_at = number, issued_on, now
    member.version += 1
    member.updated_at = now


def set_removed(uow, who: Identity, member_ids: list[int], removed: bool = True) -> list[Member]:
    """人口办剔除: the centre flags members removed by the population office (or lifts the flag)."""
    who.require("centre")
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationFailed({"member_ids": ["请选择会员"]})
    found = list(uow.session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id).with_for_update()))
    if len(found) != len(ids):
        raise NotFound()
    _set_removed(uow, found, removed)
    uow.commit()
    return found


def _set_removed(uow, members, removed: bool) -> None:
    now = clock.utcnow_naive()
    districts = _districts_of(uow.session, [m.union_id for m in members])
    for member in members:
        if member.removed == removed:
            continue
        member.removed, member.removed_at = removed, now if removed else None
        member.version += 1
        member.updated_at = now
        uow.publish(contracts.MEMBER_REMOVED if removed else contracts.MEMBER_UPDATED,
                    contracts.member_data(member, districts.get(member.union_id)))


COUNT_CAP = 10_000
SORTS = {"id": Member.id, "name": Member.name, "member_no": Member.member_no, "created_at": Member.created_at}


def list_members(session, who: Identity, name=None, member_no=None, id_number=None, status=None, synced=None,
                 card_held=None, removed=None, union_id=None, sort="id", order="asc", page=1, per_page=50,
                 with_total=True):
    """Search and list members in the caller's scope; ID numbers and mobiles masked."""
    query = select(Member.id, Member.union_id, Member.name, Member.gender, Member.id_type, Member.id_number,
                   Member.address, Member.mobile, Member.member_no, Member.status, Member.synced,
                   Member.card_number, Member.card_issued_on, Member.removed, Member.review_note)
    if who.role == "grassroots":
        query = query.where(Member.union_id == who.union_id)
        if union_id is not None and union_id != who.union_id:
            return 0, [], False
    elif who.role == "district":
        if union_id is not None:
            if _district_of(session, union_id) != who.district_id:
                return 0, [], False
            query = query.where(Member.union_id == union_id)
        else:
            # the district's unions as values (not a subquery), so that the planner sees how big
            # each one is and pages in id order instead of sorting a whole district
            unions = list(session.scalars(select(GrassrootsUnion.id).where(
                GrassrootsUnion.district_id == who.district_id)))
            query = query.where(Member.union_id.in_(unions or [-1]))
    elif union_id is not None:
        query = query.where(Member.union_id == union_id)
    if name:
        query = query.where(Member.name.startswith(name.strip(), autoescape=True))
    if member_no:
        query = query.where(Member.member_no == member_no.strip())
    if id_number:
        number = idcard.clean(id_number)
        if len(number) == 15 and number.isdigit():
            number = idcard.upgrade_15(number)
        query = query.where(Member.id_number == number)
    if status:
        query = query.where(Member.status == status)
    if synced is not None:
        query = query.where(Member.synced == synced)
    if card_held is not None:
        query = query.where(Member.card_number.is_not(None) if card_held else Member.card_number.is_(None))
    if removed is not None:
        query = query.where(Member.removed == removed)
    total = capped = None
    if with_total:
        # one union's members are counted exactly; across a district or the city (up to 10 million
        # members) the count stops at COUNT_CAP and says so, so that a list never waits on it
        one_union = who.role == "grassroots" or union_id is not None or member_no or id_number
        counted = query if one_union else query.limit(COUNT_CAP + 1)
        total = session.scalar(select(func.count()).select_from(counted.subquery()))
        capped = not one_union and total > COUNT_CAP
        total = min(total, COUNT_CAP) if capped else total
    column = SORTS.get(sort, Member.id)
    ordering = [column.desc() if order == "desc" else column.asc()]
    if column is not Member.id:
        ordering.append(Member.id.desc() if order == "desc" else Member.id.asc())
    rows = session.execute(query.order_by(*ordering).offset((page - 1) * per_page).limit(per_page)).mappings()
    items = [{**row, "id_number": mask_id(row["id_number"]), "mobile": mask_mobile(row["mobile"]),
              "card_held": row["card_number"] is not None, "card_number": mask_id(row["card_number"] or "") or None}
             for row in rows]
    return total, items, capped


# ------------------------------------------------------------------ uploads (jobs, one at a time)

STALE_AFTER = timedelta(minutes=15)
UPLOAD_BUSY = "本单位上一次上传还在处理中，请等待其完成后再上传（新的上传不会排队）"
SAMPLE_ROWS = 1000


def _real_utc() -> datetime:
    """Heartbeats use the real time, not the business clock (which tests and demos move)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def upload_lock_key(who: Identity) -> str:
    return f"union:{who.union_id}" if who.role == "grassroots" else f"{who.role}:{who.district_id or 0}"


def start_upload(new_uow, who: Identity, kind: str, filename: str = "", dry_run: bool = False) -> int:
    """Record a running upload; refuse (409) if this union already has one running. The partial
    unique index on running jobs makes this hold across processes and replicas."""
    key = upload_lock_key(who)
    with new_uow() as uow:
        real = _real_utc()
        uow.session.execute(update(UploadJob).where(
            UploadJob.lock_key == key, UploadJob.state == "running", UploadJob.heartbeat_at < real - STALE_AFTER)
            .values(state="failed", message="处理中断（超时），请重新上传", finished_at=clock.utcnow_naive()))
        job = UploadJob(lock_key=key, union_id=who.union_id if who.role == "grassroots" else None, kind=kind,
                        dry_run=dry_run, state="running", filename=(filename or "")[:200], total=0, done=0,
                        created_by=who.user, created_at=clock.utcnow_naive(), heartbeat_at=real)
        uow.session.add(job)
        try:
            uow.commit()
        except IntegrityError:
            uow.rollback()
            raise Conflict(UPLOAD_BUSY, code="UPLOAD_IN_PROGRESS") from None
        return job.id


def report_progress(new_uow, job_id: int, done: int, total: int, message: str) -> None:
    with new_uow() as uow:
        uow.session.execute(update(UploadJob).where(UploadJob.id == job_id).values(
            done=done, total=total, message=message, heartbeat_at=_real_utc()))
        uow.commit()


def finish_upload(new_uow, job_id: int, ok: bool, counts=None, errors=None, result=None, message=None) -> None:
    with new_uow() as uow:
        job = uow.session.get(UploadJob, job_id)
        job.state = "succeeded" if ok else "failed"
        job.counts, job.errors, job.result = counts, errors, result
        job.message = (message or ("处理完成" if ok else "处理失败"))[:500]
        job.done = job.total if ok else job.done
        job.finished_at = clock.utcnow_naive()
        if job.kind == "sync" and not job.dry_run and job.union_id is not None and not ok:
            uow.publish(contracts.ROSTER_SYNCED, {"union_id": job.union_id, "run_id": job.id, "applied": False,
                                               "counts": counts or {}})
        uow.commit()


def run_upload(new_uow, who: Identity, kind: str, filename: str, process, dry_run: bool = False):
    """Run `process(job_id)` under the union's upload lock; record the outcome in the job."""
    job_id = start_upload(new_uow, who, kind, filename, dry_run)
    return job_id, _run_job(new_uow, job_id, process)


def _run_job(new_uow, job_id: int, process):
    try:
        counts, result = process(job_id)
    except RowsRejected as exc:
        finish_upload(new_uow, job_id, False, counts=exc.extra.get("counts"), errors=exc.extra.get("rows"),
                      message=exc.message)
        raise
    except AppError as exc:
        finish_upload(new_uow, job_id, False, message=exc.message)
        raise
    except Exception:
        finish_upload(new_uow, job_id, False, message="系统内部错误，请稍后重试")
        raise
    finish_upload(new_uow, job_id, True, counts=counts, result=result)
    return counts, result


def _rows_rejected(errors, counts=None) -> RowsRejected:
    ordered = sorted(errors, key=lambda e: e.row)
    return RowsRejected(rows=[e.as_dict() for e in ordered], counts=counts)


def import_members(new_uow, who: Identity, data: bytes, job_id: int):
    """批量导入会员: add new members and update this union's existing ones, all or nothing."""
    who.require("grassroots")
    rows = xl.read_rows(data, "import")
    report_progress(new_uow, job_id, 0, len(rows), "正在校验")
    today = clock.today()
    cleaned, errors, seen = [], [], {}
    for row_no, cells in rows:
        raw = dict(zip(xl.IMPORT_FIELDS, cells))
        values = {k: xl.text(v) for k, v in raw.items()}
        if isinstance(raw["birth_date"], (date, datetime)):
            values["birth_date"] = raw["birth_date"]
        clean, errs = check_member(values, today)
        if excel.is_number_cell(raw["id_number"]):
            errs["id_number"] = [idcard.TEXT_FORMAT_HINT]
        for field, messages in errs.items():
            errors.extend(RowError(row_no, LABELS[field], m, values["name"], values["id_number"]) for m in messages)
        if errs:
            continue
        if clean["id_number"] in seen:
            errors.append(RowError(row_no, "证件号码", f"证件号码与第 {seen[clean['id_number']]} 行重复",
                                   clean["name"], clean["id_number"]))
            continue
        seen[clean["id_number"]] = row_no
        cleaned.append((row_no, clean))
    with new_uow() as uow:
        existing = {m.id_number: m for m in uow.session.scalars(
            select(Member).where(Member.id_number.in_(list(seen))).with_for_update())} if seen else {}
        for row_no, clean in cleaned:
            member = existing.get(clean["id_number"])
            if member is not None and member.union_id != who.union_id:
                message = ("该人员已在其他工会登记，请使用“从其他工会转入会员到本工会”办理转入" if member.union_id else
                           "该人员已在系统中登记（目前无所属工会），请使用“从其他工会转入会员到本工会”转入")
                errors.append(RowError(row_no, "证件号码", message, clean["name"], clean["id_number"]))
            elif member is not None and clean["id_type"] != member.id_type:
                errors.append(RowError(row_no, "有效证件类型", "证件类型与系统登记的不一致", clean["name"], clean["id_number"]))
        if errors:
            raise _rows_rejected(errors)
        now = clock.utcnow_naive()
        district = _district_of(uow.session, who.union_id)
        added, updated = [], []
        for _, clean in cleaned:
            member = existing.get(clean["id_number"])
            if member is None:
                added.append(Member(**clean, union_id=who.union_id, status="pending", synced=False, removed=False,
                                    version=1, created_at=now, updated_at=now))
            elif member.status == "rejected" or any(getattr(member, k) != clean[k] for k in MEMBER_EDITABLE):
                _apply_fields(member, clean)  # a rejected member's row resubmits it, changed or not
                updated.append(member)
        uow.session.add_all(added)
        uow.session.flush()  # one batched INSERT … RETURNING for the new ids
        _publish_members(uow, [(contracts.MEMBER_REGISTERED, m) for m in added] +
                         [(contracts.MEMBER_UPDATED, m) for m in updated], {who.union_id: district})
        _commit(uow, "MEMBER_EXISTS", "导入期间该证件号码已被登记，请重新导入")
    return {"rows": len(rows), "added": len(added), "updated": len(updated)}, None


def _publish_members(uow, changes: list, districts: dict) -> None:
    """Many member events at once (an upload): one statement into the outbox."""
    uow.publish_many([
        (event_type, contracts.member_data(member, districts.get(member.union_id))) for event_type, member in changes])


def _people(data: bytes, kind: str, max_rows: int = xl.MAX_ROWS):
    rows = xl.read_rows(data, kind, max_rows)
    people, errors = person_rows(xl.person_cells(rows), clock.today())
    return rows, people, errors


def transfer_in_from_list(new_uow, who: Identity, data: bytes, job_id: int):
    """从其他工会转入会员到本工会: people with no union move at once; people in another union
    become requests for their union to approve. All or nothing."""
    who.require("grassroots")
    rows, people, errors = _people(data, "transfer_in")
    report_progress(new_uow, job_id, 0, len(rows), "正在比对")
    with new_uow() as uow:
        roster_sql.load_people(uow.session, people)
        roster_sql.classify_people(uow.session, who.union_id)  # as classify_transfer_in: A is an error here
        errors.extend(error_for(c, row, name, number) for row, name, number, c in
                      roster_sql.rows_in(uow.session, ("A", "E", "N", "P")))
        if errors:
            roster_sql.drop_people(uow.session)
            raise _rows_rejected(errors)
        moved = _move_unattached(uow, who, None, synced=False)
        requested = roster_sql.request_transfers(uow.session, who.union_id, None, who.user, clock.utcnow_naive())
        roster_sql.drop_people(uow.session)
        uow.commit()
    return {"rows": len(rows), "moved": moved, "requested": requested}, None


def _move_unattached(uow, who, job_id, synced: bool) -> int:
    moved = roster_sql.move_unattached(uow.session, who.union_id, job_id, clock.utcnow_naive(), synced)
    district = _district_of(uow.session, who.union_id)
    uow.publish_many([
        (contracts.MEMBER_TRANSFERRED_IN, contracts.member_data(m, district, previous_union_id=None,
                                                          previous_district_id=None)) for m in moved])
    return len(moved)


def transfer_out_from_list(new_uow, who: Identity, data: bytes, job_id: int):
    """批量转出会员 from a list (姓名, 证件号码, 转出原因)."""
    who.require("grassroots")
    rows, people, errors = _people(data, "transfer_out")
    reasons_by_row = {n: xl.text(cells[2]) for n, cells in rows}
    with new_uow() as uow:
        members = {m.id_number: m for m in uow.session.scalars(select(Member).where(
            Member.id_number.in_([p.id_number for p in people]), Member.union_id == who.union_id).with_for_update())}
        reasons = {}
        for person in people:
            reason = reasons_by_row[person.row]
            if reason not in TRANSFER_OUT_REASONS:
                errors.append(RowError(person.row, "转出原因", "取值须为以下之一：" + "、".join(TRANSFER_OUT_REASONS),
                                       person.name, person.id_number))
            member = members.get(person.id_number)
            if member is None:
                errors.append(RowError(person.row, "证件号码", "本单位没有该证件号码的会员", person.name, person.id_number))
            elif member.name != person.name:
                errors.append(RowError(person.row, "姓名", NAME_MISMATCH, person.name, person.id_number))
            else:
                reasons[member.id] = reason
        if errors:
            raise _rows_rejected(errors)
        chosen = [members[p.id_number] for p in people]
        _transfer_out(uow, who, chosen, reasons)
        uow.commit()
    return {"rows": len(rows), "transferred_out": len(chosen)}, None


def cards_from_list(new_uow, who: Identity, data: bytes, job_id: int):
    """会员服务卡 from the bank's list (证件号码, 卡号, 办卡日期): grassroots for its own members,
    the centre for anyone."""
    who.require("grassroots", "centre")
    rows = xl.read_rows(data, "cards")
    today = clock.today()
    errors, wanted, seen_ids, seen_cards = [], [], {}, {}
    for row_no, cells in rows:
        raw_id, raw_card, raw_date = cells[:3]
        shown = xl.text(raw_id)
        problems = []
        number = None
        if excel.is_number_cell(raw_id):
            problems.append(("证件号码", idcard.TEXT_FORMAT_HINT))
        else:
            try:
                number = normalise_any_id(raw_id, today)
            except idcard.IdNumberInvalid as exc:
                problems.append(("证件号码", str(exc)))
        if excel.is_number_cell(raw_card):
            problems.append(("卡号", "卡号被当作数字保存，位数可能已丢失；请将该列设置为“文本”格式后重新填写"))
            card = ""
        else:
            card = idcard.clean(xl.text(raw_card))
        try:
            issued_on = parse_date(raw_date)
        except ValueError:
            issued_on = None
            problems.append(("办卡日期", "日期格式不正确，应为 YYYY-MM-DD"))
        if not problems:
            card, card_problems = _check_card(card, issued_on)
            labels = {"card_number": "卡号", "issued_on": "办卡日期"}
            problems.extend((labels[k], m) for k, m in card_problems)
        if not problems and number in seen_ids:
            problems.append(("证件号码", f"证件号码与第 {seen_ids[number]} 行重复"))
        if not problems and card in seen_cards:
            problems.append(("卡号", f"卡号与第 {seen_cards[card]} 行重复"))
        errors.extend(RowError(row_no, col, msg, "", shown) for col, msg in problems)
        if not problems:
            seen_ids[number], seen_cards[card] = row_no, row_no
            wanted.append((row_no, number, card, issued_on))
    with new_uow() as uow:
        ids = [w[1] for w in wanted]
        members = {m.id_number: m for m in uow.session.scalars(
            select(Member).where(Member.id_number.in_(ids)).with_for_update())} if ids else {}
        holders = dict(uow.session.execute(select(Member.card_number, Member.id_number).where(
            Member.card_number.in_([w[2] for w in wanted]))).all()) if wanted else {}
        districts = _districts_of(uow.session, [m.union_id for m in members.values()])
        for row_no, number, card, _ in wanted:
            member = members.get(number)
            if member is None or not member_in_scope(who, member.union_id, districts.get(member.union_id)):
                errors.append(RowError(row_no, "证件号码", "未查到该会员信息,请确认该证件号码已录入到系统", "", number))
            elif member.status == "left":
                errors.append(RowError(row_no, "证件号码", "该会员已转出，不能办卡", member.name, number))
            elif holders.get(card, number) != number:
                errors.append(RowError(row_no, "卡号", "该卡号已登记给其他会员", member.name, number))
        if errors:
            raise _rows_rejected(errors)
        for _, number, card, issued_on in wanted:
            _set_card(members[number], card, issued_on)
        _publish_members(uow, [(contracts.MEMBER_CARD_ISSUED, members[w[1]]) for w in wanted], districts)
        _commit(uow, "CARD_TAKEN", "导入期间卡号已被登记，请重新导入")
    return {"rows": len(rows), "cards": len(wanted)}, None


def removals_from_list(new_uow, who: Identity, data: bytes, job_id: int):
    """人口办剔除 from a list (姓名, 证件号码), by the centre."""
    who.require("centre")
    rows, people, errors = _people(data, "removals")
    with new_uow() as uow:
        members = {m.id_number: m for m in uow.session.scalars(select(Member).where(
            Member.id_number.in_([p.id_number for p in people])).with_for_update())}
        for person in people:
            member = members.get(person.id_number)
            if member is None:
                errors.append(RowError(person.row, "证件号码", NOT_FOUND, person.name, person.id_number))
            elif member.name != person.name:
                errors.append(RowError(person.row, "姓名", NAME_MISMATCH, person.name, person.id_number))
        if errors:
            raise _rows_rejected(errors)
        chosen = [members[p.id_number] for p in people]
        _set_removed(uow, chosen, True)
        uow.commit()
    return {"rows": len(rows), "removed": len(chosen)}, None


# ------------------------------------------------------------------ sync (同步会员)

def sync_roster(new_uow, who: Identity, data: bytes, job_id: int, dry_run: bool = False):
    """同步会员 (SPEC §2.5): classify every row A/B/C/E and every other member of the union D;
    any error row → nothing applied. Set-based: one temporary table, one join, one statement
    per category. A dry run answers the counts and the rows that would change."""
    who.require("grassroots")
    union_id = who.union_id
    rows = xl.read_rows(data, "sync", xl.MAX_SYNC_ROWS)
    report_progress(new_uow, job_id, 0, len(rows), "正在校验证件号码")
    people, errors = person_rows(xl.person_cells(rows), clock.today())
    # progress is reported between transactions (never while one holds SQLite's write lock)
    report_progress(new_uow, job_id, len(rows) // 2, len(rows), "正在与系统会员比对并更新")
    with new_uow() as uow:
        session = uow.session
        roster_sql.load_people(session, people)
        roster_sql.classify_people(session, union_id)  # domain.roster_sync.classify, for every row at once
        found = roster_sql.category_counts(session)
        errors.extend(error_for(c, row, name, number) for row, name, number, c in
                      roster_sql.rows_in(session, ("E", "N", "P")))
        counts = {"A": found.get("A", 0), "B": found.get("B", 0), "C": found.get("C", 0), "D": 0,
                  "E": len({e.row for e in errors})}
        if errors or dry_run:  # an applied run counts D as it marks them, below
            counts["D"] = roster_sql.count_not_in_file(session, union_id)
        if errors:
            roster_sql.drop_people(session)
            raise _rows_rejected(errors, counts)
        if dry_run:
            samples = {c: [{"row": row, "name": name, "id_number": mask_id(number)} for row, name, number, _ in
                           roster_sql.rows_in(session, (c,), SAMPLE_ROWS)] for c in ("B", "C")}
            samples["D"] = [{"name": name, "id_number": mask_id(number)} for name, number in
                            roster_sql.sample_not_in_file(session, union_id, SAMPLE_ROWS)]
            would_sync = roster_sql.count_would_sync(session)
            roster_sql.drop_people(session)
            return counts, {"dry_run": True, "would_mark_synced": would_sync, "rows": samples,
                            "truncated_at": SAMPLE_ROWS}
        roster_sql.mark_synced(session, union_id)
        counts["D"] = roster_sql.mark_not_in_file(session, union_id, job_id)
        _move_unattached(uow, who, job_id, synced=True)
        roster_sql.request_transfers(session, union_id, job_id, who.user, clock.utcnow_naive())
        uow.publish(contracts.ROSTER_SYNCED, {"union_id": union_id, "run_id": job_id, "applied": True, "counts": counts})
        roster_sql.drop_people(session)
        uow.commit()
    return counts, None


def start_sync(new_uow, who: Identity, filename: str, data: bytes, dry_run: bool, background: bool = True) -> int:
    """Take the union's upload lock and run the sync as a job; the client polls its progress."""
    who.require("grassroots")
    excel.check_upload(data)  # refuse what is not a workbook (or a zip bomb) before taking the lock
    job_id = start_upload(new_uow, who, "sync", filename, dry_run)

    def work():
        try:
            with excel.collector_paused():
                _run_job(new_uow, job_id, lambda j: sync_roster(new_uow, who, data, j, dry_run))
        except AppError:
            pass  # recorded in the job
        except Exception:  # noqa: BLE001 - recorded in the job; logged for the operator
            log.exception("sync job failed", extra={"job_id": job_id})

    if background:
        threading.Thread(target=work, name=f"sync-{job_id}", daemon=True).start()
    else:
        work()
    return job_id


def get_upload(session, who: Identity, job_id: int) -> UploadJob:
    job = session.get(UploadJob, job_id)
    if job is None or job.lock_key != upload_lock_key(who) and not (
            job.union_id is not None and member_in_scope(who, job.union_id, _district_of(session, job.union_id))):
        raise NotFound()
    return job


def list_uploads(session, who: Identity, kind: str | None = None, union_id: int | None = None,
                 page: int = 1, per_page: int = 50):
    """历史导入记录: a union's uploads (centre: any union's; district: its unions')."""
    query = select(UploadJob)
    if who.role == "grassroots":
        query = query.where(UploadJob.union_id == who.union_id)
    elif who.role == "district":
        query = query.where(or_(UploadJob.lock_key == upload_lock_key(who), UploadJob.union_id.in_(
            select(GrassrootsUnion.id).where(GrassrootsUnion.district_id == who.district_id))))
    if union_id is not None:
        query = query.where(UploadJob.union_id == union_id)
    if kind:
        query = query.where(UploadJob.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(UploadJob.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    return total, items


TRANSFER_STATES = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回", "cancelled": "已取消"}


def sync_result_workbook(session, who: Identity, job_id: int) -> tuple[str, bytes]:
    """导出结果 of a sync run: 姓名, 证件号码, 原所属单位, 原单位负责人, 原单位联系电话,
    原单位所属区局, 审核状态, 审核说明 (the approval state as it is now)."""
    job = get_upload(session, who, job_id)
    if job.kind != "sync":
        raise NotFound()
    rows = []
    if job.state == "succeeded" and not job.dry_run:
        source = GrassrootsUnion.__table__.alias("source")
        district = District.__table__.alias("source_district")
        for r in session.execute(
                select(Member.name, Member.id_number, TransferRequest.status, TransferRequest.reason, source.c.name,
                       source.c.contact_person, source.c.phone, district.c.name.label("district"))
                .join(Member, Member.id == TransferRequest.member_id)
                .join(source, source.c.id == TransferRequest.from_union_id)
                .join(district, district.c.id == source.c.district_id)
                .where(TransferRequest.job_id == job.id).order_by(TransferRequest.id)):
            note = {"pending": "会员转出待原单位审核", "approved": "原单位已同意转出，会员已转入本单位",
                    "rejected": "原单位驳回：" + (r.reason or ""), "cancelled": r.reason or "申请已取消"}[r.status]
            rows.append([r.name, r.id_number, r[4], r.contact_person, r.phone, r.district, TRANSFER_STATES[r.status], note])
        own = session.get(GrassrootsUnion, job.union_id)
        for category, name, number in session.execute(
                select(SyncRunItem.category, Member.name, Member.id_number).join(Member, Member.id == SyncRunItem.member_id)
                .where(SyncRunItem.job_id == job.id).order_by(SyncRunItem.category, SyncRunItem.id)):
            if category == "B":
                rows.append([name, number, "", "", "", "", "已转入", "已录入系统但无组织的会员，已直接转入本单位，无须审核"])
            else:
                rows.append([name, number, own.name, own.contact_person, own.phone, "", "未同步",
                             "不在本次上传名单内，同步状态为“否”，可进行转出操作"])
    stamp = (job.created_at or datetime.now()).strftime("%Y%m%d%H%M%S")
    return f"同步结果_{stamp}.xlsx", xl.sync_result(rows, job.errors or [], None if job.dry_run else job.counts)
