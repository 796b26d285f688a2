"""Notifications' use cases with no server (issue 25): the facts each event is read into, what
each fact tells whom, the reminders' settings and refusals, and a malformed or early event — on
tests/unit/fakes.FakeUnitOfWork. Writing the notifications themselves (insert-once with their
mail) is PostgreSQL's, tested in tests/services/notifications."""

import pytest

from common.bus import PermanentFailure
from common.errors import Forbidden, NotFound, ValidationFailed
from common.identity import Identity
from services.notifications.adapters.orm import BatchView, CoverYearView, ReminderSetting
from services.notifications.domain import facts, messages
from services.notifications.handlers import notify, reminder_report, reminders
from services.notifications.handlers.read_models import record_batch
from tests.season import at
from tests.unit.fakes import FakeUnitOfWork

CENTRE = Identity(user="centre", role="centre")
DISTRICT = Identity(user="district", role="district", district_id=1)
DEADLINES = {
    "grassroots_end": "2019-12-27",
    "district_submit_end": "2019-12-31",
    "split_end": "2019-10-31",
    "card_cutoff": "2019-12-31",
    "payment_deadline": "2020-01-20",
    "claims_deadline": "2021-12-31",
}


def _year(uow: FakeUnitOfWork) -> None:
    uow.session.add(CoverYearView(cover_year=2020, deadlines=DEADLINES, version=1))


def test_a_returned_submission_tells_its_union_why_in_words():
    fact = facts.parse_submission_returned(
        {
            "submission_id": 7,
            "union_id": 11,
            "district_id": 1,
            "cover_year": 2020,
            "mode": "instant",
            "reason": "人数不符",
        }
    )
    [told] = messages.submission_returned(fact)
    assert (told.audience, told.audience_id, told.title) == ("union", 11, "2020年度即时参保提交被区局退回")
    assert "退回原因：人数不符" in told.body and "submission" not in told.body


def test_a_transfer_decided_either_way_tells_the_union_that_asked():
    data = {"request_id": 5, "member_id": 2, "name": "李四", "from_union_id": 21, "to_union_id": 11}
    [yes] = messages.transfer_decided(facts.parse_transfer_decided({**data, "approved": True}))
    [no] = messages.transfer_decided(facts.parse_transfer_decided({**data, "approved": False, "reason": "仍在职"}))
    assert (yes.kind, yes.audience_id, no.kind) == ("transfer_approved", 11, "transfer_rejected")
    assert "原因：仍在职" in no.body


def test_a_rejected_member_of_no_union_tells_no_one():
    fact = facts.parse_member_rejected({"member_id": 1, "union_id": None, "name": "张三"})
    assert messages.member_rejected(fact) == []


def test_a_batch_is_kept_once_and_billings_events_address_its_district_and_unions():
    uow = FakeUnitOfWork("notifications")
    data = {
        "batch_id": 7,
        "batch_no": "CB201912300001",
        "district_id": 1,
        "cover_year": 2020,
        "mode": "centralised",
        "submissions": [{"union_id": 12}, {"union_id": 11}, {"union_id": 12}],
    }
    batch = record_batch(uow, facts.parse_batch_submitted(data))
    assert batch["union_ids"] == [11, 12] and len(uow.session.all(BatchView)) == 1
    record_batch(uow, facts.parse_batch_submitted({**data, "batch_no": "CB201912300009"}))  # again: kept as it was
    assert [row.batch_no for row in uow.session.all(BatchView)] == ["CB201912300001"]
    told = messages.batch_written_off(batch)
    assert [(m.audience, m.audience_id) for m in told] == [("district", 1), ("union", 11), ("union", 12)]


def test_a_notice_withdrawn_says_which_version_counts_and_a_district_one_tells_no_union():
    doc = {"kind": "grassroots_notice", "version": 2, "union_id": 11, "district_id": 1, "cover_year": 2020}
    [told] = messages.notice_withdrawn(facts.parse_document({**doc, "reason": "区局退回", "current_version": 1}))
    assert told.kind == "notice_withdrawn" and "现行有效的是第 1 版" in told.body
    district = {**doc, "kind": "district_notice", "union_id": None}
    assert messages.notice_withdrawn(facts.parse_document(district)) == []


@pytest.mark.parametrize(
    "handler, data, field",
    [
        (notify.notify_union_when_submission_returned, {"cover_year": 2020}, "union_id"),
        (notify.notify_union_when_transfer_decided, {"to_union_id": 1, "name": "李四", "approved": "yes"}, "approved"),
        (notify.notify_district_and_unions_when_batch_submitted, {"batch_id": 7, "submissions": {}}, "submissions"),
        (notify.notify_union_when_notice_withdrawn, {"kind": "grassroots_notice", "cover_year": "2020"}, "cover_year"),
    ],
)
def test_a_malformed_event_is_dead_lettered_before_anything_is_written(handler, data, field):
    uow = FakeUnitOfWork("notifications")
    with pytest.raises(PermanentFailure, match=field):
        handler(uow, {"id": "e1", "type": "x", "data": data})
    assert uow.session.all(BatchView) == [] and uow.published == []


def test_a_cover_year_without_a_deadline_is_malformed():
    data = {f: ["2019-10-25", "2019-10-31"] for f in ("split_window", "grassroots_window", "district_submit_window")}
    data.update(card_cutoff="2019-12-31", payment_deadline="2020-01-20", cover_year=2020, version=1)
    with pytest.raises(facts.MalformedEvent, match="claims_deadline"):
        facts.parse_cover_year(data)
    year = facts.parse_cover_year({**data, "claims_deadline": "2021-12-31"})
    assert year.deadlines["grassroots_end"] == "2019-10-31" and year.deadlines["claims_deadline"] == "2021-12-31"


def test_days_before_are_set_by_the_centre_only_checked_and_kept_newest_first():
    uow = FakeUnitOfWork("notifications")
    with pytest.raises(NotFound):
        reminders.set_days_before(uow, CENTRE, 2020, [3])
    _year(uow)
    with pytest.raises(Forbidden):
        reminders.set_days_before(uow, DISTRICT, 2020, [3])
    with pytest.raises(ValidationFailed):
        reminders.set_days_before(uow, CENTRE, 2020, [-1])
    assert reminders.set_days_before(uow, CENTRE, 2020, [1, 7, 3]) == [7, 3, 1]
    assert reminders.set_days_before(uow, CENTRE, 2020, [2]) == [2]
    [setting] = uow.session.all(ReminderSetting)
    assert setting.days_before == [2] and setting.updated_by == "centre" and uow.commits == 2


def test_a_reminder_by_hand_is_refused_for_an_unknown_or_past_deadline():
    uow = FakeUnitOfWork("notifications")
    _year(uow)
    at("2020-01-05T10:00:00")
    with pytest.raises(NotFound):
        reminders.send_by_hand(uow, CENTRE, 2020, "no_such_deadline", None)
    with pytest.raises(ValidationFailed) as refused:
        reminders.send_by_hand(uow, CENTRE, 2020, "grassroots_end", None)  # 27 December has passed
    assert refused.value.extra["fields"] == {"deadline": ["该截止日已过，无需提醒"]}
    with pytest.raises(NotFound):
        reminder_report.report(uow, CENTRE, 2021)
