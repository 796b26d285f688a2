"""Instant enrolment (即时参保) from 1 January: card holders without cover and new card holders,
cover periods, half-year price class, district review and JB batches."""

from tests.services.enrollment.conftest import HANDLER, YEAR, at


def test_instant_is_refused_before_cover_starts(season):
    season.member(1, card_issued_on="2019-12-31")
    response = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "no_cover"}
    )
    assert response.status_code == 409 and "2020年01月01日至2020年12月31日" in response.get_json()["error"]["message"]


def test_new_card_holders_first_half_full_price_from_the_day_after_the_card(season):
    at("2020-03-10T10:00:00")
    season.member(1, card_issued_on="2020-03-02", card_recorded_at="2020-03-02T15:00:00+08:00")
    season.member(2, card_issued_on="2019-05-01")  # an old card: not a new card holder
    page = season.grassroots.get(f"/confirmation?cover_year={YEAR}&mode=instant&kind=new_card&type=B").get_json()
    assert [m["member_id"] for m in page["items"]] == [1]
    assert (page["items"][0]["cover_start"], page["items"][0]["cover_end"], page["items"][0]["half_or_full"]) == (
        "2020-03-03",
        "2020-12-31",
        "全年",
    )
    assert page["counts"] == {"instant_first_half": 1} and page["pay_by"] is None
    assert page["instant_payment_days"] == 15  # billing dates it once submitted (decision 0018)
    wrong = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "B", "mode": "instant", "kind": "new_card", "member_ids": [2]}
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["fields"]["member_ids"] == [
        "2: 该会员在办卡截止日之前已办卡，请办理有卡无保人员即时参保"
    ]
    sub = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "B", "mode": "instant", "kind": "new_card"}
    )
    assert sub.status_code == 201 and sub.get_json()["counts"] == {"instant_first_half": 1}
    event = season.events("enrollment.submission.submitted")[-1]["data"]
    assert event["mode"] == "instant" and event["counts"] == {"instant_first_half": 1}


def test_second_half_is_half_price_and_no_cover_holders_start_the_day_after_processing(season):
    at("2020-08-15T16:00:00")
    season.member(1, card_issued_on="2020-07-20", card_recorded_at="2020-07-21T09:00:00+08:00")
    season.member(2, card_issued_on="2019-03-01")
    new = season.grassroots.get(f"/confirmation?cover_year={YEAR}&mode=instant&kind=new_card&type=A%2B").get_json()
    assert new["items"][0]["cover_start"] == "2020-07-22" and new["items"][0]["half_or_full"] == "半年"
    assert new["counts"] == {"instant_second_half": 1}
    old = season.grassroots.get(f"/confirmation?cover_year={YEAR}&mode=instant&kind=no_cover").get_json()
    assert [(m["member_id"], m["cover_start"], m["half_or_full"]) for m in old["items"]] == [(2, "2020-08-16", "半年")]


def test_instant_enrolments_are_reviewed_and_batched_as_jb(season):
    at("2020-02-10T10:00:00")
    season.members([1, 2], card_issued_on="2020-02-01")
    sub = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "new_card"}
    ).get_json()
    pending = season.district.get("/submissions?status=submitted&mode=instant").get_json()
    assert [i["id"] for i in pending["items"]] == [sub["id"]]
    assert season.district.post(f"/submissions/{sub['id']}/stage", json={}).status_code == 200
    listing = season.district.get(f"/to-submit?cover_year={YEAR}&mode=instant").get_json()
    assert listing["headcount"] == 2 and listing["totals"] is None and listing["prices_pending"]
    season.priced(sub["id"], 5200, 2600, 2600, pay_by=None)
    listing = season.district.get(f"/to-submit?cover_year={YEAR}&mode=instant").get_json()
    assert listing["totals"]["premium_fen"] == 5200 and not listing["prices_pending"]
    assert season.district.get(f"/to-submit?cover_year={YEAR}").get_json()["headcount"] == 0
    batch = season.district.post("/batches", json={"cover_year": YEAR, "mode": "instant", "handler": HANDLER})
    assert batch.status_code == 201 and batch.get_json()["batch_no"] == "JB202002100001"
    # A member instantly enrolled is covered: a second instant enrolment finds nobody.
    again = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "new_card"}
    )
    assert again.status_code == 422


def test_instant_uses_the_type_the_union_chose_for_the_year(season):
    season.members([1])
    assert season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "B+"}).status_code == 201
    at("2020-04-01T10:00:00")
    season.member(2, card_issued_on="2020-03-30")
    other = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "new_card"}
    )
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "COVER_TYPE_ALREADY_CHOSEN"


def test_a_card_issued_after_today_or_after_the_year_is_not_instantly_enrolled(season):
    at("2020-05-10T10:00:00")
    season.member(1, card_issued_on="2020-05-01")
    season.member(2, card_issued_on="2026-11-27")  # recorded under another clock (e.g. demo data)
    page = season.grassroots.get(f"/confirmation?cover_year={YEAR}&mode=instant&kind=new_card").get_json()
    assert [m["member_id"] for m in page["items"]] == [1]
    refused = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "new_card", "member_ids": [2]}
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["member_ids"] == [
        "2: 该会员的办卡日期晚于今天或晚于本保障年度，不能即时参保"
    ]
