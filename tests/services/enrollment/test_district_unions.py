"""The district's unions and this year's enrolment (基层工会 page, issue 27 item 6): who has not
submitted, who was returned, who owes — scoped to the district, paged, counted per state."""

from tests.services.enrollment.conftest import DISTRICT, HANDLER, UNION, UNION2, YEAR, at

PATH = f"/cover-years/{YEAR}/district-unions"


def _more_unions(enrol, n: int) -> list[int]:
    ids = []
    for i in range(n):
        union_id = 300 + i
        enrol.feed(
            "members.union.registered",
            {
                "union_id": union_id,
                "name": f"上海丁{i:02d}有限公司工会",
                "credit_code": f"91310101MA2FL{i:05d}",
                "district_id": DISTRICT,
                "contact_person": "联系人",
                "phone": "13800000000",
                "version": 1,
            },
        )
        ids.append(union_id)
    return ids


def _get(client, query: str = "") -> dict:
    response = client.get(PATH + query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_states_counts_and_money_follow_submissions_returns_and_billing(season):
    others = _more_unions(season, 3)
    season.members([1, 2, 3])
    season.members([11, 12], union_id=UNION2)
    a = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"}).get_json()
    b = season.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "B"}).get_json()
    season.priced(a["id"], 3 * 7600, 3 * 1300, 3 * 6300, 0)
    season.priced(b["id"], 2 * 9000, 2 * 4000, 2 * 4000, 2 * 1000)

    page = _get(season.district)
    assert page["counts"] == {"all": 5, "not_submitted": 3, "returned": 0, "submitted": 2, "owing": 1}
    rows = {i["union_id"]: i for i in page["items"]}
    assert set(rows) == {UNION, UNION2, *others}
    assert (rows[UNION2]["due_fen"], rows[UNION2]["paid_fen"], rows[UNION2]["owing_fen"]) == (2000, 0, 2000)
    assert rows[UNION2]["headcount"] == 2 and rows[UNION2]["state_text"] == "已提交"
    assert rows[UNION2]["submission_status_text"] == "待区局审核"
    assert rows[others[0]]["state"] == "not_submitted" and rows[others[0]]["due_fen"] == 0

    # returned: the union's money is no longer owed, and it is listed as 已退回 with the reason
    at("2019-12-02T10:00:00")
    assert season.district.post(f"/submissions/{a['id']}/return", json={"reason": "名单有误"}).status_code == 200
    returned = _get(season.district, "?state=returned")
    assert returned["total"] == 1 and [i["union_id"] for i in returned["items"]] == [UNION]
    assert returned["items"][0]["return_reason"] == "名单有误" and returned["items"][0]["due_fen"] == 0
    assert [i["union_id"] for i in _get(season.district, "?state=owing")["items"]] == [UNION2]
    assert [i["union_id"] for i in _get(season.district, "?state=not_submitted")["items"]] == others

    # the union's share is paid once its batch's money arrived in full (billing's status)
    season.district.post(f"/submissions/{b['id']}/stage", json={})
    at("2019-12-30T10:00:00")
    batch = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()
    for status, words in (("part_paid", "部分到账"), ("paid", "已到账待核销")):
        season.feed(
            "billing.batch.payment_status_changed",
            {
                "batch_id": batch["id"],
                "payment_status": status,
                "payment_status_text": words,
                "paid_fen": 1,
                "at": "2020-01-08T10:00:00+08:00",
            },
        )
        row = _get(season.district, f"?union_ids={UNION2}")["items"][0]
        assert (row["paid_fen"], row["owing_fen"]) == ((0, 2000) if status == "part_paid" else (2000, 0))
    assert _get(season.district)["counts"]["owing"] == 0


def test_a_district_sees_only_its_own_unions(season):
    foreign = _get(season.other_district)
    assert foreign["counts"]["all"] == 1 and [i["name"] for i in foreign["items"]] == ["上海丙贸易有限公司工会"]
    # naming another district's union, or another district_id, changes nothing
    assert _get(season.other_district, f"?union_ids={UNION},{UNION2}")["items"] == []
    assert _get(season.other_district, f"?district_id={DISTRICT}")["counts"]["all"] == 1
    assert season.grassroots.get(PATH).status_code == 403
    # the centre names the district it reads
    assert season.centre.get(PATH).status_code == 422
    assert _get(season.centre, f"?district_id={DISTRICT}")["counts"]["all"] == 2


def test_pages_are_bounded_sorted_and_searchable(season):
    _more_unions(season, 12)
    first = _get(season.district, "?per_page=5")
    second = _get(season.district, "?per_page=5&page=3")
    assert first["total"] == second["total"] == 14 and len(first["items"]) == 5 and len(second["items"]) == 4
    names = [i["name"] for i in first["items"]]
    assert names == sorted(names)
    assert season.district.get(PATH + "?per_page=201").status_code == 422
    assert season.district.get(PATH + "?state=nobody").status_code == 422
    assert season.district.get(PATH + "?union_ids=" + ",".join(str(i) for i in range(1, 202))).status_code == 422
    assert [i["union_id"] for i in _get(season.district, "?name=乙物流")["items"]] == [UNION2]
    assert [i["union_id"] for i in _get(season.district, "?name=91310101MA1FL00011")["items"]] == [UNION]
    assert _get(season.district, "?name=%25")["total"] == 0  # a LIKE wildcard is a character
    assert season.district.get("/cover-years/2099/district-unions").status_code == 404
