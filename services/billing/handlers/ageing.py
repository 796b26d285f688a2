"""Who is late (账龄) and the reminders that escalate (催缴): every open batch aged by the days past
its pay-by, with due, paid and short, per batch, per district and per bucket; and the job that
takes each late batch's next reminder step once (domain/ageing.py), records it and publishes
billing.batch.payment_reminder for the notifications service (decision 0033)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW
from common.identity import Identity
from services.billing import contracts
from services.billing.adapters.orm import Batch, CoverYearView, PaymentReminder
from services.billing.adapters.queries import district_names, list_batches
from services.billing.domain.ageing import BUCKETS, bucket, days_past, next_step, step_text
from services.billing.domain.allocation import money_received_fen
from services.billing.domain.payment_status import status_text

RECIPIENTS = {"first_notice": "区局", "escalated": "区局经办人", "centre_list": "市职保中心逾期名单"}


def _pay_by(batch: Batch, deadlines: dict[int, date]) -> date | None:
    """A centralised batch is due by its cover year's payment deadline (as the overdue job says);
    an instant one by its own pay-by."""
    if batch.mode == "centralised":
        return deadlines.get(batch.cover_year, batch.pay_by)
    return batch.pay_by


def _aged(session, batches: list[Batch], today: date) -> list[dict]:
    deadlines = dict(session.execute(select(CoverYearView.cover_year, CoverYearView.payment_deadline)).tuples().all())
    steps: dict[int, list[PaymentReminder]] = {}
    if batches:
        for r in session.scalars(
            select(PaymentReminder)
            .where(PaymentReminder.batch_id.in_([b.batch_id for b in batches]))
            .order_by(PaymentReminder.id)
        ):
            steps.setdefault(r.batch_id, []).append(r)
    out = []
    for b in batches:
        paid = money_received_fen(b)
        pay_by = _pay_by(b, deadlines)
        days = days_past(pay_by, today)
        out.append(
            {
                "batch": b,
                "pay_by": pay_by,
                "days_past": max(days, 0),
                "bucket": bucket(days),
                "due_fen": b.due_fen,
                "paid_fen": paid,
                "short_fen": max(0, b.due_fen - paid),
                "reminders": steps.get(b.batch_id, []),
            }
        )
    return out


def ageing(uow: UoW, who: Identity, cover_year: int | None = None, today: date | None = None) -> dict:
    """账龄: every batch not written off that still owes money, by bucket (未到期, 1–7, 8–30, over 30
    days past its pay-by), with totals per bucket and per district. The centre sees all; a
    district its own batches (billing does not know what a union has paid its district)."""
    who.require("centre", "district")
    today = today or clock.today()
    names = district_names(uow.session)
    open_ = [b for b in list_batches(uow.session, who, cover_year) if b.written_off_at is None]
    aged = [a for a in _aged(uow.session, open_, today) if a["short_fen"] > 0]
    aged.sort(key=lambda a: (-a["days_past"], a["batch"].batch_no))
    buckets = {
        k: {"bucket": k, "text": t, "count": 0, "due_fen": 0, "paid_fen": 0, "short_fen": 0} for k, t in BUCKETS.items()
    }
    districts: dict[int, dict] = {}
    rows = []
    for a in aged:
        b = a["batch"]
        for total in (buckets[a["bucket"]], districts.setdefault(b.district_id, _district(b.district_id, names))):
            total["count"] += 1
            for key in ("due_fen", "paid_fen", "short_fen"):
                total[key] += a[key]
        districts[b.district_id]["short_by_bucket"][a["bucket"]] += a["short_fen"]
        last = a["reminders"][-1] if a["reminders"] else None
        rows.append(
            {
                "batch_id": b.batch_id,
                "batch_no": b.batch_no,
                "district_id": b.district_id,
                "district_name": names.get(b.district_id),
                "cover_year": b.cover_year,
                "mode": b.mode,
                "pay_by": a["pay_by"],
                "days_past": a["days_past"],
                "bucket": a["bucket"],
                "bucket_text": BUCKETS[a["bucket"]],
                "due_fen": a["due_fen"],
                "paid_fen": a["paid_fen"],
                "short_fen": a["short_fen"],
                "status": b.status,
                "status_text": status_text(b.status),
                "reminders": [_reminder(r) for r in a["reminders"]],
                "last_reminder": _reminder(last) if last else None,
                "on_centre_list": any(r.step == "centre_list" for r in a["reminders"]),
            }
        )
    return {
        "today": today,
        "buckets": list(buckets.values()),
        "districts": sorted(districts.values(), key=lambda d: (-d["short_fen"], d["district_id"])),
        "batches": rows,
    }


def _district(district_id: int, names: dict[int, str]) -> dict:
    return {
        "district_id": district_id,
        "district_name": names.get(district_id),
        "count": 0,
        "due_fen": 0,
        "paid_fen": 0,
        "short_fen": 0,
        "short_by_bucket": dict.fromkeys(BUCKETS, 0),
    }


def _reminder(r: PaymentReminder) -> dict:
    return {
        "step": r.step,
        "step_text": step_text(r.step),
        "at": r.at,
        "by": r.by,
        "recipient": r.recipient,
        "days_past": r.days_past,
        "short_fen": r.short_fen,
    }


def send_payment_reminders(uow: UoW, by: str = "job", today: date | None = None) -> list[dict]:
    """催缴: each late batch still short takes its next reminder step, once (the (batch, step)
    unique key refuses a second, whoever runs the job); each step recorded and published.
    Each batch in its own transaction (`uow.fresh()`), as the overdue job does."""
    today = today or clock.today()
    batches = list(uow.session.scalars(select(Batch).where(Batch.written_off_at.is_(None)).order_by(Batch.batch_id)))
    due = []
    for a in _aged(uow.session, batches, today):
        last = max((r.at for r in a["reminders"]), default=None)
        since_last = (today - clock.shanghai(last).date()).days if last is not None else None
        step = next_step(a["days_past"], a["short_fen"], {r.step for r in a["reminders"]}, since_last)
        if step is not None:
            due.append((a["batch"].batch_id, step, a))
    uow.rollback()  # the search only read
    taken = []
    for batch_id, step, a in due:
        with uow.fresh() as one:
            batch = one.session.scalar(select(Batch).where(Batch.batch_id == batch_id).with_for_update())
            if batch.written_off_at is not None:
                continue
            recipient = RECIPIENTS[step]
            if step == "escalated":
                recipient = f"{recipient} {batch.handler_name}（{batch.handler_email or batch.handler_phone}）"
            one.session.add(
                PaymentReminder(
                    batch_id=batch_id,
                    step=step,
                    at=clock.utcnow_naive(),
                    by=by[:100],
                    recipient=recipient[:200],
                    days_past=a["days_past"],
                    short_fen=a["short_fen"],
                )
            )
            one.publish(
                contracts.PAYMENT_REMINDER,
                {
                    "batch_id": batch_id,
                    "batch_no": batch.batch_no,
                    "district_id": batch.district_id,
                    "cover_year": batch.cover_year,
                    "step": step,
                    "step_text": step_text(step),
                    "escalated": step != "first_notice",
                    "handler": {"name": batch.handler_name, "phone": batch.handler_phone, "email": batch.handler_email},
                    "pay_by": a["pay_by"].isoformat() if a["pay_by"] else None,
                    "days_past": a["days_past"],
                    "due_fen": a["due_fen"],
                    "paid_fen": a["paid_fen"],
                    "short_fen": a["short_fen"],
                    "at": clock.now().isoformat(),
                },
            )
            try:
                one.commit()
            except IntegrityError:
                one.rollback()  # another run took this step at the same moment
                continue
            taken.append({"batch_id": batch_id, "batch_no": batch.batch_no, "step": step})
    return taken
