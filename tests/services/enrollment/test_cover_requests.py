"""个人参保申请 (有卡无保, decision 0045): a member asks, the union sees it in its list, declines it
with a reason or submits the member, and the request follows the submission to 已参保; a member
reaches only their own requests, a union only its own members'."""

from __future__ import annotations

from common import identity as internal
from tests.conftest import RoleClient
from tests.services.enrollment.conftest import HANDLER, UNION, UNION2, YEAR, at


def _as_member(season, member_id: int, union_id: int = UNION) -> RoleClient:
    ident = internal.Identity(user=f"member-{member_id}", role="member", union_id=union_id, member_id=member_id)
    return RoleClient(season.svc.client, {internal.HEADER: internal.sign(ident)})


def _states(client) -> list[tuple[int, str]]:
    return [(r["member_id"], r["state_text"]) for r in client.get("/me/cover-requests").get_json()["items"]]


def _changes(season) -> list[tuple[int, str]]:
    return [(e["data"]["member_id"], e["data"]["state"]) for e in season.events("enrollment.cover_request.changed")]


def test_a_member_asks_the_union_submits_and_the_cover_holds(season):
    at("2020-03-10T10:00:00")
    season.member(1, card_issued_on="2019-06-01")  # a card before the cut-off, no cover
    season.member(2, card_issued_on="2019-06-01")
    me = _as_member(season, 1)
    asked = me.post("/me/cover-requests", json={})
    assert asked.status_code == 201, asked.get_json()
    body = asked.get_json()
    assert (body["cover_year"], body["state_text"], body["union_name"]) == (YEAR, "已申请", "上海甲科技有限公司工会")
    # one open request per member and year
    again = me.post("/me/cover-requests", json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "COVER_REQUEST_ALREADY_ASKED"
    assert again.get_json()["error"]["message"] == "您本保障年度已提交参保申请，请等待所在工会办理"
    # the union sees it by name; another union does not
    listed = season.grassroots.get(f"/cover-requests?cover_year={YEAR}").get_json()["items"]
    assert [(r["member_id"], r["name"], r["state_text"]) for r in listed] == [(1, "会员1", "已申请")]
    assert season.grassroots2.get(f"/cover-requests?cover_year={YEAR}").get_json()["items"] == []
    # and on its 即时参保 list the one who asked is marked, the other is not
    listed = season.grassroots.get(f"/confirmation?cover_year={YEAR}&mode=instant&kind=no_cover").get_json()["items"]
    marked = {m["member_id"]: m["asked_at"] for m in listed}
    assert marked[1] == body["asked_at"] and marked[2] is None
    # the union's instant submission naming the member: 单位已提交
    sub = season.grassroots.post(
        "/submissions",
        json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "no_cover", "member_ids": [1]},
    )
    assert sub.status_code == 201, sub.get_json()
    sub = sub.get_json()
    assert _states(me) == [(1, "单位已提交")]
    season.priced(sub["id"], 5200, 2600, 2600, pay_by=None)
    season.district.post(f"/submissions/{sub['id']}/stage", json={})
    batch = season.district.post("/batches", json={"cover_year": YEAR, "mode": "instant", "handler": HANDLER})
    assert batch.status_code == 201, batch.get_json()
    batch = batch.get_json()
    assert _states(me) == [(1, "单位已提交")]
    season.feed(
        "billing.batch.written_off",
        {"batch_id": batch["id"], "amount_fen": 5200, "received_on": "2020-03-20", "bank_reference": "x"},
    )
    assert _states(me) == [(1, "已参保")]
    assert _changes(season) == [(1, "asked"), (1, "submitted"), (1, "covered")]
    # covered now: a new ask is refused in the member's words
    covered = me.post("/me/cover-requests", json={})
    assert covered.status_code == 409 and covered.get_json()["error"]["message"] == "您本保障年度已参保，无需申请"


def test_the_union_declines_with_a_reason_the_member_reads(season):
    at("2020-03-10T10:00:00")
    season.member(1, card_issued_on="2019-06-01")
    season.member(3, union_id=UNION2, card_issued_on="2019-06-01")
    me = _as_member(season, 1)
    request_id = me.post("/me/cover-requests", json={}).get_json()["id"]
    other = _as_member(season, 3, UNION2).post("/me/cover-requests", json={}).get_json()["id"]
    # a union reaches only its own members' requests: another's is not found, nothing changes
    foreign = season.grassroots.post(f"/cover-requests/{other}/declines", json={"reason": "不是本单位"})
    assert foreign.status_code == 404
    missing = season.grassroots.post(f"/cover-requests/{request_id}/declines", json={"reason": "  "})
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "COVER_REQUEST_REASON_MISSING"
    declined = season.grassroots.post(f"/cover-requests/{request_id}/declines", json={"reason": "已办理离职手续"})
    assert declined.status_code == 200, declined.get_json()
    [mine] = me.get("/me/cover-requests").get_json()["items"]
    assert (mine["state_text"], mine["reason"]) == ("单位未受理", "已办理离职手续")
    twice = season.grassroots.post(f"/cover-requests/{request_id}/declines", json={"reason": "再次"})
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "COVER_REQUEST_NOT_OPEN"
    changed = season.events("enrollment.cover_request.changed")[-1]["data"]
    assert changed["state"] == "declined" and changed["message"].endswith("原因：已办理离职手续")
    # a declined request is closed: the member may ask again; the other union's member is untouched
    assert me.post("/me/cover-requests", json={}).status_code == 201
    assert _states(_as_member(season, 3, UNION2)) == [(3, "已申请")]


def test_a_returned_submission_puts_the_request_back_in_the_list(season):
    at("2020-03-10T10:00:00")
    season.member(1, card_issued_on="2019-06-01")
    me = _as_member(season, 1)
    me.post("/me/cover-requests", json={})
    sub = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "no_cover"}
    ).get_json()
    assert _states(me) == [(1, "单位已提交")]
    assert season.district.post(f"/submissions/{sub['id']}/return", json={"reason": "名单有误"}).status_code == 200
    assert _states(me) == [(1, "已申请")]


def test_who_may_ask_and_who_may_not(season):
    season.member(1, card_issued_on="2019-06-01")
    season.member(2, card_issued_on=None)  # no card
    season.member(4, card_issued_on="2020-01-10")  # a card after the cut-off: a new card holder
    # before the cover year starts (the clock is in November): not in the window
    early = _as_member(season, 1).post("/me/cover-requests", json={})
    assert early.status_code == 422 and early.get_json()["error"]["code"] == "COVER_REQUEST_NOT_IN_WINDOW"
    at("2020-03-10T10:00:00")
    no_card = _as_member(season, 2).post("/me/cover-requests", json={})
    assert no_card.status_code == 422 and no_card.get_json()["error"]["message"] == "您尚未办理会员服务卡，请先办卡"
    late_card = _as_member(season, 4).post("/me/cover-requests", json={})
    assert late_card.status_code == 422 and "新办卡人员" in late_card.get_json()["error"]["message"]
    unknown = _as_member(season, 99).post("/me/cover-requests", json={})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["code"] == "COVER_REQUEST_UNKNOWN"
    assert season.count("SELECT count(*) FROM cover_request") == 0
    # roles: a clerk is not a member, a member is not a clerk
    assert season.grassroots.post("/me/cover-requests", json={}).status_code == 403
    assert _as_member(season, 1).get(f"/cover-requests?cover_year={YEAR}").status_code == 403


def test_an_unpaid_batch_fails_the_request_and_the_member_may_ask_again(season):
    at("2020-03-10T10:00:00")
    season.member(1, card_issued_on="2019-06-01")
    me = _as_member(season, 1)
    me.post("/me/cover-requests", json={})
    sub = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "no_cover"}
    ).get_json()
    season.priced(sub["id"], 5200, 2600, 2600, pay_by=None)
    season.district.post(f"/submissions/{sub['id']}/stage", json={})
    batch = season.district.post(
        "/batches", json={"cover_year": YEAR, "mode": "instant", "handler": HANDLER}
    ).get_json()
    season.feed(
        "billing.batch.overdue",
        {"batch_id": batch["id"], "batch_no": batch["batch_no"], "cover_year": YEAR, "due_fen": 5200, "paid_fen": 0},
    )
    assert _states(me) == [(1, "参保未成功")]
    assert season.events("enrollment.cover_request.changed")[-1]["data"]["message"].startswith("您的2020年度即时参保")
    assert me.post("/me/cover-requests", json={}).status_code == 201
    assert _states(me) == [(1, "已申请"), (1, "参保未成功")]
