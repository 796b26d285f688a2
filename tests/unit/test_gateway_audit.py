"""The audit trail says in words whose full ID number was revealed (who and when are the record's),
and that a sync or transfer-in list was refused by the daily ID lookup quota."""
from gateway.handlers.audit import describe


def test_a_reveal_names_whose_number_it_was_and_nothing_else_gets_a_detail():
    assert describe("POST /api/v1/members/members/42/id-number-reveals") == "查看完整证件号码：会员 42"
    assert describe("GET /api/v1/members/members/42") is None
    assert describe("POST /api/v1/members/members/approvals") is None


def test_a_sync_or_transfer_in_list_refused_by_the_lookup_quota_says_so():
    for path in ("sync", "transfer-in"):
        assert describe(f"POST /api/v1/members/uploads/{path}", 429) == "超出每日证件号码查询额度，未做任何处理"
        assert describe(f"POST /api/v1/members/uploads/{path}", 202) is None
    assert describe("POST /api/v1/members/uploads/import", 429) is None
