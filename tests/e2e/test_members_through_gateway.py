"""The roster through the gateway with every process real (gateway, services under gunicorn,
workers, PostgreSQL, RabbitMQ): add → district approval → card → sync → import, uploads one at a
time, templates; and the scope table: every members endpoint × every role outside its scope is
refused, outside the scope exactly like something missing."""

from __future__ import annotations

import io
import threading

import openpyxl
import pytest
from sqlalchemy import text

from deploy.seed import credit_code
from services.members.demo import demo_id
from tests.season import xlsx
from tests.services.members.roster_helpers import IMPORT_HEADER, import_row, member_form, rid

API = "/api/v1/members"
PASSWORD = "Outside@2026pass"


def files(data: bytes, name: str = "list.xlsx") -> dict:
    return {"file": (name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


@pytest.fixture(scope="module")
def world(system):
    """Demo accounts plus a second district with its own union and accounts (the outsiders)."""
    centre = system.login("centre")
    d2 = centre.post(f"{API}/districts", json={"name": "外区测试总工会", "kind": "district"}).json()["id"]
    u3 = centre.post(
        f"{API}/unions",
        json={
            "name": "外区测试公司工会",
            "credit_code": credit_code("91310115MA1FL0077"),
            "district_id": d2,
            "contact_person": "外联",
            "phone": "13900000077",
        },
    ).json()["id"]
    for username, role, union_id, district_id in (
        ("district2", "district", None, d2),
        ("grassroots3", "grassroots", u3, d2),
    ):
        response = centre.post(
            "/api/v1/accounts",
            json={
                "username": username,
                "display_name": username,
                "password": PASSWORD,
                "role": role,
                "union_id": union_id,
                "district_id": district_id,
            },
        )
        assert response.status_code == 201, response.text
    w = {
        "centre": centre,
        "district": system.login("district"),
        "g1": system.login("grassroots1"),
        "g2": system.login("grassroots2"),
        "district2": system.login("district2", PASSWORD),
        "g3": system.login("grassroots3", PASSWORD),
        "u3": u3,
        "d2": d2,
    }
    w["u1"], w["u2"] = w["g1"].account["union_id"], w["g2"].account["union_id"]
    return w


def test_add_approve_card_then_sync_and_import(system, world):
    g1, district = world["g1"], world["district"]
    added = g1.post(f"{API}/members", json=member_form(501, name="端到端甲"))
    assert added.status_code == 201, added.text
    member = added.json()
    pending = district.get(f"{API}/members", params={"status": "pending", "name": "端到端"}).json()
    assert [m["id"] for m in pending["items"]] == [member["id"]]
    approved = district.post(f"{API}/members/approvals", json={"member_ids": [member["id"]]})
    assert approved.status_code == 200 and approved.json()[0]["member_no"]
    card = g1.put(
        f"{API}/members/{member['id']}/card", json={"card_number": "6222020000000501", "issued_on": "2019-12-01"}
    )
    assert card.status_code == 200
    # the sync: the demo union's own members, the new one, and the demo person with no union (B)
    listed = g1.get(f"{API}/members", params={"per_page": 100}).json()["items"]
    own = [(m["name"], g1.get(f"{API}/members/{m['id']}").json()["id_number"]) for m in listed]
    rows = [["姓名", "证件号码"], *own, ["王芳", demo_id(11)]]
    started = g1.post(f"{API}/uploads/sync", files=files(xlsx(rows)))
    assert started.status_code == 202, started.text
    job = system.wait_for(
        lambda: (j := g1.get(f"{API}/uploads/{started.json()['id']}").json())["state"] != "running" and j,
        message="sync job",
    )
    assert job["state"] == "succeeded", job
    assert job["counts"]["A"] == len(own) and job["counts"]["B"] == 1 and job["counts"]["E"] == 0
    result = g1.get(f"{API}/uploads/{job['id']}/result.xlsx")
    assert result.status_code == 200 and result.headers["Content-Type"].startswith("application/vnd.openxml")
    # batch import of two new people
    imported = g1.post(f"{API}/uploads/import", files=files(xlsx([IMPORT_HEADER, import_row(601), import_row(602)])))
    assert imported.status_code == 200 and imported.json()["added"] == 2, imported.text
    # a refused sync on the worker: the first errors in its status, the rest paged and downloadable
    # through the gateway, ID numbers masked
    refused = g1.post(
        f"{API}/uploads/sync", files=files(xlsx([["姓名", "证件号码"], ["查无此人", rid(598, birth="19790303")]]))
    )
    assert refused.status_code == 202, refused.text
    failed = system.wait_for(
        lambda: (j := g1.get(f"{API}/uploads/{refused.json()['id']}").json())["state"] != "running" and j,
        message="refused sync job",
    )
    assert failed["state"] == "failed" and failed["error_count"] == 1 and "*" in failed["errors"][0]["id_number"]
    assert g1.get(f"{API}{failed['errors_path']}").json()["total"] == 1
    assert g1.get(f"{API}{failed['errors_download_path']}").status_code == 200
    assert g1.post(f"{API}/uploads/sync", files=files(b"name,id\n")).json()["error"]["code"] == "NOT_A_WORKBOOK"
    # the template downloads through the gateway
    template = g1.get(f"{API}/templates/import.xlsx")
    assert (
        template.status_code == 200
        and openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]["A1"].value == "姓名"
    )


def test_member_events_leave_through_the_relay(system, world):
    """Every member event written above is published by the relay (publisher confirms)."""

    def relayed():
        with system.db("members").connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar() == 0

    system.wait_for(relayed, message="members outbox relayed")


def test_concurrent_syncs_for_one_union_one_wins_the_other_gets_409(system, world):
    g2 = world["g2"]
    rows = [["姓名", "证件号码"]] + [[f"无此人{n}", rid(n, birth="19700101")] for n in range(1, 900)]
    data = xlsx(rows)
    barrier, answers = threading.Barrier(3), []

    def send():
        session = system.login("grassroots2")
        barrier.wait()
        answers.append(session.post(f"{API}/uploads/sync", files=files(data)).status_code)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 202 in answers and 409 in answers, answers
    for job in g2.get(f"{API}/uploads", params={"kind": "sync"}).json()["items"]:
        system.wait_for(lambda: g2.get(f"{API}/uploads/{job['id']}").json()["state"] != "running", message="job done")


# ------------------------------------------------------------------ the scope table


def _target(world):
    """A pending member of grassroots1, a transfer request against it, and a job of grassroots1."""
    g1, g2 = world["g1"], world["g2"]
    member = g1.post(f"{API}/members", json=member_form(777, name="范围测试")).json()
    holder = g2.post(f"{API}/uploads/transfer-in", files=files(xlsx([["姓名", "证件号码"], ["范围测试", rid(777)]])))
    assert holder.status_code == 200 and holder.json()["requested"] == 1, holder.text
    request_id = g1.get(f"{API}/transfer-requests", params={"direction": "out"}).json()["items"][0]["id"]
    job = g1.get(f"{API}/uploads", params={"kind": "sync"}).json()["items"][0]["id"]
    return member["id"], request_id, job


SCOPE_TABLE = [
    # (method, path, body, allowed roles, roles outside the scope among the allowed)
    ("GET", "/members/{m}", None, ALL := ("centre", "district", "grassroots"), ("g2", "g3", "district2")),
    ("PATCH", "/members/{m}", {"address": "x"}, ("grassroots",), ("g2", "g3")),
    (
        "PUT",
        "/members/{m}/card",
        {"card_number": "6222020000000777", "issued_on": "2019-12-01"},
        ("grassroots", "centre"),
        ("g2", "g3"),
    ),
    ("POST", "/members/approvals", {"member_ids": ["{m}"]}, ("district", "centre"), ("district2",)),
    (
        "POST",
        "/members/rejections",
        {"member_ids": ["{m}"], "reason": "范围测试"},
        ("district", "centre"),
        ("district2",),
    ),
    ("POST", "/members/transfer-out", {"member_ids": ["{m}"], "reason": "离职"}, ("grassroots",), ("g2", "g3")),
    ("POST", "/members/removals", {"member_ids": ["{m}"]}, ("centre",), ()),
    (
        "POST",
        "/transfer-requests/{r}/decision",
        {"approve": False, "reason": "范围测试"},
        ("grassroots",),
        ("g2", "g3"),
    ),
    ("GET", "/uploads/{j}", None, ALL, ("g2", "g3", "district2")),
    ("GET", "/uploads/{j}/result.xlsx", None, ALL, ("g2", "g3", "district2")),
    ("POST", "/members", member_form(778), ("grassroots",), ()),
    ("POST", "/uploads/import", "file", ("grassroots",), ()),
    ("POST", "/uploads/transfer-in", "file", ("grassroots",), ()),
    ("POST", "/uploads/transfer-out", "file", ("grassroots",), ()),
    ("POST", "/uploads/sync", "file", ("grassroots",), ()),
    ("POST", "/uploads/cards", "file", ("grassroots", "centre"), ()),
    ("POST", "/uploads/removals", "file", ("centre",), ()),
    ("GET", "/id-lookups", None, ("centre",), ()),
]
MISSING = {"m": 987654, "r": 987654, "j": 987654}
ROLE_OF = {
    "centre": "centre",
    "district": "district",
    "district2": "district",
    "g1": "grassroots",
    "g2": "grassroots",
    "g3": "grassroots",
}


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, list):
        return [int(_fill(v, ids)) if isinstance(v, str) and v.startswith("{") else v for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(session, method, path, body, ids):
    if body == "file":
        return session.request(
            method, API + path.format(**ids), files=files(xlsx([["姓名", "证件号码"], ["x", rid(1)]]))
        )
    return session.request(method, API + path.format(**ids), json=_fill(body, ids) if body is not None else None)


def test_scope_table_every_endpoint_every_outsider(system, world):
    member_id, request_id, job_id = _target(world)
    ids = {"m": member_id, "r": request_id, "j": job_id}
    refused = []
    for method, path, body, allowed, outsiders in SCOPE_TABLE:
        for who in ("centre", "district", "district2", "g1", "g2", "g3"):
            session = world[who]
            if ROLE_OF[who] not in allowed:
                response = _call(session, method, path, body, ids)
                if response.status_code != 403:
                    refused.append((method, path, who, response.status_code))
            elif who in outsiders:
                hidden = _call(session, method, path, body, ids)
                missing = _call(session, method, path, body, MISSING)
                if not (hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()):
                    refused.append((method, path, who, hidden.status_code, missing.status_code))
    assert refused == []
    # lists are scoped: outsiders see none of grassroots1's members, requests or uploads
    for who in ("g2", "g3", "district2"):
        session = world[who]
        assert session.get(f"{API}/members", params={"union_id": world["u1"]}).json()["total"] == 0
        assert all(j["union_id"] != world["u1"] for j in session.get(f"{API}/uploads").json()["items"])
    assert world["g3"].get(f"{API}/transfer-requests", params={"direction": "out"}).json()["total"] == 0
    # and the member is untouched by all those refused calls
    detail = world["g1"].get(f"{API}/members/{member_id}").json()
    assert detail["address"] != "x" and detail["status"] == "pending" and detail["card_number"] is None


def test_templates_for_every_role(world):
    for who in ("centre", "district", "g1"):
        assert world[who].get(f"{API}/templates/sync.xlsx").status_code == 200


def test_the_upload_pages_read_their_kinds_through_the_gateway(world):
    for who, role in (("g1", "grassroots"), ("centre", "centre")):
        answer = world[who].get(f"{API}/uploads/kinds")
        assert answer.status_code == 200, (who, answer.text)
        mine = [k for k in answer.json()["kinds"] if role in k["roles"]]
        assert mine and all(world[who].get(API + k["template_path"]).status_code == 200 for k in mine)
        assert [c["code"] for c in answer.json()["categories"]] == ["A", "B", "C", "D", "E"]
