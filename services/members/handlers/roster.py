"""The roster (会员名册): add and edit a member, read one (masked for a reviewer, revealed in
full on an audited request) and search the scoped member list. The district's review is
review.py, the population office's removals removals.py, cards cards.py.

Seams: it counts ID lookups through `id_lookups.count_lookups_now` (a new or corrected number
tells whether it is registered) and publishes through `shared`. It offers `get_member` (a member
in the caller's scope: cards), `apply_fields` (checked details onto a member: member_import,
detail_changes) and `current_values` (a member's editable details, to check a change against)."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from common.pii import mask_id, mask_mobile
from services.members import contracts
from services.members.adapters import queries
from services.members.adapters.new_members import new_member
from services.members.adapters.orm import Member
from services.members.domain import idcard
from services.members.domain.member import EDITABLE as MEMBER_EDITABLE
from services.members.domain.member import check_member
from services.members.domain.scope import member_in_scope
from services.members.handlers.id_lookups import count_lookups_now
from services.members.handlers.shared import commit_or_conflict, publish_member


def get_member(uow: UoW, who: Identity, member_id: int, for_update: bool = False) -> Member:
    """A member in the caller's scope (locked for the caller's change when `for_update`); anything
    else answers like a missing one."""
    member = queries.member(uow.session, member_id, for_update)
    if member is None or not member_in_scope(who, member.union_id, queries.district_of(uow.session, member.union_id)):
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


def member_detail(uow: UoW, who: Identity, member_id: int):
    """会员详情, in the caller's scope, as the caller may see it (as_seen_by)."""
    return as_seen_by(who, get_member(uow, who, member_id))


def reveal_id_number(uow: UoW, who: Identity, member_id: int) -> Member:
    """会员审核: a district reviewer asks for one member's full ID number and mobile (its detail
    masks them). The gateway audits the request (who, whose, when); members only answers it, in scope."""
    who.require("district")
    return get_member(uow, who, member_id)


def add_member(uow: UoW, who: Identity, data: dict) -> Member:
    """新增会员: a grassroots union adds a person; the member waits for its district's approval."""
    who.require("grassroots")
    clean, errors = check_member(data, clock.today())
    if errors:
        raise ValidationFailed(errors)
    count_lookups_now(uow, who, 1)  # the answer may say the number is registered elsewhere (decision 0021)
    existing = queries.member_with_id_number(uow.session, clean["id_number"])
    if existing is not None:
        raise _already_registered(who, existing)
    now = clock.utcnow_naive()
    member = new_member(clean, who.union_id, now)
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


def current_values(member: Member) -> dict:
    """A member's details as check_member reads them (the values a partial change is checked against)."""
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


def update_member(uow: UoW, who: Identity, member_id: int, data: dict) -> Member:
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
        current = current_values(member)
        if member.id_type == "resident":  # gender and birth date are read from the new number
            current.update(gender=None, birth_date=None)
        clean, errors = check_member({**current, **data}, clock.today())
    else:
        clean, errors = check_member(data, clock.today(), partial_of=current_values(member))
    if errors:
        raise ValidationFailed(errors)
    if correcting:
        count_lookups_now(uow, who, 1)  # the answer may say the number is registered (decision 0021)
        other = queries.other_member_with_id_number(uow.session, clean["id_number"], member.id)
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


# ------------------------------------------------------------------ the list (会员列表/搜索)

# across a district or the city the count stops here and says so (adapters.queries.member_page)
COUNT_CAP = 10_000
SORTS = tuple(queries.SORTS)  # what a list may be sorted by (the query's columns)


def list_members(
    uow: UoW,
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
    """Search and list members in the caller's scope; ID numbers and mobiles masked (both as
    stored masked: a page opens no sealed number; a search by ID number goes by its index)."""
    number = None  # searched by: the number as the register keeps it (a 15-digit one upgraded)
    if id_number:
        number = idcard.clean(id_number)
        if len(number) == 15 and number.isdigit():
            number = idcard.upgrade_15(number)
    total, rows, capped = queries.member_page(
        uow.session,
        who,
        name=name,
        member_no=member_no,
        id_number=number,
        status=status,
        synced=synced,
        card_held=card_held,
        removed=removed,
        union_id=union_id,
        sort=sort,
        order=order,
        page=page,
        per_page=per_page,
        with_total=with_total,
        count_cap=COUNT_CAP,
    )
    items = [
        {
            **row,
            "card_held": row["card_number"] is not None,
            "card_number": mask_id(row["card_number"] or "") or None,
        }
        for row in rows
    ]
    return total, items, capped
