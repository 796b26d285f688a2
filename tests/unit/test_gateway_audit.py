"""The audit trail says in words whose full ID number was revealed (who and when are the record's)."""
from gateway.handlers.audit import describe


def test_a_reveal_names_whose_number_it_was_and_nothing_else_gets_a_detail():
    assert describe("POST /api/v1/members/members/42/id-number-reveals") == "查看完整证件号码：会员 42"
    assert describe("GET /api/v1/members/members/42") is None
    assert describe("POST /api/v1/members/members/approvals") is None
