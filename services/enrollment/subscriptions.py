"""The events the enrollment service consumes and the handler each goes to (docs/events.md).
The only place wiring consumed events to handlers."""

from __future__ import annotations

from common.bus import Subscription
from services.enrollment.contracts import MEMBERS_CONSUMER, SERVICE
from services.enrollment.handlers import batch_outcomes, read_models

MEMBER_EVENTS = (
    "registered",
    "approved",
    "rejected",
    "updated",
    "transferred_out",
    "transferred_in",
    "card_issued",
    "removed",
)

SUBSCRIPTIONS = [
    Subscription(
        SERVICE,
        "directory",
        {
            "members.district.registered": read_models.record_district_when_district_changed,
            "members.district.updated": read_models.record_district_when_district_changed,
            "members.union.registered": read_models.record_union_when_union_changed,
            "members.union.updated": read_models.record_union_when_union_changed,
            "members.unions.registered": read_models.record_unions_when_registered,
        },
    ),
    Subscription(
        SERVICE,
        MEMBERS_CONSUMER,
        {f"members.member.{name}": read_models.record_member_when_member_changed for name in MEMBER_EVENTS},
    ),
    Subscription(
        SERVICE,
        "billing",
        {
            "billing.submission.priced": read_models.record_amounts_when_submission_priced,
            "billing.credit.available": read_models.record_credit_when_credit_available,
            "billing.batch.priced": batch_outcomes.record_amounts_when_batch_priced,
            "billing.voucher.uploaded": batch_outcomes.record_voucher_when_voucher_uploaded,
            "billing.voucher.withdrawn": batch_outcomes.record_withdrawal_when_voucher_withdrawn,
            "billing.batch.feedback_given": batch_outcomes.record_feedback_when_feedback_given,
            "billing.batch.payment_status_changed": batch_outcomes.record_status_when_payment_status_changed,
            "billing.batch.written_off": batch_outcomes.grant_cover_when_batch_written_off,
            "billing.batch.overdue": batch_outcomes.fail_cover_when_batch_overdue,
        },
    ),
]
