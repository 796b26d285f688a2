"""Billing with the real enrollment and members services, every process real: members carded →
grassroots submissions → the district's two batches priced by billing (less the 2018 credit) →
one paid (voucher, feedback, two bank statements — 部分到账 then 已到账待核销 on both services' screens
— write-off) and its cover granted by enrollment; the
other unpaid at the deadline, reported overdue once, and failed by enrollment."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text

from tests import season
from tests.e2e.test_billing_season import xlsx
from tests.season import YEAR, ok
from tests.services.billing.files import PNG

# the district may still review while it submits, so that it can make two batches
TIMELINE = {**season.TIMELINE, "district_review_window": ["2019-11-01", "2019-12-31"]}
E, B = "/api/v1/enrollment", "/api/v1/billing"
_serial = itertools.count(501)


def resident_id(serial: int) -> str:
    return season.resident_id(serial, born="19850101")


def carded_member(grassroots, district, issued_on: str) -> int:
    serial = next(_serial)
    member = ok(
        grassroots.post(
            "/api/v1/members/members",
            json={
                "name": f"缴费会员{serial}",
                "id_number": resident_id(serial),
                "address": "上海市黄浦区",
                "mobile": f"137{serial:08d}",
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
            json={"card_number": f"62220300{serial:08d}", "issued_on": issued_on},
        )
    )
    return member["id"]


@pytest.fixture(scope="module")
def system():
    from tests.system import System

    running = System(clock="2019-10-20T09:00:00").start()
    yield running
    running.stop()


def test_paid_batch_granted_and_unpaid_batch_failed(system):
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    handler = {"name": "李会计", "phone": "13800138001", "email": "lkj@example.com"}
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=TIMELINE))
    system.wait_for(lambda: district.get(f"{B}/splits/{YEAR}").status_code == 200, message="billing has 2020 prices")
    system.set_clock("2019-10-28T09:00:00")
    system.wait_for(
        lambda: (
            district.put(
                f"{B}/splits/{YEAR}",
                json={
                    "types": {
                        "A+": {"district_share": "63", "grassroots_share": "0"},
                        "A": {"district_share": "0", "grassroots_share": "13"},
                        "B": {"district_share": "25", "grassroots_share": "25"},
                        "B+": {"district_share": "50", "grassroots_share": "50"},
                    }
                },
            ).status_code
            == 200
        ),
        timeout=60,
        message="the split accepted (timeline reached billing)",
    )
    ok(
        centre.post(
            f"{B}/credits",
            json={
                "district_id": district.account["district_id"],
                "source_year": 2018,
                "designated_year": YEAR,
                "amount": "100.00",
            },
        ),
        201,
    )

    system.set_clock("2019-11-05T10:00:00")
    mine = {
        "g1": [carded_member(g1, district, "2019-11-04") for _ in range(3)],
        "g2": [carded_member(g2, district, "2019-11-04") for _ in range(2)],
    }
    for session, ids in ((g1, mine["g1"]), (g2, mine["g2"])):  # the demo data has members of its own
        system.wait_for(
            lambda: (
                set(ids)
                <= {
                    m["member_id"]
                    for m in session.get(f"{E}/confirmation?cover_year={YEAR}&per_page=500").json().get("items", [])
                }
            ),
            timeout=60,
            message="eligible members",
        )
    s1 = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+", "member_ids": mine["g1"]}), 201)
    s2 = ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": mine["g2"]}), 201)
    assert (s1["headcount"], s2["headcount"]) == (3, 2)
    owed = system.wait_for(
        lambda: g2.get(f"{B}/submissions?cover_year={YEAR}").json()["items"],
        timeout=60,
        message="billing prices grassroots2's submission",
    )
    assert [(x["submission_id"], x["grassroots_owes_fen"]) for x in owed] == [(s2["id"], 2600)]

    ok(district.post(f"{E}/submissions/{s1['id']}/stage", json={}))
    system.set_clock("2019-12-28T10:00:00")
    paid = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": handler}), 201)
    ok(district.post(f"{E}/submissions/{s2['id']}/stage", json={}))
    unpaid = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": handler}), 201)
    for batch in (paid, unpaid):
        system.wait_for(
            lambda: district.get(f"{B}/batches/{batch['id']}").status_code == 200,
            timeout=60,
            message="billing prices the batch",
        )
    first = ok(district.get(f"{B}/batches/{paid['id']}"))
    second = ok(district.get(f"{B}/batches/{unpaid['id']}"))
    # A+ 3 × 63 = 189.00 less the 100.00 credit; A 2 × 13 = 26.00, nothing left to credit
    assert (first["union_share_fen"], first["credit_applied_fen"], first["due_fen"]) == (18900, 10000, 8900)
    assert (second["union_share_fen"], second["credit_applied_fen"], second["due_fen"]) == (2600, 0, 2600)
    # enrollment shows billing's figures on its batch
    system.wait_for(
        lambda: district.get(f"{E}/batches/{paid['id']}").json().get("due_fen") == 8900,
        timeout=60,
        message="enrollment learns the price",
    )

    system.set_clock("2020-01-10T10:00:00")
    ok(
        district.post(
            f"{B}/batches/{paid['id']}/voucher",
            data={"amount": "80", "paid_on": "2020-01-09"},
            files={"file": ("v.png", PNG)},
        ),
        201,
    )
    ok(centre.post(f"{B}/batches/{paid['id']}/feedback", json={"message": "金额不足，尚差 9.00 元"}), 201)
    ok(
        district.post(
            f"{B}/batches/{paid['id']}/vouchers",
            data={"amount": "9", "paid_on": "2020-01-10"},
            files={"file": ("v2.png", PNG)},
        ),
        201,
    )
    # Money arrives in two transfers: each statement moves the batch's status, and enrollment's
    # batch (list and detail) says it in billing's words, as billing's own screen does.
    for n, (amount, words) in enumerate((("50.00", "部分到账"), ("39.00", "已到账待核销")), start=1):
        statement = ok(
            centre.post(
                f"{B}/bank-statements",
                files={
                    "file": (
                        f"s{n}.xlsx",
                        xlsx(
                            ["日期", "付款人", "金额", "摘要"],
                            [["2020-01-10", "黄浦区总工会", amount, f"参保款 {paid['batch_no']}"]],
                        ),
                    )
                },
            ),
            201,
        )
        assert statement["lines"][0]["batch_id"] == paid["id"]
        assert ok(district.get(f"{B}/batches/{paid['id']}"))["status_text"] == words
        system.wait_for(
            lambda words=words: district.get(f"{E}/batches/{paid['id']}").json()["status_text"] == words,
            timeout=60,
            message=f"enrollment's batch says {words}",
        )
        listed = ok(district.get(f"{E}/batches?cover_year={YEAR}&per_page=200"))["items"]
        assert [b["status_text"] for b in listed if b["id"] == paid["id"]] == [words]
        billing_rows = ok(district.get(f"{B}/batches"))
        assert [b["status_text"] for b in billing_rows if b["batch_id"] == paid["id"]] == [words]
    assert ok(district.get(f"{E}/batches/{paid['id']}"))["status"] == "paid"
    ok(
        centre.post(
            f"{B}/batches/{paid['id']}/write-off",
            json={"amount": "89", "received_on": "2020-01-10", "bank_reference": "BOS-0001"},
        )
    )
    system.wait_for(
        lambda: district.get(f"{E}/batches/{paid['id']}").json()["status"] == "written_off",
        timeout=60,
        message="enrollment grants the paid batch's cover",
    )

    system.set_clock("2020-01-21T09:00:00")
    for _ in range(2):
        system.python("-m", "services.billing.jobs", "overdue")
    system.wait_for(
        lambda: district.get(f"{E}/batches/{unpaid['id']}").json()["status"] == "failed",
        timeout=60,
        message="enrollment fails the unpaid batch",
    )
    assert district.get(f"{E}/batches/{paid['id']}").json()["status"] == "written_off"
    with system.db("billing").connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE type = 'billing.batch.overdue'")).scalar() == 1
