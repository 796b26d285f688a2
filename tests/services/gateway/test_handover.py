"""代办员变更 and 重发激活链接 at the gateway on PostgreSQL (docs/decisions/0040): the union's clerk
names the new one, whose account is made inactive with an activation link; the old account is
disabled and every session of it ends at once — cookie, bearer and refresh token — and the old
clerk is told why; a taken user name changes nothing; the history keeps both; a district names
the first clerk of a union that has none and resends an activation link, the old one void."""

import json

from sqlalchemy import func, select

from common.identity import Identity
from gateway import contracts
from gateway.adapters.orm import Account, ClerkHandover, WebSession
from gateway.auth import hash_password, utcnow
from gateway.bootstrap import runtime
from gateway.handlers import handover

OLD = ("old.clerk", "Old&Clerk2026pw")
NEW = "New&Clerk2026pw"


def _account(username, role, union_id=None, district_id=None, password=None, email=None):
    with runtime.sessions() as session:
        now = utcnow()
        session.add(
            Account(
                username=username,
                display_name={"old.clerk": "老代办"}.get(username, username),
                password_hash=hash_password(password) if password else "!",
                role=role,
                union_id=union_id,
                district_id=district_id,
                email=email,
                active=password is not None,
                created_at=now,
                password_changed_at=now,
            )
        )
        session.commit()


def _login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _bearer(answer):
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def _links() -> list[dict]:
    outbox = runtime.messages.outbox
    with runtime.sessions() as session:
        events = [json.loads(p) for p in session.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars()]
    return [e["data"] for e in events if e["type"] == contracts.ACCOUNT_LINK_ISSUED]


def _token(link: dict) -> str:
    return link["link"].split("#t=", 1)[1]


FORM = {"display_name": "新代办", "mobile": "13900000002", "email": "new@example.cn", "username": "new.clerk"}


def test_the_clerk_hands_over_and_every_session_of_the_old_account_ends(gateway):
    _account(*OLD[:1], "grassroots", union_id=7, district_id=3, password=OLD[1], email="old@example.cn")
    client = gateway.test_client()
    api = _login(client, *OLD)
    refresh_token = api.get_json()["refresh_token"]
    browser = gateway.test_client()
    assert browser.post("/login", data={"username": OLD[0], "password": OLD[1]}).status_code == 302

    done = client.post("/api/v1/unions/7/clerks/handover", json=FORM, headers=_bearer(api))
    assert done.status_code == 201, done.get_json()
    body = done.get_json()
    assert (body["username"], body["replaced"]) == ("new.clerk", ["old.clerk"])
    assert "new@example.cn" in body["message"] and "老代办（old.clerk）的账号已停用" in body["message"]

    with runtime.sessions() as session:
        old = session.scalar(select(Account).where(Account.username == "old.clerk"))
        new = session.scalar(select(Account).where(Account.username == "new.clerk"))
        assert session.scalar(select(func.count()).select_from(WebSession).where(WebSession.account_id == old.id)) == 0
        assert (old.active, new.active, new.role, new.union_id, new.district_id) == (False, False, "grassroots", 7, 3)
    [link] = _links()
    assert (link["username"], link["purpose"], link["occasion"]) == ("new.clerk", "activate", "clerk_handover")
    assert link["named_by"] == "本会原代办员 老代办（old.clerk）"

    # the old clerk: the token, the refresh token, the browser and the password all end, in words
    refused = client.get("/api/v1/auth/sessions", headers=_bearer(api))
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "ACCOUNT_HANDED_OVER"
    assert "因代办员变更" in refused.get_json()["error"]["message"]
    renewed = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert renewed.status_code == 401
    assert browser.get("/union/profile").status_code == 302  # to the login page
    again = _login(client, *OLD)
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "ACCOUNT_HANDED_OVER"
    assert "本会原代办员 老代办（old.clerk）办理" in again.get_json()["error"]["message"]
    page = browser.post("/login", data={"username": OLD[0], "password": OLD[1]})
    assert page.status_code == 401 and "因代办员变更" in page.get_data(as_text=True)
    wrong = _login(client, OLD[0], "Wrong&Pass2026")
    assert wrong.get_json()["error"]["code"] == "LOGIN_FAILED"  # a wrong password learns nothing

    # the new clerk activates and reads the history: both clerks, who changed it, when
    assert (
        client.post("/api/v1/auth/link/password", json={"token": _token(link), "new_password": NEW}).status_code == 200
    )
    history = client.get("/api/v1/unions/7/clerks", headers=_bearer(_login(client, "new.clerk", NEW))).get_json()
    assert [(c["username"], c["awaiting_activation"]) for c in history["clerks"]] == [("new.clerk", False)]
    terms = history["terms"]
    assert [(t["username"], t["until"] is None, t["named_by"], t["ended_by"]) for t in terms] == [
        ("new.clerk", True, "本会原代办员 老代办（old.clerk）", None),
        ("old.clerk", False, None, "本会原代办员 老代办（old.clerk）"),
    ]
    assert terms[0]["mobile"] == "139****0002" and terms[1]["until"] == terms[0]["since"]


def test_a_taken_user_name_or_another_union_changes_nothing(gateway):
    _account(*OLD[:1], "grassroots", union_id=7, district_id=3, password=OLD[1])
    client = gateway.test_client()
    headers = _bearer(_login(client, *OLD))
    taken = client.post("/api/v1/unions/7/clerks/handover", json={**FORM, "username": "boss"}, headers=headers)
    assert taken.status_code == 409 and taken.get_json()["error"]["fields"] == {
        "username": ["用户名已被使用，请换一个"]
    }
    other = client.post("/api/v1/unions/8/clerks/handover", json=FORM, headers=headers)
    assert other.status_code == 403 and other.get_json()["error"]["message"] == "只能变更本会的代办员"
    bad = client.post("/api/v1/unions/7/clerks/handover", json={**FORM, "mobile": "123"}, headers=headers)
    assert bad.status_code == 422 and "mobile" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/auth/sessions", headers=headers).status_code == 200  # still the clerk
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ClerkHandover)) == 0
        assert session.scalar(select(Account.active).where(Account.username == "old.clerk")) is True
    assert _links() == []


def test_a_district_names_a_first_clerk_and_resends_the_activation_link(gateway):
    _account("district3", "district", district_id=3, password="District&3pw2026")
    _account("district4", "district", district_id=4, password="District&4pw2026")
    district = Identity(user="district3", role="district", district_id=3, request_id="t")
    with runtime.uow() as uow:  # a union with no clerk yet: its district names the first one
        done = handover.hand_over(uow, district, 9, 3, {"union": "丁公司工会", "district": "黄浦区总工会"}, FORM)
    assert done["replaced"] == [] and "已停用" not in done["message"]
    [first] = _links()
    assert (first["set_up_by"], first["named_by"], first["union_name"]) == (
        "黄浦区总工会",
        "黄浦区总工会（district3）",
        "丁公司工会",
    )
    with runtime.sessions() as session:
        new_id = session.scalar(select(Account.id).where(Account.username == "new.clerk"))

    client = gateway.test_client()
    headers = _bearer(_login(client, "district3", "District&3pw2026"))
    listed = client.get("/api/v1/clerks", headers=headers).get_json()
    assert [(a["username"], a["awaiting_activation"]) for a in listed] == [("new.clerk", True)]
    waiting = client.get("/api/v1/clerks?awaiting=true&per_page=1", headers=headers)
    assert [a["username"] for a in waiting.get_json()] == ["new.clerk"] and waiting.headers["X-Total-Count"] == "1"
    assert client.get("/api/v1/clerks?per_page=501", headers=headers).status_code == 422
    resent = client.post(f"/api/v1/accounts/{new_id}/activation-link", headers=headers)
    assert resent.status_code == 200 and resent.get_json()["username"] == "new.clerk"
    first_link, second_link = _links()
    assert second_link["set_up_by"] == "黄浦区总工会" and second_link.get("occasion") is None
    void = client.post("/api/v1/auth/link", json={"token": _token(first_link)})
    assert void.status_code == 422 and void.get_json()["error"]["code"] == "LINK_INVALID"
    assert client.post("/api/v1/auth/link", json={"token": _token(second_link)}).status_code == 200

    elsewhere = _bearer(_login(client, "district4", "District&4pw2026"))
    assert client.post(f"/api/v1/accounts/{new_id}/activation-link", headers=elsewhere).status_code == 404
    assert client.get("/api/v1/clerks", headers=elsewhere).get_json() == []
    boss = _bearer(_login(client, "boss", "Centre#2026pw"))
    assert client.post(f"/api/v1/accounts/{new_id}/activation-link", headers=boss).status_code == 200
    assert (
        client.post("/api/v1/auth/link/password", json={"token": _token(_links()[-1]), "new_password": NEW}).status_code
        == 200
    )
    active = client.post(f"/api/v1/accounts/{new_id}/activation-link", headers=headers)
    assert active.status_code == 409 and active.get_json()["error"]["code"] == "ACCOUNT_NOT_AWAITING_ACTIVATION"


def test_a_handover_of_an_unactivated_clerk_leaves_it_no_way_back(gateway):
    district = Identity(user="district3", role="district", district_id=3, request_id="t")
    with runtime.uow() as uow:
        handover.hand_over(uow, district, 9, 3, {"union": None, "district": None}, FORM)
    with runtime.uow() as uow:
        handover.hand_over(uow, district, 9, 3, {"union": None, "district": None}, {**FORM, "username": "third"})
    first, second = _links()
    client = gateway.test_client()
    void = client.post("/api/v1/auth/link", json={"token": _token(first)})
    assert void.status_code == 422  # the replaced clerk's link went with it
    asked = client.post("/api/v1/auth/password-reset", json={"login": "new.clerk"})
    assert asked.status_code == 200 and len(_links()) == 2  # 找回密码 sends the replaced one nothing
    assert second["username"] == "third"
