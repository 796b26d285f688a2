"""Row helpers the enrollment handlers share (no feature of their own): event values read leniently,
Shanghai days as naive UTC, insert-or-ignore."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.dialects import postgresql, sqlite

from common import clock


def parse_date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def parse_datetime(value) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.SHANGHAI)


def naive_utc_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=clock.SHANGHAI).astimezone(UTC).replace(tzinfo=None)


def insert_ignoring_conflict(session, table, values: dict) -> None:
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    session.execute(ins.values(**values).on_conflict_do_nothing())
