"""个人登录 at the gateway on PostgreSQL (decision 0041): a code goes to the mobile on record (the
embedded SMS adapter writes it under DATA_DIR/sms); the answer is the same whether or not the
person is a member; codes are throttled per ID number and per address, die after five minutes or
five wrong tries, and sign in once, to a short session that is audited and ends like any other.
Members' answer (does the pair match?) is given by a stand-in: its own tests are members'."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from common import sms
from gateway.adapters import members_directory
from gateway.adapters.orm import Account, AuditRecord, MemberCode, WebSession
from gateway.bootstrap import runtime

MEMBER_ID_NUMBER, MEMBER_MOBILE = "310101199001011234", "13910000001"
STRANGER_ID_NUMBER = "310101199202021235"


@pytest.fixture
def member_gateway(gateway, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMS_PROVIDER", raising=False)

    def match(id_number, mobile, request_id):
        if (id_number, mobile) == (MEMBER_ID_NUMBER, MEMBER_MOBILE):
            return {"member_id": 41, "union_id": 7}
        return None

    monkeypatch.setattr(members_directory, "match_member", match)
    return gateway


def _code(client, id_number=MEMBER_ID_NUMBER, mobile=MEMBER_MOBILE, ip="10.0.0.1"):
    return client.post(
        "/api/v1/auth/member/code", json={"id_number": id_number, "mobile": mobile}, environ_base={"REMOTE_ADDR": ip}
    )


def _sign_in(client, code, id_number=MEMBER_ID_NUMBER, ip="10.0.0.1", **more):
    return client.post(
        "/api/v1/auth/member/sign-in",
        json={"id_number": id_number, "code": code, **more},
        environ_base={"REMOTE_ADDR": ip},
    )


def _sent(tmp_path, count: int = 1) -> list[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = sms.read_messages(tmp_path / "sms")
        if len(messages) >= count:
            return [re.search(r"\d{6}", text).group(0) for _to, text in messages]
        time.sleep(0.05)
    return [re.search(r"\d{6}", text).group(0) for _to, text in sms.read_messages(tmp_path / "sms")]


def _age_codes(by: timedelta) -> None:
    with runtime.sessions() as session:
        session.execute(
            update(MemberCode).values(created_at=MemberCode.created_at - by, expires_at=MemberCode.expires_at - by)
        )
        session.commit()


def test_the_answer_is_the_same_for_a_member_and_a_stranger_and_only_the_member_gets_a_code(member_gateway, tmp_path):
    client = member_gateway.test_client()
    member = _code(client)
    stranger = _code(client, STRANGER_ID_NUMBER, MEMBER_MOBILE)
    wrong_mobile = _code(client, "310101199303031236", "13910000009")
    assert member.status_code == stranger.status_code == wrong_mobile.status_code == 200
    assert member.get_json() == stranger.get_json() == wrong_mobile.get_json()
    assert member.get_json()["resend_after"] == 60

    def headers(answer):
        return {k: v for k, v in answer.headers.items() if k != "X-Request-Id"}

    assert headers(member) == headers(stranger) == headers(wrong_mobile)
    time.sleep(0.3)
    assert [to for to, _ in sms.read_messages(tmp_path / "sms")] == [MEMBER_MOBILE]
    # the stranger's row exists like the member's (the limits count both), with no member and no clear value
    with runtime.sessions() as session:
        rows = session.scalars(select(MemberCode).order_by(MemberCode.id)).all()
        assert [r.member_id for r in rows] == [41, None, None]
        assert all(MEMBER_ID_NUMBER not in (r.subject + r.code_hash) for r in rows)
    # asking again at once is throttled, for the stranger exactly as for the member
    again, again_stranger = _code(client), _code(client, STRANGER_ID_NUMBER, MEMBER_MOBILE)
    assert again.status_code == again_stranger.status_code == 429
    assert again.get_json()["error"]["code"] == again_stranger.get_json()["error"]["code"] == "MEMBER_CODE_THROTTLED"
    assert again.headers["Retry-After"] and again_stranger.headers["Retry-After"]
    bad = _code(client, "x", "12")
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"id_number", "mobile"}


def test_a_good_code_signs_in_once_to_a_short_audited_member_session(member_gateway, tmp_path):
    client = member_gateway.test_client()
    assert _code(client).status_code == 200
    (code,) = _sent(tmp_path)
    signed = _sign_in(client, code)
    assert signed.status_code == 200, signed.get_json()
    body = signed.get_json()
    assert body["account"]["role"] == "member" and body["account"]["union_id"] == 7
    assert body["refresh_token"] and body["expires_in"] <= 30 * 60
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=bearer)
    assert me.status_code == 200 and me.get_json()["account"]["role"] == "member"
    with runtime.sessions() as session:
        account = session.scalar(select(Account).where(Account.member_id == 41))
        assert account.role == "member" and account.email is None
        (web,) = session.scalars(select(WebSession).where(WebSession.account_id == account.id)).all()
        assert web.expires_at - web.created_at == timedelta(minutes=30)
        audit = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "POST /api/v1/auth/member/sign-in")
        ).all()
        assert [(a.username, a.status) for a in audit] == [("member-41", 200)]
        assert audit[0].subject == "证件号码 3101**********1234"
    # the code is used up
    assert _sign_in(client, code).get_json()["error"]["code"] == "MEMBER_CODE_INVALID"
    # the member account has no password: a password login is refused like any wrong one
    assert client.post("/api/v1/auth/login", json={"username": "member-41", "password": "!"}).status_code == 401
    # a member reaches none of the gateway's clerk endpoints
    for path in ("/api/v1/accounts", "/api/v1/audit", "/api/v1/auth/sessions"):
        assert client.get(path, headers=bearer).status_code == 403, path
    # the centre manages clerks' accounts, not a member's own: answered like a missing one
    token = client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"}).get_json()
    centre = {"Authorization": f"Bearer {token['access_token']}"}
    for method, path, body in (
        ("PATCH", f"/api/v1/accounts/{account.id}", {"role": "centre"}),
        ("POST", f"/api/v1/accounts/{account.id}/activation-link", None),
    ):
        answer = client.open(path, method=method, json=body, headers=centre)
        assert answer.status_code == 404, (path, answer.get_json())
    # and its session ends like any other
    assert client.post("/api/v1/auth/logout", headers=bearer).status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_five_wrong_tries_use_a_code_up(member_gateway, tmp_path):
    client = member_gateway.test_client()
    _code(client)
    (code,) = _sent(tmp_path)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [_sign_in(client, wrong, ip=f"10.0.1.{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [422] * 5
    assert answers[0].get_json()["error"] == {
        "code": "MEMBER_CODE_INVALID",
        "message": "验证码错误或已失效，请重新获取",
        "fields": {"code": ["验证码错误或已失效，请重新获取"]},
    }
    late = _sign_in(client, code, ip="10.0.1.9")
    assert late.status_code == 422 and late.get_json() == answers[0].get_json()


def test_a_code_expires_after_five_minutes_and_only_the_newest_counts(member_gateway, tmp_path):
    client = member_gateway.test_client()
    _code(client)
    (first,) = _sent(tmp_path)
    _age_codes(timedelta(minutes=5, seconds=1))
    assert _sign_in(client, first).get_json()["error"]["code"] == "MEMBER_CODE_INVALID"
    assert _code(client).status_code == 200  # a minute has passed: a new one may go
    codes = _sent(tmp_path, 2)
    assert len(codes) == 2
    assert _sign_in(client, codes[-1]).status_code == 200


def test_a_stranger_cannot_sign_in_and_fails_exactly_like_a_wrong_code(member_gateway, tmp_path):
    client = member_gateway.test_client()
    _code(client, STRANGER_ID_NUMBER, MEMBER_MOBILE)
    _code(client)
    (code,) = _sent(tmp_path)
    stranger = _sign_in(client, code, STRANGER_ID_NUMBER)  # even with a real code of someone else
    nothing_asked = _sign_in(client, code, "310101199404041237")
    assert stranger.status_code == nothing_asked.status_code == 422
    assert stranger.get_json() == nothing_asked.get_json()


def test_per_id_number_and_per_address_limits(member_gateway):
    client = member_gateway.test_client()
    for _ in range(5):  # five codes an hour for one ID number, one a minute
        assert _code(client, STRANGER_ID_NUMBER, MEMBER_MOBILE, ip="10.0.2.1").status_code == 200
        _age_codes(timedelta(seconds=61))
    sixth = _code(client, STRANGER_ID_NUMBER, MEMBER_MOBILE, ip="10.0.2.2")
    assert sixth.status_code == 429 and 0 < int(sixth.headers["Retry-After"]) <= 3600
    for n in range(20):  # twenty requests an hour from one address, whatever the numbers
        number = f"3101011990010{n:05d}"
        assert _code(client, number, MEMBER_MOBILE, ip="10.0.3.1").status_code == 200, n
    assert _code(client, "310101199001019999", MEMBER_MOBILE, ip="10.0.3.1").status_code == 429
    assert _code(client, "310101199001019999", MEMBER_MOBILE, ip="10.0.3.2").status_code == 200


def test_a_stopped_member_account_is_refused_like_a_bad_code(member_gateway, tmp_path):
    client = member_gateway.test_client()
    _code(client)
    (code,) = _sent(tmp_path)
    assert _sign_in(client, code).status_code == 200
    with runtime.sessions() as session:
        session.execute(update(Account).where(Account.member_id == 41).values(active=False))
        session.commit()
    _age_codes(timedelta(seconds=61))
    _code(client)
    codes = _sent(tmp_path, 2)
    refused = _sign_in(client, codes[-1])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "MEMBER_CODE_INVALID"


def test_the_member_pages_without_a_session_lead_to_personal_sign_in(member_gateway):
    client = member_gateway.test_client()
    assert client.get("/me").headers["Location"].endswith("/login/member")
    page = client.get("/login/member")
    assert page.status_code == 200 and "个人登录" in page.get_data(as_text=True)
    assert 'href="/login/member"' in client.get("/login").get_data(as_text=True)
