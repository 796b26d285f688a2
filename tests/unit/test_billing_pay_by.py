"""Decision 0018, the pure rule: when a submission's or a batch's money is due."""

from datetime import date

from services.billing.domain.timeline import pay_by


def test_centralised_money_is_due_on_the_years_fixed_deadline_whatever_the_day():
    assert pay_by("centralised", date(2019, 11, 5), date(2019, 12, 27), 15) == date(2019, 12, 27)
    assert pay_by("centralised", date(2019, 11, 5), None, 15) is None  # the year is not known yet


def test_instant_money_is_due_the_configured_days_after_submitting_across_month_and_year_ends():
    assert pay_by("instant", date(2020, 3, 10), date(2020, 1, 20), 15) == date(2020, 3, 25)
    assert pay_by("instant", date(2020, 2, 20), None, 10) == date(2020, 3, 1)  # 2020 is a leap year
    assert pay_by("instant", date(2020, 12, 28), None, 15) == date(2021, 1, 12)  # not cut at cover end
    assert pay_by("instant", date(2020, 3, 10), None, None) == date(2020, 3, 25)  # the default, 15
