"""Billing's money rules, property-based: prices, splits, half-year rounding, pricing, credit."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.errors import OutsideWindow
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES, Price, price_table_2020, price_table_errors
from services.billing.domain.pricing import BatchPricing, apply_credit, price_counts
from services.billing.domain.split import Shares, SplitMismatch, check_shares, rate_for, round_half_up_div
from services.billing.domain.timeline import Window, is_overdue, require_open

TABLE = price_table_2020()

# SPEC §4, in yuan: premium, city subsidy, special-industry subsidy
SPEC_2020 = {
    ("A", "centralised"): ("26", "13", "6.5"),
    ("B", "centralised"): ("90", "40", "22.5"),
    ("A+", "centralised"): ("76", "13", "6.5"),
    ("B+", "centralised"): ("140", "40", "22.5"),
    ("A", "instant_first_half"): ("26", "13", "6.5"),
    ("B", "instant_first_half"): ("90", "40", "22.5"),
    ("A+", "instant_first_half"): ("76", "13", "6.5"),
    ("B+", "instant_first_half"): ("140", "40", "22.5"),
    ("A", "instant_second_half"): ("13", "6.5", "3"),
    ("B", "instant_second_half"): ("45", "20", "11"),
    ("A+", "instant_second_half"): ("38", "6.5", "3"),
    ("B+", "instant_second_half"): ("70", "20", "11"),
}


def fen(text: str) -> int:
    from decimal import Decimal

    return int(Decimal(text) * 100)


def test_2020_table_is_exactly_the_spec():
    assert set(TABLE) == set(SPEC_2020)
    for key, (premium, city, special) in SPEC_2020.items():
        assert TABLE[key] == Price(fen(premium), fen(city), fen(special)), key
    assert price_table_errors(TABLE) == {}


def test_incomplete_or_inconsistent_table_is_refused():
    table = dict(TABLE)
    del table[("B", "instant_second_half")]
    table[("A", "centralised")] = Price(1000, 2000, 500)
    errors = price_table_errors(table)
    assert set(errors) == {"B.instant_second_half", "A.centralised"}


def test_guide_example_split_and_mismatch_shows_difference():
    check_shares(TABLE[("A+", "centralised")], False, Shares(6300, 0))  # 76 = 13 + 63 + 0
    with pytest.raises(SplitMismatch) as exc:
        check_shares(TABLE[("A+", "centralised")], False, Shares(6000, 0))
    assert exc.value.difference_fen == 300 and "还差 3.00 元" in str(exc.value)
    with pytest.raises(SplitMismatch) as exc:
        check_shares(TABLE[("A", "centralised")], False, Shares(1000, 500))
    assert exc.value.difference_fen == -200 and "多出 2.00 元" in str(exc.value)
    # special industries: the city pays less, so the unions pay more
    check_shares(TABLE[("B", "centralised")], True, Shares(6750, 0))  # 90 = 22.5 + 67.5
    with pytest.raises(SplitMismatch):
        check_shares(TABLE[("B", "centralised")], True, Shares(5000, 0))


@st.composite
def split_of(draw, cover_type=None, special=None):
    cover_type = cover_type or draw(st.sampled_from(COVER_TYPES))
    special = draw(st.booleans()) if special is None else special
    union = TABLE[(cover_type, "centralised")].union_share(special)
    grassroots = draw(st.integers(0, union))
    return cover_type, special, Shares(union - grassroots, grassroots)


@given(split_of(), st.sampled_from(PRICE_CLASSES))
def test_every_rate_sums_exactly_to_its_premium(split, price_class):
    cover_type, special, shares = split
    check_shares(TABLE[(cover_type, "centralised")], special, shares)
    rate = rate_for(TABLE[(cover_type, price_class)], TABLE[(cover_type, "centralised")], special, shares)
    assert rate.city_subsidy_fen + rate.district_share_fen + rate.grassroots_share_fen == rate.premium_fen
    assert min(rate.district_share_fen, rate.grassroots_share_fen) >= 0
    assert rate.premium_fen == TABLE[(cover_type, price_class)].premium_fen
    assert rate.city_subsidy_fen == TABLE[(cover_type, price_class)].city_subsidy(special)
    if price_class != "instant_second_half":
        assert (rate.district_share_fen, rate.grassroots_share_fen) == (shares.district_fen, shares.grassroots_fen)


@given(split_of())
def test_half_year_split_follows_the_documented_rule(split):
    """docs/decisions/0010: grassroots half = its full-year share × half union share / full union
    share, rounded half up to the fen; the district takes the remainder."""
    cover_type, special, shares = split
    full, half = TABLE[(cover_type, "centralised")], TABLE[(cover_type, "instant_second_half")]
    rate = rate_for(half, full, special, shares)
    union_half, union_full = half.union_share(special), full.union_share(special)
    exact = shares.grassroots_fen * union_half / union_full
    assert abs(rate.grassroots_share_fen - exact) <= 0.5
    assert rate.district_share_fen == union_half - rate.grassroots_share_fen
    # a party that pays nothing for the year pays nothing for the half year
    if shares.grassroots_fen == 0:
        assert rate.grassroots_share_fen == 0
    if shares.district_fen == 0:
        assert rate.district_share_fen == 0


def test_half_year_examples():
    full, half = TABLE[("A", "centralised")], TABLE[("A", "instant_second_half")]
    # A: union 13.00 for the year, 6.50 for the half; grassroots 12 of 13 → 6.00 (exact)
    assert rate_for(half, full, False, Shares(100, 1200)).grassroots_share_fen == 600
    # special A: union 19.50 / half 10.00; grassroots 0.01 of 19.50 → 0.005128… → 0.01 (half up)
    rate = rate_for(half, full, True, Shares(1949, 1))
    assert (rate.grassroots_share_fen, rate.district_share_fen, rate.city_subsidy_fen) == (1, 999, 300)


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_round_half_up_division(numerator, denominator):
    q = round_half_up_div(numerator, denominator)
    assert 2 * abs(q * denominator - numerator) <= denominator
    assert 2 * (numerator - q * denominator) != denominator  # exactly half always goes up


@given(
    st.lists(
        st.tuples(
            split_of(special=False),
            st.dictionaries(st.sampled_from(PRICE_CLASSES), st.integers(0, 100_000), min_size=1),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_mix_of_submissions_prices_to_parts_that_sum(submissions):
    pricing = BatchPricing()
    expected_premium = 0
    for (cover_type, special, shares), counts in submissions:
        rates = {
            c: rate_for(TABLE[(cover_type, c)], TABLE[(cover_type, "centralised")], special, shares)
            for c in PRICE_CLASSES
        }
        totals = price_counts(counts, rates)
        assert totals.headcount == sum(counts.values())
        assert totals.city_subsidy_fen + totals.district_share_fen + totals.grassroots_share_fen == totals.premium_fen
        expected_premium += sum(n * TABLE[(cover_type, c)].premium_fen for c, n in counts.items())
        pricing.add(cover_type, totals)
    total = pricing.total
    assert total.premium_fen == expected_premium
    assert total.union_share_fen == total.district_share_fen + total.grassroots_share_fen
    assert sum(t.premium_fen for t in pricing.by_type.values()) == total.premium_fen


def test_guide_notice_example_2020_prices():
    rates = {c: rate_for(TABLE[("A+", c)], TABLE[("A+", "centralised")], False, Shares(6300, 0)) for c in PRICE_CLASSES}
    totals = price_counts({"centralised": 1064}, rates)
    assert (totals.premium_fen, totals.city_subsidy_fen, totals.district_share_fen) == (8086400, 1383200, 6703200)


@given(st.lists(st.integers(0, 10**8), min_size=1, max_size=10), st.integers(0, 10**9))
def test_credit_is_used_up_to_what_is_owed_and_the_rest_carries_forward(batches, credit):
    left, applied_total = credit, 0
    for union_share in batches:
        due = apply_credit(union_share, left)
        assert due.due_fen >= 0
        assert due.credit_applied_fen + due.due_fen == union_share
        assert due.credit_applied_fen <= left
        assert due.credit_left_fen == left - due.credit_applied_fen
        applied_total += due.credit_applied_fen
        left = due.credit_left_fen
    assert applied_total == min(credit, sum(batches))
    assert applied_total + left == credit


def test_credit_larger_than_batch_leaves_nothing_due():
    due = apply_credit(50_000, 80_000)
    assert (due.credit_applied_fen, due.due_fen, due.credit_left_fen) == (50_000, 0, 30_000)


def test_split_window_message_shows_the_window():
    window = Window(date(2019, 10, 25), date(2019, 10, 31))
    require_open(window, date(2019, 10, 31), "参保金额比例设置")
    with pytest.raises(OutsideWindow) as exc:
        require_open(window, date(2019, 11, 1), "参保金额比例设置")
    assert "2019-10-25 至 2019-10-31" in exc.value.message and exc.value.code == "OUTSIDE_WINDOW"
    assert exc.value.extra["window"] == {"action": "参保金额比例设置", "start": "2019-10-25", "end": "2019-10-31"}
    with pytest.raises(OutsideWindow) as exc:
        require_open(None, date(2019, 11, 1), "参保金额比例设置")
    assert exc.value.code == "WINDOW_NOT_SET"


def test_deadline_day_is_still_in_time():
    assert not is_overdue(date(2020, 1, 20), date(2020, 1, 20))
    assert is_overdue(date(2020, 1, 20), date(2020, 1, 21))


@given(
    st.sampled_from(COVER_TYPES),
    st.sampled_from(PRICE_CLASSES),
    st.booleans(),
    st.integers(0, 20_000),
    st.integers(0, 20_000),
)
def test_rates_sum_and_stay_non_negative_even_for_a_split_made_under_another_subsidy(
    cover_type, price_class, special, district, grassroots
):
    """A split saved before the district's special flag changed no longer fits the subsidy."""
    rate = rate_for(
        TABLE[(cover_type, price_class)], TABLE[(cover_type, "centralised")], special, Shares(district, grassroots)
    )
    assert rate.city_subsidy_fen + rate.district_share_fen + rate.grassroots_share_fen == rate.premium_fen
    assert rate.district_share_fen >= 0 and rate.grassroots_share_fen >= 0


@st.composite
def any_price_table_and_split(draw):
    """Any price a centre might set (whole year, and a half year never dearer), any special flag,
    any split of the union share between district and grassroots."""
    premium = draw(st.integers(1, 50_000))
    city = draw(st.integers(0, premium))
    special_city = draw(st.integers(0, premium))
    half_premium = draw(st.integers(0, premium))
    half_city = draw(st.integers(0, min(city, half_premium)))
    half_special = draw(st.integers(0, min(special_city, half_premium)))
    full, half = Price(premium, city, special_city), Price(half_premium, half_city, half_special)
    special = draw(st.booleans())
    grassroots = draw(st.integers(0, full.union_share(special)))
    shares = Shares(full.union_share(special) - grassroots, grassroots)
    return {"centralised": full, "instant_first_half": full, "instant_second_half": half}, special, shares


@given(
    st.lists(
        st.tuples(
            any_price_table_and_split(),
            st.dictionaries(st.sampled_from(PRICE_CLASSES), st.integers(0, 50_000), min_size=1),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 10**10),
)
def test_any_prices_splits_half_years_credits_and_headcounts_add_up_to_the_fen(rows, credit):
    """Issue 12: premium = city subsidy + district share + grassroots share for every row and the
    total; the rows add up to the batch; the batch's due + credit applied = its union share."""
    pricing = BatchPricing()
    row_totals = []
    for (table, special, shares), counts in rows:
        rates = {c: rate_for(table[c], table["centralised"], special, shares) for c in PRICE_CLASSES}
        totals = price_counts(counts, rates)
        assert totals.premium_fen == totals.city_subsidy_fen + totals.district_share_fen + totals.grassroots_share_fen
        assert min(totals.district_share_fen, totals.grassroots_share_fen, totals.city_subsidy_fen) >= 0
        assert totals.premium_fen == sum(n * table[c].premium_fen for c, n in counts.items())
        row_totals.append(totals)
        pricing.add("A", totals)
    batch = pricing.total
    for part in ("headcount", "premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen"):
        assert getattr(batch, part) == sum(getattr(t, part) for t in row_totals), part
    assert batch.premium_fen == batch.city_subsidy_fen + batch.district_share_fen + batch.grassroots_share_fen
    due = apply_credit(batch.union_share_fen, credit)
    assert due.due_fen + due.credit_applied_fen == batch.union_share_fen and due.due_fen >= 0
