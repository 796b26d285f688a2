"""待确认变更 in members on PostgreSQL (issue 29 item 5, decision 0047): the gateway hands over a
member's own correction of address and mobile (its new mobile confirmed by code there); it waits
for the member's union, which accepts it (the member's details change, the mobile sealed with its
masked copy, announced) or declines it with a reason; a new one supersedes the open one, kept;
members texts the member on its own event; nobody else's change is reachable."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text

from common import sms
from common.db import envelope
from services.members.adapters.orm import Member, MemberDetailChange
from tests.services.members.roster_helpers import add, approve, setup
from tests.services.members.test_member_self import _as_member

NEW_MOBILE = "13987650001"


def _submit(members, member_id, address=None, mobile=None):
    return members.as_("gateway").post(
        "/detail-changes", json={"member_id": member_id, "address": address, "mobile": mobile}
    )


def _pending(client) -> dict:
    answer = client.get("/detail-changes")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _deliver(members, event_type: str) -> None:
    """Members' own events of one type from its outbox, as its texts queue would run them."""
    from services.members.subscriptions import SUBSCRIPTIONS

    [handler] = [sub.handlers[event_type] for sub in SUBSCRIPTIONS if event_type in sub.handlers]
    for event in members.outbox():
        if event["type"] == event_type:
            with members.runtime.uow() as uow:
                handler(uow, envelope(event["type"], event["data"], "members", event_id=str(uuid.uuid4())))


def _deliver_decisions(members) -> None:
    """Members' own members.detail_change.decided events, as its texts queue would run them."""
    _deliver(members, "members.detail_change.decided")


def test_a_correction_waits_for_the_union_and_accepting_applies_it(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    approve(s["dist1"], first["id"])
    made = _submit(members, first["id"], address=" 上海市徐汇区新地址 1 号 ", mobile="139-8765-0001")
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["state_text"] == "待单位确认" and made.get_json()["new_mobile"] == "139****0001"
    # nothing on the roster changed yet
    detail = s["g1"].get(f"/members/{first['id']}").get_json()
    assert detail["mobile"] == "13812340001" and detail["address"] == "上海市黄浦区人民大道 200 号"
    listed = _pending(s["g1"])
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert (item["name"], item["old_mobile"], item["new_mobile"]) == ("会员1", "138****0001", "139****0001")
    assert (item["old_address"], item["new_address"]) == ("上海市黄浦区人民大道 200 号", "上海市徐汇区新地址 1 号")
    # nothing in clear at rest: the new mobile sealed, with its blind index and mask
    with members.runtime.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM member_detail_changes")).mappings().one()
    assert NEW_MOBILE not in " ".join(str(v) for v in row.values())
    assert row["new_mobile_index"] and row["new_mobile_masked"] == "139****0001"
    # the full new mobile only on the audited reveal
    revealed = s["g1"].post(f"/detail-changes/{item['id']}/mobile-reveals")
    assert revealed.status_code == 200 and revealed.get_json()["new_mobile"] == NEW_MOBILE
    assert revealed.headers.get("X-Audit-Subject")
    accepted = s["g1"].post(f"/detail-changes/{item['id']}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["state_text"] == "已更新"
    detail = s["g1"].get(f"/members/{first['id']}").get_json()
    assert detail["mobile"] == NEW_MOBILE and detail["address"] == "上海市徐汇区新地址 1 号"
    with members.runtime.sessions() as session:
        member = session.get(Member, first["id"])
        assert member.mobile_masked == "139****0001"  # the ORM's copy followed (decision 0038)
    assert _pending(s["g1"])["total"] == 0
    assert s["g1"].post(f"/detail-changes/{item['id']}/accept").status_code == 409  # decided once
    # announced like the clerk's own edit, and the member is texted at the new mobile
    events = [e for e in members.member_events() if e["type"] == "members.member.updated"]
    assert events and events[-1]["data"]["member_id"] == first["id"]
    before = len([t for to, t in sms.read_messages() if to == NEW_MOBILE])
    _deliver_decisions(members)
    texts = [t for to, t in sms.read_messages() if to == NEW_MOBILE][before:]
    assert texts and "已由所在工会确认并更新" in texts[-1]
    mine = _as_member(members, first["id"], s["u1"]).get("/me/detail-changes").get_json()["items"]
    assert [c["state_text"] for c in mine] == ["已更新"]
    assert _as_member(members, first["id"], s["u1"]).get("/me").get_json()["mobile"] == "139****0001"


def test_declining_keeps_the_details_and_the_member_reads_why(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    made = _submit(members, first["id"], address="上海市静安区 9 号").get_json()
    no_reason = s["g1"].post(f"/detail-changes/{made['id']}/decline", json={"reason": "  "})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    declined = s["g1"].post(f"/detail-changes/{made['id']}/decline", json={"reason": "地址不完整，请写明门牌号"})
    assert declined.status_code == 200, declined.get_json()
    assert s["g1"].get(f"/members/{first['id']}").get_json()["address"] == "上海市黄浦区人民大道 200 号"
    mine = _as_member(members, first["id"], s["u1"]).get("/me/detail-changes").get_json()["items"]
    assert mine[0]["state_text"] == "未通过：地址不完整，请写明门牌号"
    before = len([t for to, t in sms.read_messages() if to == "13812340001"])
    _deliver_decisions(members)
    texts = [t for to, t in sms.read_messages() if to == "13812340001"][before:]
    assert texts and "未通过，原因：地址不完整，请写明门牌号" in texts[-1]
    assert s["g1"].post(f"/detail-changes/{made['id']}/accept").status_code == 409


def test_a_new_correction_supersedes_the_open_one_and_history_is_kept(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    one = _submit(members, first["id"], address="第一次的地址").get_json()
    two = _submit(members, first["id"], mobile=NEW_MOBILE).get_json()
    listed = _pending(s["g1"])
    assert listed["total"] == 1 and listed["items"][0]["id"] == two["id"]
    mine = _as_member(members, first["id"], s["u1"]).get("/me/detail-changes").get_json()["items"]
    assert [(c["id"], c["state"]) for c in mine] == [(two["id"], "pending"), (one["id"], "superseded")]
    with members.runtime.sessions() as session:
        old = session.scalar(select(MemberDetailChange).where(MemberDetailChange.id == one["id"]))
        assert old.superseded_by == two["id"] and old.new_address == "第一次的地址"
    assert s["g1"].post(f"/detail-changes/{one['id']}/accept").status_code == 409


def test_bad_corrections_are_refused_in_the_members_words_and_nothing_is_kept(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    for address, mobile, field in (
        ("", None, "address"),
        ("x" * 201, None, "address"),
        (None, "1234", "mobile"),
        ("上海市黄浦区人民大道 200 号", "13812340001", "address"),  # the same as on record: nothing to change
        (None, None, "address"),
    ):
        refused = _submit(members, first["id"], address=address, mobile=mobile)
        assert refused.status_code == 422, (address, mobile)
        assert field in refused.get_json()["error"]["fields"], refused.get_json()
    assert _pending(s["g1"])["total"] == 0
    assert _submit(members, 987654, address="无此人").status_code == 404


def test_nobody_else_reaches_a_change(service):
    members = service("members")
    s = setup(members)
    first, other = add(s["g1"], 1), add(s["g1"], 2)
    made = _submit(members, first["id"], mobile=NEW_MOBILE).get_json()
    change = made["id"]
    # another union's clerk: not listed, not found
    assert _pending(s["g2"])["total"] == 0 and _pending(s["g3"])["items"] == []
    for client in (s["g2"], s["g3"]):
        assert client.post(f"/detail-changes/{change}/accept").status_code == 404
        assert client.post(f"/detail-changes/{change}/decline", json={"reason": "x"}).status_code == 404
        assert client.post(f"/detail-changes/{change}/mobile-reveals").status_code == 404
    # districts, the centre and members are not the roster's keeper here
    for client in (s["dist1"], s["centre"], _as_member(members, first["id"], s["u1"])):
        assert client.get("/detail-changes").status_code == 403
        assert client.post(f"/detail-changes/{change}/accept").status_code == 403
    # a member cannot hand over a change (the code is checked at the gateway), for anyone
    me = _as_member(members, other["id"], s["u1"])
    assert me.post("/detail-changes", json={"member_id": first["id"], "address": "x"}).status_code == 403
    assert me.post("/detail-changes", json={"member_id": other["id"], "address": "x"}).status_code == 403
    # a member reads only their own
    assert me.get("/me/detail-changes").get_json()["items"] == []
    assert s["g1"].get("/me/detail-changes").status_code == 403
    # still pending, untouched
    assert _pending(s["g1"])["items"][0]["state"] == "pending"
    # once the member has moved on (another union's roster), the old union neither counts nor decides it
    with members.runtime.sessions() as session:
        session.get(Member, first["id"]).union_id = s["u2"]
        session.commit()
    assert _pending(s["g1"])["total"] == 0 and _pending(s["g2"])["total"] == 0
    assert s["g1"].post(f"/detail-changes/{change}/accept").status_code == 404


def test_a_mobile_of_arabic_indic_digits_is_no_mobile(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    refused = _submit(members, first["id"], mobile="139٨٧٦٥٠٠٠١")  # `\d` matched these
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["mobile"] == ["请填写 11 位手机号码"]
    assert _pending(s["g1"])["total"] == 0


def test_accepting_a_sent_back_members_correction_does_not_resubmit_them(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    made = _submit(members, first["id"], address="上海市静安区新地址 3 号").get_json()
    sent_back = s["dist1"].post("/members/rejections", json={"member_ids": [first["id"]], "reason": "证件号码请核对"})
    assert sent_back.status_code == 200, sent_back.get_json()
    accepted = s["g1"].post(f"/detail-changes/{made['id']}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    detail = s["g1"].get(f"/members/{first['id']}").get_json()
    # the address changed; the member is still the district's sent-back one, not pending again
    assert detail["address"] == "上海市静安区新地址 3 号" and detail["status"] == "rejected"


def test_a_change_overtaken_by_a_clerks_edit_is_not_applied_and_stays_pending(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    made = _submit(members, first["id"], address="会员看到的旧地址之后的新地址", mobile=NEW_MOBILE).get_json()
    edited = s["g1"].patch(f"/members/{first['id']}", json={"address": "单位刚改的地址"})
    assert edited.status_code == 200, edited.get_json()
    stale = s["g1"].post(f"/detail-changes/{made['id']}/accept")
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "DETAIL_CHANGE_STALE"
    assert stale.get_json()["error"]["message"] == "会员信息已在提交后修改，请会员重新提交"
    detail = s["g1"].get(f"/members/{first['id']}").get_json()
    assert detail["address"] == "单位刚改的地址" and detail["mobile"] == "13812340001"
    assert _pending(s["g1"])["items"][0]["state"] == "pending"
    # the clerk's edit of the mobile (another masked copy) overtakes a change too
    second = add(s["g1"], 2)
    made = _submit(members, second["id"], address="第二位的新地址").get_json()
    assert s["g1"].patch(f"/members/{second['id']}", json={"mobile": "13700001111"}).status_code == 200
    assert s["g1"].post(f"/detail-changes/{made['id']}/accept").status_code == 409
    assert s["g1"].get(f"/members/{second['id']}").get_json()["address"] != "第二位的新地址"


def test_the_previous_mobile_is_told_once_an_accepted_change_replaced_it(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    made = _submit(members, first["id"], mobile=NEW_MOBILE).get_json()
    assert s["g1"].post(f"/detail-changes/{made['id']}/accept").status_code == 200
    with members.runtime.engine.connect() as conn:
        row = conn.execute(text("SELECT old_mobile_sealed FROM member_detail_changes")).mappings().one()
    assert row["old_mobile_sealed"] and "13812340001" not in row["old_mobile_sealed"]  # sealed at rest
    replaced = [e for e in members.outbox() if e["type"] == "members.detail_change.mobile_replaced"]
    assert len(replaced) == 1 and "1381234" not in str(replaced[0]["data"])  # no mobile in the event
    before = len([t for to, t in sms.read_messages() if to == "13812340001"])
    _deliver(members, "members.detail_change.mobile_replaced")
    texts = [t for to, t in sms.read_messages() if to == "13812340001"][before:]
    assert len(texts) == 1 and "已更换为 139****0001" in texts[0]
    # an address-only change tells no previous mobile
    made = _submit(members, first["id"], address="又一个地址").get_json()
    assert s["g1"].post(f"/detail-changes/{made['id']}/accept").status_code == 200
    assert len([e for e in members.outbox() if e["type"] == "members.detail_change.mobile_replaced"]) == 1


def _waiting_on_locks(members, count: int) -> None:
    """Until `count` sessions wait on a row lock (the threads reached their blocking statement)."""
    import time

    for _ in range(400):
        with members.runtime.engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar()
        if waiting >= count:
            return
        time.sleep(0.025)
    raise AssertionError(f"{count} sessions never waited on a lock")


def test_a_members_new_submission_racing_the_clerks_accept_queues_and_never_deadlocks(service):
    """Submit locks the member then the open change; accept must take them in that order too. The
    member's row is held by a third session while the submission and then the accept queue on it;
    released, one goes first and the other sees its outcome (before: accept held the change and
    waited on the member, submit held the member and waited on the change — PostgreSQL's deadlock)."""
    import threading

    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    made = _submit(members, first["id"], address="先提交的地址").get_json()
    answers: dict[str, object] = {}

    def run(name, call):
        try:
            answers[name] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
            answers[name] = exc

    holder = members.runtime.engine.connect()
    holder.execute(text("SELECT id FROM members WHERE id = :id FOR UPDATE"), {"id": first["id"]})
    submitting = threading.Thread(
        target=run, args=("submit", lambda: _submit(members, first["id"], address="后提交的地址").status_code)
    )
    accepting = threading.Thread(
        target=run, args=("accept", lambda: s["g1"].post(f"/detail-changes/{made['id']}/accept").status_code)
    )
    submitting.start()
    _waiting_on_locks(members, 1)
    accepting.start()
    _waiting_on_locks(members, 2)
    holder.rollback()
    holder.close()
    submitting.join(30)
    accepting.join(30)
    assert answers["submit"] == 201, answers
    assert answers["accept"] in (200, 409), answers
    address = s["g1"].get(f"/members/{first['id']}").get_json()["address"]
    with members.runtime.sessions() as session:
        old = session.get(MemberDetailChange, made["id"])
        pending = session.scalars(select(MemberDetailChange).where(MemberDetailChange.state == "pending")).all()
    assert [c.new_address for c in pending] == ["后提交的地址"]  # the newest waits for the union
    if answers["accept"] == 200:  # the clerk went first: applied, then the new one asked
        assert old.state == "accepted" and address == "先提交的地址"
    else:  # the member went first: the accepted one was already replaced, nothing applied
        assert old.state == "superseded" and address == "上海市黄浦区人民大道 200 号"


def test_a_transfer_committing_while_the_clerk_accepts_leaves_the_change_unapplied(service):
    """The member moves to another union in a transaction the accept has to wait for: the accept
    sees the move (404, nothing applied) instead of writing onto another union's member."""
    import threading

    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    made = _submit(members, first["id"], address="旧工会时提交的地址").get_json()
    answers: dict[str, object] = {}
    mover = members.runtime.engine.connect()
    mover.execute(text("UPDATE members SET union_id = :u WHERE id = :id"), {"u": s["u2"], "id": first["id"]})
    accepting = threading.Thread(
        target=lambda: answers.update(accept=s["g1"].post(f"/detail-changes/{made['id']}/accept").status_code)
    )
    accepting.start()
    _waiting_on_locks(members, 1)
    mover.commit()
    mover.close()
    accepting.join(30)
    assert answers["accept"] == 404, answers
    with members.runtime.sessions() as session:
        member = session.get(Member, first["id"])
        assert member.union_id == s["u2"] and member.address == "上海市黄浦区人民大道 200 号"
        assert session.get(MemberDetailChange, made["id"]).state == "pending"
