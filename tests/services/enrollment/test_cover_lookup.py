"""职工保障查询: a person's cover history in the caller's scope (out of scope answers exactly
like unknown), states through a batch's life, member-number lookup, bulk with its limit, the
audit of every number asked; and who has not acted before each deadline (for the reminders)."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl

from common.crypto import blind_indexes, open_sealed
from tests.season import resident_id, xlsx
from tests.services.enrollment.conftest import DISTRICT, FOREIGN_UNION, HANDLER, UNION, UNION2, YEAR, at, published_id

PERSON, OTHER, MOVER = resident_id(1), resident_id(2), resident_id(3)


def _person(
    season,
    member_id: int,
    number: str,
    union_id: int,
    version: int = 1,
    district_id: int = DISTRICT,
    event: str = "card_issued",
) -> None:
    season.feed(
        f"members.member.{event}",
        {
            "member_id": member_id,
            "union_id": union_id,
            "district_id": district_id,
            "name": f"会员{member_id}",
            "id_type": "resident",
            **published_id(number),
            "gender": "男",
            "birth_date": "1990-01-01",
            "member_no": f"10000000{member_id:02d}",
            "status": "normal",
            "card_number": f"6222{member_id:012d}",
            "card_issued_on": "2019-06-01",
            "card_recorded_at": "2019-06-01T10:00:00+08:00",
            "removed": False,
            "version": version,
        },
    )


def _lookup(client, **body):
    return client.post("/covers/lookup", json=body)


def _enrolled(season):
    """PERSON and MOVER in union 101, OTHER in 102; 101 submits (审核中)."""
    _person(season, 1, PERSON, UNION)
    _person(season, 2, OTHER, UNION2)
    _person(season, 3, MOVER, UNION)
    submission = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"})
    assert submission.status_code == 201, submission.get_json()
    return submission.get_json()


def test_history_and_states_through_a_batch(season):
    sub = _enrolled(season)
    found = _lookup(season.grassroots, id_number=PERSON)
    assert found.status_code == 200, found.get_json()
    person = found.get_json()
    assert person["name"] == "会员1" and person["id_number"] == PERSON[:4] + "*" * 10 + PERSON[-4:]
    # 操作日志 is told whose number was looked up, masked
    assert unquote(found.headers["X-Audit-Subject"]) == f"会员1（{PERSON[:4]}{'*' * 10}{PERSON[-4:]}）"
    [cover] = person["covers"]
    assert (
        cover["cover_year"],
        cover["type"],
        cover["mode_name"],
        cover["cover_start"],
        cover["cover_end"],
        cover["state"],
        cover["payment_state"],
        cover["claims_deadline"],
        cover["union_name"],
    ) == (
        YEAR,
        "A+",
        "集中参保",
        "2020-01-01",
        "2020-12-31",
        "未生效",
        "审核中",
        "2021-12-31",
        "上海甲科技有限公司工会",
    )
    season.priced(sub["id"], 3 * 7600, 3 * 1300, 3 * 6300)
    season.district.post(f"/submissions/{sub['id']}/stage", json={})
    at("2019-12-30T10:00:00")
    batch = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()

    def state():
        cover = _lookup(season.district, id_number=PERSON).get_json()["covers"][0]
        return cover["state"], cover["payment_state"]

    assert state() == ("未生效", "已提交市职保中心")
    season.feed(
        "billing.voucher.uploaded",
        {
            "batch_id": batch["id"],
            "amount_fen": 100,
            "paid_on": "2020-01-05",
            "uploaded_at": "2020-01-05T11:00:00+08:00",
        },
    )
    at("2020-01-05T12:00:00")
    assert state() == ("保障中", "已缴费")
    season.feed(
        "billing.batch.written_off",
        {
            "batch_id": batch["id"],
            "amount_fen": 100,
            "received_on": "2020-01-10",
            "bank_reference": "x",
            "at": "2020-01-10T10:00:00+08:00",
        },
    )
    assert state() == ("保障中", "已核销")  # a paid cover in its dates: 保障中, never a payment word
    assert _lookup(season.centre, member_no="1000000001").get_json()["covers"][0]["payment_state"] == "已核销"
    at("2021-01-01T00:00:00")
    assert state() == ("已到期", "已核销")
    # the ended year's claims deadline stays in sight through its last day, and not after
    open_claims = lambda: [c["message"] for c in _lookup(season.district, id_number=PERSON).get_json()["claims_open"]]
    assert open_claims() == ["2020年度保障的理赔截止日为 2021-12-31"]
    at("2021-12-31T23:00:00")
    assert open_claims() == ["2020年度保障的理赔截止日为 2021-12-31"]
    at("2022-01-01T00:00:00")
    assert open_claims() == []


def test_a_failed_batch_and_a_returned_submission(season):
    sub = _enrolled(season)
    returned = season.district.post(f"/submissions/{sub['id']}/return", json={"reason": "名单有误"})
    assert returned.status_code == 200
    gone = _lookup(season.grassroots, id_number=PERSON)  # a returned submission never was cover
    assert gone.status_code == 404 and gone.get_json()["error"]["message"] == "未查到该人员的参保信息"
    assert unquote(gone.headers["X-Audit-Subject"]) == f"证件号码 {PERSON[:4]}{'*' * 10}{PERSON[-4:]}"
    again = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A+"}).get_json()
    season.district.post(f"/submissions/{again['id']}/stage", json={})
    at("2019-12-30T10:00:00")
    batch = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()
    season.feed(
        "billing.batch.overdue",
        {
            "batch_id": batch["id"],
            "batch_no": batch["batch_no"],
            "district_id": DISTRICT,
            "cover_year": YEAR,
            "due_fen": 100,
            "paid_fen": 0,
        },
    )
    cover = _lookup(season.grassroots, id_number=PERSON).get_json()["covers"][0]
    assert (cover["state"], cover["payment_state"]) == ("已失效", "失败")


def test_out_of_scope_answers_exactly_like_unknown(season):
    _enrolled(season)
    unknown = _lookup(season.grassroots, id_number=resident_id(99))
    assert unknown.status_code == 404
    for client, number in (
        (season.grassroots2, PERSON),
        (season.foreign, PERSON),
        (season.other_district, PERSON),
        (season.grassroots, OTHER),
    ):
        hidden = _lookup(client, id_number=number)
        assert hidden.status_code == 404 and hidden.get_json() == unknown.get_json()
    assert _lookup(season.foreign, member_no="1000000001").get_json() == unknown.get_json()
    # a malformed number gets the resident-ID message members uses
    bad = _lookup(season.grassroots, id_number=PERSON[:17] + ("0" if PERSON[17] != "0" else "1"))
    assert bad.status_code == 422 and bad.get_json()["error"]["message"] == "身份证号码校验位不正确，请核对"
    short = _lookup(season.grassroots, id_number="3101011990")
    assert short.get_json()["error"]["message"] == "身份证号码应为 18 位（或 15 位老号码），当前为 10 位"
    assert _lookup(season.grassroots).status_code == 422


def test_a_past_member_only_the_years_the_union_enrolled_them(season):
    _enrolled(season)  # 101 enrolled MOVER for 2020
    # MOVER moves to 102, who sees the whole history of its member, 2020 by 101 included
    _person(season, 3, MOVER, UNION2, version=2, event="transferred_in")
    seen = _lookup(season.grassroots2, id_number=MOVER).get_json()["covers"]
    assert [(c["cover_year"], c["union_id"]) for c in seen] == [(YEAR, UNION)]
    # 101 still sees the year it enrolled him
    assert _lookup(season.grassroots, id_number=MOVER).status_code == 200
    # a union of another district that never enrolled him sees nothing
    assert _lookup(season.foreign, id_number=MOVER).status_code == 404
    _person(season, 3, MOVER, FOREIGN_UNION, version=3, district_id=20, event="transferred_in")
    assert _lookup(season.foreign, id_number=MOVER).status_code == 200
    assert _lookup(season.grassroots2, id_number=MOVER).status_code == 404  # 102 enrolled him in no year


def test_every_lookup_is_audited(season):
    _enrolled(season)
    _lookup(season.grassroots, id_number=PERSON)
    _lookup(season.grassroots2, id_number=PERSON)
    _lookup(season.centre, member_no="1000000001")
    rows = season.count("SELECT count(*) FROM cover_lookup")
    assert rows == 3
    with season.svc.runtime.engine.connect() as conn:
        from sqlalchemy import text

        audit = conn.execute(
            text("SELECT username, by, asked, found, asked_sealed, asked_index FROM cover_lookup ORDER BY id")
        ).all()
    masked = PERSON[:4] + "*" * 10 + PERSON[-4:]
    assert [tuple(r[:4]) for r in audit] == [
        ("test-grassroots", "id_number", masked, True),
        ("test-grassroots", "id_number", masked, False),
        ("test-centre", "member_no", "1000000001", True),
    ]
    # the number asked is kept sealed and indexed, never in clear: who looked a person up is found by the index
    assert [open_sealed("id_number", r.asked_sealed) for r in audit] == [PERSON, PERSON, None]
    assert [r.asked_index in blind_indexes("id_number", PERSON) for r in audit[:2]] == [True, True]
    assert audit[2].asked_index is None


def test_bulk_lookup_workbook_limit_and_audit(season):
    _enrolled(season)
    upload = xlsx([["身份证号码"], [PERSON], [OTHER], ["12345"], [resident_id(98)]])
    response = season.grassroots.post(
        "/covers/bulk-lookup", data={"file": (io.BytesIO(upload), "ids.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.data[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0][:5] == [PERSON, "会员1", YEAR, "A+类", "2020-01-01至2020-12-31"]
    header = [c.value for c in sheet[1]]
    assert header[7:9] == ["保障状态", "缴费状态"]  # the cover and its payment, apart
    assert rows[0][5:9] == ["集中参保", "上海甲科技有限公司工会", "未生效", "审核中"]
    assert rows[1][0] == OTHER and rows[1][11] == "未查到该人员的参保信息"  # another union's member
    assert rows[2][0] == "12345" and "身份证号码应为 18 位" in rows[2][11]
    assert rows[3][11] == "未查到该人员的参保信息"
    assert season.count("SELECT count(*) FROM cover_lookup WHERE by = 'bulk'") == 3
    too_many = xlsx([["身份证号码"]] + [[resident_id(i)] for i in range(10_001)])
    refused = season.grassroots.post(
        "/covers/bulk-lookup", data={"file": (io.BytesIO(too_many), "ids.xlsx")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 413 and "10,000" in refused.get_json()["error"]["message"]
    template = season.grassroots.get("/covers/bulk-lookup/template.xlsx")
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.data)).active["A1"].value == "身份证号码"


def test_who_has_not_acted_before_each_deadline(season):
    _person(season, 1, PERSON, UNION)
    _person(season, 2, OTHER, UNION2)

    def ids(deadline):
        response = season.centre.get(f"/cover-years/{YEAR}/not-acted?deadline={deadline}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["ids"]

    assert ids("grassroots_end") == [UNION, UNION2]
    named = season.centre.get(f"/cover-years/{YEAR}/not-acted?deadline=grassroots_end&named=1").get_json()
    assert named["named"] == [{"id": UNION, "name": "上海甲科技有限公司工会"}]
    sub = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}).get_json()
    assert ids("grassroots_end") == [UNION2]
    assert ids("district_submit_end") == [DISTRICT]
    season.district.post(f"/submissions/{sub['id']}/stage", json={})
    assert ids("district_submit_end") == [DISTRICT]
    at("2019-12-30T10:00:00")
    batch = season.district.post("/batches", json={"cover_year": YEAR, "handler": HANDLER}).get_json()
    assert ids("district_submit_end") == [] and ids("payment_deadline") == [DISTRICT]
    season.feed(
        "billing.batch.written_off",
        {
            "batch_id": batch["id"],
            "amount_fen": 100,
            "received_on": "2020-01-10",
            "bank_reference": "x",
            "at": "2020-01-10T10:00:00+08:00",
        },
    )
    assert ids("payment_deadline") == []
    assert season.district.get(f"/cover-years/{YEAR}/not-acted?deadline=grassroots_end").status_code == 403
    assert season.centre.get(f"/cover-years/{YEAR}/not-acted?deadline=nope").status_code == 422


def test_bulk_lookup_refuses_the_crafted_upload(season):
    """Issue 23: 6 KB held this path for 11 s; the list is read by common.excel, parsed with limits."""
    from tests.season import crafted_upload

    data = crafted_upload(season.grassroots.get("/covers/bulk-lookup/template.xlsx").data)
    for client in (season.grassroots, season.district, season.centre):
        refused = client.post(
            "/covers/bulk-lookup", data={"file": (io.BytesIO(data), "ids.xlsx")}, content_type="multipart/form-data"
        )
        assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "SUSPICIOUS_WORKBOOK"
    assert season.count("SELECT count(*) FROM cover_lookup") == 0


def test_a_member_reads_their_own_covers_in_words_and_nobody_elses(season):
    """我的保障 (个人登录, decision 0041): by the member id the identity carries, never by a number asked."""
    from common import identity as internal
    from tests.conftest import RoleClient

    def as_member(member_id: int):
        ident = internal.Identity(user=f"member-{member_id}", role="member", union_id=UNION, member_id=member_id)
        return RoleClient(season.svc.client, {internal.HEADER: internal.sign(ident)})

    _enrolled(season)
    mine = as_member(1).get("/me/covers")
    assert mine.status_code == 200, mine.get_json()
    [cover] = mine.get_json()["covers"]
    assert (cover["cover_year"], cover["type"], cover["mode_name"], cover["state"], cover["claims_deadline"]) == (
        YEAR,
        "A+",
        "集中参保",
        "未生效",
        "2021-12-31",
    )
    assert cover["benefits"] == "A 类保障，另加住院津贴每天 60 元，最高 10,800 元"
    assert as_member(2).get("/me/covers").get_json() == {"covers": [], "claims_open": []}  # 102 did not submit
    # a member reaches none of the clerks' lookups, and the clerks not the member's own view
    assert as_member(1).post("/covers/lookup", json={"id_number": OTHER}).status_code == 403
    assert season.grassroots.get("/me/covers").status_code == 403
