"""The demo years are valid timelines with today's actions open, whatever day it is."""

from datetime import date, timedelta

import pytest

from services.enrollment.demo import timeline_around
from services.enrollment.domain.timeline import build_cover_year


@pytest.mark.parametrize("offset", range(0, 366, 5))
def test_demo_years_open_today(offset):
    today = date(2026, 1, 1) + timedelta(days=offset)
    next_year = build_cover_year(today.year + 1, timeline_around(today, today.year + 1))
    next_year.check_open("grassroots", today)
    next_year.check_open("district_review", today)
    this_year = build_cover_year(today.year, timeline_around(today, today.year))
    this_year.check_open("instant", today)


def test_the_last_days_of_december_still_work():
    for day in range(27, 32):
        today = date(2026, 12, day)
        build_cover_year(2027, timeline_around(today, 2027)).check_open("grassroots", today)
        build_cover_year(2026, timeline_around(today, 2026)).check_open("instant", today)
