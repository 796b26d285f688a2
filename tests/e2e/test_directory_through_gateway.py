"""The union directory through the gateway, with every process real: a union registered at
members reaches the read models of enrollment, billing and documents."""

from sqlalchemy import text

from deploy.seed import credit_code


def test_registration_reaches_all_read_models_and_scope_holds(system):
    centre = system.login("centre")
    districts = centre.get("/api/v1/members/districts").json()
    response = centre.post(
        "/api/v1/members/unions",
        json={
            "name": "上海端到端测试有限公司工会",
            "credit_code": credit_code("91310101MA1FL0099"),
            "district_id": districts[0]["id"],
            "contact_person": "周敏",
            "phone": "13900000099",
        },
    )
    assert response.status_code == 201, response.text
    union_id = response.json()["id"]

    def in_read_model(service):
        with system.db(service).connect() as conn:
            return conn.execute(text("SELECT name FROM union_view WHERE union_id = :u"), {"u": union_id}).scalar()

    for service in ("enrollment", "billing", "documents"):
        assert (
            system.wait_for(lambda: in_read_model(service), message=f"{service} read model")
            == "上海端到端测试有限公司工会"
        )

    grassroots = system.login("grassroots1")
    mine = grassroots.get("/api/v1/members/unions").json()["items"]
    assert len(mine) == 1 and mine[0]["id"] == grassroots.account["union_id"]
    hidden = grassroots.get(f"/api/v1/members/unions/{union_id}")
    missing = grassroots.get("/api/v1/members/unions/987654")
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    refused = grassroots.post("/api/v1/members/districts", json={"name": "x", "kind": "district"})
    assert refused.status_code == 403
