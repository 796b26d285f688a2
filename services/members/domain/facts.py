"""The facts members reads from the messages it consumes (docs/events.md), as frozen values built
with common.facts' readers. Members consumes no other service's events: only its own work message
`members.upload.accepted`, which names a stored upload job for the worker to run. Pure, no I/O: a
malformed message raises MalformedEvent naming the field, and the consumer dead-letters it
(common.facts.consumes) — no redelivery could run it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common import facts as read
from common.facts import MalformedEvent
from common.identity import ROLES, Identity


@dataclass(frozen=True)
class UploadAccepted:
    """An accepted upload whose file is stored: the job to run, its kind, and who uploaded it."""

    job_id: int
    kind: str
    dry_run: bool
    who: Identity


def parse_upload_accepted(data: dict[str, Any]) -> UploadAccepted:
    """members.upload.accepted: `job_id`, `kind`, `dry_run` (absent: false) and `who` (the
    uploader's identity as the request had it)."""
    dry_run = data.get("dry_run", False) if isinstance(data, dict) else None
    if not isinstance(dry_run, bool):
        raise MalformedEvent(f"dry_run: not a boolean ({dry_run!r})")
    who = read.field(data, "who")
    if not isinstance(who, dict):
        raise MalformedEvent("who: not an object")
    return UploadAccepted(
        job_id=read.integer(data, "job_id", 1),
        kind=read.text(data, "kind"),
        dry_run=dry_run,
        who=Identity(
            user=read.text(who, "user"),
            role=read.choice(who, "role", ROLES),
            union_id=read.optional_integer(who, "union_id"),
            district_id=read.optional_integer(who, "district_id"),
        ),
    )
