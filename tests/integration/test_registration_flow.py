"""组织注册 → 组织审核 → the clerk's account, or the return's mail, over real processes, PostgreSQL
and RabbitMQ: the public form goes through the gateway to members; the district approves;
members' event reaches the gateway's consumer, which makes the account inactive; the
notifications service writes its activation mail; the link sets the password and the clerk logs
in to the new union. A returned one is mailed its reason and leaves no account."""

from __future__ import annotations

import email
import re
from email import policy

import requests

from deploy.seed import credit_code

LINK = re.compile(r"https?://\S+?/password/set#t=([A-Za-z0-9_-]+)")


def _form(district_id: int, **changes) -> dict:
    data = {
        "name": "注册测试公司工会",
        "credit_code": credit_code("91310101MA1RG0001"),
        "district_id": district_id,
        "address": "上海市黄浦区南京东路 100 号",
        "chair_name": "钱主席",
        "chair_mobile": "13700000001",
        "chair_email": "chair@reg.example.cn",
        "clerk_name": "孙代办",
        "clerk_mobile": "13700000002",
        "clerk_email": "clerk@reg.example.cn",
        "username": "reg.clerk",
    }
    data.update(changes)
    return data


def test_a_union_registers_its_district_approves_and_the_clerk_activates(system):
    post = lambda path, body: requests.post(system.base + path, json=body, timeout=20)
    districts = requests.get(system.base + "/api/v1/registrations/districts", timeout=10).json()
    district_id = next(d["id"] for d in districts if d["name"] == "黄浦区总工会")

    taken = post("/api/v1/registrations", _form(district_id, username="district"))
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "USERNAME_TAKEN"
    submitted = post("/api/v1/registrations", _form(district_id))
    assert submitted.status_code == 201, submitted.text
    answer = submitted.json()
    assert answer["state_name"] == "待区局审核" and "clerk@reg.example.cn" in answer["message"]
    assert answer["number"] in answer["message"]

    district = system.login("district")
    queue = district.get("/api/v1/members/registrations?state=pending").json()
    [mine] = [r for r in queue if r["number"] == answer["number"]]
    # a grassroots clerk may not decide it
    assert system.login("grassroots1").post(f"/api/v1/members/registrations/{mine['id']}/approve").status_code == 403
    approved = district.post(f"/api/v1/members/registrations/{mine['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state_name"] == "已通过"
    union_id = approved.json()["union_id"]

    centre = system.login("centre")

    def the_account():
        accounts = centre.get("/api/v1/accounts?username=reg.clerk").json()
        items = accounts["items"] if isinstance(accounts, dict) else accounts
        return next((a for a in items if a["username"] == "reg.clerk"), None)

    system.wait_for(the_account, timeout=60, message="the clerk's account")
    account = the_account()
    assert account["active"] is False and account["role"] == "grassroots" and account["union_id"] == union_id

    folder = system.tmp / "mail"

    def mail_file():
        mails = list(folder.glob("*account-link-*.eml")) if folder.exists() else []
        return next((p for p in mails if b"clerk@reg.example.cn" in p.read_bytes()), None)

    system.wait_for(mail_file, timeout=60, message="the activation mail")
    mail = email.message_from_bytes(mail_file().read_bytes(), policy=policy.default)
    assert mail["To"] == "clerk@reg.example.cn"
    words = mail.get_content()
    assert f"黄浦区总工会已审核通过“注册测试公司工会”的组织注册（注册编号 {answer['number']}）" in words
    assert "市职保中心已为您开通" not in words and "设置密码" in words
    token = LINK.search(mail.get_content()).group(1)
    assert post("/api/v1/auth/link/password", {"token": token, "new_password": "Reg&Clerk2026"}).status_code == 200
    clerk = system.login("reg.clerk", "Reg&Clerk2026")
    assert clerk.get(f"/api/v1/members/unions/{union_id}").json()["name"] == "注册测试公司工会"

    again = post("/api/v1/registrations", _form(district_id, username="reg.clerk2", name="另一个名称"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "CREDIT_CODE_TAKEN"


def test_a_returned_registration_mails_the_reason_to_the_clerk(system):
    post = lambda path, body: requests.post(system.base + path, json=body, timeout=20)
    districts = requests.get(system.base + "/api/v1/registrations/districts", timeout=10).json()
    district_id = next(d["id"] for d in districts if d["name"] == "黄浦区总工会")
    form = _form(
        district_id,
        name="退回测试工会",
        credit_code=credit_code("91310101MA1RG0009"),
        clerk_email="back@reg.example.cn",
        username="back.clerk",
    )
    number = post("/api/v1/registrations", form).json()["number"]
    district = system.login("district")
    [mine] = [r for r in district.get("/api/v1/members/registrations").json() if r["number"] == number]
    returned = district.post(
        f"/api/v1/members/registrations/{mine['id']}/return", json={"reason": "名称与营业执照不符"}
    )
    assert returned.status_code == 200 and returned.json()["state_name"] == "已退回"

    folder = system.tmp / "mail"

    def mail_file():
        mails = list(folder.glob("*registration-returned-*.eml")) if folder.exists() else []
        return next((p for p in mails if b"back@reg.example.cn" in p.read_bytes()), None)

    system.wait_for(mail_file, timeout=60, message="the return's mail")
    mail = email.message_from_bytes(mail_file().read_bytes(), policy=policy.default)
    assert mail["To"] == "back@reg.example.cn" and number in mail["Subject"]
    assert "名称与营业执照不符" in mail.get_content()
    # nothing was made of it, and the same code may apply again
    assert all(
        a["username"] != "back.clerk"
        for a in system.login("centre").get("/api/v1/accounts", params={"q": "back.clerk"}).json()
    )
    assert post("/api/v1/registrations", form).status_code == 201
