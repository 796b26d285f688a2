"""截止提醒: N days before each deadline of a cover year's timeline, remind exactly those who
have not acted. A reminder is recorded (notification, its mail and the reminder row, in one
transaction) before anything is sent; the notification's cause key is unique, so two job
processes, or one restarted, never record — and so never send — a reminder twice. The centre's
report of them is reminder_report.py; the days before each deadline are read through
adapters/queries.py."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from common import clock
from common.db import UoW
from common.errors import NotFound, ValidationFailed
from common.identity import Identity
from services.notifications.adapters import enrollment_actions, queries, reminder_rows
from services.notifications.adapters.orm import CoverYearView, ReminderPass, ReminderSetting
from services.notifications.domain import reminders as rules

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
CHUNK = 5000


def set_days_before(uow: UoW, who: Identity, cover_year: int, days: list[int]) -> list[int]:
    who.require("centre")
    problems = rules.check_days(days)
    if problems:
        raise ValidationFailed({"days_before": problems})
    if uow.session.get(CoverYearView, cover_year) is None:
        raise NotFound("未找到该保障年度", code="COVER_YEAR_NOT_FOUND")
    row = uow.session.get(ReminderSetting, cover_year)
    days = sorted(days, reverse=True)
    if row is None:
        uow.session.add(
            ReminderSetting(
                cover_year=cover_year, days_before=days, updated_by=who.user, updated_at=clock.utcnow_naive()
            )
        )
    else:
        row.days_before, row.updated_by, row.updated_at = days, who.user, clock.utcnow_naive()
    uow.commit()
    return days


def record(uow: UoW, cover_year: int, key: str, deadline: date, offset: int, ids: list[int], sent_by: str) -> int:
    """Record the reminders of one deadline and offset for these audiences (those already
    reminded at this offset are left alone); returns how many are new. Commits."""
    audience, title, body, link = rules.reminder_message(key, cover_year, deadline, (deadline - clock.today()).days)
    values = {
        "cause": f"reminder:{cover_year}:{key}:{offset}",
        "audience": audience,
        "title": title[:200],
        "body": body,
        "link": link,
        "now": clock.utcnow_naive(),
        "year": cover_year,
        "key": key,
        "offset": offset,
        "deadline": deadline,
        "by": sent_by,
    }
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        new = reminder_rows.record_set_based(session, ids, values)
    else:
        new = sum(
            reminder_rows.record_rows(session, ids[start : start + CHUNK], values)
            for start in range(0, len(ids), CHUNK)
        )
    uow.commit()
    return new


def run_reminders(uow: UoW, today: date | None = None) -> dict:
    """Every cover year's deadlines: the reminder due today (if any) to those who have not acted.
    Returns {"<year>:<deadline>:<offset>": new reminders}."""
    today = today or clock.today()
    with uow.fresh() as work:
        years = [
            (y.cover_year, dict(y.deadlines), queries.days_before(work.session, y.cover_year))
            for y in work.session.scalars(select(CoverYearView))
        ]
    done = {}
    for cover_year, deadlines, days in years:
        for key in rules.REMINDED:
            deadline = date.fromisoformat(deadlines[key])
            offset = rules.due_offset(deadline, today, days)
            if offset is None:
                continue
            with uow.fresh() as work:
                if work.session.get(ReminderPass, (cover_year, key, offset)) is not None:
                    continue  # this pass is done: enrollment is asked once per pass, not every run
            ids = enrollment_actions.not_acted(cover_year, key)
            with uow.fresh() as work:
                new = record(work, cover_year, key, deadline, offset, ids, "job")
                _pass_done(work, cover_year, key, offset, new)
                done[f"{cover_year}:{key}:{offset}"] = new
    return done


def _pass_done(uow: UoW, cover_year: int, key: str, offset: int, new: int) -> None:
    insert = _INSERT[uow.session.get_bind().dialect.name]
    uow.session.execute(
        insert(ReminderPass)
        .values(cover_year=cover_year, deadline=key, days_before=offset, reminded=new, done_at=clock.utcnow_naive())
        .on_conflict_do_nothing(index_elements=["cover_year", "deadline", "days_before"])
    )
    uow.commit()


def send_by_hand(uow: UoW, who: Identity, cover_year: int, key: str, audience_ids: list[int] | None) -> dict:
    """The centre reminds now those of a deadline who still have not acted (or some of them):
    recorded under the days left, so the job's reminder of the same day is not sent again."""
    who.require("centre")
    year = uow.session.get(CoverYearView, cover_year)
    if year is None or key not in rules.REMINDED:
        raise NotFound("未找到该截止事项", code="DEADLINE_NOT_FOUND")
    deadline = date.fromisoformat(year.deadlines[key])
    left = (deadline - clock.today()).days
    if left < 0:
        raise ValidationFailed({"deadline": ["该截止日已过，无需提醒"]})
    pending = enrollment_actions.not_acted(cover_year, key)
    ids = pending if audience_ids is None else sorted(set(audience_ids) & set(pending))
    return {"reminded": record(uow, cover_year, key, deadline, left, ids, who.user), "not_acted": len(pending)}
