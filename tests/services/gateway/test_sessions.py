"""Sessions end when they must, on every gateway process at once, and a person manages their own.

Several gateway apps over one database stand for several gateway processes: a credential is
issued by one, the change is made on another, and every one of them must refuse the old
credential on the very next request (no bound: nothing is remembered between requests)."""

import pytest
from sqlalchemy import select, update

from gateway import auth
from gateway.adapters.orm import Account, WebSession
from gateway.app import create_app
from gateway.auth import hash_password, utcnow
from gateway.bootstrap import runtime

PASSWORD = "Staff#2026pw"


def login(client, username, password=PASSWORD, agent="pytest-client/1.0", **extra):
    return client.post(
        "/api/v1/auth/login", json={"username": username, "password": password, **extra}, headers={"User-Agent": agent}
    )


def add_account(username, role="grassroots", union_id=1, district_id=1):
    with runtime.sessions() as session:
        account = Account(
            username=username,
            display_name=username,
            password_hash=hash_password(PASSWORD),
            role=role,
            union_id=union_id if role == "grassroots" else None,
            district_id=district_id if role != "centre" else None,
            active=True,
            created_at=utcnow(),
            password_changed_at=utcnow(),
        )
        session.add(account)
        session.commit()
        return account.id


@pytest.fixture
def processes(gateway):
    """Three gateway 'processes' over the same database; the first is the fixture's app."""
    apps = [gateway] + [create_app() for _ in range(2)]
    for app in apps[1:]:
        app.testing = True
    return apps


def credentials(processes, username):
    """A bearer token and a browser cookie for `username`, each issued by a different process,
    both shown to work on every process."""
    token = login(processes[0].test_client(), username).get_json()["access_token"]
    browser = processes[1].test_client()
    answer = login(browser, username, session=True)
    sid = browser.get_cookie(auth.SESSION_COOKIE).value
    for app in processes:
        client = app.test_client()
        assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        client.set_cookie(auth.SESSION_COOKIE, sid)
        assert client.get("/api/v1/auth/me").status_code == 200
    return token, sid, answer.get_json()["csrf_token"]


def assert_all_ended(processes, token, sid):
    for app in processes:
        client = app.test_client()
        bearer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert bearer.status_code == 401 and bearer.get_json()["error"]["code"] == "TOKEN_REVOKED"
        client.set_cookie(auth.SESSION_COOKIE, sid)
        assert client.get("/api/v1/auth/me").status_code == 401
        assert client.get("/").status_code == 302  # the pages send it back to /login


def centre_headers(app):
    token = app.test_client().post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"})
    return {"Authorization": "Bearer " + token.get_json()["access_token"]}


@pytest.mark.parametrize(
    "cause, change",
    [
        ("reset by the centre", {"password": "Reset#2026pw-new"}),
        ("disabled", {"active": False}),
        ("role changed", {"role": "centre"}),
    ],
)
def test_a_centre_change_ends_every_token_and_cookie_on_every_process(processes, cause, change):
    account_id = add_account("clerk")
    token, sid, _ = credentials(processes, "clerk")
    other = add_account("bystander")
    their_token, _their_sid, _ = credentials(processes, "bystander")
    third = processes[2]
    answer = third.test_client().patch(f"/api/v1/accounts/{account_id}", headers=centre_headers(third), json=change)
    assert answer.status_code == 200, (cause, answer.get_json())
    assert_all_ended(processes, token, sid)
    # another account's sessions are untouched
    assert (
        processes[0]
        .test_client()
        .get("/api/v1/auth/me", headers={"Authorization": f"Bearer {their_token}"})
        .status_code
        == 200
    )
    assert other


def test_a_rename_or_an_unchanged_scope_ends_nothing(processes):
    account_id = add_account("clerk")
    token, _sid, _ = credentials(processes, "clerk")
    centre = centre_headers(processes[2])
    client = processes[2].test_client()
    assert (
        client.patch(f"/api/v1/accounts/{account_id}", headers=centre, json={"display_name": "新名字"}).status_code
        == 200
    )
    assert client.patch(f"/api/v1/accounts/{account_id}", headers=centre, json={"active": True}).status_code == 200
    me = processes[0].test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["account"]["display_name"] == "新名字"


def test_changing_ones_own_password_ends_every_session_including_this_one(processes):
    add_account("clerk")
    token, sid, _ = credentials(processes, "clerk")
    client = processes[2].test_client()
    mine = {"Authorization": "Bearer " + login(client, "clerk").get_json()["access_token"]}
    wrong = client.post(
        "/api/v1/auth/password", headers=mine, json={"current_password": "nope", "new_password": "Brand#2026pw-new"}
    )
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["error"]["fields"]
    weak = client.post(
        "/api/v1/auth/password", headers=mine, json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 422 and "new_password" in weak.get_json()["error"]["fields"]
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 200  # refusals end nothing
    ok = client.post(
        "/api/v1/auth/password", headers=mine, json={"current_password": PASSWORD, "new_password": "Brand#2026pw-new"}
    )
    assert ok.status_code == 200
    assert_all_ended(processes, token, sid)
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 401
    assert login(client, "clerk").status_code == 401
    assert login(client, "clerk", "Brand#2026pw-new").status_code == 200


def test_a_login_racing_a_change_is_born_dead(processes):
    """A login that read the account before the change committed writes its session with the old
    epoch; once the change commits, that session is refused although its row survived."""
    account_id = add_account("clerk")
    with runtime.sessions() as session:
        account = session.get(Account, account_id)
        early = auth.start_web_session(session, account)  # the racing login, epoch read before
        session.commit()
        sid = early.id
    with runtime.sessions() as session:
        # the change commits; the racing login's row lands after its DELETE (so it survives)
        session.execute(update(Account).where(Account.id == account_id).values(session_epoch=Account.session_epoch + 1))
        session.commit()
    with runtime.sessions() as session:
        assert session.get(WebSession, sid) is not None
    for app in processes:
        client = app.test_client()
        client.set_cookie(auth.SESSION_COOKIE, sid)
        assert client.get("/api/v1/auth/me").status_code == 401


# ------------------------------------------------------------------ 登录设备 / 会话管理
def test_a_person_lists_their_sessions_and_ends_one_or_all_others(processes):
    add_account("clerk")
    add_account("someone")
    phone, laptop = processes[0].test_client(), processes[1].test_client()
    answer = login(laptop, "clerk", session=True, agent="Mozilla/5.0 Laptop")
    csrf = answer.get_json()["csrf_token"]
    api_token = login(phone, "clerk", agent="curl/8.0").get_json()["access_token"]
    third = login(processes[2].test_client(), "clerk", agent="Tablet/1.0").get_json()["access_token"]
    their_token = login(phone, "someone").get_json()["access_token"]

    listed = laptop.get("/api/v1/auth/sessions")
    assert listed.status_code == 200
    rows = listed.get_json()
    assert len(rows) == 3 and rows[0]["current"] and rows[0]["kind"] == "cookie"
    assert rows[0]["user_agent"] == "Mozilla/5.0 Laptop" and not any(r["current"] for r in rows[1:])
    assert {r["user_agent"] for r in rows} == {"Mozilla/5.0 Laptop", "curl/8.0", "Tablet/1.0"}
    # one rule for every answer: ISO 8601 in Asia/Shanghai with its offset (decision 0015)
    assert all(r["created_at"].endswith("+08:00") and r["last_seen_at"].endswith("+08:00") for r in rows)
    with runtime.sessions() as session:  # the handle is not the credential
        ids = set(session.scalars(select(WebSession.id)))
    assert not ids & {r["id"] for r in rows}

    # changes need the CSRF token like every page
    tablet = next(r for r in rows if r["user_agent"] == "Tablet/1.0")
    assert laptop.delete(f"/api/v1/auth/sessions/{tablet['id']}").status_code == 403
    assert laptop.delete(f"/api/v1/auth/sessions/{tablet['id']}", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert phone.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {third}"}).status_code == 401

    # someone else's session and one that never existed: the same 404
    theirs = phone.get("/api/v1/auth/sessions", headers={"Authorization": f"Bearer {their_token}"}).get_json()[0]["id"]
    foreign = laptop.delete(f"/api/v1/auth/sessions/{theirs}", headers={"X-CSRF-Token": csrf})
    missing = laptop.delete(f"/api/v1/auth/sessions/{'0' * 32}", headers={"X-CSRF-Token": csrf})
    assert foreign.status_code == missing.status_code == 404 and foreign.get_json() == missing.get_json()
    assert phone.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {their_token}"}).status_code == 200

    ended = laptop.post("/api/v1/auth/sessions/end-others", headers={"X-CSRF-Token": csrf})
    assert ended.status_code == 200 and ended.get_json() == {"ended": 1}
    assert phone.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {api_token}"}).status_code == 401
    assert [r["current"] for r in laptop.get("/api/v1/auth/sessions").get_json()] == [True]
    assert phone.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {their_token}"}).status_code == 200

    # ending the current session is a logout
    mine = laptop.get("/api/v1/auth/sessions").get_json()[0]["id"]
    assert laptop.delete(f"/api/v1/auth/sessions/{mine}", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert laptop.get("/api/v1/auth/me").status_code == 401


def test_the_sessions_page_is_in_the_account_menu(processes):
    add_account("clerk")
    browser = processes[0].test_client()
    login(browser, "clerk", session=True)
    home = browser.get("/").get_data(as_text=True)
    assert 'href="/account/sessions"' in home and "登录设备" in home
    page = browser.get("/account/sessions")
    assert page.status_code == 200 and "登录设备" in page.get_data(as_text=True)
    assert processes[1].test_client().get("/account/sessions").status_code == 302


def test_guessing_the_current_password_is_throttled_like_a_login(processes):
    add_account("clerk")
    client = processes[0].test_client()
    mine = {"Authorization": "Bearer " + login(client, "clerk").get_json()["access_token"]}
    for _ in range(5):
        guess = client.post(
            "/api/v1/auth/password",
            headers=mine,
            json={"current_password": "guess-0000", "new_password": "Brand#2026pw-new"},
        )
        assert guess.status_code == 422 and guess.get_json()["error"]["code"] == "PASSWORD_WRONG"
    right = client.post(
        "/api/v1/auth/password", headers=mine, json={"current_password": PASSWORD, "new_password": "Brand#2026pw-new"}
    )
    assert right.status_code == 429 and right.get_json()["error"]["code"] == "LOGIN_THROTTLED"
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 200  # nothing changed
