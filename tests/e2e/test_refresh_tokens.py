"""Refresh tokens through the real gateway and members processes (docs/decisions/0037): with a
2-second access token a client keeps working on its refresh token, never its password, past many
access tokens; a spent refresh token shown again ends the session for everyone holding it."""

from __future__ import annotations

import time

import pytest
import requests


@pytest.fixture(scope="module")
def system():
    from tests.system import System

    running = System(extra_env={"TOKEN_TTL_SECONDS": "2"}).start()
    yield running
    running.stop()


def test_a_client_works_past_its_access_tokens_on_refresh_alone(system):
    clerk = system.login("grassroots1")
    first_refresh = clerk.refresh_token
    assert first_refresh
    for _ in range(3):
        answer = clerk.get("/api/v1/members/members")  # through the gateway to the members service
        assert answer.status_code == 200, answer.text
        time.sleep(2.5)  # the access token expires in between
    assert clerk.get("/api/v1/members/members").status_code == 200
    assert clerk.refreshes >= 3 and clerk.refresh_token != first_refresh

    # the first refresh token was spent long ago: showing it again ends the whole session
    reused = requests.post(system.base + "/api/v1/auth/refresh", json={"refresh_token": first_refresh}, timeout=30)
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "REFRESH_REUSED"
    assert clerk.get("/api/v1/members/members").status_code == 401
    renewed = requests.post(
        system.base + "/api/v1/auth/refresh", json={"refresh_token": clerk.refresh_token}, timeout=30
    )
    assert renewed.status_code == 401 and renewed.json()["error"]["code"] == "REFRESH_INVALID"


def test_logout_ends_the_refresh_token_too(system):
    clerk = system.login("grassroots1")
    assert clerk.post("/api/v1/auth/logout").status_code == 200
    answer = requests.post(
        system.base + "/api/v1/auth/refresh", json={"refresh_token": clerk.refresh_token}, timeout=30
    )
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "REFRESH_INVALID"
