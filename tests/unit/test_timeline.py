"""Cover-year timeline rules (保障年度): windows inclusive, refusals name the window, bad timelines."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.errors import OutsideWindow, ValidationFailed
from services.enrollment.domain.timeline import build_cover_year

DATA = {
    "split_window": (date(2019, 10, 25), date(2019, 10, 31)),
    "grassroots_window": (date(2019, 11, 1), date(2019, 12, 27)),
    "district_review_window": (date(2019, 11, 1), date(2019, 12, 27)),
    "district_submit_window": (date(2019, 12, 28), date(2019, 12, 31)),
    "card_cutoff": date(2019, 12, 31),
    "cover_start": date(2020, 1, 1),
    "cover_end": date(2020, 12, 31),
    "payment_deadline": date(2020, 1, 20),
    "claims_deadline": date(2021, 12, 31),
}
YEAR = build_cover_year(2020, DATA)


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2021, 12, 31)))
def test_grassroots_window_is_inclusive_and_refusal_names_it(day):
    inside = date(2019, 11, 1) <= day <= date(2019, 12, 27)
    if inside:
        YEAR.check_open("grassroots", day)
    else:
        with pytest.raises(OutsideWindow) as exc:
            YEAR.check_open("grassroots", day)
        assert "2019年11月01日至2019年12月27日" in exc.value.message
        assert exc.value.extra["window"] == {"action": "grassroots", "start": "2019-11-01", "end": "2019-12-27"}


def test_instant_runs_through_the_cover_period():
    YEAR.check_open("instant", date(2020, 1, 1))
    YEAR.check_open("instant", date(2020, 12, 31))
    for day in (date(2019, 12, 31), date(2021, 1, 1)):
        with pytest.raises(OutsideWindow):
            YEAR.check_open("instant", day)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"split_window": (date(2019, 11, 1), date(2019, 10, 1))}, "split_window"),
        ({"card_cutoff": date(2020, 1, 1)}, "card_cutoff"),
        ({"cover_start": date(2021, 1, 1), "cover_end": date(2021, 12, 31)}, "cover_start"),
        ({"grassroots_window": (date(2019, 11, 1), date(2020, 1, 3))}, "grassroots_window"),
        ({"payment_deadline": date(2019, 12, 1)}, "payment_deadline"),
        ({"claims_deadline": date(2020, 6, 1)}, "claims_deadline"),
    ],
)
def test_an_impossible_timeline_is_refused_against_its_field(change, field):
    with pytest.raises(ValidationFailed) as exc:
        build_cover_year(2020, {**DATA, **change})
    assert field in exc.value.extra["fields"]


def test_windows_do_not_depend_on_the_year_being_2020():
    shifted = {
        k: (tuple(d + timedelta(days=366) for d in v) if isinstance(v, tuple) else v + timedelta(days=366))
        for k, v in DATA.items()
    }
    year = build_cover_year(2021, shifted)
    year.check_open("district_submit", date(2020, 12, 29))
