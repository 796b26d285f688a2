"""Billing's events on batches: priced, voucher uploaded, feedback given, money arrived (payment
status changed), written off (cover granted), overdue (cover failed).

Seam (handlers/__init__.py): `cover_requests.follow_submissions` — the members' own requests
(个人参保申请) of a settled batch become 已参保 or 参保未成功."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from common import clock, facts
from common.bus import PermanentFailure
from common.db import UoW
from common.facts import consumes
from services.enrollment import contracts
from services.enrollment.adapters.orm import Batch, Cover, Submission
from services.enrollment.adapters.rows import parse_date, parse_datetime
from services.enrollment.handlers.cover_requests import follow_submissions


def _batch_for(session, data: dict) -> Batch:
    batch_id = facts.integer(data, "batch_id", 1)
    batch = session.get(Batch, batch_id, with_for_update=True)
    if batch is None:
        raise PermanentFailure(f"unknown batch {batch_id}")
    return batch


def _event_time(value) -> datetime:
    parsed = parse_datetime(value) if value else clock.now()
    return parsed.astimezone(UTC).replace(tzinfo=None)


FINAL_BATCH_STATES = ("written_off", "failed")


@consumes
def record_amounts_when_batch_priced(uow: UoW, event: dict) -> None:
    """Record billing's amounts of a batch (billing.batch.priced): premium, city subsidy, union share,
    credit applied, due."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    for name in ("premium_fen", "city_subsidy_fen", "union_share_fen", "credit_applied_fen", "due_fen"):
        if d.get(name) is not None:
            setattr(batch, name, int(d[name]))
    batch.pay_by = parse_date(d.get("pay_by")) or batch.pay_by
    batch.updated_at = clock.utcnow_naive()


# Billing owns a batch's payment status; its events say it (`payment_status`, docs/events.md).
# The open ones in this service's words (billing's awaiting_payment is a batch still `submitted`).
OPEN_PAYMENT_STATES = {
    "awaiting_payment": "submitted",
    "voucher_uploaded": "voucher_uploaded",
    "feedback_given": "feedback_given",
    "part_paid": "part_paid",
    "paid": "paid",
}


def _follow_billing(batch: Batch, data: dict, default: str) -> None:
    """The batch's status as billing says it; an event from before `payment_status` (one release)
    means `default`. A final status (written off, failed) is never undone. Its words are billing's
    (`payment_status_text`, kept as said), so no screen names it differently."""
    if batch.status not in FINAL_BATCH_STATES:
        batch.status = OPEN_PAYMENT_STATES.get(data.get("payment_status") or "", default)
        batch.payment_status_text = data.get("payment_status_text") or None


@consumes
def record_status_when_payment_status_changed(uow: UoW, event: dict) -> None:
    """Follow money arriving (billing.batch.payment_status_changed): a bank line matched or
    allocated moved the batch to 部分到账 / 已到账待核销 — billing's status and words."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    _follow_billing(batch, d, batch.status)
    batch.updated_at = clock.utcnow_naive()


@consumes
def record_voucher_when_voucher_uploaded(uow: UoW, event: dict) -> None:
    """Mark a batch's voucher uploaded, with its time (billing.voucher.uploaded, 凭证上传时间)."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    batch.voucher_uploaded_at = _event_time(d.get("uploaded_at"))
    _follow_billing(batch, d, "voucher_uploaded")
    batch.updated_at = clock.utcnow_naive()


@consumes
def record_withdrawal_when_voucher_withdrawn(uow: UoW, event: dict) -> None:
    """A voucher taken back (billing.voucher.withdrawn): 凭证上传时间 is the latest voucher still
    counted (none: empty), and the status billing now says."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    uploaded_at = d.get("voucher_uploaded_at")
    batch.voucher_uploaded_at = _event_time(uploaded_at) if uploaded_at else None
    _follow_billing(batch, d, "voucher_uploaded" if uploaded_at else "submitted")
    batch.updated_at = clock.utcnow_naive()


@consumes
def record_feedback_when_feedback_given(uow: UoW, event: dict) -> None:
    """Record when the centre gave a batch feedback (billing.batch.feedback_given, 职保中心反馈时间)."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    batch.feedback_at = _event_time(d.get("at"))
    batch.feedback_message = d.get("message")
    _follow_billing(batch, d, "feedback_given")
    batch.updated_at = clock.utcnow_naive()


def _settle(uow: UoW, batch: Batch, submission_status: str, cover_status: str, event_type: str) -> None:
    sub_ids = list(uow.session.scalars(select(Submission.id).where(Submission.batch_id == batch.id)))
    now = clock.utcnow_naive()
    uow.session.execute(
        update(Submission).where(Submission.batch_id == batch.id).values(status=submission_status, updated_at=now)
    )
    uow.session.execute(
        update(Cover).where(Cover.submission_id.in_(sub_ids), Cover.status == "pending").values(status=cover_status)
    )
    uow.publish(
        event_type,
        {
            "batch_id": batch.id,
            "batch_no": batch.batch_no,
            "district_id": batch.district_id,
            "cover_year": batch.cover_year,
            "mode": batch.mode,
            "submission_ids": sub_ids,
            "headcount": batch.headcount,
        },
    )
    follow_submissions(uow, "grant" if cover_status == "granted" else "fail", sub_ids)


@consumes
def grant_cover_when_batch_written_off(uow: UoW, event: dict) -> None:
    """Grant cover when a batch is written off (billing.batch.written_off, 核销): the batch's enrolments are paid; cover is granted."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    if batch.status in FINAL_BATCH_STATES:
        return
    batch.status = "written_off"
    batch.payment_status_text = d.get("payment_status_text") or None
    batch.written_off_at = _event_time(d.get("at"))
    batch.updated_at = clock.utcnow_naive()
    _settle(uow, batch, "paid", "granted", contracts.COVER_GRANTED)


@consumes
def fail_cover_when_batch_overdue(uow: UoW, event: dict) -> None:
    """Fail a batch and its enrolments when it is overdue (billing.batch.overdue): unpaid at the deadline, the batch and all its enrolments fail;
    its members are free again, but only instant enrolment is open by then."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    if batch.status in FINAL_BATCH_STATES:
        return
    batch.status = "failed"
    batch.payment_status_text = d.get("payment_status_text") or None
    batch.failed_at = clock.utcnow_naive()
    batch.updated_at = batch.failed_at
    _settle(uow, batch, "failed", "failed", contracts.COVER_FAILED)
