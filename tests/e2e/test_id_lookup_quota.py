"""The daily quota on ID lookups through the gateway, every process real (issue 14 item 6): a
grassroots union's dry run past its allowance is answered 429 with the quota's code and words, no
job is made; the 操作日志 records the refusal in words; the centre reads the count per union per day
(GET /api/v1/members/id-lookups) and the 操作日志 page shows it; a union or a district may not."""

from __future__ import annotations

import pytest

from tests.season import xlsx
from tests.services.members.roster_helpers import rid

API = "/api/v1/members"


@pytest.fixture(scope="module")
def system():
    """The system with a tiny allowance: 3 rows a day whatever the roster."""
    from tests.system import System

    running = System(extra_env={"ID_LOOKUP_PER_MEMBER": "0", "ID_LOOKUP_FLOOR": "3"}).start()
    yield running
    running.stop()


def sync(session, rows, dry_run=True):
    data = xlsx([["姓名", "证件号码"], *rows])
    return session.post(
        f"{API}/uploads/sync",
        files={"file": ("roster.xlsx", data, "application/octet-stream")},
        data={"dry_run": "true"} if dry_run else None,
    )


def test_past_the_allowance_a_sync_is_refused_and_the_centre_sees_it(system):
    g1, centre = system.login("grassroots1"), system.login("centre")
    union_id = g1.account["union_id"]
    first = sync(g1, [["查无此人", rid(901, birth="19800101")], ["查无此人", rid(902, birth="19800101")]])
    assert first.status_code == 202, first.text
    system.wait_for(
        lambda: g1.get(f"{API}/uploads/{first.json()['id']}").json()["state"] != "running", message="the first dry run"
    )
    jobs_before = g1.get(f"{API}/uploads", params={"kind": "sync"}).json()["total"]

    refused = sync(g1, [["查无此人", rid(903, birth="19800101")], ["查无此人", rid(904, birth="19800101")]])
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "ID_LOOKUP_QUOTA_EXCEEDED" and (error["used"], error["allowance"]) == (2, 3)
    assert "今日已查询 2 行" in error["message"] and "0:00（北京时间）" in error["message"]
    assert g1.get(f"{API}/uploads", params={"kind": "sync"}).json()["total"] == jobs_before  # no job

    audit = centre.get("/api/v1/audit", params={"username": "grassroots1"}).json()["items"]
    record = next(r for r in audit if r["action"] == "POST /api/v1/members/uploads/sync" and r["status"] == 429)
    assert record["outcome"] == "refused" and record["detail"] == "超出每日证件号码查询额度，未做任何处理"

    seen = centre.get(f"{API}/id-lookups", params={"union_id": union_id})
    assert seen.status_code == 200, seen.text
    [day] = seen.json()["items"]
    assert (day["rows"], day["runs"], day["allowance"], day["refusals"], day["refused_rows"]) == (2, 1, 3, 1, 2)
    for who in ("grassroots1", "district"):
        denied = system.login(who).get(f"{API}/id-lookups")
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "FORBIDDEN", who


def test_the_audit_page_carries_the_lookup_section_for_the_centre_alone(system):
    page = system.login("centre").http.get(system.base + "/centre/audit", timeout=30)
    assert page.status_code == 200 and "证件号码查询量" in page.text
    # its script is a static file (the pages' CSP allows no inline script)
    script = system.login("centre").http.get(system.base + "/static/pages/centre_audit.js", timeout=30)
    assert "/static/pages/centre_audit.js" in page.text and "/members/id-lookups" in script.text
    assert system.login("district").http.get(system.base + "/centre/audit", timeout=30).status_code == 403
