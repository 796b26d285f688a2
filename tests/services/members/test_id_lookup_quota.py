"""The daily quota on ID lookups (issue 14 item 6, issue 23 item 2), on PostgreSQL: a sync (预检
included), a transfer-in list, an import, a card list, one member added or one card recorded past
the union's allowance is refused with 429 before any lookup, nothing is applied, and the centre —
only the centre — sees per union per day what was looked up and refused."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete

from common import clock
from common.identity import Identity
from services.members.adapters.orm import IdLookupDay
from services.members.handlers import uploads
from tests.services.members.roster_helpers import (
    IMPORT_HEADER,
    add,
    import_row,
    member_form,
    rid,
    setup,
    upload,
    wait_job,
    xlsx,
)
from tests.services.members.test_uploads import SYNC_FILE
from tests.services.members.test_uploads import sync_world as built_world

TODAY = datetime(2026, 12, 3, 10, 0)


@pytest.fixture
def small_quota(monkeypatch):
    """Allowance = max(1 × roster, 6) rows a day; the business clock on a fixed Shanghai day."""
    monkeypatch.setenv("ID_LOOKUP_PER_MEMBER", "1")
    monkeypatch.setenv("ID_LOOKUP_FLOOR", "6")
    clock.set_now(TODAY)
    yield
    clock.set_now(None)


def forget_lookups(members) -> None:
    """The world's own additions looked numbers up too (新增会员 counts); each test counts from here."""
    with members.runtime.uow() as work:
        work.session.execute(delete(IdLookupDay))
        work.commit()


def sync_world(members):
    s, m = built_world(members)
    forget_lookups(members)
    return s, m


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
        "2026-12-03",
        s["u1"],
        "测试1公司工会",
        "黄浦区总工会",
    )
    assert (day["rows"], day["runs"], day["allowance"], day["refusals"], day["refused_rows"]) == (4, 1, 6, 1, 4)
    assert day["last_at"].endswith("+08:00")

    # the allowance is per Shanghai day: tomorrow the same sync runs and is counted on its own day
    clock.set_now(TODAY + timedelta(days=1))
    applied = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(SYNC_FILE)).get_json()["id"])
    assert applied["state"] == "succeeded" and applied["counts"]["A"] == 2
    assert [(d["day"], d["rows"], d["refusals"]) for d in lookups(members)["items"]] == [
        ("2026-12-04", 4, 0),
        ("2026-12-03", 4, 1),
    ]
    assert [d["day"] for d in lookups(members, refused="true")["items"]] == ["2026-12-03"]
    assert lookups(members, day_from="2026-12-04", union_id=s["u1"])["total"] == 1


def test_a_sync_refused_for_its_rows_counts_and_a_busy_one_does_not(service, small_quota):
    members = service("members")
    s, _ = sync_world(members)
    wrong = [*SYNC_FILE, ["张一", rid(77)]]  # 5 rows, one not in the system: refused, but it answered
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
    s, _m = sync_world(members)
    add(s["g3"], 8)  # another district's union: its roster is not u1's allowance
    people = xlsx([["姓名", "证件号码"], ["会员3", rid(3)], ["会员6", rid(6)], ["会员8", rid(8)]])
    first = upload(s["g1"], "/uploads/transfer-in", people)
    assert first.status_code == 200 and first.get_json()["moved"] == 1  # 3 rows of 6
    upload(s["g1"], "/uploads/transfer-in", xlsx([["姓名", "证件号码"], ["某人", rid(90)]]))  # refused for its row: 4
    again = upload(
        s["g1"],
        "/uploads/transfer-in",
        xlsx([["姓名", "证件号码"], ["会员8", rid(8)], ["会员9", rid(9)], ["会员10", rid(10)]]),
    )
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
    for query, status in (
        ({"union_id": 2**62}, 422),
        ({"union_id": -1}, 200),
        ({"page": 1_000_000}, 200),
        ({"day_from": "2026-12-31", "day_to": "2026-01-01"}, 200),
        ({"day_from": "0001-01-01"}, 200),
        ({"day_from": "2026-13-01"}, 422),
        ({"refused": "maybe"}, 422),
        ({"per_page": 0}, 422),
    ):
        response = centre.get("/id-lookups", query_string=query)
        assert response.status_code == status, (query, response.get_json())


def test_every_path_that_tells_whether_a_number_is_registered_counts(service, small_quota):
    """Issue 23 item 2: an import's 已在其他工会登记, 新增会员's 409 MEMBER_IN_OTHER_UNION, a card's
    409 CARD_TAKEN and a card list's 该卡号已登记给其他会员 each tell whether a number is registered
    somewhere: each counts, and past the allowance each is refused whole with 429."""
    members = service("members")
    s = setup(members)
    stranger = add(s["g3"], 1)  # another district's member, with a card
    card = {"card_number": "6222000000000001", "issued_on": "2026-01-01"}
    assert members.as_("centre").put(f"/members/{stranger['id']}/card", json=card).status_code == 200
    mine = add(s["g1"], 2)
    forget_lookups(members)
    g1 = s["g1"]

    added = g1.post("/members", json=member_form(1))
    assert added.status_code == 409 and added.get_json()["error"]["code"] == "MEMBER_IN_OTHER_UNION"
    imported = upload(g1, "/uploads/import", xlsx([IMPORT_HEADER, import_row(1), import_row(3)]))
    assert imported.status_code == 422 and "已在其他工会登记" in str(imported.get_json())
    taken = g1.put(f"/members/{mine['id']}/card", json=card)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "CARD_TAKEN"
    listed = upload(
        g1, "/uploads/cards", xlsx([["证件号码", "卡号", "办卡日期"], [rid(2), card["card_number"], "2026-01-01"]])
    )
    assert listed.status_code == 422 and "已登记给其他会员" in str(listed.get_json())
    day = lookups(members)["items"][0]
    assert (day["union_id"], day["rows"], day["runs"], day["refusals"]) == (s["u1"], 5, 4, 0)

    # one row left of max(1 × 1 member, 6): a two-row import is refused whole, and tells nothing
    again = upload(g1, "/uploads/import", xlsx([IMPORT_HEADER, import_row(1), import_row(3)]))
    assert again.status_code == 429 and again.get_json()["error"]["code"] == "ID_LOOKUP_QUOTA_EXCEEDED"
    assert "已在其他工会" not in str(again.get_json())
    assert g1.post("/members", json=member_form(4)).status_code == 201  # the last row: a new person
    refused = [
        g1.post("/members", json=member_form(1)),
        g1.post("/members", json=member_form(5)),
        g1.put(f"/members/{mine['id']}/card", json=card),
        upload(
            g1, "/uploads/cards", xlsx([["证件号码", "卡号", "办卡日期"], [rid(2), "6222000000000002", "2026-01-01"]])
        ),
    ]
    for response in refused:
        assert response.status_code == 429 and response.get_json()["error"]["code"] == "ID_LOOKUP_QUOTA_EXCEEDED"
    assert g1.get("/members").get_json()["total"] == 2  # mine and the one added: nothing else
    assert g1.get(f"/members/{mine['id']}").get_json()["card_number"] is None
    day = lookups(members)["items"][0]
    assert (day["rows"], day["runs"], day["refusals"], day["refused_rows"]) == (6, 5, 5, 6)
    # the centre's own lookups are not a union's: not counted, never refused
    centre_card = members.as_("centre").put(f"/members/{mine['id']}/card", json=card)
    assert centre_card.status_code == 409 and centre_card.get_json()["error"]["code"] == "CARD_TAKEN"
    assert lookups(members)["total"] == 1


def test_correcting_a_returned_members_number_counts(service, small_quota):
    members = service("members")
    s = setup(members)
    add(s["g3"], 1)
    mine = add(s["g1"], 2)
    reject = s["dist1"].post("/members/rejections", json={"member_ids": [mine["id"]], "reason": "证件号码有误"})
    assert reject.status_code == 200, reject.get_json()
    forget_lookups(members)
    corrected = s["g1"].patch(f"/members/{mine['id']}", json={"id_number": rid(1)})
    assert corrected.status_code == 422 and "已登记" in str(corrected.get_json())
    assert lookups(members)["items"][0]["rows"] == 1
