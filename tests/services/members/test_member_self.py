"""个人登录's check and 我的会员卡 in members (decision 0041): the gateway asks whether an ID number
goes with a mobile (blind indexes, the same shape of answer either way); a member reads their own
card, masked, and their own full ID number on request; nothing else is open to the role."""

from __future__ import annotations

from urllib.parse import unquote

from common import identity as internal
from tests.services.members.roster_helpers import add, approve, rid, setup


def _as_member(members, member_id: int, union_id: int | None):
    ident = internal.Identity(user=f"member-{member_id}", role="member", union_id=union_id, member_id=member_id)
    return members.as_("member").__class__(members.client, {internal.HEADER: internal.sign(ident)})


def test_the_gateway_learns_only_whether_the_id_number_and_the_mobile_go_together(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    gateway = members.as_("gateway")

    def match(id_number, mobile):
        answer = gateway.post("/sign-in/match", json={"id_number": id_number, "mobile": mobile})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    assert match(rid(1), "13812340001") == {"member_id": first["id"], "union_id": s["u1"]}
    assert match(rid(1).lower(), " 13812340001 ") == {"member_id": first["id"], "union_id": s["u1"]}
    nobody = {"member_id": None, "union_id": None}
    assert match(rid(1), "13812340002") == nobody  # the wrong mobile
    assert match(rid(2), "13812340001") == nobody  # nobody with that number
    assert match("not-a-number", "13812340001") == nobody
    # only the gateway may ask
    for role, client in (("grassroots", s["g1"]), ("centre", s["centre"])):
        refused = client.post("/sign-in/match", json={"id_number": rid(1), "mobile": "13812340001"})
        assert refused.status_code == 403, role


def test_a_member_reads_their_own_card_masked_and_their_full_number_on_request(service):
    members = service("members")
    s = setup(members)
    first, second = add(s["g1"], 1), add(s["g1"], 2)
    approve(s["dist1"], first["id"], second["id"])
    card = s["centre"].put(
        f"/members/{first['id']}/card", json={"card_number": "6222021001000000001", "issued_on": "2026-10-01"}
    )
    assert card.status_code == 200, card.get_json()
    me = _as_member(members, first["id"], s["u1"])
    mine = me.get("/me")
    assert mine.status_code == 200, mine.get_json()
    body = mine.get_json()
    assert body["name"] == "会员1" and body["union_name"] == "测试1公司工会"
    assert body["member_no"] and body["card_issued_on"] == "2026-10-01"
    assert body["card_number"] == "6222***********0001"
    assert body["id_number"] != rid(1) and body["id_number"].endswith(rid(1)[-4:])
    assert body["mobile"] == "138****0001"
    assert mine.headers["Cache-Control"] == "no-store"
    revealed = me.post("/me/id-number-reveals")
    assert revealed.status_code == 200 and revealed.get_json() == {"id_number": rid(1)}
    assert unquote(revealed.headers["X-Audit-Subject"]).startswith("会员1（")  # 操作日志 names whose
    # nothing of anyone else's, and nothing of the clerks' endpoints
    for path in ("/members", f"/members/{second['id']}", f"/members/{first['id']}", f"/unions/{s['u1']}", "/districts"):
        assert me.get(path).status_code == 403, path
    assert me.post(f"/members/{second['id']}/id-number-reveals").status_code == 403
    # a member id that is gone is a plain 404
    assert _as_member(members, 987654, None).get("/me").status_code == 404
    # the clerks never reach the member's own view
    assert s["g1"].get("/me").status_code == 403
