"""Accounts without typed passwords (issue 27 item 3), the gateway on PostgreSQL: the centre makes
an account without a password, the activation link goes out through the outbox, the clerk sets
the password once with it; 找回密码 answers the same for anyone and is limited; a link serves
once, until it expires, and ends the account's sessions."""

import json
from datetime import timedelta

from sqlalchemy import select, update

from gateway import contracts
from gateway.adapters.orm import Account, AccountLink, WebSession
from gateway.bootstrap import runtime

BOSS = ("boss", "Centre#2026pw")
NEW = "Clerk&Sets2026"


def _login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _centre(client):
    token = _login(client, *BOSS).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _links() -> list[dict]:
    """The links published, newest last (what the notifications service is sent)."""
    outbox = runtime.messages.outbox
    with runtime.sessions() as session:
        rows = session.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars()
        events = [json.loads(p) for p in rows]
    return [e["data"] for e in events if e["type"] == contracts.ACCOUNT_LINK_ISSUED]


def _token(link: dict) -> str:
    return link["link"].split("#t=", 1)[1]


def _new_account(client, **given):
    body = {"username": "clerk9", "display_name": "王五", "role": "centre", "email": "clerk9@example.cn", **given}
    return client.post("/api/v1/accounts", json=body, headers=_centre(client))


def test_an_account_made_without_a_password_is_activated_once_by_its_link(gateway):
    client = gateway.test_client()
    made = _new_account(client)
    assert made.status_code == 201
    assert (made.get_json()["active"], made.get_json()["awaiting_activation"]) == (False, True)
    [link] = _links()
    assert (link["email"], link["purpose"], link["username"]) == ("clerk9@example.cn", "activate", "clerk9")
    assert link["link"].startswith("/password/set#t=")
    token = _token(link)
    with runtime.sessions() as session:  # only a keyed hash of the token is kept
        stored = session.scalars(select(AccountLink.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0]
    assert _login(client, "clerk9", NEW).status_code == 401  # nothing works before activation

    facts = client.post("/api/v1/auth/link", json={"token": token}).get_json()
    assert (facts["username"], facts["purpose"]) == ("clerk9", "activate")
    weak = client.post("/api/v1/auth/link/password", json={"token": token, "new_password": "Password@2026"})
    assert weak.status_code == 422 and "常见" in json.dumps(weak.get_json(), ensure_ascii=False)
    named = client.post("/api/v1/auth/link/password", json={"token": token, "new_password": "王五Secret#2026"})
    assert named.status_code == 422 and "名称" in json.dumps(named.get_json(), ensure_ascii=False)

    done = client.post("/api/v1/auth/link/password", json={"token": token, "new_password": NEW})
    assert done.status_code == 200 and done.get_json() == {"username": "clerk9"}
    assert _login(client, "clerk9", NEW).status_code == 200
    again = client.post("/api/v1/auth/link/password", json={"token": token, "new_password": NEW + "x"})
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "LINK_INVALID"


def test_without_a_password_an_address_is_needed(gateway):
    client = gateway.test_client()
    refused = _new_account(client, email=None)
    assert refused.status_code == 422 and "email" in refused.get_json()["error"]["fields"]
    assert _links() == []


def test_forgotten_password_answers_the_same_for_anyone_and_ends_sessions(gateway):
    client = gateway.test_client()
    with runtime.sessions() as session:
        session.execute(update(Account).where(Account.username == "boss").values(email="boss@example.cn"))
        session.commit()
    _login(client, *BOSS)  # a session that the new password must end
    known = client.post("/api/v1/auth/password-reset", json={"login": "boss@example.cn"})
    unknown = client.post("/api/v1/auth/password-reset", json={"login": "nobody"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_json() == unknown.get_json()
    [link] = _links()
    assert link["purpose"] == "reset" and link["username"] == "boss"

    done = client.post("/api/v1/auth/link/password", json={"token": _token(link), "new_password": "Chief&New2026pw"})
    assert done.status_code == 200
    with runtime.sessions() as session:
        assert session.scalars(select(WebSession)).all() == []
    assert _login(client, *BOSS).status_code == 401
    assert _login(client, "boss", "Chief&New2026pw").status_code == 200


def test_an_expired_or_superseded_link_does_not_serve(gateway):
    client = gateway.test_client()
    _new_account(client)
    client.post("/api/v1/auth/password-reset", json={"login": "clerk9"})  # a new activation link
    first, second = (_token(link) for link in _links())
    assert client.post("/api/v1/auth/link", json={"token": first}).status_code == 422
    assert client.post("/api/v1/auth/link", json={"token": second}).status_code == 200
    with runtime.sessions() as session:
        session.execute(update(AccountLink).values(expires_at=AccountLink.created_at - timedelta(seconds=1)))
        session.commit()
    late = client.post("/api/v1/auth/link/password", json={"token": second, "new_password": NEW})
    assert late.status_code == 422 and late.get_json()["error"]["code"] == "LINK_INVALID"
    assert client.post("/api/v1/auth/link", json={"token": "not a token"}).status_code == 422


def test_requests_are_limited_per_address_and_mails_per_account(gateway):
    client = gateway.test_client()
    with runtime.sessions() as session:
        session.execute(update(Account).where(Account.username == "boss").values(email="boss@example.cn"))
        session.commit()
    answers = [client.post("/api/v1/auth/password-reset", json={"login": "boss"}).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert len(_links()) == 3  # one account: three links an hour, then the same answer and no mail
