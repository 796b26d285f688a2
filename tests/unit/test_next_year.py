"""开启下一年度: next year's timeline proposed from this one (services/enrollment/domain/next_year.py)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from services.enrollment.domain.next_year import a_year_on, check_proposal, propose_next_year
from services.enrollment.domain.timeline import build_cover_year
from tests.unit.test_timeline import DATA, YEAR

WORKING = (
    "split_window.0",
    "split_window.1",
    "grassroots_window.0",
    "grassroots_window.1",
    "district_review_window.0",
    "district_review_window.1",
    "district_submit_window.0",
    "district_submit_window.1",
    "payment_deadline",
)


def test_the_guides_2020_gives_2021_with_weekends_kept():
    proposal = propose_next_year(YEAR)
    assert (proposal.cover_year, proposal.from_year) == (2021, 2020)
    t = proposal.timeline()
    # 2019-10-25 was a Friday, 2020-10-25 a Sunday: the window opens on the Monday
    assert t["split_window"] == [date(2020, 10, 26), date(2020, 10, 30)]
    assert t["grassroots_window"] == [date(2020, 11, 2), date(2020, 12, 25)]
    assert t["district_review_window"] == [date(2020, 11, 2), date(2020, 12, 25)]
    # 2019-12-28 was a Saturday: chosen so, it stays where a year on puts it
    assert t["district_submit_window"] == [date(2020, 12, 28), date(2020, 12, 31)]
    assert t["card_cutoff"] == date(2020, 12, 31)
    assert (t["cover_start"], t["cover_end"]) == (date(2021, 1, 1), date(2021, 12, 31))
    assert t["payment_deadline"] == date(2021, 1, 20)
    assert t["claims_deadline"] == date(2022, 12, 31)
    assert t["instant_payment_days"] == YEAR.instant_payment_days
    assert all(c["ok"] for c in proposal.checks)
    moved = {d.key: d.as_dict() for d in proposal.dates if d.why}
    assert moved["split_window.0"]["why"] == "顺延一年为 2020-10-25（周日），顺延至周一"
    # Sunday 12-27's nearest weekday, Monday 12-28, is the district's: the Friday before, then
    assert moved["grassroots_window.1"]["why"] == "顺延一年为 2020-12-27（周日），提前至周五"
    assert moved["split_window.1"]["why"] == "顺延一年为 2020-10-31（周六），提前至周五"
    assert "district_submit_window.0" not in moved
    check_proposal(proposal)


def test_every_date_is_reported_with_this_years_value():
    proposal = propose_next_year(YEAR)
    keys = [d.key for d in proposal.dates]
    assert sorted(keys) == sorted([*WORKING, "card_cutoff", "cover_start", "cover_end", "claims_deadline"])
    by_key = {d.key: d for d in proposal.dates}
    assert by_key["split_window.0"].this_year == date(2019, 10, 25)
    assert by_key["payment_deadline"].this_year == date(2020, 1, 20)


def test_29_february_becomes_28_february():
    assert a_year_on(date(2020, 2, 29)) == date(2021, 2, 28)
    assert a_year_on(date(2020, 3, 1)) == date(2021, 3, 1)


def _guide_year(cover_year: int):
    """The guide's timeline moved to another year by calendar date (weekdays wherever they land)."""
    shift = cover_year - 2020

    def move(day):
        try:
            return day.replace(year=day.year + shift)
        except ValueError:
            return date(day.year + shift, 2, 28)

    data = {k: tuple(move(d) for d in v) if isinstance(v, tuple) else move(v) for k, v in DATA.items()}
    return build_cover_year(cover_year, data)


@given(st.integers(min_value=2001, max_value=2080), st.integers(min_value=1, max_value=15))
def test_years_proposed_in_a_row_stay_valid_and_keep_the_guides_order(start, years):
    year = _guide_year(start)
    for _ in range(years):
        proposal = propose_next_year(year)
        nxt = check_proposal(proposal)  # a valid timeline, every time
        assert all(c["ok"] for c in proposal.checks), proposal.checks
        for d in proposal.dates:
            assert abs((d.proposed - a_year_on(d.this_year)).days) <= 2
            assert d.proposed.year in (d.this_year.year, d.this_year.year + 1, d.this_year.year + 2)
            if d.key in WORKING and d.this_year.weekday() < 5 and d.proposed.weekday() >= 5:
                assert "打乱时间顺序，保留" in d.why, d  # kept on a weekend only when it says why
            if d.key not in WORKING:
                assert d.proposed == a_year_on(d.this_year)
        year = nxt
