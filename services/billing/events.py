"""Integration events the billing service consumes and publishes (see docs/events.md)."""
from __future__ import annotations

from common.bus import Subscription
from services.billing import handlers

SERVICE = "billing"

SUBSCRIPTIONS = [
    Subscription(SERVICE, "directory", {
        "members.district.registered": handlers.keep_district,
        "members.district.updated": handlers.keep_district,
        "members.union.registered": handlers.keep_union,
        "members.union.updated": handlers.keep_union,
    }),
]
