"""The union directory (工会名录): districts and industry unions (区局/产业工会) and the grassroots
unions (基层工会) in them; registered and changed by the centre, read by everyone in scope.

Seams: `shared.commit_or_conflict` (a name or credit code taken between the check and the commit),
`shared.publish_snapshots` (a union's move republishes its members, 100 a message)."""

from __future__ import annotations

from sqlalchemy import update

from common import clock
from common.db import UoW
from common.downloads import has_invisible
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from common.schema import INVISIBLE_MESSAGE
from services.members import contracts
from services.members.adapters import queries
from services.members.adapters.orm import District, GrassrootsUnion, Member
from services.members.domain.directory import DISTRICT_KINDS, CreditCodeInvalid, normalise_credit_code, normalise_phone
from services.members.handlers.shared import commit_or_conflict, publish_snapshots

# ------------------------------------------------------------------ districts (区局/产业工会)


def register_district(uow: UoW, who: Identity, name: str, kind: str, special_industry: bool = False) -> District:
    """The centre registers a district or industry union (区局/产业工会); every service hears of it."""
    who.require("centre")
    if kind not in DISTRICT_KINDS:
        raise ValidationFailed({"kind": ["取值须为 district（区局工会）或 industry（产业工会）"]})
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": ["名称不能为空"]})
    if has_invisible(name):  # it names notices, workbooks and their downloads
        raise ValidationFailed({"name": [INVISIBLE_MESSAGE]})
    if queries.district_named(uow.session, name):
        raise Conflict(f"已有名为「{name}」的区局/产业工会", code="DISTRICT_NAME_TAKEN")
    district = District(
        name=name, kind=kind, special_industry=special_industry, version=1, created_at=clock.utcnow_naive()
    )
    uow.session.add(district)
    uow.session.flush()
    uow.publish(contracts.DISTRICT_REGISTERED, contracts.district_data(district))
    commit_or_conflict(uow, "DISTRICT_NAME_TAKEN", f"已有名为「{name}」的区局/产业工会")
    return district


def update_district(uow: UoW, who: Identity, district_id: int, changes: dict) -> District:
    """The centre renames a district, changes its kind or its special-industry flag (a new version)."""
    who.require("centre")
    district = uow.session.get(District, district_id)
    if district is None:
        raise NotFound()
    if "kind" in changes and changes["kind"] not in DISTRICT_KINDS:
        raise ValidationFailed({"kind": ["取值须为 district（区局工会）或 industry（产业工会）"]})
    if "name" in changes and has_invisible(changes["name"]):
        raise ValidationFailed({"name": [INVISIBLE_MESSAGE]})
    for key in ("name", "kind", "special_industry"):
        if key in changes:
            setattr(district, key, changes[key].strip() if key == "name" else changes[key])
    district.version += 1
    uow.publish(contracts.DISTRICT_UPDATED, contracts.district_data(district))
    commit_or_conflict(uow, "DISTRICT_NAME_TAKEN", "已有同名的区局/产业工会")
    return district


def list_districts(uow: UoW, who: Identity) -> list[District]:
    """The districts the caller sees: the centre all, a district its own, a union its district."""
    return queries.districts_in_scope(uow.session, who)


# ------------------------------------------------------------------ grassroots unions (基层工会)


def _checked_union_fields(uow: UoW, data: dict) -> dict:
    """A union's fields as given, cleaned and checked (each one wrong named with its message)."""
    errors, clean = {}, {}
    if "name" in data:
        clean["name"] = (data["name"] or "").strip()
        if not clean["name"]:
            errors["name"] = ["单位名称不能为空"]
        elif has_invisible(clean["name"]):
            errors["name"] = [INVISIBLE_MESSAGE]
    if "credit_code" in data:
        try:
            clean["credit_code"] = normalise_credit_code(data["credit_code"])
        except CreditCodeInvalid as exc:
            errors["credit_code"] = [str(exc)]
    if "district_id" in data:
        if uow.session.get(District, data["district_id"]) is None:
            errors["district_id"] = ["所属区局/产业工会不存在"]
        clean["district_id"] = data["district_id"]
    if "contact_person" in data:
        clean["contact_person"] = (data["contact_person"] or "").strip()
        if not clean["contact_person"]:
            errors["contact_person"] = ["联系人不能为空"]
        elif has_invisible(clean["contact_person"]):
            errors["contact_person"] = [INVISIBLE_MESSAGE]
    if "phone" in data:
        phone = normalise_phone(data["phone"])
        if phone is None:
            errors["phone"] = ["联系电话格式不正确（手机 11 位，或带区号的座机）"]
        clean["phone"] = phone
    if errors:
        raise ValidationFailed(errors)
    return clean


def register_union(uow: UoW, who: Identity, data: dict) -> GrassrootsUnion:
    """The centre registers a grassroots union (基层工会) in a district; its credit code is unique."""
    who.require("centre")
    clean = _checked_union_fields(uow, data)
    if queries.union_with_credit_code(uow.session, clean["credit_code"]):
        raise Conflict("该统一社会信用代码已登记", code="CREDIT_CODE_TAKEN", fields={"credit_code": ["该代码已登记"]})
    union = GrassrootsUnion(**clean, version=1, created_at=clock.utcnow_naive())
    uow.session.add(union)
    uow.session.flush()
    uow.publish(contracts.UNION_REGISTERED, contracts.union_data(union))
    commit_or_conflict(uow, "CREDIT_CODE_TAKEN", "该统一社会信用代码已登记")
    return union


CONTACT_FIELDS = ("contact_person", "phone")


def update_union(uow: UoW, who: Identity, union_id: int, data: dict) -> GrassrootsUnion:
    """Rename, change contact, or move to another district. The centre may change anything; a
    grassroots union may keep its own contact details current."""
    union = get_union(uow, who, union_id)
    if who.role != "centre":
        who.require("grassroots")
        not_allowed = [k for k in data if k not in CONTACT_FIELDS]
        if not_allowed:
            raise ValidationFailed({k: ["只有市职保中心可以修改此项"] for k in not_allowed})
    clean = _checked_union_fields(uow, data)
    apply_union_facts(uow, union, clean)
    commit_or_conflict(uow, "CREDIT_CODE_TAKEN", "该统一社会信用代码已登记")
    return union


def apply_union_facts(uow: UoW, union: GrassrootsUnion, clean: dict) -> None:
    """Checked facts onto a union, announced (members.union.updated; a move republishes its
    members with their new district); a credit code another union holds is refused. The caller
    commits (through commit_or_conflict). Also 登记信息变更's approval (fact_changes)."""
    if (
        "credit_code" in clean
        and clean["credit_code"] != union.credit_code
        and queries.union_with_credit_code(uow.session, clean["credit_code"])
    ):
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
        publish_snapshots(
            uow,
            [
                (contracts.MEMBER_UPDATED, contracts.member_data(m, union.district_id))
                for m in queries.members_of_union(uow.session, union.id)
            ],
        )


def get_union(uow: UoW, who: Identity, union_id: int) -> GrassrootsUnion:
    """A union in the caller's scope; anything else answers like a missing one."""
    union = uow.session.get(GrassrootsUnion, union_id)
    if union is None:
        raise NotFound()
    who.check_union(union.id, union.district_id)
    return union


def list_unions(
    uow: UoW,
    who: Identity,
    name: str | None = None,
    credit_code: str | None = None,
    district_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
    ids: list[int] | None = None,
):
    """(total, a page of) the unions in the caller's scope, in id order."""
    return queries.union_page(uow.session, who, name, credit_code, district_id, page, per_page, ids)


def registration_origins(uow: UoW, who: Identity, union_ids: list[int]) -> list[dict]:
    """For a page of unions (the district's 基层工会 page): which came in through 组织注册, with the
    application's number and when it was approved; the others were registered by the centre."""
    who.require("district", "centre")
    return [
        {"union_id": union_id, "registration_no": number, "approved_at": decided_at}
        for union_id, number, decided_at in queries.registrations_of_unions(uow.session, who, union_ids)
    ]
