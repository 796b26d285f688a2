"""本年度与上年度对比 (decision 0043): a union's 2021 list against the covers it enrolled in 2020 —
again, new with why, gone with why — in the answer, the workbook, and per union for the district."""

import io

from openpyxl import load_workbook

from tests.services.enrollment.conftest import UNION, UNION2, YEAR, at


def _next_year(enrol) -> None:
    at("2020-09-01T09:00:00")
    timeline = enrol.centre.get(f"/cover-years/{YEAR}/next").get_json()["timeline"]
    assert enrol.centre.put(f"/cover-years/{YEAR + 1}", json=timeline).status_code == 200


def _moved(enrol, member_id, event, **snapshot):
    """A move event as members publishes it (previous_union_id; reason when leaving)."""
    extra = {k: snapshot.pop(k) for k in ("previous_union_id", "previous_district_id", "reason") if k in snapshot}
    event_type, data = enrol.member_event(member_id, event=event, **snapshot)
    enrol.feed(event_type, {**data, **extra})


def _two_years(enrol) -> None:
    """2020 covered by UNION and UNION2; by 2021 people left, moved both ways, were removed,
    lost or got cards, joined."""
    enrol.members([1, 2, 3, 4, 5, 6])
    enrol.member(9, union_id=UNION2)
    assert enrol.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}).status_code == 201
    assert enrol.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "B"}).status_code == 201
    enrol.member(10)  # carded before the cut-off, came on the list after the union submitted
    _next_year(enrol)

    at("2020-03-02T10:00:00")
    _moved(enrol, 1, "transferred_out", union_id=None, status="left", previous_union_id=UNION, reason="离职")
    _moved(enrol, 2, "transferred_in", union_id=UNION2, previous_union_id=UNION)
    enrol.member(3, removed=True, event="removed")
    enrol.member(4, card_issued_on=None, event="updated")
    enrol.member(7, card_issued_on="2020-03-01")  # a new card
    _moved(enrol, 8, "approved")  # a new member, carded long ago
    _moved(enrol, 9, "transferred_in", previous_union_id=UNION2)  # covered by UNION2 in 2020
    at("2020-11-05T10:00:00")


def test_a_union_sees_who_is_covered_again_new_and_gone_with_reasons(season):
    enrol = season
    _two_years(enrol)
    answer = enrol.grassroots.get(f"/year-on-year/{YEAR + 1}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["cover_year"], body["from_year"], body["union_id"]) == (YEAR + 1, YEAR, UNION)
    assert {k: body[k] for k in ("last_year", "this_year", "again", "new", "gone", "change")} == {
        "last_year": 6,
        "this_year": 6,
        "again": 2,
        "new": 4,
        "gone": 4,
        "change": 0,
    }
    people = {p["member_id"]: (p["category"], p["reason"]) for p in body["people"]}
    assert people == {
        1: ("gone", "已转出（离职）"),
        2: ("gone", "已转至其他工会"),
        3: ("gone", "人口办剔除"),
        4: ("gone", "无会员服务卡"),
        7: ("new", "新办会员服务卡"),
        8: ("new", "新入会会员"),
        9: ("new", "从其他工会转入"),
        10: ("new", "上年度未在本会参保"),
    }
    assert {r["code"]: r["count"] for r in body["reasons"]["gone"]} == {
        "left": 1,
        "moved_out": 1,
        "removed": 1,
        "no_card": 1,
    }
    assert all(p["id_masked"].count("*") >= 8 for p in body["people"])

    book = enrol.grassroots.get(f"/year-on-year/{YEAR + 1}/workbook")
    assert book.status_code == 200 and "attachment" in book.headers["Content-Disposition"]
    sheets = load_workbook(io.BytesIO(book.data)).worksheets
    summary = {row[0]: row[1] for row in sheets[0].iter_rows(values_only=True)}
    assert summary["上年度参保、本年度可再参保"] == 2 and summary["　其中：新办会员服务卡"] == 1
    rows = list(sheets[1].iter_rows(values_only=True))
    assert rows[0] == ("姓名", "证件号码", "对比结果", "原因")
    assert ("会员1", rows[1][1], "上年度参保、本年度不符合条件", "已转出（离职）") == rows[1]
    assert len(rows) == 1 + 10

    district = enrol.district.get(f"/year-on-year/{YEAR + 1}/unions").get_json()
    by_union = {u["union_id"]: u for u in district["unions"]}
    assert (by_union[UNION]["again"], by_union[UNION]["new"], by_union[UNION]["gone"]) == (2, 4, 4)
    # UNION2: member 9 covered in 2020, moved away; member 2 moved in
    assert (by_union[UNION2]["last_year"], by_union[UNION2]["gone"], by_union[UNION2]["new"]) == (1, 1, 1)


COUNTS = ("last_year", "this_year", "again", "new", "gone", "change")


def test_the_districts_counts_per_union_are_each_unions_own_a_page_at_a_time(season):
    """The district's view counts every union in set queries and compares member by member only
    the page's unions: each row says what the union's own view says, most shrunk first, paged."""
    enrol = season
    _two_years(enrol)
    enrol.member(11, union_id=UNION2)  # UNION2 grows by one: ordered by the change, not the name
    own = {}
    for union_id in (UNION, UNION2):
        body = enrol.district.get(f"/year-on-year/{YEAR + 1}?union_id={union_id}").get_json()
        own[union_id] = {k: body[k] for k in (*COUNTS, "reasons")}
    whole = enrol.district.get(f"/year-on-year/{YEAR + 1}/unions").get_json()
    assert whole["total"] == 2 and [u["union_id"] for u in whole["unions"]] == [UNION, UNION2]
    pages = []
    for page in (1, 2, 3):
        answer = enrol.district.get(f"/year-on-year/{YEAR + 1}/unions?per_page=1&page={page}").get_json()
        assert (answer["total"], answer["page"], answer["per_page"]) == (2, page, 1)
        pages += answer["unions"]
    assert pages == whole["unions"]
    for row in pages:
        assert {k: row[k] for k in (*COUNTS, "reasons")} == own[row["union_id"]]
    assert own[UNION2]["change"] == 1 and own[UNION]["change"] == 0
    assert enrol.district.get(f"/year-on-year/{YEAR + 1}/unions?per_page=201").status_code == 422


def test_scope_a_union_its_own_a_district_its_unions(season):
    enrol = season
    _next_year(enrol)
    at("2020-11-05T10:00:00")
    assert enrol.foreign.get(f"/year-on-year/{YEAR + 1}?union_id={UNION}").get_json()["union_id"] != UNION
    assert enrol.other_district.get(f"/year-on-year/{YEAR + 1}?union_id={UNION}").status_code == 404
    assert enrol.district.get(f"/year-on-year/{YEAR + 1}").status_code == 422
    assert enrol.grassroots.get(f"/year-on-year/{YEAR + 1}/unions").status_code == 403
    assert enrol.centre.get(f"/year-on-year/{YEAR + 1}/unions").status_code == 422
    assert enrol.grassroots.get(f"/year-on-year/{YEAR + 5}").status_code == 404


def test_moves_in_the_many_member_shape_are_recorded_like_one_by_one(season):
    """Member events carry many members a message (schema 2, decision 0044): each member's move is
    kept as from the one-member shape."""
    from tests.services.enrollment.test_batched_member_events import _deliver, _many

    enrol = season
    enrol.members([1, 2, 3])
    assert enrol.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}).status_code == 201
    _next_year(enrol)
    at("2020-03-02T10:00:00")
    left = []
    for member_id in (1, 2):
        _, data = enrol.member_event(member_id, event="transferred_out", union_id=None, status="left")
        left.append({**data, "previous_union_id": UNION, "reason": "退休"})
    _deliver(enrol, [_many("members.member.transferred_out", left)])
    at("2020-11-05T10:00:00")
    body = enrol.grassroots.get(f"/year-on-year/{YEAR + 1}").get_json()
    people = {p["member_id"]: (p["category"], p["reason"]) for p in body["people"]}
    assert people[1] == people[2] == ("gone", "已转出（退休）")
    assert (body["again"], body["gone"]) == (1, 2)
