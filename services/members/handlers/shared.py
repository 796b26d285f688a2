"""The steps every members feature takes when it changes members (a seam, see handlers/__init__):
publishing member events with the member's district, and answering a lost unique race as the
check before it would have."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from common.db import UoW
from common.errors import Conflict
from services.members import contracts
from services.members.adapters import queries


def commit_or_conflict(uow: UoW, code: str, message: str) -> None:
    """A unique constraint can still trip between our check and the commit (two clerks at
    once): answer 409 like the check would have."""
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict(message, code=code) from None


def publish_member(uow: UoW, event_type: str, member, **extra) -> None:
    """One member event: the member's snapshot with its union's district."""
    uow.publish(event_type, contracts.member_data(member, queries.district_of(uow.session, member.union_id), **extra))


def publish_members(uow: UoW, changes: list, districts: dict) -> None:
    """Many member events at once (an upload): one statement into the outbox."""
    uow.publish_many(
        [(event_type, contracts.member_data(member, districts.get(member.union_id))) for event_type, member in changes]
    )
