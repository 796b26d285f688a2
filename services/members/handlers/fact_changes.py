"""登记信息变更 in 组织审核: a union asks to change its registered name, its unified social credit
code, or to move to another district; its district approves it or returns it with a reason; a
move is released by the union's district and then accepted by the new one. On the last approval
the union's facts change as the centre's change would (members.union.updated; a move
republishes its members). Rules in domain/fact_change.py (docs/decisions/0040-clerk-handover.md).

Seams: `directory.apply_union_facts` (the approved facts onto the union, announced),
`shared.commit_or_conflict` (a code or an open change taken between the check and the commit)."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from common.identity import Identity
from services.members.adapters import queries
from services.members.adapters.orm import District, GrassrootsUnion, UnionFactChange
from services.members.domain import fact_change as rules
from services.members.domain.registration import REASON_LIMIT, check_reason
from services.members.handlers.directory import apply_union_facts
from services.members.handlers.shared import commit_or_conflict


class ChangeDecided(Conflict):
    code = "FACT_CHANGE_DECIDED"
    message = "该申请已审核，不能再审核"


class NotYourStep(Forbidden):
    code = "FACT_CHANGE_OTHER_DISTRICT"


def submit(uow: UoW, who: Identity, union_id: int, data: dict) -> UnionFactChange:
    """The union asks (its own only): at least one fact different; a code another union holds,
    a name another union has, an unknown district, or a change still open: refused, nothing kept."""
    who.require("grassroots")
    union = uow.session.get(GrassrootsUnion, union_id)
    if union is None or union.id != who.union_id:
        raise NotFound()
    change, errors = rules.check_change(union.name, union.credit_code, union.district_id, data)
    note = rules.check_note(data.get("note"))
    if note is None:
        errors = {**errors, "note": [f"说明不能超过 {rules.NOTE_LIMIT} 字"]}
    if change is None or errors:
        raise ValidationFailed(errors)
    if change.credit_code and queries.union_with_credit_code(uow.session, change.credit_code):
        raise Conflict("该统一社会信用代码已登记", code="CREDIT_CODE_TAKEN", fields={"credit_code": ["该代码已登记"]})
    if change.name and queries.union_named(uow.session, change.name):
        raise Conflict("已有同名的基层工会", code="UNION_NAME_TAKEN", fields={"name": ["已有同名的基层工会"]})
    if change.district_id and uow.session.get(District, change.district_id) is None:
        raise ValidationFailed({"district_id": ["所属区局/产业工会不存在"]})
    if queries.open_fact_change(uow.session, union.id):
        raise Conflict("本会已有待审核的登记信息变更申请，请等待审核", code="FACT_CHANGE_OPEN")
    row = UnionFactChange(
        union_id=union.id,
        old_name=union.name,
        old_credit_code=union.credit_code,
        from_district_id=union.district_id,
        new_name=change.name,
        new_credit_code=change.credit_code,
        to_district_id=change.district_id,
        note=note or "",
        state=rules.PENDING,
        submitted_at=clock.utcnow_naive(),
        submitted_by=who.user,
    )
    uow.session.add(row)
    uow.session.flush()
    row.number = rules.change_number(row.id, clock.today())
    commit_or_conflict(uow, "FACT_CHANGE_OPEN", "本会已有待审核的登记信息变更申请，请等待审核")
    return row


def list_changes(uow: UoW, who: Identity, state: str | None = None) -> list[UnionFactChange]:
    who.require("grassroots", "district", "centre")
    return queries.fact_changes_in_scope(uow.session, who, state)


def _at_its_step(uow: UoW, who: Identity, change_id: int) -> UnionFactChange:
    """The change, locked, if the caller may see it (else 404) and it is the caller's step."""
    who.require("district", "centre")
    row = uow.session.get(UnionFactChange, change_id, with_for_update=True)
    if row is None or (who.role == "district" and who.district_id not in (row.from_district_id, row.to_district_id)):
        raise NotFound()
    try:
        step = rules.step_district(row.state, row.from_district_id, row.to_district_id)
        rules.check_actor(who.role, who.district_id, step)
    except rules.Decided as exc:
        raise ChangeDecided(str(exc)) from None
    except rules.NotYours:
        raise NotYourStep(f"该申请当前待{district_name(uow, step)}审核") from None
    return row


def approve(uow: UoW, who: Identity, change_id: int) -> UnionFactChange:
    """通过 at the caller's step: a move the union's district releases waits for the new one; the
    last approval changes the union (refused with nothing changed when the code or the name
    reached another union since)."""
    row = _at_its_step(uow, who, change_id)
    now = clock.utcnow_naive()
    row.state = rules.approve(row.state, row.to_district_id is not None)
    if row.state == rules.AWAITING:
        row.released_at, row.released_by = now, who.user
        uow.commit()
        return row
    row.decided_at, row.decided_by = now, who.user
    union = uow.session.get(GrassrootsUnion, row.union_id, with_for_update=True)
    if union is None:
        raise NotFound()
    if row.new_name and row.new_name != union.name and queries.union_named(uow.session, row.new_name):
        raise Conflict("已有同名的基层工会", code="UNION_NAME_TAKEN", fields={"name": ["已有同名的基层工会"]})
    facts = {
        key: value
        for key, value in (
            ("name", row.new_name),
            ("credit_code", row.new_credit_code),
            ("district_id", row.to_district_id),
        )
        if value is not None
    }
    apply_union_facts(uow, union, facts)
    commit_or_conflict(uow, "CREDIT_CODE_TAKEN", "该统一社会信用代码已登记")
    return row


def give_back(uow: UoW, who: Identity, change_id: int, reason: str) -> UnionFactChange:
    """退回 at the caller's step, with a reason (required, ≤ 200 characters); nothing changes."""
    row = _at_its_step(uow, who, change_id)
    clean = check_reason(reason)
    if clean is None:
        raise ValidationFailed({"reason": [f"请填写退回原因（不超过 {REASON_LIMIT} 字）"]})
    row.state = rules.give_back(row.state)
    row.reason = clean
    row.decided_at, row.decided_by = clock.utcnow_naive(), who.user
    uow.commit()
    return row


def district_name(uow: UoW, district_id: int | None) -> str | None:
    if district_id is None:
        return None
    district = uow.session.get(District, district_id)
    return district.name if district else None
