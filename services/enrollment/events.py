"""Integration events the enrollment service consumes and publishes (see docs/events.md)."""
from __future__ import annotations

from common.bus import Subscription
from services.enrollment import handlers

SERVICE = "enrollment"

SUBSCRIPTIONS = [
    Subscription(SERVICE, "directory", {
        "members.district.registered": handlers.keep_district,
        "members.district.updated": handlers.keep_district,
        "members.union.registered": handlers.keep_union,
        "members.union.updated": handlers.keep_union,
    }),
]
