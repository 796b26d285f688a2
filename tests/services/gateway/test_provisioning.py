"""工会批量导入's accounts at the gateway on PostgreSQL: members.clerks.loaded makes every clerk's
account inactive with an activation link (no password hashed), in sets, once; a loaded clerk
activates from the link and logs in (docs/decisions/0039)."""

import json

from sqlalchemy import func, select

from common.bus import Delivery
from common.consumer import EventConsumer
from gateway import contracts
from gateway.adapters.orm import Account, AccountLink
from gateway.bootstrap import runtime
from gateway.handlers import provisioning

NEW = "Clerk&Sets2026"


def _loaded(event_id: str, *clerks: dict) -> dict:
    return {
        "id": event_id,
        "type": "members.clerks.loaded",
        "schema_version": 1,
        "data": {"job_id": 1, "clerks": list(clerks)},
    }


def _clerk(n: int, username: str | None = None, role: str = "grassroots") -> dict:
    return {
        "role": role,
        "union_id": n if role == "grassroots" else None,
        "district_id": 3,
        "district_name": "黄浦区总工会",
        "unit_name": f"单位{n}工会",
        "username": username or f"clerk{n}",
        "clerk_name": f"代办员{n}",
        "email": f"clerk{n}@example.cn",
    }


def _links() -> list[dict]:
    outbox = runtime.messages.outbox
    with runtime.sessions() as session:
        rows = session.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars()
        return [json.loads(p)["data"] for p in rows if json.loads(p)["type"] == contracts.ACCOUNT_LINK_ISSUED]


def _consume(event: dict) -> None:
    """As the gateway's consumer does: the inbox first, then the handler, in one transaction."""
    sub = next(s for s in runtime.subscriptions if "members.clerks.loaded" in s.handlers)
    EventConsumer(runtime, sub)._handle([Delivery(event, None)])


def test_loaded_clerks_get_inactive_accounts_and_one_link_each_once(gateway):
    clerks = [_clerk(n) for n in range(1, 301)] + [_clerk(900, "district9", role="district"), _clerk(7, "boss")]
    event = _loaded("load-1", *clerks)
    _consume(event)
    _consume(event)  # redelivered: the inbox answers it
    with runtime.uow() as uow:  # the same rows in another message: nobody is made twice
        provisioning.create_clerk_accounts_when_loaded(uow, _loaded("load-2", _clerk(1)))
        uow.commit()
    with runtime.sessions() as session:
        made = {a.username: a for a in session.scalars(select(Account).where(Account.role != "centre"))}
        link_count = session.scalar(select(func.count()).select_from(AccountLink))
    assert len(made) == 302 and link_count == 302
    assert all(not a.active and a.password_hash == "!" for a in made.values())
    assert (made["district9"].role, made["district9"].district_id, made["district9"].union_id) == ("district", 3, None)
    assert made["boss_7"].union_id == 7  # the centre's "boss" held the wanted name
    sent = _links()
    assert len(sent) == 302 and {s["purpose"] for s in sent} == {"activate"}
    assert {s["username"] for s in sent} == set(made)


def test_a_loaded_clerk_activates_from_the_link_and_logs_in(gateway):
    _consume(_loaded("load-3", _clerk(41)))
    client = gateway.test_client()
    refused = client.post("/api/v1/auth/login", json={"username": "clerk41", "password": NEW})
    assert refused.status_code == 401  # no password yet
    (link,) = _links()
    token = link["link"].split("#t=", 1)[1]
    assert client.post("/api/v1/auth/link", json={"token": token}).get_json()["username"] == "clerk41"
    done = client.post("/api/v1/auth/link/password", json={"token": token, "new_password": NEW})
    assert done.status_code == 200, done.get_json()
    login = client.post("/api/v1/auth/login", json={"username": "clerk41", "password": NEW})
    assert login.status_code == 200, login.get_json()
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {login.get_json()['access_token']}"})
    assert me.status_code == 200 and me.get_json()["account"]["union_id"] == 41


def test_a_malformed_message_is_refused_whole(gateway):
    import pytest

    from common.facts import MalformedEvent

    bad = _loaded("load-4", _clerk(1), {**_clerk(2), "role": "chair"})
    with runtime.uow() as uow, pytest.raises(MalformedEvent):
        provisioning.create_clerk_accounts_when_loaded.__wrapped__(uow, bad)


def test_a_districts_load_names_the_district_in_its_clerks_mails(gateway):
    """Who set the account up (decision 0040): the uploading district; the centre's load, nobody."""
    _consume(_loaded("load-9", {**_clerk(51), "set_up_by": "黄浦区总工会"}, _clerk(52)))
    with runtime.sessions() as session:
        by_name = {
            a.username: a.set_up_by for a in session.scalars(select(Account).where(Account.role == "grassroots"))
        }
    assert by_name["clerk51"] == "黄浦区总工会" and by_name["clerk52"] is None
    said = {s["username"]: s.get("set_up_by") for s in _links()}
    assert said["clerk51"] == "黄浦区总工会" and said["clerk52"] is None
