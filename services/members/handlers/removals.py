"""人口办剔除: the centre flags members the population office removed (or lifts the flag), one by
one or from the office's list (姓名, 证件号码; all or nothing, run as an upload job).

Seams: a list refused for its rows is answered through `uploads.rows_rejected`, as every upload;
the member events go out through `shared.publish_members`."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import NotFound, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters import queries
from services.members.adapters.orm import Member
from services.members.domain.roster_sync import NAME_MISMATCH, NOT_FOUND, RowError
from services.members.handlers.shared import publish_members
from services.members.handlers.uploads import rows_rejected


def set_removed(uow: UoW, who: Identity, member_ids: list[int], removed: bool = True) -> list[Member]:
    """人口办剔除: the centre flags members removed by the population office (or lifts the flag)."""
    who.require("centre")
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationFailed({"member_ids": ["请选择会员"]})
    found = queries.members_locked(uow.session, ids)
    if len(found) != len(ids):
        raise NotFound()
    mark_removed(uow, found, removed)
    uow.commit()
    return found


def removals_from_list(uow: UoW, who: Identity, data: bytes, job_id: int):
    """人口办剔除 from a list (姓名, 证件号码), by the centre."""
    who.require("centre")
    rows, people, errors = xl.people_of(data, "removals", clock.today())
    with uow.fresh() as work:
        members = queries.members_with_ids(work.session, [p.id_number for p in people])
        for person in people:
            member = members.get(person.id_number)
            if member is None:
                errors.append(RowError(person.row, "证件号码", NOT_FOUND, person.name, person.id_number))
            elif member.name != person.name:
                errors.append(RowError(person.row, "姓名", NAME_MISMATCH, person.name, person.id_number))
        if errors:
            raise rows_rejected(errors, typed=True)
        chosen = [members[p.id_number] for p in people]
        mark_removed(work, chosen, True)
        work.commit()
    return {"rows": len(rows), "removed": len(chosen)}, xl.notice_of(rows)


def mark_removed(uow: UoW, members: list[Member], removed: bool) -> None:
    """The removal flag on these members, with their events."""
    now = clock.utcnow_naive()
    districts = queries.districts_of(uow.session, [m.union_id for m in members])
    changed = [m for m in members if m.removed != removed]
    for member in changed:
        member.removed, member.removed_at = removed, now if removed else None
        member.version += 1
        member.updated_at = now
    kind = contracts.MEMBER_REMOVED if removed else contracts.MEMBER_UPDATED
    publish_members(uow, [(kind, m) for m in changed], districts)
