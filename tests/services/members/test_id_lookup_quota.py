"""The daily quota on ID lookups (issue 14 item 6), on PostgreSQL: a sync (预检 included) or a
transfer-in list past the union's allowance is refused with 429 before any lookup, nothing is
applied, and the centre — only the centre — sees per union per day what was looked up and refused."""
from datetime import datetime, timedelta

import pytest

from common import clock
from common.identity import Identity
from services.members.handlers import uploads
from tests.services.members.roster_helpers import add, rid, upload, wait_job, xlsx
from tests.services.members.test_uploads import SYNC_FILE, sync_world

TODAY = datetime(2026, 12, 3, 10, 0)


@pytest.fixture
def small_quota(monkeypatch):
    """Allowance = max(1 × roster, 6) rows a day; the business clock on a fixed Shanghai day."""
    monkeypatch.setenv("ID_LOOKUP_PER_MEMBER", "1")
    monkeypatch.setenv("ID_LOOKUP_FLOOR", "6")
    clock.set_now(TODAY)
    yield
    clock.set_now(None)


def lookups(members, **query):
    response = members.as_("centre").get("/id-lookups", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_sync_past_the_allowance_is_refused_429_and_nothing_is_applied(service, small_quota):
    members = service("members")
    s, m = sync_world(members)  # u1: 4 members → allowance max(4, 6) = 6 rows
    preview = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(SYNC_FILE), dry_run="true").get_json()["id"])
    assert preview["state"] == "succeeded"  # 4 rows looked up: a dry run answers the oracle too
    outbox_before = members.outbox()

    refused = upload(s["g1"], "/uploads/sync", xlsx(SYNC_FILE))
    assert refused.status_code == 429, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "ID_LOOKUP_QUOTA_EXCEEDED"
    assert (error["used"], error["asked"], error["allowance"], error["resets_on"]) == (4, 4, 6, "2026-12-04")
    assert "今日已查询 4 行" in error["message"] and "每日额度 6 行" in error["message"]
    assert "12月4日 0:00" in error["message"]
    # nothing applied: no job, no event, no member moved or marked, no transfer asked for
    assert members.outbox() == outbox_before
    assert s["g1"].get("/uploads?kind=sync").get_json()["total"] == 1
    assert s["g1"].get("/members?synced=true").get_json()["total"] == 0
    assert members.as_("centre").get(f"/members/{m['B3']['id']}").get_json()["union_id"] is None
    assert s["g2"].get("/transfer-requests?direction=out").get_json()["total"] == 0

    seen = lookups(members)
    assert seen["total"] == 1
    day = seen["items"][0]
    assert (day["day"], day["union_id"], day["union_name"], day["district_name"]) == (
        "2026-12-03", s["u1"], "测试1公司工会", "黄浦区总工会")
    assert (day["rows"], day["runs"], day["allowance"], day["refusals"], day["refused_rows"]) == (4, 1, 6, 1, 4)
    assert day["last_at"].endswith("+08:00")

    # the allowance is per Shanghai day: tomorrow the same sync runs and is counted on its own day
    clock.set_now(TODAY + timedelta(days=1))
    applied = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(SYNC_FILE)).get_json()["id"])
    assert applied["state"] == "succeeded" and applied["counts"]["A"] == 2
    assert [(d["day"], d["rows"], d["refusals"]) for d in lookups(members)["items"]] == [
        ("2026-12-04", 4, 0), ("2026-12-03", 4, 1)]
    assert [d["day"] for d in lookups(members, refused="true")["items"]] == ["2026-12-03"]
    assert lookups(members, day_from="2026-12-04", union_id=s["u1"])["total"] == 1


def test_a_sync_refused_for_its_rows_counts_and_a_busy_one_does_not(service, small_quota):
    members = service("members")
    s, _ = sync_world(members)
    wrong = SYNC_FILE + [["张一", rid(77)]]  # 5 rows, one not in the system: refused, but it answered
    job = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(wrong)).get_json()["id"])
    assert job["state"] == "failed" and job["error_count"] == 1
    assert lookups(members)["items"][0]["rows"] == 5
    # another upload of the union still running: 409, and the rows were not counted
    who = Identity(user="u", role="grassroots", union_id=s["u1"], district_id=s["d1"])
    with members.runtime.uow() as work:
        running = uploads.start_upload(work, who, "sync")
    busy = upload(s["g1"], "/uploads/sync", xlsx([["姓名", "证件号码"], ["会员1", rid(1)]]))
    assert busy.status_code == 409
    assert lookups(members)["items"][0]["rows"] == 5
    with members.runtime.uow() as work:
        uploads.finish_upload(work, running, True)
    # one row left today: a one-row file passes, a two-row file is refused whole
    assert upload(s["g1"], "/uploads/sync", xlsx(SYNC_FILE[:3]), dry_run="true").status_code == 429
    one = upload(s["g1"], "/uploads/sync", xlsx(SYNC_FILE[:2]), dry_run="true")
    assert one.status_code == 202
    wait_job(s["g1"], one.get_json()["id"])
    day = lookups(members)["items"][0]
    assert (day["rows"], day["runs"], day["refusals"], day["refused_rows"]) == (6, 2, 1, 2)


def test_a_transfer_in_list_past_the_allowance_is_refused_429_and_moves_no_one(service, small_quota):
    members = service("members")
    s, m = sync_world(members)
    add(s["g3"], 8)  # another district's union: its roster is not u1's allowance
    people = xlsx([["姓名", "证件号码"], ["会员3", rid(3)], ["会员6", rid(6)], ["会员8", rid(8)]])
    first = upload(s["g1"], "/uploads/transfer-in", people)
    assert first.status_code == 200 and first.get_json()["moved"] == 1  # 3 rows of 6
    upload(s["g1"], "/uploads/transfer-in", xlsx([["姓名", "证件号码"], ["某人", rid(90)]]))  # refused for its row: 4
    again = upload(s["g1"], "/uploads/transfer-in", xlsx([["姓名", "证件号码"], ["会员8", rid(8)],
                                                          ["会员9", rid(9)], ["会员10", rid(10)]]))
    assert again.status_code == 429 and again.get_json()["error"]["code"] == "ID_LOOKUP_QUOTA_EXCEEDED"
    assert again.get_json()["error"]["allowance"] == 6  # u1 has 5 members now (B3 moved in): the floor
    # nothing moved or asked for beyond the first list; the refused job is in the history, why and all
    assert s["g3"].get("/transfer-requests?direction=out").get_json()["total"] == 1
    history = s["g1"].get("/uploads?kind=transfer_in").get_json()["items"]
    assert history[0]["state"] == "failed" and "证件号码查询额度" in history[0]["message"]
    day = lookups(members)["items"][0]
    assert (day["rows"], day["runs"], day["refusals"], day["refused_rows"]) == (4, 2, 1, 3)


@pytest.mark.parametrize("role", ["grassroots", "district"])
def test_only_the_centre_reads_the_lookups(service, role):
    members = service("members")
    s, _ = sync_world(members)
    caller = s["g1"] if role == "grassroots" else s["dist1"]
    response = caller.get("/id-lookups")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "FORBIDDEN"
    spec = members.as_("centre").get("/openapi.json").get_json()
    assert spec["paths"]["/id-lookups"]["get"]["x-roles"] == ["centre"]  # what the gateway enforces


def test_odd_queries_answer_200_or_422_never_500(service):
    members = service("members")
    centre = members.as_("centre")
    for query, status in (({"union_id": 2**62}, 422), ({"union_id": -1}, 200), ({"page": 1_000_000}, 200),
                          ({"day_from": "2026-12-31", "day_to": "2026-01-01"}, 200), ({"day_from": "0001-01-01"}, 200),
                          ({"day_from": "2026-13-01"}, 422), ({"refused": "maybe"}, 422), ({"per_page": 0}, 422)):
        response = centre.get("/id-lookups", query_string=query)
        assert response.status_code == status, (query, response.get_json())
