"""What the gateway no longer does per request keeps every rule it enforced
(docs/decisions/0048-request-cost.md): a bearer token's checked signature is remembered, its
session never is — a logout, an ended session or a disabled account is refused on the very next
request, on every process; a remembered token still expires at its `exp`; a forged one is never
taken for a remembered one; the session's last-seen stamp is still written."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import select, update

from gateway import auth
from gateway.adapters.orm import Account, WebSession
from gateway.bootstrap import runtime
from tests.services.gateway.test_sessions import add_account, login, processes  # noqa: F401 - a fixture

ME = "/api/v1/auth/me"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _token(app, username: str) -> str:
    return login(app.test_client(), username).get_json()["access_token"]


def test_a_remembered_token_is_refused_right_after_its_session_ends(processes):
    add_account("clerk1")
    token = _token(processes[0], "clerk1")
    for app in processes:  # checked, and remembered, on every process
        assert app.test_client().get(ME, headers=_bearer(token)).status_code == 200
    assert processes[2].test_client().post("/api/v1/auth/logout", headers=_bearer(token)).status_code in (200, 204)
    for app in processes:
        refused = app.test_client().get(ME, headers=_bearer(token))
        assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "TOKEN_REVOKED"


def test_a_remembered_token_of_a_disabled_account_is_refused_at_once(processes):
    add_account("clerk2")
    token = _token(processes[0], "clerk2")
    assert processes[1].test_client().get(ME, headers=_bearer(token)).status_code == 200
    with runtime.sessions() as session:  # disabled by another process: the row says so
        session.execute(update(Account).where(Account.username == "clerk2").values(active=False))
        session.commit()
    refused = processes[1].test_client().get(ME, headers=_bearer(token))
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "TOKEN_REVOKED"


def test_a_remembered_token_still_expires_at_its_exp(gateway):
    add_account("clerk3")
    issued = jwt.decode(
        _token(gateway, "clerk3"), auth.gateway_secret(), algorithms=["HS256"], audience="union-gateway"
    )
    moment = datetime.now(UTC)
    short = jwt.encode(
        {**issued, "iat": moment, "exp": moment + timedelta(seconds=1)}, auth.gateway_secret(), algorithm="HS256"
    )
    client = gateway.test_client()
    assert client.get(ME, headers=_bearer(short)).status_code == 200  # checked once, remembered
    while datetime.now(UTC) <= moment + timedelta(seconds=1.1):  # past its exp (whole seconds)
        time.sleep(0.1)
    expired = client.get(ME, headers=_bearer(short))
    assert expired.status_code == 401 and expired.get_json()["error"]["code"] == "TOKEN_EXPIRED"


def test_a_token_signed_with_another_key_is_never_taken_for_a_remembered_one(gateway):
    add_account("clerk4")
    token = _token(gateway, "clerk4")
    client = gateway.test_client()
    assert client.get(ME, headers=_bearer(token)).status_code == 200
    claims = jwt.decode(token, auth.gateway_secret(), algorithms=["HS256"], audience="union-gateway")
    forged = jwt.encode(claims, "not-the-gateway-key-0123456789abcdef", algorithm="HS256")
    refused = client.get(ME, headers=_bearer(forged))
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "TOKEN_INVALID"


def test_the_last_seen_stamp_is_still_written(gateway):
    add_account("clerk5")
    token = _token(gateway, "clerk5")
    with runtime.sessions() as session:
        session.execute(update(WebSession).values(last_seen_at=auth.utcnow() - timedelta(hours=1)))
        session.commit()
    assert gateway.test_client().get(ME, headers=_bearer(token)).status_code == 200
    with runtime.sessions() as session:
        seen = session.scalar(
            select(WebSession.last_seen_at)
            .join(Account, Account.id == WebSession.account_id)
            .where(Account.username == "clerk5")
        )
    assert auth.utcnow() - seen < timedelta(minutes=1)


def test_a_session_read_on_a_dropped_connection_is_told_to_retry_then_served(gateway):
    """The session read's own pool (autocommit, the driver's cursor): a connection the database
    dropped answers 503 in words once, is discarded, and the next request is served."""
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    add_account("clerk5")
    client = gateway.test_client()
    token = _token(gateway, "clerk5")
    assert client.get(ME, headers=_bearer(token)).status_code == 200
    reader, _ = auth._reader(runtime.engine)
    with reader.connect() as conn:  # the pool holds one connection: this is it
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    dropped = client.get(ME, headers=_bearer(token))
    assert dropped.status_code == 503, dropped.get_json()
    assert dropped.get_json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert client.get(ME, headers=_bearer(token)).status_code == 200
