"""Who is late (账龄) and the reminders that escalate (services/billing/domain/ageing.py)."""

from __future__ import annotations

from datetime import date

import pytest

from services.billing.domain.ageing import BUCKETS, bucket, days_past, next_step


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2020, 1, 9), "not_due"),
        (date(2020, 1, 10), "not_due"),  # the pay-by day itself is in time
        (date(2020, 1, 11), "days_1_7"),
        (date(2020, 1, 17), "days_1_7"),
        (date(2020, 1, 18), "days_8_30"),
        (date(2020, 2, 9), "days_8_30"),
        (date(2020, 2, 10), "over_30"),
    ],
)
def test_the_bucket_by_days_past_the_pay_by(today, expected):
    assert bucket(days_past(date(2020, 1, 10), today)) == expected
    assert expected in BUCKETS


def test_no_pay_by_is_not_due():
    assert bucket(days_past(None, date(2020, 1, 10))) == "not_due"


def test_reminders_climb_one_step_at_a_time():
    assert next_step(0, 100, set()) is None
    assert next_step(1, 100, set()) == "first_notice"
    assert next_step(7, 100, {"first_notice"}) is None
    assert next_step(8, 100, {"first_notice"}) == "escalated"
    assert next_step(40, 100, set()) == "first_notice"  # never escalated before told at all
    assert next_step(40, 100, {"first_notice"}) == "escalated"
    assert next_step(30, 100, {"first_notice", "escalated"}) is None
    assert next_step(31, 100, {"first_notice", "escalated"}) == "centre_list"
    assert next_step(99, 100, {"first_notice", "escalated", "centre_list"}) is None
    # a week between steps, however often it runs: the 21-days-late batch told today is not escalated today
    assert next_step(21, 100, {"first_notice"}, since_last=0) is None
    assert next_step(27, 100, {"first_notice"}, since_last=6) is None
    assert next_step(28, 100, {"first_notice"}, since_last=7) == "escalated"


def test_nothing_short_nothing_to_remind():
    assert next_step(40, 0, set()) is None
