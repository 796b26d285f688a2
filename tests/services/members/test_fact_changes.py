"""登记信息变更 in 组织审核 over HTTP, on PostgreSQL (docs/decisions/0040): a union asks to change
its name or code, its district approves (the union changes, members.union.updated flows) or
returns it with a reason (nothing changes); a district move is released by the old district and
accepted by the new one, each only at its own step; refusals leave nothing behind."""

from deploy.seed import credit_code

CODE_1 = credit_code("91310101MA1FL0201")
CODE_2 = credit_code("91310101MA1FL0202")
CODE_3 = credit_code("91310101MA1FL0203")


def _setup(members):
    centre = members.as_("centre")
    d1 = centre.post("/districts", json={"name": "黄浦区总工会", "kind": "district"}).get_json()
    d2 = centre.post("/districts", json={"name": "徐汇区总工会", "kind": "district"}).get_json()
    unions = [
        centre.post(
            "/unions",
            json={
                "name": name,
                "credit_code": code,
                "district_id": d1["id"],
                "contact_person": "王芳",
                "phone": "13800000001",
            },
        ).get_json()
        for name, code in (("甲公司工会", CODE_1), ("乙公司工会", CODE_2))
    ]
    return d1, d2, unions


def _clerk(members, union, district):
    return members.as_("grassroots", union_id=union["id"], district_id=district["id"])


def test_a_rename_is_approved_by_the_district_and_announced(service):
    members = service("members")
    d1, d2, (u, _) = _setup(members)
    asked = _clerk(members, u, d1).post(
        f"/unions/{u['id']}/fact-changes", json={"name": "甲集团工会", "credit_code": CODE_3}
    )
    assert asked.status_code == 201, asked.get_json()
    change = asked.get_json()
    assert (change["state"], change["state_name"], change["old_name"], change["new_name"]) == (
        "pending",
        "待区局审核",
        "甲公司工会",
        "甲集团工会",
    )
    assert change["number"].startswith("BG") and change["step_district_id"] == d1["id"]
    again = _clerk(members, u, d1).post(f"/unions/{u['id']}/fact-changes", json={"name": "又一个名字"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "FACT_CHANGE_OPEN"
    other = members.as_("district", district_id=d2["id"])
    assert other.get("/fact-changes").get_json() == []
    assert other.post(f"/fact-changes/{change['id']}/approve").status_code == 404

    district = members.as_("district", district_id=d1["id"])
    assert [c["id"] for c in district.get("/fact-changes?state=pending").get_json()] == [change["id"]]
    before = len(members.outbox())
    done = district.post(f"/fact-changes/{change['id']}/approve")
    assert done.status_code == 200 and done.get_json()["state_name"] == "已通过"
    union = members.as_("centre").get(f"/unions/{u['id']}").get_json()
    assert (union["name"], union["credit_code"], union["version"]) == ("甲集团工会", CODE_3, 2)
    [event] = members.outbox()[before:]
    assert event["type"] == "members.union.updated" and event["data"]["name"] == "甲集团工会"
    decided = district.post(f"/fact-changes/{change['id']}/approve")
    assert decided.status_code == 409 and decided.get_json()["error"]["code"] == "FACT_CHANGE_DECIDED"


def test_a_move_needs_the_old_district_to_release_and_the_new_to_accept(service):
    members = service("members")
    d1, d2, (u, _) = _setup(members)
    change = _clerk(members, u, d1).post(f"/unions/{u['id']}/fact-changes", json={"district_id": d2["id"]}).get_json()
    old, new = members.as_("district", district_id=d1["id"]), members.as_("district", district_id=d2["id"])
    early = new.post(f"/fact-changes/{change['id']}/approve")  # not its step yet
    assert early.status_code == 403 and early.get_json()["error"]["message"] == "该申请当前待黄浦区总工会审核"
    released = old.post(f"/fact-changes/{change['id']}/approve").get_json()
    assert (released["state"], released["state_name"], released["step_district_id"]) == (
        "awaiting",
        "待新区局接收",
        d2["id"],
    )
    assert members.as_("centre").get(f"/unions/{u['id']}").get_json()["district_id"] == d1["id"]  # not yet
    assert old.post(f"/fact-changes/{change['id']}/approve").status_code == 403
    before = len(members.outbox())
    accepted = new.post(f"/fact-changes/{change['id']}/approve").get_json()
    assert accepted["state"] == "approved" and accepted["released_by"] and accepted["decided_by"]
    assert members.as_("centre").get(f"/unions/{u['id']}").get_json()["district_id"] == d2["id"]
    event = members.outbox()[before]
    assert event["type"] == "members.union.updated"
    assert (event["data"]["district_id"], event["data"]["previous_district_id"]) == (d2["id"], d1["id"])


def test_a_return_needs_a_reason_and_changes_nothing(service):
    members = service("members")
    d1, d2, (u, _) = _setup(members)
    change = _clerk(members, u, d1).post(f"/unions/{u['id']}/fact-changes", json={"district_id": d2["id"]}).get_json()
    old, new = members.as_("district", district_id=d1["id"]), members.as_("district", district_id=d2["id"])
    old.post(f"/fact-changes/{change['id']}/approve")
    empty = new.post(f"/fact-changes/{change['id']}/return", json={"reason": " "})
    assert empty.status_code == 422 and "reason" in empty.get_json()["error"]["fields"]
    back = new.post(f"/fact-changes/{change['id']}/return", json={"reason": "本区局不接收，请联系"}).get_json()
    assert (back["state_name"], back["reason"]) == ("已退回", "本区局不接收，请联系")
    assert members.as_("centre").get(f"/unions/{u['id']}").get_json()["district_id"] == d1["id"]
    # returned: the union may ask again
    assert _clerk(members, u, d1).post(f"/unions/{u['id']}/fact-changes", json={"name": "甲新工会"}).status_code == 201


def test_bad_asks_are_refused_with_nothing_kept(service):
    members = service("members")
    d1, _, (u, v) = _setup(members)
    clerk = _clerk(members, u, d1)
    cases = [
        ({}, 422, "VALIDATION_FAILED"),
        ({"name": "甲公司工会"}, 422, "VALIDATION_FAILED"),  # the same as now: no change
        ({"credit_code": "123"}, 422, "VALIDATION_FAILED"),
        ({"credit_code": CODE_2}, 409, "CREDIT_CODE_TAKEN"),
        ({"name": "乙公司工会"}, 409, "UNION_NAME_TAKEN"),
        ({"district_id": 999}, 422, "VALIDATION_FAILED"),
        ({"name": "甲\u200b工会"}, 422, "VALIDATION_FAILED"),
    ]
    for body, status, code in cases:
        answer = clerk.post(f"/unions/{u['id']}/fact-changes", json=body)
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code), body
    assert clerk.post(f"/unions/{v['id']}/fact-changes", json={"name": "别人的"}).status_code == 404
    assert (
        members.as_("district", district_id=d1["id"])
        .post(f"/unions/{u['id']}/fact-changes", json={"name": "x"})
        .status_code
        == 403
    )
    assert members.as_("centre").get("/fact-changes").get_json() == []
