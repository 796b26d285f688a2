"""代办员变更 and 登记信息变更 through the real gateway and services (docs/decisions/0040): the
district hands a union's clerk over and the old clerk's session ends at once — its access token,
its refresh token and its password are refused with the reason in words, and the audit says
who did it; a union's rename and its move to another district, approved in 组织审核 (the move by
both districts), reach the read models of enrollment, billing and documents."""

from __future__ import annotations

import requests
from sqlalchemy import text

from tests.season import ok

PASSWORD = "Demo@2026pass"


def test_the_old_clerks_session_ends_at_the_handover(system):
    old = system.login("grassroots2")
    union_id = old.account["union_id"]
    assert old.get("/api/v1/members/members").status_code == 200
    district = system.login("district")
    done = district.post(
        f"/api/v1/unions/{union_id}/clerks/handover",
        json={
            "display_name": "接任代办",
            "mobile": "13900000004",
            "email": "next@example.cn",
            "username": "next.clerk",
        },
    )
    assert done.status_code == 201, done.text
    assert done.json()["replaced"] == ["grassroots2"]

    refused = requests.get(
        system.base + "/api/v1/members/members",
        headers={"Authorization": old.http.headers["Authorization"]},
        timeout=30,
    )
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "ACCOUNT_HANDED_OVER"
    assert "因代办员变更" in refused.json()["error"]["message"]
    renewed = requests.post(system.base + "/api/v1/auth/refresh", json={"refresh_token": old.refresh_token}, timeout=30)
    assert renewed.status_code == 401
    login = requests.post(
        system.base + "/api/v1/auth/login", json={"username": "grassroots2", "password": PASSWORD}, timeout=30
    )
    assert login.status_code == 401 and login.json()["error"]["code"] == "ACCOUNT_HANDED_OVER"
    assert "黄浦区总工会（district）办理" in login.json()["error"]["message"]

    history = ok(district.get(f"/api/v1/unions/{union_id}/clerks"))
    assert [(t["username"], t["until"] is None) for t in history["terms"]] == [
        ("next.clerk", True),
        ("grassroots2", False),
    ]
    centre = system.login("centre")
    said = [r["summary"] for r in ok(centre.get("/api/v1/audit", params={"username": "district"}))["items"]]
    assert any("变更代办员" in s and "接任代办（next.clerk）" in s and "成功" in s for s in said), said


def _read_model(system, service: str, union_id: int):
    with system.db(service).connect() as conn:
        return conn.execute(
            text("SELECT name, district_id FROM union_view WHERE union_id = :u"), {"u": union_id}
        ).one_or_none()


def test_a_rename_and_a_move_approved_in_review_reach_every_read_model(system):
    clerk = system.login("grassroots1")
    union_id = clerk.account["union_id"]
    home = system.login("district")
    asked = ok(
        clerk.post(f"/api/v1/members/unions/{union_id}/fact-changes", json={"name": "上海示范科技集团工会"}), 201
    )
    ok(home.post(f"/api/v1/members/fact-changes/{asked['id']}/approve"))
    for service in ("enrollment", "billing", "documents"):
        system.wait_for(
            lambda s=service: (_read_model(system, s, union_id) or (None,))[0] == "上海示范科技集团工会",
            message=f"{service} renamed",
        )

    centre = system.login("centre")
    other = ok(centre.post("/api/v1/members/districts", json={"name": "徐汇区总工会", "kind": "district"}), 201)
    ok(
        centre.post(
            "/api/v1/accounts",
            json={
                "username": "district.xh",
                "display_name": "徐汇区总工会",
                "role": "district",
                "district_id": other["id"],
                "password": "Second&Dist2026pw",
            },
        ),
        201,
    )
    move = ok(clerk.post(f"/api/v1/members/unions/{union_id}/fact-changes", json={"district_id": other["id"]}), 201)
    new_home = system.login("district.xh", "Second&Dist2026pw")
    early = new_home.post(f"/api/v1/members/fact-changes/{move['id']}/approve")
    assert early.status_code == 403 and "黄浦区总工会" in early.json()["error"]["message"]
    assert ok(home.post(f"/api/v1/members/fact-changes/{move['id']}/approve"))["state_name"] == "待新区局接收"
    assert ok(new_home.post(f"/api/v1/members/fact-changes/{move['id']}/approve"))["state_name"] == "已通过"
    for service in ("enrollment", "billing", "documents"):
        system.wait_for(
            lambda s=service: (_read_model(system, s, union_id) or (None, None))[1] == other["id"],
            message=f"{service} moved",
        )
