"""Member events in both shapes (issue 30, docs/events.md): from schema version 2 one
members.member.* event carries the snapshots of up to 100 members (an upload, an approval);
version 1 carried one, and is still read for one release. Through the service's real consumer
(inbox, one transaction a batch): each message is applied once, the newest version of a member
wins across both shapes, and a malformed message fails alone."""

from __future__ import annotations

import uuid

import pytest

from common.bus import PermanentFailure
from common.db import envelope
from services.enrollment.handlers import read_models
from tests.services.enrollment.conftest import UNION


def _many(event_type: str, snapshots: list[dict]) -> dict:
    return envelope(event_type, {"members": snapshots}, "members", 2, event_id=str(uuid.uuid4()))


def _deliver(enrol, events: list[dict]) -> None:
    from common.bus import Delivery
    from common.consumer import EventConsumer

    subscription = next(sub for sub in enrol._subscriptions if events[0]["type"] in sub.handlers)
    EventConsumer(enrol.svc.runtime, subscription)._handle([Delivery(e, None) for e in events])


def _snapshots(enrol, ids, **kw) -> list[dict]:
    return [enrol.member_event(member_id, **kw)[1] for member_id in ids]


def test_one_event_carries_many_members_and_a_redelivery_changes_nothing(enrol):
    registered = _many(
        "members.member.registered", _snapshots(enrol, range(1, 301), status="pending", card_issued_on=None)
    )
    _deliver(enrol, [registered, registered])  # twice in one batch
    _deliver(enrol, [registered])  # and once more later
    assert enrol.count("SELECT count(*) FROM member_view") == 300
    assert enrol.count("SELECT count(*) FROM member_view WHERE status = 'pending' AND version = 1") == 300
    assert enrol.count("SELECT count(*) FROM inbox") == 1
    approved = _many("members.member.approved", _snapshots(enrol, range(1, 301), card_issued_on=None))
    carded = _many("members.member.card_issued", _snapshots(enrol, range(1, 151)))
    _deliver(enrol, [carded, approved])  # out of order in one batch: the newest version wins
    assert enrol.count("SELECT count(*) FROM member_view WHERE status = 'normal'") == 300
    assert enrol.count("SELECT count(*) FROM member_view WHERE card_number IS NOT NULL AND version = 3") == 150
    assert enrol.count("SELECT count(*) FROM member_view WHERE card_number IS NULL AND version = 2") == 150
    assert enrol.count("SELECT count(*) FROM member_view WHERE union_id = :u", u=UNION) == 300


def test_the_one_member_shape_and_the_many_member_shape_mix_in_one_batch(enrol):
    old_shape = [envelope(*enrol.member_event(n), "members", event_id=str(uuid.uuid4())) for n in (1, 2)]
    assert all(e["schema_version"] == 1 and "member_id" in e["data"] for e in old_shape)
    older = envelope(*enrol.member_event(3), "members", event_id=str(uuid.uuid4()))  # version 1
    newer = _many("members.member.removed", _snapshots(enrol, (1, 3), removed=True))  # versions 2
    _deliver(enrol, [*old_shape, newer, older])
    rows = enrol.count(
        "SELECT string_agg(member_id || ':' || version || ':' || removed, ',' ORDER BY member_id) FROM member_view"
    )
    assert rows == "1:2:true,2:1:false,3:2:true"
    _deliver(enrol, [*old_shape, newer])  # redelivered: no second effect
    assert enrol.count("SELECT count(*) FROM inbox") == 4


@pytest.mark.parametrize("data", [{"members": "1"}, {"members": [1]}, {}, {"members": [{"member_id": 9}]}])
def test_a_malformed_many_member_event_fails_alone(enrol, data):
    bad = envelope("members.member.approved", data, "members", 2, event_id=str(uuid.uuid4()))
    good = _many("members.member.approved", _snapshots(enrol, (1, 2)))
    with enrol.svc.runtime.uow() as uow, pytest.raises(PermanentFailure):
        uow.batch = [good, bad]
        read_models.record_member_when_member_changed(uow, bad)
    with enrol.svc.runtime.uow() as uow:
        uow.batch = [bad, good]
        read_models.record_member_when_member_changed(uow, good)  # the good one skips the bad one
        uow.commit()
    assert enrol.count("SELECT count(*) FROM member_view") == 2


def test_a_batch_past_the_statement_bound_is_written_in_several_statements_all_of_it(enrol, monkeypatch):
    monkeypatch.setattr(read_models, "SNAPSHOTS_PER_STATEMENT", 3)
    messages = [_many("members.member.registered", _snapshots(enrol, (k, k + 1), status="pending")) for k in (1, 3, 5)]
    _deliver(enrol, messages)
    assert enrol.count("SELECT count(*) FROM member_view") == 6
    assert enrol.count("SELECT count(*) FROM inbox") == 3


def test_the_moves_of_a_batch_are_each_members_newest_and_a_redelivery_changes_nothing(enrol):
    """Approvals, transfers out and in of one delivery batch written as one set (decision 0049):
    each member keeps its newest move, whatever the order of the messages, as one by one."""
    approved = _many("members.member.approved", _snapshots(enrol, range(1, 201), card_issued_on=None))
    left = _snapshots(enrol, (1, 2), event="transferred_out", union_id=None)
    for snapshot in left:
        snapshot.update(previous_union_id=UNION, reason="调动")
    gone = _many("members.member.transferred_out", left)
    _deliver(enrol, [gone, approved])  # the newer move first: it still wins
    _deliver(enrol, [approved, gone])  # redelivered: no second effect
    moves = "SELECT string_agg(kind || ':' || coalesce(reason, '-'), ',' ORDER BY kind) FROM (SELECT kind, reason, count(*) FROM member_move GROUP BY kind, reason) k"
    assert enrol.count("SELECT count(*) FROM member_move") == 200
    assert (
        enrol.count("SELECT count(*) FROM member_move WHERE kind = 'joined' AND union_id = :u AND version = 1", u=UNION)
        == 198
    )
    assert (
        enrol.count(
            "SELECT count(*) FROM member_move WHERE kind = 'left' AND union_id = :u AND reason = '调动' AND version = 2",
            u=UNION,
        )
        == 2
    )
    assert enrol.count(moves) == "joined:-,left:调动"
    assert enrol.count("SELECT count(*) FROM inbox") == 2


def test_a_batchs_snapshots_and_moves_go_as_one_statement_each_and_the_newest_still_wins(enrol):
    """Round two of decision 0049: the read models' upserts of a batch are one multi-row
    statement each (not one server-side run a row), with the same outcome: of the versions a
    batch carries in any order, and of what was stored before, the newest wins."""
    from sqlalchemy import event

    registered = _many("members.member.registered", _snapshots(enrol, range(1, 301), status="pending"))
    _deliver(enrol, [registered])
    sent: list[tuple[str, bool]] = []

    def _seen(_conn, _cursor, statement, params, _context, _executemany):
        words = statement.replace('"', "").split()
        if words[:3] and words[0].upper() == "INSERT" and words[2].startswith("member_"):
            # how many times the server runs it: once a parameter set (psycopg's executemany)
            sent.append((words[2], len(params) if isinstance(params, list) else 1))

    engine = enrol.svc.runtime.engine
    event.listen(engine, "before_cursor_execute", _seen)
    try:
        stale = _many("members.member.registered", registered["data"]["members"])  # versions 1 again
        approved = _many("members.member.approved", _snapshots(enrol, range(1, 301), card_issued_on=None))
        _deliver(enrol, [approved, stale])  # the older versions last: they lose
    finally:
        event.remove(engine, "before_cursor_execute", _seen)
    assert sorted(sent) == [("member_move", 1), ("member_view", 1)]
    assert enrol.count("SELECT count(*) FROM member_view WHERE status = 'normal' AND version = 2") == 300
    assert enrol.count("SELECT count(*) FROM member_move WHERE kind = 'joined' AND version = 2") == 300
    _deliver(enrol, [stale, approved])  # redelivered, the other way round: nothing changes
    assert enrol.count("SELECT count(*) FROM member_view WHERE status = 'normal' AND version = 2") == 300
    assert enrol.count("SELECT count(*) FROM inbox") == 3
