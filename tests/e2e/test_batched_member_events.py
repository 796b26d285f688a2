"""Batched member events through every real process (issue 30, docs/events.md schema version 2):
an import and an approval of N members through the gateway publish ceil(N / MEMBERS_PER_EVENT)
messages each — outbox, relay, RabbitMQ, enrollment's consumer and inbox — and enrollment's
member read model ends equal to the members service's rows."""

from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import text

from tests.season import xlsx
from tests.services.members.roster_helpers import IMPORT_HEADER, import_row

API = "/api/v1/members"
N, CHUNK = 100, 40


@pytest.fixture(scope="module")
def system():
    from tests.system import System

    running = System(extra_env={"MEMBERS_PER_EVENT": str(CHUNK)}).start()
    yield running
    running.stop()


def _files(data: bytes) -> dict:
    return {"file": ("list.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def _messages(system, event_type: str, ids: set[int]) -> list[dict]:
    """The members outbox's messages of one type that carry any of these members."""
    with system.db("members").connect() as conn:
        rows = conn.execute(text("SELECT payload FROM outbox WHERE type = :t ORDER BY id"), {"t": event_type})
        envelopes = [json.loads(r.payload) for r in rows]
    return [e for e in envelopes if {m["member_id"] for m in e["data"]["members"]} & ids]


def _members(system, ids: set[int]) -> dict:
    with system.db("members").connect() as conn:
        rows = conn.execute(
            text("SELECT id, union_id, status, member_no, version FROM members WHERE id = ANY(:ids)"),
            {"ids": list(ids)},
        )
        return {r.id: (r.union_id, r.status, r.member_no, r.version) for r in rows}


def _member_view(system, ids: set[int]) -> dict:
    with system.db("enrollment").connect() as conn:
        rows = conn.execute(
            text("SELECT member_id, union_id, status, member_no, version FROM member_view WHERE member_id = ANY(:ids)"),
            {"ids": list(ids)},
        )
        return {r.member_id: (r.union_id, r.status, r.member_no, r.version) for r in rows}


def _handled(system, event_ids: list[str]) -> int:
    with system.db("enrollment").connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM inbox WHERE consumer = 'enrollment.members' AND event_id = ANY(:e)"),
            {"e": event_ids},
        ).scalar()


def test_an_import_and_an_approval_of_n_members_are_ceil_n_over_the_chunk_messages_each(system):
    clerk, district = system.login("grassroots1"), system.login("district")
    rows = [import_row(700 + k, name=f"批量会员{k}") for k in range(N)]
    imported = clerk.post(f"{API}/uploads/import", files=_files(xlsx([IMPORT_HEADER, *rows])))
    assert imported.status_code == 200 and imported.json()["added"] == N, imported.text
    with system.db("members").connect() as conn:
        ids = {r.id for r in conn.execute(text("SELECT id FROM members WHERE name LIKE '批量会员%'"))}
    assert len(ids) == N

    approved = district.post(f"{API}/members/approvals", json={"member_ids": sorted(ids)})
    assert approved.status_code == 200, approved.text

    registered, approvals = (
        _messages(system, "members.member.registered", ids),
        _messages(system, "members.member.approved", ids),
    )
    assert len(registered) == len(approvals) == math.ceil(N / CHUNK)
    for messages in (registered, approvals):
        assert all(e["schema_version"] == 2 and len(e["data"]["members"]) <= CHUNK for e in messages)
        assert sorted(m["member_id"] for e in messages for m in e["data"]["members"]) == sorted(ids)

    event_ids = [e["id"] for e in registered + approvals]
    system.wait_for(lambda: _handled(system, event_ids) == len(event_ids), message="enrollment took every message")
    system.wait_for(
        lambda: _member_view(system, ids) == _members(system, ids), message="enrollment's read model equals members'"
    )
    assert {status for _, status, _, _ in _member_view(system, ids).values()} == {"normal"}
