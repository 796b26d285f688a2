"""Member events carry many members (issue 30, docs/events.md, schema version 2): an import, an
approval, a rejection, a move of many members is one message per event type and per
MEMBERS_PER_EVENT members (100), not one per member — ceil(N / chunk) messages for N members,
each snapshot exactly as it was before, every member once."""

from __future__ import annotations

import math

import pytest

from services.members import contracts
from tests.services.members.roster_helpers import IMPORT_HEADER, approve, import_row, setup, upload, xlsx


def _sql(members, query: str) -> tuple:
    from sqlalchemy import text

    with members.runtime.engine.connect() as conn:
        return tuple(conn.execute(text(query)).one())


def _messages(members, event_type: str) -> list[dict]:
    return [e for e in members.outbox() if e["type"] == event_type]


@pytest.mark.parametrize("chunk, n", [(2, 5), (4, 4), (100, 7), (100, 230)])
def test_an_import_of_n_members_is_ceil_n_over_the_chunk_messages(service, monkeypatch, chunk, n):
    if chunk != 100:
        monkeypatch.setenv("MEMBERS_PER_EVENT", str(chunk))
    members = service("members")
    s = setup(members)
    imported = upload(s["g1"], "/uploads/import", xlsx([IMPORT_HEADER] + [import_row(k) for k in range(1, n + 1)]))
    assert imported.status_code == 200 and imported.get_json()["added"] == n, imported.get_json()
    registered = _messages(members, contracts.MEMBER_REGISTERED)
    assert len(registered) == math.ceil(n / chunk)
    assert all(e["schema_version"] == 2 and 1 <= len(e["data"]["members"]) <= chunk for e in registered)
    snapshots = [m for e in registered for m in e["data"]["members"]]
    assert sorted(m["name"] for m in snapshots) == sorted(f"导入{k}" for k in range(1, n + 1))
    assert {(m["union_id"], m["district_id"], m["status"], m["version"]) for m in snapshots} == {
        (s["u1"], s["d1"], "pending", 1)
    }
    assert all("id_number" not in m and m["id_sealed"] and m["id_index"] for m in snapshots)

    approve(s["dist1"], *[m["member_id"] for m in snapshots])
    approved = _messages(members, contracts.MEMBER_APPROVED)
    assert len(approved) == math.ceil(n / chunk)
    numbers = [m["member_no"] for e in approved for m in e["data"]["members"]]
    assert len(set(numbers)) == n and all(numbers)
    assert {m["version"] for e in approved for m in e["data"]["members"]} == {2}


def test_a_rejection_and_a_removal_of_many_are_one_message_each(service):
    members = service("members")
    s = setup(members)
    upload(s["g1"], "/uploads/import", xlsx([IMPORT_HEADER] + [import_row(k) for k in range(1, 6)]))
    ids = [m["member_id"] for e in _messages(members, contracts.MEMBER_REGISTERED) for m in e["data"]["members"]]
    sent_back = s["dist1"].post("/members/rejections", json={"member_ids": ids[:3], "reason": "信息不全"})
    assert sent_back.status_code == 200, sent_back.get_json()
    [rejected] = _messages(members, contracts.MEMBER_REJECTED)
    assert sorted(m["member_id"] for m in rejected["data"]["members"]) == sorted(ids[:3])
    assert {m["status"] for m in rejected["data"]["members"]} == {"rejected"}
    removed = s["centre"].post("/members/removals", json={"member_ids": ids[3:], "removed": True})
    assert removed.status_code == 200, removed.get_json()
    [flagged] = _messages(members, contracts.MEMBER_REMOVED)
    assert sorted(m["member_id"] for m in flagged["data"]["members"]) == sorted(ids[3:])
    assert all(m["removed"] for m in flagged["data"]["members"])


def test_a_card_list_writes_every_card_once_and_its_events_say_what_was_written(service):
    """The bank's list of 120 cards, written as one statement (decision 0049): each member's row,
    answer and event carry the card, its date and one more version; a card taken by a member of
    the list itself is refused whole, nothing written."""
    members = service("members")
    s = setup(members)
    upload(s["g1"], "/uploads/import", xlsx([IMPORT_HEADER] + [import_row(k) for k in range(1, 121)]))
    snapshots = [m for e in _messages(members, contracts.MEMBER_REGISTERED) for m in e["data"]["members"]]
    approve(s["dist1"], *[m["member_id"] for m in snapshots])
    by_id = {m["member_id"]: m for m in snapshots}
    rows = [["证件号码", "卡号", "办卡日期"]]
    rows += [[import_row(k)[2], f"62220210011{k:08d}", "2019-06-01"] for k in range(1, 121)]
    carded = upload(s["g1"], "/uploads/cards", xlsx(rows))
    assert carded.status_code == 200 and carded.get_json()["cards"] == 120, carded.get_json()
    issued = _messages(members, contracts.MEMBER_CARD_ISSUED)
    assert len(issued) == 2  # 100 a message
    sent = {m["member_id"]: m for e in issued for m in e["data"]["members"]}
    assert sorted(sent) == sorted(by_id)
    assert {(m["version"], m["card_issued_on"]) for m in sent.values()} == {(3, "2019-06-01")}
    assert all(m["card_recorded_at"] for m in sent.values())
    for member_id in list(by_id)[:3] + list(by_id)[-3:]:
        row = s["g1"].get(f"/members/{member_id}").get_json()
        assert (row["card_number"], row["card_issued_on"]) == (sent[member_id]["card_number"], "2019-06-01")
    assert _sql(members, "SELECT count(DISTINCT card_number), min(version), max(version) FROM members") == (120, 3, 3)
    # the first two members' cards swapped: each card is registered to the other, refused whole
    swapped = [rows[0], [rows[1][0], rows[2][1], "2019-07-01"], [rows[2][0], rows[1][1], "2019-07-01"]]
    refused = upload(s["g1"], "/uploads/cards", xlsx(swapped))
    assert refused.status_code == 422, refused.get_json()
    assert _sql(members, "SELECT count(*) FROM members WHERE version = 3") == (120,)
