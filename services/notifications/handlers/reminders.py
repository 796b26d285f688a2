"""截止提醒: N days before each deadline of a cover year's timeline, remind exactly those who
have not acted. A reminder is recorded (notification, its mail and the reminder row, in one
transaction) before anything is sent; the notification's cause key is unique, so two job
processes, or one restarted, never record — and so never send — a reminder twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from common import clock
from common.errors import NotFound, ValidationFailed
from common.identity import Identity
from services.notifications.adapters import enrollment_actions
from services.notifications.adapters.orm import (
    CoverYearView,
    Mail,
    Notification,
    Reminder,
    ReminderPass,
    ReminderSetting,
)
from services.notifications.domain import reminders as rules

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
CHUNK = 5000


def days_before(session, cover_year: int) -> list[int]:
    row = session.get(ReminderSetting, cover_year)
    return list(row.days_before) if row is not None else list(rules.DEFAULT_DAYS_BEFORE)


def set_days_before(uow, who: Identity, cover_year: int, days: list[int]) -> list[int]:
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


def record(uow, cover_year: int, key: str, deadline: date, offset: int, ids: list[int], sent_by: str) -> int:
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
        new = _record_set_based(session, ids, values)
    else:
        new = sum(_record_rows(session, ids[start : start + CHUNK], values) for start in range(0, len(ids), CHUNK))
    uow.commit()
    return new


_RECORD = """
    WITH made AS (
        INSERT INTO notification (cause, audience, audience_id, kind, title, body, link, created_at)
        SELECT :cause, :audience, a.id, 'reminder', :title, :body, :link, :now FROM reminder_audience a
        ON CONFLICT (cause, audience, audience_id) DO NOTHING RETURNING id, audience_id),
    mailed AS (
        INSERT INTO mail (notification_id, state, attempts, next_attempt_at) SELECT id, 'pending', 0, :now FROM made)
    INSERT INTO reminder (cover_year, deadline, days_before, audience, audience_id, deadline_date, notification_id,
                          sent_by, created_at)
    SELECT :year, :key, :offset, :audience, audience_id, :deadline, id, :by, :now FROM made"""


def _record_set_based(session, ids: list[int], values: dict) -> int:
    """PostgreSQL: the ids COPYed into a temporary table, then one statement writes the
    notifications (those not there yet), their mail and the reminder rows."""
    connection = session.connection()
    connection.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS reminder_audience (id integer) ON COMMIT DROP")
    with (
        connection.connection.dbapi_connection.cursor() as cursor,
        cursor.copy("COPY reminder_audience (id) FROM STDIN") as copy,
    ):
        for audience_id in ids:
            copy.write_row((audience_id,))
    return session.execute(text(_RECORD), values).rowcount


def _record_rows(session, ids: list[int], v: dict) -> int:
    insert = _INSERT[session.get_bind().dialect.name]
    rows = [
        {
            "cause": v["cause"],
            "audience": v["audience"],
            "audience_id": i,
            "kind": "reminder",
            "title": v["title"],
            "body": v["body"],
            "link": v["link"],
            "created_at": v["now"],
        }
        for i in ids
    ]
    if not rows:
        return 0
    made = session.execute(
        insert(Notification)
        .on_conflict_do_nothing(index_elements=["cause", "audience", "audience_id"])
        .returning(Notification.id, Notification.audience_id),
        rows,
    ).all()
    if made:
        session.execute(
            insert(Mail),
            [{"notification_id": n, "state": "pending", "attempts": 0, "next_attempt_at": v["now"]} for n, _ in made],
        )
        session.execute(
            insert(Reminder),
            [
                {
                    "cover_year": v["year"],
                    "deadline": v["key"],
                    "days_before": v["offset"],
                    "audience": v["audience"],
                    "audience_id": a,
                    "deadline_date": v["deadline"],
                    "notification_id": n,
                    "sent_by": v["by"],
                    "created_at": v["now"],
                }
                for n, a in made
            ],
        )
    return len(made)


def run_reminders(uow, today: date | None = None) -> dict:
    """Every cover year's deadlines: the reminder due today (if any) to those who have not acted.
    Returns {"<year>:<deadline>:<offset>": new reminders}."""
    today = today or clock.today()
    with uow.fresh() as work:
        years = [
            (y.cover_year, dict(y.deadlines), days_before(work.session, y.cover_year))
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


def _pass_done(uow, cover_year: int, key: str, offset: int, new: int) -> None:
    insert = _INSERT[uow.session.get_bind().dialect.name]
    uow.session.execute(
        insert(ReminderPass)
        .values(cover_year=cover_year, deadline=key, days_before=offset, reminded=new, done_at=clock.utcnow_naive())
        .on_conflict_do_nothing(index_elements=["cover_year", "deadline", "days_before"])
    )
    uow.commit()


def send_by_hand(uow, who: Identity, cover_year: int, key: str, audience_ids: list[int] | None) -> dict:
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


def report(uow, who: Identity, cover_year: int, per_page: int = 50) -> dict:
    """Per deadline: its date, the configured days, who was reminded (count and the latest) and
    who still has not acted (count and the first of them, each with when it was last reminded)."""
    who.require("centre")
    session = uow.session
    year = session.get(CoverYearView, cover_year)
    if year is None:
        raise NotFound("未找到该保障年度", code="COVER_YEAR_NOT_FOUND")
    days = days_before(session, cover_year)
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
