"""members.member.rejected in both shapes (issue 30, docs/events.md): from schema version 2 one
event carries the snapshots of many members sent back at once; version 1 carried one. Each
member sent back is one notification to its union however often the event is delivered."""

from __future__ import annotations

import uuid

import pytest

from common.bus import PermanentFailure
from common.db import envelope
from services.notifications.handlers.notify import notify_union_when_member_rejected
from tests.services.notifications.conftest import UNION, UNION2


def _snapshot(member_id: int, name: str, union_id: int | None) -> dict:
    return {
        "member_id": member_id,
        "union_id": union_id,
        "district_id": 10,
        "name": name,
        "status": "rejected",
        "version": 2,
    }


def _rejected(snapshots: list[dict], schema_version: int = 2) -> dict:
    data = {"members": snapshots} if schema_version >= 2 else snapshots[0]
    return envelope("members.member.rejected", data, "members", schema_version, event_id=str(uuid.uuid4()))


def test_one_event_of_many_members_sent_back_tells_each_union_of_each_member_once(notes):
    many = _rejected(
        [
            _snapshot(1, "张三", UNION),
            _snapshot(2, "李四", UNION),
            _snapshot(3, "王五", UNION2),
            _snapshot(4, "无会", None),
        ]
    )
    notes.deliver(many, times=2)  # twice in one batch
    notes.deliver(many)  # and once more later
    assert sorted(notes.titles(notes.union)) == ["会员 张三 审核未通过", "会员 李四 审核未通过"]
    assert notes.titles(notes.union2) == ["会员 王五 审核未通过"]
    links = [n["link"] for n in notes.union.get("/notifications?per_page=100").get_json()["items"]]
    assert sorted(links) == ["/union/members?member=1", "/union/members?member=2"]


def test_the_one_member_shape_of_the_release_before_is_still_read(notes):
    old = _rejected([_snapshot(7, "赵六", UNION)], schema_version=1)
    assert "members" not in old["data"] and old["schema_version"] == 1
    notes.deliver(old, times=2)
    notes.deliver(old)
    assert notes.titles(notes.union) == ["会员 赵六 审核未通过"]


@pytest.mark.parametrize("data", [{"members": "张三"}, {"members": [1, 2]}, {}, {"members": [{"member_id": 1}]}])
def test_a_malformed_many_member_event_is_refused_whole(notes, data):
    event = envelope("members.member.rejected", data, "members", 2, event_id=str(uuid.uuid4()))
    with notes.svc.runtime.uow() as uow, pytest.raises(PermanentFailure):
        notify_union_when_member_rejected(uow, event)
    assert notes.titles(notes.union) == []
