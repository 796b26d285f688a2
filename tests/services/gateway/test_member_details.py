"""My details at the gateway on PostgreSQL (decision 0047): a signed-in member asks for a code to
a new mobile (the sign-in code's machinery: the embedded SMS adapter writes it under
DATA_DIR/sms, one a minute and five an hour for the member, five tries, five minutes, bound to
that mobile, nothing in clear) and submits the correction with it; the gateway hands it to members
for the session's member only. Members' side is a stand-in here: its own tests are members'."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from common import sms
from gateway.adapters import members_directory
from gateway.adapters.orm import AuditRecord, MemberCode
from gateway.bootstrap import runtime
from tests.services.gateway.test_member_sign_in import MEMBER_ID_NUMBER, MEMBER_MOBILE, _age_codes, _code, _sign_in
from tests.unit.test_sms_adapter import SECRET, _Provider, provider  # noqa: F401 - the local provider fixture

NEW_MOBILE = "13987650001"


@pytest.fixture
def handed(gateway, tmp_path, monkeypatch):
    """The gateway with member 41 signed in (bearer), and what it handed to members."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMS_PROVIDER", raising=False)

    def match(id_number, mobile, request_id):
        return {"member_id": 41, "union_id": 7} if (id_number, mobile) == (MEMBER_ID_NUMBER, MEMBER_MOBILE) else None

    calls: list[tuple] = []
    answer = {"status": 201}

    def submit(member_id, address, mobile, request_id):
        calls.append((member_id, address, mobile))
        if answer["status"] != 201:
            return answer["status"], {"error": {"code": "DETAIL_CHANGE_INVALID", "message": "提交的数据有误"}}
        return 201, {"id": len(calls), "state": "pending", "state_text": "待单位确认"}

    monkeypatch.setattr(members_directory, "match_member", match)
    monkeypatch.setattr(members_directory, "submit_detail_change", submit)
    client = gateway.test_client()
    _code(client)
    (code,) = _texts(tmp_path, MEMBER_MOBILE)
    body = _sign_in(client, code).get_json()
    _age_codes(timedelta(minutes=10))  # the sign-in code is history; it throttles nothing here
    return client, {"Authorization": f"Bearer {body['access_token']}"}, calls, answer


def _texts(tmp_path, mobile: str, count: int = 1) -> list[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [t for to, t in sms.read_messages(tmp_path / "sms") if to == mobile]
        if len(found) >= count:
            break
        time.sleep(0.05)
    return [re.search(r"\d{6}", t).group(0) for to, t in sms.read_messages(tmp_path / "sms") if to == mobile]


def _ask(client, headers, mobile=NEW_MOBILE, ip="10.0.0.1"):
    return client.post(
        "/api/v1/me/mobile-codes", json={"mobile": mobile}, headers=headers, environ_base={"REMOTE_ADDR": ip}
    )


def _submit(client, headers, ip="10.0.0.1", **body):
    return client.post("/api/v1/me/detail-changes", json=body, headers=headers, environ_base={"REMOTE_ADDR": ip})


def test_a_code_to_the_new_mobile_confirms_it_and_members_gets_the_sessions_member(handed, tmp_path):
    client, member, calls, _ = handed
    asked = _ask(client, member)
    assert asked.status_code == 200 and asked.get_json()["resend_after"] == 60
    (code,) = _texts(tmp_path, NEW_MOBILE)
    assert "更正会员登记的手机号码" in sms.read_messages(tmp_path / "sms")[-1][1]
    with runtime.sessions() as session:
        row = session.scalars(select(MemberCode).order_by(MemberCode.id.desc())).first()
        assert row.member_id == 41 and NEW_MOBILE not in row.subject + row.code_hash and code not in row.code_hash
    made = _submit(client, member, address="上海市徐汇区 1 号", mobile="139 8765 0001", code=code)
    assert made.status_code == 201, made.get_json()
    assert calls == [(41, "上海市徐汇区 1 号", NEW_MOBILE)]
    # used once
    again = _submit(client, member, address="x", mobile=NEW_MOBILE, code=code, ip="10.0.0.2")
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "MEMBER_CODE_INVALID"
    # an address alone needs no code
    assert _submit(client, member, address="上海市静安区 2 号").status_code == 201
    assert calls[-1] == (41, "上海市静安区 2 号", None)
    # a member id in the body is not the member's to name
    assert _submit(client, member, address="y", member_id=42).status_code == 422
    with runtime.sessions() as session:
        audited = session.scalars(
            select(AuditRecord).where(AuditRecord.action.in_(("POST /api/v1/me/detail-changes",)))
        ).all()
        assert [(a.username, a.status) for a in audited][:1] == [("member-41", 201)]


def test_a_code_is_bound_to_its_mobile_and_dies_after_five_tries_or_five_minutes(handed, tmp_path):
    client, member, calls, _ = handed
    _ask(client, member)
    (code,) = _texts(tmp_path, NEW_MOBILE)
    other = _submit(client, member, mobile="13987650002", code=code)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "MEMBER_CODE_INVALID"
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for n in range(4):  # with the other mobile's try, five
        assert _submit(client, member, mobile=NEW_MOBILE, code=wrong, ip=f"10.0.1.{n}").status_code == 422
    late = _submit(client, member, mobile=NEW_MOBILE, code=code, ip="10.0.1.9")
    assert late.status_code == 422 and late.get_json()["error"]["code"] == "MEMBER_CODE_INVALID"
    assert calls == []
    # a new code, five minutes old: dead
    _age_codes(timedelta(seconds=61))
    _ask(client, member)
    codes = _texts(tmp_path, NEW_MOBILE, 2)
    _age_codes(timedelta(minutes=5, seconds=1))
    expired = _submit(client, member, mobile=NEW_MOBILE, code=codes[-1], ip="10.0.2.1")
    assert expired.status_code == 422 and calls == []
    # no code at all
    assert _submit(client, member, mobile=NEW_MOBILE, ip="10.0.2.2").status_code == 422


def test_members_refusal_is_relayed_and_does_not_use_the_code(handed, tmp_path):
    client, member, calls, answer = handed
    _ask(client, member)
    (code,) = _texts(tmp_path, NEW_MOBILE)
    answer["status"] = 422
    refused = _submit(client, member, address="", mobile=NEW_MOBILE, code=code)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "DETAIL_CHANGE_INVALID"
    answer["status"] = 201
    assert _submit(client, member, address="好地址", mobile=NEW_MOBILE, code=code).status_code == 201
    assert len(calls) == 2


def test_codes_to_a_new_mobile_are_throttled_and_checked(handed):
    client, member, _, _ = handed
    assert _ask(client, member, mobile="12").status_code == 422
    assert _ask(client, member).status_code == 200
    again = _ask(client, member, mobile="13987650003")  # another number does not reset the minute
    assert again.status_code == 429 and again.get_json()["error"]["code"] == "MEMBER_CODE_THROTTLED"
    assert again.headers["Retry-After"]
    for _ in range(4):
        _age_codes(timedelta(seconds=61))
        assert _ask(client, member).status_code == 200
    _age_codes(timedelta(seconds=61))
    assert _ask(client, member).status_code == 429  # five an hour for the member


def test_only_a_member_reaches_the_routes(handed):
    client, _, calls, _ = handed
    token = client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"}).get_json()
    centre = {"Authorization": f"Bearer {token['access_token']}"}
    assert _ask(client, centre).status_code == 403
    assert _submit(client, centre, address="x").status_code == 403
    assert client.post("/api/v1/me/detail-changes", json={"address": "x"}).status_code == 401
    assert calls == []


def test_a_mobile_of_other_scripts_digits_is_refused_in_the_members_words(handed):
    client, member, calls, _ = handed
    arabic_indic = "139٨٧٦٥٠٠٠١"  # str.isdigit() says yes to these; a mobile is ASCII 0-9 only
    full_width = "139８７６５０００１"
    for mobile in (arabic_indic, full_width):
        asked = _ask(client, member, mobile=mobile)
        assert asked.status_code == 422, mobile
        assert asked.get_json()["error"]["fields"]["mobile"] == ["请填写 11 位手机号码"]
        made = _submit(client, member, address="好地址", mobile=mobile, code="123456")
        assert made.status_code == 422 and made.get_json()["error"]["fields"]["mobile"] == ["请填写 11 位手机号码"]
    assert calls == []


def _aliyun(monkeypatch, endpoint: str) -> None:
    monkeypatch.setenv("SMS_PROVIDER", "aliyun")
    monkeypatch.setenv("SMS_ENDPOINT", endpoint)
    monkeypatch.setenv("SMS_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.setenv("SMS_TEMPLATE_SIGN_IN_CODE", "SMS_SIGNIN")
    monkeypatch.setenv("SMS_TEMPLATE_MOBILE_CODE", "SMS_NEWMOBILE")


def _sent(count: int) -> list[tuple[str, str, dict]]:
    """(number, template, parameters) the local provider took, once `count` arrived (a worker sends)."""
    for _ in range(200):
        if len(_Provider.received) >= count:
            break
        time.sleep(0.025)
    return [(p["PhoneNumbers"], p["TemplateCode"], json.loads(p["TemplateParam"])) for p in _Provider.received]


def test_the_new_mobiles_code_goes_with_its_own_template_not_the_sign_in_one(handed, provider, monkeypatch):
    client, member, _, _ = handed
    _aliyun(monkeypatch, provider)
    assert _ask(client, member).status_code == 200
    ((to, template, params),) = _sent(1)
    assert (to, template, list(params)) == (NEW_MOBILE, "SMS_NEWMOBILE", ["code"])
    assert _code(client, ip="10.9.9.9").status_code == 200
    assert _sent(2)[1][:2] == (MEMBER_MOBILE, "SMS_SIGNIN")
