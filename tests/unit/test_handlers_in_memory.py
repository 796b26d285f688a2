"""Handlers run on a unit of work in memory (tests/unit/fakes.py): outcomes and the events
published, with no database and no broker. Handlers whose reads are SQL statements (most of them
today) are tested over PostgreSQL in tests/services until their reads go through a repository;
the ones here reach their rows by primary key, or refuse before any read."""

from datetime import date

import pytest

from common.errors import Forbidden, NotFound, ValidationFailed
from common.identity import Identity
from services.enrollment import contracts as enrollment_events
from services.enrollment.adapters.orm import CoverYearRow
from services.enrollment.handlers.cover_years import configure_cover_year
from services.members import contracts as members_events
from services.members.adapters.orm import District
from services.members.domain.idcard import check_char
from services.members.handlers.directory import update_district
from services.members.handlers.roster import add_member
from tests.unit.fakes import FakeUnitOfWork, NeedsDatabase

FIRST17 = "31010119900101123"
ID = FIRST17 + check_char(FIRST17)
CENTRE = Identity(user="centre", role="centre")
DISTRICT = Identity(user="district", role="district", district_id=1)
GRASSROOTS = Identity(user="grassroots1", role="grassroots", union_id=10, district_id=1)


def _timeline(**changes):
    d = date.fromisoformat
    timeline = {
        "split_window": (d("2019-10-25"), d("2019-10-31")),
        "grassroots_window": (d("2019-11-01"), d("2019-12-27")),
        "district_review_window": (d("2019-11-01"), d("2019-12-27")),
        "district_submit_window": (d("2019-12-28"), d("2019-12-31")),
        "card_cutoff": d("2019-12-31"),
        "cover_start": d("2020-01-01"),
        "cover_end": d("2020-12-31"),
        "payment_deadline": d("2020-01-20"),
        "claims_deadline": d("2021-12-31"),
    }
    return {**timeline, **changes}


# enrollment: the centre sets a cover year's timeline --------------------------------------------


def test_the_centre_configures_a_year_and_its_whole_timeline_goes_out():
    uow = FakeUnitOfWork("enrollment")
    row = configure_cover_year(uow, CENTRE, 2020, _timeline())
    assert uow.session.all(CoverYearRow) == [row]
    assert (row.version, row.updated_by, row.grassroots_end) == (1, "centre", date(2019, 12, 27))
    [configured] = uow.events(enrollment_events.COVER_YEAR_CONFIGURED)
    assert configured["cover_year"] == 2020 and configured["version"] == 1
    assert configured["instant_payment_days"] == 15  # not given: the default
    assert uow.pending == []


def test_a_changed_timeline_is_a_new_version_and_keeps_the_years_payment_days():
    uow = FakeUnitOfWork("enrollment")
    configure_cover_year(uow, CENTRE, 2020, _timeline(instant_payment_days=20))
    row = configure_cover_year(uow, CENTRE, 2020, _timeline(payment_deadline=date(2020, 1, 31)))
    first, second = uow.events(enrollment_events.COVER_YEAR_CONFIGURED)
    assert (first["version"], second["version"]) == (1, 2)
    assert row.payment_deadline == date(2020, 1, 31) and row.instant_payment_days == 20
    assert second["instant_payment_days"] == 20


def test_a_wrong_timeline_is_refused_per_field_and_nothing_is_kept_or_sent():
    uow = FakeUnitOfWork("enrollment")
    with pytest.raises(ValidationFailed) as refused:
        configure_cover_year(uow, CENTRE, 2020, _timeline(cover_start=date(2021, 1, 1)))
    assert "cover_start" in refused.value.extra["fields"]
    assert uow.session.all(CoverYearRow) == [] and uow.published == [] and uow.pending == []


def test_only_the_centre_configures_a_year():
    uow = FakeUnitOfWork("enrollment")
    with pytest.raises(Forbidden):
        configure_cover_year(uow, DISTRICT, 2020, _timeline())
    assert uow.published == [] and uow.commits == 0


# members: the directory ------------------------------------------------------------------------


def _district(uow, **values):
    district = District(
        **{
            "name": "黄浦区总工会",
            "kind": "district",
            "special_industry": False,
            "version": 1,
            "created_at": date(2026, 1, 1),
            **values,
        }
    )
    uow.session.add(district)
    uow.session.flush()
    return district


def test_the_centre_renames_a_district_and_every_service_hears_the_new_version():
    uow = FakeUnitOfWork("members")
    district = _district(uow)
    update_district(uow, CENTRE, district.id, {"name": "  黄浦区工会  ", "special_industry": True})
    assert (district.name, district.special_industry, district.version) == ("黄浦区工会", True, 2)
    [updated] = uow.events(members_events.DISTRICT_UPDATED)
    assert updated["name"] == "黄浦区工会" and updated["version"] == 2 and updated["special_industry"] is True


def test_a_district_of_an_unknown_kind_is_refused_and_nothing_is_sent():
    uow = FakeUnitOfWork("members")
    district = _district(uow)
    with pytest.raises(ValidationFailed):
        update_district(uow, CENTRE, district.id, {"kind": "village"})
    assert district.kind == "district" and uow.published == [] and uow.pending == []


def test_an_unknown_district_answers_not_found():
    with pytest.raises(NotFound):
        update_district(FakeUnitOfWork("members"), CENTRE, 99, {"name": "x"})


# members: adding a member (its reads are the repository's: test_members_handlers.py puts one in
# memory; without it, they are SQL) -----------------------------------------------------------------


def test_a_member_with_wrong_fields_is_refused_per_field_before_anything_is_read():
    uow = FakeUnitOfWork("members")
    with pytest.raises(ValidationFailed) as refused:
        add_member(uow, GRASSROOTS, {"name": "", "id_type": "resident", "id_number": "12345", "mobile": "123"})
    fields = refused.value.extra["fields"]
    assert {"name", "id_number"} <= set(fields)
    assert uow.published == [] and uow.session.all(District) == []


def test_only_a_grassroots_union_adds_members():
    with pytest.raises(Forbidden):
        add_member(FakeUnitOfWork("members"), DISTRICT, {"name": "张三"})


def test_the_fake_refuses_sql_so_a_handler_that_reads_by_query_is_known():
    uow = FakeUnitOfWork("members")
    with pytest.raises(NeedsDatabase):
        add_member(
            uow,
            GRASSROOTS,
            {
                "name": "张三",
                "id_type": "resident",
                "id_number": ID,
                "address": "上海市黄浦区人民大道 200 号",
                "mobile": "13812345678",
                "education": "大学本科",
                "household_type": "非农业",
            },
        )


# documents: a notice waits until everything it prints is known ---------------------------------


def _submission_row(**changes):
    from services.documents.adapters.orm import SubmissionView
    from tests.services.documents import contract

    submitted = contract.submission(
        301,
        contract.UNION_A,
        contract.DISTRICT_1,
        "B",
        3,
        3,
        1,
        mode="instant",
        submitted_at="2020-03-10T10:00:00+08:00",
        kind="no_cover",
    )["data"]
    priced = contract.priced(301, contract.UNION_A, contract.DISTRICT_1, "B", 3, mode="instant", pay_by="2020-03-25")[
        "data"
    ]
    values = {
        "submission_id": 301,
        "union_id": contract.UNION_A,
        "district_id": contract.DISTRICT_1,
        "cover_year": 2020,
        "cover_type": "B",
        "submitted": submitted,
        "priced": priced,
        "returned": False,
    }
    return SubmissionView(**{**values, **changes})


def test_an_instant_notice_waits_for_the_cover_year_and_the_union_before_anything_is_stored():
    from services.documents.handlers.notices import render_submission_notice

    uow = FakeUnitOfWork("documents")
    row = _submission_row()
    render_submission_notice(uow, row)  # neither the year nor the union has arrived yet
    assert row.notice_key is None and uow.published == [] and uow.pending == []


def test_a_submission_returned_or_not_yet_priced_gets_no_notice():
    from services.documents.handlers.notices import render_submission_notice

    for row in (_submission_row(returned=True), _submission_row(priced=None)):
        uow = FakeUnitOfWork("documents")
        render_submission_notice(uow, row)
        assert row.notice_key is None and uow.published == []


# notifications: a billing event about a batch enrollment has not told of yet --------------------


def test_feedback_on_a_batch_not_known_yet_is_tried_again_and_tells_no_one():
    from services.notifications.handlers.notify import (
        BatchNotKnownYet,
        notify_district_and_unions_when_feedback_given,
    )

    uow = FakeUnitOfWork("notifications")
    event = {"id": "e1", "type": "billing.batch.feedback_given", "data": {"batch_id": 7, "message": "请补交"}}
    with pytest.raises(BatchNotKnownYet):
        notify_district_and_unions_when_feedback_given(uow, event)
    assert uow.published == [] and uow.session.new == []


# billing: the quote and a returned submission ---------------------------------------------------


def test_a_quote_for_an_unknown_type_or_price_class_is_refused_per_field():
    from services.billing.handlers.quotes import quote

    uow = FakeUnitOfWork("billing")
    with pytest.raises(ValidationFailed) as refused:
        quote(uow, GRASSROOTS, 2020, "C", {"centralised": 3})
    assert set(refused.value.extra["fields"]) == {"type"}
    with pytest.raises(ValidationFailed) as refused:
        quote(uow, GRASSROOTS, 2020, "B", {"centralised": 3, "whole_life": 1})
    assert refused.value.extra["fields"] == {"counts": ["未知的计价类别：whole_life"]}


def test_a_quote_for_a_union_billing_has_not_heard_of_answers_not_found():
    from services.billing.handlers.quotes import quote

    with pytest.raises(NotFound):
        quote(FakeUnitOfWork("billing"), CENTRE, 2020, "B", {"centralised": 3}, union_id=99)


def test_a_return_of_a_submission_billing_never_priced_or_already_released_changes_nothing():
    from services.billing.adapters.orm import PricedSubmission
    from services.billing.handlers.pricing import release_submission_when_returned

    uow = FakeUnitOfWork("billing")
    released = PricedSubmission(submission_id=5, union_id=10, district_id=1, cover_year=2020, status="returned")
    uow.session.add(released)
    for submission_id in (4, 5):  # never priced; released already
        event = {
            "id": f"e{submission_id}",
            "type": "enrollment.submission.returned",
            "data": {"submission_id": submission_id, "reason": "名单有误"},
        }
        release_submission_when_returned(uow, event)
    assert uow.session.all(PricedSubmission) == [released] and released.status == "returned"
    assert uow.session.info == {} and uow.published == []  # no ledger line held, no event
