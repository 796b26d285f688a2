"""What the gateway consumes: members' approval of a union's registration (组织审核), to make
the clerk's inactive account and mail its activation link (docs/decisions/0036), and the clerks
of a bulk load (工会批量导入, decision 0039), the same in sets. The event's
name is written out: the gateway imports no service's code."""

from __future__ import annotations

from common.bus import Subscription
from gateway.contracts import SERVICE
from gateway.handlers import provisioning, registrations

REGISTRATION_APPROVED = "members.registration.approved"
CLERKS_LOADED = "members.clerks.loaded"  # 工会批量导入 (docs/decisions/0039)

SUBSCRIPTIONS = [
    Subscription(
        SERVICE,
        "accounts",
        {
            REGISTRATION_APPROVED: registrations.create_clerk_account_when_registration_approved,
            CLERKS_LOADED: provisioning.create_clerk_accounts_when_loaded,
        },
    ),
]
