"""The addresses a notification is mailed to: the gateway's accounts of the scope, active and with
an e-mail, for a caller showing a signed internal identity only."""

from __future__ import annotations

from gateway.adapters.orm import Account
from gateway.auth import hash_password, utcnow
from tests.conftest import auth_headers


def _account(session, username, role, union_id=None, district_id=None, email=None, active=True):
    now = utcnow()
    session.add(
        Account(
            username=username,
            display_name=username,
            password_hash=hash_password("Xx#2026passw"),
            role=role,
            union_id=union_id,
            district_id=district_id,
            email=email,
            active=active,
            created_at=now,
            password_changed_at=now,
        )
    )


def test_recipients_of_a_scope_for_services_only(gateway):
    from gateway.bootstrap import runtime

    with runtime.sessions() as session:
        _account(session, "u1a", "grassroots", 101, 10, "a@u101.cn")
        _account(session, "u1b", "grassroots", 101, 10, "b@u101.cn")
        _account(session, "u1c", "grassroots", 101, 10, "gone@u101.cn", active=False)
        _account(session, "u1d", "grassroots", 101, 10, None)
        _account(session, "u2", "grassroots", 102, 10, "c@u102.cn")
        _account(session, "d10", "district", None, 10, "hp@d10.cn")
        session.commit()
    client = gateway.test_client()
    url = "/internal/v1/recipients?union=101&union=103&district=10"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"X-Internal-Identity": "forged"}).status_code == 401
    answer = client.get(url, headers=auth_headers("centre", user="notifications"))
    assert answer.status_code == 200
    assert answer.get_json() == {
        "union": {"101": ["a@u101.cn", "b@u101.cn"], "103": []},
        "district": {"10": ["hp@d10.cn"]},
    }


def test_the_centre_sets_an_accounts_email(gateway):
    client = gateway.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    [boss] = client.get("/api/v1/accounts", headers=headers).get_json()
    bad = client.patch(f"/api/v1/accounts/{boss['id']}", json={"email": "boss@"}, headers=headers)
    assert bad.status_code == 422 and "email" in bad.get_json()["error"]["fields"]
    done = client.patch(f"/api/v1/accounts/{boss['id']}", json={"email": "boss@centre.cn"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["email"] == "boss@centre.cn"
