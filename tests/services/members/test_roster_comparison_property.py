"""The roster comparison has two forms: the set-based SQL a sync or a transfer-in list runs
(adapters/roster_sql.RosterComparison) and the pure rule (domain/roster_sync.py `classify`,
`classify_transfer_in`), kept as its oracle. For generated rosters against generated members —
in this union, another union, no union, not in the system, under another name, with requests
waiting or decided, named twice in the file — both must agree row by row, and on who of this
union the file leaves out (D); and a transfer-in list's refusals (TRANSFER_IN_ERRORS, the rows
its handler refuses) with `classify_transfer_in`'s. On PostgreSQL, and on SQLite (embedded)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.pii import mask_id
from services.members.adapters.orm import Member, TransferRequest
from services.members.adapters.roster_sql import RosterComparison
from services.members.domain.roster_sync import (
    TRANSFER_IN_ERRORS,
    Found,
    classify,
    classify_transfer_in,
    error_for,
    person_rows,
)
from tests.conftest import ServiceClient
from tests.services.members.roster_helpers import rid, setup

TODAY = date(2026, 11, 27)
NAMES = ["张伟", "王芳", "李娜"]  # few, so that people share names
HELD = ["here"] * 3 + ["other", "other2", "nowhere", "absent"]  # where the system holds the person

person = st.fixed_dictionaries(
    {
        "held": st.sampled_from(HELD),
        "name": st.sampled_from(NAMES),
        "same_name": st.sampled_from([True] * 4 + [False]),  # the file's name is the system's
        "synced": st.booleans(),
        "pending_to": st.sampled_from([None] * 3 + ["here", "other2"]),  # one waiting request at most
        "decided": st.lists(st.sampled_from(["approved", "rejected", "cancelled"]), max_size=2),
        "in_file": st.sampled_from([1] * 4 + [0, 2]),  # 2: the same ID number twice
    }
)
people = st.lists(person, max_size=12)


def _load_members(session, unions: dict, generated: list[dict]) -> dict[str, Found]:
    """Members and their requests as generated; returns what the system holds by ID number."""
    now = datetime(2026, 11, 1)
    held: dict[str, Found] = {}
    for n, p in enumerate(generated):
        if p["held"] == "absent":
            continue
        union_id = unions.get(p["held"])
        member = Member(
            union_id=union_id,
            name=p["name"],
            id_type="resident",
            id_number=rid(n),
            status="normal" if union_id else "left",
            synced=p["synced"] and union_id is not None,
            removed=False,
            version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(member)
        session.flush()
        requests = [(status, unions["here"]) for status in p["decided"]]
        if p["pending_to"]:
            requests.append(("pending", unions[p["pending_to"]]))
        for status, to_union in requests:
            session.add(
                TransferRequest(
                    member_id=member.id,
                    from_union_id=union_id or unions["other"],
                    to_union_id=to_union,
                    status=status,
                    requested_by="test",
                    requested_at=now,
                )
            )
        held[member.id_number] = Found(
            member.id, member.name, union_id, unions[p["pending_to"]] if p["pending_to"] else None
        )
    session.flush()
    return held


def _file_rows(generated: list[dict]):
    """The uploaded rows (row numbers from 2), as person_rows reads them: duplicates become errors."""
    raw, row_no = [], 2
    for n, p in enumerate(generated):
        name = p["name"] if p["same_name"] else next(x for x in NAMES if x != p["name"])
        for _ in range(p["in_file"]):
            raw.append((row_no, name, rid(n), False))
            row_no += 1
    return person_rows(raw, TODAY)


def check_agreement(runtime, unions: dict, generated: list[dict]) -> None:
    union_id = unions["here"]
    with runtime.uow() as uow:  # never committed: each example leaves the database as it found it
        held = _load_members(uow.session, unions, generated)
        rows, _ = _file_rows(generated)
        members = {m.id: m for m in uow.session.query(Member)}
        with RosterComparison(uow.session, union_id, rows) as found:
            by_row = {row: category for row, _, _, category in found.rows(("A", "B", "C", "E", "N", "P"))}
            assert sorted(by_row) == [r.row for r in rows]
            for r in rows:
                category = by_row[r.row]
                error = error_for(category, r.row, r.name, r.id_number) if category in ("E", "N", "P") else None
                assert classify(union_id, r, held.get(r.id_number)) == ("E" if error else category, error), r
                # a transfer-in list (found.errors(("A", "E", "N", "P"))): a member of this union is an error too
                expected = (
                    ("E", error_for(category, r.row, r.name, r.id_number))
                    if category in ("A", "E", "N", "P")
                    else (category, None)
                )
                assert classify_transfer_in(union_id, r, held.get(r.id_number)) == expected, r
            # what a transfer-in list is refused for (handlers/transfer_lists: found.errors(TRANSFER_IN_ERRORS))
            # is what the rule refuses, row by row, column and message alike
            transfer_in = [classify_transfer_in(union_id, r, held.get(r.id_number))[1] for r in rows]
            assert {(e.row, e.column, e.message) for e in found.errors(TRANSFER_IN_ERRORS)} == {
                (e.row, e.column, e.message) for e in transfer_in if e is not None
            }
            assert found.counts() == {c: list(by_row.values()).count(c) for c in set(by_row.values())}
            assert {e.row for e in found.errors()} == {r for r, c in by_row.items() if c in ("E", "N", "P")}
            in_file = {r.id_number for r in rows}
            left_out = sorted(m.id for m in members.values() if m.union_id == union_id and m.id_number not in in_file)
            assert found.count_not_in_file() == len(left_out)
            assert [masked for _, masked in found.sample_not_in_file(100)] == [
                mask_id(members[i].id_number) for i in left_out
            ]
            assert found.count_would_sync() == sum(
                1 for r in rows if by_row[r.row] == "A" and not members[held[r.id_number].member_id].synced
            )
        uow.rollback()


EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _unions(members) -> dict:
    s = setup(members)
    return {"here": s["u1"], "other": s["u2"], "other2": s["u3"], "nowhere": None}


@pytest.fixture
def on_postgresql(service):
    members = service("members")
    return members.runtime, _unions(members)


@pytest.fixture
def on_sqlite(tmp_path):
    members = ServiceClient("members", f"sqlite:///{tmp_path / 'members.db'}")
    try:
        yield members.runtime, _unions(members)
    finally:
        members.close()


@EXAMPLES
@given(generated=people)
def test_the_sql_comparison_agrees_with_classify_on_postgresql(on_postgresql, generated):
    check_agreement(*on_postgresql, generated)


@EXAMPLES
@given(generated=people)
def test_the_sql_comparison_agrees_with_classify_on_sqlite(on_sqlite, generated):
    check_agreement(*on_sqlite, generated)
