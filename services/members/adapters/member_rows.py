"""Many members changed in one statement each, their values per member sent as arrays into
`UPDATE … FROM unnest(…)` on PostgreSQL (decision 0049): a card list (会员服务卡 from the bank's
list, 1,000 rows a file), which the unit of work flushed as one UPDATE per member after setting
each loaded member's attributes one by one (a quarter of the members web process's CPU in a
season), and an approval's member numbers, which a CASE of one branch per member wrote in a time
that grew with the square of the members (each row tried every branch). The loaded members take
the same values as committed state, so the events and the answer read what the statement wrote.
SQLite (embedded) keeps the unit of work's flush and the CASE."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, text, update
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


_APPROVALS = text(
    """UPDATE members SET member_no = v.member_no, status = :status, approved_at = :approved_at,
           approved_by = :approved_by, updated_at = :updated_at, version = members.version + 1
       FROM unnest(CAST(:ids AS bigint[]), CAST(:numbers AS text[])) AS v(id, member_no)
       WHERE members.id = v.id"""
)


def approve_rows(session, numbered: list[tuple[Member, str]], approved: dict) -> None:
    """Give each loaded, locked member its member number and the `approved` values (status,
    approved_at, approved_by, updated_at), its version one more."""
    if not numbered:
        return
    if session.connection().dialect.name == "postgresql":
        session.execute(
            _APPROVALS, {"ids": [m.id for m, _ in numbered], "numbers": [n for _, n in numbered], **approved}
        )
    else:
        members = Member.__table__
        session.execute(
            update(members)
            .where(members.c.id.in_([m.id for m, _ in numbered]))
            .values(
                member_no=case({m.id: n for m, n in numbered}, value=members.c.id),
                version=members.c.version + 1,
                **approved,
            )
        )
    for member, number in numbered:
        for key, value in {**approved, "member_no": number, "version": member.version + 1}.items():
            set_committed_value(member, key, value)
