"""What the notifications service publishes: nothing yet. Its facts (who was told what) are
read through its API; the outbox table exists for the day another service needs one."""

from __future__ import annotations

SERVICE = "notifications"
