"""Which of a page of unions came in through 组织注册 (the district's 基层工会 page, issue 27 item 6),
in the caller's scope only."""

from deploy.seed import credit_code
from tests.services.members.test_registrations import application


def test_origins_name_the_registration_of_unions_in_scope_only(service):
    members = service("members")
    centre = members.as_("centre")
    d1 = centre.post("/districts", json={"name": "黄浦区总工会", "kind": "district"}).get_json()
    d2 = centre.post("/districts", json={"name": "徐汇区总工会", "kind": "district"}).get_json()
    by_centre = centre.post(
        "/unions",
        json={
            "name": "中心登记工会",
            "credit_code": credit_code("91310101MA1FL0201"),
            "district_id": d1["id"],
            "contact_person": "王芳",
            "phone": "13800000001",
        },
    ).get_json()
    applied = members.as_("gateway").post("/registrations", json=application(d1["id"])).get_json()
    district = members.as_("district", district_id=d1["id"])
    assert district.post(f"/registrations/{applied['id']}/approve").status_code == 200
    registered = district.get("/unions?name=丙公司工会").get_json()
    union_id = registered["items"][0]["id"]

    answer = district.get(f"/unions/origins?union_ids={union_id},{by_centre['id']}")
    assert answer.status_code == 200
    [origin] = answer.get_json()
    assert origin["union_id"] == union_id and origin["registration_no"] == applied["number"]
    assert origin["approved_at"].endswith("+08:00")
    # another district learns nothing of these unions; a grassroots union may not ask
    other = members.as_("district", district_id=d2["id"]).get(f"/unions/origins?union_ids={union_id}")
    assert other.status_code == 200 and other.get_json() == []
    assert members.as_("grassroots", union_id=union_id).get(f"/unions/origins?union_ids={union_id}").status_code == 403
    too_many = ",".join(str(i) for i in range(1, 202))
    assert district.get(f"/unions/origins?union_ids={too_many}").status_code == 422
    assert district.get("/unions/origins").status_code == 422
