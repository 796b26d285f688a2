"""The union directory over HTTP, on PostgreSQL: registration, scope, bad input, events."""

from deploy.seed import credit_code

CODE_1 = credit_code("91310101MA1FL0001")
CODE_2 = credit_code("91310101MA1FL0002")


def setup_directory(members):
    centre = members.as_("centre")
    d1 = centre.post("/districts", json={"name": "黄浦区总工会", "kind": "district"}).get_json()
    d2 = centre.post(
        "/districts", json={"name": "中国金融工会上海委员会", "kind": "industry", "special_industry": True}
    ).get_json()
    u1 = centre.post(
        "/unions",
        json={
            "name": "甲公司工会",
            "credit_code": CODE_1,
            "district_id": d1["id"],
            "contact_person": "王芳",
            "phone": "13800000001",
        },
    ).get_json()
    u2 = centre.post(
        "/unions",
        json={
            "name": "乙公司工会",
            "credit_code": CODE_2,
            "district_id": d2["id"],
            "contact_person": "李强",
            "phone": "021-63210002",
        },
    ).get_json()
    return d1, d2, u1, u2


def test_centre_registers_districts_and_unions_and_events_are_recorded(service):
    members = service("members")
    d1, d2, u1, _u2 = setup_directory(members)
    assert d2["special_industry"] is True
    assert u1["credit_code"] == CODE_1 and u1["district_id"] == d1["id"]
    types = [e["type"] for e in members.outbox()]
    assert types == [
        "members.district.registered",
        "members.district.registered",
        "members.union.registered",
        "members.union.registered",
    ]
    event = members.outbox()[2]
    assert set(event) == {"id", "type", "occurred_at", "schema_version", "producer", "data"}
    assert event["producer"] == "members" and event["data"]["name"] == "甲公司工会"


def test_rename_contact_change_and_move_are_published_with_a_new_version(service):
    members = service("members")
    d1, d2, u1, _ = setup_directory(members)
    moved = members.as_("centre").patch(f"/unions/{u1['id']}", json={"name": "甲集团工会", "district_id": d2["id"]})
    assert moved.status_code == 200
    last = members.outbox()[-1]
    assert last["type"] == "members.union.updated"
    assert last["data"]["version"] == 2 and last["data"]["district_id"] == d2["id"]
    assert last["data"]["previous_district_id"] == d1["id"]


def test_grassroots_may_update_only_its_own_contact(service):
    members = service("members")
    _, _, u1, u2 = setup_directory(members)
    own = members.as_("grassroots", union_id=u1["id"])
    assert own.patch(f"/unions/{u1['id']}", json={"contact_person": "赵敏"}).status_code == 200
    renamed = own.patch(f"/unions/{u1['id']}", json={"name": "改名"})
    assert renamed.status_code == 422 and "name" in renamed.get_json()["error"]["fields"]
    assert own.patch(f"/unions/{u2['id']}", json={"contact_person": "x"}).status_code == 404


def test_scope_other_unions_answer_like_missing_ones(service):
    members = service("members")
    d1, _d2, u1, u2 = setup_directory(members)
    grassroots = members.as_("grassroots", union_id=u1["id"], district_id=d1["id"])
    district = members.as_("district", district_id=d1["id"])
    missing = grassroots.get("/unions/999999")
    for client, union in ((grassroots, u2), (district, u2)):
        response = client.get(f"/unions/{union['id']}")
        assert response.status_code == missing.status_code == 404
        assert response.get_json() == missing.get_json()
    assert [u["id"] for u in district.get("/unions").get_json()["items"]] == [u1["id"]]
    assert [d["id"] for d in grassroots.get("/districts").get_json()] == [d1["id"]]
    # by ids (账号管理 names a page's bound unions): the centre all it names, a district its own only
    both = f"/unions?ids={u1['id']},{u2['id']}"
    assert sorted(u["id"] for u in members.as_("centre").get(both).get_json()["items"]) == sorted([u1["id"], u2["id"]])
    assert [u["id"] for u in district.get(both).get_json()["items"]] == [u1["id"]]
    assert district.get("/unions?ids=" + ",".join(["1"] * 101)).status_code == 422


def test_only_the_centre_registers(service):
    members = service("members")
    d1, _, u1, _ = setup_directory(members)
    for client in (members.as_("district", district_id=d1["id"]), members.as_("grassroots", union_id=u1["id"])):
        assert client.post("/districts", json={"name": "x", "kind": "district"}).status_code == 403
        assert client.post("/unions", json={}).status_code == 403


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(service):
    members = service("members")
    d1, _, _, _ = setup_directory(members)
    centre = members.as_("centre")
    before = len(members.outbox())
    cases = [
        (
            {
                "name": "丙",
                "credit_code": CODE_1[:-1] + ("0" if CODE_1[-1] != "0" else "1"),
                "district_id": d1["id"],
                "contact_person": "a",
                "phone": "13800000003",
            },
            422,
            "credit_code",
        ),
        (
            {
                "name": "丙",
                "credit_code": credit_code("91310101MA1FL0003"),
                "district_id": 424242,
                "contact_person": "a",
                "phone": "13800000003",
            },
            422,
            "district_id",
        ),
        (
            {
                "name": "丙",
                "credit_code": credit_code("91310101MA1FL0003"),
                "district_id": "one",
                "contact_person": "a",
                "phone": "13800000003",
            },
            422,
            "district_id",
        ),
        (
            {
                "name": "丙",
                "credit_code": credit_code("91310101MA1FL0003"),
                "district_id": d1["id"],
                "contact_person": "a",
                "phone": "12345",
            },
            422,
            "phone",
        ),
        (
            {
                "name": "丙",
                "credit_code": credit_code("91310101MA1FL0003"),
                "district_id": d1["id"],
                "contact_person": "a",
                "phone": "13800000003",
                "extra": 1,
            },
            422,
            "extra",
        ),
        (
            {
                "name": "丙",
                "credit_code": CODE_1,
                "district_id": d1["id"],
                "contact_person": "a",
                "phone": "13800000003",
            },
            409,
            None,
        ),
    ]
    for body, status, field in cases:
        response = centre.post("/unions", json=body)
        assert response.status_code == status, (body, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] and error["message"]
        if field:
            assert field in error["fields"]
    malformed = centre.post("/unions", data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.get_json()["error"]["code"] == "MALFORMED_JSON"
    assert len(members.outbox()) == before
    assert members.as_("centre").get("/unions").get_json()["total"] == 2


def test_a_request_without_a_valid_identity_is_refused(service):
    members = service("members")
    client = members.client
    assert client.get("/unions").status_code == 401
    assert client.get("/unions", headers={"X-Internal-Identity": "forged.token.value"}).status_code == 401
    from common import identity

    forged = identity.sign(
        identity.Identity(user="x", role="centre"), secret="not-the-secret-but-long-enough-for-hs256"
    )
    assert client.get("/unions", headers={"X-Internal-Identity": forged}).status_code == 401
    expired = identity.sign(identity.Identity(user="x", role="centre"), ttl=-5)
    response = client.get("/unions", headers={"X-Internal-Identity": expired})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "IDENTITY_EXPIRED"
    assert client.get("/health").status_code == 200


def test_a_move_to_another_district_republishes_the_unions_members(service):
    members = service("members")
    d1, d2, u1, _ = setup_directory(members)
    grassroots = members.as_("grassroots", union_id=u1["id"], district_id=d1["id"])
    from tests.e2e.test_enrollment_season import resident_id

    added = grassroots.post(
        "/members",
        json={
            "name": "迁移测试",
            "id_number": resident_id(901),
            "address": "上海",
            "mobile": "13900000901",
            "education": "大学本科",
            "household_type": "非农业",
        },
    )
    assert added.status_code == 201, added.get_json()
    before = [e for e in members.member_events() if e["type"].startswith("members.member.")][-1]["data"]
    assert before["district_id"] == d1["id"]
    assert members.as_("centre").patch(f"/unions/{u1['id']}", json={"district_id": d2["id"]}).status_code == 200
    after = [e for e in members.member_events() if e["type"] == "members.member.updated"][-1]["data"]
    assert after["member_id"] == before["member_id"]
    assert after["district_id"] == d2["id"] and after["version"] == before["version"] + 1


def test_the_gateway_identity_reads_the_directory_and_nothing_else(service):
    """The gateway binds accounts to unions and districts: it may read those two, act on nothing."""
    members = service("members")
    centre = members.as_("centre")
    district = centre.post("/districts", json={"name": "黄浦区总工会", "kind": "district"}).get_json()
    union = centre.post(
        "/unions",
        json={
            "name": "上海甲科技有限公司工会",
            "credit_code": CODE_1,
            "district_id": district["id"],
            "contact_person": "王芳",
            "phone": "13800000001",
        },
    ).get_json()
    gateway = members.as_("gateway")
    assert gateway.get(f"/unions/{union['id']}").get_json()["district_id"] == district["id"]
    assert [d["id"] for d in gateway.get("/districts").get_json()] == [district["id"]]
    assert gateway.get("/unions").status_code == 403
    assert gateway.post("/districts", json={"name": "静安区总工会", "kind": "district"}).status_code == 403
    assert gateway.get("/members").status_code == 403


def test_names_with_control_or_bidi_characters_are_refused_at_the_door(service):
    """Issue 23 item 5b: a district or union name with a control character broke the downloads of
    the notices and workbooks named after it. Refused with what to do; nothing registered."""
    members = service("members")
    centre = members.as_("centre")
    for name in ("黄浦区总工会\x1a", "\u202e会工区浦黄"):
        refused = centre.post("/districts", json={"name": name, "kind": "district"})
        assert refused.status_code == 422, refused.get_json()
        assert "控制字符" in refused.get_json()["error"]["fields"]["name"][0]
    assert centre.get("/districts").get_json() == []
    # and behind the schema, the handler itself (a workbook load reaches it without JSON)
    from common.errors import ValidationFailed
    from common.identity import Identity
    from services.members.handlers import directory

    with members.runtime.uow() as work:
        try:
            directory.register_district(work, Identity(user="c", role="centre"), "黄浦\x00区", "district")
            raise AssertionError("registered")
        except ValidationFailed as refused:
            assert "控制字符" in refused.extra["fields"]["name"][0]
