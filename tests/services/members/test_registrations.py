"""组织注册 and 组织审核 over HTTP, on PostgreSQL: an application, the district's queue, approval
making the union (and asking for the clerk's account), return with a reason, and every refusal
leaving nothing behind."""

from deploy.seed import credit_code

CODE_1 = credit_code("91310101MA1FL0101")
CODE_2 = credit_code("91310101MA1FL0102")


def _districts(members):
    centre = members.as_("centre")
    d1 = centre.post("/districts", json={"name": "黄浦区总工会", "kind": "district"}).get_json()
    d2 = centre.post("/districts", json={"name": "徐汇区总工会", "kind": "district"}).get_json()
    return d1, d2


def application(district_id, **changes):
    data = {
        "name": "丙公司工会",
        "credit_code": CODE_1,
        "district_id": district_id,
        "address": "上海市黄浦区中山东一路 1 号",
        "chair_name": "周主席",
        "chair_mobile": "13900000001",
        "chair_email": "chair@example.cn",
        "clerk_name": "吴代办",
        "clerk_mobile": "13900000002",
        "clerk_email": "clerk@example.cn",
        "username": "bing_clerk",
    }
    data.update(changes)
    return data


def test_application_is_queued_for_its_district_only(service):
    members = service("members")
    d1, d2 = _districts(members)
    gateway = members.as_("gateway")
    answer = gateway.post("/registrations", json=application(d1["id"]))
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["state"] == "pending" and body["state_name"] == "待区局审核"
    assert body["number"].startswith("ZC") and body["district_name"] == "黄浦区总工会"
    own = members.as_("district", district_id=d1["id"]).get("/registrations").get_json()
    other = members.as_("district", district_id=d2["id"]).get("/registrations").get_json()
    assert [r["number"] for r in own] == [body["number"]] and other == []
    assert members.as_("district", district_id=d2["id"]).post(f"/registrations/{body['id']}/approve").status_code == 404
    # nobody but the gateway submits, and a grassroots union does not read the queue
    assert members.as_("centre").post("/registrations", json=application(d1["id"])).status_code == 403
    assert members.as_("grassroots", union_id=1).get("/registrations").status_code == 403


def test_duplicates_are_refused_against_the_directory_and_pending_applications(service):
    members = service("members")
    d1, _ = _districts(members)
    gateway = members.as_("gateway")
    members.as_("centre").post(
        "/unions",
        json={
            "name": "已登记工会",
            "credit_code": CODE_2,
            "district_id": d1["id"],
            "contact_person": "王芳",
            "phone": "13800000001",
        },
    )
    assert gateway.post("/registrations", json=application(d1["id"])).status_code == 201
    cases = [
        ({"credit_code": CODE_2, "name": "新工会", "username": "user1"}, "CREDIT_CODE_TAKEN"),
        (
            {"credit_code": credit_code("91310101MA1FL0103"), "name": "已登记工会", "username": "user2"},
            "UNION_NAME_TAKEN",
        ),
        ({"name": "新工会", "username": "user3"}, "REGISTRATION_PENDING"),
        ({"credit_code": credit_code("91310101MA1FL0104"), "username": "user4"}, "REGISTRATION_PENDING"),
        ({"credit_code": credit_code("91310101MA1FL0105"), "name": "新工会"}, "USERNAME_TAKEN"),
    ]
    for changes, code in cases:
        answer = gateway.post("/registrations", json=application(d1["id"], **changes))
        assert answer.status_code == 409, changes
        assert answer.get_json()["error"]["code"] == code
    bad = gateway.post(
        "/registrations",
        json=application(d1["id"], credit_code="91310101MA1FL0106X", clerk_email="no-at", username="a"),
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"credit_code", "clerk_email", "username"}
    assert len(members.as_("centre").get("/registrations").get_json()) == 1


def test_approval_registers_the_union_and_asks_for_the_clerks_account(service):
    members = service("members")
    d1, _ = _districts(members)
    submitted = members.as_("gateway").post("/registrations", json=application(d1["id"])).get_json()
    district = members.as_("district", district_id=d1["id"], user="huangpu")
    approved = district.post(f"/registrations/{submitted['id']}/approve")
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["state"] == "approved" and body["union_id"]
    union = members.as_("centre").get(f"/unions/{body['union_id']}").get_json()
    assert union["name"] == "丙公司工会" and union["credit_code"] == CODE_1 and union["contact_person"] == "吴代办"
    events = members.outbox()[-2:]
    assert [e["type"] for e in events] == ["members.union.registered", "members.registration.approved"]
    assert events[1]["data"] == {
        "registration_id": submitted["id"],
        "number": submitted["number"],
        "union_id": body["union_id"],
        "district_id": d1["id"],
        "district_name": d1["name"],
        "union_name": "丙公司工会",
        "username": "bing_clerk",
        "clerk_name": "吴代办",
        "email": "clerk@example.cn",
    }
    again = district.post(f"/registrations/{submitted['id']}/approve")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "REGISTRATION_DECIDED"
    # the code is now the directory's: a new application with it is refused
    refused = members.as_("gateway").post("/registrations", json=application(d1["id"], name="别名", username="x_y"))
    assert refused.get_json()["error"]["code"] == "CREDIT_CODE_TAKEN"


def test_return_needs_a_reason_and_publishes_it(service):
    members = service("members")
    d1, _ = _districts(members)
    submitted = members.as_("gateway").post("/registrations", json=application(d1["id"])).get_json()
    district = members.as_("district", district_id=d1["id"])
    blank = district.post(f"/registrations/{submitted['id']}/return", json={"reason": "  "})
    assert blank.status_code == 422 and "reason" in blank.get_json()["error"]["fields"]
    returned = district.post(f"/registrations/{submitted['id']}/return", json={"reason": "名称与营业执照不符"})
    assert returned.status_code == 200 and returned.get_json()["state_name"] == "已退回"
    event = members.outbox()[-1]
    assert event["type"] == "members.registration.returned"
    assert event["data"]["reason"] == "名称与营业执照不符" and event["data"]["email"] == "clerk@example.cn"
    assert district.post(f"/registrations/{submitted['id']}/approve").status_code == 409
    assert members.as_("centre").get("/unions").get_json()["total"] == 0
    # returned, the same code and name may apply again
    assert members.as_("gateway").post("/registrations", json=application(d1["id"])).status_code == 201


def test_approval_refused_when_the_code_reached_the_directory_meanwhile(service):
    members = service("members")
    d1, _ = _districts(members)
    submitted = members.as_("gateway").post("/registrations", json=application(d1["id"])).get_json()
    members.as_("centre").post(
        "/unions",
        json={
            "name": "中心登记的工会",
            "credit_code": CODE_1,
            "district_id": d1["id"],
            "contact_person": "王芳",
            "phone": "13800000001",
        },
    )
    before = len(members.outbox())
    answer = members.as_("district", district_id=d1["id"]).post(f"/registrations/{submitted['id']}/approve")
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "CREDIT_CODE_TAKEN"
    assert len(members.outbox()) == before
    queue = members.as_("centre").get("/registrations").get_json()
    assert queue[0]["state"] == "pending" and members.as_("centre").get("/unions").get_json()["total"] == 1
