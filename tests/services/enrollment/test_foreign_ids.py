"""No existence oracle: every id a request names — in its body or its path — answers the same
status, code and message when it belongs to someone outside the caller's scope as when it does
not exist at all (the id itself may be echoed back; nothing else may differ)."""

import json

import pytest

from tests.services.enrollment.conftest import FOREIGN_UNION, HANDLER, UNION2, YEAR, at

MISSING = 987654


def same_answer(send, foreign: int, missing: int = MISSING):
    """Send with the foreign id, then with the missing one: status and body must match (the id
    itself replaced by a placeholder)."""
    a, b = send(foreign), send(missing)
    assert a.status_code == b.status_code, (a.get_json(), b.get_json())
    assert a.status_code >= 400
    text_a = json.dumps(a.get_json(), ensure_ascii=False, sort_keys=True).replace(str(foreign), "<id>")
    text_b = json.dumps(b.get_json(), ensure_ascii=False, sort_keys=True).replace(str(missing), "<id>")
    assert text_a == text_b
    return a


@pytest.fixture
def world(season):
    """Members and submissions outside the callers' scope: union 2's (same district), the foreign
    union's (another district), and a batch of the other district."""
    season.members([1, 2])
    season.member(51, union_id=UNION2)
    season.member(61, union_id=FOREIGN_UNION)
    season.member(62, union_id=None, status="left", event="transferred_out")
    sibling = season.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": [51]})
    foreign = season.foreign.post("/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": [61]})
    assert sibling.status_code == foreign.status_code == 201, (sibling.get_json(), foreign.get_json())
    assert season.other_district.post(f"/submissions/{foreign.get_json()['id']}/stage", json={}).status_code == 200
    at("2019-12-29T10:00:00")
    batch = season.other_district.post("/batches", json={"cover_year": YEAR, "mode": "centralised", "handler": HANDLER})
    assert batch.status_code == 201, batch.get_json()
    at("2019-11-05T10:00:00")
    return {
        "sibling_member": 51,
        "foreign_member": 61,
        "left_member": 62,
        "sibling_submission": sibling.get_json()["id"],
        "foreign_submission": foreign.get_json()["id"],
        "foreign_batch": batch.get_json()["id"],
    }


def submit_naming(season, caller="grassroots"):
    client = getattr(season, caller)
    return lambda member_id: client.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": [member_id]}
    )


# (who asks, what they send, whose id) — each row: a foreign id and a missing one answer alike.
ROWS = [
    ("grassroots names another union's member (same district)", lambda s: submit_naming(s), "sibling_member"),
    ("grassroots names another district's member", lambda s: submit_naming(s), "foreign_member"),
    ("grassroots names a member who left every union", lambda s: submit_naming(s), "left_member"),
    (
        "grassroots names them among its own",
        lambda s: (
            lambda i: s.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": [1, i]})
        ),
        "foreign_member",
    ),
    (
        "grassroots reads another union's submission",
        lambda s: lambda i: s.grassroots.get(f"/submissions/{i}"),
        "sibling_submission",
    ),
    (
        "district returns another district's submission",
        lambda s: lambda i: s.district.post(f"/submissions/{i}/return", json={"reason": "材料不全"}),
        "foreign_submission",
    ),
    (
        "district stages another district's submission",
        lambda s: lambda i: s.district.post(f"/submissions/{i}/stage", json={}),
        "foreign_submission",
    ),
    (
        "district unstages another district's submission",
        lambda s: lambda i: s.district.post(f"/submissions/{i}/unstage", json={}),
        "foreign_submission",
    ),
    ("district reads another district's batch", lambda s: lambda i: s.district.get(f"/batches/{i}"), "foreign_batch"),
    (
        "grassroots reads another union's submission in the other district",
        lambda s: lambda i: s.grassroots.get(f"/submissions/{i}"),
        "foreign_submission",
    ),
]


@pytest.mark.parametrize("what, request_for, whose", ROWS, ids=[r[0] for r in ROWS])
def test_a_foreign_id_answers_like_a_missing_one(season, world, what, request_for, whose):
    same_answer(request_for(season), world[whose])


def test_the_member_answer_names_no_union(season, world):
    answer = same_answer(submit_naming(season), world["sibling_member"])
    assert answer.get_json()["error"]["fields"]["member_ids"] == [f"{world['sibling_member']}: 未查到该会员信息"]
    assert "不属于" not in answer.get_data(as_text=True)
