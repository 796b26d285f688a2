"""The steps every members feature takes when it changes members (a seam, see handlers/__init__):
publishing member events with the member's district, and answering a lost unique race as the
check before it would have."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from common.db import UoW
from common.errors import Conflict
from services.members import contracts, settings
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
    """One member's event: the member's snapshot with its union's district."""
    district = queries.district_of(uow.session, member.union_id)
    publish_snapshots(uow, [(event_type, contracts.member_data(member, district, **extra))])


def publish_members(uow: UoW, changes: list, districts: dict) -> None:
    """Many members' events at once (an upload, an approval): `(event type, member)` pairs."""
    publish_snapshots(
        uow, [(event_type, contracts.member_data(m, districts.get(m.union_id))) for event_type, m in changes]
    )


def publish_snapshots(uow: UoW, changes: list[tuple[str, dict]]) -> None:
    """Member snapshots `(event type, snapshot)` published as few messages as they can be: one per
    event type and per 100 members (`MEMBERS_PER_EVENT`; schema version 2, docs/events.md;
    issue 30). Every member event goes out this way."""
    for event_type, data in contracts.member_events(changes, settings.load().members_per_event):
        uow.publish(event_type, data, schema_version=contracts.MEMBER_EVENT_VERSION)
