"""Events that already flow → notifications to the union or district concerned. Each event
is one cause: the inbox drops a redelivery, and the cause key drops the same event met again
(a replay after its inbox row was pruned) — one notification per audience either way."""

from __future__ import annotations

from common.db import UoW
from services.notifications.adapters.orm import BatchView
from services.notifications.domain import messages
from services.notifications.domain.messages import Message
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


def notify_union_when_submission_returned(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.submission_returned(event["data"]))


def notify_union_when_member_rejected(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.member_rejected(event["data"]))


def notify_source_union_when_transfers_requested(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.transfers_requested(event["data"]))


def notify_union_when_transfer_decided(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.transfer_decided(event["data"]))


def notify_district_and_unions_when_batch_submitted(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.batch_submitted(record_batch(uow, event["data"])))


def notify_district_and_unions_when_feedback_given(uow: UoW, event: dict) -> None:
    data = event["data"]
    deliver(uow, event["id"], messages.batch_feedback(_batch(uow, data["batch_id"]), data.get("message") or ""))


def notify_district_and_unions_when_written_off(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.batch_written_off(_batch(uow, event["data"]["batch_id"])))


def notify_district_and_unions_when_batch_overdue(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.batch_failed(_batch(uow, event["data"]["batch_id"])))


def notify_when_payment_reminder(uow: UoW, event: dict) -> None:
    """billing.batch.payment_reminder (催缴, billing decides the step): the district, its handler
    again marked escalated, then the centre's list. The words are the event's own step."""
    d = event["data"]
    no, short = d["batch_no"], f"{int(d['short_fen']) / 100:.2f}"
    late = f"参保批次 {no} 已超过缴费期限 {d['days_past']} 天，尚欠 {short} 元"
    if d["step"] == "centre_list":
        message = Message(
            "centre",
            0,
            "payment_reminder",
            f"参保批次 {no} 列入逾期名单",
            f"{late}，已两次催缴区局。",
            "/ageing",
        )
    else:
        title = f"【催缴升级】参保批次 {no} 仍未缴清" if d.get("escalated") else f"催缴：参保批次 {no} 仍未缴清"
        handler = (d.get("handler") or {}).get("name") or ""
        to = f"{handler}（经办人）：" if d.get("escalated") and handler else ""
        message = Message(
            "district",
            d["district_id"],
            "payment_reminder",
            title,
            f"{to}{late}，请尽快缴费并上传缴费凭证。",
            "/batches",
        )
    deliver(uow, event["id"], [message])


def notify_when_notice_ready(uow: UoW, event: dict) -> None:
    deliver(uow, event["id"], messages.notice_ready(event["data"]))
