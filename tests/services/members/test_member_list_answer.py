"""The member list answers its rows as they are (decision 0048), not dumped again through
marshmallow: the answer stays exactly MemberPage's dump of the same rows, for a member with a
card, one rejected with a note, one removed, across the union, the district and the centre."""

from __future__ import annotations

from common.identity import Identity
from services.members.api.roster import MemberPage
from services.members.handlers import roster
from tests.services.members.roster_helpers import add, approve, setup


def test_the_list_answer_is_member_pages_dump(service):
    members = service("members")
    s = setup(members)
    carded, rejected, removed, plain = (add(s["g1"], n) for n in (1, 2, 3, 4))
    approve(s["dist1"], carded["id"], removed["id"])
    card = s["g1"].put(
        f"/members/{carded['id']}/card", json={"card_number": "6222021001112223334", "issued_on": "2019-12-01"}
    )
    assert card.status_code == 200, card.get_json()
    note = s["dist1"].post("/members/rejections", json={"member_ids": [rejected["id"]], "reason": "证件号码有误"})
    assert note.status_code == 200, note.get_json()
    gone = s["centre"].post("/members/removals", json={"member_ids": [removed["id"]]})
    assert gone.status_code == 200, gone.get_json()
    callers = (
        (s["g1"], Identity(user="t", role="grassroots", union_id=s["u1"], district_id=s["d1"])),
        (s["dist1"], Identity(user="t", role="district", district_id=s["d1"])),
        (s["centre"], Identity(user="t", role="centre")),
    )
    queries = (
        {},
        {"with_total": False},
        {"sort": "name", "order": "desc", "per_page": 2, "page": 2},
        {"name": "会员", "removed": True},
    )
    for client, who in callers:
        for args in queries:
            answer = client.get("/members", query_string={k: str(v).lower() for k, v in args.items()})
            assert answer.status_code == 200, answer.get_json()
            with members.runtime.uow() as work:
                total, items, capped = roster.list_members(work, who, **args)
            assert answer.get_json() == MemberPage().dump({"total": total, "total_capped": capped, "items": items})
    shown = {m["id"]: m for m in s["g1"].get("/members").get_json()["items"]}
    assert shown[carded["id"]]["card_held"] is True and shown[carded["id"]]["card_issued_on"] == "2019-12-01"
    assert shown[rejected["id"]]["review_note"] == "证件号码有误" and shown[plain["id"]]["card_number"] is None


def test_a_clerks_own_page_reads_the_same_rows_as_the_general_query(service):
    """A grassroots clerk's unfiltered pages go by a statement compiled once (queries._union_page);
    the district asking for the same union goes by the general query: the same rows, every sort."""
    from services.members.adapters import queries

    members = service("members")
    s = setup(members)
    for n in range(1, 8):
        add(s["g1"], n)
    add(s["g2"], 9)
    clerk = Identity(user="t", role="grassroots", union_id=s["u1"], district_id=s["d1"])
    district = Identity(user="t", role="district", district_id=s["d1"])
    with members.runtime.uow() as work:
        for sort in queries.SORTS:
            for order in ("asc", "desc"):
                for page in (1, 2, 3):
                    args = {"sort": sort, "order": order, "page": page, "per_page": 3}
                    own = queries.member_page(work.session, clerk, **args)
                    general = queries.member_page(work.session, district, union_id=s["u1"], **args)
                    assert own == general and own[0] == 7
