"""组织注册's rules: the applicant's fields, the states and the registration number."""

from datetime import date

import pytest

from deploy.seed import credit_code
from services.members.domain import registration as rules

CODE = credit_code("91310101MA1FL0101")


def _data(**changes):
    data = {
        "name": " 丙公司工会 ",
        "credit_code": CODE.lower(),
        "district_id": 3,
        "address": "上海市黄浦区中山东一路 1 号",
        "chair_name": "周主席",
        "chair_mobile": "139 0000 0001",
        "chair_email": "Chair@Example.CN",
        "clerk_name": "吴代办",
        "clerk_mobile": "１３９０００００００２",
        "clerk_email": "clerk@example.cn",
        "username": "bing_clerk",
    }
    data.update(changes)
    return data


def test_a_good_application_is_cleaned():
    application, errors = rules.check_application(_data())
    assert errors == {} and application is not None
    assert application.name == "丙公司工会" and application.credit_code == CODE
    assert application.chair_mobile == "13900000001" and application.clerk_mobile == "13900000002"
    assert application.chair_email == "Chair@example.cn"


def test_every_wrong_field_is_named_in_chinese():
    application, errors = rules.check_application(
        _data(
            name="",
            credit_code=CODE[:17] + ("0" if CODE[17] != "0" else "1"),
            district_id=None,
            chair_mobile="12345",
            clerk_email="a@b",
            username="张三",
            address="x" * 201,
            clerk_name="吴\u200b代办",
        )
    )
    assert application is None
    assert set(errors) == {
        "name",
        "credit_code",
        "district_id",
        "chair_mobile",
        "clerk_email",
        "username",
        "address",
        "clerk_name",
    }
    assert errors["credit_code"] == ["统一社会信用代码校验位不正确，请核对"]
    assert all(all(ord(c) > 127 for c in m[0][:2]) for m in errors.values())


@pytest.mark.parametrize("value", ["a@b", "@b.cn", "a b@c.cn", "a@@b.cn", "a@b..cn", "邮箱@b.cn", "x" * 250 + "@b.cn"])
def test_bad_addresses(value):
    assert rules.email(value) is None


def test_only_a_pending_registration_is_decided_once():
    assert rules.decide(rules.PENDING, rules.APPROVE) == rules.APPROVED
    assert rules.decide(rules.PENDING, rules.RETURN) == rules.RETURNED
    for state in (rules.APPROVED, rules.RETURNED):
        for action in (rules.APPROVE, rules.RETURN):
            with pytest.raises(rules.NotPending, match="不能再审核"):
                rules.decide(state, action)


def test_reason_and_number():
    assert rules.check_reason("  ") is None and rules.check_reason("x" * 201) is None
    assert rules.check_reason(" 名称不符 ") == "名称不符"
    assert rules.registration_number(42, date(2026, 12, 7)) == "ZC20261207000042"


def test_a_taken_name_gets_the_unions_id_within_the_limit():
    from gateway.domain.registration import REGISTRATIONS_PER_ADDRESS, fallback_username, may_register

    assert fallback_username("bing.clerk", 42) == "bing.clerk_42"
    long = fallback_username("x" * 64, 123456)
    assert len(long) == 64 and long.endswith("_123456")
    assert may_register(REGISTRATIONS_PER_ADDRESS - 1) and not may_register(REGISTRATIONS_PER_ADDRESS)
