"""What the gateway consumes: members' approval of a union's registration (组织审核), to make
the clerk's inactive account and mail its activation link (docs/decisions/0036). The event's
name is written out: the gateway imports no service's code."""

from __future__ import annotations

from common.bus import Subscription
from gateway.contracts import SERVICE
from gateway.handlers import registrations

REGISTRATION_APPROVED = "members.registration.approved"

SUBSCRIPTIONS = [
    Subscription(
        SERVICE,
        "accounts",
        {REGISTRATION_APPROVED: registrations.create_clerk_account_when_registration_approved},
    ),
]
