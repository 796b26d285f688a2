"""账号管理's list is bounded (a city has ~100,000 clerks' accounts after 工会批量导入): a page at a
time, newest first, the total in X-Total-Count, searchable by part of the user or display name,
by role, union or district; members' own accounts are never listed; the centre's only."""

from __future__ import annotations

from tests.services.gateway.test_recipients import _account


def test_the_account_list_comes_a_page_at_a_time_newest_first(gateway):
    from gateway.bootstrap import runtime

    with runtime.sessions() as session:
        for n in range(1, 8):
            _account(session, f"page.clerk{n}", "grassroots", 100 + n, 10)
        _account(session, "page.district", "district", None, 10)
        _account(session, "member-77", "member", 101, 10)
        session.commit()
    client = gateway.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    first = client.get("/api/v1/accounts?per_page=3", headers=headers)
    assert first.status_code == 200 and first.headers["X-Total-Count"] == "9"  # boss, 7 clerks, a district
    assert [a["username"] for a in first.get_json()] == ["page.district", "page.clerk7", "page.clerk6"]
    everyone = [
        a["username"]
        for p in (1, 2, 3)
        for a in client.get(f"/api/v1/accounts?per_page=3&page={p}", headers=headers).get_json()
    ]
    assert len(everyone) == len(set(everyone)) == 9 and "member-77" not in everyone

    found = client.get("/api/v1/accounts?q=clerk3", headers=headers)
    assert [a["username"] for a in found.get_json()] == ["page.clerk3"] and found.headers["X-Total-Count"] == "1"
    assert client.get("/api/v1/accounts?q=%25", headers=headers).get_json() == []  # a wildcard is a character
    districts = client.get("/api/v1/accounts?role=district", headers=headers).get_json()
    assert [a["username"] for a in districts] == ["page.district"]
    assert [a["username"] for a in client.get("/api/v1/accounts?union_id=104", headers=headers).get_json()] == [
        "page.clerk4"
    ]
    assert client.get("/api/v1/accounts?per_page=501", headers=headers).status_code == 422
    assert client.get("/api/v1/accounts?role=member", headers=headers).status_code == 422
