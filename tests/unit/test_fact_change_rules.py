"""登记信息变更's rules (services/members/domain/fact_change.py): what counts as a change, whose
step it is, and the states a move goes through."""

import pytest

from services.members.domain import fact_change as rules


def test_only_facts_that_differ_are_a_change():
    change, errors = rules.check_change("甲工会", "91310101MA1FL01015", 1, {"name": " 甲工会 ", "district_id": 2})
    assert errors == {} and change == rules.Change(None, None, 2) and change.is_move
    none, errors = rules.check_change("甲工会", "91310101MA1FL01015", 1, {"name": "甲工会", "district_id": 1})
    assert none is None and "name" in errors
    _, errors = rules.check_change("甲工会", "x", 1, {"credit_code": "123", "district_id": True})
    assert set(errors) == {"credit_code", "district_id"}


def test_a_move_is_released_then_accepted_a_rename_approved_once():
    assert rules.approve(rules.PENDING, is_move=False) == rules.APPROVED
    assert rules.approve(rules.PENDING, is_move=True) == rules.AWAITING
    assert rules.approve(rules.AWAITING, is_move=True) == rules.APPROVED
    assert rules.give_back(rules.AWAITING) == rules.RETURNED
    for state in (rules.APPROVED, rules.RETURNED):
        with pytest.raises(rules.Decided):
            rules.approve(state, is_move=True)
        with pytest.raises(rules.Decided):
            rules.step_district(state, 1, 2)


def test_each_step_is_its_districts():
    assert rules.step_district(rules.PENDING, 1, 2) == 1
    assert rules.step_district(rules.AWAITING, 1, 2) == 2
    rules.check_actor("district", 2, 2)
    rules.check_actor("centre", None, 2)
    with pytest.raises(rules.NotYours):
        rules.check_actor("district", 1, 2)
    with pytest.raises(rules.NotYours):
        rules.check_actor("grassroots", 2, 2)
