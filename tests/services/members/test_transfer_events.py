"""Transfer requests leave members as events the notifications service turns into messages:
`members.transfers.requested` (one per source union, for its 会员转出审核) when a transfer-in list
or a sync asks for people of other unions, and `members.transfer.decided` when the source union
approves or rejects one (docs/events.md)."""

from __future__ import annotations

from tests.services.members.roster_helpers import add, approve, rid, setup, upload, wait_job, xlsx


def _events(members, kind):
    return [e["data"] for e in members.member_events() if e["type"] == kind]


def test_a_transfer_in_list_and_a_sync_say_which_union_must_decide_and_decisions_are_told(service):
    members = service("members")
    s = setup(members)
    a, b = add(s["g2"], 1), add(s["g3"], 2)
    c = add(s["g2"], 4)
    approve(s["dist1"], a["id"], c["id"])
    response = upload(
        s["g1"], "/uploads/transfer-in", xlsx([["姓名", "证件号码"], ["会员1", rid(1)], ["会员2", rid(2)]])
    )
    assert response.status_code == 200 and response.get_json()["requested"] == 2, response.get_json()
    requested = sorted(_events(members, "members.transfers.requested"), key=lambda e: e["from_union_id"])
    assert [(e["from_union_id"], e["to_union_id"], e["to_union_name"], e["count"]) for e in requested] == [
        (s["u2"], s["u1"], "测试1公司工会", 1),
        (s["u3"], s["u1"], "测试1公司工会", 1),
    ]
    request_a = s["g2"].get("/transfer-requests?direction=out").get_json()["items"][0]["id"]
    assert requested[0]["request_ids"] == [request_a]
    request_b = s["g3"].get("/transfer-requests?direction=out").get_json()["items"][0]["id"]
    assert s["g2"].post(f"/transfer-requests/{request_a}/decision", json={"approve": True}).status_code == 200
    assert (
        s["g3"]
        .post(f"/transfer-requests/{request_b}/decision", json={"approve": False, "reason": "仍在职"})
        .status_code
        == 200
    )
    decided = _events(members, "members.transfer.decided")
    assert decided == [
        {
            "request_id": request_a,
            "member_id": a["id"],
            "name": "会员1",
            "from_union_id": s["u2"],
            "to_union_id": s["u1"],
            "approved": True,
            "reason": None,
        },
        {
            "request_id": request_b,
            "member_id": b["id"],
            "name": "会员2",
            "from_union_id": s["u3"],
            "to_union_id": s["u1"],
            "approved": False,
            "reason": "仍在职",
        },
    ]
    # a sync's category C asks too
    sync = upload(s["g1"], "/uploads/sync", xlsx([["姓名", "证件号码"], ["会员1", rid(1)], ["会员4", rid(4)]]))
    assert sync.status_code == 202
    assert wait_job(s["g1"], sync.get_json()["id"])["state"] == "succeeded"
    last = _events(members, "members.transfers.requested")[-1]
    assert (last["from_union_id"], last["to_union_id"], last["count"]) == (s["u2"], s["u1"], 1)
