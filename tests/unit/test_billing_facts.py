"""Billing reads enrollment's submission and batch events into typed facts (domain/facts.py): a
well-formed event gives its values; a malformed one raises MalformedEvent naming the field, which
`common.facts.consumes` turns into a dead letter with nothing written (issue 25: one way to read
consumed events in every service)."""

from __future__ import annotations

from datetime import date

import pytest

from common.facts import MalformedEvent
from services.billing.domain import facts

SUBMISSION = {
    "submission_id": 7,
    "union_id": 3,
    "district_id": 2,
    "cover_year": 2021,
    "type": "A",
    "mode": "centralised",
    "headcount": 3,
    "counts": {"centralised": 2, "instant_first_half": 1},
    "submitted_at": "2020-11-30T23:30:00+08:00",
}


def test_a_submission_reads_into_its_fact_with_the_shanghai_day():
    fact = facts.parse_submission_submitted(SUBMISSION)
    assert (fact.submission_id, fact.union_id, fact.district_id, fact.cover_type) == (7, 3, 2, "A")
    assert fact.counts == {"centralised": 2, "instant_first_half": 1} and fact.submitted_on == date(2020, 11, 30)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "C"}, "type"),
        ({"mode": "later"}, "mode"),
        ({"headcount": 4}, "headcount"),
        ({"union_id": "3"}, "union_id"),
        ({"submission_id": None}, "submission_id"),
    ],
)
def test_a_malformed_submission_names_its_field(change, field):
    with pytest.raises(MalformedEvent, match=field):
        facts.parse_submission_submitted({**SUBMISSION, **change})


def test_a_batch_reads_its_submissions_and_handler():
    fact = facts.parse_batch_submitted(
        {
            "batch_id": 11,
            "batch_no": "2021A0001",
            "district_id": 2,
            "cover_year": 2021,
            "mode": "centralised",
            "headcount": 3,
            "submissions": [{"submission_id": 7, "union_id": 3, "type": "B+", "counts": {"centralised": 3}}],
            "handler": {"name": "王经办", "phone": "13800000000"},
        }
    )
    assert fact.batch_no == "2021A0001" and fact.handler_name == "王经办" and fact.handler_email == ""
    assert [(s.submission_id, s.union_id, s.cover_type, s.counts) for s in fact.submissions] == [
        (7, 3, "B+", {"centralised": 3})
    ]
    with pytest.raises(MalformedEvent, match="submissions"):
        facts.parse_batch_submitted({"batch_id": 11, "submissions": "7"})


def test_a_returned_submission_keeps_its_reason_or_none():
    assert facts.parse_submission_returned({"submission_id": 7, "reason": " 名单有误 "}).reason == "名单有误"
    assert facts.parse_submission_returned({"submission_id": 7}).reason is None
