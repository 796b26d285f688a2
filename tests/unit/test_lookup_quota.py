"""The daily quota on ID lookups by sync and transfer-in lists (issue 14 item 6): pure rules."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.members.domain.lookup_quota import FLOOR, PER_MEMBER, LookupQuota

DAY = date(2026, 12, 3)


def test_the_allowance_is_a_multiple_of_the_roster_never_below_the_floor():
    quota = LookupQuota()
    assert (PER_MEMBER, FLOOR) == (3, 2000)
    assert quota.allowance(0) == 2000
    assert quota.allowance(666) == 2000
    assert quota.allowance(667) == 2001
    assert quota.allowance(100_000) == 300_000
    assert LookupQuota(per_member=2, floor=500).allowance(100) == 500


def test_a_union_can_preview_retry_and_apply_its_whole_roster_in_a_day():
    quota, roster = LookupQuota(), 10_000
    used = 0
    for _ in range(3):  # 预检, a run refused for its errors, the run that applies
        decision = quota.decide(DAY, roster, used, roster)
        assert decision.allowed
        used += roster
    assert not quota.decide(DAY, roster, used, 1).allowed


def test_up_to_the_allowance_exactly_and_not_one_row_more():
    quota = LookupQuota(per_member=2, floor=10)
    assert quota.decide(DAY, 3, 4, 6).allowed  # 4 + 6 = 10
    refused = quota.decide(DAY, 3, 4, 7)
    assert not refused.allowed and refused.allowance == 10 and refused.left == 6


def test_the_refusal_says_what_was_used_the_allowance_and_when_it_resets():
    refused = LookupQuota(per_member=3, floor=2000).decide(DAY, 1000, 2500, 800)
    text = refused.message()
    assert not refused.allowed and refused.resets_on == date(2026, 12, 4)
    for part in (
        "今日已查询 2500 行",
        "本次上传 800 行",
        "每日额度 3000 行",
        "会员 1000 人的 3 倍",
        "最少 2000 行",
        "今日还可查询 500 行",
        "12月4日 0:00",
        "未做任何处理",
    ):
        assert part in text, part


def test_a_file_larger_than_a_whole_day_says_so_rather_than_come_back_tomorrow():
    refused = LookupQuota().decide(DAY, 10, 0, 5000)
    assert not refused.allowed
    assert "本次上传 5000 行，超过本单位每日证件号码查询额度 2000 行" in refused.message()
    assert "重置" not in refused.message()


def test_the_new_year_resets_on_the_first_of_january():
    assert LookupQuota().decide(date(2026, 12, 31), 0, 2000, 1).resets_on == date(2027, 1, 1)


def test_nothing_is_negative():
    with pytest.raises(ValueError):
        LookupQuota(per_member=-1)
    with pytest.raises(ValueError):
        LookupQuota().decide(DAY, 0, 0, -1)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10), st.integers(0, 10**4))
def test_allowed_exactly_when_the_day_stays_within_the_allowance(roster, used, asked, per_member, floor):
    quota = LookupQuota(per_member=per_member, floor=floor)
    decision = quota.decide(DAY, roster, used, asked)
    assert decision.allowance >= floor and decision.allowance >= per_member * roster
    assert decision.allowed == (used + asked <= decision.allowance)
