"""Each account's last login (the district's 基层工会 page shows it, issue 27 item 6): set when a
session begins with the password, through the API or the login page; a refused login leaves it."""

from sqlalchemy import select

from gateway.adapters.orm import Account
from gateway.bootstrap import runtime


def _last_login(username: str):
    with runtime.sessions() as session:
        return session.scalar(select(Account.last_login_at).where(Account.username == username))


def test_a_login_records_when_and_a_refused_one_does_not(gateway):
    client = gateway.test_client()
    assert _last_login("boss") is None
    refused = client.post("/api/v1/auth/login", json={"username": "boss", "password": "wrong"})
    assert refused.status_code == 401 and _last_login("boss") is None
    assert client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"}).status_code == 200
    first = _last_login("boss")
    assert first is not None
    assert client.post("/login", data={"username": "boss", "password": "Centre#2026pw"}).status_code == 302
    assert _last_login("boss") >= first
