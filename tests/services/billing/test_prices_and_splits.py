"""Price tables (centre) and premium splits (district): SPEC §4, issue 5 items 1–2."""

from __future__ import annotations

from tests.services.billing.conftest import AVIATION, HUANGPU, U_AV, U_HP1, YEAR, at, price_entries, set_splits


def test_2020_price_table_reads_back_exactly(billing):
    body = billing.grassroots.get(f"/price-tables/{YEAR}").json
    cells = {
        (e["type"], e["price_class"]): (e["premium_fen"], e["city_subsidy_fen"], e["special_city_subsidy_fen"])
        for e in body["entries"]
    }
    assert cells[("A", "centralised")] == (2600, 1300, 650)
    assert cells[("B+", "instant_first_half")] == (14000, 4000, 2250)
    assert cells[("B", "instant_second_half")] == (4500, 2000, 1100)
    assert cells[("A+", "instant_second_half")] == (3800, 650, 300)
    assert len(cells) == 12
    published = billing.events("billing.prices.published")
    assert len(published) == 1 and published[0]["version"] == 1 and published[0]["cover_year"] == YEAR
    assert {
        (e["type"], e["price_class"]): (e["premium_fen"], e["city_subsidy_fen"], e["special_city_subsidy_fen"])
        for e in published[0]["entries"]
    } == cells


def test_price_table_refuses_bad_amounts_and_changes_nothing(billing):
    before = billing.centre.get(f"/price-tables/{YEAR}").json
    for bad, message in ((26.5, "字符串或整数"), ("26.123", "两位小数"), ("-1", "负数"), ("二十六", "有效的数字")):
        entries = price_entries()
        entries[0]["premium"] = bad
        r = billing.centre.put(f"/price-tables/{YEAR}", json={"entries": entries})
        assert r.status_code == 422, r.text
        assert message in r.text
    r = billing.centre.put(f"/price-tables/{YEAR}", json={"entries": price_entries()[:-1]})
    assert r.status_code == 422 and "B+.instant_second_half" in r.json["error"]["fields"]
    assert billing.centre.get(f"/price-tables/{YEAR}").json == before
    assert billing.huangpu.put(f"/price-tables/{YEAR}", json={"entries": price_entries()}).status_code == 403


def test_split_outside_its_window_is_refused_with_the_window(billing):
    at("2019-11-01T09:00:00")
    r = billing.huangpu.put(
        f"/splits/{YEAR}", json={"types": {"A+": {"district_share": "63", "grassroots_share": "0"}}}
    )
    assert r.status_code == 409
    assert r.json["error"]["code"] == "OUTSIDE_WINDOW" and "2019-10-25 至 2019-10-31" in r.json["error"]["message"]
    rows = billing.huangpu.get(f"/splits/{YEAR}").json
    assert all(row["district_share_fen"] is None for row in rows)


def test_split_that_does_not_sum_is_refused_with_the_difference(billing):
    at("2019-10-25T00:00:00")
    r = billing.huangpu.put(
        f"/splits/{YEAR}",
        json={
            "types": {
                "A+": {"district_share": "60", "grassroots_share": "0"},
                "A": {"district_share": "0", "grassroots_share": "13"},
            }
        },
    )
    assert r.status_code == 422
    error = r.json["error"]
    assert error["code"] == "SPLIT_MISMATCH" and error["difference_fen"] == {"A+": 300}
    assert "还差 3.00 元" in error["fields"]["A+"][0]
    assert all(row["district_share_fen"] is None for row in billing.huangpu.get(f"/splits/{YEAR}").json)
    assert billing.events("billing.rates.published") == []
    for bad in (
        {"district_share": 63.0, "grassroots_share": "0"},
        {"district_share": "6x", "grassroots_share": "0"},
        {"district_share": "-63", "grassroots_share": "139"},
        {"district_share": "62.999", "grassroots_share": "0"},
    ):
        r = billing.huangpu.put(f"/splits/{YEAR}", json={"types": {"A+": bad}})
        assert r.status_code == 422, (bad, r.text)


def test_split_saved_publishes_rates_and_special_industry_pays_more(billing):
    set_splits(billing)
    rows = {r["type"]: r for r in billing.huangpu.get(f"/splits/{YEAR}").json if r["union_id"] is None}
    assert rows["A+"] == {
        "union_id": None,
        "type": "A+",
        "premium_fen": 7600,
        "city_subsidy_fen": 1300,
        "district_share_fen": 6300,
        "grassroots_share_fen": 0,
        "version": 1,
    }
    rates = billing.events("billing.rates.published")
    assert len(rates) == 4 * 3 + 3
    hp = {(r["type"], r["price_class"]): r for r in rates if r["district_id"] == HUANGPU}
    assert hp[("B", "instant_second_half")] == {
        "cover_year": YEAR,
        "district_id": HUANGPU,
        "union_id": None,
        "type": "B",
        "price_class": "instant_second_half",
        "premium_fen": 4500,
        "city_subsidy_fen": 2000,
        "district_share_fen": 1250,
        "grassroots_share_fen": 1250,
        "version": 1,
    }
    av = {(r["type"], r["price_class"]): r for r in rates if r["district_id"] == AVIATION}
    assert av[("A+", "centralised")]["city_subsidy_fen"] == 650
    assert av[("A+", "instant_second_half")]["city_subsidy_fen"] == 300
    assert av[("A+", "instant_second_half")]["district_share_fen"] == 3500
    # the ordinary subsidy would not fit the special district
    r = billing.aviation.put(
        f"/splits/{YEAR}", json={"types": {"A+": {"district_share": "63", "grassroots_share": "0"}}}
    )
    assert r.status_code == 422 and r.json["error"]["difference_fen"] == {"A+": 650}
    # a second save bumps the version
    billing.huangpu.put(f"/splits/{YEAR}", json={"types": {"A": {"district_share": "1", "grassroots_share": "12"}}})
    latest = [
        r
        for r in billing.events("billing.rates.published")
        if r["type"] == "A" and r["district_id"] == HUANGPU and r["price_class"] == "centralised"
    ]
    assert latest[-1]["version"] == 2 and latest[-1]["grassroots_share_fen"] == 1200


def test_union_override_in_scope_only(billing):
    set_splits(billing)
    r = billing.huangpu.put(
        f"/splits/{YEAR}/unions/{U_HP1}", json={"types": {"A+": {"district_share": "43", "grassroots_share": "20"}}}
    )
    assert r.status_code == 200, r.text
    rates = {(x["type"], x["price_class"]): x for x in billing.grassroots.get(f"/rates/{YEAR}").json["rates"]}
    assert rates[("A+", "centralised")]["grassroots_share_fen"] == 2000
    assert rates[("A", "centralised")]["grassroots_share_fen"] == 1300  # the district default still applies
    hidden = billing.huangpu.put(
        f"/splits/{YEAR}/unions/{U_AV}", json={"types": {"A+": {"district_share": "43", "grassroots_share": "20"}}}
    )
    missing = billing.huangpu.put(
        f"/splits/{YEAR}/unions/99999", json={"types": {"A+": {"district_share": "43", "grassroots_share": "20"}}}
    )
    assert hidden.status_code == missing.status_code == 404 and hidden.json == missing.json
    assert billing.grassroots.get(f"/rates/{YEAR}?union_id={U_AV}").json["union_id"] == U_HP1  # own union only
    assert billing.grassroots.put(f"/splits/{YEAR}", json={"types": {}}).status_code == 403
    assert billing.huangpu.get(f"/splits/{YEAR}?district_id={AVIATION}").json[0]["premium_fen"] == 2600
    assert billing.centre.get(f"/splits/{YEAR}?district_id={AVIATION}").json[1]["city_subsidy_fen"] == 650


def test_prices_fixed_once_split(billing):
    set_splits(billing)
    entries = price_entries()
    entries[0]["premium"] = "27"
    r = billing.centre.put(f"/price-tables/{YEAR}", json={"entries": entries})
    assert r.status_code == 409 and r.json["error"]["code"] == "PRICES_IN_USE"


def test_special_industry_flag_change_republishes_rates_that_still_sum(billing):
    set_splits(billing)
    before = len(billing.events("billing.rates.published"))
    billing.feed(
        "members.district.updated",
        {"district_id": HUANGPU, "name": "黄浦区总工会", "kind": "district", "special_industry": True, "version": 2},
        "members",
    )
    new = billing.events("billing.rates.published")[before:]
    assert len(new) == 4 * 3
    a = next(r for r in new if (r["type"], r["price_class"]) == ("A", "centralised"))
    # the city now pays 6.50 of A's 26: the grassroots share (13) stays, the district takes the rest
    assert (a["city_subsidy_fen"], a["district_share_fen"], a["grassroots_share_fen"], a["version"]) == (
        650,
        650,
        1300,
        2,
    )
    assert all(
        r["city_subsidy_fen"] + r["district_share_fen"] + r["grassroots_share_fen"] == r["premium_fen"] for r in new
    )
    # a late, older event changes nothing
    billing.feed(
        "members.district.updated",
        {"district_id": HUANGPU, "name": "黄浦区总工会", "kind": "district", "special_industry": False, "version": 1},
        "members",
    )
    assert len(billing.events("billing.rates.published")) == before + 12


def test_absurd_numbers_are_refused_not_crashed(billing):
    entries = price_entries()
    entries[0]["premium"] = "1" + "0" * 30
    assert billing.centre.put(f"/price-tables/{YEAR}", json={"entries": entries}).status_code == 422
    entries[0]["premium"] = "9" * 50
    assert billing.centre.put(f"/price-tables/{YEAR}", json={"entries": entries}).status_code == 422
    assert billing.centre.get("/price-tables/99999999999").status_code == 404
    assert billing.centre.get(f"/splits/{YEAR}?district_id=99999999999").status_code == 422
    assert billing.centre.get("/batches/99999999999").status_code == 404
    assert billing.centre.get("/ledger?batch_id=99999999999").status_code == 422
    r = billing.centre.post(
        "/credits", json={"district_id": 99999999999, "source_year": 2018, "designated_year": YEAR, "amount": "1"}
    )
    assert r.status_code == 422
    r = billing.centre.post(
        "/credits", json={"district_id": HUANGPU, "source_year": 2018, "designated_year": YEAR, "amount": "1e30"}
    )
    assert r.status_code == 422


def test_concurrent_split_saves_serialise_or_refuse_never_lose_a_version(billing):
    import threading

    from common.errors import Conflict
    from common.identity import Identity
    from services.billing.domain.split import Shares
    from services.billing.handlers import splits

    at("2019-10-28T10:00:00")
    who = Identity("clerk", "district", district_id=HUANGPU)
    outcomes = []

    def save(grassroots_fen):
        try:
            with billing.svc.runtime.uow() as uow:
                splits.set_split(uow, who, YEAR, {"A": Shares(1300 - grassroots_fen, grassroots_fen)})
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(n * 100,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 6 and set(outcomes) <= {"saved", "conflict"}
    versions = [r["version"] for r in billing.events("billing.rates.published") if r["price_class"] == "centralised"]
    assert sorted(versions) == list(range(1, outcomes.count("saved") + 1))


def test_a_quote_is_the_pricing_the_submission_then_gets(billing):
    """The confirmation screen's preview (试算) and the priced submission are one computation: the
    same counts give the same figures to the fen, half-year classes included."""
    set_splits(billing)
    at("2019-11-05T10:00:00")
    counts = {"instant_first_half": 3, "instant_second_half": 2}
    quote = billing.grassroots.post(f"/quotes/{YEAR}", json={"type": "B", "counts": counts})
    assert quote.status_code == 200, quote.text
    submission_id = billing.submit(U_HP1, HUANGPU, "B", counts, mode="instant")
    priced = billing.events("billing.submission.priced")[-1]
    assert priced["submission_id"] == submission_id
    for part in ("headcount", "premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen"):
        assert quote.json[part] == priced[part], part
    assert quote.json["premium_fen"] == 3 * 9000 + 2 * 4500
    assert quote.json["premium_fen"] == (
        quote.json["city_subsidy_fen"] + quote.json["district_share_fen"] + quote.json["grassroots_share_fen"]
    )
    # Scope: a union's quote is its own; another district's union is unknown to this district.
    assert (
        billing.huangpu.post(f"/quotes/{YEAR}", json={"type": "B", "counts": counts, "union_id": U_AV}).status_code
        == 404
    )
    bad = billing.grassroots.post(f"/quotes/{YEAR}", json={"type": "C", "counts": {"centralised": 1}})
    assert bad.status_code == 422


def test_a_split_change_after_submissions_is_refused_naming_them_and_nothing_changes(billing):
    """Late split rule (decision 0015): priced submissions keep the split they were priced at;
    changing it first needs them returned. A returned submission no longer blocks."""
    set_splits(billing)
    first = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 8})
    before = billing.huangpu.get(f"/splits/{YEAR}").json
    rates_before = len(billing.events("billing.rates.published"))
    at("2019-10-30T10:00:00")
    r = billing.huangpu.put(
        f"/splits/{YEAR}", json={"types": {"A+": {"district_share": "50", "grassroots_share": "13"}}}
    )
    assert r.status_code == 409, r.text
    error = r.json["error"]
    assert error["code"] == "SPLIT_LOCKED_BY_SUBMISSIONS" and error["submission_ids"] == [first]
    assert f"提交编号 {first}" in error["message"] and "A+类 8 人" in error["message"] and "退回" in error["message"]
    assert billing.huangpu.get(f"/splits/{YEAR}").json == before
    assert len(billing.events("billing.rates.published")) == rates_before
    # Another district is not blocked by Huangpu's submissions.
    r = billing.aviation.put(
        f"/splits/{YEAR}", json={"types": {"A+": {"district_share": "60", "grassroots_share": "9.50"}}}
    )
    assert r.status_code == 200, r.text
    # Returned, it no longer holds the split.
    billing.feed(
        "enrollment.submission.returned",
        {
            "submission_id": first,
            "union_id": U_HP1,
            "district_id": HUANGPU,
            "cover_year": YEAR,
            "mode": "centralised",
            "reason": "名单有误",
        },
    )
    r = billing.huangpu.put(
        f"/splits/{YEAR}", json={"types": {"A+": {"district_share": "50", "grassroots_share": "13"}}}
    )
    assert r.status_code == 200, r.text
