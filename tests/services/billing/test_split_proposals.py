"""Districts' splits carried as proposals (decision 0043): in 2021 a district sees its 2020 split
and its unions' own, proposed for 2021's prices; nothing is saved until it saves; a changed price
makes the district's share take the difference, and the proposal says so."""

from tests.season import at, price_entries
from tests.services.billing.conftest import AVIATION, TIMELINE, U_HP1, YEAR, set_splits


def _next_year(billing, entries) -> None:
    nxt = {
        **TIMELINE,
        "cover_year": YEAR + 1,
        "split_window": ["2020-10-26", "2020-10-30"],
        "grassroots_window": ["2020-11-02", "2020-12-25"],
        "district_review_window": ["2020-11-02", "2020-12-25"],
        "district_submit_window": ["2020-12-28", "2020-12-31"],
        "card_cutoff": "2020-12-31",
        "cover_start": "2021-01-01",
        "cover_end": "2021-12-31",
        "payment_deadline": "2021-01-20",
        "claims_deadline": "2022-12-31",
    }
    billing.feed("enrollment.cover_year.configured", nxt)
    at("2020-10-01T09:00:00")
    r = billing.centre.put(f"/price-tables/{YEAR + 1}", json={"entries": entries})
    assert r.status_code == 200, r.text


def test_last_years_split_and_a_unions_own_are_proposed_and_saved_as_the_district_chooses(billing):
    set_splits(billing)
    r = billing.huangpu.put(
        f"/splits/{YEAR}/unions/{U_HP1}", json={"types": {"B": {"district_share": "50", "grassroots_share": "0"}}}
    )
    assert r.status_code == 200, r.text
    # 2021: B+ costs 150 (city 40): the rest changes by nothing but B+
    entries = [
        {**e, "premium": "150.00"} if e["type"] == "B+" and e["price_class"] != "instant_second_half" else e
        for e in price_entries()
    ]
    _next_year(billing, entries)
    at("2020-10-27T10:00:00")
    answer = billing.huangpu.get(f"/splits/{YEAR + 1}/proposal")
    assert answer.status_code == 200, answer.text
    body = answer.get_json()
    assert (body["cover_year"], body["from_year"]) == (YEAR + 1, YEAR)
    rows = {(p["union_id"], p["type"]): p for p in body["proposals"]}
    assert set(rows) == {(None, "A"), (None, "A+"), (None, "B"), (None, "B+"), (U_HP1, "B")}
    assert rows[(None, "A")] == {
        "union_id": None,
        "type": "A",
        "district_share_fen": 0,
        "grassroots_share_fen": 1300,
        "last_district_share_fen": 0,
        "last_grassroots_share_fen": 1300,
        "saved_this_year": False,
        "why": f"按 {YEAR} 年度设置沿用",
    }
    bplus = rows[(None, "B+")]
    assert (bplus["district_share_fen"], bplus["grassroots_share_fen"]) == (6000, 5000)
    assert "区局缴纳由 50.00 元调整为 60.00 元" in bplus["why"]
    assert (rows[(U_HP1, "B")]["district_share_fen"], rows[(U_HP1, "B")]["grassroots_share_fen"]) == (5000, 0)
    # nothing saved by asking
    current = billing.huangpu.get(f"/splits/{YEAR + 1}").get_json()
    assert all(r["district_share_fen"] is None for r in current) and billing.events("billing.rates.published")

    # saved as proposed (the page sends the proposal's figures) — and then it is this year's
    types = {
        t: {
            "district_share": f"{rows[(None, t)]['district_share_fen'] / 100:.2f}",
            "grassroots_share": f"{rows[(None, t)]['grassroots_share_fen'] / 100:.2f}",
        }
        for t in ("A", "A+", "B", "B+")
    }
    r = billing.huangpu.put(f"/splits/{YEAR + 1}", json={"types": types})
    assert r.status_code == 200, r.text
    again = {
        (p["union_id"], p["type"]): p
        for p in billing.huangpu.get(f"/splits/{YEAR + 1}/proposal").get_json()["proposals"]
    }
    assert again[(None, "B+")]["saved_this_year"] and not again[(U_HP1, "B")]["saved_this_year"]
    saved = {r["type"]: r for r in billing.huangpu.get(f"/splits/{YEAR + 1}").get_json() if r["union_id"] is None}
    assert (saved["B+"]["district_share_fen"], saved["B+"]["grassroots_share_fen"]) == (6000, 5000)


def test_a_district_sees_only_its_own_and_the_centre_names_one(billing):
    set_splits(billing)
    _next_year(billing, price_entries())
    av = billing.aviation.get(f"/splits/{YEAR + 1}/proposal").get_json()["proposals"]
    assert [(p["type"], p["district_share_fen"]) for p in av] == [("A+", 6950)]
    assert billing.centre.get(f"/splits/{YEAR + 1}/proposal").status_code == 422
    centre = billing.centre.get(f"/splits/{YEAR + 1}/proposal?district_id={AVIATION}").get_json()
    assert centre["proposals"] == billing.aviation.get(f"/splits/{YEAR + 1}/proposal").get_json()["proposals"]
    assert billing.grassroots.get(f"/splits/{YEAR + 1}/proposal").status_code == 403
    missing = billing.huangpu.get(f"/splits/{YEAR + 2}/proposal")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "PRICES_NOT_SET"


def test_credit_left_over_is_carried_with_its_source(billing):
    """清算分配款 across the year boundary: what 2020 did not use is there in 2021, said to come
    from 2018's settlement meant for 2020 (decision 0043)."""
    from tests.services.billing.conftest import HUANGPU, U_HP2

    _next_year(billing, price_entries())
    for source, designated, amount in ((2018, YEAR, "300.00"), (2019, YEAR + 1, "50.00")):
        r = billing.centre.post(
            "/credits",
            json={"district_id": HUANGPU, "source_year": source, "designated_year": designated, "amount": amount},
        )
        assert r.status_code == 201, r.text
    set_splits(billing)  # 2020's batch: A+ 3 × 63.00 + A 2 × 13.00 = 215.00, all from the credit
    plus = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 3})
    a = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 2})
    billing.batch(HUANGPU, [(plus, U_HP1, "A+", {"centralised": 3}), (a, U_HP2, "A", {"centralised": 2})])
    this = billing.huangpu.get(f"/credits/available/{YEAR}").get_json()
    assert this["available_fen"] == 8500
    assert [(s["source_year"], s["left_fen"], s["carried"]) for s in this["sources"]] == [(2018, 8500, False)]
    nxt = billing.huangpu.get(f"/credits/available/{YEAR + 1}").get_json()
    assert nxt["available_fen"] == 8500 + 5000
    assert [(s["source_year"], s["used_fen"], s["left_fen"], s["carried"]) for s in nxt["sources"]] == [
        (2018, 21500, 8500, True),
        (2019, 0, 5000, False),
    ]
    assert nxt["sources"][0]["said"] == "2018 年度清算分配款（原指定 2020 年度抵扣，未用完结转） 85.00 元"
    assert billing.aviation.get(f"/credits/available/{YEAR + 1}").get_json()["sources"] == []
    assert billing.centre.get(f"/credits/available/{YEAR + 1}").status_code == 422
    assert billing.grassroots.get(f"/credits/available/{YEAR + 1}").status_code == 403
