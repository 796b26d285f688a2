"""Money in pieces: a line split across batches, a hand allocation, an over-payment at 核销
(services/billing/domain/allocation.py, statement.py)."""

from __future__ import annotations

from datetime import date

import pytest

from services.billing.domain.allocation import AllocationRejected, Arrived, check_allocation, overpayment_choice
from services.billing.domain.statement import Line, OpenBatch, match_lines

HP, JA = "黄浦区总工会", "静安区总工会"


def batches():
    return [
        OpenBatch(1, "CB201912300001", 10, HP, 79_300, False),
        OpenBatch(2, "CB201912300002", 10, HP, 20_000, False),
        OpenBatch(3, "CB201912300003", 11, JA, 50_000, False),
        OpenBatch(4, "CB201912300004", 11, JA, 50_000, False),
        OpenBatch(5, "CB201912300005", 11, JA, 10_000, True),
    ]


def line(row, payer, amount, memo=""):
    return Line(row, date(2020, 1, 10), payer, amount, memo)


def test_several_lines_for_one_batch_add_up_and_an_excess_is_kept_on_it():
    results = match_lines(
        [
            line(2, HP, 70_000, "CB201912300001"),
            line(3, HP, 9_300, "CB201912300001"),
            line(4, HP, 500, "CB201912300001"),
        ],
        batches(),
    )
    assert [r.parts for r in results] == [((1, 70_000),), ((1, 9_300),), ((1, 500),)]
    assert Arrived(79_300, 79_800).overpaid_fen == 500 and Arrived(79_300, 70_000).short_fen == 9_300


def test_a_memo_with_two_batch_numbers_splits_the_line_to_the_fen():
    [r] = match_lines([line(2, HP, 99_300, "缴款 CB201912300001、CB201912300002")], batches())
    assert r.reason_code == "SPLIT_BY_BATCH_NOS"
    assert r.parts == ((1, 79_300), (2, 20_000)) and sum(f for _, f in r.parts) == 99_300


def test_two_numbers_after_a_part_payment_split_what_is_still_owed():
    results = match_lines(
        [line(2, HP, 70_000, "CB201912300001"), line(3, HP, 29_300, "CB201912300001 CB201912300002")], batches()
    )
    assert results[1].parts == ((1, 9_300), (2, 20_000))


def test_two_numbers_whose_total_differs_are_left_for_the_centre():
    [short, closed] = match_lines(
        [line(2, HP, 90_000, "CB201912300001 CB201912300002"), line(3, JA, 60_000, "CB201912300003 CB201912300005")],
        batches(),
    )
    assert (short.batch_id, short.reason_code, short.parts) == (None, "SPLIT_AMOUNT_MISMATCH", ())
    assert (closed.batch_id, closed.reason_code) == (None, "SPLIT_WRITTEN_OFF")
    assert short.reason and closed.reason


def test_an_amount_equal_to_all_open_batches_of_the_payer_pays_each():
    [r] = match_lines([line(2, JA, 100_000, "参保款")], batches())
    assert r.reason_code == "SPLIT_OPEN_BATCHES" and r.parts == ((3, 50_000), (4, 50_000))


def test_ambiguous_lines_are_left_unmatched_with_a_reason():
    [same, subset] = match_lines([line(2, JA, 50_000), line(3, HP, 20_001)], batches())
    assert (same.batch_id, same.reason_code) == (None, "AMBIGUOUS")  # two batches owe 500.00
    assert (subset.batch_id, subset.reason_code) == (None, "NO_AMOUNT_MATCH")


def test_a_hand_allocation_must_sum_to_the_line():
    assert check_allocation(10_000, [(1, 6_000), (2, 4_000)], {1, 2}) == [(1, 6_000), (2, 4_000)]
    for parts, code in (
        ([], "ALLOCATION_EMPTY"),
        ([(1, 6_000), (2, 3_999)], "ALLOCATION_SUM"),
        ([(1, 5_000), (1, 5_000)], "ALLOCATION_BATCH_TWICE"),
        ([(1, 10_001), (2, -1)], "ALLOCATION_AMOUNT"),
        ([(1, 5_000), (9, 5_000)], "ALLOCATION_BATCH_CLOSED"),
    ):
        with pytest.raises(AllocationRejected) as refused:
            check_allocation(10_000, parts, {1, 2})
        assert refused.value.code == code and str(refused.value)


def test_an_over_payment_needs_a_choice_at_write_off():
    assert overpayment_choice(79_300, 79_300, None) is None
    assert overpayment_choice(79_300, 79_300, "credit") is None  # nothing over: nothing to choose
    assert overpayment_choice(79_300, 80_000, "credit") == "credit"
    assert overpayment_choice(79_300, 80_000, "refund") == "refund"
    for choice, code in (
        (None, "OVERPAYMENT_CHOICE_REQUIRED"),
        ("", "OVERPAYMENT_CHOICE_REQUIRED"),
        ("keep", "OVERPAYMENT_CHOICE"),
    ):
        with pytest.raises(AllocationRejected) as refused:
            overpayment_choice(79_300, 80_000, choice)
        assert refused.value.code == code
    with pytest.raises(AllocationRejected) as refused:
        overpayment_choice(79_300, 80_000, None)
    assert "多缴" in str(refused.value) and "7.00" in str(refused.value)
