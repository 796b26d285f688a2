"""District review (集中参保审核), the to-submit list, batches (参保批次) and billing's events on them."""

from tests.services.enrollment.conftest import DISTRICT, HANDLER, UNION, UNION2, YEAR, at


def _two_submissions(season):
    season.members([1, 2, 3])
    season.members([11, 12], union_id=UNION2)
    a = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"}).get_json()
    at("2019-11-20T10:00:00")
    b = season.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "B"}).get_json()
    season.priced(a["id"], 3 * 7600, 3 * 1300, 3 * 6300)  # billing's answers
    season.priced(b["id"], 2 * 9000, 2 * 4000, 2 * 4000, 2 * 1000)
    return a, b


def test_pending_list_filters_by_union_name_code_time_and_type(season):
    a, b = _two_submissions(season)

    def ids(query):
        response = season.district.get("/submissions?status=submitted" + query)
        assert response.status_code == 200, response.get_json()
        return [i["id"] for i in response.get_json()["items"]]

    assert ids("") == [a["id"], b["id"]]
    assert ids("&union_name=乙物流") == [b["id"]]
    assert ids("&credit_code=91310101MA1FL00011") == [a["id"]]
    assert ids("&type=B") == [b["id"]]
    assert ids("&submitted_from=2019-11-06") == [b["id"]]
    assert ids("&submitted_to=2019-11-05") == [a["id"]]
    item = season.district.get("/submissions?status=submitted&type=A%2B").get_json()["items"][0]
    assert (item["union_name"], item["type"], item["headcount"], item["totals"]["premium_fen"]) == (
        "上海甲科技有限公司工会",
        "A+",
        3,
        22800,
    )
    assert season.other_district.get("/submissions").get_json()["total"] == 0


def test_return_with_reason_reopens_it_for_the_union(season):
    a, _ = _two_submissions(season)
    assert season.district.post(f"/submissions/{a['id']}/return", json={"reason": "  "}).status_code == 422
    returned = season.district.post(f"/submissions/{a['id']}/return", json={"reason": "名单有误，请核对"})
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    seen = season.grassroots.get(f"/submissions/{a['id']}").get_json()
    assert seen["status_text"] == "已退回" and seen["return_reason"] == "名单有误，请核对"
    assert season.grassroots.get(f"/confirmation?cover_year={YEAR}").get_json()["headcount"] == 3
    again = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"})
    assert again.status_code == 201 and again.get_json()["headcount"] == 3
    [event] = season.events("enrollment.submission.returned")
    returned_at = event["data"].pop("returned_at")  # when, so documents can leave it out of later notices
    assert returned_at.endswith("+08:00") and returned_at[:10] == seen["returned_at"][:10]
    assert event["data"] == {
        "submission_id": a["id"],
        "union_id": UNION,
        "district_id": DISTRICT,
        "cover_year": YEAR,
        "mode": "centralised",
        "sequence": a["sequence"],
        "headcount": a["headcount"],
        "reason": "名单有误，请核对",
    }


def test_another_district_cannot_act_on_a_submission_and_learns_nothing(season):
    a, _ = _two_submissions(season)
    for action, body in (("return", {"reason": "x"}), ("stage", {}), ("unstage", {})):
        hidden = season.other_district.post(f"/submissions/{a['id']}/{action}", json=body)
        missing = season.other_district.post(f"/submissions/999999/{action}", json=body)
        assert hidden.status_code == missing.status_code == 404 and hidden.get_json() == missing.get_json()
    assert season.grassroots.post(f"/submissions/{a['id']}/stage", json={}).status_code == 403
    assert season.count("SELECT status FROM submission WHERE id = :i", i=a["id"]) == "submitted"
    assert season.events("enrollment.submission.staged") == []


def test_stage_unstage_totals_credit_and_submit_make_a_batch_that_cannot_change(season):
    a, b = _two_submissions(season)
    season.feed(
        "billing.credit.available", {"district_id": DISTRICT, "cover_year": YEAR, "available_fen": 50000, "version": 1}
    )
    for sub in (a, b):
        assert season.district.post(f"/submissions/{sub['id']}/stage", json={}).get_json()["status"] == "staged"
    assert season.district.post(f"/submissions/{b['id']}/unstage", json={}).get_json()["status"] == "submitted"
    assert season.district.post(f"/submissions/{b['id']}/stage", json={}).status_code == 200
    listing = season.district.get(f"/to-submit?cover_year={YEAR}").get_json()
    assert listing["headcount"] == 5 and listing["credit_available_fen"] == 50000
    assert listing["totals"] == {
        "headcount": 5,
        "premium_fen": 3 * 7600 + 2 * 9000,
        "city_subsidy_fen": 3 * 1300 + 2 * 4000,
        "district_share_fen": 3 * 6300 + 2 * 4000,
        "grassroots_share_fen": 2 * 1000,
    }
    early = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER})
    assert early.status_code == 409 and "2019年12月28日至2019年12月31日" in early.get_json()["error"]["message"]
    at("2019-12-28T09:30:00")
    for bad, field in (
        ({**HANDLER, "email": "zhangsan@"}, "handler.email"),
        ({**HANDLER, "phone": "12345"}, "handler.phone"),
        ({**HANDLER, "name": " "}, "handler.name"),
    ):
        response = season.district.post("/batches", json={"cover_year": YEAR, "handler": bad})
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert season.count("SELECT count(*) FROM batch") == 0
    made = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER})
    assert made.status_code == 201, made.get_json()
    batch = made.get_json()
    assert batch["batch_no"] == "CB201912280001" and batch["headcount"] == 5
    assert batch["headcount_by_type"] == {"A+": 3, "B": 2} and batch["status_text"] == "待缴费"
    assert {s["status"] for s in batch["submissions"]} == {"in_batch"}
    [event] = season.events("enrollment.batch.submitted")
    assert event["data"]["batch_no"] == "CB201912280001" and event["data"]["handler"] == HANDLER
    assert sorted(s["headcount"] for s in event["data"]["submissions"]) == [2, 3]
    # After submission the batch does not change.
    for action, body in (("return", {"reason": "x"}), ("unstage", {}), ("stage", {})):
        locked = season.district.post(f"/submissions/{a['id']}/{action}", json=body)
        assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "BATCH_LOCKED"
    empty = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER})
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "NOTHING_TO_SUBMIT"
    assert season.count("SELECT count(*) FROM batch") == 1
    mine = season.grassroots.get(f"/submissions/{a['id']}").get_json()
    assert (mine["status_text"], mine["batch_no"]) == ("已提交市职保中心", "CB201912280001")
    assert season.grassroots.get("/submissions").get_json()["items"][0]["batch_no"] == "CB201912280001"


def test_batches_are_scoped_and_follow_billing_events_to_write_off(season):
    a, b = _two_submissions(season)
    for sub in (a, b):
        season.district.post(f"/submissions/{sub['id']}/stage", json={})
    at("2019-12-30T10:00:00")
    batch = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()
    hidden = season.other_district.get(f"/batches/{batch['id']}")
    assert hidden.status_code == 404 and hidden.get_json() == season.other_district.get("/batches/99999").get_json()
    assert season.grassroots.get("/batches").status_code == 403
    assert season.other_district.get("/batches").get_json()["total"] == 0
    season.feed(
        "billing.batch.priced",
        {
            "batch_id": batch["id"],
            "batch_no": batch["batch_no"],
            "district_id": DISTRICT,
            "cover_year": YEAR,
            "mode": "centralised",
            "headcount": 5,
            "by_type": [],
            "premium_fen": 40800,
            "city_subsidy_fen": 11900,
            "union_share_fen": 28900,
            "credit_applied_fen": 28900,
            "due_fen": 0,
            "pay_by": "2020-01-20",
            "handler": HANDLER,
        },
    )
    at("2020-01-05T10:00:00")
    season.feed(
        "billing.voucher.uploaded",
        {"batch_id": batch["id"], "amount_fen": 0, "paid_on": "2020-01-05", "uploaded_at": "2020-01-05T11:00:00+08:00"},
    )
    season.feed(
        "billing.batch.feedback_given",
        {"batch_id": batch["id"], "message": "金额已核对", "at": "2020-01-06T09:00:00+08:00"},
    )
    season.feed(
        "billing.batch.written_off",
        {
            "batch_id": batch["id"],
            "amount_fen": 0,
            "received_on": "2020-01-06",
            "bank_reference": "X1",
            "at": "2020-01-07T09:00:00+08:00",
        },
    )
    detail = season.district.get(f"/batches/{batch['id']}").get_json()
    assert (detail["status"], detail["due_fen"], detail["credit_applied_fen"], detail["pay_by"]) == (
        "written_off",
        0,
        28900,
        "2020-01-20",
    )
    assert detail["voucher_uploaded_at"].startswith("2020-01-05T11:00:00")
    assert detail["feedback_at"].startswith("2020-01-06T09:00") and detail["feedback_message"] == "金额已核对"
    assert detail["written_off_at"].startswith("2020-01-07T09:00")
    assert {s["status"] for s in detail["submissions"]} == {"paid"}
    assert season.count("SELECT count(*) FROM cover WHERE status = 'granted'") == 5
    [granted] = season.events("enrollment.cover.granted")
    assert granted["data"]["headcount"] == 5 and sorted(granted["data"]["submission_ids"]) == sorted([a["id"], b["id"]])
    # A late overdue notice cannot undo a write-off.
    season.feed(
        "billing.batch.overdue",
        {
            "batch_id": batch["id"],
            "batch_no": batch["batch_no"],
            "district_id": DISTRICT,
            "cover_year": YEAR,
            "due_fen": 0,
            "paid_fen": 0,
        },
    )
    assert season.district.get(f"/batches/{batch['id']}").get_json()["status"] == "written_off"
    listed = season.centre.get(f"/batches?district_id={DISTRICT}").get_json()
    assert listed["total"] == 1 and listed["items"][0]["batch_no"] == batch["batch_no"]


def _one_batch(season) -> dict:
    """Two submissions staged and sent as one batch."""
    a, b = _two_submissions(season)
    for sub in (a, b):
        season.district.post(f"/submissions/{sub['id']}/stage", json={})
    at("2019-12-30T10:00:00")
    return season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()


def test_a_batch_takes_its_payment_status_from_billing_vouchers_withdrawn_included(season):
    batch = _one_batch(season)
    path = f"/batches/{batch['id']}"
    season.feed(
        "billing.voucher.uploaded",
        {
            "batch_id": batch["id"],
            "voucher_id": 1,
            "amount_fen": 53700,
            "paid_on": "2020-01-05",
            "uploaded_at": "2020-01-05T11:00:00+08:00",
            "vouchers_total_fen": 53700,
            "payment_status": "voucher_uploaded",
        },
    )
    season.feed(
        "billing.batch.feedback_given",
        {
            "batch_id": batch["id"],
            "message": "尚差 93.00 元",
            "at": "2020-01-06T09:00:00+08:00",
            "payment_status": "feedback_given",
        },
    )
    assert season.district.get(path).get_json()["status_text"] == "职保中心已反馈"
    season.feed(
        "billing.voucher.uploaded",
        {
            "batch_id": batch["id"],
            "voucher_id": 2,
            "amount_fen": 9300,
            "paid_on": "2020-01-07",
            "uploaded_at": "2020-01-07T11:00:00+08:00",
            "vouchers_total_fen": 63000,
            "payment_status": "voucher_uploaded",
        },
    )
    assert season.district.get(path).get_json()["status_text"] == "凭证已上传"
    season.feed(
        "billing.voucher.withdrawn",
        {
            "batch_id": batch["id"],
            "voucher_id": 2,
            "amount_fen": 9300,
            "reason": "传错",
            "withdrawn_at": "2020-01-07T12:00:00+08:00",
            "vouchers_total_fen": 53700,
            "voucher_uploaded_at": "2020-01-05T11:00:00+08:00",
            "payment_status": "feedback_given",
        },
    )
    detail = season.district.get(path).get_json()
    assert (detail["status_text"], detail["voucher_uploaded_at"][:16]) == ("职保中心已反馈", "2020-01-05T11:00")
    season.feed(
        "billing.voucher.withdrawn",
        {
            "batch_id": batch["id"],
            "voucher_id": 1,
            "amount_fen": 53700,
            "reason": "重传",
            "withdrawn_at": "2020-01-07T12:05:00+08:00",
            "vouchers_total_fen": 0,
            "voucher_uploaded_at": None,
            "payment_status": "awaiting_payment",
        },
    )
    detail = season.district.get(path).get_json()
    assert (detail["status_text"], detail["voucher_uploaded_at"]) == ("待缴费", None)


def test_money_arriving_shows_billings_status_in_billings_words(season):
    batch = _one_batch(season)
    path = f"/batches/{batch['id']}"
    for status, words, paid in (("part_paid", "部分到账", 30000), ("paid", "已到账待核销", 53700)):
        season.feed(
            "billing.batch.payment_status_changed",
            {
                "batch_id": batch["id"],
                "payment_status": status,
                "payment_status_text": words,
                "paid_fen": paid,
                "at": "2020-01-08T10:00:00+08:00",
            },
        )
        detail = season.district.get(path).get_json()
        assert (detail["status"], detail["status_text"]) == (status, words)
        listed = season.district.get(f"/batches?status={status}").get_json()
        assert [x["status_text"] for x in listed["items"]] == [words]
    # a later voucher event with billing's words: the words shown are the event's, as said
    season.feed(
        "billing.batch.feedback_given",
        {
            "batch_id": batch["id"],
            "message": "已到账，待核销",
            "at": "2020-01-09T09:00:00+08:00",
            "payment_status": "paid",
            "payment_status_text": "已到账待核销",
        },
    )
    assert season.district.get(path).get_json()["status_text"] == "已到账待核销"


def test_overdue_batch_fails_and_its_members_can_only_enrol_instantly(season):
    season.members([1, 2])
    sub = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}).get_json()
    season.district.post(f"/submissions/{sub['id']}/stage", json={})
    at("2019-12-29T10:00:00")
    batch = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()
    at("2020-01-21T00:30:00")
    season.feed(
        "billing.batch.overdue",
        {
            "batch_id": batch["id"],
            "batch_no": batch["batch_no"],
            "district_id": DISTRICT,
            "cover_year": YEAR,
            "due_fen": 2600,
            "paid_fen": 0,
        },
    )
    detail = season.district.get(f"/batches/{batch['id']}").get_json()
    assert detail["status"] == "failed" and detail["submissions"][0]["status"] == "failed"
    assert season.count("SELECT count(*) FROM cover WHERE status = 'failed'") == 2
    [failed] = season.events("enrollment.cover.failed")
    assert failed["data"]["submission_ids"] == [sub["id"]] and failed["data"]["headcount"] == 2
    central = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"})
    assert central.status_code == 409 and central.get_json()["error"]["code"] == "OUTSIDE_WINDOW"
    instant = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "no_cover"}
    )
    assert instant.status_code == 201 and instant.get_json()["headcount"] == 2
    members = season.grassroots.get(f"/submissions/{instant.get_json()['id']}").get_json()["members"]
    assert {m["cover_start"] for m in members} == {"2020-01-22"} and {m["half_or_full"] for m in members} == {"全年"}


def test_events_for_an_unknown_batch_are_dead_lettered_not_applied(season):
    import pytest

    from common.bus import PermanentFailure

    with pytest.raises(PermanentFailure):
        season.feed(
            "billing.batch.written_off",
            {
                "batch_id": 424242,
                "amount_fen": 1,
                "received_on": "2020-01-06",
                "bank_reference": "X",
                "at": "2020-01-07T09:00:00+08:00",
            },
        )
    with pytest.raises(PermanentFailure):
        season.feed("members.member.card_issued", {"member_id": "x"})


def test_every_amount_shown_is_billings_figure_never_a_second_computation(season):
    """One truth: whatever billing priced a submission at (here figures no rate table gives) is what
    the union's list, the district's pending and to-submit lists and the detail show."""
    season.members([1, 2])
    sub = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"}).get_json()
    season.priced(sub["id"], 15200, 2600, 10601, 1999)
    expected = {
        "headcount": 2,
        "premium_fen": 15200,
        "city_subsidy_fen": 2600,
        "district_share_fen": 10601,
        "grassroots_share_fen": 1999,
    }
    assert season.grassroots.get("/submissions").get_json()["items"][0]["totals"] == expected
    assert season.grassroots.get(f"/submissions/{sub['id']}").get_json()["totals"] == expected
    assert season.district.get("/submissions?status=submitted").get_json()["items"][0]["totals"] == expected
    season.district.post(f"/submissions/{sub['id']}/stage", json={})
    assert season.district.get(f"/to-submit?cover_year={YEAR}").get_json()["totals"] == expected


def test_malformed_requests_get_specific_4xx_never_500(season):
    a, _ = _two_submissions(season)
    no_body = season.district.post(f"/submissions/{a['id']}/stage")
    assert no_body.status_code in (200, 422), no_body.get_json()
    broken = season.district.post(f"/submissions/{a['id']}/return", data="{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "MALFORMED_JSON"
    for body in ([], {"cover_year": "x", "handler": "y"}, {"cover_year": YEAR, "handler": {"name": 1}}):
        response = season.district.post("/batches", json=body)
        assert response.status_code == 422, response.get_json()
    assert (
        season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": ["x"]}).status_code
        == 422
    )
    assert season.grassroots.get("/confirmation").status_code == 422
    assert season.count("SELECT count(*) FROM batch") == 0


def test_a_submission_opens_to_its_people_paged_and_searchable_and_lists_find_a_batch_by_part_of_its_number(season):
    a, _b = _two_submissions(season)
    page = season.district.get(f"/submissions/{a['id']}?per_page=2").get_json()
    assert page["members_total"] == 3 and [m["name"] for m in page["members"]] == ["会员1", "会员2"]
    by_name = season.district.get(f"/submissions/{a['id']}?search=会员3").get_json()
    assert by_name["members_total"] == 1 and [m["name"] for m in by_name["members"]] == ["会员3"]
    # ID numbers are kept sealed: found whole (by the blind index) or by the last four (masked form)
    by_last4 = season.district.get(f"/submissions/{a['id']}?search=0002").get_json()
    assert [m["name"] for m in by_last4["members"]] == ["会员2"]
    whole = season.id_number(2)
    by_whole = season.district.get(f"/submissions/{a['id']}?search= {whole.lower()} ").get_json()
    assert [m["name"] for m in by_whole["members"]] == ["会员2"] and by_whole["members"][0]["id_number"] == whole[
        :4
    ] + "*" * 10 + whole[-4:]
    assert season.district.get(f"/submissions/{a['id']}?search={whole[4:14]}").get_json()["members_total"] == 0
    assert season.district.get(f"/submissions/{a['id']}?search=nobody").get_json()["members_total"] == 0
    season.district.post(f"/submissions/{a['id']}/stage", json={})
    at("2019-12-28T09:30:00")
    batch = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()
    part = batch["batch_no"][:10].lower()  # typed in part, in lower case
    found = season.district.get(f"/batches?batch_no={part}").get_json()
    assert [x["batch_no"] for x in found["items"]] == [batch["batch_no"]]
    assert season.district.get("/batches?batch_no=JB").get_json()["total"] == 0
    mine = season.grassroots.get(f"/submissions?batch_no={part}").get_json()
    assert [x["id"] for x in mine["items"]] == [a["id"]]
    assert season.grassroots2.get(f"/submissions?batch_no={part}").get_json()["total"] == 0
