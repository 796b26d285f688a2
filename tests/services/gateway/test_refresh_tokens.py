"""Refresh tokens (docs/decisions/0037-refresh-tokens.md): an API login's refresh token renews its
access token without the password, rotates on every use, ends the whole session when a spent one
is shown again, and ends with its session by every way a session ends (decision 0017)."""

from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select, update

from gateway import auth
from gateway.adapters.orm import Account, AuditRecord, RefreshToken, WebSession
from gateway.bootstrap import runtime
from tests.services.gateway.test_sessions import PASSWORD, add_account, centre_headers, login, processes  # noqa: F401

REFRESH = "/api/v1/auth/refresh"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def api_login(client, username="clerk"):
    answer = login(client, username)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def refreshed(client, refresh_token, **headers):
    return client.post(REFRESH, json={"refresh_token": refresh_token}, headers=headers)


def code(answer):
    return answer.get_json()["error"]["code"]


def works(client, access_token):
    return client.get("/api/v1/auth/me", headers=bearer(access_token)).status_code == 200


def test_login_gives_a_refresh_token_kept_only_as_a_hash(gateway):
    add_account("clerk")
    body = api_login(gateway.test_client())
    assert body["refresh_token"] and body["expires_in"] == 900
    assert body["refresh_expires_in"] == 8 * 3600
    with runtime.sessions() as session:
        stored = session.scalars(select(RefreshToken.token_hash)).all()
    assert len(stored) == 1 and body["refresh_token"] not in stored[0]
    # a browser login gets none: its cookie session is checked on every request already
    assert "refresh_token" not in login(gateway.test_client(), "clerk", session=True).get_json()


def test_a_refresh_rotates_and_works_on_every_process(processes):
    add_account("clerk")
    first = api_login(processes[0].test_client())
    second = refreshed(processes[1].test_client(), first["refresh_token"])
    assert second.status_code == 200, second.get_json()
    pair = second.get_json()
    assert pair["refresh_token"] != first["refresh_token"] and pair["account"]["username"] == "clerk"
    for app in processes:
        assert works(app.test_client(), pair["access_token"])
    # the same session: one row, and the new token keeps rotating
    third = refreshed(processes[2].test_client(), pair["refresh_token"])
    assert third.status_code == 200
    assert (
        jwt.decode(third.get_json()["access_token"], options={"verify_signature": False})["sid"]
        == jwt.decode(first["access_token"], options={"verify_signature": False})["sid"]
    )
    with runtime.sessions() as session:
        assert len(session.scalars(select(WebSession.id)).all()) == 1


def test_an_expired_access_token_in_the_header_does_not_stop_a_refresh(gateway, monkeypatch):
    add_account("clerk")
    monkeypatch.setenv("TOKEN_TTL_SECONDS", "0")
    body = api_login(gateway.test_client())
    client = gateway.test_client()
    expired = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert expired.status_code == 401 and code(expired) == "TOKEN_EXPIRED"
    monkeypatch.setenv("TOKEN_TTL_SECONDS", "900")
    answer = refreshed(client, body["refresh_token"], **bearer(body["access_token"]))
    assert answer.status_code == 200 and works(client, answer.get_json()["access_token"])


def test_reusing_a_spent_refresh_token_ends_the_whole_session(processes):
    add_account("clerk")
    add_account("bystander")
    first = api_login(processes[0].test_client())
    theirs = api_login(processes[0].test_client(), "bystander")
    pair = refreshed(processes[1].test_client(), first["refresh_token"]).get_json()
    reused = refreshed(processes[2].test_client(), first["refresh_token"])
    assert reused.status_code == 401 and code(reused) == "REFRESH_REUSED"
    for app in processes:  # the thief's and the owner's latest pair alike
        client = app.test_client()
        assert not works(client, pair["access_token"])
        assert code(refreshed(client, pair["refresh_token"])) == "REFRESH_INVALID"
    with runtime.sessions() as session:  # the session and its tokens are gone
        assert session.get(WebSession, first_sid(first)) is None
        assert not session.scalars(select(RefreshToken).where(RefreshToken.session_id == first_sid(first))).all()
        rows = session.scalars(select(AuditRecord).where(AuditRecord.username == "clerk")).all()
    assert any(r.action.endswith("/auth/refresh") and r.status == 401 for r in rows)  # 操作日志 names whose
    assert works(processes[0].test_client(), theirs["access_token"])  # another account's is untouched


def first_sid(body):
    return jwt.decode(body["access_token"], options={"verify_signature": False})["sid"]


@pytest.mark.parametrize("token", ["", "x" * 19, "not a token!!" * 3, "A" * 101, "A" * 43])
def test_a_malformed_or_unknown_refresh_token_is_refused_alike(gateway, token):
    answer = refreshed(gateway.test_client(), token)
    assert answer.status_code in (401, 422)
    if answer.status_code == 401:
        assert code(answer) == "REFRESH_INVALID"
    assert gateway.test_client().post(REFRESH, json={}).status_code == 422
    assert gateway.test_client().post(REFRESH, json={"refresh_token": 5}).status_code == 422


def test_the_sessions_absolute_lifetime_bounds_every_refresh(gateway):
    add_account("clerk")
    body = api_login(gateway.test_client())
    with runtime.sessions() as session:  # the session nears its absolute end
        session.execute(update(WebSession).values(expires_at=auth.utcnow() + timedelta(seconds=60)))
        session.commit()
    pair = refreshed(gateway.test_client(), body["refresh_token"]).get_json()
    assert 0 < pair["expires_in"] <= 60 and pair["refresh_expires_in"] <= 60  # never past the end
    with runtime.sessions() as session:
        session.execute(update(WebSession).values(expires_at=auth.utcnow() - timedelta(seconds=1)))
        session.commit()
    ended = refreshed(gateway.test_client(), pair["refresh_token"])
    assert ended.status_code == 401 and code(ended) == "REFRESH_ENDED"


# ------------------------------------------------------------------ every way a session ends
def _end_by_logout(app, account_id, body):
    assert app.test_client().post("/api/v1/auth/logout", headers=bearer(body["access_token"])).status_code == 200


def _end_by_handle(app, account_id, body):
    client = app.test_client()
    handle = client.get("/api/v1/auth/sessions", headers=bearer(body["access_token"])).get_json()[0]["id"]
    assert client.delete(f"/api/v1/auth/sessions/{handle}", headers=bearer(body["access_token"])).status_code == 204


def _end_as_another_session(app, account_id, body):
    other = api_login(app.test_client())
    answer = app.test_client().post("/api/v1/auth/sessions/end-others", headers=bearer(other["access_token"]))
    assert answer.status_code == 200


def _own_password(app, account_id, body):
    answer = app.test_client().post(
        "/api/v1/auth/password",
        headers=bearer(body["access_token"]),
        json={"current_password": PASSWORD, "new_password": "Brand#2026pw-new"},
    )
    assert answer.status_code == 200


def _centre(change):
    def end(app, account_id, body):
        answer = app.test_client().patch(f"/api/v1/accounts/{account_id}", headers=centre_headers(app), json=change)
        assert answer.status_code == 200, answer.get_json()

    return end


@pytest.mark.parametrize(
    "end",
    [
        _end_by_logout,
        _end_by_handle,
        _end_as_another_session,
        _own_password,
        _centre({"password": "Reset#2026pw-new"}),
        _centre({"active": False}),
        _centre({"role": "centre"}),
    ],
    ids=["logout", "ended-by-owner", "end-others", "own-password", "centre-reset", "disabled", "role-changed"],
)
def test_every_way_a_session_ends_ends_its_refresh_token(processes, end):
    account_id = add_account("clerk")
    body = api_login(processes[0].test_client())
    spare = refreshed(processes[1].test_client(), body["refresh_token"]).get_json()  # a rotated one too
    end(processes[2], account_id, spare)
    for app in processes:
        answer = refreshed(app.test_client(), spare["refresh_token"])
        assert answer.status_code == 401 and code(answer) in ("REFRESH_INVALID", "REFRESH_ENDED")
        assert not works(app.test_client(), spare["access_token"])


def test_a_change_racing_a_refresh_leaves_it_dead(gateway):
    """The epoch moved but the row survived (a racing login's case, decision 0017): refused."""
    account_id = add_account("clerk")
    body = api_login(gateway.test_client())
    with runtime.sessions() as session:
        session.execute(update(Account).where(Account.id == account_id).values(session_epoch=Account.session_epoch + 1))
        session.commit()
    answer = refreshed(gateway.test_client(), body["refresh_token"])
    assert answer.status_code == 401 and code(answer) == "REFRESH_ENDED"
