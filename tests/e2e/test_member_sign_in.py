"""个人登录 through the gateway with every process real (decision 0041): a demo member asks for a
code, reads it from DATA_DIR/sms, signs in, sees their card and this year's cover, reveals their own
ID number (audited); a stranger is answered alike; and the whole OpenAPI document walked as the
member answers 403 for every operation that does not name the role."""

from __future__ import annotations

import re

import requests

from services.members.demo import demo_id
from tests.season import ok

YEAR = 2027  # the demo's cover year, every window open
MOBILE = "13910000001"  # demo member 1 (grassroots1's), who holds a card


def _enrolled(system) -> None:
    """grassroots1 enrols member 1 for the year, once enrollment has the roster the demo seeded (a
    request just after start-up may find it still arriving; nothing is applied then)."""
    g1 = system.login("grassroots1")
    answers = []

    def submitted() -> bool:
        answers.append(
            g1.post("/api/v1/enrollment/submissions", json={"cover_year": YEAR, "type": "B+", "member_ids": [1]})
        )
        return answers[-1].status_code == 201

    system.wait_for(submitted, timeout=60, interval=1, message="the submission")


def test_a_member_signs_in_with_the_texted_code_and_sees_their_card_and_cover(system):
    _enrolled(system)
    stranger = requests.post(
        system.base + "/api/v1/auth/member/code",
        json={"id_number": demo_id(99), "mobile": MOBILE},
        timeout=30,
    )
    me = system.member_login(demo_id(1), MOBILE)
    assert stranger.status_code == 200 and stranger.json()["message"].startswith("如证件号码与手机号码")
    assert system.sms_count(MOBILE) == 1  # the stranger's request sent nothing
    assert me.account["role"] == "member"

    card = ok(me.get("/api/v1/members/me"))
    assert card["member_id"] == 1 and card["union_name"] and card["member_no"]
    assert card["card_number"].startswith("6222") and "*" in card["card_number"] and card["card_issued_on"]
    assert card["id_number"] != demo_id(1)

    mine = ok(me.get("/api/v1/enrollment/me/covers"))
    (cover,) = [c for c in mine["covers"] if c["cover_year"] == YEAR]
    assert cover["type"] == "B+" and "住院津贴" in cover["benefits"]
    assert cover["mode_name"] == "集中参保" and cover["cover_start"] and cover["cover_end"]
    assert cover["payment_state"] and "claims_deadline" in cover

    # my own 参保凭证 (decision 0042), once documents knows the cover; another's only as a clerk
    own = f"/api/v1/documents/certificates/mine/{YEAR}/file"
    system.wait_for(lambda: me.get(own).status_code == 200, timeout=60, message="documents keeps the cover")
    assert me.get(own).content.startswith(b"%PDF")
    assert me.get(f"/api/v1/documents/certificates/1/{YEAR}/file").status_code == 403
    assert me.get("/api/v1/documents/certificates/mine/2019/file").status_code == 404

    revealed = ok(me.post("/api/v1/members/me/id-number-reveals"))
    assert revealed == {"id_number": demo_id(1)}
    audit = system.login("centre").get("/api/v1/audit", params={"username": "member-1"}).json()["items"]
    said = {r["action"] for r in audit}
    assert {"POST /api/v1/members/me/id-number-reveals", "POST /api/v1/auth/member/sign-in"} <= said


def test_the_member_reaches_only_what_names_the_role(system):
    """The OpenAPI walk: every operation whose x-roles leave the member out is 403 at the gateway,
    with path parameters naming real things (1) — the member's own id among them."""
    me = system.member_login(demo_id(2), "13910000002")
    spec = requests.get(system.base + "/api/v1/openapi.json", timeout=30).json()
    refused, walked, open_to_member = [], 0, set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or "x-roles" not in operation:
                continue
            if "member" in operation["x-roles"]:
                open_to_member.add(f"{method.upper()} {path}")
                continue
            url = re.sub(r"\{[^}]*year[^}]*\}", "2025", path)
            url = re.sub(r"\{[^}]+\}", "1", url)
            answer = me.request(method.upper(), url, json={} if method in ("post", "put", "patch") else None)
            walked += 1
            if answer.status_code != 403:
                refused.append(f"{method.upper()} {path}: {answer.status_code}")
    assert walked > 90
    assert not refused, refused
    assert open_to_member == {
        "GET /api/v1/members/me",
        "POST /api/v1/members/me/id-number-reveals",
        "GET /api/v1/enrollment/me/covers",
        "GET /api/v1/enrollment/me/cover-requests",
        "POST /api/v1/enrollment/me/cover-requests",
        "GET /api/v1/documents/certificates/mine/{cover_year}/file",
        "GET /api/v1/members/me/detail-changes",
        "POST /api/v1/me/mobile-codes",
        "POST /api/v1/me/detail-changes",
    }
    # another member's record, by any route, is out of reach
    assert me.get("/api/v1/members/members/1").status_code == 403
    # a correction reaches members only through the gateway's code check, for the member in session
    assert me.post("/api/v1/members/detail-changes", json={"member_id": 1, "address": "x"}).status_code == 403
    assert me.post("/api/v1/me/detail-changes", json={"member_id": 1, "address": "x"}).status_code == 422
    assert me.post("/api/v1/enrollment/covers/lookup", json={"id_number": demo_id(1)}).status_code == 403
