"""The roster (会员名册): add and edit a member, the district's review (approve with a member
number, or send back), the population office's removals, and the scoped member list."""

from __future__ import annotations

from sqlalchemy import case, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from common import clock
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from common.pii import mask_id, mask_mobile
from services.members import contracts
from services.members.adapters.orm import GrassrootsUnion, Member, MemberNumberCounter, id_number_is
from services.members.domain import idcard
from services.members.domain.member import EDITABLE as MEMBER_EDITABLE
from services.members.domain.member import check_member
from services.members.domain.member import member_no as member_number
from services.members.handlers.id_lookups import count_lookups_now
from services.members.handlers.shared import (
    commit_or_conflict,
    district_of,
    districts_of,
    member_in_scope,
    publish_member,
)


def get_member(uow, who: Identity, member_id: int, for_update: bool = False) -> Member:
    """A member in the caller's scope; anything else answers like a missing one."""
    query = select(Member).where(Member.id == member_id)
    if for_update:
        query = query.with_for_update()
    member = uow.session.scalar(query)
    if member is None or not member_in_scope(who, member.union_id, district_of(uow.session, member.union_id)):
        raise NotFound()
    return member


class MaskedMember:
    """A member as a reviewer reads it: everything, but the ID number and mobile masked."""

    def __init__(self, member: Member):
        self._member = member

    def __getattr__(self, name):
        return getattr(self._member, name)

    @property
    def id_number(self) -> str:
        return self._member.id_masked

    @property
    def mobile(self) -> str | None:
        return mask_mobile(self._member.mobile)


def as_seen_by(who: Identity, member: Member):
    """The member's union keeps its roster and sees its members' full numbers; a district or the
    centre reviews and sees them masked (issue 23 item 3): the full ID number only through the
    audited reveal (查看完整号码), so that every full number a reviewer reads leaves a record."""
    return member if who.role == "grassroots" and member.union_id == who.union_id else MaskedMember(member)


def member_detail(uow, who: Identity, member_id: int):
    """会员详情, in the caller's scope, as the caller may see it (as_seen_by)."""
    return as_seen_by(who, get_member(uow, who, member_id))


def reveal_id_number(uow, who: Identity, member_id: int) -> Member:
    """会员审核: a district reviewer asks for one member's full ID number and mobile (its detail
    masks them). The gateway audits the request (who, whose, when); members only answers it, in scope."""
    who.require("district")
    return get_member(uow, who, member_id)


def add_member(uow, who: Identity, data: dict) -> Member:
    """新增会员: a grassroots union adds a person; the member waits for its district's approval."""
    who.require("grassroots")
    clean, errors = check_member(data, clock.today())
    if errors:
        raise ValidationFailed(errors)
    count_lookups_now(uow, who, 1)  # the answer may say the number is registered elsewhere (decision 0021)
    existing = uow.session.scalar(select(Member).where(id_number_is(clean["id_number"])))
    if existing is not None:
        raise _already_registered(who, existing)
    now = clock.utcnow_naive()
    member = Member(
        **clean,
        union_id=who.union_id,
        status="pending",
        synced=False,
        removed=False,
        version=1,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(member)
    uow.session.flush()
    publish_member(uow, contracts.MEMBER_REGISTERED, member)
    commit_or_conflict(uow, "MEMBER_EXISTS", "该证件号码已登记为会员")
    return member


def _already_registered(who: Identity, existing: Member) -> Conflict:
    if existing.union_id == who.union_id:
        return Conflict(
            "该证件号码已是本单位会员", code="MEMBER_EXISTS", fields={"id_number": ["该证件号码已是本单位会员"]}
        )
    message = (
        "该人员已在其他工会登记，请使用“从其他工会转入会员到本工会”办理转入"
        if existing.union_id
        else "该人员已在系统中登记（目前无所属工会），请使用“从其他工会转入会员到本工会”转入"
    )
    return Conflict(message, code="MEMBER_IN_OTHER_UNION", fields={"id_number": [message]})


def _current_values(member: Member) -> dict:
    return {
        k: getattr(member, k)
        for k in (
            "name",
            "id_type",
            "id_number",
            "gender",
            "birth_date",
            "address",
            "mobile",
            "education",
            "household_type",
            "skill_grade",
            "union_post",
        )
    }


def update_member(uow, who: Identity, member_id: int, data: dict) -> Member:
    """编辑会员: the member's own union changes its details. The ID number is who the person is:
    it can be corrected only while the district has sent the member back (审核未通过), and the
    corrected number is checked like a new member's (gender and birth date follow from it)."""
    who.require("grassroots")
    member = get_member(uow, who, member_id, for_update=True)
    if member.status == "left":
        raise NotFound()
    correcting = "id_number" in data and idcard.clean(data["id_number"]) != member.id_number
    if "id_number" in data and not correcting:
        data = {k: v for k, v in data.items() if k != "id_number"}
    if correcting and member.status != "rejected":
        raise ValidationFailed({"id_number": ["只有审核未通过的会员可以更正证件号码"]})
    refused = [k for k in data if k not in MEMBER_EDITABLE and k != "id_number"]
    if refused:
        raise ValidationFailed({k: ["此项不可修改"] for k in refused})
    if correcting:
        current = _current_values(member)
        if member.id_type == "resident":  # gender and birth date are read from the new number
            current.update(gender=None, birth_date=None)
        clean, errors = check_member({**current, **data}, clock.today())
    else:
        clean, errors = check_member(data, clock.today(), partial_of=_current_values(member))
    if errors:
        raise ValidationFailed(errors)
    if correcting:
        count_lookups_now(uow, who, 1)  # the answer may say the number is registered (decision 0021)
        other = uow.session.scalar(select(Member.id).where(id_number_is(clean["id_number"]), Member.id != member.id))
        if other is not None:
            raise ValidationFailed({"id_number": ["该证件号码已登记为会员"]})
        member.id_number = clean["id_number"]
    apply_fields(member, clean)
    publish_member(uow, contracts.MEMBER_UPDATED, member)
    uow.commit()
    return member


def apply_fields(member: Member, clean: dict) -> None:
    """Checked details onto a member (编辑, or an import row of one of the union's own)."""
    for key in MEMBER_EDITABLE:
        setattr(member, key, clean[key])
    # sent back by the district: saving it again resubmits it; the rejection reason stays as the
    # review's history (the page shows it as 上次驳回原因 while the member waits again)
    if member.status == "rejected":
        member.status = "pending"
    member.version += 1
    member.updated_at = clock.utcnow_naive()


# ------------------------------------------------------------------ review (会员审核)


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
    approved = {"status": "normal", "approved_at": now, "approved_by": who.user, "updated_at": now}
    # One UPDATE for all of them (a district approves 1,000 at once, issue 16), not one per member
    # as the unit of work would flush them; the loaded rows take the same values as committed
    # state, so the events and the answer read what the statement wrote.
    members = Member.__table__
    uow.session.execute(
        update(members)
        .where(members.c.id.in_([m.id for m in visible]))
        .values(
            member_no=case({m.id: number for m, number in zip(visible, numbers, strict=False)}, value=members.c.id),
            version=members.c.version + 1,
            **approved,
        )
    )
    for member, number in zip(visible, numbers, strict=False):
        for key, value in {**approved, "member_no": number, "version": member.version + 1}.items():
            set_committed_value(member, key, value)
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
    districts = districts_of(uow.session, [m.union_id for m in found])
    visible = [m for m in found if member_in_scope(who, m.union_id, districts.get(m.union_id))]
    if len(visible) != len(ids):
        raise NotFound()
    not_pending = [m.id for m in visible if m.status != "pending"]
    if not_pending:
        raise Conflict("所选会员中有不在待审核状态的，请刷新后重试", code="MEMBER_NOT_PENDING", ids=not_pending)
    return visible, districts


# ------------------------------------------------------------------ removals (人口办剔除)


def set_removed(uow, who: Identity, member_ids: list[int], removed: bool = True) -> list[Member]:
    """人口办剔除: the centre flags members removed by the population office (or lifts the flag)."""
    who.require("centre")
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationFailed({"member_ids": ["请选择会员"]})
    found = list(uow.session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id).with_for_update()))
    if len(found) != len(ids):
        raise NotFound()
    mark_removed(uow, found, removed)
    uow.commit()
    return found


def mark_removed(uow, members, removed: bool) -> None:
    """The removal flag on these members, with their events (one by one, or from a list)."""
    now = clock.utcnow_naive()
    districts = districts_of(uow.session, [m.union_id for m in members])
    for member in members:
        if member.removed == removed:
            continue
        member.removed, member.removed_at = removed, now if removed else None
        member.version += 1
        member.updated_at = now
        uow.publish(
            contracts.MEMBER_REMOVED if removed else contracts.MEMBER_UPDATED,
            contracts.member_data(member, districts.get(member.union_id)),
        )


# ------------------------------------------------------------------ the list (会员列表/搜索)

COUNT_CAP = 10_000
SORTS = {"id": Member.id, "name": Member.name, "member_no": Member.member_no, "created_at": Member.created_at}


def list_members(
    uow,
    who: Identity,
    name=None,
    member_no=None,
    id_number=None,
    status=None,
    synced=None,
    card_held=None,
    removed=None,
    union_id=None,
    sort="id",
    order="asc",
    page=1,
    per_page=50,
    with_total=True,
):
    """Search and list members in the caller's scope; ID numbers and mobiles masked (the ID
    number as stored masked: a page opens no sealed number; a search by one goes by its index)."""
    session = uow.session
    query = select(
        Member.id,
        Member.union_id,
        Member.name,
        Member.gender,
        Member.id_type,
        Member.id_masked.label("id_number"),
        Member.address,
        Member.mobile,
        Member.member_no,
        Member.status,
        Member.synced,
        Member.card_number,
        Member.card_issued_on,
        Member.removed,
        Member.review_note,
    )
    if who.role == "grassroots":
        query = query.where(Member.union_id == who.union_id)
        if union_id is not None and union_id != who.union_id:
            return 0, [], False
    elif who.role == "district":
        if union_id is not None:
            if district_of(session, union_id) != who.district_id:
                return 0, [], False
            query = query.where(Member.union_id == union_id)
        else:
            # the district's unions as values (not a subquery), so that the planner sees how big
            # each one is and pages in id order instead of sorting a whole district
            unions = list(
                session.scalars(select(GrassrootsUnion.id).where(GrassrootsUnion.district_id == who.district_id))
            )
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
        query = query.where(id_number_is(number))
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
    items = [
        {
            **row,
            "mobile": mask_mobile(row["mobile"]),
            "card_held": row["card_number"] is not None,
            "card_number": mask_id(row["card_number"] or "") or None,
        }
        for row in rows
    ]
    return total, items, capped
