"""Two consecutive cover years through the gateway, every process real (issue 28, decision 0043):
2020 runs (timeline, prices, a district's split and a union's own, a settlement credit larger than
the batch); the centre opens 2021 from 2020 in one step and saves it; the prices are copied; the
district's split and the union's own are proposed and saved; the unused credit is there in 2021;
a union sees who is covered again, new and gone; its 2021 submission is priced by the carried
split. Every carried figure is checked to the fen."""

from __future__ import annotations

import itertools

import pytest

from tests import season
from tests.season import YEAR, ok, price_entries

E, B = "/api/v1/enrollment", "/api/v1/billing"
NEXT = YEAR + 1
TIMELINE = {**season.TIMELINE, "district_review_window": ["2019-11-01", "2019-12-31"]}
SPLIT = {
    "A": {"district_share": "0", "grassroots_share": "13"},
    "A+": {"district_share": "63", "grassroots_share": "0"},
    "B": {"district_share": "25", "grassroots_share": "25"},
    "B+": {"district_share": "50", "grassroots_share": "50"},
}
OWN = {"A+": {"district_share": "60.50", "grassroots_share": "2.50"}}  # grassroots1's own A+ split
CREDIT_FEN = 25000  # 2018's settlement, designated for 2020: more than the 2020 batch needs
_serial = itertools.count(701)


def carded_member(grassroots, district, issued_on: str) -> int:
    serial = next(_serial)
    member = ok(
        grassroots.post(
            "/api/v1/members/members",
            json={
                "name": f"续年会员{serial}",
                "id_number": season.resident_id(serial, born="19880101"),
                "address": "上海市黄浦区",
                "mobile": f"136{serial:08d}",
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
            json={"card_number": f"62220400{serial:08d}", "issued_on": issued_on},
        )
    )
    return member["id"]


def on_list(system, session, year: int, ids) -> None:
    system.wait_for(
        lambda: (
            set(ids)
            <= {
                m["member_id"]
                for m in session.get(f"{E}/confirmation?cover_year={year}&per_page=500").json().get("items", [])
            }
        ),
        timeout=60,
        message="eligible members",
    )


def split_rows(district, year: int) -> dict:
    return {
        (r["union_id"], r["type"]): (r["district_share_fen"], r["grassroots_share_fen"])
        for r in ok(district.get(f"{B}/splits/{year}"))
    }


def rates(session, year: int, union_id: int) -> dict:
    body = ok(session.get(f"{B}/rates/{year}?union_id={union_id}"))
    return {
        (r["type"], r["price_class"]): (
            r["premium_fen"],
            r["city_subsidy_fen"],
            r["district_share_fen"],
            r["grassroots_share_fen"],
        )
        for r in body["rates"]
    }


@pytest.fixture(scope="module")
def system():
    from tests.system import System

    running = System(clock="2019-10-20T09:00:00").start()
    yield running
    running.stop()


def test_two_consecutive_years_carry_every_figure_to_the_fen(system):
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    u1 = g1.account["union_id"]
    district_id = district.account["district_id"]
    handler = {"name": "李会计", "phone": "13800138001", "email": "lkj@example.com"}

    # ---------------------------------------------------------------- 2020
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=TIMELINE))
    system.wait_for(
        lambda: centre.put(f"{B}/price-tables/{YEAR}", json={"entries": price_entries()}).status_code == 200,
        timeout=60,
        message="2020 prices",
    )
    ok(
        centre.post(
            f"{B}/credits",
            json={
                "district_id": district_id,
                "source_year": YEAR - 2,
                "designated_year": YEAR,
                "amount": f"{CREDIT_FEN / 100:.2f}",
            },
        ),
        201,
    )
    system.set_clock("2019-10-28T09:00:00")
    system.wait_for(
        lambda: district.put(f"{B}/splits/{YEAR}", json={"types": SPLIT}).status_code == 200,
        timeout=60,
        message="2020 split (the timeline reached billing)",
    )
    ok(district.put(f"{B}/splits/{YEAR}/unions/{u1}", json={"types": OWN}))

    system.set_clock("2019-11-05T10:00:00")
    mine = [carded_member(g1, district, "2019-11-04") for _ in range(3)]
    theirs = [carded_member(g2, district, "2019-11-04") for _ in range(2)]
    on_list(system, g1, YEAR, mine)
    on_list(system, g2, YEAR, theirs)
    s1 = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+", "member_ids": mine}), 201)
    s2 = ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": theirs}), 201)
    for s in (s1, s2):
        system.wait_for(
            lambda s=s: district.get(f"{E}/submissions/{s['id']}").json().get("totals"),
            timeout=60,
            message="billing prices the submission",
        )
        ok(district.post(f"{E}/submissions/{s['id']}/stage", json={}))
    system.set_clock("2019-12-28T10:00:00")
    batch = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": handler}), 201)
    system.wait_for(
        lambda: district.get(f"{B}/batches/{batch['id']}").status_code == 200, timeout=60, message="batch priced"
    )
    priced = ok(district.get(f"{B}/batches/{batch['id']}"))
    # A+ (own split) 3 × (60.50 + 2.50) = 189.00; A 2 × 13 = 26.00: 215.00, all from the credit
    assert (priced["union_share_fen"], priced["credit_applied_fen"], priced["due_fen"]) == (21500, 21500, 0)
    left_over = CREDIT_FEN - 21500

    # ---------------------------------------------------------------- 2021 opened from 2020
    system.set_clock("2020-09-01T09:00:00")
    proposal = ok(centre.get(f"{E}/cover-years/{YEAR}/next"))
    assert (proposal["cover_year"], proposal["from_year"]) == (NEXT, YEAR)
    expected = {
        "split_window": ["2020-10-26", "2020-10-30"],
        "grassroots_window": ["2020-11-02", "2020-12-25"],
        "district_review_window": ["2020-11-02", "2020-12-31"],
        "district_submit_window": ["2020-12-28", "2020-12-31"],
        "card_cutoff": "2020-12-31",
        "cover_start": "2021-01-01",
        "cover_end": "2021-12-31",
        "payment_deadline": "2021-01-20",
        "claims_deadline": "2022-12-31",
        "instant_payment_days": 15,
    }
    assert proposal["timeline"] == expected
    assert centre.get(f"{E}/cover-years/{NEXT}").status_code == 404  # nothing saved by asking
    saved = ok(centre.put(f"{E}/cover-years/{NEXT}", json=proposal["timeline"]))
    assert {k: saved[k] for k in expected} == expected

    last_prices = ok(centre.get(f"{B}/price-tables/{YEAR}"))["entries"]
    copied = [
        {
            "type": e["type"],
            "price_class": e["price_class"],
            "premium": f"{e['premium_fen'] / 100:.2f}",
            "city_subsidy": f"{e['city_subsidy_fen'] / 100:.2f}",
            "special_city_subsidy": f"{e['special_city_subsidy_fen'] / 100:.2f}",
        }
        for e in last_prices
    ]
    system.wait_for(
        lambda: centre.put(f"{B}/price-tables/{NEXT}", json={"entries": copied}).status_code == 200,
        timeout=60,
        message="2021 prices",
    )
    assert ok(centre.get(f"{B}/price-tables/{NEXT}"))["entries"] == last_prices  # every fen, special too
    assert len(last_prices) == 12

    # ---------------------------------------------------------------- the split, proposed and saved
    system.set_clock("2020-10-27T10:00:00")
    system.wait_for(
        lambda: district.get(f"{B}/splits/{NEXT}/proposal").status_code == 200,
        timeout=60,
        message="billing knows 2021",
    )
    carried = ok(district.get(f"{B}/splits/{NEXT}/proposal"))
    assert carried["from_year"] == YEAR
    last_split = split_rows(district, YEAR)
    proposed = {
        (p["union_id"], p["type"]): (p["district_share_fen"], p["grassroots_share_fen"]) for p in carried["proposals"]
    }
    assert proposed == last_split and (u1, "A+") in proposed
    assert not any(p["saved_this_year"] for p in carried["proposals"])
    assert all(share == (None, None) for share in split_rows(district, NEXT).values())  # nothing saved yet

    def as_types(rows):
        return {
            t: {"district_share": f"{d / 100:.2f}", "grassroots_share": f"{g / 100:.2f}"} for (_, t), (d, g) in rows
        }

    # the proposal needs only last year's figures; saving needs 2021's split window, which billing
    # learns from enrollment's cover-year event (a relay's poll and a delivery after it was saved)
    system.wait_for(
        lambda: (
            district.put(
                f"{B}/splits/{NEXT}", json={"types": as_types((k, v) for k, v in proposed.items() if k[0] is None)}
            ).status_code
            == 200
        ),
        timeout=60,
        message="2021 split (the timeline reached billing)",
    )
    ok(
        district.put(
            f"{B}/splits/{NEXT}/unions/{u1}",
            json={"types": as_types((k, v) for k, v in proposed.items() if k[0] == u1)},
        )
    )
    assert split_rows(district, NEXT) == last_split
    assert rates(g1, NEXT, u1) == rates(g1, YEAR, u1)
    assert rates(g2, NEXT, g2.account["union_id"]) == rates(g2, YEAR, g2.account["union_id"])

    # ---------------------------------------------------------------- the credit left over
    recorded = ok(district.get(f"{B}/credits"))
    assert [(c["source_year"], c["designated_year"], c["amount_fen"]) for c in recorded] == [
        (YEAR - 2, YEAR, CREDIT_FEN)
    ]
    system.wait_for(
        lambda: district.get(f"{E}/to-submit?cover_year={NEXT}").json().get("credit_available_fen") == left_over,
        timeout=60,
        message="enrollment shows the credit left over in 2021",
    )
    sources = ok(district.get(f"{B}/credits/available/{NEXT}"))
    assert sources["available_fen"] == left_over
    assert [(c["source_year"], c["designated_year"], c["left_fen"], c["carried"]) for c in sources["sources"]] == [
        (YEAR - 2, YEAR, left_over, True)
    ]

    # ---------------------------------------------------------------- who stays, comes and goes
    ok(g1.post("/api/v1/members/members/transfer-out", json={"member_ids": [mine[0]], "reason": "离职"}))
    newcomer = carded_member(g1, district, "2020-10-20")
    system.set_clock("2020-11-05T10:00:00")
    on_list(system, g1, NEXT, [*mine[1:], newcomer])

    def compared():
        body = g1.get(f"{E}/year-on-year/{NEXT}").json()
        return {p["member_id"]: (p["category"], p["reason"]) for p in body.get("people", [])}

    system.wait_for(lambda: compared().get(mine[0]) == ("gone", "已转出（离职）"), timeout=60, message="the leaver")
    body = ok(g1.get(f"{E}/year-on-year/{NEXT}"))
    people = {p["member_id"]: (p["category"], p["reason"]) for p in body["people"]}
    assert people[newcomer] == ("new", "新入会会员")  # joined this year (with a new card too)
    assert mine[1] not in people and mine[2] not in people  # covered again: counted, not listed
    assert body["again"] == body["last_year"] - body["gone"]
    per_union = {u["union_id"]: u for u in ok(district.get(f"{E}/year-on-year/{NEXT}/unions"))["unions"]}
    assert {k: per_union[u1][k] for k in ("last_year", "this_year", "again", "new", "gone", "change")} == {
        k: body[k] for k in ("last_year", "this_year", "again", "new", "gone", "change")
    }
    book = g1.get(f"{E}/year-on-year/{NEXT}/workbook")
    assert book.status_code == 200 and book.content[:2] == b"PK"

    # ---------------------------------------------------------------- 2021 priced by the carried split
    stay = [*mine[1:], newcomer]
    s3 = ok(g1.post(f"{E}/submissions", json={"cover_year": NEXT, "type": "A+", "member_ids": stay}), 201)
    totals = system.wait_for(
        lambda: g1.get(f"{E}/submissions/{s3['id']}").json().get("totals"),
        timeout=60,
        message="billing prices the 2021 submission",
    )
    assert (
        totals["premium_fen"],
        totals["city_subsidy_fen"],
        totals["district_share_fen"],
        totals["grassroots_share_fen"],
    ) == (3 * 7600, 3 * 1300, 3 * 6050, 3 * 250)
