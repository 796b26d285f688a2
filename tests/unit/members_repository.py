"""A members repository in memory: the reads of services/members/adapters/queries.py that the
roster's, the review's, removals' and cards' handlers make, answered from a FakeUnitOfWork's rows.

`install(monkeypatch)` puts each function in place of the real one (handlers call them as
`queries.<name>`, so they find these); `tests/unit/test_members_handlers.py` holds every one to
the real function's parameters, so the fake cannot drift from the repository it stands for.
Locks (`for update`) mean nothing in memory: one test, one transaction at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.members.adapters import queries
from services.members.adapters.orm import GrassrootsUnion, IdLookupDay, Member


def district_of(session: Any, union_id: int | None) -> int | None:
    union = session.get(GrassrootsUnion, union_id) if union_id is not None else None
    return union.district_id if union is not None else None


def districts_of(session: Any, union_ids: Any) -> dict[int, int]:
    found = {u: district_of(session, u) for u in set(union_ids) if u is not None}
    return {u: d for u, d in found.items() if d is not None}


def member(session: Any, member_id: int, for_update: bool = False) -> Member | None:
    return session.get(Member, member_id)


def members_locked(session: Any, member_ids: list[int], union_id: int | None = None) -> list[Member]:
    found = [session.get(Member, i) for i in sorted(set(member_ids))]
    return [m for m in found if m is not None and (union_id is None or m.union_id == union_id)]


def member_with_id_number(session: Any, number: str) -> Member | None:
    return next((m for m in session.all(Member) if m.id_number == number), None)


def other_member_with_id_number(session: Any, number: str, member_id: int) -> int | None:
    return next((m.id for m in session.all(Member) if m.id_number == number and m.id != member_id), None)


def members_with_ids(session: Any, numbers: Any, union_id: int | None = None) -> dict[str, Member]:
    wanted = set(numbers)
    return {
        m.id_number: m
        for m in session.all(Member)
        if m.id_number in wanted and (union_id is None or m.union_id == union_id)
    }


def card_holders(session: Any, card_numbers: list[str]) -> dict[str, int]:
    return {m.card_number: m.id for m in session.all(Member) if m.card_number in set(card_numbers)}


def roster_size(session: Any, union_id: int | None) -> int:
    return sum(1 for m in session.all(Member) if m.union_id == union_id)


def locked_lookup_day(session: Any, union_id: int | None, day: date) -> IdLookupDay:
    row = session.get(IdLookupDay, (union_id, day))
    if row is None:
        row = IdLookupDay(union_id=union_id, day=day, rows=0, runs=0, refusals=0, refused_rows=0, allowance=0)
        session.add(row)
        session.flush()
    return row


FAKES = {
    f.__name__: f
    for f in (
        district_of,
        districts_of,
        member,
        members_locked,
        member_with_id_number,
        other_member_with_id_number,
        members_with_ids,
        card_holders,
        roster_size,
        locked_lookup_day,
    )
}


def install(monkeypatch: Any) -> None:
    """The fake reads in place of adapters/queries.py's for one test."""
    for name, fake in FAKES.items():
        monkeypatch.setattr(queries, name, fake)
