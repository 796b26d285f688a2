"""What the members service consumes: its own upload jobs — an accepted upload is a work message
on the `members.uploads` work queue, run by members' worker (competing consumers, one job at a
time each; docs/decisions/0020-durable-bounded-uploads.md) — and, since it alone holds a member's
mobile, what another service has to text a member (`members.texts`, one message at a time:
enrollment's 个人参保申请 states, decision 0045; its own 待确认变更 decisions and the mobile one replaced, 0047). No other service's facts: members owns the
directory and the roster that the other services keep read models of."""

from __future__ import annotations

from common.bus import Subscription
from services.members import contracts
from services.members.contracts import SERVICE
from services.members.handlers import member_texts, upload_jobs

SUBSCRIPTIONS = [
    Subscription(SERVICE, "uploads", {contracts.UPLOAD_ACCEPTED: upload_jobs.run_upload_when_accepted}, work=True),
    Subscription(
        SERVICE,
        "texts",
        {
            "enrollment.cover_request.changed": member_texts.text_member_when_cover_request_changed,
            contracts.DETAIL_CHANGE_DECIDED: member_texts.text_member_when_detail_change_decided,
            contracts.MOBILE_REPLACED: member_texts.text_previous_mobile_when_replaced,
        },
        work=True,
    ),
]
