"""组织注册 at the gateway on PostgreSQL: the public form is limited per address and refuses a user
name an account holds before asking members; an approval event makes the clerk's account
inactive with an activation link, once per event, under another name when the wanted one went."""

import json

from sqlalchemy import select

from gateway import contracts
from gateway.adapters.orm import Account
from gateway.bootstrap import runtime
from gateway.handlers import registrations


def _form(**changes):
    data = {
        "name": "丙公司工会",
        "credit_code": "91310101MA1FL01015",
        "district_id": 1,
        "address": "上海市",
        "chair_name": "周",
        "chair_mobile": "13900000001",
        "chair_email": "c@example.cn",
        "clerk_name": "吴代办",
        "clerk_mobile": "13900000002",
        "clerk_email": "clerk@example.cn",
        "username": "boss",
    }
    data.update(changes)
    return data


def test_a_taken_user_name_is_refused_and_an_address_is_limited(gateway):
    client = gateway.test_client()
    answers = [client.post("/api/v1/registrations", json=_form()) for _ in range(6)]
    assert [a.status_code for a in answers] == [409] * 5 + [429]
    assert answers[0].get_json()["error"]["code"] == "USERNAME_TAKEN"
    assert answers[5].get_json()["error"] == {
        "code": "REGISTRATION_THROTTLED",
        "message": "组织注册提交过于频繁，请 1 小时后再试",
    }
    bad = client.post("/api/v1/registrations", json={"name": "x"})
    assert bad.status_code == 422 and "credit_code" in bad.get_json()["error"]["fields"]


def _approved(event_id: str, username: str, union_id: int, **more) -> dict:
    return {
        "id": event_id,
        "type": "members.registration.approved",
        "data": {
            "registration_id": 1,
            "number": "ZC20261207000001",
            "union_id": union_id,
            "district_id": 3,
            "union_name": "丙公司工会",
            "username": username,
            "clerk_name": "吴代办",
            "email": "clerk@example.cn",
            **more,
        },
    }


def test_an_approval_makes_the_clerks_account_inactive_with_its_link(gateway):
    # e1 as members published it before district_name (read for one release)
    for event in (_approved("e1", "bing.clerk", 7), _approved("e2", "boss", 8, district_name="黄浦区总工会")):
        with runtime.uow() as uow:
            registrations.create_clerk_account_when_registration_approved(uow, event)
            uow.commit()
    with runtime.sessions() as session:
        made = {a.username: a for a in session.scalars(select(Account).where(Account.role == "grassroots"))}
        outbox = runtime.messages.outbox
        links = [json.loads(p) for p in session.execute(select(outbox.c.payload)).scalars()]
    assert set(made) == {"bing.clerk", "boss_8"}
    clerk = made["bing.clerk"]
    assert (clerk.active, clerk.union_id, clerk.district_id, clerk.email) == (False, 7, 3, "clerk@example.cn")
    assert [(e["type"], e["data"]["username"], e["data"]["purpose"]) for e in links] == [
        (contracts.ACCOUNT_LINK_ISSUED, "bing.clerk", "activate"),
        (contracts.ACCOUNT_LINK_ISSUED, "boss_8", "activate"),
    ]
    # the reason travels with the link, for the mail's words
    assert [(e["data"]["occasion"], e["data"]["registration_no"], e["data"]["district_name"]) for e in links] == [
        ("registration_approved", "ZC20261207000001", None),
        ("registration_approved", "ZC20261207000001", "黄浦区总工会"),
    ]
