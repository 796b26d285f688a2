"""Integration events the enrollment service consumes and publishes (see docs/events.md)."""
from __future__ import annotations

from common.bus import Subscription
from services.enrollment import handlers

SERVICE = "enrollment"
MEMBER_EVENTS = ("registered", "approved", "rejected", "updated", "transferred_out", "transferred_in", "card_issued", "removed")

SUBSCRIPTIONS = [
    Subscription(SERVICE, "directory", {
        "members.district.registered": handlers.keep_district,
        "members.district.updated": handlers.keep_district,
        "members.union.registered": handlers.keep_union,
        "members.union.updated": handlers.keep_union,
    }),
    Subscription(SERVICE, "members", {f"members.member.{name}": handlers.keep_member for name in MEMBER_EVENTS}),
    Subscription(SERVICE, "billing", {
        "billing.rates.published": handlers.keep_rate,
        "billing.credit.available": handlers.keep_credit,
        "billing.batch.priced": handlers.note_batch_priced,
        "billing.voucher.uploaded": handlers.note_voucher_uploaded,
        "billing.batch.feedback_given": handlers.note_feedback,
        "billing.batch.written_off": handlers.grant_when_written_off,
        "billing.batch.overdue": handlers.fail_when_overdue,
    }),
]
