"""A clerk at the pages is not thrown out when an API access token would have expired: the pages
run on the 8-hour cookie session, checked on every request, not on an access token to refresh
(docs/decisions/0037-refresh-tokens.md). Here access tokens live 2 seconds."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def system():
    from tests.system import System

    running = System(extra_env={"TOKEN_TTL_SECONDS": "2"}).start()
    yield running
    running.stop()


def test_the_member_list_keeps_working_past_an_access_tokens_life(system, person):
    api = system.login("grassroots1")
    clerk = person("grassroots1")
    page = clerk.open("/union/members")
    rows = page.locator("#members tbody tr")
    expect(rows.first).to_be_visible()
    time.sleep(3)  # every access token issued so far has expired
    expired = requests.get(
        system.base + "/api/v1/auth/me", headers={"Authorization": api.http.headers["Authorization"]}, timeout=30
    )
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "TOKEN_EXPIRED"
    with page.expect_response(lambda r: "/api/v1/members/members?" in r.url) as answer:
        page.get_by_role("search").get_by_role("button", name="查询").click()  # the page calls the API again
    assert answer.value.status == 200
    expect(rows.first).to_be_visible()
    assert page.url == system.base + "/union/members"  # not sent to /login
    page.reload()
    expect(rows.first).to_be_visible()
    assert page.url == system.base + "/union/members"
