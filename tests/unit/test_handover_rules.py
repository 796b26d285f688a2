"""代办员变更's rules (gateway/domain/handover.py): who may name a union's new clerk, the terms a
union's history shows from its handovers, what is kept of a mobile."""

from datetime import datetime

from gateway.domain import handover as rules


def test_the_union_its_own_clerk_and_its_district_may_hand_over_no_one_else():
    assert rules.refusal("grassroots", 7, 3, 7, 3) is None
    assert rules.refusal("grassroots", 8, 3, 7, 3) == rules.NOT_YOURS
    assert rules.refusal("district", None, 3, 7, 3) is None
    assert rules.refusal("district", None, 4, 7, 3) == rules.NOT_YOUR_DISTRICT
    assert rules.refusal("centre", None, None, 7, 3) is not None
    assert rules.may_read("centre", None, None, 7, 3) and not rules.may_read("district", None, 4, 7, 3)


def test_terms_run_from_the_first_clerk_through_each_handover():
    t = [datetime(2026, 1, d) for d in range(1, 6)]
    first = rules.Clerk(1, "a", "甲", t[0])
    second = rules.Clerk(2, "b", "乙", t[2])
    third = rules.Clerk(3, "c", "丙", t[3])
    handovers = [
        rules.Handover(t[3], "区局（d）", third, (second,)),
        rules.Handover(t[2], "本会原代办员 甲（a）", second, (first,)),
    ]
    terms = rules.terms(handovers, [rules.Clerk(3, "c", "丙", t[3])])
    assert [(x.username, x.since, x.until, x.named_by, x.ended_by) for x in terms] == [
        ("a", t[0], t[2], None, "本会原代办员 甲（a）"),
        ("b", t[2], t[3], "本会原代办员 甲（a）", "区局（d）"),
        ("c", t[3], None, "区局（d）", None),
    ]


def test_a_union_without_a_handover_shows_its_clerks_now_and_one_without_a_clerk_nothing():
    t = datetime(2026, 1, 1)
    assert [x.username for x in rules.terms([], [rules.Clerk(1, "a", "甲", t)])] == ["a"]
    assert rules.terms([], []) == []
    first = rules.Handover(t, "区局（d）", rules.Clerk(5, "e", "戊", t), ())
    assert [(x.username, x.until) for x in rules.terms([first], [])] == [("e", None)]


def test_only_a_masked_mobile_is_kept():
    assert rules.mask_mobile(" 13900000002 ") == "139****0002"
    assert rules.mask_mobile("62345678") == "****5678"
    assert rules.mask_mobile("12") == "****"
