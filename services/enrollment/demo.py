"""Demo data for the embedded mode (`make run`): two cover years laid out around TODAY by the
real clock, so the demo can be walked without moving the clock:

- next year's cover (today.year + 1): the grassroots window is open today (集中参保办理), and so
  is the district's submission to the centre — the demo compresses the season so that a
  newcomer can walk all of it today (the guide's district window is only 12-28…12-31);
- this year's cover (today.year): running, so instant enrolment (即时参保) is open today.

Written through the handlers and a unit of work, so `enrollment.cover_year.configured` is
published for billing and documents. Idempotent: a year already configured is left alone."""

from __future__ import annotations

from datetime import date, timedelta

from common import clock
from common.identity import Identity
from services.enrollment.adapters.orm import CoverYearRow
from services.enrollment.handlers import cover_years

SEED = Identity(user="seed", role="centre", request_id="seed")


def timeline_around(today: date, cover_year: int) -> dict:
    """A timeline of `cover_year` with the guide's shape (2020: split 10-25…10-31, grassroots and
    review 11-01…12-27, district submission 12-28…12-31, cut-off 12-31, payment by 01-20)."""
    before = cover_year - 1
    december_end = date(before, 12, 31)
    grassroots_start = date(before, 11, 1)
    grassroots_end = date(before, 12, 27)
    submit_start = min(grassroots_end + timedelta(days=1), december_end)
    split_window = [grassroots_start - timedelta(days=7), grassroots_start - timedelta(days=1)]
    if before == today.year:  # stretch the windows so that today is inside the grassroots window
        grassroots_start = min(grassroots_start, today - timedelta(days=7))
        grassroots_end = max(grassroots_end, today)
        submit_start = grassroots_start  # and the district can submit today as well
        split_window = [grassroots_start - timedelta(days=7), today]  # and still adjust its split
    return {
        "split_window": split_window,
        "grassroots_window": [grassroots_start, grassroots_end],
        "district_review_window": [grassroots_start, grassroots_end],
        "district_submit_window": [submit_start, december_end],
        "card_cutoff": december_end,
        "cover_start": date(cover_year, 1, 1),
        "cover_end": date(cover_year, 12, 31),
        "payment_deadline": date(cover_year, 1, 20),
        "claims_deadline": date(cover_year + 1, 12, 31),
    }


def seed(district_id: int, union_ids: list[int]) -> list[int]:
    from services.enrollment.bootstrap import runtime

    today = clock.today()
    configured = []
    for cover_year in (today.year, today.year + 1):
        with runtime.uow() as uow:
            if uow.session.get(CoverYearRow, cover_year) is None:
                cover_years.configure_cover_year(uow, SEED, cover_year, timeline_around(today, cover_year))
                configured.append(cover_year)
    return configured
