"""Notifications' reads that handlers share (its repository): the days before each deadline that
remind, and the notifications written for a cause."""

from __future__ import annotations

from sqlalchemy import select

from services.notifications.adapters.orm import Notification, ReminderSetting
from services.notifications.domain import reminders as rules


def days_before(session, cover_year: int) -> list[int]:
    """The days before each deadline that remind this year (the centre's setting, else the default)."""
    row = session.get(ReminderSetting, cover_year)
    return list(row.days_before) if row is not None else list(rules.DEFAULT_DAYS_BEFORE)


def notification_ids(session, cause: str) -> list[int]:
    return list(session.scalars(select(Notification.id).where(Notification.cause == cause)))
