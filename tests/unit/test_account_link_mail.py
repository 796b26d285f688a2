"""The notifications service mails a gateway link to the account's own address (embedded mode:
an .eml under DATA_DIR/mail), with the link absolute from PUBLIC_BASE_URL; a malformed event is
dead-lettered."""

import email
from email import policy

import pytest

from common.bus import PermanentFailure
from common.db import envelope
from gateway import contracts
from services.notifications.handlers.account_links import mail_account_link_when_issued
from tests.unit.fakes import FakeUnitOfWork


def _event(**changes):
    data = contracts.link_issued_data(
        3,
        "clerk9",
        "王五",
        "clerk9@example.cn",
        "activate",
        "tok_EN-123456789012345678901234567890",
        "2026-12-10T20:00:00+08:00",
    )
    return envelope(contracts.ACCOUNT_LINK_ISSUED, {**data, **changes}, "gateway")


def test_the_link_is_mailed_to_the_account_with_the_public_address(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://zhibao.example.cn/")
    event = _event()
    mail_account_link_when_issued(FakeUnitOfWork("notifications"), event)
    [written] = list((tmp_path / "mail").glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    body = message.get_content()
    assert message["To"] == "clerk9@example.cn" and "激活" in message["Subject"]
    assert "https://zhibao.example.cn/password/set#t=tok_EN-123456789012345678901234567890" in body
    assert "王五" in body and "2026-12-10 20:00" in body


def test_a_link_event_without_an_address_is_dead_lettered(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    with pytest.raises(PermanentFailure):
        mail_account_link_when_issued(FakeUnitOfWork("notifications"), _event(email=None))


def _body(tmp_path, monkeypatch, event):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    mail_account_link_when_issued(FakeUnitOfWork("notifications"), event)
    [written] = list((tmp_path / "mail").glob("*.eml"))
    return email.message_from_bytes(written.read_bytes(), policy=policy.default).get_content()


def test_a_registration_approved_link_says_the_district_approved_it(tmp_path, monkeypatch):
    occasion = contracts.registration_occasion("ZC20261207000012", "注册测试公司工会", "黄浦区总工会")
    body = _body(tmp_path, monkeypatch, _event(**occasion))
    assert "黄浦区总工会已审核通过“注册测试公司工会”的组织注册（注册编号 ZC20261207000012）" in body
    assert "设置密码" in body and "市职保中心已为您开通" not in body


def test_a_registration_approved_link_without_the_district_name_still_names_the_registration(tmp_path, monkeypatch):
    occasion = contracts.registration_occasion("ZC20261207000013", "注册测试公司工会", None)
    body = _body(tmp_path, monkeypatch, _event(**occasion))
    assert "所属区局已审核通过“注册测试公司工会”的组织注册（注册编号 ZC20261207000013）" in body


def test_a_link_event_without_an_occasion_reads_as_the_centres_account(tmp_path, monkeypatch):
    assert "市职保中心已为您开通" in _body(tmp_path, monkeypatch, _event())


def test_a_registration_approved_link_without_its_number_is_dead_lettered(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    event = _event(occasion="registration_approved", district_name="黄浦区总工会")
    with pytest.raises(PermanentFailure):
        mail_account_link_when_issued(FakeUnitOfWork("notifications"), event)


def test_a_reset_of_a_clerk_its_district_set_up_names_the_district_not_the_centre(tmp_path, monkeypatch):
    body = _body(tmp_path, monkeypatch, _event(purpose="reset", set_up_by="黄浦区总工会"))
    assert "找回密码" in body and "如有疑问请联系黄浦区总工会" in body
    assert "市职保中心" not in body.split("上海市职工保障互助中心")[0]


def test_an_activation_link_resent_or_asked_again_names_who_set_the_account_up(tmp_path, monkeypatch):
    body = _body(tmp_path, monkeypatch, _event(set_up_by="浦东新区总工会"))
    assert "浦东新区总工会已为您开通" in body and "如有疑问请联系浦东新区总工会" in body


def test_a_handover_link_says_whose_clerk_and_who_named_them(tmp_path, monkeypatch):
    occasion = contracts.handover_occasion("上海示范科技有限公司工会", "黄浦区总工会（district）")
    body = _body(tmp_path, monkeypatch, _event(**occasion, set_up_by="黄浦区总工会"))
    assert "“上海示范科技有限公司工会”的代办员已变更为您（由黄浦区总工会（district）办理）" in body
    assert "黄浦区总工会为您开通了" in body and "如有疑问请联系黄浦区总工会" in body


def test_a_centre_account_still_says_the_centre(tmp_path, monkeypatch):
    body = _body(tmp_path, monkeypatch, _event(purpose="reset"))
    assert "如有疑问请联系市职保中心" in body
