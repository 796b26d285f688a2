"""工会批量导入 on PostgreSQL (issue 27 item 4): the centre loads districts and unions with their
clerks, a district its own unions; all rows or none, every row's errors in one answer; the
unions go out many to a message, the clerks' accounts to the gateway."""

from deploy.seed import credit_code
from tests.services.members.roster_helpers import setup, upload, wait_job, xlsx

HEADER = [
    "层级",
    "名称",
    "统一社会信用代码",
    "所属区局（产业）工会",
    "区局类型",
    "代办员姓名",
    "代办员手机",
    "代办员邮箱",
    "用户名",
]


def union_row(n: int, district: str = "黄浦区总工会", **over) -> list:
    values = {
        "层级": "基层工会",
        "名称": f"导入{n}公司工会",
        "统一社会信用代码": credit_code(f"91310000MC{n:07d}"),
        "所属区局（产业）工会": district,
        "区局类型": "",
        "代办员姓名": f"代办员{n}",
        "代办员手机": f"139{n:08d}",
        "代办员邮箱": f"clerk{n}@example.cn",
        "用户名": f"clerk{n}",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def district_row(name: str, username: str, kind: str = "") -> list:
    return ["区局（产业）工会", name, "", "", kind, "区局代办员", "13900000001", f"{username}@example.cn", username]


def events(members, kind):
    return [e for e in members.outbox() if e["type"] == kind]


def test_the_centre_loads_districts_and_unions_with_their_clerks(service):
    members = service("members")
    s = setup(members)
    rows = [HEADER, district_row("新区总工会", "newdistrict", "产业工会")]
    rows += [union_row(n, district="新区总工会" if n % 2 else "黄浦区总工会") for n in range(1, 8)]
    response = upload(s["centre"], "/uploads/unions", xlsx(rows))
    assert response.status_code == 202, response.get_json()
    job = wait_job(s["centre"], response.get_json()["id"])
    assert job["state"] == "succeeded", job
    assert job["counts"] == {"rows": 8, "districts": 1, "unions": 7, "accounts": 8}
    districts = {d["name"]: d for d in s["centre"].get("/districts").get_json()}
    assert districts["新区总工会"]["kind"] == "industry"
    (batch,) = events(members, "members.unions.registered")
    assert batch["schema_version"] == 1 and len(batch["data"]["unions"]) == 7
    union = batch["data"]["unions"][0]
    assert union["version"] == 1 and union["contact_person"] == "代办员1"
    assert union["district_id"] == districts["新区总工会"]["id"]
    (clerks,) = events(members, "members.clerks.loaded")
    by_name = {c["username"]: c for c in clerks["data"]["clerks"]}
    assert by_name["newdistrict"]["role"] == "district" and by_name["newdistrict"]["union_id"] is None
    assert by_name["clerk2"] == {
        "role": "grassroots",
        "union_id": batch["data"]["unions"][1]["union_id"],
        "district_id": s["d1"],
        "district_name": "黄浦区总工会",
        "unit_name": "导入2公司工会",
        "username": "clerk2",
        "clerk_name": "代办员2",
        "email": "clerk2@example.cn",
        "set_up_by": None,  # the centre's load: its mails name the centre
    }
    assert [e for e in members.outbox() if e["type"] == "members.district.registered"][-1]["data"][
        "name"
    ] == "新区总工会"
    assert s["centre"].get(f"/unions/{union['union_id']}").get_json()["name"] == "导入1公司工会"


def test_any_error_loads_nothing_and_names_every_row(service):
    members = service("members")
    s = setup(members)
    before = len(members.outbox())
    rows = [
        HEADER,
        union_row(1),  # fine
        union_row(2, 统一社会信用代码="91310000MC0000002X"),  # bad check character
        union_row(3, 名称="测试1公司工会"),  # the directory has it
        union_row(4, 统一社会信用代码=credit_code("91310101MA1FL0001")),  # u1's code
        union_row(5, district="无此区"),  # no such district
        union_row(6, 代办员手机="12345", 代办员邮箱="nope"),  # two errors in one row
        union_row(7, 用户名="clerk1"),  # the user name of row 2
        union_row(8, 层级="省总工会"),
        union_row(9, 名称='=HYPERLINK("x")'),  # a formula: named as such, nothing else on that cell
    ]
    response = upload(s["centre"], "/uploads/unions", xlsx(rows))
    job = wait_job(s["centre"], response.get_json()["id"])
    assert job["state"] == "failed"
    found = {(e["row"], e["column"]) for e in job["errors"]}
    assert found == {
        (3, "统一社会信用代码"),
        (4, "名称"),
        (5, "统一社会信用代码"),
        (6, "所属区局（产业）工会"),
        (7, "代办员手机"),
        (7, "代办员邮箱"),
        (8, "用户名"),
        (9, "层级"),
        (10, "名称"),
    }, job["errors"]
    assert job["error_count"] == 9
    message = next(e["message"] for e in job["errors"] if e["row"] == 8)
    assert message == "与第 2 行重复"
    assert all(e["name"] for e in job["errors"] if e["row"] != 10)  # each names its row's union
    # nothing registered, nothing published but the job's own work message
    assert [e for e in members.outbox()[before:] if e["type"] != "members.upload.accepted"] == []
    assert s["centre"].get("/unions?per_page=100").get_json()["total"] == 3
    page = s["centre"].get(f"/uploads/{job['id']}/errors?page=1&per_page=100").get_json()
    assert page["total"] == 9


def test_a_district_loads_only_its_own_unions(service):
    members = service("members")
    s = setup(members)
    rows = [
        HEADER,
        union_row(1, district=""),  # its own, left out
        union_row(2),  # its own, named
        union_row(3, district="浦东新区总工会"),  # another district's
        district_row("又一区总工会", "another"),  # only the centre makes districts
    ]
    job = wait_job(s["dist1"], upload(s["dist1"], "/uploads/unions", xlsx(rows)).get_json()["id"])
    assert job["state"] == "failed"
    assert {(e["row"], e["column"]) for e in job["errors"]} == {(4, "所属区局（产业）工会"), (5, "层级")}
    job = wait_job(s["dist1"], upload(s["dist1"], "/uploads/unions", xlsx(rows[:3])).get_json()["id"])
    assert job["state"] == "succeeded", job
    unions = events(members, "members.unions.registered")[-1]["data"]["unions"]
    assert {u["district_id"] for u in unions} == {s["d1"]}
    loaded = events(members, "members.clerks.loaded")[-1]["data"]["clerks"]
    assert {c["set_up_by"] for c in loaded} == {"黄浦区总工会"}  # its clerks' mails name the district
    assert s["dist1"].get("/uploads?kind=unions").get_json()["total"] == 2
    assert s["g1"].post("/uploads/unions", data={}).status_code == 403


def test_the_template_has_the_columns_and_instructions(service):
    import io

    import openpyxl

    members = service("members")
    s = setup(members)
    response = s["centre"].get("/templates/unions.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    assert "填写说明" in book.sheetnames
    kinds = s["dist1"].get("/uploads/kinds").get_json()["kinds"]
    assert any(k["kind"] == "unions" and "district" in k["roles"] for k in kinds)
    wrong = upload(s["centre"], "/uploads/unions", xlsx([["名称", "统一社会信用代码"], ["x", "y"]]))
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "HEADER_INVALID"


def test_the_centre_loads_unions_on_sqlite_too(tmp_path):
    """The embedded mode's path: ids by RETURNING, names asked in chunks."""
    from tests.conftest import ServiceClient

    members = ServiceClient("members", f"sqlite:///{tmp_path / 'members.db'}")
    try:
        s = setup(members)
        rows = [HEADER, district_row("新区总工会", "newdistrict")] + [
            union_row(n, district="新区总工会") for n in (1, 2)
        ]
        job = wait_job(s["centre"], upload(s["centre"], "/uploads/unions", xlsx(rows)).get_json()["id"])
        assert job["state"] == "succeeded", job
        unions = events(members, "members.unions.registered")[-1]["data"]["unions"]
        assert [u["name"] for u in unions] == ["导入1公司工会", "导入2公司工会"]
        assert s["centre"].get(f"/unions/{unions[1]['union_id']}").get_json()["credit_code"] == unions[1]["credit_code"]
        again = wait_job(s["centre"], upload(s["centre"], "/uploads/unions", xlsx(rows[:3])).get_json()["id"])
        assert {(e["row"], e["column"]) for e in again["errors"]} == {(2, "名称"), (3, "统一社会信用代码"), (3, "名称")}
    finally:
        members.close()
