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
