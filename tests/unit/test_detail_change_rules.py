"""My details' rules (decision 0047), plain: what a member's correction is, who may ask, the
states in the member's words, and a new mobile's code bound to the member and to that mobile."""

from __future__ import annotations

from gateway.domain import member_codes
from services.members.domain import detail_change as rules

ADDRESS, MOBILE = "上海市黄浦区人民大道 200 号", "13812340001"


def test_a_correction_is_what_differs_from_the_record():
    change, errors = rules.check_correction(ADDRESS, MOBILE, " 上海市徐汇区 1 号 ", "139-8765-0001")
    assert errors == {} and change == rules.Correction("上海市徐汇区 1 号", "13987650001")
    change, errors = rules.check_correction(ADDRESS, MOBILE, ADDRESS, "+8613987650001")
    assert change == rules.Correction(None, "13987650001")
    change, _ = rules.check_correction(ADDRESS, MOBILE, "新地址", "")
    assert change == rules.Correction("新地址", None)  # an empty mobile leaves it as it is


def test_nothing_new_or_bad_values_are_refused_with_the_field():
    assert rules.check_correction(ADDRESS, MOBILE, ADDRESS, MOBILE) == (None, {"address": ["与登记信息相同，无需变更"]})
    assert rules.check_correction(ADDRESS, MOBILE, None, None)[0] is None
    assert rules.check_correction(ADDRESS, MOBILE, "  ", None)[1] == {"address": ["请填写联系地址"]}
    assert "address" in rules.check_correction(ADDRESS, MOBILE, "地" * 201, None)[1]
    assert rules.check_correction(ADDRESS, MOBILE, None, "12345")[1] == {"mobile": ["请填写 11 位手机号码"]}


def test_only_a_member_of_a_union_may_ask():
    assert rules.may_ask("normal", 3) is None and rules.may_ask("pending", 3) is None
    assert rules.may_ask("left", 3) and rules.may_ask("normal", None)


def test_the_member_reads_the_state_and_the_reason():
    assert rules.state_text(rules.PENDING, None) == "待单位确认"
    assert rules.state_text(rules.ACCEPTED, None) == "已更新"
    assert rules.state_text(rules.DECLINED, "地址不全") == "未通过：地址不全"
    assert rules.check_reason("  ") is None and rules.check_reason("x" * 201) is None
    assert rules.check_reason(" 地址不全 ") == "地址不全"
    assert "地址不全" in rules.decided_message(rules.DECLINED, "地址不全")


def test_a_new_mobiles_code_is_bound_to_the_member_and_to_that_mobile():
    key = "k" * 32
    one, two = member_codes.self_subject(key, 1), member_codes.self_subject(key, 2)
    assert one != two and one != member_codes.subject_hash(key, "1")
    same = member_codes.mobile_code_hash(key, one, "139 8765 0001", "123456")
    assert same == member_codes.mobile_code_hash(key, one, "13987650001", "123456")
    assert same != member_codes.mobile_code_hash(key, one, "13987650002", "123456")  # another mobile
    assert same != member_codes.mobile_code_hash(key, two, "13987650001", "123456")  # another member
    assert "13987650001" not in same


def test_a_change_is_stale_once_the_address_or_the_masked_mobile_moved():
    assert not rules.is_stale("上海市 1 号", "138****0001", "上海市 1 号", "138****0001")
    assert not rules.is_stale("", None, None, "")  # nothing then, nothing now
    assert rules.is_stale("上海市 1 号", "138****0001", "上海市 2 号", "138****0001")
    assert rules.is_stale("上海市 1 号", "138****0001", "上海市 1 号", "137****0001")
    assert rules.is_stale("上海市 1 号", None, "上海市 1 号", "137****0001")


def test_the_texts_of_a_decision_and_of_a_replaced_mobile():
    assert rules.decided_result("accepted", None) in rules.decided_message("accepted", None)
    assert rules.decided_result("declined", "缺门牌号") == "未通过，原因：缺门牌号"
    words = rules.mobile_replaced_message("139****0001")
    assert "已更换为 139****0001" in words and "13987650001" not in words


def test_a_mobile_is_ascii_digits_only():
    from services.members.domain.member import normalise_mobile

    assert normalise_mobile("13987650001") == "13987650001"
    assert normalise_mobile("139٨٧٦٥٠٠٠١") is None  # Arabic-Indic
    assert member_codes.mobile_errors("139８７６５０００１") == ["请填写 11 位手机号码"]  # full-width
    assert member_codes.mobile_errors("139٨٧٦٥٠٠٠١") == ["请填写 11 位手机号码"]
    assert member_codes.mobile_errors("139 8765 0001") == []
