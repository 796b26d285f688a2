"""Reminder rows written in one go: the notifications (those not there yet), their mail and the
reminder rows of one deadline and offset — set-based on PostgreSQL (the audience COPYed into a
temporary table, one statement), row by row in chunks elsewhere."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from services.notifications.adapters.orm import Mail, Notification, Reminder

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


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


def record_set_based(session, ids: list[int], values: dict) -> int:
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


def record_rows(session, ids: list[int], v: dict) -> int:
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
