"""A season of enrolment through the gateway with every process real (PostgreSQL, RabbitMQ):
members carded → a grassroots union submits twice (accumulating) → the district returns one
submission, stages the rest and submits → a CB batch with the right numbers, priced by billing;
instant enrolment in both halves of the year; and the scope table: every enrollment endpoint,
every role outside its scope, refused without revealing what exists."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from pypdf import PdfReader

from tests.at_rest import clear_id_numbers
from tests.season import HANDLER, PRICES, TIMELINE, YEAR, ok, resident_id

E, D = "/api/v1/enrollment", "/api/v1/documents"


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


_serial = itertools.count(1)


def carded_member(system, grassroots, district, issued_on: str) -> int:
    serial = next(_serial)
    member = ok(
        grassroots.post(
            "/api/v1/members/members",
            json={
                "name": f"会员{serial}",
                "id_number": resident_id(serial),
                "address": "上海市黄浦区",
                "mobile": f"139{serial:08d}",
                "education": "大学本科",
                "household_type": "非农业",
            },
        ),
        201,
    )
    ok(district.post("/api/v1/members/members/approvals", json={"member_ids": [member["id"]]}))
    ok(
        grassroots.put(
            f"/api/v1/members/members/{member['id']}/card",
            json={"card_number": f"62220200{serial:08d}", "issued_on": issued_on},
        )
    )
    return member["id"]


def wait_listed(system, session, query: str, count: int) -> dict:
    last = {}

    def ready():
        last["body"] = session.get(f"{E}/confirmation?{query}").json()
        return last["body"] if last["body"].get("headcount") == count else None

    try:
        return system.wait_for(ready, timeout=60, message=f"{count} eligible members ({query})")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last answer {last.get('body')}") from None


@pytest.fixture(scope="module")
def season(system):
    system.set_clock("2019-10-01T09:00:00")
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=TIMELINE))
    entries = []
    for type_, (full, city, special, half, half_city, half_special) in PRICES.items():
        for price_class, p, c, s in (
            ("centralised", full, city, special),
            ("instant_first_half", full, city, special),
            ("instant_second_half", half, half_city, half_special),
        ):
            entries.append(
                {"type": type_, "price_class": price_class, "premium": p, "city_subsidy": c, "special_city_subsidy": s}
            )
    system.wait_for(
        lambda: centre.put(f"/api/v1/billing/price-tables/{YEAR}", json={"entries": entries}).status_code == 200,
        timeout=60,
        message="billing price table accepted",
    )
    system.set_clock("2019-10-26T10:00:00")
    system.wait_for(
        lambda: (
            district.put(
                f"/api/v1/billing/splits/{YEAR}",
                json={
                    "types": {
                        "A": {"district_share": "13", "grassroots_share": "0"},
                        "A+": {"district_share": "63", "grassroots_share": "0"},
                        "B": {"district_share": "40", "grassroots_share": "10"},
                        "B+": {"district_share": "100", "grassroots_share": "0"},
                    }
                },
            ).status_code
            == 200
        ),
        timeout=60,
        message="district split accepted",
    )
    return {"centre": centre, "district": district, "g1": g1, "g2": g2}


def priced_totals(system, client, sub) -> dict:
    """Billing's figures for a submission, once billing has priced it."""
    return system.wait_for(
        lambda: ok(client.get(f"{E}/submissions/{sub['id']}"))["totals"],
        timeout=60,
        message=f"submission {sub['id']} priced by billing",
    )


def test_a_full_season_through_the_gateway(system, season):
    centre, district, g1, g2 = season["centre"], season["district"], season["g1"], season["g2"]
    first = [carded_member(system, g1, district, "2019-06-01") for _ in range(3)]
    season["first_member"] = first[0]
    other = carded_member(system, g2, district, "2019-07-01")
    system.set_clock("2019-11-05T10:00:00")
    page = wait_listed(system, g1, f"cover_year={YEAR}&type=A%2B", 3)
    assert sorted(m["member_id"] for m in page["items"]) == sorted(first)
    # The preview is billing's quote for the list's counts; the priced submission then shows the same.
    quote = ok(g1.post(f"/api/v1/billing/quotes/{YEAR}", json={"type": "A+", "counts": page["counts"]}))
    expected = {
        "headcount": 3,
        "premium_fen": 22800,
        "city_subsidy_fen": 3900,
        "district_share_fen": 18900,
        "grassroots_share_fen": 0,
    }
    assert {k: quote[k] for k in expected} == expected
    s1 = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+"}), 201)
    assert s1["headcount"] == 3
    assert priced_totals(system, g1, s1) == expected
    later = [carded_member(system, g1, district, "2019-11-04") for _ in range(2)]
    wait_listed(system, g1, f"cover_year={YEAR}", 2)
    refused = g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "COVER_TYPE_ALREADY_CHOSEN"
    s2 = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+"}), 201)
    assert s2["headcount"] == 2 and s2["sequence"] == 2
    detail = ok(g1.get(f"{E}/submissions/{s2['id']}"))
    assert sorted(m["member_id"] for m in detail["members"]) == sorted(later)
    wait_listed(system, g2, f"cover_year={YEAR}", 1)
    s3 = ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)

    pending = ok(district.get(f"{E}/submissions?status=submitted&cover_year={YEAR}"))
    assert sorted(i["id"] for i in pending["items"]) == sorted([s1["id"], s2["id"], s3["id"]])
    assert (
        ok(district.post(f"{E}/submissions/{s3['id']}/return", json={"reason": "名单需核对"}))["status"] == "returned"
    )
    assert ok(g2.get(f"{E}/submissions/{s3['id']}"))["return_reason"] == "名单需核对"
    for sub in (s1, s2):
        ok(district.post(f"{E}/submissions/{sub['id']}/stage", json={}))
    listing = system.wait_for(
        lambda: (lambda listed: listed["totals"] and listed)(ok(district.get(f"{E}/to-submit?cover_year={YEAR}"))),
        timeout=60,
        message="both staged submissions priced by billing",
    )
    assert listing["headcount"] == 5 and listing["totals"]["premium_fen"] == 5 * 7600
    early = district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": HANDLER})
    assert early.status_code == 409 and early.json()["error"]["code"] == "OUTSIDE_WINDOW"

    system.set_clock("2019-12-28T10:00:00")
    bad = district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": {**HANDLER, "email": "not-an-email"}})
    assert bad.status_code == 422 and "handler.email" in bad.json()["error"]["fields"]
    batch = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": HANDLER}), 201)
    assert batch["batch_no"] == "CB201912280001" and batch["headcount"] == 5
    assert batch["headcount_by_type"] == {"A+": 5}
    locked = district.post(f"{E}/submissions/{s1['id']}/unstage", json={})
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "BATCH_LOCKED"
    priced = system.wait_for(
        lambda: (lambda b: b if b["premium_fen"] is not None else None)(
            district.get(f"{E}/batches/{batch['id']}").json()
        ),
        timeout=60,
        message="billing prices the batch",
    )
    assert (priced["premium_fen"], priced["city_subsidy_fen"], priced["union_share_fen"]) == (38000, 6500, 31500)
    assert priced["due_fen"] == 31500 - priced["credit_applied_fen"]
    listed = ok(centre.get(f"{E}/batches?cover_year={YEAR}"))
    assert [b["batch_no"] for b in listed["items"]] == ["CB201912280001"]
    returned_page = ok(g2.get(f"{E}/confirmation?cover_year={YEAR}"))  # the return freed grassroots2's member
    assert [m["member_id"] for m in returned_page["items"]] == [other]


def test_an_unpaid_batch_fails_at_the_deadline_and_its_members_go_instant(system, season):
    centre, district, g1 = season["centre"], season["district"], season["g1"]
    batch = ok(district.get(f"{E}/batches?cover_year={YEAR}&mode=centralised"))["items"][0]
    system.set_clock("2020-01-20T23:00:00")
    ok(centre.post("/api/v1/billing/jobs/overdue"))
    assert ok(district.get(f"{E}/batches/{batch['id']}"))["status"] == "submitted"
    system.set_clock("2020-01-21T09:00:00")
    ok(centre.post("/api/v1/billing/jobs/overdue"))
    failed = system.wait_for(
        lambda: (lambda b: b if b["status"] == "failed" else None)(district.get(f"{E}/batches/{batch['id']}").json()),
        timeout=60,
        message="enrollment learns of the overdue batch",
    )
    assert {s["status"] for s in failed["submissions"]} == {"failed"}
    again = wait_listed(system, g1, f"cover_year={YEAR}&mode=instant&kind=no_cover", 5)
    assert {m["cover_start"] for m in again["items"]} == {"2020-01-22"}
    central = g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+"})
    assert central.status_code == 409 and central.json()["error"]["code"] == "OUTSIDE_WINDOW"


def test_instant_enrolment_in_both_halves(system, season):
    district, g1 = season["district"], season["g1"]
    system.set_clock("2020-03-10T10:00:00")
    spring = carded_member(system, g1, district, "2020-03-09")
    page = wait_listed(system, g1, f"cover_year={YEAR}&mode=instant&kind=new_card", 1)
    row = page["items"][0]
    assert (row["member_id"], row["cover_start"], row["half_or_full"]) == (spring, "2020-03-11", "全年")
    sub = ok(
        g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+", "mode": "instant", "kind": "new_card"}), 201
    )
    assert sub["counts"] == {"instant_first_half": 1}
    assert priced_totals(system, g1, sub)["premium_fen"] == 7600
    # billing's pay-by (decision 0018): 15 days (the year's default) after the instant submission
    assert ok(g1.get(f"{E}/submissions/{sub['id']}"))["pay_by"] == "2020-03-25"
    # the union's 即时参保告知书, listed on the documents page and downloaded through the gateway
    listed = system.wait_for(
        lambda: ok(g1.get(f"{D}/documents?kind=instant_notice"))["items"],
        timeout=60,
        message="the union's instant notice",
    )
    assert [(d["title"], d["subject"]) for d in listed] == [("基层工会即时参保告知书", f"submission:{sub['id']}")]
    notice = g1.get("/api/v1" + listed[0]["download"])
    assert notice.status_code == 200 and notice.content == g1.get(f"{D}/instant-notices/{sub['id']}/file").content
    assert (
        "你会即时参保2020年度会员专享基本保障计划，参加A+类会员共计1人，参保资金总额76.00元，其中市总统一划拨13.00元，"
        "区局（产业）工会承担63.00元，基层单位承担（你会需承担）0.00元。请于2020年3月25日之前"
    ) in pdf_text(notice.content)
    assert "保障日期自办理参保日的次日（新办卡人员自卡号生成的次日）起至2020年12月31日止" in pdf_text(notice.content)
    ok(district.post(f"{E}/submissions/{sub['id']}/stage", json={}))
    batch = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "mode": "instant", "handler": HANDLER}), 201)
    assert batch["batch_no"] == "JB202003100001" and batch["headcount"] == 1
    priced = system.wait_for(
        lambda: (lambda b: b if b["due_fen"] is not None else None)(ok(district.get(f"{E}/batches/{batch['id']}"))),
        timeout=60,
        message="billing prices the JB batch",
    )
    assert (priced["union_share_fen"], priced["pay_by"]) == (6300, "2020-03-25")
    # the JB batch's district notice, where the batch page links it
    district_notice = system.wait_for(
        lambda: (lambda r: r if r.status_code == 200 else None)(
            district.get(f"{D}/district-notices/{batch['id']}/file")
        ),
        timeout=60,
        message="the JB batch's district notice",
    )
    text = pdf_text(district_notice.content)
    assert (
        "你会即时参保2020年度会员专享基本保障计划（参保批次JB202003100001），参加A+类会员共计1人，合计1人，"
        "参保资金总额为76.00元，其中市总统一划拨13.00元，区局（产业）工会承担63.00元，基层单位承担0.00元"
        "（工会承担63.00元）。"
    ) in text
    assert (
        f"2020年3月25日之前将{'剩余' if priced['credit_applied_fen'] else ''}参保资金（应缴）"
        f"{priced['due_fen'] / 100:.2f}元" in text
    )
    assert "户名：上海市职工保障互助中心会员专享保障专户" in text
    assert g1.get(f"{D}/district-notices/{batch['id']}/file").status_code == 403

    system.set_clock("2020-08-15T10:00:00")
    autumn = carded_member(system, g1, district, "2020-08-14")
    page = wait_listed(system, g1, f"cover_year={YEAR}&mode=instant&kind=new_card", 1)
    row = page["items"][0]
    assert (row["member_id"], row["cover_start"], row["half_or_full"]) == (autumn, "2020-08-16", "半年")
    sub = ok(
        g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+", "mode": "instant", "kind": "new_card"}), 201
    )
    assert sub["counts"] == {"instant_second_half": 1}
    assert priced_totals(system, g1, sub)["premium_fen"] == 3800
    assert ok(g1.get(f"{E}/submissions/{sub['id']}"))["pay_by"] == "2020-08-30"


def test_scope_table_every_endpoint_every_role_outside_scope(system, season):
    centre, district, g1, g2 = season["centre"], season["district"], season["g1"], season["g2"]
    # Another district with its own account.
    other_district = ok(
        centre.post("/api/v1/members/districts", json={"name": "静安区总工会", "kind": "district"}), 201
    )
    ok(
        centre.post(
            "/api/v1/accounts",
            json={
                "username": "district2",
                "display_name": "静安区总工会",
                "password": "Other@2026pass",
                "role": "district",
                "district_id": other_district["id"],
            },
        ),
        201,
    )
    d2 = system.login("district2", "Other@2026pass")
    subs = ok(g1.get(f"{E}/submissions?cover_year={YEAR}"))["items"]
    sub_id = subs[0]["id"]
    batch_id = ok(district.get(f"{E}/batches"))["items"][0]["id"]
    body = {"reason": "x"}
    # (who, method, path, json) → 404 exactly like a missing id (existence never leaks)
    hidden = [
        (g2, "GET", f"/submissions/{sub_id}", None),
        (d2, "GET", f"/submissions/{sub_id}", None),
        (d2, "POST", f"/submissions/{sub_id}/return", body),
        (d2, "POST", f"/submissions/{sub_id}/stage", {}),
        (d2, "POST", f"/submissions/{sub_id}/unstage", {}),
        (d2, "GET", f"/batches/{batch_id}", None),
    ]
    for who, method, path, payload in hidden:
        seen = who.request(method, E + path, json=payload)
        missing = who.request(
            method, E + path.replace(str(sub_id), "98765432").replace(str(batch_id), "98765432"), json=payload
        )
        assert seen.status_code == missing.status_code == 404, (path, seen.text)
        assert seen.json() == missing.json(), path
    # (who, method, path, json) → 403: the role may not do it at all
    forbidden = [
        (g1, "PUT", f"/cover-years/{YEAR}", TIMELINE),
        (district, "PUT", f"/cover-years/{YEAR}", TIMELINE),
        (district, "GET", f"/confirmation?cover_year={YEAR}", None),
        (centre, "GET", f"/confirmation?cover_year={YEAR}", None),
        (district, "POST", "/submissions", {"cover_year": YEAR, "type": "A"}),
        (centre, "POST", "/submissions", {"cover_year": YEAR, "type": "A"}),
        (g1, "POST", f"/submissions/{sub_id}/return", body),
        (centre, "POST", f"/submissions/{sub_id}/return", body),
        (g1, "POST", f"/submissions/{sub_id}/stage", {}),
        (centre, "POST", f"/submissions/{sub_id}/stage", {}),
        (g1, "POST", f"/submissions/{sub_id}/unstage", {}),
        (centre, "POST", f"/submissions/{sub_id}/unstage", {}),
        (g1, "GET", f"/to-submit?cover_year={YEAR}", None),
        (centre, "GET", f"/to-submit?cover_year={YEAR}", None),
        (g1, "POST", "/batches", {"cover_year": YEAR, "handler": HANDLER}),
        (centre, "POST", "/batches", {"cover_year": YEAR, "handler": HANDLER}),
        (g1, "GET", "/batches", None),
        (g1, "GET", f"/batches/{batch_id}", None),
    ]
    for who, method, path, payload in forbidden:
        response = who.request(method, E + path, json=payload)
        assert response.status_code == 403, (method, path, response.text)
    # Lists are scoped: nothing of another union or district shows.
    assert all(i["union_id"] == g2.account["union_id"] for i in ok(g2.get(f"{E}/submissions"))["items"])
    assert ok(d2.get(f"{E}/submissions"))["total"] == 0
    assert ok(d2.get(f"{E}/batches"))["total"] == 0
    assert ok(d2.get(f"{E}/to-submit?cover_year={YEAR}"))["headcount"] == 0
    assert ok(centre.get(f"{E}/submissions/{sub_id}"))["id"] == sub_id


def test_enrollment_keeps_no_clear_id_number_at_rest(system, season):
    """PIPL (issue 14): after the season — member snapshots consumed (inbox), submissions, batches,
    a 职工保障查询 and a search — enrollment's database holds ID numbers only sealed, indexed and
    masked. Members publishing clear numbers (before its side of issue 14) are sealed on receipt."""
    # the season's first member, enrolled by grassroots1 (its number from its own record: the
    # serials are shared with other modules' seasons)
    first = ok(season["g1"].get(f"/api/v1/members/members/{season['first_member']}"))["id_number"]
    found = ok(season["centre"].post(f"{E}/covers/lookup", json={"id_number": first}))
    assert found["id_number"] == first[:4] + "*" * 10 + first[-4:] and found["covers"]
    used = [resident_id(n) for n in range(1, next(_serial))]
    assert clear_id_numbers(system.db("enrollment"), used) == []


def test_members_keeps_no_clear_id_number_at_rest(system, season):
    """PIPL (issue 14): after the same season, members' database — the roster, the outbox of
    member events, upload jobs, files and errors — holds ID numbers only sealed, indexed, masked."""
    used = [resident_id(n) for n in range(1, next(_serial))]
    assert clear_id_numbers(system.db("members"), used) == []
