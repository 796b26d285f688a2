"""The SMS adapter (common/sms.py, decision 0041): the embedded mode writes files under
DATA_DIR/sms; the Aliyun mode sends a signed `SendSms` request — checked here against a local HTTP
server that verifies the signature the way the provider documents it and answers as it does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl, quote, urlparse

import pytest

from common import sms

SECRET = "testsecret"


def _expected_signature(params: dict[str, str]) -> str:
    """The provider's documented algorithm, written out independently of the adapter."""

    def enc(v: str) -> str:
        return quote(v, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()) if k != "Signature")
    to_sign = "GET&" + enc("/") + "&" + enc(query)
    return base64.b64encode(hmac.new((SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class _Provider(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []
    answer: ClassVar[dict[str, str]] = {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "R"}

    def do_GET(self):
        params = dict(parse_qsl(urlparse(self.path).query, keep_blank_values=True))
        type(self).received.append(params)
        body = self.answer
        if params.get("Signature") != _expected_signature(params):
            body = {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    _Provider.received = []
    _Provider.answer = {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "R"}
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _settings(endpoint: str, secret: str = SECRET) -> sms.SmsSettings:
    return sms.SmsSettings(
        provider="aliyun",
        endpoint=endpoint,
        access_key_id="LTAI-test",
        access_key_secret=secret,
        sign_name="上海职工保障互助",
        templates={
            sms.SIGN_IN_CODE: "SMS_123456",
            sms.MOBILE_CODE: "SMS_200001",
            sms.DETAIL_DECISION: "SMS_200002",
            sms.MOBILE_REPLACED: "SMS_200003",
            sms.COVER_REQUEST: "SMS_200004",
        },
    )


def test_the_embedded_mode_writes_each_message_under_data_sms(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    sms.send(
        "13910000001", sms.SIGN_IN_CODE, "您的个人登录验证码为 123456", {"code": "123456"}, sms.SmsSettings(provider="")
    )
    assert sms.read_messages(tmp_path / "sms") == [("13910000001", "您的个人登录验证码为 123456")]


def test_aliyun_send_sms_is_a_signed_request_the_provider_accepts(provider):
    sms.send("13910000001", sms.SIGN_IN_CODE, "ignored by the provider", {"code": "654321"}, _settings(provider))
    (params,) = _Provider.received
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == "13910000001"
    assert params["SignName"] == "上海职工保障互助" and params["TemplateCode"] == "SMS_123456"
    assert json.loads(params["TemplateParam"]) == {"code": "654321"}
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["SignatureVersion"] == "1.0"


def test_a_wrong_secret_and_a_provider_refusal_raise_with_the_providers_code(provider):
    with pytest.raises(sms.SmsFailed) as refused:
        sms.send("13910000001", sms.SIGN_IN_CODE, "x", {"code": "1"}, _settings(provider, secret="wrong"))
    assert refused.value.code == "SignatureDoesNotMatch"
    _Provider.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控"}
    with pytest.raises(sms.SmsFailed) as limited:
        sms.send("13910000001", sms.SIGN_IN_CODE, "x", {"code": "1"}, _settings(provider))
    assert limited.value.code == "isv.BUSINESS_LIMIT_CONTROL"


def test_an_unreachable_provider_raises(provider):
    with pytest.raises(sms.SmsFailed) as down:
        sms.send("13910000001", sms.SIGN_IN_CODE, "x", {"code": "1"}, _settings("http://127.0.0.1:9/"))
    assert down.value.code == "UNREACHABLE"


def test_each_kind_of_message_goes_with_its_own_template_and_its_parameters(provider):
    sent = (
        (sms.SIGN_IN_CODE, {"code": "111111"}, "SMS_123456"),
        (sms.MOBILE_CODE, {"code": "222222"}, "SMS_200001"),
        (sms.DETAIL_DECISION, {"result": "未通过，原因：地址不完整"}, "SMS_200002"),
        (sms.MOBILE_REPLACED, {"number": "137****1234"}, "SMS_200003"),
        (sms.COVER_REQUEST, {"year": "2026", "state": "已参保"}, "SMS_200004"),
    )
    for kind, params, _ in sent:
        sms.send("13910000001", kind, "ignored by the provider", params, _settings(provider))
    assert [(p["TemplateCode"], json.loads(p["TemplateParam"])) for p in _Provider.received] == [
        (template, params) for _, params, template in sent
    ]
    assert set(sms.KINDS) == {kind for kind, _, _ in sent}


def test_a_kind_without_its_template_or_with_other_parameters_is_not_sent(provider, monkeypatch):
    for kind in sms.KINDS:
        monkeypatch.delenv(sms.KINDS[kind].setting, raising=False)
    monkeypatch.delenv("SMS_TEMPLATE_CODE", raising=False)
    monkeypatch.setenv("SMS_TEMPLATE_CODE", "SMS_OLD")  # the sign-in code's setting before kinds
    settings = sms.SmsSettings(provider="aliyun", endpoint=provider, access_key_secret=SECRET)
    assert settings.templates[sms.SIGN_IN_CODE] == "SMS_OLD" and settings.templates[sms.MOBILE_CODE] == ""
    with pytest.raises(sms.SmsFailed) as missing:
        sms.send("13910000001", sms.MOBILE_CODE, "x", {"code": "1"}, settings)
    assert missing.value.code == "TEMPLATE_MISSING"
    with pytest.raises(ValueError):
        sms.send("13910000001", sms.DETAIL_DECISION, "x", {"state": "accepted"}, _settings(provider))
    assert _Provider.received == []


def test_a_value_longer_than_the_providers_35_characters_is_clipped_and_no_variable_is_named_mobile(provider):
    """Aliyun's notification templates take ≤ 35 characters a variable and refuse variables named
    email, mobile, id, nick or site: a union's long reason is clipped (…), the embedded text whole."""
    reason = "未通过，原因：" + "地址" * 40
    sms.send("13910000001", sms.DETAIL_DECISION, "the whole text", {"result": reason}, _settings(provider))
    (params,) = _Provider.received
    sent = json.loads(params["TemplateParam"])["result"]
    assert len(sent) == 35 and sent.endswith("…") and reason.startswith(sent[:-1])
    short = "已由所在工会确认并更新"
    assert sms.clipped(short) == short and sms.clipped("x" * 35) == "x" * 35
    refused_names = {"email", "mobile", "id", "nick", "site"}
    assert not refused_names & {name for kind in sms.KINDS.values() for name in kind.params}
