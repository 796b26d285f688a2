"""Many members' cards written in one statement (会员服务卡 from the bank's list, 1,000 rows a
file). The unit of work flushed one UPDATE per member, after setting each loaded member's
attributes one by one: a quarter of the members web process's CPU in a season (decision 0049).
On PostgreSQL the rows go as arrays into one UPDATE … FROM unnest(…); the loaded members take
the same values as committed state, so the events and the answer read what the statement wrote.
SQLite (embedded) keeps the unit of work's flush."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value

from services.members.adapters.orm import Member

_CARDS = text(
    """UPDATE members SET card_number = v.card, card_issued_on = v.issued_on, card_recorded_at = :now,
           version = members.version + 1, updated_at = :now
       FROM unnest(CAST(:ids AS bigint[]), CAST(:cards AS text[]), CAST(:issued AS date[])) AS v(id, card, issued_on)
       WHERE members.id = v.id"""
)


def record_cards(session, cards: list[tuple[Member, str, date | None]], now: datetime) -> None:
    """Record (member, card number, issued on) for each loaded, locked member."""
    if not cards:
        return
    if session.connection().dialect.name != "postgresql":
        for member, number, issued_on in cards:
            member.card_number, member.card_issued_on, member.card_recorded_at = number, issued_on, now
            member.version += 1
            member.updated_at = now
        session.flush()
        return
    session.execute(
        _CARDS,
        {
            "ids": [m.id for m, _, _ in cards],
            "cards": [number for _, number, _ in cards],
            "issued": [issued_on for _, _, issued_on in cards],
            "now": now,
        },
    )
    for member, number, issued_on in cards:
        for key, value in (
            ("card_number", number),
            ("card_issued_on", issued_on),
            ("card_recorded_at", now),
            ("version", member.version + 1),
            ("updated_at", now),
        ):
            set_committed_value(member, key, value)
