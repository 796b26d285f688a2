"""Issue 23 items 5a and 6: bodies a user can send never make a 500. A 27 MB body to either login
answers 413 like every other path, and its audit record is kept; a JSON or form body has a small
limit of its own (256 KB), refused before any of it is parsed, at the gateway and at each service."""

import json

from sqlalchemy import select

from common.web import MAX_SMALL_BODY_BYTES
from gateway.adapters.orm import AuditRecord
from gateway.bootstrap import runtime

HUGE = 27 * 1024 * 1024


def audit_rows():
    with runtime.sessions() as session:
        return [
            (r.username, r.action, r.status, r.outcome)
            for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id))
        ]


def test_a_27_mb_login_is_413_and_audited(gateway):
    client = gateway.test_client()
    body = json.dumps({"username": "boss", "password": "x" * HUGE}).encode()
    api = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "REQUEST_TOO_LARGE"
    assert "256 KB" in api.get_json()["error"]["message"]
    page = client.post(
        "/login", data=b"username=boss&password=" + b"x" * HUGE, content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 413
    assert audit_rows() == [(None, "POST /api/v1/auth/login", 413, "refused"), (None, "POST /login", 413, "refused")]


def test_a_login_body_just_under_the_limit_is_read_and_its_name_audited(gateway):
    client = gateway.test_client()
    body = {"username": "boss", "password": "x" * (MAX_SMALL_BODY_BYTES - 100)}
    assert client.post("/api/v1/auth/login", json=body).status_code == 422  # too long a password
    assert audit_rows() == [("boss", "POST /api/v1/auth/login", 422, "refused")]


def test_a_large_json_body_is_refused_before_it_is_parsed_or_forwarded(gateway):
    client = gateway.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    big = json.dumps({"member_ids": list(range(60_000))})  # ~400 KB of JSON
    assert len(big) > MAX_SMALL_BODY_BYTES
    # no members service runs here: the gateway refuses it before forwarding
    response = client.post(
        "/api/v1/members/members/removals", data=big, content_type="application/json", headers=headers
    )
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "REQUEST_TOO_LARGE"
    own = client.post("/api/v1/accounts", data=big, content_type="application/json", headers=headers)
    assert own.status_code == 413
