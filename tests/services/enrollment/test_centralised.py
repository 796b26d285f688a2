"""Centralised enrolment by a grassroots union (集中参保办理): cover years, the confirmation list,
the type chosen once, submitting and resubmitting, and refusals that change nothing."""

from common.db import envelope
from services.enrollment.handlers import read_models
from tests.services.enrollment.conftest import DISTRICT, UNION, UNION2, YEAR, at, published_id


def test_centre_configures_the_year_and_it_is_published(enrol):
    body = enrol.year()
    assert body["grassroots_window"] == ["2019-11-01", "2019-12-27"] and body["version"] == 1
    assert enrol.grassroots.get(f"/cover-years/{YEAR}").get_json()["card_cutoff"] == "2019-12-31"
    [event] = enrol.events("enrollment.cover_year.configured")
    assert event["data"]["payment_deadline"] == "2020-01-20" and event["data"]["claims_deadline"] == "2021-12-31"
    assert event["data"]["district_submit_window"] == ["2019-12-28", "2019-12-31"]
    again = enrol.year(payment_deadline="2020-01-21")
    assert again["version"] == 2 and enrol.events("enrollment.cover_year.configured")[-1]["data"]["version"] == 2


def test_instant_payment_days_default_kept_when_omitted_and_published(enrol):
    """即时参保划款期限 (decision 0018): 15 days unless set; a PUT without it keeps the year's setting."""
    assert enrol.year()["instant_payment_days"] == 15
    assert enrol.year(instant_payment_days=10)["instant_payment_days"] == 10
    assert enrol.year(payment_deadline="2020-01-21")["instant_payment_days"] == 10
    assert [e["data"]["instant_payment_days"] for e in enrol.events("enrollment.cover_year.configured")] == [15, 10, 10]
    from tests.services.enrollment.conftest import TIMELINE

    for bad in (0, 91, "x"):
        refused = enrol.centre.put(f"/cover-years/{YEAR}", json={**TIMELINE, "instant_payment_days": bad})
        assert refused.status_code == 422 and "instant_payment_days" in refused.get_json()["error"]["fields"]


def test_only_the_centre_configures_and_a_bad_timeline_is_refused_per_field(enrol):
    from tests.services.enrollment.conftest import TIMELINE

    assert enrol.district.put(f"/cover-years/{YEAR}", json=TIMELINE).status_code == 403
    bad = enrol.centre.put(
        f"/cover-years/{YEAR}",
        json={**TIMELINE, "grassroots_window": ["2019-12-27", "2019-11-01"], "card_cutoff": "2020-02-01"},
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"grassroots_window", "card_cutoff"}
    assert enrol.centre.get(f"/cover-years/{YEAR}").status_code == 404
    assert enrol.events("enrollment.cover_year.configured") == []


def test_confirmation_lists_exactly_the_eligible_members_with_the_columns_and_counts(season):
    season.members([1, 2, 3])  # eligible
    season.member(4, card_issued_on=None, event="approved")  # no card
    season.member(5, card_issued_on="2020-01-05")  # card after the cut-off
    season.member(6, removed=True, event="removed")  # 人口办剔除
    season.member(7, status="pending", event="registered")  # not approved
    season.member(8, union_id=UNION2)  # another union
    season.member(9, status="left", union_id=None, event="transferred_out")
    page = season.grassroots.get(f"/confirmation?cover_year={YEAR}&type=A%2B")
    assert page.status_code == 200, page.get_json()
    body = page.get_json()
    assert [m["member_id"] for m in body["items"]] == [1, 2, 3] and body["headcount"] == 3
    row = body["items"][0]
    assert (
        row["name"],
        row["id_type"],
        row["card_number"],
        row["cover_start"],
        row["cover_end"],
        row["half_or_full"],
    ) == ("会员1", "resident", "6222********0001", "2020-01-01", "2020-12-31", "全年")
    # PIPL: the list masks ID and card numbers (the member's own detail in members has them in full)
    assert row["id_number"] == "3101**********0001"
    # Money is billing's to say (POST /billing/quotes with these counts): no totals of our own.
    assert body["counts"] == {"centralised": 3} and "totals" not in body
    assert body["pay_by"] == "2019-12-27"
    assert body["chosen_type"] is None and body["window"]["open"] is True


def test_outside_the_window_submitting_is_refused_with_the_window_and_nothing_changes(season):
    season.members([1, 2])
    for moment in ("2019-10-31T23:59:00", "2019-12-28T00:00:00"):
        at(moment)
        response = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"})
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert error["code"] == "OUTSIDE_WINDOW" and "2019年11月01日至2019年12月27日" in error["message"]
    assert season.count("SELECT count(*) FROM submission") == 0
    assert season.count("SELECT count(*) FROM cover") == 0 and season.count("SELECT count(*) FROM type_choice") == 0
    assert season.events("enrollment.submission.submitted") == []


def test_submit_then_resubmit_accumulates_and_the_type_is_chosen_once(season):
    season.members([1, 2, 3])
    first = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["headcount"] == 3 and first.get_json()["status"] == "submitted"
    assert first.get_json()["totals"] is None and first.get_json()["priced"] is False  # 计价中
    season.priced(first.get_json()["id"], 22800, 3900, 18900)
    shown = season.grassroots.get(f"/submissions/{first.get_json()['id']}").get_json()
    assert (
        shown["totals"]
        == {
            "headcount": 3,
            "premium_fen": 22800,
            "city_subsidy_fen": 3900,
            "district_share_fen": 18900,
            "grassroots_share_fen": 0,
        }
        and shown["priced"]
    )
    other_type = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "B"})
    assert other_type.status_code == 409 and other_type.get_json()["error"]["code"] == "COVER_TYPE_ALREADY_CHOSEN"
    season.members([4, 5])
    listed = season.grassroots.get(f"/confirmation?cover_year={YEAR}").get_json()
    assert listed["chosen_type"] == "A+" and [m["member_id"] for m in listed["items"]] == [4, 5]
    second = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"})
    assert second.status_code == 201 and second.get_json()["headcount"] == 2 and second.get_json()["sequence"] == 2
    events = season.events("enrollment.submission.submitted")
    assert [e["data"]["headcount"] for e in events] == [3, 2]
    assert [e["data"]["union_headcount_total"] for e in events] == [3, 5]
    assert events[0]["data"]["counts"] == {"centralised": 3} and events[0]["data"]["type"] == "A+"
    assert events[0]["data"]["district_id"] == DISTRICT and events[0]["data"]["mode"] == "centralised"
    covers = [e["data"] for e in season.events("enrollment.covers.recorded")]  # documents' 参保凭证
    assert [(c["submission_id"], c["part"], c["parts"]) for c in covers] == [
        (events[0]["data"]["submission_id"], 1, 1),
        (events[1]["data"]["submission_id"], 1, 1),
    ]
    assert [m["member_id"] for m in covers[1]["covers"]] == [4, 5] and covers[1]["type"] == "A+"
    assert covers[0]["covers"][0]["cover_start"] == "2020-01-01" and covers[0]["covers"][0]["name"]
    nothing_left = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"})
    assert nothing_left.status_code == 422 and nothing_left.get_json()["error"]["code"] == "NOTHING_TO_SUBMIT"
    assert season.count("SELECT count(*) FROM submission") == 2


def test_naming_an_ineligible_member_refuses_the_whole_submission_with_reasons(season):
    season.members([1, 2])
    season.member(3, card_issued_on=None, event="approved")
    season.member(4, card_issued_on="2020-02-01")
    season.member(5, removed=True, event="removed")
    season.member(6, union_id=UNION2)
    season.member(7, union_id=UNION2)
    assert season.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "A"}).status_code == 201
    season.member(7, union_id=UNION, event="transferred_in")  # covered by union 2 already
    response = season.grassroots.post(
        "/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": [1, 3, 4, 5, 6, 7, 999]}
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "MEMBER_NOT_ELIGIBLE"
    messages = dict(m.split(": ", 1) for m in error["fields"]["member_ids"])
    assert messages == {
        "3": "该会员未办理会员服务卡",
        "4": "该会员在办卡截止日之后办卡，不能参加集中参保，请办理新办卡人员即时参保",
        "5": "该会员已被人口办剔除",
        "6": "未查到该会员信息",
        "7": "该会员本保障年度已参保",
        "999": "未查到该会员信息",
    }
    assert season.count("SELECT count(*) FROM submission WHERE union_id = :u", u=UNION) == 0
    assert season.count("SELECT count(*) FROM type_choice WHERE union_id = :u", u=UNION) == 0
    chosen = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": [2]})
    assert chosen.status_code == 201 and chosen.get_json()["headcount"] == 1


def test_a_member_covered_by_one_union_is_not_listed_by_the_next(season):
    season.member(1, union_id=UNION2)
    assert season.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "B"}).status_code == 201
    season.member(1, union_id=UNION, event="transferred_in")
    assert season.grassroots.get(f"/confirmation?cover_year={YEAR}").get_json()["headcount"] == 0
    refused = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "NOTHING_TO_SUBMIT"


def test_roles_outside_grassroots_cannot_submit_and_other_unions_submissions_are_hidden(season):
    season.members([1])
    sub = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}).get_json()
    assert season.district.post("/submissions", json={"cover_year": YEAR, "type": "A"}).status_code == 403
    hidden = season.grassroots2.get(f"/submissions/{sub['id']}")
    missing = season.grassroots2.get("/submissions/99999")
    assert hidden.status_code == missing.status_code == 404 and hidden.get_json() == missing.get_json()
    assert season.foreign.get("/submissions").get_json()["total"] == 0
    assert season.grassroots.get("/submissions").get_json()["total"] == 1
    assert season.centre.get(f"/submissions/{sub['id']}").status_code == 200


def test_unknown_fields_and_bad_types_are_refused(season):
    bad = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "C", "colour": "red"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"type", "colour"}
    instant = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A", "mode": "instant"})
    assert instant.status_code == 422 and "kind" in instant.get_json()["error"]["fields"]
    assert season.grassroots.post("/submissions", json={"cover_year": 2031, "type": "A"}).status_code == 404


def test_read_model_keeps_the_newest_member_snapshot(season):
    season.member(1)
    season.member(1, removed=True, event="removed")

    stale = envelope(
        "members.member.card_issued",
        {
            "member_id": 1,
            "union_id": UNION,
            "district_id": DISTRICT,
            "name": "旧",
            "id_type": "resident",
            **published_id("x"),
            "status": "normal",
            "card_number": "1",
            "card_issued_on": "2019-01-01",
            "card_recorded_at": None,
            "removed": False,
            "version": 1,
        },
        "members",
    )
    with season.svc.runtime.uow() as uow:
        read_models.record_member_when_member_changed(uow, stale)
        uow.commit()
    assert season.count("SELECT removed FROM member_view WHERE member_id = 1") is True
    assert season.grassroots.get(f"/confirmation?cover_year={YEAR}").get_json()["headcount"] == 0


def test_every_deadline_of_the_year_has_its_own_name_and_date(season):
    """One truth for dates: the cover year names each deadline; no two share a label."""
    deadlines = season.grassroots.get(f"/cover-years/{YEAR}").get_json()["deadlines"]
    by_key = {d["key"]: (d["label"], d["date"]) for d in deadlines}
    assert by_key["grassroots_end"] == ("基层工会提交及划款至区局截止", "2019-12-27")
    assert by_key["payment_deadline"] == ("区局缴费至市职保中心截止", "2020-01-20")
    assert by_key["claims_deadline"] == ("给付申请材料截止", "2021-12-31")
    assert len({d["label"] for d in deadlines}) == len(deadlines) == 6
    assert [d["date"] for d in deadlines] == sorted(d["date"] for d in deadlines)


def test_the_confirmation_list_says_when_member_changes_are_still_on_their_way(season):
    """名单同步中… (issue 16): the answer carries whether member events wait in enrollment's queue,
    as the broker (here the file-system transport) last said; never waiting for it."""
    import time

    from common.config import BusSettings, data_dir
    from services.enrollment.adapters import member_lag

    season.members([1, 2])
    queue = BusSettings().queue_name("enrollment", "members")
    folder = data_dir() / "bus" / "messages"
    folder.mkdir(parents=True, exist_ok=True)
    waiting = [folder / f"test-{n}.{queue}.msg" for n in range(3)]

    def answer_once_looked(expected_behind):
        deadline = time.monotonic() + 10
        while True:
            member_lag._state["at"] = float("-inf")  # look again now, not in 5 s
            body = season.grassroots.get(f"/confirmation?cover_year={YEAR}").get_json()
            if body["members_behind"] is expected_behind or time.monotonic() > deadline:
                return body
            time.sleep(0.05)

    try:
        for path in waiting:
            path.write_text("{}")
        body = answer_once_looked(True)
        assert (body["members_behind"], body["members_pending_events"]) == (True, 3)
        assert body["headcount"] == 2  # the list itself is what the read model holds
    finally:
        for path in waiting:
            path.unlink(missing_ok=True)
    body = answer_once_looked(False)
    assert (body["members_behind"], body["members_pending_events"]) == (False, 0)


def test_member_snapshots_of_one_consumer_batch_are_written_together_and_the_newest_wins(season):
    """The consumer hands a batch of deliveries to its handlers (uow.batch): the member snapshots
    are written in one statement, out-of-order versions resolved as one by one (issue 16)."""
    record_member_when_member_changed = read_models.record_member_when_member_changed

    season.member(1)  # version 1, carded, normal

    def snapshot(member_id, version, status):
        return envelope(
            "members.member.updated",
            {
                "member_id": member_id,
                "union_id": UNION,
                "district_id": 10,
                "name": f"会员{member_id}",
                "id_type": "resident",
                **published_id(f"3101011990010{member_id:05d}"),
                "member_no": None,
                "status": status,
                "card_number": "6222000000000001",
                "card_issued_on": "2019-06-01",
                "card_recorded_at": None,
                "removed": False,
                "version": version,
            },
            "members",
        )

    batch = [snapshot(1, 3, "left"), snapshot(1, 2, "normal"), snapshot(2, 1, "normal"), snapshot(1, 1, "normal")]
    with season.svc.runtime.uow() as uow:
        uow.batch = batch
        for event in batch:
            record_member_when_member_changed(uow, event)
        uow.commit()
    assert season.count("SELECT status FROM member_view WHERE member_id = 1") == "left"  # version 3
    assert season.count("SELECT version FROM member_view WHERE member_id = 1") == 3
    assert season.count("SELECT count(*) FROM member_view WHERE member_id = 2") == 1
    # a later, older snapshot alone changes nothing
    with season.svc.runtime.uow() as uow:
        record_member_when_member_changed(uow, snapshot(1, 2, "normal"))
        uow.commit()
    assert season.count("SELECT status FROM member_view WHERE member_id = 1") == "left"
