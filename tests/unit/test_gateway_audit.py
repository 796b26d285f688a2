"""The audit trail says in words whose full ID number was revealed (who and when are the record's),
and that a sync or transfer-in list was refused by the daily ID lookup quota."""
from gateway.handlers.audit import describe


def test_a_reveal_names_whose_number_it_was_and_nothing_else_gets_a_detail():
    assert describe("POST /api/v1/members/members/42/id-number-reveals") == "查看完整证件号码：会员 42"
    assert describe("GET /api/v1/members/members/42") is None
    assert describe("POST /api/v1/members/members/approvals") is None


def test_a_change_refused_by_the_lookup_quota_says_so():
    for action in ("POST /api/v1/members/uploads/sync", "POST /api/v1/members/uploads/transfer-in",
                   "POST /api/v1/members/uploads/import", "POST /api/v1/members/uploads/cards",
                   "POST /api/v1/members/members", "PATCH /api/v1/members/members/7",
                   "PUT /api/v1/members/members/7/card"):
        assert describe(action, 429) == "超出每日证件号码查询额度，未做任何处理"
        assert describe(action, 202) is None
    assert describe("POST /api/v1/enrollment/submissions", 429) is None
