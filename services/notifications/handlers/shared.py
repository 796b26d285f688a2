"""Writing notifications: each with its e-mail waiting to be sent, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from common import clock
from common.db import UoW
from services.notifications.adapters.orm import Mail, Notification
from services.notifications.domain.messages import Message

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def deliver(uow: UoW, cause: str, messages: list[Message]) -> list[int]:
    """Write each message once for its cause (an audience already told of this cause is left
    alone) with its mail, and return the new notifications' ids."""
    if not messages:
        return []
    now = clock.utcnow_naive()
    session = uow.session
    insert = _INSERT[session.get_bind().dialect.name]
    rows = [
        {
            "cause": cause[:120],
            "audience": m.audience,
            "audience_id": m.audience_id,
            "kind": m.kind,
            "title": m.title[:200],
            "body": m.body,
            "link": m.link,
            "created_at": now,
        }
        for m in messages
    ]
    ids = list(
        session.execute(
            insert(Notification)
            .on_conflict_do_nothing(index_elements=["cause", "audience", "audience_id"])
            .returning(Notification.id),
            rows,
        ).scalars()
    )
    if ids:
        session.execute(
            insert(Mail),
            [{"notification_id": i, "state": "pending", "attempts": 0, "next_attempt_at": now} for i in ids],
        )
    return ids
