"""Events that already flow → notifications to the union or district concerned. Each event
is one cause: the inbox drops a redelivery, and the cause key drops the same event met again
(a replay after its inbox row was pruned) — one notification per audience either way.

Seams (handlers/__init__.py): `shared.deliver` writes each notification with its mail;
`read_models.record_batch` / `batch_facts` give a batch's district and unions. Each event is read
into its typed fact (domain/facts.py); a malformed one is dead-lettered at once (`consumes`)."""

from __future__ import annotations

from common.db import UoW
from common.facts import consumes
from services.notifications.adapters.orm import BatchView
from services.notifications.domain import facts, messages
from services.notifications.handlers.read_models import batch_facts, record_batch
from services.notifications.handlers.shared import deliver


class BatchNotKnownYet(RuntimeError):
    """A billing event about a batch whose enrollment.batch.submitted has not arrived yet: the
    message is tried again (and dead-lettered, to be replayed, if it never comes)."""


def _batch(uow: UoW, batch_id: int) -> dict:
    row = uow.session.get(BatchView, batch_id)
    if row is None:
        raise BatchNotKnownYet(f"batch {batch_id} not known yet")
    return batch_facts(row)


@consumes
def notify_union_when_submission_returned(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.submission_returned(facts.parse_submission_returned(event["data"])))


@consumes
def notify_union_when_member_rejected(uow: UoW, event: dict) -> None:
    """One notification per member sent back, as before the events carried many members (issue
    30): a one-member event (schema version 1) is its own cause; in a many-member one each member
    is (`<event id>:<member id>`)."""
    version = int(event.get("schema_version") or 1)
    for fact in facts.parse_members_rejected(event.get("data"), version):
        cause = event["id"] if version < 2 else f"{event['id']}:{fact.member_id}"
        deliver(uow, cause, messages.member_rejected(fact))


@consumes
def notify_source_union_when_transfers_requested(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.transfers_requested(facts.parse_transfers_requested(event["data"])))


@consumes
def notify_union_when_transfer_decided(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.transfer_decided(facts.parse_transfer_decided(event["data"])))


@consumes
def notify_district_and_unions_when_batch_submitted(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.batch_submitted(record_batch(uow, facts.parse_batch_submitted(event["data"]))))


@consumes
def notify_district_and_unions_when_feedback_given(uow: UoW, event: dict) -> None:
    fact = facts.parse_batch_event(event["data"])
    deliver(uow, event["id"], messages.batch_feedback(_batch(uow, fact.batch_id), fact.message))


@consumes
def notify_district_and_unions_when_written_off(uow: UoW, event: dict) -> None:
    fact = facts.parse_batch_event(event["data"])
    deliver(uow, event["id"], messages.batch_written_off(_batch(uow, fact.batch_id)))


@consumes
def notify_district_and_unions_when_batch_overdue(uow: UoW, event: dict) -> None:
    fact = facts.parse_batch_event(event["data"])
    deliver(uow, event["id"], messages.batch_failed(_batch(uow, fact.batch_id)))


@consumes
def notify_when_payment_reminder(uow: UoW, event: dict) -> None:
    """billing.batch.payment_reminder (催缴): worded at the step billing decided."""
    deliver(uow, event["id"], messages.payment_reminder(facts.parse_payment_reminder(event["data"])))


@consumes
def notify_when_notice_ready(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.notice_ready(facts.parse_document(event["data"])))


@consumes
def notify_union_when_notice_withdrawn(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.notice_withdrawn(facts.parse_document(event["data"])))
