"""Enrolment rules with no I/O: eligibility reasons, cover terms and price classes, the type chosen
once, batch numbers, the handler's contact, and totals from published per-person rates."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.errors import Conflict, ValidationFailed
from services.enrollment.domain import enrolment as rules
from tests.unit.test_timeline import YEAR


def member(**kw):
    base = {
        "member_id": 1,
        "union_id": 7,
        "status": "normal",
        "removed": False,
        "card_number": "6222",
        "card_issued_on": date(2019, 6, 1),
        "card_recorded_on": date(2019, 6, 1),
    }
    return rules.MemberFacts(**{**base, **kw})


@pytest.mark.parametrize(
    "facts, mode, kind, covered, reason",
    [
        (member(), "centralised", None, False, None),
        (None, "centralised", None, False, "unknown"),
        (member(union_id=8), "centralised", None, False, "unknown"),  # another union's: like a missing one
        (member(union_id=None, status="left"), "centralised", None, False, "unknown"),
        (member(status="pending"), "centralised", None, False, "not_normal"),
        (member(removed=True), "centralised", None, False, "removed"),
        (member(card_number=None, card_issued_on=None), "centralised", None, False, "no_card"),
        (member(card_issued_on=date(2020, 1, 2)), "centralised", None, False, "card_after_cutoff"),
        (member(card_issued_on=date(2019, 12, 31)), "centralised", None, False, None),
        (member(), "centralised", None, True, "already_covered"),
        (member(), "instant", "new_card", False, "card_before_cutoff"),
        (member(card_issued_on=date(2020, 3, 1)), "instant", "new_card", False, None),
        (member(card_issued_on=date(2020, 3, 1)), "instant", "no_cover", False, "card_after_cutoff"),
        (member(card_issued_on=date(2020, 5, 2)), "instant", "new_card", False, "card_not_yet_valid"),
        (member(card_issued_on=date(2026, 5, 2)), "instant", "new_card", False, "card_not_yet_valid"),
    ],
)
def test_eligibility(facts, mode, kind, covered, reason):
    assert (
        rules.ineligibility(facts, 7, YEAR, mode, kind, covered, date(2020, 5, 1) if mode == "instant" else None)
        == reason
    )
    if reason:
        assert rules.NOT_ELIGIBLE[reason]


def test_no_instant_enrolment_once_no_day_of_cover_is_left():
    old_card = member()
    assert rules.ineligibility(old_card, 7, YEAR, "instant", "no_cover", False, date(2020, 12, 30)) is None
    assert rules.ineligibility(old_card, 7, YEAR, "instant", "no_cover", False, date(2020, 12, 31)) == "year_over"
    late = member(card_issued_on=date(2020, 12, 31), card_recorded_on=date(2020, 12, 31))
    assert rules.ineligibility(late, 7, YEAR, "instant", "new_card", False, date(2020, 12, 31)) == "year_over"


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2020, 12, 30)))
def test_instant_terms_start_the_day_after_and_price_by_half_year(day):
    terms = rules.instant_terms(YEAR, "no_cover", day, None)
    assert terms.cover_start == date.fromordinal(day.toordinal() + 1) and terms.cover_end == date(2020, 12, 31)
    assert terms.price_class == (rules.FIRST_HALF if day <= date(2020, 6, 30) else rules.SECOND_HALF)
    new = rules.instant_terms(YEAR, "new_card", date(2020, 12, 30), day)
    assert new.cover_start == date.fromordinal(day.toordinal() + 1)
    assert new.half_or_full == ("全年" if day.month <= 6 else "半年")


def test_centralised_terms_are_the_whole_year():
    terms = rules.centralised_terms(YEAR)
    assert (terms.cover_start, terms.cover_end, terms.half_or_full) == (date(2020, 1, 1), date(2020, 12, 31), "全年")


def test_type_is_chosen_once():
    assert rules.check_type(None, "A+") == "A+"
    assert rules.check_type("A+", "A+") == "A+"
    with pytest.raises(Conflict):
        rules.check_type("A+", "B")
    with pytest.raises(ValidationFailed):
        rules.check_type(None, "C")


def test_batch_numbers():
    assert rules.batch_number("centralised", date(2019, 10, 11), 1) == "CB201910110001"
    assert rules.batch_number("instant", date(2020, 2, 3), 9999) == "JB202002039999"
    with pytest.raises(Conflict):
        rules.batch_number("centralised", date(2019, 10, 11), 10000)


@pytest.mark.parametrize(
    "phone, email, bad",
    [
        ("13800138000", "a.b@example.com.cn", set()),
        ("021-63210002", "x@y.cn", set()),
        ("１３８００１３８０００", "x＠y.cn", set()),
        ("1380013800", "x@y.cn", {"handler.phone"}),
        ("13800138000", "x@y", {"handler.email"}),
        ("abc", "no-at-sign", {"handler.phone", "handler.email"}),
    ],
)
def test_handler_contact(phone, email, bad):
    if bad:
        with pytest.raises(ValidationFailed) as exc:
            rules.check_handler("张三", phone, email)
        assert set(exc.value.extra["fields"]) == bad
    else:
        assert rules.check_handler(" 张三 ", phone, email)["name"] == "张三"


def test_a_cover_is_said_by_its_dates_and_failure_its_payment_apart():
    from datetime import date

    from services.enrollment.domain.cover_state import cover_state, payment_state

    start, end = date(2020, 1, 1), date(2020, 12, 31)

    def both(today, cover="pending", sub="in_batch", batch="written_off"):
        return cover_state(start, end, cover, sub, batch, today), payment_state(cover, sub, batch)

    assert both(date(2019, 12, 31), batch="submitted") == ("未生效", "已提交市职保中心")
    assert both(date(2020, 1, 1), cover="granted") == ("保障中", "已核销")
    assert both(date(2020, 12, 31), cover="granted") == ("保障中", "已核销")
    assert both(date(2021, 1, 1), cover="granted") == ("已到期", "已核销")
    assert both(date(2020, 3, 1), cover="failed", batch="failed") == ("已失效", "失败")
    assert both(date(2020, 1, 10), batch="voucher_uploaded") == ("保障中", "已缴费")
    assert both(date(2020, 3, 1), cover="returned", sub="returned", batch=None) == (None, None)
