"""What the members service consumes: no other service's events — it owns the directory and
the roster that the other services keep read models of — but its own upload jobs: an accepted
upload is a work message on the `members.uploads` work queue, run by members' worker (competing
consumers, one job at a time each; docs/decisions/0020-durable-bounded-uploads.md)."""

from __future__ import annotations

from common.bus import Subscription
from services.members import contracts
from services.members.contracts import SERVICE
from services.members.handlers import upload_jobs

SUBSCRIPTIONS = [
    Subscription(SERVICE, "uploads", {contracts.UPLOAD_ACCEPTED: upload_jobs.run_upload_when_accepted}, work=True),
]
