"""One truth, checked end to end (issue 12, "the heart of it"): a season with a late split change,
a special-industry district, a settlement credit and a half-year instant batch, through the
gateway with every process real. At the end every figure a person can see — enrollment's lists,
to-submit tiles and batches, billing's dashboards, each notice's text, the statistics workbook and
the payment detail — is read back and must equal billing's ledger to the fen."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from deploy.seed import credit_code
from tests.e2e.test_documents_season import pdf_text
from tests.e2e.test_enrollment_season import carded_member, wait_listed
from tests.season import HANDLER, PRICES, TIMELINE, YEAR, ok

E, B, D = "/api/v1/enrollment", "/api/v1/billing", "/api/v1/documents"
PARTS = ("premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen")
# The split window overlaps the unions' window here (a reopened window), so a late change is possible.
OVERLAPPING = {**TIMELINE, "split_window": ["2019-10-25", "2019-11-10"]}


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def fen(cell) -> int:
    """A money cell as LibreOffice or a person reads it: number or text, in yuan."""
    return int(Decimal(str(cell).replace(",", "")) * 100)


@pytest.fixture(scope="module")
def season(system):
    system.set_clock("2019-10-01T09:00:00")
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    d1 = district.account["district_id"]
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=OVERLAPPING))
    entries = [
        {"type": t, "price_class": pc, "premium": p, "city_subsidy": c, "special_city_subsidy": s}
        for t, (full, city, special, half, half_city, half_special) in PRICES.items()
        for pc, p, c, s in (
            ("centralised", full, city, special),
            ("instant_first_half", full, city, special),
            ("instant_second_half", half, half_city, half_special),
        )
    ]
    system.wait_for(
        lambda: centre.put(f"{B}/price-tables/{YEAR}", json={"entries": entries}).status_code == 200,
        timeout=60,
        message="price table",
    )
    # A special-industry district (lower city subsidy) with one union and its two accounts.
    d2 = ok(
        centre.post(
            "/api/v1/members/districts",
            json={"name": "中国金融工会上海委员会", "kind": "industry", "special_industry": True},
        ),
        201,
    )["id"]
    u3 = ok(
        centre.post(
            "/api/v1/members/unions",
            json={
                "name": "中国银行上海分行工会",
                "credit_code": credit_code("91310000MA1FL0077"),
                "district_id": d2,
                "contact_person": "陈静",
                "phone": "13900000077",
            },
        ),
        201,
    )["id"]
    for username, role, scope in (
        ("fin-district", "district", {"district_id": d2}),
        ("fin-union", "grassroots", {"union_id": u3}),
    ):
        ok(
            centre.post(
                "/api/v1/accounts",
                json={
                    "username": username,
                    "display_name": username,
                    "role": role,
                    "password": "Ledger@2026pass",
                    **scope,
                },
            ),
            201,
        )
    district2, g3 = system.login("fin-district", "Ledger@2026pass"), system.login("fin-union", "Ledger@2026pass")
    credit = {"district_id": d1, "source_year": 2018, "designated_year": YEAR, "amount": "100", "memo": "2018年清算"}
    system.wait_for(
        lambda: centre.post(f"{B}/credits", json=credit).status_code == 201,
        timeout=60,
        message="billing takes the settlement credit",
    )
    system.set_clock("2019-10-26T10:00:00")
    system.wait_for(
        lambda: (
            district.put(
                f"{B}/splits/{YEAR}",
                json={
                    "types": {
                        "A": {"district_share": "13", "grassroots_share": "0"},
                        "A+": {"district_share": "50", "grassroots_share": "13"},
                        "B": {"district_share": "40", "grassroots_share": "10"},
                        "B+": {"district_share": "100", "grassroots_share": "0"},
                    }
                },
            ).status_code
            == 200
        ),
        timeout=60,
        message="split 1",
    )
    system.wait_for(
        lambda: (
            district2.put(
                f"{B}/splits/{YEAR}", json={"types": {"B": {"district_share": "50", "grassroots_share": "17.50"}}}
            ).status_code
            == 200
        ),
        timeout=60,
        message="split 2",
    )

    for _ in range(3):
        carded_member(system, g1, district, "2019-06-01")
    for _ in range(2):
        carded_member(system, g2, district, "2019-07-01")
        carded_member(system, g3, district2, "2019-07-01")
    system.set_clock("2019-11-05T10:00:00")
    wait_listed(system, g1, f"cover_year={YEAR}", 3)
    early = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+"}), 201)
    priced(system, g1, early)

    # The late split change is refused, naming the submission; returned, it goes through.
    late = {"types": {"A+": {"district_share": "63", "grassroots_share": "0"}}}
    refused = district.put(f"{B}/splits/{YEAR}", json=late)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "SPLIT_LOCKED_BY_SUBMISSIONS"
    assert refused.json()["error"]["submission_ids"] == [early["id"]]
    ok(district.post(f"{E}/submissions/{early['id']}/return", json={"reason": "比例调整，请重新提交"}))
    system.wait_for(
        lambda: district.put(f"{B}/splits/{YEAR}", json=late).status_code == 200,
        timeout=60,
        message="the split changes once the submission is returned and released",
    )
    wait_listed(system, g1, f"cover_year={YEAR}", 3)
    s1 = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+"}), 201)
    wait_listed(system, g2, f"cover_year={YEAR}", 2)
    s2 = ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)
    wait_listed(system, g3, f"cover_year={YEAR}", 2)
    s3 = ok(g3.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)
    for sub, who in ((s1, district), (s2, district), (s3, district2)):
        priced(system, who, sub)
        ok(who.post(f"{E}/submissions/{sub['id']}/stage", json={}))
    system.set_clock("2019-12-28T10:00:00")
    cb1 = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": HANDLER}), 201)
    cb2 = ok(district2.post(f"{E}/batches", json={"cover_year": YEAR, "handler": HANDLER}), 201)

    # A half-year instant enrolment and its JB batch.
    system.set_clock("2020-08-15T10:00:00")
    carded_member(system, g1, district, "2020-08-14")
    wait_listed(system, g1, f"cover_year={YEAR}&mode=instant&kind=new_card", 1)
    s4 = ok(
        g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+", "mode": "instant", "kind": "new_card"}), 201
    )
    priced(system, district, s4)
    ok(district.post(f"{E}/submissions/{s4['id']}/stage", json={}))
    jb = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "mode": "instant", "handler": HANDLER}), 201)
    for batch, who in ((cb1, district), (cb2, district2), (jb, district)):
        system.wait_for(
            lambda b=batch, w=who: ok(w.get(f"{E}/batches/{b['id']}")).get("due_fen") is not None,
            timeout=60,
            message=f"batch {batch['batch_no']} priced",
        )
    return {
        "system": system,
        "centre": centre,
        "district": district,
        "district2": district2,
        "g1": g1,
        "g2": g2,
        "g3": g3,
        "d1": d1,
        "d2": d2,
        "returned": early,
        "subs": [s1, s2, s3, s4],
        "batches": [cb1, cb2, jb],
    }


def priced(system, who, sub) -> dict:
    return system.wait_for(
        lambda: ok(who.get(f"{E}/submissions/{sub['id']}"))["totals"],
        timeout=60,
        message=f"submission {sub['id']} priced by billing",
    )


def ledger(centre) -> list[dict]:
    return ok(centre.get(f"{B}/ledger?cover_year={YEAR}&per_page=500"))["items"]


def billing_submissions(centre) -> dict[int, dict]:
    return {s["submission_id"]: s for s in ok(centre.get(f"{B}/submissions?cover_year={YEAR}&per_page=500"))["items"]}


def test_every_submission_reads_the_same_everywhere_and_sums(season):
    centre, subs = season["centre"], season["subs"]
    billed, entries = billing_submissions(centre), ledger(centre)
    owners = {
        season["subs"][0]["id"]: season["g1"],
        season["subs"][1]["id"]: season["g2"],
        season["subs"][2]["id"]: season["g3"],
        season["subs"][3]["id"]: season["g1"],
    }
    for sub in subs:
        mine = billed[sub["id"]]
        figures = {p: mine[p] for p in PARTS}
        assert (
            mine["premium_fen"] == mine["city_subsidy_fen"] + mine["district_share_fen"] + mine["grassroots_share_fen"]
        )
        # enrollment, as the union and as its district see it
        assert {p: priced(season["system"], owners[sub["id"]], sub)[p] for p in PARTS} == figures
        reviewer = season["district2"] if sub["id"] == subs[2]["id"] else season["district"]
        assert {p: ok(reviewer.get(f"{E}/submissions/{sub['id']}"))["totals"][p] for p in PARTS} == figures
        # the ledger: what the union owes its district for it
        owed = sum(
            e["amount_fen"]
            for e in entries
            if e["submission_id"] == sub["id"] and e["account"] == "grassroots_to_district"
        )
        assert owed == mine["grassroots_share_fen"]
    # the returned submission owes nothing any more, and was priced at the old split (13 a head)
    returned = [e["amount_fen"] for e in entries if e["submission_id"] == season["returned"]["id"]]
    assert sorted(returned) == [-3 * 1300, 3 * 1300]
    # the late split applies to what came after: A+ 76 = 13 + 63 + 0; the special district's B: 22.5 subsidy
    assert {p: billed[subs[0]["id"]][p] for p in PARTS} == dict(
        zip(PARTS, (3 * 7600, 3 * 1300, 3 * 6300, 0), strict=False)
    )
    assert {p: billed[subs[2]["id"]][p] for p in PARTS} == dict(
        zip(PARTS, (2 * 9000, 2 * 2250, 2 * 5000, 2 * 1750), strict=False)
    )
    # half a year, instant: A+ 38 = 6.5 + 31.5 + 0
    assert {p: billed[subs[3]["id"]][p] for p in PARTS} == dict(zip(PARTS, (3800, 650, 3150, 0), strict=False))


def test_every_batch_reads_the_same_everywhere_and_is_the_sum_of_its_rows(season):
    centre, entries, billed = season["centre"], ledger(season["centre"]), billing_submissions(season["centre"])
    for batch, who in zip(
        season["batches"], (season["district"], season["district2"], season["district"]), strict=False
    ):
        bill = ok(centre.get(f"{B}/batches/{batch['id']}"))
        mine = ok(who.get(f"{E}/batches/{batch['id']}"))
        for part in ("premium_fen", "city_subsidy_fen", "union_share_fen", "credit_applied_fen", "due_fen"):
            assert mine[part] == bill[part], (batch["batch_no"], part)
        rows = [billed[s["id"]] for s in mine["submissions"]]
        assert [r["submission_id"] for r in rows] == sorted(bill["submission_ids"])
        assert sum(r["premium_fen"] for r in rows) == bill["premium_fen"]
        assert sum(r["city_subsidy_fen"] for r in rows) == bill["city_subsidy_fen"]
        assert sum(r["district_share_fen"] + r["grassroots_share_fen"] for r in rows) == bill["union_share_fen"]
        assert sum(t["premium_fen"] for t in bill["by_type"]) == bill["premium_fen"]
        assert bill["due_fen"] == bill["union_share_fen"] - bill["credit_applied_fen"] >= 0
        booked = {
            k: sum(
                e["amount_fen"]
                for e in entries
                if e["batch_id"] == batch["id"] and e["kind"] == k and e["account"] == "district_to_centre"
            )
            for k in ("batch_priced", "credit_applied")
        }
        assert booked == {"batch_priced": bill["union_share_fen"], "credit_applied": -bill["credit_applied_fen"]}
    cb1 = ok(centre.get(f"{B}/batches/{season['batches'][0]['id']}"))
    assert cb1["credit_applied_fen"] == 10000  # the settlement credit went to the first batch
    # the to-submit tile the district saw before submitting is gone, the batches hold it all
    assert ok(season["district"].get(f"{E}/to-submit?cover_year={YEAR}"))["headcount"] == 0


def test_dashboards_show_the_ledgers_figures(season):
    centre, billed = season["centre"], billing_submissions(season["centre"])
    batches = {b["id"]: ok(centre.get(f"{B}/batches/{b['id']}")) for b in season["batches"]}
    for who, district_id in ((season["district"], season["d1"]), (season["district2"], season["d2"])):
        row = ok(who.get(f"{B}/dashboard/{YEAR}"))["districts"][0]
        mine = [b for b in batches.values() if b["district_id"] == district_id]
        assert row["due_fen"] == sum(b["due_fen"] for b in mine)
        assert row["premium_fen"] == sum(b["premium_fen"] for b in mine)
        assert row["paid_fen"] == 0 and row["outstanding_fen"] == row["due_fen"]  # no money has arrived
    union = ok(season["g1"].get(f"{B}/dashboard/{YEAR}"))["unions"][0]
    g1_subs = [billed[s["id"]] for s in (season["subs"][0], season["subs"][3])]
    assert union["grassroots_owes_fen"] == sum(s["grassroots_share_fen"] for s in g1_subs)
    assert union["premium_fen"] == sum(s["premium_fen"] for s in g1_subs)


def test_notices_say_the_ledgers_amounts(season):
    system, billed = season["system"], billing_submissions(season["centre"])
    s3 = billed[season["subs"][2]["id"]]
    u3 = s3["union_id"]
    notice = system.wait_for(
        lambda: (r := season["g3"].get(f"{D}/grassroots-notices/{u3}/{YEAR}/file")).status_code == 200 and r,
        timeout=90,
        message="the special union's notice",
    )
    text = pdf_text(notice.content)
    for fragment in (
        f"本次参保资金总额{yuan(s3['premium_fen'])}元",
        f"其中：市总统一划拨{yuan(s3['city_subsidy_fen'])}元",
        f"区局（产业）工会承担{yuan(s3['district_share_fen'])}元",
        f"基层单位承担{yuan(s3['grassroots_share_fen'])}元",
        f"本年度你会累计需承担{yuan(s3['grassroots_share_fen'])}元",
    ):
        assert fragment in text, fragment
    # the half-year instant submission's own notice, and every batch's district notice (JB too)
    s4 = billed[season["subs"][3]["id"]]
    instant = system.wait_for(
        lambda: (r := season["g1"].get(f"{D}/instant-notices/{s4['submission_id']}/file")).status_code == 200 and r,
        timeout=90,
        message="the instant notice",
    )
    text = pdf_text(instant.content)
    assert f"参保资金总额{yuan(s4['premium_fen'])}元，其中市总统一划拨{yuan(s4['city_subsidy_fen'])}元" in text
    assert f"基层单位承担（你会需承担）{yuan(s4['grassroots_share_fen'])}元" in text
    for batch, who in zip(
        season["batches"], (season["district"], season["district2"], season["district"]), strict=False
    ):
        bill = ok(season["centre"].get(f"{B}/batches/{batch['id']}"))
        pdf = system.wait_for(
            lambda b=batch, w=who: (r := w.get(f"{D}/district-notices/{b['id']}/file")).status_code == 200 and r,
            timeout=90,
            message=f"district notice {batch['batch_no']}",
        )
        text = pdf_text(pdf.content)
        # 参保资金总额 is every premium (docs/terms.md); the unions' share is 工会承担
        assert (
            f"参保资金总额为{yuan(bill['premium_fen'])}元，其中市总统一划拨{yuan(bill['city_subsidy_fen'])}元" in text
        )
        assert f"工会承担{yuan(bill['union_share_fen'])}元" in text
        assert f"参保资金（应缴）{yuan(bill['due_fen'])}元划入" in text
        if bill["credit_applied_fen"]:
            assert f"清算分配款{yuan(bill['credit_applied_fen'])}元" in text


def test_workbooks_hold_the_ledgers_amounts(season):
    centre, district, billed = season["centre"], season["district"], billing_submissions(season["centre"])
    book = load_workbook(io.BytesIO(ok_bytes(district.get(f"{D}/statistics/{season['d1']}/{YEAR}/file"))))
    rows = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    money = [i for i, name in enumerate(header) if "元" in str(name) or "费" in str(name) or "划拨" in str(name)]
    assert money, header
    # 集中参保统计表: the district's centralised submissions (instant ones are not in it)
    mine = [
        s
        for s in billed.values()
        if s["district_id"] == season["d1"] and s["status"] != "returned" and s["mode"] == "centralised"
    ]
    total_row = next(r for r in rows if r[0] == "合计")
    premium_col = header.index("参保资金总额（元）")  # every premium (docs/terms.md)
    assert fen(total_row[premium_col]) == sum(s["premium_fen"] for s in mine), (header, total_row)
    assert col  # the header names every column
    for batch in season["batches"]:
        bill = ok(centre.get(f"{B}/batches/{batch['id']}"))
        who = season["district2"] if batch["id"] == season["batches"][1]["id"] else district
        detail = load_workbook(io.BytesIO(ok_bytes(who.get(f"{B}/batches/{batch['id']}/payment-detail.xlsx"))))
        cells = {r[0].value: [c.value for c in r] for r in detail.worksheets[0].iter_rows() if r[0].value}
        # 参保资金总额, 市总统一划拨, 区局（产业）工会承担, 基层单位承担, 工会承担 (docs/terms.md)
        assert fen(cells["合计"][2]) == bill["premium_fen"] and fen(cells["合计"][-1]) == bill["union_share_fen"]
        assert fen(cells["抵扣清算分配款"][-1]) == bill["credit_applied_fen"]
        assert fen(cells["应缴"][-1]) == bill["due_fen"]


def ok_bytes(response) -> bytes:
    assert response.status_code == 200, response.text[:500]
    return response.content


def test_grassroots_pages_name_the_union_to_district_deadline(season):
    """Dates: the union's pay-by on its submissions is the cover year's 基层工会提交及划款至区局截止."""
    deadlines = {d["key"]: d for d in ok(season["g1"].get(f"{E}/cover-years/{YEAR}"))["deadlines"]}
    s1 = ok(season["g1"].get(f"{E}/submissions/{season['subs'][0]['id']}"))
    assert s1["pay_by"] == deadlines["grassroots_end"]["date"] == "2019-12-27"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00", s1["submitted_at"])
