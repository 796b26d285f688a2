"""What the notifications service consumes: each event wired to its handler (see docs/events.md).
The only place wiring events to handlers."""

from __future__ import annotations

from common.bus import Subscription
from services.notifications.contracts import SERVICE
from services.notifications.handlers import account_links, notify, read_models, registrations

SUBSCRIPTIONS = [
    Subscription(
        SERVICE,
        "events",
        {
            "enrollment.submission.returned": notify.notify_union_when_submission_returned,
            "members.member.rejected": notify.notify_union_when_member_rejected,
            "members.transfers.requested": notify.notify_source_union_when_transfers_requested,
            "members.transfer.decided": notify.notify_union_when_transfer_decided,
            "enrollment.batch.submitted": notify.notify_district_and_unions_when_batch_submitted,
            "billing.batch.feedback_given": notify.notify_district_and_unions_when_feedback_given,
            "billing.batch.written_off": notify.notify_district_and_unions_when_written_off,
            "billing.batch.overdue": notify.notify_district_and_unions_when_batch_overdue,
            "billing.batch.payment_reminder": notify.notify_when_payment_reminder,
            "documents.document.ready": notify.notify_when_notice_ready,
            "documents.document.withdrawn": notify.notify_union_when_notice_withdrawn,
            "enrollment.cover_year.configured": read_models.record_cover_year_when_configured,
        },
    ),
    # One person's mail (an activation or 找回密码 link, a returned 组织注册): one message at a time,
    # each sent and then claimed on its own. In a batch a failing mail made the consumer redo the
    # batch one by one, sending the mails before it a second time — a bulk load's 100,000 links
    # (decision 0039) would have been mailed twice over one bad address.
    Subscription(
        SERVICE,
        "mail",
        {
            "gateway.account.link_issued": account_links.mail_account_link_when_issued,
            "members.registration.returned": registrations.mail_applicant_when_registration_returned,
        },
        work=True,
    ),
]
