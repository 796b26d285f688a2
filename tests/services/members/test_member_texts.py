"""短信 to a member (decision 0045): enrollment's enrollment.cover_request.changed reaches the
member's mobile on record through the SMS adapter (the embedded mode's files under data/sms/),
by members, which alone holds the mobile; wired in members' subscriptions."""

from __future__ import annotations

import json
import uuid

import pytest

from common import sms
from common.bus import PermanentFailure
from common.db import envelope
from tests.services.members.roster_helpers import add, setup
from tests.unit.test_sms_adapter import SECRET, _Provider, provider  # noqa: F401 - the local provider fixture

TYPE = "enrollment.cover_request.changed"


def _deliver(members, data: dict) -> None:
    from services.members.subscriptions import SUBSCRIPTIONS

    [handler] = [sub.handlers[TYPE] for sub in SUBSCRIPTIONS if TYPE in sub.handlers]
    with members.runtime.uow() as uow:
        handler(uow, envelope(TYPE, data, "enrollment", event_id=str(uuid.uuid4())))


def _texts(mobile: str) -> list[str]:
    return [text for to, text in sms.read_messages() if to == mobile]


def test_each_state_of_the_request_is_texted_to_the_mobile_on_record(service):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    mobile = "13812340001"
    before = len(_texts(mobile))
    for state, words in (("asked", "已提交所在工会"), ("covered", "您已参加2026年度")):
        _deliver(
            members,
            {
                "request_id": 1,
                "member_id": first["id"],
                "union_id": s["u1"],
                "cover_year": 2026,
                "state": state,
                "state_text": "…",
                "reason": None,
                "message": f"{words}（测试）",
            },
        )
    assert _texts(mobile)[before:] == ["已提交所在工会（测试）", "您已参加2026年度（测试）"]
    # nobody to text: nothing sent, nothing failed
    _deliver(members, {"member_id": 999999, "cover_year": 2026, "state": "asked", "message": "无人"})
    assert "无人" not in [text for _, text in sms.read_messages()]
    with pytest.raises(PermanentFailure):
        _deliver(members, {"member_id": first["id"], "cover_year": 2026, "state": "asked"})


def test_with_the_provider_the_request_is_texted_with_its_own_template(service, provider, monkeypatch):
    members = service("members")
    s = setup(members)
    first = add(s["g1"], 1)
    monkeypatch.setenv("SMS_PROVIDER", "aliyun")
    monkeypatch.setenv("SMS_ENDPOINT", provider)
    monkeypatch.setenv("SMS_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.setenv("SMS_TEMPLATE_SIGN_IN_CODE", "SMS_SIGNIN")
    monkeypatch.setenv("SMS_TEMPLATE_COVER_REQUEST", "SMS_COVER")
    data = {"member_id": first["id"], "cover_year": 2026, "state": "declined", "state_text": "单位未受理"}
    _deliver(members, {**data, "reason": "材料不全", "message": "…"})
    (sent,) = _Provider.received
    assert (sent["PhoneNumbers"], sent["TemplateCode"]) == ("13812340001", "SMS_COVER")
    assert json.loads(sent["TemplateParam"]) == {"year": "2026", "state": "单位未受理（材料不全）"}
