"""通知: an account's notifications — those addressed to its union, its district or the centre,
newest first, with its own read marks. Nothing outside the account's scope is ever listed or
marked (a notification of another audience answers like a missing one)."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite

from common import clock
from common.db import UoW
from common.errors import NotFound
from common.identity import Identity
from services.notifications.adapters.orm import Notification, NotificationRead

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def audience_of(who: Identity) -> tuple[str, int]:
    if who.role == "grassroots":
        return "union", who.union_id
    if who.role == "district":
        return "district", who.district_id
    return "centre", 0


def _mine(who: Identity):
    audience, audience_id = audience_of(who)
    return and_(Notification.audience == audience, Notification.audience_id == audience_id)


def _read(who: Identity):
    return and_(NotificationRead.notification_id == Notification.id, NotificationRead.username == who.user)


def list_notifications(uow: UoW, who: Identity, unread_only: bool = False, page: int = 1, per_page: int = 20) -> dict:
    session = uow.session
    query = select(Notification, NotificationRead.read_at).outerjoin(NotificationRead, _read(who)).where(_mine(who))
    if unread_only:
        query = query.where(NotificationRead.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page))
    items = [
        {
            "id": n.id,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "link": n.link,
            "created_at": n.created_at,
            "read": read_at is not None,
            "read_at": read_at,
        }
        for n, read_at in rows
    ]
    return {"total": total, "unread": unread_count(uow, who), "items": items}


def unread_count(uow: UoW, who: Identity) -> int:
    return (
        uow.session.scalar(
            select(func.count(Notification.id))
            .outerjoin(NotificationRead, _read(who))
            .where(_mine(who), NotificationRead.read_at.is_(None))
        )
        or 0
    )


def mark_read(uow: UoW, who: Identity, notification_ids: list[int] | None) -> int:
    """Mark the named notifications (or, with None, every one) read for this account. A named
    notification outside the account's scope answers NotFound and nothing is marked."""
    session = uow.session
    query = select(Notification.id).where(_mine(who))
    if notification_ids is not None:
        wanted = set(notification_ids)
        found = set(session.scalars(query.where(Notification.id.in_(wanted))))
        if found != wanted:
            raise NotFound("未找到该通知", code="NOTIFICATION_NOT_FOUND")
        ids = sorted(found)
    else:
        ids = list(
            session.scalars(query.outerjoin(NotificationRead, _read(who)).where(NotificationRead.read_at.is_(None)))
        )
    if ids:
        insert = _INSERT[session.get_bind().dialect.name]
        now = clock.utcnow_naive()
        session.execute(
            insert(NotificationRead).on_conflict_do_nothing(index_elements=["notification_id", "username"]),
            [{"notification_id": i, "username": who.user, "read_at": now} for i in ids],
        )
    uow.commit()
    return len(ids)
