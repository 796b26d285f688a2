"""截止提醒 as the centre reads it: per deadline of a cover year, its date, the days before it that
remind, who was reminded (how many, by whom, when) and who still has not acted (enrollment's
answer, each with when it was last reminded)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from common import clock
from common.db import UoW
from common.errors import NotFound
from common.identity import Identity
from services.notifications.adapters import enrollment_actions, queries
from services.notifications.adapters.orm import CoverYearView, Reminder
from services.notifications.domain import reminders as rules


def report(uow: UoW, who: Identity, cover_year: int, per_page: int = 50) -> dict:
    """Per deadline: its date, the configured days, who was reminded (count and the latest) and
    who still has not acted (count and the first of them, each with when it was last reminded)."""
    who.require("centre")
    session = uow.session
    year = session.get(CoverYearView, cover_year)
    if year is None:
        raise NotFound("未找到该保障年度", code="COVER_YEAR_NOT_FOUND")
    days = queries.days_before(session, cover_year)
    out = []
    for key, (audience, *_rest) in rules.REMINDED.items():
        deadline = date.fromisoformat(year.deadlines[key])
        reminded = session.scalar(
            select(func.count(func.distinct(Reminder.audience_id))).where(
                Reminder.cover_year == cover_year, Reminder.deadline == key
            )
        )
        pending, names = enrollment_actions.not_acted_named(cover_year, key, per_page)
        last = dict(
            session.execute(
                select(Reminder.audience_id, func.max(Reminder.created_at))
                .where(
                    Reminder.cover_year == cover_year,
                    Reminder.deadline == key,
                    Reminder.audience_id.in_(pending[:per_page]),
                )
                .group_by(Reminder.audience_id)
            ).all()
        )
        sent = session.execute(
            select(Reminder.days_before, Reminder.sent_by, func.count(), func.min(Reminder.created_at))
            .where(Reminder.cover_year == cover_year, Reminder.deadline == key)
            .group_by(Reminder.days_before, Reminder.sent_by)
            .order_by(Reminder.days_before.desc())
        ).all()
        out.append(
            {
                "key": key,
                "label": rules.LABELS[key],
                "date": deadline,
                "audience": audience,
                "days_left": (deadline - clock.today()).days,
                "remindable": True,
                "reminded": reminded,
                "not_acted_count": len(pending),
                "sent": [{"days_before": d, "sent_by": by, "count": c, "at": at} for d, by, c, at in sent],
                "not_acted": [
                    {"id": i, "name": names.get(i), "last_reminded_at": last.get(i)} for i in pending[:per_page]
                ],
            }
        )
    for key, audience in rules.LISTED_ONLY.items():
        if key in year.deadlines:
            deadline = date.fromisoformat(year.deadlines[key])
            out.append(
                {
                    "key": key,
                    "label": rules.LABELS[key],
                    "date": deadline,
                    "audience": audience,
                    "days_left": (deadline - clock.today()).days,
                    "remindable": False,
                    "reminded": 0,
                    "not_acted_count": None,
                    "sent": [],
                    "not_acted": [],
                }
            )
    out.sort(key=lambda d: d["date"])  # as the timeline runs
    return {"cover_year": cover_year, "days_before": days, "deadlines": out}
