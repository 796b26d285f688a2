"""个人参保申请 (decision 0045): the states a member's request goes through and the refusals."""

from __future__ import annotations

import pytest

from common.errors import Conflict, ValidationFailed
from services.enrollment.domain import cover_requests as rules


def test_a_request_moves_asked_submitted_covered():
    state = rules.ASKED
    state = rules.next_state(state, "submit")
    assert state == rules.SUBMITTED and rules.STATES[state] == "单位已提交"
    assert rules.next_state(state, "grant") == rules.COVERED and rules.STATES[rules.COVERED] == "已参保"


def test_a_returned_submission_puts_the_request_back_and_an_unpaid_batch_fails_it():
    assert rules.next_state(rules.SUBMITTED, "return") == rules.ASKED
    assert rules.next_state(rules.SUBMITTED, "fail") == rules.FAILED


@pytest.mark.parametrize("final", rules.FINAL_STATES)
@pytest.mark.parametrize("step", tuple(rules.STEPS))
def test_a_final_request_never_moves(final, step):
    assert rules.next_state(final, step) is None


def test_only_an_asked_request_can_be_declined_or_submitted():
    assert rules.next_state(rules.ASKED, "decline") == rules.DECLINED
    assert rules.next_state(rules.SUBMITTED, "decline") is None
    assert rules.next_state(rules.ASKED, "grant") is None
    with pytest.raises(Conflict) as refused:
        rules.check_declinable(rules.SUBMITTED)
    assert refused.value.code == "COVER_REQUEST_NOT_OPEN" and "单位已提交" in refused.value.message


def test_open_states_are_the_ones_holding_the_place():
    assert set(rules.OPEN_STATES) | set(rules.FINAL_STATES) == set(rules.STATES)
    assert not set(rules.OPEN_STATES) & set(rules.FINAL_STATES)


def test_refusals_are_chinese_with_stable_codes():
    asked = rules.refusal("already_asked")
    assert isinstance(asked, Conflict) and asked.code == "COVER_REQUEST_ALREADY_ASKED"
    no_card = rules.refusal("no_card")
    assert isinstance(no_card, ValidationFailed) and no_card.message == "您尚未办理会员服务卡，请先办卡"
    assert rules.refusal("already_covered").code == "COVER_REQUEST_ALREADY_COVERED"


def test_a_decline_needs_a_reason_of_bounded_length():
    assert rules.decline_reason("  已离职  ") == "已离职"
    for bad in ("", "   ", None, "字" * (rules.REASON_MAX + 1)):
        with pytest.raises(ValidationFailed):
            rules.decline_reason(bad)


def test_the_sms_names_the_union_and_the_reason():
    assert "甲工会" in rules.sms_text(rules.ASKED, 2020, "甲工会")
    assert rules.sms_text(rules.DECLINED, 2020, "甲工会", "已离职").endswith("原因：已离职")
