"""Steps the members feature modules share: who is in the caller's scope, a member's district,
publishing member events, and answering a lost unique race like the check would have."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common.errors import Conflict
from common.identity import Identity
from services.members import contracts
from services.members.adapters.orm import GrassrootsUnion


def commit_or_conflict(uow, code: str, message: str) -> None:
    """A unique constraint can still trip between our check and the commit (two clerks at
    once): answer 409 like the check would have."""
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict(message, code=code) from None


def district_of(session, union_id):
    if union_id is None:
        return None
    return session.scalar(select(GrassrootsUnion.district_id).where(GrassrootsUnion.id == union_id))


def districts_of(session, union_ids) -> dict:
    ids = {u for u in union_ids if u is not None}
    if not ids:
        return {}
    rows = session.execute(select(GrassrootsUnion.id, GrassrootsUnion.district_id).where(GrassrootsUnion.id.in_(ids)))
    return dict(rows.all())


def member_in_scope(who: Identity, union_id, district_id) -> bool:
    if who.role == "centre":
        return True
    if union_id is None:
        return False
    if who.role == "district":
        return district_id == who.district_id
    return union_id == who.union_id


def publish_member(uow, event_type: str, member, **extra) -> None:
    uow.publish(event_type, contracts.member_data(member, district_of(uow.session, member.union_id), **extra))


def publish_members(uow, changes: list, districts: dict) -> None:
    """Many member events at once (an upload): one statement into the outbox."""
    uow.publish_many(
        [(event_type, contracts.member_data(member, districts.get(member.union_id))) for event_type, member in changes]
    )
